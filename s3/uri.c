/* s3/uri.c — parsing s3:// object URIs and S3/SigV4 percent-encoding. Pure string work: no allocation,
 * no I/O. */
#include "s3/uri.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* The schemes we accept: s3a:// and s3p:// are Hadoop's and Presto's names for the same objects (Flink
 * checkpoint URIs use them). Matched case-insensitively, as URI schemes are. */
static const char *const s_schemes[] = {"s3://", "s3a://", "s3p://"};

/* Bytes that may appear in a bucket name: S3 today allows a-z 0-9 . -; buckets made before 2018 in
 * us-east-1 may also hold upper case and '_'. Anything else (spaces, '?', '#', '%') cannot be a bucket. */
static bool s_bucket_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

int ur_s3_uri_parse(const char *s, struct ur_s3_uri *out, const char **why)
{
    static const char *dummy;
    if (!why) why = &dummy;
    out->bucket[0] = '\0';
    out->key = "";
    if (!s) {
        *why = "not an s3:// URI";
        return -EINVAL;
    }
    const char *p = NULL;
    for (size_t i = 0; i < sizeof(s_schemes) / sizeof(s_schemes[0]); i++) {
        size_t n = strlen(s_schemes[i]);
        if (strncasecmp(s, s_schemes[i], n) == 0) {
            p = s + n;
            break;
        }
    }
    if (!p) {
        *why = "not an s3:// URI";
        return -EINVAL;
    }
    const char *slash = strchr(p, '/');
    size_t blen = slash ? (size_t)(slash - p) : strlen(p);
    if (blen == 0) {
        *why = "bucket name is empty";
        return -EINVAL;
    }
    if (blen > UR_S3_BUCKET_MAX) {
        *why = "bucket name is too long";
        return -EINVAL;
    }
    for (size_t i = 0; i < blen; i++) {
        if (!s_bucket_char((unsigned char)p[i])) {
            *why = "bucket name has a character S3 does not allow";
            return -EINVAL;
        }
    }
    /* The key is everything after the first '/', verbatim: S3 keys are opaque byte strings, so "a//b",
     * "../x" and "%41" name different objects than their "normalised" forms would. */
    const char *key = slash ? slash + 1 : "";
    if (strlen(key) > UR_S3_KEY_MAX) {
        *why = "key is too long";
        return -EINVAL;
    }
    memcpy(out->bucket, p, blen);
    out->bucket[blen] = '\0';
    out->key = key;
    *why = NULL;
    return 0;
}

/* 1 for the bytes RFC 3986 calls unreserved, which SigV4 leaves as they are. A table keeps the hot loop
 * (keys are encoded for every request) to one load per byte. */
static const uint8_t s_unreserved[256] = {
    ['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1,
    ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1,
    ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1,
    ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1,
    ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1,
    ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

int ur_uri_encode(char *dst, size_t cap, const char *src, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        if (s_unreserved[c] || (c == '/' && keep_slash)) {
            if (o + 1 >= cap) goto nospace;
            dst[o++] = (char)c;
        } else {
            if (o + 3 >= cap) goto nospace;
            dst[o++] = '%';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        }
    }
    if (o >= cap) goto nospace;
    dst[o] = '\0';
    return (int)o;
nospace:
    if (cap) dst[0] = '\0';
    return -ENOSPC;
}
