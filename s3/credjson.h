/* s3/credjson.h — what the JSON-speaking credential sources answer, turned into credentials: the output
 * of a credential_process (version 1), the container endpoint (ECS, EKS Pod Identity) and EC2 instance
 * metadata. Pure: the caller runs the process or makes the request and hands over the bytes. Messages
 * name the source and the reason, never a key, secret or token. */
#ifndef UR_S3_CREDJSON_H
#define UR_S3_CREDJSON_H

#include <stddef.h>

#include "s3/credtime.h"

/* {"Version": 1, "AccessKeyId": …, "SecretAccessKey": …, "SessionToken": … (optional),
 *  "Expiration": ISO-8601 (optional: absent means the keys do not expire)}.
 * Returns 0, or -EINVAL with "credential_process output: WHY" in err (not a JSON object, Version missing or
 * not 1, a key missing or empty, a field too long, a bad Expiration). */
int ur_creds_parse_process(const char *out, size_t n, struct ur_creds_temp *t, char *err, size_t errlen);

/* The container endpoint's answer to GET (status is the HTTP status):
 * {"AccessKeyId", "SecretAccessKey", "Token", "Expiration", …}. A non-2xx answer may carry
 * {"code": …, "message": …}, which is quoted in err. Returns 0, -EINVAL (malformed) or -EACCES (an error
 * answer), with "container credentials endpoint: WHY". */
int ur_creds_parse_container(int status, const char *body, size_t n, struct ur_creds_temp *t, char *err,
                             size_t errlen);

/* Instance metadata's answer for GET /latest/meta-data/iam/security-credentials/ROLE:
 * {"Code": "Success", "LastUpdated", "Type": "AWS-HMAC", "AccessKeyId", "SecretAccessKey", "Token",
 *  "Expiration"}. A Code other than "Success" is an error quoted in err. Returns 0, -EINVAL or -EACCES,
 * with "instance metadata: WHY". */
int ur_creds_parse_imds(const char *body, size_t n, struct ur_creds_temp *t, char *err, size_t errlen);

/* Instance metadata's answer for GET /latest/meta-data/iam/security-credentials/: the role name, the
 * first line of the body, trimmed. Returns 0, or -ENOENT (no role attached: empty answer) / -EINVAL (a
 * name with characters IAM does not allow, which would change the next request's path). */
int ur_creds_parse_imds_role(const char *body, size_t n, char *role, size_t cap);

#endif
