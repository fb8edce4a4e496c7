/* engine/pace.h — request pacing per key prefix and retry backoff with jitter.
 *
 * S3 throttles per prefix (503 SlowDown at about 5,500 reads per second per prefix): each prefix gets an
 * AIMD limit on the rate of new requests, unpaced until its first throttle. Retries wait a full-jitter
 * backoff (AWS's advice), or longer when the server said how long (x-amz-retry-after).
 *
 * Pure: time comes in as now_ms and randomness from the caller's generator state, so the rules can be
 * tested deterministically. No loop, no client, no I/O, no allocation; only the structs passed in. */
#ifndef UR_ENGINE_PACE_H
#define UR_ENGINE_PACE_H

#include <stdbool.h>
#include <stdint.h>

/* Request pacing for one key prefix. Zeroed: an unused slot. rate 0: unpaced (until the first throttle). */
struct ur_pace {
    uint64_t hash; /* of bucket + key up to its last '/'; 0: unused slot */
    double rate;   /* requests per second allowed */
    double tokens;
    uint64_t last_ms;      /* of the last refill */
    uint64_t last_cut_ms;  /* of the last decrease: one cut per burst of 503s */
    unsigned window_count; /* requests started in the current 1 s window */
    uint64_t window_ms;
    unsigned last_window; /* requests started in the previous window: the rate S3 refused */
};

/* The pacing table of a client holds this many prefixes; two prefixes in one slot share a pace. */
#define UR_PACE_SLOTS 64

/* The pace of the prefix of s3://bucket/key (the bucket and the key up to its last '/'): its slot in
 * table[UR_PACE_SLOTS], claimed for that prefix when unused. Never NULL. */
struct ur_pace *ur_pace_of(struct ur_pace *table, const char *bucket, const char *key);

/* May a request for this prefix start at now_ms? If not, lowers *wake_ms to the time it may (never raises
 * it). Refills the tokens (a burst of at most 50 ms worth). */
bool ur_pace_ready(struct ur_pace *pc, uint64_t now_ms, uint64_t *wake_ms);

/* A request for this prefix started at now_ms: counted in the rate window, takes a token when paced. */
void ur_pace_started(struct ur_pace *pc, uint64_t now_ms);

/* A 503 SlowDown for this prefix at now_ms: multiplicative decrease, once per burst of refusals (200 ms).
 * The first one paces the prefix at half the rate that was refused (at least 10/s); later ones cut the rate
 * by 30% (to at least 5/s). */
void ur_pace_throttled(struct ur_pace *pc, uint64_t now_ms);

/* A request for this prefix succeeded: additive increase, about +2 requests/s for every second of
 * successes at the current rate. */
void ur_pace_ok(struct ur_pace *pc);

/* The next number of the generator whose state is *state (xorshift64*; the state must not be 0). */
uint64_t ur_pace_rand(uint64_t *state);

/* How long to wait before retry `attempt` (from 1): full jitter over min(20 s, base * 2^attempt), base
 * 50 ms, or 250 ms after a throttle; at least retry_after_ms when that is > 0 (the server's
 * x-amz-retry-after). Draws one number from *rng either way. */
uint64_t ur_pace_backoff_ms(uint64_t *rng, unsigned attempt, bool throttled, int64_t retry_after_ms);

#endif
