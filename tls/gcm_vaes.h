/* tls/gcm_vaes.h — AES-128-GCM decryption with VAES and VPCLMULQDQ (AVX-512), for the TLS record reader.
 *
 * Debian 12's OpenSSL 3.0 decrypts AES-GCM with its AES-NI/AVX2 code, 128 bits per instruction: ~4.3 GB/s
 * on this machine's EPYC, 45 % of an HTTPS download's CPU. CPUs with VAES and VPCLMULQDQ do the same
 * work on four blocks per instruction. This is only the bulk decrypt of application records; keys,
 * handshakes and everything else stay OpenSSL's, and where the CPU lacks these instructions (or
 * URESTORE_NO_VAES is set) the reader keeps using OpenSSL's EVP interface. Written from NIST SP 800-38D;
 * tests/unit/test_gcm_vaes.c checks it against OpenSSL byte for byte. */
#ifndef UR_HTTP_GCM_VAES_H
#define UR_HTTP_GCM_VAES_H

#include <stdbool.h>
#include <stddef.h>

struct ur_gcm_vaes {
    unsigned char rk[11][16];    /* AES-128 round keys */
    unsigned char hpow[16][16];  /* H^16 .. H^1, byte-reflected, in the order the 16-block loop uses them */
};

/* True when this CPU and kernel can run it (AVX-512 F/BW/VL state enabled, VAES, VPCLMULQDQ) and the
 * environment does not say URESTORE_NO_VAES. */
bool ur_gcm_vaes_usable(void);

/* Expands key (16 bytes). The caller wipes the struct when done (it holds the key schedule). */
void ur_gcm_vaes_init(struct ur_gcm_vaes *g, const unsigned char key[16]);

/* Decrypts len bytes of in into out (which may be in) under the 12-byte nonce and aad, and checks tag.
 * 0, or -1 when the tag does not match (out then holds unauthenticated bytes the caller must not use). */
int ur_gcm_vaes_open(const struct ur_gcm_vaes *g, const unsigned char nonce[12], const unsigned char *aad,
                     size_t aad_len, const unsigned char *in, size_t len, const unsigned char tag[16],
                     unsigned char *out);

#endif
