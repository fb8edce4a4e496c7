/* tls/tls.h — TLS over OpenSSL with no socket: ciphertext in and out through buffers the caller moves.
 *
 * The engine owns the socket and moves ciphertext with io_uring; this module only turns ciphertext into
 * plaintext and back. Input is *lent*, not copied: a custom BIO reads straight from the caller's receive
 * buffer. Knows nothing of io_uring or S3. This is the seam where kernel TLS would go. */
#ifndef UR_HTTP_TLS_H
#define UR_HTTP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ur_tls_ctx;
struct ur_tls;

struct ur_tls_config {
    bool verify;         /* verify the certificate chain and the host name (default: true) */
    const char *ca_file; /* PEM bundle to trust instead of the system store; NULL: system store */
    bool no_vaes;        /* decrypt with OpenSSL even where the CPU has VAES (gcm_vaes.h) */
};

/* One context per client: trust store, TLS 1.2–1.3, AES-128-GCM preferred (cheapest to decrypt here),
 * and a session cache so that new connections to a host resume instead of doing a full handshake.
 * Returns NULL and writes a message to err on failure (e.g. an unreadable ca_file). */
struct ur_tls_ctx *ur_tls_ctx_new(const struct ur_tls_config *cfg, char *err, size_t errlen);
void ur_tls_ctx_free(struct ur_tls_ctx *ctx);

/* One per connection slot, reusable across TCP connections. NULL on out of memory. */
struct ur_tls *ur_tls_new(struct ur_tls_ctx *ctx);
void ur_tls_free(struct ur_tls *t);

/* Begins a client session on a fresh TCP connection to host (SNI unless host is an IP literal; the
 * certificate is checked against host as a DNS name or IP address). Resumes a cached session for host
 * when there is one. Drops any previous session state. 0 or -ENOMEM (-EINVAL: host over 255 bytes). */
int ur_tls_start(struct ur_tls *t, const char *host);

/* True once a resumable session for host is cached: a connection started now skips the full handshake. */
bool ur_tls_can_resume(struct ur_tls_ctx *ctx, const char *host);

/* Lends n bytes of received ciphertext. The buffer must stay valid and unchanged until ur_tls_lent()
 * returns 0 — i.e. until handshake/read calls have consumed it (a partial record is copied inside). */
void ur_tls_lend(struct ur_tls *t, const void *p, size_t n);
size_t ur_tls_lent(const struct ur_tls *t);

/* Drives the handshake. 0: established. -EAGAIN: needs more input (send ur_tls_pending() first).
 * -EKEYREJECTED: the peer's certificate was refused (chain or host name: retrying will not help).
 * -EPROTO (or another -errno): failed otherwise. ur_tls_error() says why, e.g. "certificate verify
 * failed (self-signed certificate)" or "host name mismatch". */
int ur_tls_handshake(struct ur_tls *t);

/* Decrypts into dst (up to cap bytes). >0: bytes of plaintext. -EAGAIN: all lent input used, needs more.
 * 0: the peer sent close_notify. Other -errno: failure (ur_tls_error). */
ssize_t ur_tls_read(struct ur_tls *t, void *dst, size_t cap);

/* Plaintext bytes already decrypted inside OpenSSL and not yet read. */
size_t ur_tls_buffered(const struct ur_tls *t);

/* Encrypts all n bytes of plaintext into the pending output. 0 or -errno. */
int ur_tls_write(struct ur_tls *t, const void *p, size_t n);

/* Ciphertext waiting to be sent: sets *p and returns its length (0: nothing). ur_tls_consume(t, n) after
 * n of those bytes were sent. The pointer stays valid until the next call into this module. */
size_t ur_tls_pending(struct ur_tls *t, const void **p);
void ur_tls_consume(struct ur_tls *t, size_t n);

/* The last failure in words (static or inside t); "" when none. */
const char *ur_tls_error(const struct ur_tls *t);

#endif
