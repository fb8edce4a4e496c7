/* tests/unit/test_gcm_vaes.c — tls/gcm_vaes.c against OpenSSL's AES-128-GCM, byte for byte.
 *
 * Sealed by OpenSSL, opened by ours: every length from 0 to 1,100 bytes (all the tails and the edges of
 * the 256-byte step), random lengths up to 70,000 with random additional data, in place and not; a
 * flipped bit anywhere in ciphertext, tag, nonce or additional data must be refused. Plus the published
 * test case 2 of the GCM specification. Then prints (does not assert) the speed of both on 16 KiB
 * records. Exit 77 (skip) on a CPU without VAES/VPCLMULQDQ/AVX-512 or with URESTORE_NO_VAES set. */
#include "tls/gcm_vaes.h"

#include "tests/unit/check.h"

#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#define S_MAX 70000

static unsigned char s_pt[S_MAX], s_ct[S_MAX], s_out[S_MAX + 1]; /* + the sentinel after the plaintext */

static void s_seal(const unsigned char key[16], const unsigned char nonce[12], const unsigned char *aad, int aad_len,
                   const unsigned char *in, int len, unsigned char *out, unsigned char tag[16])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l = 0;
    CHECK(c && EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, nonce));
    CHECK(EVP_EncryptUpdate(c, NULL, &l, aad, aad_len) && EVP_EncryptUpdate(c, out, &l, in, len));
    CHECK(EVP_EncryptFinal_ex(c, out + l, &l) && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag));
    EVP_CIPHER_CTX_free(c);
}

static int s_evp_open(const unsigned char key[16], const unsigned char nonce[12], const unsigned char *aad,
                      int aad_len, const unsigned char *in, int len, const unsigned char tag[16], unsigned char *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l = 0;
    int ok = EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, nonce) && EVP_DecryptUpdate(c, NULL, &l, aad, aad_len) &&
             EVP_DecryptUpdate(c, out, &l, in, len) && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) &&
             EVP_DecryptFinal_ex(c, out + l, &l) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

static unsigned s_rand(unsigned n)
{
    unsigned v;
    RAND_bytes((unsigned char *)&v, sizeof(v));
    return v % n;
}

/* One case: seal with OpenSSL, open with ours (into a separate buffer and in place), then tamper. */
static void s_case(int len, int aad_len)
{
    unsigned char key[16], nonce[12], aad[64], tag[16];
    struct ur_gcm_vaes g;
    RAND_bytes(key, sizeof(key));
    RAND_bytes(nonce, sizeof(nonce));
    RAND_bytes(aad, sizeof(aad));
    RAND_bytes(s_pt, len);
    s_seal(key, nonce, aad, aad_len, s_pt, len, s_ct, tag);
    ur_gcm_vaes_init(&g, key);

    memset(s_out, 0xa5, (size_t)len + 1);
    int r = ur_gcm_vaes_open(&g, nonce, aad, (size_t)aad_len, s_ct, (size_t)len, tag, s_out);
    if (r != 0 || memcmp(s_out, s_pt, (size_t)len) != 0 || s_out[len] != 0xa5) {
        fprintf(stderr, "length %d, aad %d: open returned %d or the plaintext differs\n", len, aad_len, r);
        check_failures++;
        return;
    }
    memcpy(s_out, s_ct, (size_t)len);
    CHECK(ur_gcm_vaes_open(&g, nonce, aad, (size_t)aad_len, s_out, (size_t)len, tag, s_out) == 0);
    CHECK(memcmp(s_out, s_pt, (size_t)len) == 0);

    /* One flipped bit in each input in turn. */
    unsigned char *what[4] = {s_ct, tag, nonce, aad};
    int lens[4] = {len, 16, 12, aad_len};
    for (int w = 0; w < 4; w++) {
        if (lens[w] == 0) continue;
        unsigned at = s_rand((unsigned)lens[w]), bit = 1u << s_rand(8);
        what[w][at] ^= (unsigned char)bit;
        if (ur_gcm_vaes_open(&g, nonce, aad, (size_t)aad_len, s_ct, (size_t)len, tag, s_out) == 0) {
            fprintf(stderr, "length %d, aad %d: a flipped bit in input %d was accepted\n", len, aad_len, w);
            check_failures++;
        }
        what[w][at] ^= (unsigned char)bit;
    }
}

/* GCM specification (McGrew and Viega), test case 2: zero key, zero IV, one zero block. */
static void s_spec_case(void)
{
    static const unsigned char c2[16] = {0x03, 0x88, 0xda, 0xce, 0x60, 0xb6, 0xa3, 0x92,
                                         0xf3, 0x28, 0xc2, 0xb9, 0x71, 0xb2, 0xfe, 0x78};
    static const unsigned char t2[16] = {0xab, 0x6e, 0x47, 0xd4, 0x2c, 0xec, 0x13, 0xbd,
                                         0xf5, 0x3a, 0x67, 0xb2, 0x12, 0x57, 0xbd, 0xdf};
    unsigned char key[16] = {0}, nonce[12] = {0}, out[16], zero[16] = {0};
    struct ur_gcm_vaes g;
    ur_gcm_vaes_init(&g, key);
    CHECK(ur_gcm_vaes_open(&g, nonce, NULL, 0, c2, 16, t2, out) == 0);
    CHECK(memcmp(out, zero, 16) == 0);
}

static double s_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 16,385-byte records (a full TLS record's ciphertext), as the record reader sees them. */
static void s_bench(void)
{
    unsigned char key[16], nonce[12], aad[5] = {23, 3, 3, 0x40, 0x11}, tag[16];
    const int len = 16385, n = 20000;
    struct ur_gcm_vaes g;
    RAND_bytes(key, sizeof(key));
    RAND_bytes(nonce, sizeof(nonce));
    RAND_bytes(s_pt, len);
    s_seal(key, nonce, aad, 5, s_pt, len, s_ct, tag);
    ur_gcm_vaes_init(&g, key);
    double gib = (double)n * len / (1 << 30);
    double t0 = s_cpu();
    for (int i = 0; i < n; i++) CHECK(s_evp_open(key, nonce, aad, 5, s_ct, len, tag, s_out) == 0);
    double t1 = s_cpu();
    for (int i = 0; i < n; i++) CHECK(ur_gcm_vaes_open(&g, nonce, aad, 5, s_ct, (size_t)len, tag, s_out) == 0);
    double t2 = s_cpu();
    printf("AES-128-GCM decrypt, 16 KiB records: OpenSSL %.3f CPU-s/GiB, VAES %.3f CPU-s/GiB\n", (t1 - t0) / gib,
           (t2 - t1) / gib);
}

int main(void)
{
    if (!ur_gcm_vaes_usable()) {
        printf("skip: this CPU has no VAES/VPCLMULQDQ/AVX-512 (or URESTORE_NO_VAES is set)\n");
        return 77;
    }
    s_spec_case();
    for (int len = 0; len <= 1100; len++) s_case(len, len % 21);
    for (int i = 0; i < 400; i++) s_case((int)s_rand(S_MAX), (int)s_rand(64));
    s_case(S_MAX, 5);
    if (check_failures == 0) s_bench();
    return CHECK_DONE();
}
