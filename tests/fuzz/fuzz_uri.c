/* tests/fuzz/fuzz_uri.c — S3 URIs, S3's percent-encoding, endpoints, hosts and request targets
 * (s3/uri.c, s3/endpoint.c).
 *
 * Input: NUL-separated fields: URI, endpoint URL, region, bucket, key; byte 0 = output capacity. Checks
 * the outputs are NUL-terminated within capacity, the lengths returned are true, and that encoding only
 * ever emits the unreserved characters, '%' and (when kept) '/'. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3/endpoint.h"
#include "s3/uri.h"

static void s_check_encoded(const char *s, int n, int keep_slash)
{
    if (n < 0) return;
    if ((size_t)n != strlen(s)) abort();
    for (int i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '_' || c == '.' || c == '~' || c == '%' || (keep_slash && c == '/');
        if (!ok) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t cap = 1 + data[0] % 300;
    char *buf = malloc(size);
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = 0;
    const char *field[5] = {"", "", "", "", ""};
    char *p = buf, *end = buf + size - 1;
    for (int i = 0; i < 5 && p <= end; i++) {
        field[i] = p;
        p += strlen(p) + 1;
    }

    struct ur_s3_uri u;
    const char *why = NULL;
    if (ur_s3_uri_parse(field[0], &u, &why) == 0) {
        if (strnlen(u.bucket, sizeof u.bucket) >= sizeof u.bucket || !u.key) abort();
        if (strlen(u.key) > UR_S3_KEY_MAX) abort();
    } else if (!why) {
        abort();
    }

    char *out = malloc(cap);
    for (int ks = 0; ks < 2; ks++) {
        int n = ur_uri_encode(out, cap, field[0], strlen(field[0]), ks);
        if (n >= 0) s_check_encoded(out, n, ks);
    }

    struct ur_endpoint ep;
    char err[128], host[300], hh[300];
    if (ur_endpoint_init(&ep, field[1][0] ? field[1] : NULL, field[2], err, sizeof err) == 0) {
        if (strnlen(ep.host, sizeof ep.host) >= sizeof ep.host) abort();
        if (ur_endpoint_host(&ep, field[3], host, sizeof host, hh, sizeof hh) == 0) {
            (void)strlen(host);
            (void)strlen(hh);
        }
        int n = ur_endpoint_target(&ep, field[3], field[4], out, cap);
        if (n >= 0 && (size_t)n != strlen(out)) abort();
    } else if (strnlen(err, sizeof err) >= sizeof err) {
        abort();
    }
    free(out);
    free(buf);
    return 0;
}
