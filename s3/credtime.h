/* s3/credtime.h — the clock side of temporary credentials: their expiry, ISO-8601 times as the sources
 * write them, when to refresh, and which S3 errors mean "the credentials expired, fetch new ones". Pure. */
#ifndef UR_S3_CREDTIME_H
#define UR_S3_CREDTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "s3/sigv4.h"

/* Credentials with the time they stop working. */
struct ur_creds_temp {
    struct ur_creds creds;
    time_t expiration; /* seconds since the epoch, UTC; 0: they do not expire (static keys) */
};

/* Refresh this long before expiry, in the background: the AWS SDK for Java's prefetch time (5 min);
 * botocore's advisory window is 15 min for STS, Rust's default buffer a few minutes. Five minutes leaves
 * room for a slow STS while keeping IMDS (which rotates ~5 min ahead itself) from being asked too early. */
#define UR_CREDS_REFRESH_AHEAD_S 300
/* Inside this window new requests wait for the refresh: the credentials might expire in flight (the Java
 * SDK's stale time). */
#define UR_CREDS_REFRESH_BLOCK_S 60
/* A source that answers with credentials already inside the refresh window is not asked again sooner
 * than this: otherwise every request would trigger a fetch. */
#define UR_CREDS_REFRESH_MIN_GAP_S 30

/* "2016-02-25T06:03:31Z", with optional fraction ("…31.359Z") and a "Z", "+HH:MM", "-HHMM" offset (RFC
 * 3339; 't'/'z' in lower case too). Exactly s[0..n). Returns 0 with seconds since the epoch in *out, or
 * -EINVAL (also for dates before 1970 and impossible dates such as February 30). */
int ur_creds_parse_time(const char *s, size_t n, time_t *out);

enum ur_creds_freshness {
    UR_CREDS_FRESH,   /* use them */
    UR_CREDS_REFRESH, /* use them, and start a refresh in the background */
    UR_CREDS_BLOCK,   /* do not start requests with them: wait for the refresh */
    UR_CREDS_EXPIRED, /* already expired */
};

/* How usable credentials expiring at expiration (0: never) are at now. */
enum ur_creds_freshness ur_creds_freshness(time_t expiration, time_t now);

/* When to start the next refresh: UR_CREDS_REFRESH_AHEAD_S before expiration, but not before
 * last_fetch + UR_CREDS_REFRESH_MIN_GAP_S. 0 when the credentials never expire. */
time_t ur_creds_refresh_at(time_t expiration, time_t last_fetch);

/* Whether an S3 or STS error code means "fetch fresh credentials and retry once": ExpiredToken,
 * ExpiredTokenException, TokenRefreshRequired, InvalidToken, RequestExpired. */
bool ur_creds_error_is_expired(const char *code);

#endif
