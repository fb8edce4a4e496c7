/* s3/sigv4.c — AWS Signature Version 4: the signer's state (credentials, region, service, the signing
 * key cached per day, x-amz-date cached per second), HMAC-SHA256, and the per-request hot path
 * ur_sigv4_sign_headers. Canonical forms are built by sigv4_canon.c. Secrets stay in this file. */

/* The low-level SHA256_* functions are deprecated in OpenSSL 3, but they are the only SHA-256 in 3.0
 * that works on a caller-owned context: measured on OpenSSL 3.0.19, EVP_DigestInit_ex2 frees and
 * re-allocates the provider context on every init and EVP_MD_CTX_copy_ex allocates too (one malloc per
 * digest), while SHA256_Init/Update/Final allocate nothing, use the same SHA-NI/AVX2 code, and let us
 * keep HMAC's inner and outer pad states as plain struct copies (saves 2 of ~12 compressions per
 * signature). */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "s3/sigv4.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "s3/sigv4_canon.h"

#define S_ALGO "AWS4-HMAC-SHA256"
#define S_MAX_EXTRA 32         /* extra headers per signed request (range, if-match … a few in practice) */
#define S_CREQ_CAP (16 * 1024) /* canonical request: a 1 KiB key encodes to 3 KiB, a token is up to 4 KiB */

/* HMAC-SHA256 with the key's pad blocks already absorbed: signing copies two small structs instead of
 * hashing two more blocks. */
struct s_hmac {
    SHA256_CTX inner, outer;
};

struct ur_sigv4 {
    char access_key[128];
    char secret[4 + 128]; /* "AWS4" + secret key: the first HMAC key of the derivation */
    char token[4096];     /* "" when none */
    bool anonymous;
    char region[64];
    char service[64];

    time_t date_sec;   /* the second amz_date was formatted for; (time_t)-1 when none */
    char amz_date[17]; /* "YYYYMMDDTHHMMSSZ" */

    char key_day[9];   /* "YYYYMMDD" the signing key was derived for; "" when none */
    struct s_hmac key; /* HMAC state keyed with kSigning for key_day */

    char creq[S_CREQ_CAP]; /* scratch for the canonical request: no allocation per signature */
};

static void s_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

struct ur_sigv4 *ur_sigv4_new(const struct ur_creds *c, const char *region, const char *service)
{
    struct ur_sigv4 *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    s->anonymous = c->anonymous;
    s_copy(s->access_key, sizeof(s->access_key), c->access_key);
    snprintf(s->secret, sizeof(s->secret), "AWS4%.*s", (int)(sizeof(s->secret) - 5), c->secret_key);
    s_copy(s->token, sizeof(s->token), c->session_token);
    s_copy(s->region, sizeof(s->region), region && *region ? region : "us-east-1");
    s_copy(s->service, sizeof(s->service), service && *service ? service : "s3");
    s->date_sec = (time_t)-1;
    return s;
}

void ur_sigv4_free(struct ur_sigv4 *s)
{
    if (!s) return;
    OPENSSL_cleanse(s, sizeof(*s)); /* the secret, the derived key and the token */
    free(s);
}

/* --- HMAC-SHA256 (RFC 2104) on the low-level SHA-256 ------------------------------------------------ */

/* Not OpenSSL's one-shot SHA256(): in 3.0 it goes through EVP_Q_digest and allocates three times. */
static void s_sha256(const void *data, size_t n, uint8_t out[SHA256_DIGEST_LENGTH])
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, data, n);
    SHA256_Final(out, &c);
}

static void s_hmac_key(struct s_hmac *h, const void *key, size_t klen)
{
    uint8_t k[SHA256_CBLOCK] = {0}, pad[SHA256_CBLOCK];
    if (klen > SHA256_CBLOCK)
        s_sha256(key, klen, k);
    else
        memcpy(k, key, klen);
    for (size_t i = 0; i < SHA256_CBLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    SHA256_Init(&h->inner);
    SHA256_Update(&h->inner, pad, sizeof(pad));
    for (size_t i = 0; i < SHA256_CBLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    SHA256_Init(&h->outer);
    SHA256_Update(&h->outer, pad, sizeof(pad));
    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(pad, sizeof(pad));
}

static void s_hmac(const struct s_hmac *h, const void *msg, size_t n, uint8_t out[SHA256_DIGEST_LENGTH])
{
    SHA256_CTX c = h->inner;
    SHA256_Update(&c, msg, n);
    SHA256_Final(out, &c);
    c = h->outer;
    SHA256_Update(&c, out, SHA256_DIGEST_LENGTH);
    SHA256_Final(out, &c);
    OPENSSL_cleanse(&c, sizeof(c));
}

/* One step of the key derivation: out = HMAC(key, msg). */
static void s_hmac_once(const void *key, size_t klen, const char *msg, uint8_t out[SHA256_DIGEST_LENGTH])
{
    struct s_hmac h;
    s_hmac_key(&h, key, klen);
    s_hmac(&h, msg, strlen(msg), out);
    OPENSSL_cleanse(&h, sizeof(h));
}

static void s_hex(const uint8_t *b, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[2 * n] = '\0';
}

void ur_sha256_hex(const void *data, size_t n, char hex[65])
{
    uint8_t d[SHA256_DIGEST_LENGTH];
    s_sha256(data, n, d);
    s_hex(d, sizeof(d), hex);
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"); four
 * HMACs, done once per day instead of once per request. day: the first 8 bytes ("YYYYMMDD") count. */
static void s_derive_key(struct ur_sigv4 *s, const char *day)
{
    uint8_t k[SHA256_DIGEST_LENGTH];
    char date8[9];
    memcpy(date8, day, 8);
    date8[8] = '\0';
    s_hmac_once(s->secret, strlen(s->secret), date8, k);
    s_hmac_once(k, sizeof(k), s->region, k);
    s_hmac_once(k, sizeof(k), s->service, k);
    s_hmac_once(k, sizeof(k), "aws4_request", k);
    s_hmac_key(&s->key, k, sizeof(k));
    OPENSSL_cleanse(k, sizeof(k));
    memcpy(s->key_day, date8, sizeof(date8));
}

int ur_sigv4_sign_canonical(struct ur_sigv4 *s, const char *amz_date, const char *creq, size_t creq_len,
                            const char *signed_headers, size_t sh_len, char *sts, size_t sts_cap, char *authz,
                            size_t authz_cap)
{
    if (strlen(amz_date) != 16 || amz_date[8] != 'T' || amz_date[15] != 'Z') return -EINVAL;
    if (memcmp(s->key_day, amz_date, 8) != 0 || !s->key_day[0])
        s_derive_key(s, amz_date); /* reads the first 8 bytes: the day */

    char creq_hex[65];
    ur_sha256_hex(creq, creq_len, creq_hex);
    /* The string to sign; at most 17 + 17 + 8 + 1 + 63 + 1 + 63 + 13 + 1 + 64 bytes. */
    char buf[320];
    int n = snprintf(buf, sizeof(buf), S_ALGO "\n%s\n%.8s/%s/%s/aws4_request\n%s", amz_date, amz_date,
                     s->region, s->service, creq_hex);
    if (n < 0 || (size_t)n >= sizeof(buf)) return -ENOSPC;
    if (sts) {
        if ((size_t)n >= sts_cap) return -ENOSPC;
        memcpy(sts, buf, (size_t)n + 1);
    }
    uint8_t sig[SHA256_DIGEST_LENGTH];
    char sig_hex[65];
    s_hmac(&s->key, buf, (size_t)n, sig);
    s_hex(sig, sizeof(sig), sig_hex);

    n = snprintf(authz, authz_cap,
                 S_ALGO " Credential=%s/%.8s/%s/%s/aws4_request, SignedHeaders=%.*s, Signature=%s",
                 s->access_key, amz_date, s->region, s->service, (int)sh_len, signed_headers, sig_hex);
    if (n < 0 || (size_t)n >= authz_cap) return -ENOSPC;
    return n;
}

/* --- the hot path --------------------------------------------------------------------------------- */

/* x-amz-date for now, formatted once per second: gmtime_r and the formatting are cheap, but not free,
 * and hundreds of requests share a second. */
static const char *s_amz_date(struct ur_sigv4 *s, time_t now)
{
    if (now != s->date_sec) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(s->amz_date, sizeof(s->amz_date), "%Y%m%dT%H%M%SZ", &tm);
        s->date_sec = now;
    }
    return s->amz_date;
}

/* Appends "name: value\r\n" (name lower-cased); false when it does not fit. */
static bool s_line(char *out, size_t cap, size_t *o, const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    if (nl + vl + 4 >= cap - *o) return false;
    char *p = out + *o;
    for (size_t i = 0; i < nl; i++)
        p[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] + 32) : name[i];
    p += nl;
    *p++ = ':';
    *p++ = ' ';
    memcpy(p, value, vl);
    p += vl;
    *p++ = '\r';
    *p++ = '\n';
    *p = '\0';
    *o = (size_t)(p - out);
    return true;
}

/* A CR or LF in a header value would end the header early and let the rest inject headers. */
static bool s_has_crlf(const char *v)
{
    return strpbrk(v, "\r\n") != NULL;
}

int ur_sigv4_sign_headers(struct ur_sigv4 *s, char *out, size_t cap, const char *method, const char *host,
                          const char *canon_uri, const char *canon_query, const char *const (*extra)[2],
                          size_t nextra, time_t now)
{
    return ur_sigv4_sign_headers_payload(s, out, cap, method, host, canon_uri, canon_query, extra, nextra, now,
                                         UR_SHA256_EMPTY_HEX);
}

int ur_sigv4_sign_headers_payload(struct ur_sigv4 *s, char *out, size_t cap, const char *method, const char *host,
                                  const char *canon_uri, const char *canon_query, const char *const (*extra)[2],
                                  size_t nextra, time_t now, const char *payload_sha256_hex)
{
    if (nextra > S_MAX_EXTRA) return -ENOSPC;
    if (s_has_crlf(host)) return -EINVAL;
    for (size_t i = 0; i < nextra; i++) {
        if (s_has_crlf(extra[i][0]) || s_has_crlf(extra[i][1]) || strchr(extra[i][0], ':')) return -EINVAL;
    }
    size_t o = 0;
    if (cap == 0) return -ENOSPC;
    out[0] = '\0';
    if (!s_line(out, cap, &o, "host", host)) return -ENOSPC;
    for (size_t i = 0; i < nextra; i++) {
        if (!s_line(out, cap, &o, extra[i][0], extra[i][1])) return -ENOSPC;
    }
    if (s->anonymous) return (int)o;

    const char *date = s_amz_date(s, now);
    const char *h[S_MAX_EXTRA + 4][2];
    size_t nh = 0;
    h[nh][0] = "host";
    h[nh++][1] = host;
    for (size_t i = 0; i < nextra; i++) {
        h[nh][0] = extra[i][0];
        h[nh++][1] = extra[i][1];
    }
    h[nh][0] = "x-amz-content-sha256";
    h[nh++][1] = payload_sha256_hex;
    h[nh][0] = "x-amz-date";
    h[nh++][1] = date;
    if (s->token[0]) {
        h[nh][0] = "x-amz-security-token";
        h[nh++][1] = s->token;
    }
    size_t sh_off, sh_len;
    int n = ur_sigv4_canon_request(s->creq, sizeof(s->creq), method, canon_uri, canon_query, h, nh,
                                   payload_sha256_hex, &sh_off, &sh_len);
    if (n < 0) return -ENOSPC;

    for (size_t i = nextra + 1; i < nh; i++) {
        if (!s_line(out, cap, &o, h[i][0], h[i][1])) return -ENOSPC;
    }
    static const char pre[] = "authorization: ";
    if (sizeof(pre) - 1 >= cap - o) return -ENOSPC;
    memcpy(out + o, pre, sizeof(pre) - 1);
    o += sizeof(pre) - 1;
    int a = ur_sigv4_sign_canonical(s, date, s->creq, (size_t)n, s->creq + sh_off, sh_len, NULL, 0, out + o,
                                    cap - o);
    if (a < 0) return a;
    o += (size_t)a;
    if (2 >= cap - o) return -ENOSPC;
    out[o++] = '\r';
    out[o++] = '\n';
    out[o] = '\0';
    return (int)o;
}
