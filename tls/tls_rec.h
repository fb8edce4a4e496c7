/* tls/tls_rec.h — a TLS 1.3 AES-GCM record reader that decrypts straight into the caller's buffer.
 *
 * Internal to http/ (tls.c switches to it once OpenSSL has done the handshake and the first records).
 * OpenSSL's SSL_read copies each record's ciphertext into its own buffer and the plaintext out again:
 * ~20 % of an HTTPS download's CPU here. This reader takes whole records from the lent receive buffer
 * and decrypts them in one pass into the destination; only records that straddle two receive buffers,
 * or that do not fit the destination, go through a scratch buffer. Read side only: requests are still
 * encrypted by OpenSSL, whose write state this does not touch. */
#ifndef UR_HTTP_TLS_REC_H
#define UR_HTTP_TLS_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include "tls/gcm_vaes.h"

#define UR_TLS_REC_MAX (16384 + 256) /* TLS 1.3 ciphertext limit: 2^14 + 256 */

struct ur_tls_rec {
    EVP_CIPHER_CTX *ctx;
    struct ur_gcm_vaes *vaes;     /* AES-128-GCM on VAES when the CPU has it (gcm_vaes.h), else NULL */
    unsigned char iv[12];
    uint64_t seq;                 /* of the next record */
    unsigned char hdr[5];         /* a record header being assembled across receive buffers */
    size_t hdr_have;
    unsigned char *rec;           /* a record body being assembled (UR_TLS_REC_MAX bytes) */
    size_t rec_len, rec_have;     /* rec_len 0: none in progress */
    unsigned char *plain;         /* plaintext that did not fit the caller's buffer */
    size_t plain_off, plain_len;
    bool closed;                  /* close_notify seen */
};

/* Sets up decryption with the server's application traffic secret (TLS 1.3: key and IV derived with
 * HKDF-Expand-Label over md), starting at record number seq. With use_vaes, AES-128-GCM runs on VAES
 * where the CPU has it. 0 or -ENOMEM / -EINVAL. */
int ur_tls_rec_init(struct ur_tls_rec *r, const EVP_CIPHER *cipher, const EVP_MD *md, const unsigned char *secret,
                    size_t secret_len, uint64_t seq, bool use_vaes);
void ur_tls_rec_free(struct ur_tls_rec *r);

/* Decrypts from *in (advancing *in and *in_len) into dst, at most cap bytes. Returns >0 bytes,
 * -EAGAIN when the input ran out first, 0 after close_notify, -EPROTO on a bad record (failed tag,
 * unexpected content type, a KeyUpdate it cannot follow); *why then says what. */
ssize_t ur_tls_rec_read(struct ur_tls_rec *r, const unsigned char **in, size_t *in_len, unsigned char *dst,
                        size_t cap, const char **why);

/* Plaintext already decrypted and not yet read. */
size_t ur_tls_rec_buffered(const struct ur_tls_rec *r);

#endif
