/* s3/credjson.c — credentials from the JSON answers of credential_process, the container endpoint and
 * instance metadata (see credjson.h). All three share one field reader; they differ in field names, in
 * which fields are required and in how they report errors. */
#include "s3/credjson.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "s3/json.h"

static int s_err(char *err, size_t errlen, int rc, const char *src, const char *why, const char *what)
{
    if (err && errlen) snprintf(err, errlen, "%s: %s%s", src, why, what);
    return rc;
}

/* The field names each source uses for the three strings and the expiry. */
struct s_names {
    const char *src, *key, *secret, *token, *expiration;
    bool token_required, expiration_required;
};

/* A string member into dst; -ENOENT when absent (or JSON null), -EINVAL when not a string or too long. */
static int s_field(const char *doc, size_t n, const char *name, char *dst, size_t cap)
{
    struct ur_s3_json_val v;
    if (ur_s3_json_member(doc, n, name, &v) || v.type == UR_S3_JSON_NULL) return -ENOENT;
    int r = ur_s3_json_string(&v, dst, cap);
    return r < 0 ? -EINVAL : r == 0 ? -ENOENT : 0;
}

static int s_parse(const struct s_names *nm, const char *doc, size_t n, struct ur_creds_temp *t, char *err,
                   size_t errlen)
{
    struct {
        const char *name;
        char *dst;
        size_t cap;
        bool required;
    } f[3] = {{nm->key, t->creds.access_key, sizeof(t->creds.access_key), true},
              {nm->secret, t->creds.secret_key, sizeof(t->creds.secret_key), true},
              {nm->token, t->creds.session_token, sizeof(t->creds.session_token), nm->token_required}};
    for (int i = 0; i < 3; i++) {
        int r = s_field(doc, n, f[i].name, f[i].dst, f[i].cap);
        if (r == -ENOENT && f[i].required) return s_err(err, errlen, -EINVAL, nm->src, "no ", f[i].name);
        if (r == -EINVAL)
            return s_err(err, errlen, -EINVAL, nm->src, "not a string or too long: ", f[i].name);
    }
    char when[64];
    int r = s_field(doc, n, nm->expiration, when, sizeof(when));
    if (r == -ENOENT && nm->expiration_required)
        return s_err(err, errlen, -EINVAL, nm->src, "no ", nm->expiration);
    if (r == -EINVAL || (r == 0 && ur_creds_parse_time(when, strlen(when), &t->expiration)))
        return s_err(err, errlen, -EINVAL, nm->src, "Expiration is not an ISO-8601 time", "");
    return 0;
}

static void s_start(struct ur_creds_temp *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    if (err && errlen) err[0] = '\0';
}

static int s_done(int rc, struct ur_creds_temp *t)
{
    if (rc) OPENSSL_cleanse(t, sizeof(*t));
    return rc;
}

int ur_creds_parse_process(const char *out, size_t n, struct ur_creds_temp *t, char *err, size_t errlen)
{
    static const struct s_names nm = {"credential_process output",
                                      "AccessKeyId",
                                      "SecretAccessKey",
                                      "SessionToken",
                                      "Expiration",
                                      false,
                                      false};
    const char *src = nm.src;
    s_start(t, err, errlen);
    if (ur_s3_json_check_object(out, n))
        return s_err(err, errlen, -EINVAL, src, "not a JSON object (expected {\"Version\": 1, …})", "");
    struct ur_s3_json_val v;
    long long version = 0;
    if (ur_s3_json_member(out, n, "Version", &v)) return s_err(err, errlen, -EINVAL, src, "no Version", "");
    if (ur_s3_json_int(&v, &version) || version != 1)
        return s_err(err, errlen, -EINVAL, src, "unsupported Version (only 1 is defined)", "");
    return s_done(s_parse(&nm, out, n, t, err, errlen), t);
}

/* Quotes a JSON error answer's code and message (they describe the failure, never a secret). */
static int s_error_answer(const char *src, const char *doc, size_t n, const char *code_name,
                          const char *msg_name, int status, char *err, size_t errlen)
{
    char code[128] = "", msg[256] = "";
    if (!ur_s3_json_check_object(doc, n)) {
        (void)s_field(doc, n, code_name, code, sizeof(code));
        (void)s_field(doc, n, msg_name, msg, sizeof(msg));
    }
    if (err && errlen) {
        if (status)
            snprintf(err, errlen, "%s: HTTP %d%s%s%s%s", src, status, code[0] ? " " : "", code,
                     msg[0] ? ": " : "", msg);
        else
            snprintf(err, errlen, "%s: %s%s%s", src, code, msg[0] ? ": " : "", msg);
    }
    return -EACCES;
}

int ur_creds_parse_container(int status, const char *body, size_t n, struct ur_creds_temp *t, char *err,
                             size_t errlen)
{
    static const struct s_names nm = {"container credentials endpoint",
                                      "AccessKeyId",
                                      "SecretAccessKey",
                                      "Token",
                                      "Expiration",
                                      false,
                                      false};
    s_start(t, err, errlen);
    if (status < 200 || status > 299)
        return s_error_answer(nm.src, body, n, "code", "message", status, err, errlen);
    if (ur_s3_json_check_object(body, n))
        return s_err(err, errlen, -EINVAL, nm.src, "answer is not a JSON object", "");
    return s_done(s_parse(&nm, body, n, t, err, errlen), t);
}

int ur_creds_parse_imds(const char *body, size_t n, struct ur_creds_temp *t, char *err, size_t errlen)
{
    static const struct s_names nm = {
        "instance metadata", "AccessKeyId", "SecretAccessKey", "Token", "Expiration", true, true};
    s_start(t, err, errlen);
    if (ur_s3_json_check_object(body, n))
        return s_err(err, errlen, -EINVAL, nm.src, "answer is not a JSON object", "");
    char code[64];
    if (s_field(body, n, "Code", code, sizeof(code)) == 0 && strcmp(code, "Success") != 0)
        return s_error_answer(nm.src, body, n, "Code", "Message", 0, err, errlen);
    return s_done(s_parse(&nm, body, n, t, err, errlen), t);
}

int ur_creds_parse_imds_role(const char *body, size_t n, char *role, size_t cap)
{
    if (cap) role[0] = '\0';
    size_t len = 0;
    while (len < n && body[len] != '\n' && body[len] != '\r')
        len++;
    while (len && (body[len - 1] == ' ' || body[len - 1] == '\t'))
        len--;
    if (len == 0) return -ENOENT;
    if (len >= cap) return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        char c = body[i]; /* IAM role names: alphanumerics and +=,.@_- */
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("+=,.@_-", c)) ||
            c == '\0')
            return -EINVAL;
    }
    memcpy(role, body, len);
    role[len] = '\0';
    return 0;
}
