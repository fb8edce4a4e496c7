/* tests/unit/test_pace.c — per-prefix pacing (the first throttle's rate, one cut per burst, the floors,
 * additive increase, tokens and bursts, the wake-up time) and retry backoff (bounds, growth, the cap, the
 * server's x-amz-retry-after), with time and randomness passed in. */
#include <stdint.h>

#include "engine/pace.h"
#include "tests/unit/check.h"

static void test_prefix(void)
{
    struct ur_pace table[UR_PACE_SLOTS];
    memset(table, 0, sizeof(table));
    struct ur_pace *a = ur_pace_of(table, "bkt", "dir/sub/a.sst");
    CHECK(a >= table && a < table + UR_PACE_SLOTS);
    CHECK(a->hash != 0);
    CHECK(a->hash & 1);
    /* Keys of one directory share a pace; the directory counts, not the name. */
    CHECK(ur_pace_of(table, "bkt", "dir/sub/b.sst") == a);
    CHECK(ur_pace_of(table, "bkt", "dir/sub/") == a);
    CHECK(ur_pace_of(table, "bkt", "dir/sub/a.sst")->hash == a->hash);
    /* Keys without a '/' are the bucket's root prefix. */
    struct ur_pace *root = ur_pace_of(table, "bkt", "x");
    CHECK(ur_pace_of(table, "bkt", "y.bin") == root);
    CHECK(ur_pace_of(table, "bkt", "") == root);
    /* A slot once claimed keeps its first prefix's hash. */
    uint64_t h = root->hash;
    (void)ur_pace_of(table, "bkt", "z");
    CHECK(root->hash == h);
    /* Other directories and other buckets spread over the table. */
    unsigned used = 0;
    char key[64];
    for (int i = 0; i < 32; i++) {
        snprintf(key, sizeof(key), "job/chk-%d/state", i);
        (void)ur_pace_of(table, "bkt", key);
    }
    for (int i = 0; i < UR_PACE_SLOTS; i++)
        used += table[i].hash != 0;
    CHECK(used >= 20);
    CHECK(ur_pace_of(table, "other", "dir/sub/a.sst")->hash != a->hash);
}

static void test_unpaced(void)
{
    struct ur_pace pc;
    memset(&pc, 0, sizeof(pc));
    uint64_t wake = UINT64_MAX;
    /* Until the first throttle a prefix is not paced at all, and costs nothing. */
    for (uint64_t t = 1000; t < 1100; t++) {
        CHECK(ur_pace_ready(&pc, t, &wake));
        ur_pace_started(&pc, t);
    }
    CHECK(wake == UINT64_MAX);
    CHECK(pc.rate == 0);
    CHECK(pc.tokens == 0);
    CHECK_EQ_INT(pc.window_count, 100);
    ur_pace_ok(&pc); /* no rate to increase */
    CHECK(pc.rate == 0);
}

static void test_first_cut(void)
{
    struct ur_pace pc;
    memset(&pc, 0, sizeof(pc));
    /* 400 requests in 100 ms: 4,000/s refused, so the prefix goes on at half that. */
    for (unsigned i = 0; i < 400; i++)
        ur_pace_started(&pc, 1000 + i / 4);
    CHECK_EQ_INT(pc.window_ms, 1000);
    ur_pace_throttled(&pc, 1099);
    CHECK(pc.rate == 2000);
    CHECK(pc.tokens == 0);
    CHECK_EQ_INT(pc.last_cut_ms, 1099);
    CHECK_EQ_INT(pc.last_ms, 1099);

    /* A throttle right after the first request of a window: the window is counted as at least 50 ms, so
     * one request does not look like 1,000/s. The floor is 10/s. */
    memset(&pc, 0, sizeof(pc));
    ur_pace_started(&pc, 5000);
    ur_pace_throttled(&pc, 5000);
    CHECK(pc.rate == 10);

    /* The previous full window counts when it saw more: 1,000 requests in [1000, 2000), one at 2000. */
    memset(&pc, 0, sizeof(pc));
    for (unsigned i = 0; i < 1000; i++)
        ur_pace_started(&pc, 1000 + i);
    ur_pace_started(&pc, 2000);
    CHECK_EQ_INT(pc.last_window, 1000);
    CHECK_EQ_INT(pc.window_count, 1);
    ur_pace_throttled(&pc, 2050);
    CHECK(pc.rate == 500);

    /* A window older than two seconds says nothing about the rate now. */
    memset(&pc, 0, sizeof(pc));
    for (unsigned i = 0; i < 1000; i++)
        ur_pace_started(&pc, 1000 + i);
    ur_pace_started(&pc, 3500);
    CHECK_EQ_INT(pc.last_window, 0);
}

static void test_cuts(void)
{
    struct ur_pace pc;
    memset(&pc, 0, sizeof(pc));
    for (unsigned i = 0; i < 400; i++)
        ur_pace_started(&pc, 1000 + i / 4);
    ur_pace_throttled(&pc, 1099);
    CHECK(pc.rate == 2000);
    /* The rest of the burst of 503s (answers to requests sent before the cut) cuts nothing more. */
    ur_pace_throttled(&pc, 1100);
    ur_pace_throttled(&pc, 1298);
    CHECK(pc.rate == 2000);
    CHECK_EQ_INT(pc.last_cut_ms, 1099);
    /* 200 ms later it is a new burst: -30%. */
    ur_pace_throttled(&pc, 1299);
    CHECK(pc.rate == 1400);
    CHECK_EQ_INT(pc.last_cut_ms, 1299);
    /* Repeated throttles end at the floor of 5/s, never at 0 (which would mean unpaced). */
    for (uint64_t t = 2000; t < 200000; t += 200)
        ur_pace_throttled(&pc, t);
    CHECK(pc.rate == 5);
}

static void test_increase(void)
{
    struct ur_pace pc;
    memset(&pc, 0, sizeof(pc));
    ur_pace_started(&pc, 1000);
    ur_pace_throttled(&pc, 1000);
    CHECK(pc.rate == 10);
    ur_pace_ok(&pc);
    CHECK(pc.rate > 10.19 && pc.rate < 10.21);
    /* A second of successes at the current rate adds about 2 requests/s. */
    memset(&pc, 0, sizeof(pc));
    pc.rate = 100;
    for (int i = 0; i < 100; i++)
        ur_pace_ok(&pc);
    CHECK(pc.rate > 101.9 && pc.rate < 102.1);
}

static void test_tokens(void)
{
    struct ur_pace pc;
    memset(&pc, 0, sizeof(pc));
    ur_pace_started(&pc, 1000);
    ur_pace_throttled(&pc, 1000); /* 10/s, no tokens left */
    uint64_t wake = UINT64_MAX;
    CHECK(!ur_pace_ready(&pc, 1000, &wake));
    CHECK_EQ_INT(wake, 1000 + 1 + 100); /* one token takes 100 ms, plus a millisecond to be sure */
    /* An earlier wake-up stays: wake_ms is only lowered. */
    uint64_t early = 1050;
    CHECK(!ur_pace_ready(&pc, 1050, &early));
    CHECK_EQ_INT(early, 1050);
    wake = UINT64_MAX;
    CHECK(!ur_pace_ready(&pc, 1099, &wake));
    CHECK_EQ_INT(wake, 1099 + 1 + 1); /* 0.99 token: 1 ms more */
    wake = UINT64_MAX;
    CHECK(ur_pace_ready(&pc, 1100, &wake));
    CHECK(wake == UINT64_MAX);
    ur_pace_started(&pc, 1100);
    CHECK(!ur_pace_ready(&pc, 1100, &wake));
    /* A long idle time does not bank more than 50 ms worth (at least one request). */
    CHECK(ur_pace_ready(&pc, 60000, &wake));
    ur_pace_started(&pc, 60000);
    CHECK(!ur_pace_ready(&pc, 60000, &wake));

    /* At 2,000/s the burst is 100 requests at once. */
    memset(&pc, 0, sizeof(pc));
    for (unsigned i = 0; i < 400; i++)
        ur_pace_started(&pc, 1000 + i / 4);
    ur_pace_throttled(&pc, 1099);
    unsigned went = 0;
    while (ur_pace_ready(&pc, 61099, &wake) && went < 1000) {
        ur_pace_started(&pc, 61099);
        went++;
    }
    CHECK_EQ_INT(went, 100);
}

static void test_rand(void)
{
    uint64_t s1 = 42, s2 = 42;
    for (int i = 0; i < 1000; i++) {
        uint64_t a = ur_pace_rand(&s1);
        CHECK(a == ur_pace_rand(&s2)); /* deterministic from its state */
        CHECK(s1 != 0);
    }
    uint64_t s3 = 43;
    CHECK(ur_pace_rand(&s3) != ur_pace_rand(&s1));
}

static uint64_t s_ceil(unsigned attempt, uint64_t base)
{
    uint64_t c = base << (attempt < 10 ? attempt : 10);
    return c > 20000 ? 20000 : c;
}

static void test_backoff(void)
{
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    for (unsigned attempt = 1; attempt <= 40; attempt++) {
        for (int t = 0; t < 2; t++) {
            uint64_t ceil = s_ceil(attempt, t ? 250 : 50), lo = UINT64_MAX, hi = 0;
            for (int i = 0; i < 2000; i++) {
                uint64_t d = ur_pace_backoff_ms(&rng, attempt, t, -1);
                if (d < lo) lo = d;
                if (d > hi) hi = d;
            }
            /* Within [0, ceiling], and spread over it (full jitter). */
            CHECK(hi <= ceil);
            CHECK(hi >= ceil * 9 / 10);
            CHECK(lo <= ceil / 10);
        }
    }
    /* The ceiling doubles per attempt until the 20 s cap; throttles start five times higher. */
    CHECK_EQ_INT(s_ceil(1, 50), 100);
    CHECK_EQ_INT(s_ceil(2, 50), 200);
    CHECK_EQ_INT(s_ceil(1, 250), 500);
    CHECK_EQ_INT(s_ceil(9, 50), 20000);

    /* x-amz-retry-after: at least what the server asked for, beyond the cap too; one number drawn. */
    uint64_t a = 7, b = 7;
    CHECK_EQ_INT(ur_pace_backoff_ms(&a, 1, false, 30000), 30000);
    (void)ur_pace_rand(&b);
    CHECK(a == b);
    for (int i = 0; i < 1000; i++) {
        CHECK(ur_pace_backoff_ms(&a, 3, false, 250) >= 250);
        CHECK(ur_pace_backoff_ms(&a, 3, true, 1) >= 1);
    }
    /* A jitter above the server's value stays. */
    unsigned above = 0;
    for (int i = 0; i < 1000; i++)
        above += ur_pace_backoff_ms(&a, 5, false, 100) > 100;
    CHECK(above > 800);
    /* 0 and absent (-1) mean nothing was asked: the jitter alone. */
    a = b = 99;
    uint64_t d0 = ur_pace_backoff_ms(&a, 2, false, 0), d1 = ur_pace_backoff_ms(&b, 2, false, -1);
    CHECK(d0 == d1);
    CHECK(d0 <= 200);
}

int main(void)
{
    test_prefix();
    test_unpaced();
    test_first_cut();
    test_cuts();
    test_increase();
    test_tokens();
    test_rand();
    test_backoff();
    return CHECK_DONE();
}
