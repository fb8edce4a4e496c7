/* tests/fuzz/fuzz_json.c — s3/json.c and the credential answers built on it (s3/credjson.c), plus ISO-8601
 * times (s3/credtime.c), on arbitrary bytes.
 *
 * Input: byte 0 = output capacity for decoded strings; the rest = a document. Checks that a document the
 * validator accepts can be walked member by member with true lengths, that the credential parsers agree
 * with the validator (nothing it refuses parses), and that every output is NUL-terminated in bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3/credjson.h"
#include "s3/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t cap = 1 + data[0] % 64;
    const char *doc = (const char *)data + 1;
    size_t n = size - 1;
    int ok = ur_s3_json_check_object(doc, n);

    static const char *const keys[] = {
        "Version", "AccessKeyId", "SecretAccessKey", "Token", "Expiration", "a", ""};
    char *out = malloc(cap);
    for (size_t i = 0; ok == 0 && i < sizeof(keys) / sizeof(keys[0]); i++) {
        struct ur_s3_json_val v;
        if (ur_s3_json_member(doc, n, keys[i], &v) != 0) continue;
        if (v.p < doc || v.p + v.n > doc + n || v.n == 0) abort();
        int r = ur_s3_json_string(&v, out, cap);
        if (r >= 0 && ((size_t)r >= cap || strlen(out) != (size_t)r)) abort();
        long long x;
        (void)ur_s3_json_int(&v, &x);
    }
    free(out);

    struct ur_creds_temp t;
    char err[160];
    int a = ur_creds_parse_process(doc, n, &t, err, sizeof(err));
    int b = ur_creds_parse_container(200, doc, n, &t, err, sizeof(err));
    int c = ur_creds_parse_imds(doc, n, &t, err, sizeof(err));
    if (ok != 0 && (a == 0 || b == 0 || c == 0)) abort();
    if (c == 0 && (!t.creds.access_key[0] || !t.creds.secret_key[0] || !t.creds.session_token[0])) abort();
    if (strnlen(err, sizeof(err)) >= sizeof(err)) abort();
    (void)ur_creds_parse_container(403, doc, n, &t, err, sizeof(err));
    char role[32];
    if (ur_creds_parse_imds_role(doc, n, role, sizeof(role)) == 0 && (!role[0] || strpbrk(role, "/ \r\n")))
        abort();
    time_t when;
    if (ur_creds_parse_time(doc, n, &when) == 0 && when < 0) abort();
    return 0;
}
