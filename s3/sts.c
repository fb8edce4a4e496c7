/* s3/sts.c — STS AssumeRole / AssumeRoleWithWebIdentity: request bodies, POST signing through the generic
 * SigV4 layer (sigv4_canon.h; the hot-path signer only signs empty payloads), and the XML answers. */
#include "s3/sts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "s3/error.h"
#include "s3/sigv4_canon.h"
#include "s3/uri.h"
#include "s3/xml.h"

#define S_FORM_TYPE "application/x-www-form-urlencoded; charset=utf-8"

struct s_buf {
    char *p;
    size_t n, cap;
    bool full;
};

/* Appends "&name=" (no '&' first) and value[0..vn) percent-encoded. */
static void s_param(struct s_buf *b, const char *name, const char *value, size_t vn)
{
    if (b->full) return;
    int k = snprintf(b->p + b->n, b->cap - b->n, "%s%s=", b->n ? "&" : "", name);
    if (k < 0 || (size_t)k >= b->cap - b->n) {
        b->full = true;
        return;
    }
    b->n += (size_t)k;
    k = ur_uri_encode(b->p + b->n, b->cap - b->n, value, vn, false);
    if (k < 0)
        b->full = true;
    else
        b->n += (size_t)k;
}

static int s_form(const struct ur_creds_role *r, const char *action, const char *token, size_t token_n,
                  time_t now, char *out, size_t cap)
{
    if (!r->arn[0]) return -EINVAL;
    struct s_buf b = {out, 0, cap, cap == 0};
    char session[UR_CREDS_SESSION_NAME_MAX + 1], dur[16];
    if (r->session_name[0])
        snprintf(session, sizeof(session), "%s", r->session_name);
    else
        snprintf(session, sizeof(session), "urestore-%lld", (long long)now);
    s_param(&b, "Action", action, strlen(action));
    if (r->duration_s) {
        snprintf(dur, sizeof(dur), "%u", r->duration_s);
        s_param(&b, "DurationSeconds", dur, strlen(dur));
    }
    if (!token && r->external_id[0]) s_param(&b, "ExternalId", r->external_id, strlen(r->external_id));
    s_param(&b, "RoleArn", r->arn, strlen(r->arn));
    s_param(&b, "RoleSessionName", session, strlen(session));
    s_param(&b, "Version", "2011-06-15", 10);
    if (token) s_param(&b, "WebIdentityToken", token, token_n);
    if (b.full) {
        if (cap) out[0] = '\0';
        return -ENOSPC;
    }
    return (int)b.n;
}

int ur_creds_sts_assume_role_form(const struct ur_creds_role *r, time_t now, char *out, size_t cap)
{
    return s_form(r, "AssumeRole", NULL, 0, now, out, cap);
}

int ur_creds_sts_web_identity_form(const struct ur_creds_role *r, const char *token, size_t token_n,
                                   time_t now, char *out, size_t cap)
{
    while (token_n && strchr(" \t\r\n", token[token_n - 1]))
        token_n--;
    if (!token || token_n == 0) return -EINVAL;
    return s_form(r, "AssumeRoleWithWebIdentity", token, token_n, now, out, cap);
}

int ur_creds_sts_sign_post(struct ur_sigv4 *s, const char *session_token, const char *host, const char *body,
                           size_t n, time_t now, char *out, size_t cap)
{
    if (strpbrk(host, "\r\n") || strpbrk(session_token, "\r\n")) return -EINVAL;
    char date[17], hash[65];
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
    ur_sha256_hex(body, n, hash);
    const char *hdrs[5][2] = {{"host", host},
                              {"content-type", S_FORM_TYPE},
                              {"x-amz-date", date},
                              {"x-amz-content-sha256", hash},
                              {"x-amz-security-token", session_token}};
    size_t nh = session_token[0] ? 5 : 4;
    char creq[8192], authz[512];
    size_t sh_off, sh_len;
    int cn = ur_sigv4_canon_request(creq, sizeof(creq), "POST", "/", "", (const char *const(*)[2])hdrs, nh,
                                    hash, &sh_off, &sh_len);
    if (cn < 0) return cn;
    int an = ur_sigv4_sign_canonical(s, date, creq, (size_t)cn, creq + sh_off, sh_len, NULL, 0, authz,
                                     sizeof(authz));
    OPENSSL_cleanse(creq, sizeof(creq));
    if (an < 0) return an;
    size_t o = 0;
    for (size_t i = 0; i < nh; i++) {
        int k = snprintf(out + o, cap - o, "%s: %s\r\n", hdrs[i][0], hdrs[i][1]);
        if (k < 0 || (size_t)k >= cap - o) return -ENOSPC;
        o += (size_t)k;
    }
    int k = snprintf(out + o, cap - o, "authorization: %s\r\n", authz);
    if (k < 0 || (size_t)k >= cap - o) return -ENOSPC;
    return (int)(o + (size_t)k);
}

static int s_fail(char *err, size_t errlen, int rc, const char *action, const char *why)
{
    if (err && errlen) snprintf(err, errlen, "STS %s: %s", action, why);
    return rc;
}

int ur_creds_sts_parse(const char *action, int status, const char *body, size_t n, struct ur_creds_temp *t,
                       char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    if (err && errlen) err[0] = '\0';
    size_t cl = 0;
    const char *c = status >= 200 && status <= 299 ? ur_xml_element(body, n, "Credentials", &cl) : NULL;
    if (!c) {
        char code[128], msg[512];
        if (ur_s3_error_parse(body, n, code, sizeof(code), msg, sizeof(msg)) == 0) {
            if (err && errlen)
                snprintf(err, errlen, "STS %s: %s%s%s (HTTP %d)", action, code, msg[0] ? ": " : "", msg,
                         status);
            return -EACCES;
        }
        if (status < 200 || status > 299) {
            if (err && errlen) snprintf(err, errlen, "STS %s: HTTP %d", action, status);
            return -EACCES;
        }
        return s_fail(err, errlen, -EINVAL, action, "answer has no <Credentials>");
    }
    struct {
        const char *tag;
        char *dst;
        size_t cap;
    } f[3] = {{"AccessKeyId", t->creds.access_key, sizeof(t->creds.access_key)},
              {"SecretAccessKey", t->creds.secret_key, sizeof(t->creds.secret_key)},
              {"SessionToken", t->creds.session_token, sizeof(t->creds.session_token)}};
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++) {
        size_t vl;
        const char *v = ur_xml_element(c, cl, f[i].tag, &vl);
        if (!v || vl == 0)
            rc = -ENOENT;
        else if (ur_xml_decode(v, vl, f[i].dst, f[i].cap) <= 0 || memchr(v, '\0', vl))
            rc = -EINVAL;
        if (rc) {
            char why[64];
            snprintf(why, sizeof(why), "%s %s", f[i].tag, rc == -ENOENT ? "is missing" : "is too long");
            s_fail(err, errlen, -EINVAL, action, why);
        }
    }
    if (!rc) {
        size_t vl;
        char when[64];
        const char *v = ur_xml_element(c, cl, "Expiration", &vl);
        if (!v || ur_xml_decode(v, vl, when, sizeof(when)) <= 0 ||
            ur_creds_parse_time(when, strlen(when), &t->expiration))
            rc = s_fail(err, errlen, -EINVAL, action, "Expiration is missing or not an ISO-8601 time");
    }
    if (rc) {
        OPENSSL_cleanse(t, sizeof(*t));
        return -EINVAL;
    }
    return 0;
}
