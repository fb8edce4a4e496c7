/* tests/fuzz/fuzz_gcm_vaes.c — tls/gcm_vaes.c must agree with OpenSSL's AES-128-GCM on any input.
 *
 * Input: byte 0 = mode, bytes 1..16 = key, 17..28 = nonce, 29 = aad length (mod 48), then the aad, then
 * the payload. Mode bit 0 clear: the payload is ciphertext || tag as a server could send it (almost always
 * forged): ours and OpenSSL must both refuse it, or both accept it with the same plaintext. Bit 0 set: the
 * payload is plaintext, sealed by OpenSSL; ours must open it to the same bytes, and must refuse it after
 * one bit (chosen by byte 0's other bits and the length) is flipped. A no-op where the CPU lacks VAES. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tls/gcm_vaes.h"

static int s_evp(int enc, const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, int aad_len, const uint8_t *in,
                 int len, uint8_t *tag, uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l = 0, ok = c && EVP_CipherInit_ex(c, EVP_aes_128_gcm(), NULL, key, nonce, enc) &&
                    EVP_CipherUpdate(c, NULL, &l, aad, aad_len) && EVP_CipherUpdate(c, out, &l, in, len);
    if (ok && !enc) ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag);
    if (ok) ok = EVP_CipherFinal_ex(c, out + l, &l) == 1;
    if (ok && enc) ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(c);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 30 || !ur_gcm_vaes_usable()) return 0;
    uint8_t mode = data[0];
    const uint8_t *key = data + 1, *nonce = data + 17;
    size_t aad_len = data[29] % 48;
    if (size < 30 + aad_len) return 0;
    const uint8_t *aad = data + 30, *p = aad + aad_len;
    size_t n = size - 30 - aad_len;
    struct ur_gcm_vaes g;
    ur_gcm_vaes_init(&g, key);
    uint8_t *a = malloc(n + 1), *b = malloc(n + 1), tag[16];
    if (!a || !b) abort();
    if (!(mode & 1)) {
        if (n < 16) goto out;
        memcpy(tag, p + n - 16, 16);
        int ours = ur_gcm_vaes_open(&g, nonce, aad, aad_len, p, n - 16, tag, a) == 0;
        int theirs = s_evp(0, key, nonce, aad, (int)aad_len, p, (int)(n - 16), tag, b);
        if (ours != theirs || (ours && memcmp(a, b, n - 16) != 0)) abort();
    } else {
        if (!s_evp(1, key, nonce, aad, (int)aad_len, p, (int)n, tag, a)) abort();
        if (ur_gcm_vaes_open(&g, nonce, aad, aad_len, a, n, tag, b) != 0 || memcmp(b, p, n) != 0) abort();
        size_t bit = ((size_t)(mode >> 1) * 2654435761u + n) % ((n + 16) * 8);
        if (bit / 8 < n)
            a[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        else
            tag[bit / 8 - n] ^= (uint8_t)(1u << (bit % 8));
        if (ur_gcm_vaes_open(&g, nonce, aad, aad_len, a, n, tag, b) == 0) abort();
    }
out:
    free(a);
    free(b);
    return 0;
}
