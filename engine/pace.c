/* engine/pace.c — AIMD pacing per key prefix and full-jitter retry backoff (see pace.h).
 *
 * Pure: no loop, no client, no clock (now_ms is passed in), no I/O, no allocation. It must not learn about
 * parts, tasks or connections: the scheduler asks and acts. */
#include "engine/pace.h"

#include <string.h>

/* Backoff before retry k (k from 1): full jitter over min(cap, base * 2^k) (AWS's advice). Throttles
 * start slower: the server asked for less load, and retrying fast is exactly what it does not want. */
#define UR_BACKOFF_BASE_MS 50
#define UR_THROTTLE_BASE_MS 250
#define UR_BACKOFF_CAP_MS 20000

/* xorshift64*: libc's random() is process-wide state the library must not touch, and jitter needs no
 * cryptographic quality. */
uint64_t ur_pace_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 2685821657736338717ull;
}

uint64_t ur_pace_backoff_ms(uint64_t *rng, unsigned attempt, bool throttled, int64_t retry_after_ms)
{
    uint64_t base = throttled ? UR_THROTTLE_BASE_MS : UR_BACKOFF_BASE_MS;
    uint64_t ceil = base << (attempt < 10 ? attempt : 10);
    if (ceil > UR_BACKOFF_CAP_MS) ceil = UR_BACKOFF_CAP_MS;
    uint64_t delay = ur_pace_rand(rng) % (ceil + 1);
    if (retry_after_ms > 0 && (uint64_t)retry_after_ms > delay) delay = (uint64_t)retry_after_ms;
    return delay;
}

struct ur_pace *ur_pace_of(struct ur_pace *table, const char *bucket, const char *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a over "bucket/" + the key's directory */
    for (const char *s = bucket; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    h = (h ^ '/') * 1099511628211ull;
    const char *slash = strrchr(key, '/');
    for (const char *s = key; slash && s < slash; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    h |= 1;
    struct ur_pace *pc = &table[h % UR_PACE_SLOTS];
    if (!pc->hash) pc->hash = h; /* two prefixes in one slot share a pace: harmless, rare */
    return pc;
}

bool ur_pace_ready(struct ur_pace *pc, uint64_t now_ms, uint64_t *wake_ms)
{
    if (pc->rate <= 0) return true;
    double burst = pc->rate / 20 > 1 ? pc->rate / 20 : 1; /* 50 ms worth */
    pc->tokens += pc->rate * (double)(now_ms - pc->last_ms) / 1000.0;
    if (pc->tokens > burst) pc->tokens = burst;
    pc->last_ms = now_ms;
    if (pc->tokens >= 1) return true;
    uint64_t due = now_ms + 1 + (uint64_t)((1 - pc->tokens) * 1000.0 / pc->rate);
    if (due < *wake_ms) *wake_ms = due;
    return false;
}

void ur_pace_started(struct ur_pace *pc, uint64_t now_ms)
{
    if (now_ms - pc->window_ms >= 1000) {
        pc->last_window = now_ms - pc->window_ms < 2000 ? pc->window_count : 0;
        pc->window_count = 0;
        pc->window_ms = now_ms;
    }
    pc->window_count++;
    if (pc->rate > 0) pc->tokens -= 1;
}

void ur_pace_throttled(struct ur_pace *pc, uint64_t now_ms)
{
    if (pc->rate > 0 && now_ms - pc->last_cut_ms < 200) return;
    if (pc->rate <= 0) {
        /* The rate that was refused: requests started in the last full second, or this one so far. */
        double elapsed = (double)(now_ms - pc->window_ms + 1) / 1000.0;
        double seen = pc->window_count / (elapsed < 0.05 ? 0.05 : elapsed);
        if (pc->last_window > seen) seen = pc->last_window;
        pc->rate = seen / 2 > 10 ? seen / 2 : 10;
    } else {
        pc->rate = pc->rate * 0.7 > 5 ? pc->rate * 0.7 : 5;
    }
    pc->tokens = 0;
    pc->last_ms = pc->last_cut_ms = now_ms;
}

void ur_pace_ok(struct ur_pace *pc)
{
    if (pc->rate > 0) pc->rate += 2.0 / pc->rate;
}
