/* s3/retry.c — retry classes of failed requests (transport errors and S3 error responses) and their cost.
 * Pure: no I/O, no allocation, no state; it must not know the engine's connections or parts. */
#include "s3/retry.h"

#include <errno.h>
#include <string.h>

enum ur_retry ur_s3_retry_transport(int err, bool reused, bool got_bytes)
{
    if (err == -EKEYREJECTED) return UR_RETRY_NO;
    if (err == -ETIMEDOUT) return UR_RETRY_TIMEOUT;
    if (reused && !got_bytes) return UR_RETRY_FREE;
    return UR_RETRY_TRANSIENT;
}

enum ur_retry ur_s3_retry_response(int status, const char *code)
{
    if (!code) code = "";
    /* A substring: S3-compatible servers name variants ("SlowDownRead", "SlowDownWrite"). */
    if (status == 503 || status == 429 || strstr(code, "SlowDown")) return UR_RETRY_THROTTLE;
    if (status >= 500 || status == 408 || (status == 400 && strstr(code, "RequestTimeout")))
        return UR_RETRY_TRANSIENT;
    return UR_RETRY_NO;
}

int ur_s3_retry_cost(enum ur_retry r)
{
    switch (r) {
    case UR_RETRY_TRANSIENT:
        return UR_RETRY_COST;
    case UR_RETRY_TIMEOUT:
        return UR_RETRY_COST_TIMEOUT;
    case UR_RETRY_NO:
    case UR_RETRY_FREE:
    case UR_RETRY_THROTTLE:
    case UR_RETRY_REDIRECT:
        break;
    }
    return 0;
}
