/* tests/fuzz/fuzz_sts_xml.c — s3/sts.c's answer parser and s3/region.c's bucket-region redirect on
 * arbitrary bodies.
 *
 * Input: bytes 0..1 = HTTP status, the rest = the body. Checks that a parse that succeeds gives non-empty
 * keys and a real expiry, that a failed one leaves no key behind, and that messages and regions fit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3/region.h"
#include "s3/sts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    int status = (data[0] << 8 | data[1]) % 1000;
    const char *body = (const char *)data + 2;
    size_t n = size - 2;
    struct ur_creds_temp t;
    char err[300];
    static const char *const actions[] = {"AssumeRole", "AssumeRoleWithWebIdentity"};
    for (int i = 0; i < 2; i++) {
        int rc = ur_creds_sts_parse(actions[i], status, body, n, &t, err, sizeof(err));
        if (strnlen(err, sizeof(err)) >= sizeof(err)) abort();
        if (rc == 0 && (!t.creds.access_key[0] || !t.creds.secret_key[0] || t.expiration <= 0)) abort();
        if (rc != 0 && (t.creds.access_key[0] || t.creds.secret_key[0] || !err[0])) abort();
    }
    char region[16];
    int r = ur_s3_region_redirect(status, NULL, body, n, "us-east-1", region, sizeof(region));
    if (r == 1 && (!ur_s3_region_ok(region) || strcmp(region, "us-east-1") == 0)) abort();
    if (r == 0 && region[0]) abort();
    return 0;
}
