/* tls/gcm_vaes.c — AES-128-GCM decryption, 16 blocks per step on VAES and VPCLMULQDQ (gcm_vaes.h).
 *
 * GCM (NIST SP 800-38D): the plaintext is the ciphertext XOR AES_K(counter blocks J0+1, J0+2, …) with
 * J0 = nonce || 0x00000001; the tag is AES_K(J0) XOR GHASH_H(aad, ciphertext, lengths), H = AES_K(0).
 *
 * GHASH multiplies in GF(2^128) modulo x^128 + x^7 + x^2 + x + 1, with the coefficient of x^0 in the
 * first bit of a block. Byte-reversing a block turns that into a 128-bit integer whose bit 127 - i holds
 * the coefficient of x^i (a "reflected" polynomial). The carry-less product of two reflected values is
 * the reflected product shifted right by one bit; s_reduce shifts it back and folds the top half in
 * (x^128 = x^7 + x^2 + x + 1), all in the reflected domain. Sixteen blocks are hashed per step as
 * (Y ^ X0)·H^16 ^ X1·H^15 ^ … ^ X15·H, four per 512-bit multiply, with one reduction per step. The
 * functions carry their own target attribute: the rest of the program is built for any x86-64, and
 * ur_gcm_vaes_usable() decides at run time. */
#include "tls/gcm_vaes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)

#include <cpuid.h>
#include <immintrin.h>
#include <openssl/crypto.h>

#define S_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,vaes,vpclmulqdq,aes,pclmul,ssse3")))

/* CPUID says the instructions exist; XCR0 says the kernel saves the AVX-512 registers (opmask, ZMM). */
static bool s_cpu_has_all(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    bool ok = (c & bit_OSXSAVE) && (c & bit_AES) && (c & bit_PCLMUL) && (c & bit_SSSE3);
    if (!ok || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    ok = (b & bit_AVX512F) && (b & bit_AVX512BW) && (b & bit_AVX512VL) && (c & bit_VAES) && (c & bit_VPCLMULQDQ);
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ok && (lo & 0xe6) == 0xe6; /* SSE, AVX, opmask, ZMM0-15 upper halves, ZMM16-31 */
}

bool ur_gcm_vaes_usable(void)
{
    static int cached = -1; /* every thread computes the same answer */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        v = s_cpu_has_all();
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}

S_TARGET static inline __m128i s_bswap(__m128i x)
{
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/* 128-bit shifts right by n (0 < n < 64). */
S_TARGET static inline __m128i s_shr(__m128i x, int n)
{
    return _mm_or_si128(_mm_srli_epi64(x, n), _mm_srli_si128(_mm_slli_epi64(x, 64 - n), 8));
}

/* [p1:p0] is the carry-less product of two reflected values: returns the reflected product mod g. */
S_TARGET static inline __m128i s_reduce(__m128i p0, __m128i p1)
{
    /* Shift the 256-bit value left by one: now bit 255 - k holds the coefficient of x^k. */
    __m128i c0 = _mm_srli_epi64(p0, 63), c1 = _mm_srli_epi64(p1, 63);
    p0 = _mm_or_si128(_mm_slli_epi64(p0, 1), _mm_slli_si128(c0, 8));
    p1 = _mm_or_si128(_mm_or_si128(_mm_slli_epi64(p1, 1), _mm_slli_si128(c1, 8)), _mm_srli_si128(c0, 8));
    /* The low half L holds x^128..x^255. Each x^(128+j) becomes x^(j+7) + x^(j+2) + x^(j+1) + x^j, i.e.
     * L shifted left by 121, 126, 127 and 128 bits. What the first three leave in the low half (from
     * L's bits 0..6: x^128..x^134) is folded once more, which leaves nothing behind. */
    __m128i r = _mm_xor_si128(_mm_xor_si128(_mm_slli_epi64(p0, 63), _mm_slli_epi64(p0, 62)), _mm_slli_epi64(p0, 57));
    __m128i m = _mm_xor_si128(p0, _mm_slli_si128(r, 8));
    __m128i f = _mm_xor_si128(_mm_xor_si128(m, s_shr(m, 1)), _mm_xor_si128(s_shr(m, 2), s_shr(m, 7)));
    return _mm_xor_si128(p1, f);
}

S_TARGET static inline __m128i s_gmul(__m128i a, __m128i b)
{
    __m128i lo = _mm_clmulepi64_si128(a, b, 0x00), hi = _mm_clmulepi64_si128(a, b, 0x11);
    __m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10));
    return s_reduce(_mm_xor_si128(lo, _mm_slli_si128(mid, 8)), _mm_xor_si128(hi, _mm_srli_si128(mid, 8)));
}

S_TARGET static inline __m128i s_fold4(__m512i v)
{
    __m256i t = _mm256_xor_si256(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
    return _mm_xor_si128(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
}

S_TARGET static inline __m128i s_key_step(__m128i k, __m128i assist)
{
    assist = _mm_shuffle_epi32(assist, 0xff);
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
    return _mm_xor_si128(k, assist);
}

S_TARGET static inline __m128i s_aes1(const __m128i rk[11], __m128i x)
{
    x = _mm_xor_si128(x, rk[0]);
#pragma GCC unroll 9
    for (int r = 1; r < 10; r++) x = _mm_aesenc_si128(x, rk[r]);
    return _mm_aesenclast_si128(x, rk[10]);
}

#define S_STEP(i, rc) k[i] = s_key_step(k[i - 1], _mm_aeskeygenassist_si128(k[i - 1], rc))

S_TARGET void ur_gcm_vaes_init(struct ur_gcm_vaes *g, const unsigned char key[16])
{
    __m128i k[11], pw[17];
    k[0] = _mm_loadu_si128((const __m128i *)key);
    S_STEP(1, 0x01);
    S_STEP(2, 0x02);
    S_STEP(3, 0x04);
    S_STEP(4, 0x08);
    S_STEP(5, 0x10);
    S_STEP(6, 0x20);
    S_STEP(7, 0x40);
    S_STEP(8, 0x80);
    S_STEP(9, 0x1b);
    S_STEP(10, 0x36);
    for (int i = 0; i < 11; i++) _mm_storeu_si128((__m128i *)g->rk[i], k[i]);
    pw[1] = s_bswap(s_aes1(k, _mm_setzero_si128()));
    for (int i = 2; i <= 16; i++) pw[i] = s_gmul(pw[i - 1], pw[1]);
    for (int j = 0; j < 16; j++) _mm_storeu_si128((__m128i *)g->hpow[j], pw[16 - j]);
}

S_TARGET int ur_gcm_vaes_open(const struct ur_gcm_vaes *g, const unsigned char nonce[12], const unsigned char *aad,
                              size_t aad_len, const unsigned char *in, size_t len, const unsigned char tag[16],
                              unsigned char *out)
{
    if (len / 16 >= 0xfffffffeu) return -1; /* the 32-bit block counter would wrap: GCM's own limit */
    __m128i rk[11];
    __m512i rkz[11];
#pragma GCC unroll 11
    for (int i = 0; i < 11; i++) {
        rk[i] = _mm_loadu_si128((const __m128i *)g->rk[i]);
        rkz[i] = _mm512_broadcast_i32x4(rk[i]);
    }
    const __m128i h1 = _mm_loadu_si128((const __m128i *)g->hpow[15]);
    unsigned char blk[16];
    memcpy(blk, nonce, 12);
    blk[12] = blk[13] = blk[14] = 0;
    blk[15] = 1;
    const __m128i j0 = _mm_loadu_si128((const __m128i *)blk);
    const __m128i cs = s_bswap(j0); /* the 32-bit counter is now dword 0, little-endian: add to it */
    __m128i y = _mm_setzero_si128();

    for (size_t off = 0; off < aad_len; off += 16) {
        size_t k = aad_len - off < 16 ? aad_len - off : 16;
        memset(blk, 0, sizeof(blk));
        memcpy(blk, aad + off, k);
        y = s_gmul(_mm_xor_si128(y, s_bswap(_mm_loadu_si128((const __m128i *)blk))), h1);
    }

    const __m512i bswz = _mm512_broadcast_i32x4(_mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    const __m512i four = _mm512_set_epi32(0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4);
    const __m512i t0 = _mm512_loadu_si512(g->hpow[0]), t1 = _mm512_loadu_si512(g->hpow[4]);
    const __m512i t2 = _mm512_loadu_si512(g->hpow[8]), t3 = _mm512_loadu_si512(g->hpow[12]);
    /* Data blocks use counters 2, 3, … (cs holds 1); lane l of step register i holds block 4i + l. */
    __m512i ctr = _mm512_add_epi32(_mm512_broadcast_i32x4(cs), _mm512_set_epi32(0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1));
    size_t off = 0;
    for (; len - off >= 256; off += 256) {
        __m512i x[4], d[4];
#pragma GCC unroll 4
        for (int i = 0; i < 4; i++) {
            x[i] = _mm512_xor_si512(_mm512_shuffle_epi8(ctr, bswz), rkz[0]);
            ctr = _mm512_add_epi32(ctr, four);
        }
#pragma GCC unroll 9
        for (int r = 1; r < 10; r++)
#pragma GCC unroll 4
            for (int i = 0; i < 4; i++) x[i] = _mm512_aesenc_epi128(x[i], rkz[r]);
#pragma GCC unroll 4
        for (int i = 0; i < 4; i++) {
            d[i] = _mm512_loadu_si512(in + off + 64 * i);
            x[i] = _mm512_aesenclast_epi128(x[i], rkz[10]);
        }
#pragma GCC unroll 4
        for (int i = 0; i < 4; i++) _mm512_storeu_si512(out + off + 64 * i, _mm512_xor_si512(x[i], d[i]));
        __m512i c0 = _mm512_xor_si512(_mm512_shuffle_epi8(d[0], bswz), _mm512_zextsi128_si512(y));
        __m512i c1 = _mm512_shuffle_epi8(d[1], bswz), c2 = _mm512_shuffle_epi8(d[2], bswz);
        __m512i c3 = _mm512_shuffle_epi8(d[3], bswz);
        __m512i lo = _mm512_clmulepi64_epi128(c0, t0, 0x00), hi = _mm512_clmulepi64_epi128(c0, t0, 0x11);
        __m512i mid = _mm512_xor_si512(_mm512_clmulepi64_epi128(c0, t0, 0x01), _mm512_clmulepi64_epi128(c0, t0, 0x10));
        lo = _mm512_ternarylogic_epi64(lo, _mm512_clmulepi64_epi128(c1, t1, 0x00), _mm512_clmulepi64_epi128(c2, t2, 0x00), 0x96);
        hi = _mm512_ternarylogic_epi64(hi, _mm512_clmulepi64_epi128(c1, t1, 0x11), _mm512_clmulepi64_epi128(c2, t2, 0x11), 0x96);
        mid = _mm512_ternarylogic_epi64(mid, _mm512_clmulepi64_epi128(c1, t1, 0x01), _mm512_clmulepi64_epi128(c1, t1, 0x10), 0x96);
        mid = _mm512_ternarylogic_epi64(mid, _mm512_clmulepi64_epi128(c2, t2, 0x01), _mm512_clmulepi64_epi128(c2, t2, 0x10), 0x96);
        lo = _mm512_xor_si512(lo, _mm512_clmulepi64_epi128(c3, t3, 0x00));
        hi = _mm512_xor_si512(hi, _mm512_clmulepi64_epi128(c3, t3, 0x11));
        mid = _mm512_ternarylogic_epi64(mid, _mm512_clmulepi64_epi128(c3, t3, 0x01), _mm512_clmulepi64_epi128(c3, t3, 0x10), 0x96);
        __m128i l = s_fold4(lo), h = s_fold4(hi), m = s_fold4(mid);
        y = s_reduce(_mm_xor_si128(l, _mm_slli_si128(m, 8)), _mm_xor_si128(h, _mm_srli_si128(m, 8)));
    }
    /* The rest, a block at a time; a short last block is padded with zeros for GHASH. */
    uint32_t next = 2 + (uint32_t)(off / 16);
    for (; off < len; off += 16, next++) {
        size_t k = len - off < 16 ? len - off : 16;
        __m128i ks = s_aes1(rk, s_bswap(_mm_add_epi32(cs, _mm_set_epi32(0, 0, 0, (int)(next - 1)))));
        memset(blk, 0, sizeof(blk));
        memcpy(blk, in + off, k);
        __m128i c = _mm_loadu_si128((const __m128i *)blk);
        y = s_gmul(_mm_xor_si128(y, s_bswap(c)), h1);
        _mm_storeu_si128((__m128i *)blk, _mm_xor_si128(c, ks));
        memcpy(out + off, blk, k);
    }
    y = s_gmul(_mm_xor_si128(y, _mm_set_epi64x((long long)(aad_len * 8), (long long)(len * 8))), h1);
    _mm_storeu_si128((__m128i *)blk, _mm_xor_si128(s_bswap(y), s_aes1(rk, j0)));
    return CRYPTO_memcmp(blk, tag, 16) == 0 ? 0 : -1;
}

#else /* not x86-64: OpenSSL decrypts */

bool ur_gcm_vaes_usable(void)
{
    return false;
}

void ur_gcm_vaes_init(struct ur_gcm_vaes *g, const unsigned char key[16])
{
    (void)g;
    (void)key;
}

int ur_gcm_vaes_open(const struct ur_gcm_vaes *g, const unsigned char nonce[12], const unsigned char *aad,
                     size_t aad_len, const unsigned char *in, size_t len, const unsigned char tag[16],
                     unsigned char *out)
{
    (void)g, (void)nonce, (void)aad, (void)aad_len, (void)in, (void)len, (void)tag, (void)out;
    return -1;
}

#endif
