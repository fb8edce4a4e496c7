/* s3/sts.h — AWS STS for credentials: the AssumeRole and AssumeRoleWithWebIdentity requests (form bodies
 * and SigV4 headers for a POST), and their XML answers turned into credentials. Pure: the engine sends
 * the request and hands over the answer. The web identity token and secrets never reach a message. */
#ifndef UR_S3_STS_H
#define UR_S3_STS_H

#include <stddef.h>
#include <time.h>

#include "s3/credtime.h"
#include "s3/sigv4.h"

#define UR_CREDS_ROLE_ARN_MAX 2048 /* STS's limits on RoleArn, RoleSessionName and ExternalId */
#define UR_CREDS_SESSION_NAME_MAX 64
#define UR_CREDS_EXTERNAL_ID_MAX 1224

/* One role to assume. */
struct ur_creds_role {
    char arn[UR_CREDS_ROLE_ARN_MAX + 1];
    char session_name[UR_CREDS_SESSION_NAME_MAX + 1]; /* "": "urestore-<unix time>", as the SDKs make one */
    char external_id[UR_CREDS_EXTERNAL_ID_MAX + 1];   /* "" when none */
    unsigned duration_s;                              /* 0: STS's default (3600); else 900..43200 */
    char profile[128];                                /* the profile that named it; "" from the environment */
};

/* The form body (application/x-www-form-urlencoded) of
 *   AssumeRole:                Action, DurationSeconds?, ExternalId?, RoleArn, RoleSessionName, Version
 *   AssumeRoleWithWebIdentity: Action, DurationSeconds?, RoleArn, RoleSessionName, Version, WebIdentityToken
 * with Version=2011-06-15, parameters in SigV4's sorted order and each value percent-encoded (RFC 3986
 * unreserved kept), so the same string also serves as a canonical query. now names a default session.
 * token[0..token_n) is the web identity token as read from its file; trailing blanks and newlines are cut.
 * Returns the length, -ENOSPC, or -EINVAL (empty ARN or token). */
int ur_creds_sts_assume_role_form(const struct ur_creds_role *r, time_t now, char *out, size_t cap);
int ur_creds_sts_web_identity_form(const struct ur_creds_role *r, const char *token, size_t token_n,
                                   time_t now, char *out, size_t cap);

/* The header lines of a signed "POST /" to STS carrying body[0..n): "host: …", "content-type:
 * application/x-www-form-urlencoded; charset=utf-8", "x-amz-date: …", "x-amz-content-sha256: …",
 * "x-amz-security-token: …" (when session_token is not ""), "authorization: AWS4-HMAC-SHA256 …", each
 * ending in CRLF, without Content-Length and without the blank line. s must have been made for service
 * "sts" and the STS region with the source credentials; session_token is theirs. host is the Host header
 * value (":port" when not default). Returns the length written, -ENOSPC or -EINVAL. AssumeRoleWithWebIdentity
 * is not signed: send only host, content-type and Content-Length. */
int ur_creds_sts_sign_post(struct ur_sigv4 *s, const char *session_token, const char *host, const char *body,
                           size_t n, time_t now, char *out, size_t cap);

/* An STS answer (status, body) to action ("AssumeRole" or "AssumeRoleWithWebIdentity"):
 * <…Result><Credentials><AccessKeyId/><SecretAccessKey/><SessionToken/><Expiration/></Credentials>.
 * Returns 0, -EACCES (an error answer: "STS ACTION: CODE: MESSAGE (HTTP STATUS)" in err) or -EINVAL (not
 * such a document, a field missing or too long, a bad Expiration). */
int ur_creds_sts_parse(const char *action, int status, const char *body, size_t n, struct ur_creds_temp *t,
                       char *err, size_t errlen);

#endif
