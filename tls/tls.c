/* tls/tls.c — client TLS on OpenSSL 3.0 with no socket (see tls.h).
 *
 * Holds: the SSL_CTX policy (TLS 1.2–1.3, AES-128-GCM first, verification), a per-context session cache
 * keyed by host, and two small custom BIOs: the input BIO reads straight from the ciphertext the engine
 * lends (no memory-BIO copy on the receive path), the output BIO appends to a buffer owned by the
 * connection that the engine sends from and then consumes. Must not touch sockets, io_uring or S3.
 *
 * Errors: every call into OpenSSL starts with an empty per-thread error queue and leaves it empty, so a
 * message always belongs to the connection it is reported on (one thread serves all connections). */
#include "tls/tls.h"
#include "tls/tls_rec.h"
#include "tls/trust.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* Hosts whose last session is kept. urestore talks to a handful of endpoints; a full table just costs
 * one extra handshake per new host. */
#define S_SESSION_SLOTS 16
#define S_HOST_MAX 256
/* The output buffer starts large enough for a ClientHello or one request record; it grows (rarely: only
 * for a write larger than anything sent before) and never shrinks. */
#define S_OUT_INITIAL (16 * 1024 + 512)

struct s_session_slot {
    char host[S_HOST_MAX];
    SSL_SESSION *session; /* one reference owned by the slot; NULL when the slot is free */
    uint64_t stamp;       /* last store, for replacing the oldest */
};

struct ur_tls_ctx {
    SSL_CTX *ssl_ctx;
    BIO_METHOD *in_method;
    BIO_METHOD *out_method;
    bool verify;
    bool no_vaes;      /* OpenSSL decrypts even where the CPU has VAES */
    uint64_t clock;
    struct s_session_slot slots[S_SESSION_SLOTS];
};

struct ur_tls {
    struct ur_tls_ctx *ctx;
    SSL *ssl;
    const unsigned char *in; /* lent ciphertext not read yet */
    size_t in_len;
    unsigned char *out; /* ciphertext to send: out[out_off .. out_len) */
    size_t out_off, out_len, out_cap;
    int failed;       /* sticky -errno once the session failed */
    /* The fast read path (tls_rec.c): records are counted as OpenSSL consumes them so that, once it has
     * done the handshake and the first records, decryption can continue here at the right number. */
    unsigned char c_hdr[5];
    size_t c_hdr_have, c_left;   /* inside a header / bytes of body left */
    uint64_t c_records;          /* whole records consumed by OpenSSL */
    uint64_t hs_records;         /* ... of which before the handshake completed */
    unsigned char secret[EVP_MAX_MD_SIZE]; /* the server's application traffic secret (keylog) */
    size_t secret_len;
    bool app_seen;               /* OpenSSL has returned application data */
    bool fast;                   /* reads go through rec */
    struct ur_tls_rec rec;
    bool established; /* handshake done and no failure since: the session may be resumed */
    char host[S_HOST_MAX];
    char err[S_HOST_MAX + 128]; /* room for a message that names the host */
};

/* ---- input BIO: reads the lent bytes ------------------------------------------------------------------ */

/* Follows record boundaries in the bytes OpenSSL consumes (read_ahead is off, so it reads whole
 * records, header then body, and never past the one it needs). */
static void s_count_records(struct ur_tls *t, const unsigned char *p, size_t n)
{
    while (n) {
        if (t->c_left == 0) {
            size_t k = 5 - t->c_hdr_have;
            if (k > n) k = n;
            memcpy(t->c_hdr + t->c_hdr_have, p, k);
            t->c_hdr_have += k;
            p += k;
            n -= k;
            if (t->c_hdr_have < 5) return;
            t->c_hdr_have = 0;
            t->c_left = (size_t)t->c_hdr[3] << 8 | t->c_hdr[4];
            if (t->c_left == 0) t->c_records++;
        } else {
            size_t k = n < t->c_left ? n : t->c_left;
            t->c_left -= k;
            p += k;
            n -= k;
            if (t->c_left == 0) t->c_records++;
        }
    }
}

static int s_in_read(BIO *b, char *dst, size_t want, size_t *got)
{
    struct ur_tls *t = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (t->in_len == 0) {
        BIO_set_retry_read(b);
        *got = 0;
        return 0;
    }
    size_t n = want < t->in_len ? want : t->in_len;
    memcpy(dst, t->in, n);
    s_count_records(t, t->in, n);
    t->in += n;
    t->in_len -= n;
    *got = n;
    return 1;
}

static long s_in_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)num;
    (void)ptr;
    struct ur_tls *t = BIO_get_data(b);
    switch (cmd) {
    case BIO_CTRL_PENDING:
        return (long)t->in_len;
    case BIO_CTRL_FLUSH:
        return 1;
    default:
        return 0;
    }
}

/* ---- output BIO: appends to t->out ------------------------------------------------------------------ */

static int s_out_write(BIO *b, const char *src, size_t n, size_t *written)
{
    struct ur_tls *t = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (t->out_off == t->out_len) t->out_off = t->out_len = 0;
    if (t->out_cap - t->out_len < n && t->out_off > 0) {
        memmove(t->out, t->out + t->out_off, t->out_len - t->out_off);
        t->out_len -= t->out_off;
        t->out_off = 0;
    }
    if (t->out_cap - t->out_len < n) {
        size_t cap = t->out_cap * 2;
        while (cap - t->out_len < n)
            cap *= 2;
        unsigned char *p = realloc(t->out, cap);
        if (!p) return 0;
        t->out = p;
        t->out_cap = cap;
    }
    memcpy(t->out + t->out_len, src, n);
    t->out_len += n;
    *written = n;
    return 1;
}

static long s_out_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)num;
    (void)ptr;
    struct ur_tls *t = BIO_get_data(b);
    switch (cmd) {
    case BIO_CTRL_WPENDING:
        return (long)(t->out_len - t->out_off);
    case BIO_CTRL_FLUSH:
        return 1; /* the engine sends; OpenSSL only needs to hear that flushing cannot fail */
    default:
        return 0;
    }
}

static BIO_METHOD *s_bio_method(const char *name, bool input)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, name);
    if (!m) return NULL;
    int ok = input ? BIO_meth_set_read_ex(m, s_in_read) && BIO_meth_set_ctrl(m, s_in_ctrl)
                   : BIO_meth_set_write_ex(m, s_out_write) && BIO_meth_set_ctrl(m, s_out_ctrl);
    if (!ok) {
        BIO_meth_free(m);
        return NULL;
    }
    return m;
}

/* ---- session cache ---------------------------------------------------------------------------------- */

static struct s_session_slot *s_slot_find(struct ur_tls_ctx *ctx, const char *host)
{
    for (int i = 0; i < S_SESSION_SLOTS; i++)
        if (ctx->slots[i].session && strcmp(ctx->slots[i].host, host) == 0) return &ctx->slots[i];
    return NULL;
}

static void s_slot_drop(struct ur_tls_ctx *ctx, const char *host)
{
    struct s_session_slot *s = s_slot_find(ctx, host);
    if (s) {
        SSL_SESSION_free(s->session);
        s->session = NULL;
    }
}

bool ur_tls_can_resume(struct ur_tls_ctx *ctx, const char *host)
{
    struct s_session_slot *s = s_slot_find(ctx, host);
    return s && SSL_SESSION_is_resumable(s->session);
}

/* Allocated once per process: several clients may start in several threads at once. */
static int s_ex_index = -1;
static pthread_once_t s_ex_once = PTHREAD_ONCE_INIT;

static void s_ex_init(void)
{
    s_ex_index = SSL_get_ex_new_index(0, "ur_tls", NULL, NULL, NULL);
}

/* OpenSSL hands over every new session: at the end of a TLS 1.2 handshake, and for TLS 1.3 whenever a
 * ticket arrives, i.e. after the handshake, during ur_tls_read. Returning 1 keeps the reference. */
static int s_on_new_session(SSL *ssl, SSL_SESSION *sess)
{
    struct ur_tls *t = SSL_get_ex_data(ssl, s_ex_index);
    if (!t || !t->host[0] || !SSL_SESSION_is_resumable(sess)) return 0;
    struct ur_tls_ctx *ctx = t->ctx;
    struct s_session_slot *s = s_slot_find(ctx, t->host);
    if (!s) {
        s = &ctx->slots[0];
        for (int i = 1; i < S_SESSION_SLOTS && s->session; i++)
            if (!ctx->slots[i].session || ctx->slots[i].stamp < s->stamp) s = &ctx->slots[i];
        snprintf(s->host, sizeof s->host, "%s", t->host);
    }
    if (s->session) SSL_SESSION_free(s->session);
    s->session = sess;
    s->stamp = ++ctx->clock;
    return 1;
}

/* TLS 1.3 traffic secrets arrive through the key-log hook; only the server's application secret is kept,
 * in memory, for the fast read path. Nothing is logged. */
static void s_on_keylog(const SSL *ssl, const char *line)
{
    static const char label[] = "SERVER_TRAFFIC_SECRET_0 ";
    struct ur_tls *t = SSL_get_ex_data(ssl, s_ex_index);
    if (!t || strncmp(line, label, sizeof(label) - 1) != 0) return;
    const char *hex = strchr(line + sizeof(label) - 1, ' ');
    if (!hex) return;
    hex++;
    size_t n = strlen(hex) / 2;
    if (n > sizeof(t->secret)) return;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) return;
        t->secret[i] = (unsigned char)v;
    }
    t->secret_len = n;
}

/* Switches reads to tls_rec.c when that is safe: TLS 1.3 with AES-GCM, OpenSSL has returned data (so
 * the session tickets that follow the handshake went through it), holds no plaintext, and stopped at a
 * record boundary. Until then, and for TLS 1.2 or ChaCha20, OpenSSL reads. */
static void s_maybe_go_fast(struct ur_tls *t)
{
    if (t->fast || !t->app_seen || !t->secret_len || t->c_left || t->c_hdr_have || SSL_pending(t->ssl)) return;
    if (SSL_version(t->ssl) != TLS1_3_VERSION) return;
    const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);
    uint32_t id = c ? SSL_CIPHER_get_id(c) : 0;
    const EVP_CIPHER *cipher = id == 0x03001301 ? EVP_aes_128_gcm() : id == 0x03001302 ? EVP_aes_256_gcm() : NULL;
    const EVP_MD *md = id == 0x03001301 ? EVP_sha256() : EVP_sha384();
    if (!cipher) return;
    if (ur_tls_rec_init(&t->rec, cipher, md, t->secret, t->secret_len, t->c_records - t->hs_records,
                        !t->ctx->no_vaes) == 0)
        t->fast = true;
    OPENSSL_cleanse(t->secret, sizeof(t->secret));
    t->secret_len = 0;
}

/* ---- errors ----------------------------------------------------------------------------------------- */

/* Puts the OpenSSL error queue's first reason (the root cause) and the verify result into t->err, then
 * empties the queue. */
static int s_fail(struct ur_tls *t, int ssl_err, const char *when)
{
    unsigned long e = ERR_get_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    long vr = SSL_get_verify_result(t->ssl);
    ERR_clear_error();

    if (ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED && vr != X509_V_OK) {
        if (vr == X509_V_ERR_HOSTNAME_MISMATCH)
            snprintf(t->err, sizeof t->err, "host name mismatch: the certificate is not for %s", t->host);
        else if (vr == X509_V_ERR_IP_ADDRESS_MISMATCH)
            snprintf(t->err, sizeof t->err, "IP address mismatch: the certificate is not for %s", t->host);
        else
            snprintf(t->err, sizeof t->err, "certificate verify failed (%s)",
                     X509_verify_cert_error_string(vr));
        t->failed = -EKEYREJECTED;
        t->established = false;
        if (t->host[0]) s_slot_drop(t->ctx, t->host);
        return t->failed;
    } else if (reason) {
        snprintf(t->err, sizeof t->err, "TLS %s failed: %s", when, reason);
    } else if (ssl_err == SSL_ERROR_ZERO_RETURN) {
        snprintf(t->err, sizeof t->err, "TLS %s failed: the peer closed the session", when);
    } else {
        snprintf(t->err, sizeof t->err, "TLS %s failed (SSL error %d)", when, ssl_err);
    }
    t->failed = -EPROTO;
    t->established = false;
    if (t->host[0]) s_slot_drop(t->ctx, t->host); /* the cached session may be why */
    return t->failed;
}

/* ---- context ---------------------------------------------------------------------------------------- */

struct ur_tls_ctx *ur_tls_ctx_new(const struct ur_tls_config *cfg, char *err, size_t errlen)
{
    bool verify = cfg ? cfg->verify : true;
    const char *ca_file = cfg ? cfg->ca_file : NULL;
    const char *what = "out of memory";

    ERR_clear_error();
    pthread_once(&s_ex_once, s_ex_init);
    struct ur_tls_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx || s_ex_index < 0) goto fail;
    ctx->verify = verify;
    ctx->no_vaes = cfg ? cfg->no_vaes : false;
    ctx->in_method = s_bio_method("ur_tls lent input", true);
    ctx->out_method = s_bio_method("ur_tls output", false);
    ctx->ssl_ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx->in_method || !ctx->out_method || !ctx->ssl_ctx) goto fail;
    SSL_CTX *c = ctx->ssl_ctx;

    what = "TLS setup failed";
    /* AES-128-GCM first: the cheapest AEAD to decrypt with AES-NI, and what S3 picks when offered. */
    if (!SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) ||
        !SSL_CTX_set_ciphersuites(
            c, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") ||
        !SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"))
        goto fail;
    /* A client never wants a renegotiation (S3 does not ask); compression is off in 3.0 already. */
    SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    /* Keep the record buffers between reads: releasing them costs a free and a malloc per record. */
    SSL_CTX_clear_mode(c, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_mode(c, SSL_MODE_AUTO_RETRY);
    /* read_ahead off: OpenSSL reads a record's 5-byte header, then exactly its body, from the lent
     * buffer. Measured with test_tls.c's benchmark (512 MiB, 16 KiB records, 64 KiB lent, 4 MiB dst,
     * three runs each): off 0.320-0.323 CPU-ns/byte; on 0.321-0.332; on with a 64 KiB read buffer
     * 0.340-0.351 (the larger buffer falls out of L1). Off is as fast and keeps the accounting simple. */
    SSL_CTX_set_read_ahead(c, 0);

    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(c, s_on_new_session);
    SSL_CTX_set_keylog_callback(c, s_on_keylog);

    if (verify) {
        SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
        if (ca_file) {
            if (!SSL_CTX_load_verify_locations(c, ca_file, NULL)) {
                unsigned long e = ERR_peek_error();
                snprintf(err, errlen, "cannot load CA file %s: %s", ca_file,
                         e ? ERR_reason_error_string(e) : "unknown error");
                ERR_clear_error();
                ur_tls_ctx_free(ctx);
                return NULL;
            }
        } else if (!ur_trust_system(c)) {
            what = "cannot load the system trust store";
            goto fail;
        }
    } else {
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
    }
    ERR_clear_error();
    return ctx;

fail:
    if (err && errlen) snprintf(err, errlen, "%s", what);
    ERR_clear_error();
    ur_tls_ctx_free(ctx);
    return NULL;
}

void ur_tls_ctx_free(struct ur_tls_ctx *ctx)
{
    if (!ctx) return;
    for (int i = 0; i < S_SESSION_SLOTS; i++)
        SSL_SESSION_free(ctx->slots[i].session);
    SSL_CTX_free(ctx->ssl_ctx);
    BIO_meth_free(ctx->in_method);
    BIO_meth_free(ctx->out_method);
    free(ctx);
}

/* ---- connection ------------------------------------------------------------------------------------- */

/* Frees the SSL object. A session whose connection ended without close_notify is marked "not resumable"
 * by OpenSSL (RFC 2246's truncation rule), and that would spoil the copy shared by our cache. S3 closes
 * idle keep-alive connections without close_notify, and the engine checks every body length itself, so
 * an established connection is declared shut down first. */
static void s_ssl_free(struct ur_tls *t)
{
    if (t->fast) ur_tls_rec_free(&t->rec);
    t->fast = t->app_seen = false;
    t->c_hdr_have = t->c_left = 0;
    t->c_records = t->hs_records = 0;
    OPENSSL_cleanse(t->secret, sizeof(t->secret));
    t->secret_len = 0;
    if (!t->ssl) return;
    if (t->established) SSL_set_shutdown(t->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(t->ssl);
    ERR_clear_error();
    t->ssl = NULL;
}

struct ur_tls *ur_tls_new(struct ur_tls_ctx *ctx)
{
    struct ur_tls *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->ctx = ctx;
    t->out_cap = S_OUT_INITIAL;
    t->out = malloc(t->out_cap);
    if (!t->out) {
        free(t);
        return NULL;
    }
    return t;
}

void ur_tls_free(struct ur_tls *t)
{
    if (!t) return;
    s_ssl_free(t);
    free(t->out);
    free(t);
}

/* A fresh SSL object per TCP connection rather than SSL_clear(): the whole of ur_tls_start (SSL_free,
 * SSL_new, two BIOs, SNI, host check, session) costs ~2 us of CPU here, against ~160 us for the client
 * side of even a resumed TLS 1.3 handshake (both measured by test_tls.c), and a fresh object cannot
 * carry state from the last peer, which SSL_clear() does (its manual advises against reusing an
 * object across peers whose settings may differ, e.g. different S3 front ends behind one name). */
static int s_ssl_new(struct ur_tls *t)
{
    SSL *ssl = SSL_new(t->ctx->ssl_ctx);
    BIO *in = BIO_new(t->ctx->in_method);
    BIO *out = BIO_new(t->ctx->out_method);
    if (!ssl || !in || !out || !SSL_set_ex_data(ssl, s_ex_index, t)) {
        SSL_free(ssl);
        BIO_free(in);
        BIO_free(out);
        ERR_clear_error();
        return -ENOMEM;
    }
    BIO_set_data(in, t);
    BIO_set_init(in, 1);
    BIO_set_data(out, t);
    BIO_set_init(out, 1);
    SSL_set_bio(ssl, in, out);
    t->ssl = ssl;
    return 0;
}

int ur_tls_start(struct ur_tls *t, const char *host)
{
    size_t hlen = strlen(host);
    if (hlen >= sizeof t->host) return -EINVAL;
    s_ssl_free(t);
    t->in = NULL;
    t->in_len = 0;
    t->out_off = t->out_len = 0;
    t->failed = 0;
    t->established = false;
    t->err[0] = '\0';
    t->host[0] = '\0';
    ERR_clear_error();
    int rc = s_ssl_new(t);
    if (rc < 0) return rc;
    memcpy(t->host, host, hlen + 1);

    /* An IP literal (optionally in brackets) is checked against the certificate's IP addresses and
     * sends no SNI (RFC 6066 forbids literal addresses there). */
    char ip[64];
    const char *name = host;
    if (host[0] == '[' && hlen > 2 && hlen - 2 < sizeof ip && host[hlen - 1] == ']') {
        memcpy(ip, host + 1, hlen - 2);
        ip[hlen - 2] = '\0';
        name = ip;
    }
    unsigned char addr[16];
    bool is_ip = inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;

    int ok = 1;
    if (t->ctx->verify) {
        if (is_ip) {
            ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), name);
        } else {
            SSL_set_hostflags(t->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            ok = SSL_set1_host(t->ssl, host);
        }
    }
    if (ok && !is_ip) ok = SSL_set_tlsext_host_name(t->ssl, host);

    struct s_session_slot *s = s_slot_find(t->ctx, host);
    if (ok && s && SSL_SESSION_is_resumable(s->session)) ok = SSL_set_session(t->ssl, s->session);
    SSL_set_connect_state(t->ssl);
    ERR_clear_error();
    return ok ? 0 : -ENOMEM;
}

void ur_tls_lend(struct ur_tls *t, const void *p, size_t n)
{
    t->in = p;
    t->in_len = n;
}

size_t ur_tls_lent(const struct ur_tls *t)
{
    return t->in_len;
}

int ur_tls_handshake(struct ur_tls *t)
{
    if (t->failed) return t->failed;
    if (!t->ssl) return -EINVAL;
    ERR_clear_error();
    int r = SSL_do_handshake(t->ssl);
    if (r == 1) {
        t->established = true;
        /* From here on the server's records are under its application keys. */
        t->hs_records = t->c_records;
        if (t->c_left || t->c_hdr_have) t->secret_len = 0; /* not at a boundary: no fast path */
        return 0;
    }
    int e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ) {
        ERR_clear_error();
        return -EAGAIN;
    }
    return s_fail(t, e, "handshake");
}

ssize_t ur_tls_read(struct ur_tls *t, void *dst, size_t cap)
{
    if (t->failed) return t->failed;
    if (!t->ssl || cap == 0) return -EINVAL;
    if (t->fast) {
        const char *why = "";
        ssize_t n = ur_tls_rec_read(&t->rec, &t->in, &t->in_len, dst, cap, &why);
        if (n == -EPROTO) {
            snprintf(t->err, sizeof t->err, "%s", why);
            t->failed = -EPROTO;
        }
        return n;
    }
    ERR_clear_error();
    /* SSL_read_ex returns at most one record (16 KiB) per call: loop until dst is full or the lent
     * input runs out, so one call fills a multi-megabyte sink buffer. */
    unsigned char *d = dst;
    size_t total = 0;
    while (total < cap) {
        size_t got = 0;
        int r = SSL_read_ex(t->ssl, d + total, cap - total, &got);
        if (r == 1) {
            total += got;
            t->app_seen = true;
            s_maybe_go_fast(t);
            if (t->fast) {
                ssize_t more = total < cap ? ur_tls_read(t, d + total, cap - total) : 0;
                if (more > 0) total += (size_t)more;
                return (ssize_t)total;
            }
            continue;
        }
        int e = SSL_get_error(t->ssl, r);
        if (e == SSL_ERROR_WANT_READ) {
            ERR_clear_error();
            return total ? (ssize_t)total : -EAGAIN;
        }
        if (e == SSL_ERROR_ZERO_RETURN) {
            ERR_clear_error();
            return (ssize_t)total; /* close_notify: 0 now, or on the next call */
        }
        /* Hand over what was decrypted; the failure is sticky and comes with the next call. */
        int rc = s_fail(t, e, "read");
        return total ? (ssize_t)total : rc;
    }
    return (ssize_t)total;
}

size_t ur_tls_buffered(const struct ur_tls *t)
{
    if (t->fast) return ur_tls_rec_buffered(&t->rec);
    return t->ssl ? (size_t)SSL_pending(t->ssl) : 0;
}

int ur_tls_write(struct ur_tls *t, const void *p, size_t n)
{
    if (t->failed) return t->failed;
    if (!t->ssl) return -EINVAL;
    if (n == 0) return 0;
    ERR_clear_error();
    size_t written = 0;
    int r = SSL_write_ex(t->ssl, p, n, &written);
    if (r == 1 && written == n) return 0;
    int e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ) {
        ERR_clear_error(); /* handshake not finished: the caller wrote too early */
        return -EAGAIN;
    }
    return s_fail(t, e, "write");
}

size_t ur_tls_pending(struct ur_tls *t, const void **p)
{
    *p = t->out + t->out_off;
    return t->out_len - t->out_off;
}

void ur_tls_consume(struct ur_tls *t, size_t n)
{
    if (n > t->out_len - t->out_off) n = t->out_len - t->out_off;
    t->out_off += n;
    if (t->out_off == t->out_len) t->out_off = t->out_len = 0;
}

const char *ur_tls_error(const struct ur_tls *t)
{
    return t->err;
}
