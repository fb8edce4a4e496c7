/* tests/unit/test_flink_spill.c — the external sort behind the cleanup planner (flink/spill.h): records in
 * shuffled order with duplicates come back sorted and complete, from many runs in the temporary file and from
 * the buffer alone; filter passes keep exactly the records kept, again and again, and records added after a
 * filter pass merge with the kept ones; a directory that cannot hold the file is an error naming it. */
#include <errno.h>

#include "flink/spill.h"
#include "tests/unit/check.h"

struct pay {
    uint32_t id;
    uint32_t dup; /* which copy of a duplicated key */
};

/* The key of record i: shuffled (i * a prime mod n), some shared by two records, lengths varying. */
static size_t s_key(char *buf, size_t cap, uint32_t i, uint32_t n)
{
    uint32_t k = (uint32_t)(((uint64_t)i * 7919u) % n);
    return (size_t)snprintf(buf, cap, "bucket%c%0*u/shared/%08x", '\0', 1 + (int)(k % 5), k / 3, k);
}

/* Reads a whole pass; checks order; returns the count and the sum of ids with which bit set (want_mask: ids
 * that must not appear). */
static uint64_t s_read_all(struct ur_spill *s, uint64_t *id_sum, uint32_t not_mask)
{
    char prev[256];
    size_t prev_len = 0;
    uint64_t n = 0, sum = 0;
    const uint8_t *key, *pay;
    size_t klen;
    int rc;
    CHECK_EQ_INT(ur_spill_rewind(s, false), 0);
    while ((rc = ur_spill_next(s, &key, &klen, &pay)) == 1) {
        if (n) {
            int c = memcmp(prev, key, prev_len < klen ? prev_len : klen);
            if (c > 0 || (c == 0 && prev_len > klen)) {
                fprintf(stderr, "record %llu out of order\n", (unsigned long long)n);
                check_failures++;
            }
        }
        memcpy(prev, key, klen);
        prev_len = klen;
        struct pay p;
        memcpy(&p, pay, sizeof(p));
        if (p.id & not_mask) {
            fprintf(stderr, "record %u should have been dropped\n", p.id);
            check_failures++;
        }
        sum += p.id;
        n++;
    }
    CHECK_EQ_INT(rc, 0);
    *id_sum = sum;
    return n;
}

/* A filter pass keeping the records whose id has no bit of mask (none at all when none). */
static void s_filter(struct ur_spill *s, uint32_t mask, bool none)
{
    const uint8_t *key, *pay;
    size_t klen;
    int rc;
    CHECK_EQ_INT(ur_spill_rewind(s, true), 0);
    while ((rc = ur_spill_next(s, &key, &klen, &pay)) == 1) {
        struct pay p;
        memcpy(&p, pay, sizeof(p));
        if (!none && !(p.id & mask)) CHECK_EQ_INT(ur_spill_keep(s), 0);
    }
    CHECK_EQ_INT(rc, 0);
}

static void s_case(size_t run_bytes, uint32_t n, bool spills)
{
    struct ur_spill *s = ur_spill_new("/tmp", sizeof(struct pay), run_bytes);
    CHECK(s != NULL);
    char key[64];
    uint64_t want_sum = 0, want_even = 0, want_4 = 0, sum;
    for (uint32_t i = 0; i < n; i++) {
        /* every tenth key a second time: duplicates stay (the planner removes them) */
        struct pay p = {i, 0};
        size_t kl = s_key(key, sizeof key, i, n);
        CHECK_EQ_INT(ur_spill_add(s, key, kl, &p), 0);
        want_sum += i, want_even += (i & 1) ? 0 : i, want_4 += (i & 3) ? 0 : i;
        if (i % 10 == 0) {
            p.dup = 1;
            CHECK_EQ_INT(ur_spill_add(s, key, kl, &p), 0);
            want_sum += i, want_even += (i & 1) ? 0 : i, want_4 += (i & 3) ? 0 : i;
        }
    }
    uint32_t total = n + (n + 9) / 10;
    CHECK_EQ_INT(ur_spill_count(s), total);
    CHECK_EQ_INT(ur_spill_file_bytes(s) > 0, spills);
    CHECK_EQ_INT(s_read_all(s, &sum, 0), total);
    CHECK_EQ_INT(sum, want_sum);
    /* Twice: a pass may be read again. */
    CHECK_EQ_INT(s_read_all(s, &sum, 0), total);
    /* The re-check's kind of pass: drop the odd ids, then those not a multiple of 4. */
    s_filter(s, 1, false);
    uint64_t even = ur_spill_count(s);
    CHECK_EQ_INT(s_read_all(s, &sum, 1), even);
    CHECK_EQ_INT(sum, want_even);
    s_filter(s, 3, false);
    uint64_t four = ur_spill_count(s);
    CHECK_EQ_INT(s_read_all(s, &sum, 3), four);
    CHECK_EQ_INT(sum, want_4);
    CHECK(four < even && even < total);
    /* Records added after a filter pass merge with the kept ones (ids offset so the mask still holds). */
    for (uint32_t i = 0; i < 1000; i++) {
        struct pay p = {(n + i) * 4, 0};
        size_t kl = s_key(key, sizeof key, i * 13, n);
        CHECK_EQ_INT(ur_spill_add(s, key, kl, &p), 0);
        want_4 += p.id;
    }
    CHECK_EQ_INT(s_read_all(s, &sum, 3), four + 1000);
    CHECK_EQ_INT(sum, want_4);
    /* Keeping nothing leaves nothing. */
    s_filter(s, 0, true);
    CHECK_EQ_INT(ur_spill_count(s), 0);
    CHECK_EQ_INT(s_read_all(s, &sum, 0), 0);
    if (spills)
        printf("spill: %u records, %zu-byte buffer: %llu bytes of memory held at the end\n", total, run_bytes,
               (unsigned long long)ur_spill_memory(s));
    ur_spill_free(s);
}

static void s_no_dir(void)
{
    struct ur_spill *s = ur_spill_new("/nonexistent/urestore-spill", 8, 0);
    CHECK(s != NULL);
    CHECK_EQ_INT(ur_spill_open(s), -ENOENT);
    CHECK_EQ_STR(ur_spill_dir(s), "/nonexistent/urestore-spill");
    ur_spill_free(s);
    /* NULL: $TMPDIR first. */
    setenv("TMPDIR", "/nonexistent/tmpdir", 1);
    s = ur_spill_new(NULL, 8, 0);
    CHECK_EQ_STR(ur_spill_dir(s), "/nonexistent/tmpdir");
    CHECK_EQ_INT(ur_spill_open(s), -ENOENT);
    ur_spill_free(s);
    unsetenv("TMPDIR");
}

int main(void)
{
    s_case(0, 5000, false);        /* the default 4 MiB: all in the buffer, no file */
    s_case(16 << 10, 50000, true); /* ~200 runs of 16 KiB in the file, plus the buffer */
    s_case(1, 3000, true);         /* the smallest buffer (one longest record) */
    s_no_dir();
    return CHECK_DONE();
}
