/* tests/unit/test_plan.c — part planning: objects of 0, 1, 4095, 4096 bytes, part_size ± 1, huge; every
 * part aligned except the tail's end, the coverage exact and without overlap; overflow refused; which parts
 * may be pipelined. */
#include <errno.h>
#include <stdint.h>

#include "engine/plan.h"
#include "tests/unit/check.h"

#define KIB 1024ull
#define MIB (1024ull * KIB)
#define GIB (1024ull * MIB)
#define TIB (1024ull * GIB)
#define ALIGN 4096ull

/* Walks the plan of an object of size bytes whose first part (from 0) covered first_len, in parts of ps:
 * the parts must follow each other without gap or overlap up to size, each full but the last, each
 * starting aligned when first_len and ps are. Walks at most `walk` parts (then only the last). */
static void s_check(uint64_t size, uint64_t first_len, uint64_t ps, unsigned walk)
{
    struct ur_plan pl;
    CHECK_EQ_INT(ur_plan_init(&pl, size, first_len, ps), 0);
    uint64_t want_n = size > first_len ? (size - first_len + ps - 1) / ps : 0;
    CHECK_EQ_INT(pl.n, want_n);
    bool aligned = first_len % ALIGN == 0 && ps % ALIGN == 0;
    uint64_t end = first_len < size ? first_len : size;
    for (unsigned i = 1; i <= pl.n; i++) {
        if (i > walk && i < pl.n) {
            i = pl.n - 1; /* skip to the last part */
            end = first_len + (uint64_t)(pl.n - 1) * ps;
            continue;
        }
        uint64_t off, len;
        ur_plan_part(&pl, i, &off, &len);
        if (off != end || len == 0 || len > ps || (i < pl.n && len != ps) || (aligned && off % ALIGN)) {
            fprintf(stderr, "size %llu first %llu ps %llu: part %u is %llu+%llu (expected at %llu)\n",
                    (unsigned long long)size, (unsigned long long)first_len, (unsigned long long)ps, i,
                    (unsigned long long)off, (unsigned long long)len, (unsigned long long)end);
            check_failures++;
            return;
        }
        end = off + len;
    }
    CHECK_EQ_INT(end, size); /* exactly covered: nothing missing, nothing beyond the object */
}

static void test_sizes(void)
{
    const uint64_t ps = 8 * MIB;
    /* What the first response covers: the first part_size bytes, or the whole object when smaller. */
    static const uint64_t sizes[] = {0,
                                     1,
                                     4095,
                                     4096,
                                     4097,
                                     8 * MIB - 1,
                                     8 * MIB,
                                     8 * MIB + 1,
                                     16 * MIB - 1,
                                     16 * MIB,
                                     16 * MIB + 1,
                                     24 * MIB + 4095,
                                     1 * GIB,
                                     1 * GIB + 12345,
                                     5 * TIB};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint64_t first = sizes[i] < ps ? sizes[i] : ps;
        s_check(sizes[i], first, ps, 100000);
    }
    /* The smallest part size, and a part size of one block more. */
    static const uint64_t small[] = {0, 1, 4095, 4096, 4097, 8191, 8192, 8193, 12288, 1000000};
    for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
        s_check(small[i], small[i] < 4096 ? small[i] : 4096, 4096, 1000);
        s_check(small[i], small[i] < 8192 ? small[i] : 8192, 8192, 1000);
    }
    /* A first part that covered less than a part (a server that answered a shorter range): the plan goes
     * on from where it stopped. */
    s_check(20 * MIB, 4 * MIB, ps, 100);
    s_check(20 * MIB, 123, ps, 100);
    /* Huge: 50 TB in 1 GiB parts, walking only the ends. */
    s_check(50000000000000ull, GIB, GIB, 1000);
}

static void test_counts(void)
{
    struct ur_plan pl;
    /* The first part covers it: nothing more. */
    CHECK_EQ_INT(ur_plan_init(&pl, 0, 0, 8 * MIB), 0);
    CHECK_EQ_INT(pl.n, 0);
    CHECK_EQ_INT(ur_plan_init(&pl, 8 * MIB, 8 * MIB, 8 * MIB), 0);
    CHECK_EQ_INT(pl.n, 0);
    CHECK_EQ_INT(ur_plan_init(&pl, 100, 8 * MIB, 8 * MIB), 0);
    CHECK_EQ_INT(pl.n, 0);
    /* One byte more is one more part, of one byte. */
    CHECK_EQ_INT(ur_plan_init(&pl, 8 * MIB + 1, 8 * MIB, 8 * MIB), 0);
    CHECK_EQ_INT(pl.n, 1);
    uint64_t off, len;
    ur_plan_part(&pl, 1, &off, &len);
    CHECK_EQ_INT(off, 8 * MIB);
    CHECK_EQ_INT(len, 1);
    CHECK_EQ_INT(ur_plan_init(&pl, 24 * MIB, 8 * MIB, 8 * MIB), 0);
    CHECK_EQ_INT(pl.n, 2);
    ur_plan_part(&pl, 2, &off, &len);
    CHECK_EQ_INT(off, 16 * MIB);
    CHECK_EQ_INT(len, 8 * MIB);

    /* Refused: no part size; more parts than a count can hold (50 TB in 4 KiB parts); sizes near the top
     * of the range do not wrap around. */
    CHECK_EQ_INT(ur_plan_init(&pl, 1, 0, 0), -EINVAL);
    CHECK_EQ_INT(ur_plan_init(&pl, 50000000000000ull, 4096, 4096), -EOVERFLOW);
    CHECK_EQ_INT(ur_plan_init(&pl, UINT64_MAX, 4096, 4096), -EOVERFLOW);
    CHECK_EQ_INT(ur_plan_init(&pl, UINT64_MAX, 8 * MIB, UINT64_MAX / 2), 0);
    CHECK_EQ_INT(pl.n, 2);
    ur_plan_part(&pl, 2, &off, &len);
    CHECK(off + len == UINT64_MAX);
    /* The largest count that fits. */
    CHECK_EQ_INT(ur_plan_init(&pl, 4096 + (uint64_t)(UINT32_MAX - 1) * 4096, 4096, 4096), 0);
    CHECK_EQ_INT(pl.n, UINT32_MAX - 1);
    CHECK_EQ_INT(ur_plan_init(&pl, 4096 + (uint64_t)(UINT32_MAX - 1) * 4096 + 1, 4096, 4096), -EOVERFLOW);
}

static void test_pipelinable(void)
{
    CHECK(ur_plan_pipelinable(-1)); /* a first part of unknown size: most restores name small files */
    CHECK(ur_plan_pipelinable(0));
    CHECK(ur_plan_pipelinable(1));
    CHECK(ur_plan_pipelinable(64 * KIB));
    CHECK(ur_plan_pipelinable(UR_PIPE_PART_MAX));
    CHECK(!ur_plan_pipelinable(UR_PIPE_PART_MAX + 1));
    CHECK(!ur_plan_pipelinable(8 * MIB));
    CHECK(!ur_plan_pipelinable(INT64_MAX));
}

int main(void)
{
    test_sizes();
    test_counts();
    test_pipelinable();
    return CHECK_DONE();
}
