/* s3/crc.c — CRC32, CRC32C and CRC64NVME with combine (see crc.h). Pure: no I/O, no allocation.
 *
 * CRC32 is zlib's. CRC32C runs on the SSE4.2 crc32 instruction where the CPU has it (chosen at run time),
 * three independent streams at once because the instruction's latency is three cycles and its throughput
 * one; elsewhere, and CRC64NVME everywhere, a slice-by-8 table. Combining is the polynomial arithmetic of
 * CRCs (the method zlib's crc32_combine uses, written for any reflected width here): multiplying crc(A) by
 * x^(8·len(B)) modulo the polynomial shifts it past B's bytes, and the all-ones init and xorout cancel. */
#include "s3/crc.h"

#include <stdbool.h>
#include <string.h>
#include <zlib.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#include <wmmintrin.h>
#endif

/* The reflected polynomials. */
#define S_POLY32C 0x82F63B78u
#define S_POLY64 0x9A6C9329AC4BC9B5ull
#define S_POLY32 0xEDB88320u
#define S_BLOCK 4096

static uint64_t s_t32c[8][256];
static uint64_t s_t64[8][256];
static bool s_hw32c, s_clmul;
static bool s_portable;
/* Folding constants for the carry-less multiply path (s_fold_run): for a fold over L = 128·(i+1) bits,
 * k[i][0] multiplies the 64-bit half that came first (bytes 0..7, the higher degree) and is x^(L+63) mod P,
 * k[i][1] the other half, x^(L-1) mod P, both in the reflected 64-bit layout. The -1: a carry-less product
 * of two reflected 64-bit values lands one bit lower than the reflected 128-bit layout expects. */
struct s_fold {
    uint64_t k[4][2];
};
static struct s_fold s_fold32, s_fold64;
static uint64_t s_shift32c; /* x^(8·S_BLOCK) mod CRC32C's polynomial: joins the three streams */

static uint64_t s_xpow(uint64_t e, uint64_t poly, unsigned w);
static uint64_t s_xpow8n(uint64_t n, uint64_t poly, unsigned w);

__attribute__((constructor)) static void s_init(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint64_t c = i, d = i;
        for (int k = 0; k < 8; k++) {
            c = c & 1 ? (c >> 1) ^ S_POLY32C : c >> 1;
            d = d & 1 ? (d >> 1) ^ S_POLY64 : d >> 1;
        }
        s_t32c[0][i] = c;
        s_t64[0][i] = d;
    }
    for (unsigned i = 0; i < 256; i++)
        for (int k = 1; k < 8; k++) {
            s_t32c[k][i] = (s_t32c[k - 1][i] >> 8) ^ s_t32c[0][s_t32c[k - 1][i] & 0xff];
            s_t64[k][i] = (s_t64[k - 1][i] >> 8) ^ s_t64[0][s_t64[k - 1][i] & 0xff];
        }
    s_shift32c = s_xpow8n(S_BLOCK, S_POLY32C, 32);
    for (int i = 0; i < 4; i++) {
        uint64_t bits = 128 * (uint64_t)(i + 1);
        s_fold32.k[i][0] = s_xpow(bits + 63, S_POLY32, 32) << 32; /* 32-bit layout → 64-bit layout */
        s_fold32.k[i][1] = s_xpow(bits - 1, S_POLY32, 32) << 32;
        s_fold64.k[i][0] = s_xpow(bits + 63, S_POLY64, 64);
        s_fold64.k[i][1] = s_xpow(bits - 1, S_POLY64, 64);
    }
#if defined(__x86_64__)
    __builtin_cpu_init();
    s_hw32c = __builtin_cpu_supports("sse4.2");
    s_clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.2");
#endif
}

void ur_crc_force_portable(int on)
{
    s_portable = on != 0;
}

const char *ur_crc_impl(void)
{
    if (s_portable) return "portable (zlib, tables)";
    return s_clmul ? "pclmul (CRC32, CRC64NVME), sse4.2 (CRC32C)"
                   : s_hw32c ? "zlib, sse4.2 (CRC32C), table (CRC64NVME)" : "portable (zlib, tables)";
}

static uint64_t s_load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v; /* little-endian: the reflected CRCs consume the low byte first */
}

/* Slice-by-8 over the register (not inverted), for either table (CRC32C's entries fit in 32 bits). */
static uint64_t s_table_run(const uint64_t (*t)[256], uint64_t c, const unsigned char *p, size_t n)
{
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t v = s_load64(p) ^ c;
        c = t[7][v & 0xff] ^ t[6][(v >> 8) & 0xff] ^ t[5][(v >> 16) & 0xff] ^ t[4][(v >> 24) & 0xff] ^
            t[3][(v >> 32) & 0xff] ^ t[2][(v >> 40) & 0xff] ^ t[1][(v >> 48) & 0xff] ^ t[0][v >> 56];
    }
    while (n--)
        c = (c >> 8) ^ t[0][(c ^ *p++) & 0xff];
    return c;
}

/* a·b modulo the reflected polynomial poly of width w bits (bit w-1 is x^0). */
static uint64_t s_mulmod(uint64_t a, uint64_t b, uint64_t poly, unsigned w)
{
    uint64_t m = 1ull << (w - 1), p = 0;
    for (; m; m >>= 1) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0) break;
        }
        b = b & 1 ? (b >> 1) ^ poly : b >> 1;
    }
    return p;
}

/* base^e modulo poly, square-and-multiply. */
static uint64_t s_powmod(uint64_t base, uint64_t e, uint64_t poly, unsigned w)
{
    uint64_t r = 1ull << (w - 1);
    for (; e; e >>= 1) {
        if (e & 1) r = s_mulmod(r, base, poly, w);
        base = s_mulmod(base, base, poly, w);
    }
    return r;
}

/* x^e modulo poly. */
static uint64_t s_xpow(uint64_t e, uint64_t poly, unsigned w)
{
    return s_powmod(1ull << (w - 2), e, poly, w);
}

/* x^(8n) modulo poly, as (x^8)^n: n may be any length (8n would overflow past 2^61). */
static uint64_t s_xpow8n(uint64_t n, uint64_t poly, unsigned w)
{
    return s_powmod(1ull << (w - 9), n, poly, w);
}

#if defined(__x86_64__)
/* Three streams of S_BLOCK bytes each go through the instruction side by side; their CRCs are joined by
 * shifting with a constant (s_shift32c): two small multiplications per 12 KiB. */
__attribute__((target("sse4.2"))) static uint32_t s_crc32c_hw(uint32_t c, const unsigned char *p, size_t n)
{
    const uint64_t shift = s_shift32c;
    while (n >= 3 * S_BLOCK) {
        uint64_t a = c, b = 0, d = 0;
        const unsigned char *q = p;
        for (size_t i = 0; i < S_BLOCK; i += 8, q += 8) {
            a = _mm_crc32_u64(a, s_load64(q));
            b = _mm_crc32_u64(b, s_load64(q + S_BLOCK));
            d = _mm_crc32_u64(d, s_load64(q + 2 * S_BLOCK));
        }
        /* crc over A‖B‖D of the raw register: shift a past B, add b, shift past D, add d. */
        c = (uint32_t)(s_mulmod(s_mulmod(a, shift, S_POLY32C, 32) ^ b, shift, S_POLY32C, 32) ^ d);
        p += 3 * S_BLOCK;
        n -= 3 * S_BLOCK;
    }
    uint64_t c64 = c;
    for (; n >= 8; n -= 8, p += 8)
        c64 = _mm_crc32_u64(c64, s_load64(p));
    c = (uint32_t)c64;
    while (n--)
        c = _mm_crc32_u8(c, *p++);
    return c;
}
#endif

#if defined(__x86_64__)
/* Carry-less multiply folding (the method of Intel's "Fast CRC Computation for Generic Polynomials Using
 * PCLMULQDQ"): the message is kept as a 128-bit remainder congruent to it modulo P — four of them side by
 * side, 64 bytes a turn, since the multiply's latency is several cycles — and what is left is 16 bytes
 * whose CRC from a zero register equals the whole's, finished by the table. The register's starting value
 * is XORed into the first bytes, as the table loop does. Needs n >= 64; returns the bytes consumed. */
__attribute__((target("pclmul,sse4.2"))) static __m128i s_fold1(__m128i x, __m128i k)
{
    return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

__attribute__((target("pclmul,sse4.2"))) static size_t s_fold_run(const struct s_fold *f, uint64_t reg,
                                                                  const unsigned char *p, size_t n,
                                                                  unsigned char out[16])
{
#define S_K(i) _mm_set_epi64x((long long)f->k[i][1], (long long)f->k[i][0])
#define S_LD(q) _mm_loadu_si128((const __m128i *)(const void *)(q))
    const unsigned char *start = p;
    __m128i x0 = _mm_xor_si128(S_LD(p), _mm_cvtsi64_si128((long long)reg)), x1 = S_LD(p + 16),
            x2 = S_LD(p + 32), x3 = S_LD(p + 48);
    p += 64;
    n -= 64;
    const __m128i k512 = S_K(3);
    for (; n >= 64; n -= 64, p += 64) {
        x0 = _mm_xor_si128(s_fold1(x0, k512), S_LD(p));
        x1 = _mm_xor_si128(s_fold1(x1, k512), S_LD(p + 16));
        x2 = _mm_xor_si128(s_fold1(x2, k512), S_LD(p + 32));
        x3 = _mm_xor_si128(s_fold1(x3, k512), S_LD(p + 48));
    }
    const __m128i k128 = S_K(0);
    __m128i x = _mm_xor_si128(_mm_xor_si128(s_fold1(x0, S_K(2)), s_fold1(x1, S_K(1))),
                              _mm_xor_si128(s_fold1(x2, k128), x3));
    for (; n >= 16; n -= 16, p += 16)
        x = _mm_xor_si128(s_fold1(x, k128), S_LD(p));
    _mm_storeu_si128((__m128i *)(void *)out, x);
    return (size_t)(p - start);
#undef S_K
#undef S_LD
}
#endif

uint64_t ur_crc_update(enum ur_crc_alg alg, uint64_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    switch (alg) {
    case UR_CRC32: {
        uint64_t c = crc;
#if defined(__x86_64__)
        if (s_clmul && !s_portable && n >= 64) {
            /* zlib with a register of r is crc32(r ^ ~0): its own pre- and post-inversion. */
            unsigned char rest[16];
            size_t used = s_fold_run(&s_fold32, (uint32_t)~c, b, n, rest);
            c = crc32(0xFFFFFFFFu, rest, 16) ^ 0xFFFFFFFFu; /* the register after rest from zero */
            c = crc32((uLong)(c ^ 0xFFFFFFFFu), b + used, (uInt)(n - used));
            return c;
        }
#endif
        /* zlib takes a uInt length on old versions: feed it in pieces that fit. */
        while (n) {
            size_t k = n > (1u << 30) ? (1u << 30) : n;
            c = crc32((uLong)c, b, (uInt)k);
            b += k;
            n -= k;
        }
        return c;
    }
    case UR_CRC32C: {
        uint32_t c = ~(uint32_t)crc;
#if defined(__x86_64__)
        if (s_hw32c && !s_portable) return ~s_crc32c_hw(c, b, n);
#endif
        return ~(uint32_t)s_table_run(s_t32c, c, b, n);
    }
    case UR_CRC64NVME: {
        uint64_t c = ~crc;
#if defined(__x86_64__)
        if (s_clmul && !s_portable && n >= 64) {
            unsigned char rest[16];
            size_t used = s_fold_run(&s_fold64, c, b, n, rest);
            c = s_table_run(s_t64, s_table_run(s_t64, 0, rest, 16), b + used, n - used);
            return ~c;
        }
#endif
        return ~s_table_run(s_t64, c, b, n);
    }
    }
    return 0;
}

uint64_t ur_crc_combine(enum ur_crc_alg alg, uint64_t a, uint64_t b, uint64_t len_b)
{
    switch (alg) {
    case UR_CRC32:
        return s_mulmod(s_xpow8n(len_b, S_POLY32, 32), a, S_POLY32, 32) ^ b;
    case UR_CRC32C:
        return s_mulmod(s_xpow8n(len_b, S_POLY32C, 32), a, S_POLY32C, 32) ^ b;
    case UR_CRC64NVME:
        return s_mulmod(s_xpow8n(len_b, S_POLY64, 64), a, S_POLY64, 64) ^ b;
    }
    return 0;
}

unsigned ur_crc_bytes(enum ur_crc_alg alg)
{
    return alg == UR_CRC64NVME ? 8 : 4;
}

const char *ur_crc_name(enum ur_crc_alg alg)
{
    return alg == UR_CRC32 ? "CRC32" : alg == UR_CRC32C ? "CRC32C" : "CRC64NVME";
}
