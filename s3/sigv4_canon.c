/* s3/sigv4_canon.c — SigV4 canonical forms: the canonical request (headers sorted, trimmed, merged) and
 * the canonical query string. Pure string work on caller buffers: no allocation, no digests (those live
 * in sigv4.c), so the hot path and the AWS test suite share exactly this code. */
#include "s3/sigv4_canon.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "s3/uri.h"

/* An append-only view of the caller's buffer; an overflow is remembered and reported once at the end,
 * which keeps the builders below free of error checks on every append. */
struct s_out {
    char *p;
    size_t n, cap;
    bool full;
};

static void s_put(struct s_out *o, const char *s, size_t n)
{
    if (o->full || n >= o->cap - o->n) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

static void s_putc(struct s_out *o, char c)
{
    s_put(o, &c, 1);
}

static void s_puts(struct s_out *o, const char *s)
{
    s_put(o, s, strlen(s));
}

static int s_finish(struct s_out *o)
{
    if (o->full || o->n >= o->cap) {
        if (o->cap) o->p[0] = '\0';
        return -ENOSPC;
    }
    o->p[o->n] = '\0';
    return (int)o->n;
}

static char s_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* Byte order of the lower-cased names, independent of the process's locale. */
static int s_name_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)s_lower(*a), y = (unsigned char)s_lower(*b);
        if (x != y || !x) return (int)x - (int)y;
    }
}

static bool s_space(char c)
{
    return c == ' ' || c == '\t';
}

/* SigV4's "Trimall": no leading or trailing white space, and each run of it becomes one space. */
static void s_put_trimmed(struct s_out *o, const char *v)
{
    while (s_space(*v))
        v++;
    while (*v) {
        const char *run = v;
        while (*v && !s_space(*v))
            v++;
        s_put(o, run, (size_t)(v - run));
        while (s_space(*v))
            v++;
        if (*v) s_putc(o, ' ');
    }
}

int ur_sigv4_canon_request(char *out, size_t cap, const char *method, const char *canon_uri,
                           const char *canon_query, const char *const (*hdrs)[2], size_t nhdrs,
                           const char *payload_hash, size_t *sh_off, size_t *sh_len)
{
    if (nhdrs > UR_SIGV4_MAX_HEADERS) return -E2BIG;
    /* Stable insertion sort of indices: n is a handful on the hot path, and stability keeps the values
     * of a repeated header in the order they were given, as SigV4 requires. */
    uint8_t idx[UR_SIGV4_MAX_HEADERS];
    for (size_t i = 0; i < nhdrs; i++) {
        size_t j = i;
        while (j > 0 && s_name_cmp(hdrs[idx[j - 1]][0], hdrs[i][0]) > 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = (uint8_t)i;
    }

    struct s_out o = {out, 0, cap, cap == 0};
    s_puts(&o, method);
    s_putc(&o, '\n');
    s_puts(&o, *canon_uri ? canon_uri : "/");
    s_putc(&o, '\n');
    s_puts(&o, canon_query);
    s_putc(&o, '\n');
    for (size_t i = 0; i < nhdrs; i++) {
        const char *name = hdrs[idx[i]][0];
        bool same = i > 0 && s_name_cmp(hdrs[idx[i - 1]][0], name) == 0;
        if (same) {
            s_putc(&o, ','); /* the previous value ended without its '\n' */
        } else {
            for (const char *c = name; *c; c++)
                s_putc(&o, s_lower(*c));
            s_putc(&o, ':');
        }
        s_put_trimmed(&o, hdrs[idx[i]][1]);
        bool next_same = i + 1 < nhdrs && s_name_cmp(hdrs[idx[i + 1]][0], name) == 0;
        if (!next_same) s_putc(&o, '\n');
    }
    s_putc(&o, '\n');
    size_t off = o.n;
    for (size_t i = 0; i < nhdrs; i++) {
        if (i > 0 && s_name_cmp(hdrs[idx[i - 1]][0], hdrs[idx[i]][0]) == 0) continue;
        if (o.n > off) s_putc(&o, ';');
        for (const char *c = hdrs[idx[i]][0]; *c; c++)
            s_putc(&o, s_lower(*c));
    }
    if (sh_off) *sh_off = off;
    if (sh_len) *sh_len = o.n - off;
    s_putc(&o, '\n');
    s_puts(&o, payload_hash);
    return s_finish(&o);
}

/* --- canonical query ------------------------------------------------------------------------------ */

/* A byte stream that yields the SigV4 encoding of a raw query component one character at a time, so
 * parameters can be sorted by their encoded form without a scratch buffer. */
struct s_enc {
    const char *p, *end;
    char pend[3];
    int npend, ipend;
};

static int s_hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int s_enc_next(struct s_enc *e)
{
    if (e->ipend < e->npend) return (unsigned char)e->pend[e->ipend++];
    if (e->p >= e->end) return -1;
    unsigned char b = (unsigned char)*e->p++;
    if (b == '%' && e->end - e->p >= 2 && s_hexval(e->p[0]) >= 0 && s_hexval(e->p[1]) >= 0) {
        b = (unsigned char)(s_hexval(e->p[0]) * 16 + s_hexval(e->p[1]));
        e->p += 2;
    }
    char tmp[4];
    char raw = (char)b;
    e->npend = ur_uri_encode(tmp, sizeof(tmp), &raw, 1, false);
    memcpy(e->pend, tmp, 3);
    e->ipend = 1;
    return (unsigned char)e->pend[0];
}

struct s_param {
    const char *k, *v;
    size_t klen, vlen;
};

static int s_enc_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    struct s_enc x = {a, a + an, {0}, 0, 0}, y = {b, b + bn, {0}, 0, 0};
    for (;;) {
        int cx = s_enc_next(&x), cy = s_enc_next(&y);
        if (cx != cy || cx < 0) return cx - cy;
    }
}

static int s_param_cmp(const struct s_param *a, const struct s_param *b)
{
    int c = s_enc_cmp(a->k, a->klen, b->k, b->klen);
    return c ? c : s_enc_cmp(a->v, a->vlen, b->v, b->vlen);
}

static void s_put_enc(struct s_out *o, const char *s, size_t n)
{
    struct s_enc e = {s, s + n, {0}, 0, 0};
    for (int c; (c = s_enc_next(&e)) >= 0;)
        s_putc(o, (char)c);
}

int ur_sigv4_canon_query(char *out, size_t cap, const char *query)
{
    struct s_param ps[UR_SIGV4_MAX_PARAMS];
    size_t np = 0;
    for (const char *p = query; *p;) {
        size_t len = strcspn(p, "&");
        if (len > 0) {
            if (np == UR_SIGV4_MAX_PARAMS) return -E2BIG;
            const char *eq = memchr(p, '=', len);
            struct s_param x = {p, eq ? eq + 1 : p + len, eq ? (size_t)(eq - p) : len,
                                eq ? (size_t)(p + len - eq - 1) : 0};
            size_t j = np++;
            while (j > 0 && s_param_cmp(&ps[j - 1], &x) > 0) {
                ps[j] = ps[j - 1];
                j--;
            }
            ps[j] = x;
        }
        p += len;
        if (*p == '&') p++;
    }
    struct s_out o = {out, 0, cap, cap == 0};
    for (size_t i = 0; i < np; i++) {
        if (i) s_putc(&o, '&');
        s_put_enc(&o, ps[i].k, ps[i].klen);
        s_putc(&o, '=');
        s_put_enc(&o, ps[i].v, ps[i].vlen);
    }
    return s_finish(&o);
}
