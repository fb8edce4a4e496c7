/* s3/creds.h — where credentials come from: the environment, or a shared credentials file and profile.
 * Reads files and the environment: call before the event loop starts. */
#ifndef UR_S3_CREDS_H
#define UR_S3_CREDS_H

#include <stddef.h>

#include "s3/sigv4.h"

/* AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (optional). Returns 0, or -ENOENT with a
 * message naming the missing variable in err (-EINVAL when one is too long). Never puts a secret into
 * err. */
int ur_creds_from_env(struct ur_creds *c, char *err, size_t errlen);

/* A shared credentials file (INI: [profile] aws_access_key_id / aws_secret_access_key /
 * aws_session_token). path NULL: $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials; profile NULL:
 * $AWS_PROFILE, else "default". Returns 0, -ENOENT (no file, no profile, no key; err says which), or
 * another -errno: -EACCES (unreadable), -EINVAL (a value too long for struct ur_creds). */
int ur_creds_from_file(struct ur_creds *c, const char *path, const char *profile, char *err, size_t errlen);

#endif
