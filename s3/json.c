/* s3/json.c — the strict JSON reader behind the credential parsers (see json.h): a recursive validator
 * with a depth bound, a member scan over the top-level object, and string/integer decoding. */
#include "s3/json.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct s_in {
    const char *p, *end;
};

static void s_ws(struct s_in *in)
{
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r'))
        in->p++;
}

static int s_hex4(const char *p, const char *end, unsigned *v)
{
    if (end - p < 4) return -1;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) return -1;
        *v = *v << 4 | (unsigned)d;
    }
    return 0;
}

/* One "\uXXXX" (or a surrogate pair) at p (just after the backslash-u); its code point and the bytes
 * consumed after "\u", or -1. */
static int s_uescape(const char *p, const char *end, uint32_t *cp)
{
    unsigned hi, lo;
    if (s_hex4(p, end, &hi)) return -1;
    if (hi >= 0xDC00 && hi <= 0xDFFF) return -1;
    if (hi < 0xD800 || hi > 0xDBFF) {
        *cp = hi;
        return 4;
    }
    if (end - p < 10 || p[4] != '\\' || p[5] != 'u' || s_hex4(p + 6, end, &lo) || lo < 0xDC00 || lo > 0xDFFF)
        return -1;
    *cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    return 10;
}

/* Length of a valid UTF-8 sequence at p, or 0. */
static size_t s_utf8_len(const unsigned char *p, const unsigned char *end)
{
    size_t n = p[0] < 0x80             ? 1
               : (p[0] & 0xE0) == 0xC0 ? 2
               : (p[0] & 0xF0) == 0xE0 ? 3
               : (p[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (n == 0 || (size_t)(end - p) < n) return 0;
    uint32_t cp = n == 1 ? p[0] : p[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

static int s_string(struct s_in *in)
{
    if (in->p >= in->end || *in->p != '"') return -EINVAL;
    in->p++;
    while (in->p < in->end) {
        unsigned char c = (unsigned char)*in->p;
        if (c == '"') {
            in->p++;
            return 0;
        }
        if (c < 0x20) return -EINVAL;
        if (c == '\\') {
            if (in->end - in->p < 2) return -EINVAL;
            char e = in->p[1];
            uint32_t cp;
            if (e == 'u') {
                int k = s_uescape(in->p + 2, in->end, &cp);
                if (k < 0) return -EINVAL;
                in->p += 2 + k;
            } else if (strchr("\"\\/bfnrt", e) && e) {
                in->p += 2;
            } else {
                return -EINVAL;
            }
            continue;
        }
        size_t k = s_utf8_len((const unsigned char *)in->p, (const unsigned char *)in->end);
        if (!k) return -EINVAL;
        in->p += k;
    }
    return -EINVAL;
}

static bool s_digit(const struct s_in *in)
{
    return in->p < in->end && *in->p >= '0' && *in->p <= '9';
}

static int s_number(struct s_in *in)
{
    if (in->p < in->end && *in->p == '-') in->p++;
    if (!s_digit(in)) return -EINVAL;
    if (*in->p == '0')
        in->p++;
    else
        while (s_digit(in))
            in->p++;
    if (in->p < in->end && *in->p == '.') {
        in->p++;
        if (!s_digit(in)) return -EINVAL;
        while (s_digit(in))
            in->p++;
    }
    if (in->p < in->end && (*in->p == 'e' || *in->p == 'E')) {
        in->p++;
        if (in->p < in->end && (*in->p == '+' || *in->p == '-')) in->p++;
        if (!s_digit(in)) return -EINVAL;
        while (s_digit(in))
            in->p++;
    }
    return 0;
}

static int s_value(struct s_in *in, int depth);

/* An object or array at in->p ('{' or '['). */
static int s_container(struct s_in *in, int depth)
{
    if (depth >= UR_S3_JSON_MAX_DEPTH) return -E2BIG;
    char close = *in->p == '{' ? '}' : ']';
    in->p++;
    s_ws(in);
    if (in->p < in->end && *in->p == close) {
        in->p++;
        return 0;
    }
    for (;;) {
        int rc;
        if (close == '}') {
            if ((rc = s_string(in))) return rc;
            s_ws(in);
            if (in->p >= in->end || *in->p != ':') return -EINVAL;
            in->p++;
        }
        if ((rc = s_value(in, depth + 1))) return rc;
        s_ws(in);
        if (in->p >= in->end) return -EINVAL;
        if (*in->p == close) {
            in->p++;
            return 0;
        }
        if (*in->p != ',') return -EINVAL;
        in->p++;
        s_ws(in);
    }
}

static int s_value(struct s_in *in, int depth)
{
    s_ws(in);
    if (in->p >= in->end) return -EINVAL;
    static const char *const lit[] = {"true", "false", "null"};
    switch (*in->p) {
    case '"':
        return s_string(in);
    case '{':
    case '[':
        return s_container(in, depth);
    case 't':
    case 'f':
    case 'n':
        for (int i = 0; i < 3; i++) {
            size_t l = strlen(lit[i]);
            if ((size_t)(in->end - in->p) >= l && memcmp(in->p, lit[i], l) == 0) {
                in->p += l;
                return 0;
            }
        }
        return -EINVAL;
    default:
        return s_number(in);
    }
}

int ur_s3_json_check_object(const char *doc, size_t n)
{
    struct s_in in = {doc, doc + n};
    s_ws(&in);
    if (in.p >= in.end || *in.p != '{') return -EINVAL;
    int rc = s_value(&in, 0);
    if (rc) return rc;
    s_ws(&in);
    return in.p == in.end ? 0 : -EINVAL;
}

static enum ur_s3_json_type s_type(char c)
{
    switch (c) {
    case '"':
        return UR_S3_JSON_STRING;
    case '{':
        return UR_S3_JSON_OBJECT;
    case '[':
        return UR_S3_JSON_ARRAY;
    case 't':
        return UR_S3_JSON_TRUE;
    case 'f':
        return UR_S3_JSON_FALSE;
    case 'n':
        return UR_S3_JSON_NULL;
    default:
        return UR_S3_JSON_NUMBER;
    }
}

int ur_s3_json_member(const char *doc, size_t n, const char *key, struct ur_s3_json_val *v)
{
    struct s_in in = {doc, doc + n};
    bool found = false;
    s_ws(&in);
    if (in.p >= in.end || *in.p != '{') return -ENOENT;
    in.p++;
    s_ws(&in);
    while (in.p < in.end && *in.p == '"') {
        struct ur_s3_json_val k = {UR_S3_JSON_STRING, in.p, 0};
        if (s_string(&in)) return -ENOENT;
        k.n = (size_t)(in.p - k.p);
        s_ws(&in);
        if (in.p >= in.end || *in.p != ':') return -ENOENT; /* only an unchecked document gets here */
        in.p++;
        s_ws(&in);
        const char *vp = in.p;
        if (s_value(&in, 1)) return -ENOENT;
        char name[128];
        int kl = ur_s3_json_string(&k, name, sizeof(name));
        if (kl >= 0 && strcmp(name, key) == 0) {
            v->type = s_type(*vp);
            v->p = vp;
            v->n = (size_t)(in.p - vp);
            found = true;
        }
        s_ws(&in);
        if (in.p < in.end && *in.p == ',') in.p++;
        s_ws(&in);
    }
    return found ? 0 : -ENOENT;
}

static size_t s_put_utf8(uint32_t cp, char *b)
{
    if (cp < 0x80) {
        b[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12);
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (char)(0xF0 | cp >> 18);
    b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int ur_s3_json_string(const struct ur_s3_json_val *v, char *out, size_t cap)
{
    if (cap) out[0] = '\0';
    if (v->type != UR_S3_JSON_STRING || v->n < 2) return -EINVAL;
    const char *p = v->p + 1, *end = v->p + v->n - 1;
    size_t o = 0;
    while (p < end) {
        char b[4];
        size_t bn = 1;
        if (*p != '\\') {
            b[0] = *p++;
        } else {
            char e = p[1];
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *k = e ? strchr(from, e) : NULL;
            if (e == 'u') {
                uint32_t cp;
                int used = s_uescape(p + 2, end, &cp);
                if (used < 0 || cp == 0) return -EINVAL;
                bn = s_put_utf8(cp, b);
                p += 2 + used;
            } else if (k) {
                b[0] = to[k - from];
                p += 2;
            } else {
                return -EINVAL;
            }
        }
        if (o + bn >= cap) return -ENOSPC;
        memcpy(out + o, b, bn);
        o += bn;
    }
    if (o >= cap) return -ENOSPC;
    out[o] = '\0';
    return (int)o;
}

int ur_s3_json_int(const struct ur_s3_json_val *v, long long *out)
{
    if (v->type != UR_S3_JSON_NUMBER || v->n == 0) return -EINVAL;
    const char *p = v->p, *end = v->p + v->n;
    bool neg = *p == '-';
    if (neg) p++;
    if (p >= end) return -EINVAL;
    unsigned long long x = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9') return -EINVAL;
        if (x > (unsigned long long)INT64_MAX / 10) return -ERANGE;
        x = x * 10 + (unsigned)(*p - '0');
    }
    if (x > (unsigned long long)INT64_MAX) return -ERANGE;
    *out = neg ? -(long long)x : (long long)x;
    return 0;
}
