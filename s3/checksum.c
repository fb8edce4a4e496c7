/* s3/checksum.c — S3's object checksum headers (see checksum.h). Pure: no I/O, no allocation. */
#include "s3/checksum.h"

#include <errno.h>
#include <string.h>

static const char s_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const struct {
    const char *name, *header;
    unsigned len;
} s_algs[] = {
    [UR_HTTP_CKSUM_NONE] = {"", "", 0},
    [UR_HTTP_CKSUM_CRC32] = {"CRC32", "x-amz-checksum-crc32", 4},
    [UR_HTTP_CKSUM_CRC32C] = {"CRC32C", "x-amz-checksum-crc32c", 4},
    [UR_HTTP_CKSUM_CRC64NVME] = {"CRC64NVME", "x-amz-checksum-crc64nvme", 8},
    [UR_HTTP_CKSUM_SHA1] = {"SHA-1", "x-amz-checksum-sha1", 20},
    [UR_HTTP_CKSUM_SHA256] = {"SHA-256", "x-amz-checksum-sha256", 32},
};

const char *ur_s3_cksum_name(unsigned alg)
{
    return alg < sizeof s_algs / sizeof s_algs[0] ? s_algs[alg].name : "";
}

const char *ur_s3_cksum_header(unsigned alg)
{
    return alg < sizeof s_algs / sizeof s_algs[0] ? s_algs[alg].header : "";
}

/* Base64 (padding optional) of s[0..n) into out; the byte count, or -EINVAL (bad character, too long). */
static int s_b64_decode(const char *s, size_t n, unsigned char *out, size_t cap)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t k = 0, i = 0;
    for (; i < n && s[i] != '='; i++) {
        const char *d = memchr(s_b64, s[i], 64);
        if (!d || !s[i]) return -EINVAL;
        acc = (acc << 6) | (uint32_t)(d - s_b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (k == cap) return -EINVAL;
            out[k++] = (unsigned char)(acc >> bits);
        }
    }
    for (; i < n && s[i] == '='; i++) {}
    return i == n ? (int)k : -EINVAL;
}

int ur_s3_cksum_from_resp(const struct ur_http_resp *r, struct ur_s3_cksum *out)
{
    memset(out, 0, sizeof(*out));
    unsigned alg = r->checksum_alg;
    if (alg == UR_HTTP_CKSUM_NONE || alg >= sizeof s_algs / sizeof s_algs[0]) return 0;
    const char *v = r->checksum, *dash = strchr(v, '-');
    size_t n = dash ? (size_t)(dash - v) : strlen(v);
    if (dash) { /* "…-N": composite, N parts */
        unsigned long parts = 0;
        const char *q = dash + 1;
        for (; *q >= '0' && *q <= '9' && parts < 100000; q++) parts = parts * 10 + (unsigned long)(*q - '0');
        if (*q || q == dash + 1) return -EINVAL;
        out->parts = (unsigned)parts;
    }
    int k = s_b64_decode(v, n, out->value, sizeof out->value);
    if (k < 0 || (unsigned)k != s_algs[alg].len) {
        memset(out, 0, sizeof(*out));
        return -EINVAL;
    }
    out->alg = (uint8_t)alg;
    out->len = (unsigned)k;
    /* A composite checksum on a ranged GET comes without its "-N" (a range that is all of a multipart
     * object, botocore#3346): the type header tells, and where a server sends none, a multipart ETag
     * ("…-N\"") says the object was uploaded in parts, so its checksum may be composite: not claimed. */
    size_t el = strlen(r->etag);
    const char *edash = el > 2 ? memchr(r->etag, '-', el) : NULL;
    bool multipart = edash && r->etag[el - 1] == '"';
    out->composite = dash != NULL || strcmp(r->checksum_type, "COMPOSITE") == 0 ||
                     (!r->checksum_type[0] && multipart);
    return 0;
}

void ur_s3_cksum_b64(const unsigned char *v, unsigned len, char *out, size_t cap)
{
    size_t k = 0;
    for (unsigned i = 0; i < len && k + 4 < cap; i += 3) {
        uint32_t w = (uint32_t)v[i] << 16 | (i + 1 < len ? (uint32_t)v[i + 1] << 8 : 0) |
                     (i + 2 < len ? v[i + 2] : 0);
        out[k++] = s_b64[w >> 18];
        out[k++] = s_b64[(w >> 12) & 63];
        out[k++] = i + 1 < len ? s_b64[(w >> 6) & 63] : '=';
        out[k++] = i + 2 < len ? s_b64[w & 63] : '=';
    }
    if (cap) out[k < cap ? k : cap - 1] = '\0';
}

void ur_s3_cksum_put_be(uint64_t crc, unsigned len, unsigned char *out)
{
    for (unsigned i = 0; i < len; i++) out[i] = (unsigned char)(crc >> (8 * (len - 1 - i)));
}
