/* tests/unit/test_s3_crc.c — CRC32, CRC32C and CRC64NVME (s3/crc.c): the catalogue's check values, the fast
 * paths against the portable ones and against a bit-at-a-time reference over odd lengths and alignments,
 * and combine over random splits (CRC32's also against zlib's own crc32_combine). */
#include <stdint.h>
#include <zlib.h>

#include "s3/crc.h"
#include "tests/unit/check.h"

/* Bit at a time, straight from the definition (reflected, init and xorout all ones). */
static uint64_t s_ref(enum ur_crc_alg alg, const unsigned char *p, size_t n)
{
    uint64_t poly = alg == UR_CRC32 ? 0xEDB88320u : alg == UR_CRC32C ? 0x82F63B78u : 0x9A6C9329AC4BC9B5ull;
    uint64_t mask = alg == UR_CRC64NVME ? ~0ull : 0xFFFFFFFFull;
    uint64_t c = mask;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ poly : c >> 1;
    }
    return c ^ mask;
}

static uint64_t s_rng = 0x9E3779B97F4A7C15ull;
static uint64_t s_next(void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return s_rng;
}

static void test_check_values(void)
{
    const char *m = "123456789";
    CHECK_EQ_INT(ur_crc_update(UR_CRC32, 0, m, 9), 0xCBF43926u);
    CHECK_EQ_INT(ur_crc_update(UR_CRC32C, 0, m, 9), 0xE3069283u);
    CHECK(ur_crc_update(UR_CRC64NVME, 0, m, 9) == 0xAE8B14860A799888ull);
    /* The empty message, and the same in two updates. */
    for (int a = UR_CRC32; a <= UR_CRC64NVME; a++) {
        CHECK_EQ_INT(ur_crc_update(a, 0, "", 0), 0);
        CHECK(ur_crc_update(a, ur_crc_update(a, 0, m, 4), m + 4, 5) == ur_crc_update(a, 0, m, 9));
        CHECK(s_ref(a, (const unsigned char *)m, 9) == ur_crc_update(a, 0, m, 9));
    }
    ur_crc_force_portable(1);
    CHECK_EQ_INT(ur_crc_update(UR_CRC32C, 0, m, 9), 0xE3069283u);
    ur_crc_force_portable(0);
    /* S3's examples: the CRC32 of "hello" as x-amz-checksum-crc32 NhCmhg== (tests/unit/test_s3_respcheck.c). */
    CHECK_EQ_INT(ur_crc_update(UR_CRC32, 0, "hello", 5), 0x3610a686u);
}

/* Fast paths (SSE4.2 three streams for long inputs) = table = reference, over lengths around the three-stream
 * block (3 × 4096) and every alignment. */
static void test_fast_paths(void)
{
    enum { N = 3 * 4096 * 2 + 64 };
    static unsigned char buf[N + 16];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)s_next();
    static const size_t lens[] = {0, 1, 7, 8, 9, 63, 4096, 3 * 4096 - 1, 3 * 4096, 3 * 4096 + 1, 3 * 4096 + 13,
                                  2 * 3 * 4096, N};
    for (int a = UR_CRC32; a <= UR_CRC64NVME; a++)
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++)
            for (size_t al = 0; al < 8; al++) {
                uint64_t want = s_ref(a, buf + al, lens[li]);
                uint64_t fast = ur_crc_update(a, 0, buf + al, lens[li]);
                ur_crc_force_portable(1);
                uint64_t slow = ur_crc_update(a, 0, buf + al, lens[li]);
                ur_crc_force_portable(0);
                if (fast != want || slow != want)
                    fprintf(stderr, "%s len %zu align %zu: fast %llx table %llx want %llx\n", ur_crc_name(a),
                            lens[li], al, (unsigned long long)fast, (unsigned long long)slow,
                            (unsigned long long)want);
                CHECK(fast == want);
                CHECK(slow == want);
            }
    fprintf(stderr, "CRC implementations here: %s\n", ur_crc_impl());
}

/* Parts in any order: the CRC of each part alone, then combined left to right, is the whole's. */
static void test_combine(void)
{
    enum { N = 200000 };
    static unsigned char buf[N];
    for (size_t i = 0; i < N; i++) buf[i] = (unsigned char)s_next();
    for (int a = UR_CRC32; a <= UR_CRC64NVME; a++) {
        uint64_t whole = ur_crc_update(a, 0, buf, N);
        for (int round = 0; round < 50; round++) {
            size_t cuts[9];
            int k = (int)(s_next() % 8) + 1;
            for (int i = 0; i < k; i++) cuts[i] = (size_t)(s_next() % (N + 1));
            cuts[k] = N;
            for (int i = 1; i <= k; i++) /* sort (tiny) */
                for (int j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
                    size_t t = cuts[j];
                    cuts[j] = cuts[j - 1];
                    cuts[j - 1] = t;
                }
            uint64_t acc = 0;
            size_t from = 0;
            for (int i = 0; i <= k; i++) {
                size_t len = cuts[i] - from;
                uint64_t part = ur_crc_update(a, 0, buf + from, len);
                if (a == UR_CRC32) CHECK(ur_crc_combine(a, acc, part, len) == (uint64_t)crc32_combine(acc, part, (z_off_t)len));
                acc = ur_crc_combine(a, acc, part, len);
                from = cuts[i];
            }
            CHECK(acc == whole);
        }
        /* Combining with an empty part changes nothing; an empty first part gives the second. */
        CHECK(ur_crc_combine(a, whole, 0, 0) == whole);
        CHECK(ur_crc_combine(a, 0, whole, N) == whole);
        /* A length past 4 GiB (a part of a 5 TiB object): shifting by 2^32 + 1 bytes is shifting by 2^32, then 1. */
        uint64_t big = (1ull << 32) + 1;
        CHECK(ur_crc_combine(a, whole, 0, big) == ur_crc_combine(a, ur_crc_combine(a, whole, 0, 1ull << 32), 0, 1));
    }
}

int main(void)
{
    test_check_values();
    test_fast_paths();
    test_combine();
    return CHECK_DONE();
}
