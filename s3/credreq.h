/* s3/credreq.h — the HTTP requests the network credential sources need, as bytes ready to send: the IMDSv2
 * token PUT and GETs, the container endpoint GET, the STS POST (signed or not). Each builder also says
 * where to connect. Pure: the engine owns sockets, timeouts and retries (the constants below are what
 * the SDKs use). Requests carry "Connection: close": a credential fetch is one request per connection,
 * and the link-local agents (ECS, EKS, IMDS) gain nothing from reuse. */
#ifndef UR_S3_CREDREQ_H
#define UR_S3_CREDREQ_H

#include <stddef.h>
#include <time.h>

#include "s3/sigv4.h"
#include "s3/url.h"

/* IMDS: botocore's defaults are 1 s and 1 attempt; the issue asks for one retry and giving up within about
 * a second, so two attempts of 500 ms each (AWS_METADATA_SERVICE_TIMEOUT / _NUM_ATTEMPTS override them,
 * see ur_creds_imds_limits). */
#define UR_CREDS_IMDS_ATTEMPT_MS 500
#define UR_CREDS_IMDS_ATTEMPTS 2
#define UR_CREDS_IMDS_TOKEN_TTL_S 21600 /* the longest IMDS grants: one token serves a whole run */
/* Container endpoint: botocore's 2 s timeout and 3 attempts (the agent is local but may be starting). */
#define UR_CREDS_CONTAINER_TIMEOUT_MS 2000
#define UR_CREDS_CONTAINER_ATTEMPTS 3

/* IMDS path of the role list; append the role name for its credentials. */
#define UR_CREDS_IMDS_ROLE_PATH "/latest/meta-data/iam/security-credentials/"
/* IMDS path of the instance's region (the SDKs' region chain asks it after the shared files). */
#define UR_CREDS_IMDS_REGION_PATH "/latest/meta-data/placement/region"
/* IMDS path of the instance's region (the SDKs' region chain asks it after the shared files). */
#define UR_CREDS_IMDS_REGION_PATH "/latest/meta-data/placement/region"

/* The attempt timeout and attempts for IMDS from AWS_METADATA_SERVICE_TIMEOUT (seconds, may be
 * fractional) and AWS_METADATA_SERVICE_NUM_ATTEMPTS, else the defaults above. getenv_value is the
 * variable's value or NULL (pass each). */
void ur_creds_imds_limits(const char *timeout_s, const char *attempts, unsigned *attempt_ms, unsigned *n);

/* "PUT /latest/api/token" with X-aws-ec2-metadata-token-ttl-seconds: ttl_s, to endpoint (plan.imds_endpoint).
 * Returns the length written, -EINVAL (bad endpoint, ttl not 1..21600) or -ENOSPC. */
int ur_creds_imds_token_req(const char *endpoint, unsigned ttl_s, struct ur_s3_url *conn, char *out,
                            size_t cap);

/* "GET path" with X-aws-ec2-metadata-token: token. path must start with '/' and hold no blank, CR or LF
 * (a role name from ur_creds_parse_imds_role qualifies). Returns the length, -EINVAL or -ENOSPC. */
int ur_creds_imds_get_req(const char *endpoint, const char *path, const char *token, struct ur_s3_url *conn,
                          char *out, size_t cap);

/* "GET" of the container endpoint url (plan.container.url) with "Authorization: authorization" when it is
 * not NULL or "" (from plan.container.token, or the token file through ur_creds_container_token). Returns
 * the length, -EINVAL (bad URL, a line break in the token) or -ENOSPC. */
int ur_creds_container_req(const char *url, const char *authorization, struct ur_s3_url *conn, char *out,
                           size_t cap);

/* "POST /" to the STS endpoint sts_url (ur_awscfg_sts_endpoint) carrying the form body[0..n)
 * (ur_creds_sts_*_form), followed by the body. Signed with s (made for service "sts" and the STS region
 * with the source credentials, whose session token is session_token) for AssumeRole; s NULL for
 * AssumeRoleWithWebIdentity, which is unsigned. Every builder NUL-terminates out. Returns the length of head
 * + body, -EINVAL or -ENOSPC. */
int ur_creds_sts_req(const char *sts_url, struct ur_sigv4 *s, const char *session_token, const char *body,
                     size_t n, time_t now, struct ur_s3_url *conn, char *out, size_t cap);

#endif
