/* tests/unit/test_tls.c — tls/tls.c against an in-process OpenSSL server, bytes shuttled in memory.
 *
 * A throwaway CA and a server certificate for "localhost" and 127.0.0.1 are made with the OpenSSL API at
 * start. Checks verification (CA file, system store, host and IP checks, verify off), TLS 1.2 and 1.3,
 * an 8 MiB transfer through odd lent sizes into big and tiny buffers, session resumption and
 * close_notify; then prints (does not assert) the client's CPU cost to decrypt 256 MiB
 * (UR_TLS_BENCH_MIB overrides the size, 0 skips it; UR_TLS_BENCH_ONLY=1 runs only the benchmark). */
#include "tls/tls.h"

#include "tests/unit/check.h"

#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

static EVP_PKEY *s_ca_key, *s_srv_key;
static X509 *s_ca_cert, *s_srv_cert;
static char s_ca_path[256];

static int s_add_ext(X509 *issuer, X509 *cert, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (!ext) return -1;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* Issues a certificate for key named cn, signed by issuer (self-signed when issuer is NULL). */
static X509 *s_make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, bool ca)
{
    static long serial = 1;
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509_set_pubkey(x, key);
    X509 *iss = issuer ? issuer : x;
    int bad = 0;
    if (ca) {
        bad |= s_add_ext(iss, x, NID_basic_constraints, "critical,CA:TRUE");
        bad |= s_add_ext(iss, x, NID_key_usage, "critical,keyCertSign,cRLSign");
        bad |= s_add_ext(iss, x, NID_subject_key_identifier, "hash");
    } else {
        bad |= s_add_ext(iss, x, NID_basic_constraints, "CA:FALSE");
        bad |= s_add_ext(iss, x, NID_ext_key_usage, "serverAuth");
        bad |= s_add_ext(iss, x, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
        bad |= s_add_ext(iss, x, NID_authority_key_identifier, "keyid");
    }
    if (bad || !X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256())) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int s_make_pki(void)
{
    s_ca_key = EVP_EC_gen("P-256");
    s_srv_key = EVP_EC_gen("P-256");
    if (!s_ca_key || !s_srv_key) return -1;
    s_ca_cert = s_make_cert(s_ca_key, "urestore test CA", NULL, NULL, true);
    if (!s_ca_cert) return -1;
    s_srv_cert = s_make_cert(s_srv_key, "localhost", s_ca_cert, s_ca_key, false);
    if (!s_srv_cert) return -1;
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(s_ca_path, sizeof s_ca_path, "%s/ur_test_tls_ca_XXXXXX", dir);
    int fd = mkstemp(s_ca_path);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "w");
    int ok = f && PEM_write_X509(f, s_ca_cert);
    if (f) fclose(f);
    return ok ? 0 : -1;
}

static SSL_CTX *s_server_ctx(int max_version)
{
    SSL_CTX *c = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(c, s_srv_cert);
    SSL_CTX_use_PrivateKey(c, s_srv_key);
    SSL_CTX_add1_chain_cert(c, s_ca_cert);
    SSL_CTX_set_max_proto_version(c, max_version);
    SSL_CTX_set_session_id_context(c, (const unsigned char *)"ut", 2);
    return c;
}

/* Ciphertext from the server on its way to the client. */
struct wire {
    unsigned char *buf;
    size_t off, len, cap;
};

struct pair {
    struct ur_tls *c;
    SSL *s;
    struct wire w;
    size_t lend; /* how many bytes to lend at a time */
};

static void s_wire_reset(struct wire *w)
{
    w->off = w->len = 0;
}

/* Moves the server's output onto the wire. */
static void s_server_out(struct pair *k)
{
    BIO *b = SSL_get_wbio(k->s);
    size_t avail;
    while ((avail = (size_t)BIO_ctrl_pending(b)) > 0) {
        if (k->w.off > 0 && k->w.off == k->w.len) s_wire_reset(&k->w);
        if (k->w.cap - k->w.len < avail) {
            if (k->w.off > 0) {
                memmove(k->w.buf, k->w.buf + k->w.off, k->w.len - k->w.off);
                k->w.len -= k->w.off;
                k->w.off = 0;
            }
            while (k->w.cap - k->w.len < avail)
                k->w.cap = k->w.cap ? k->w.cap * 2 : 1 << 20;
            k->w.buf = realloc(k->w.buf, k->w.cap);
        }
        int n = BIO_read(b, k->w.buf + k->w.len, (int)avail);
        if (n <= 0) break;
        k->w.len += (size_t)n;
    }
}

/* Sends the client's pending ciphertext to the server. */
static void s_client_out(struct pair *k)
{
    const void *p;
    size_t n;
    while ((n = ur_tls_pending(k->c, &p)) > 0) {
        BIO_write(SSL_get_rbio(k->s), p, (int)n);
        ur_tls_consume(k->c, n);
    }
}

/* Lends the next piece of the wire once the last one is used up; false when the wire is empty. */
static bool s_lend_next(struct pair *k)
{
    if (ur_tls_lent(k->c) > 0) return true;
    if (k->w.off == k->w.len) return false;
    size_t n = k->w.len - k->w.off < k->lend ? k->w.len - k->w.off : k->lend;
    ur_tls_lend(k->c, k->w.buf + k->w.off, n);
    k->w.off += n;
    return true;
}

static int s_pair_start(struct pair *k, struct ur_tls *c, SSL_CTX *sctx, const char *host)
{
    k->c = c;
    if (k->s) SSL_free(k->s);
    k->s = SSL_new(sctx);
    SSL_set_bio(k->s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    SSL_set_accept_state(k->s);
    s_wire_reset(&k->w);
    if (!k->lend) k->lend = 16 * 1024;
    return ur_tls_start(c, host);
}

/* Runs both handshakes to the end; the client's result. */
static int s_handshake(struct pair *k)
{
    for (int i = 0; i < 100000; i++) {
        int rc = ur_tls_handshake(k->c);
        s_client_out(k);
        if (!SSL_is_init_finished(k->s)) {
            SSL_do_handshake(k->s);
            ERR_clear_error();
        }
        s_server_out(k);
        if (rc != -EAGAIN) return rc;
        if (!s_lend_next(k)) return -EDEADLK;
    }
    return -ELOOP;
}

/* Server writes n bytes of pattern (offset from) in records of up to rec bytes, onto the wire. */
static void s_server_send(struct pair *k, uint64_t from, size_t n, size_t rec)
{
    unsigned char buf[16384];
    while (n > 0) {
        size_t m = n < rec ? n : rec;
        if (m > sizeof buf) m = sizeof buf;
        for (size_t i = 0; i < m; i++)
            buf[i] = (unsigned char)((from + i) * 2654435761u >> 13);
        size_t w;
        if (SSL_write_ex(k->s, buf, m, &w) != 1 || w != m) {
            fprintf(stderr, "server SSL_write failed\n");
            exit(1);
        }
        from += m;
        n -= m;
        /* drain now and then so that the server's memory BIO stays small */
        if (BIO_ctrl_pending(SSL_get_wbio(k->s)) > (4u << 20)) s_server_out(k);
    }
    s_server_out(k);
}

/* Client reads until the wire runs dry into reads of cap bytes; checks the pattern from *at. */
static int s_client_receive(struct pair *k, unsigned char *dst, size_t cap, uint64_t *at)
{
    int bad = 0;
    for (;;) {
        ssize_t n = ur_tls_read(k->c, dst, cap);
        if (n == -EAGAIN) {
            if (!s_lend_next(k)) return bad;
            continue;
        }
        if (n <= 0) return n == 0 ? bad : (int)n;
        for (ssize_t i = 0; i < n && !bad; i++)
            if (dst[i] != (unsigned char)((*at + (uint64_t)i) * 2654435761u >> 13)) bad = 1;
        *at += (uint64_t)n;
        s_client_out(k); /* e.g. a KeyUpdate answer */
    }
}

static double s_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct ur_tls_ctx *s_ctx(bool verify, const char *ca)
{
    struct ur_tls_config cfg = {.verify = verify, .ca_file = ca};
    char err[256] = "";
    struct ur_tls_ctx *ctx = ur_tls_ctx_new(&cfg, err, sizeof err);
    if (!ctx) fprintf(stderr, "ur_tls_ctx_new: %s\n", err);
    return ctx;
}

static void test_verify(SSL_CTX *sctx)
{
    struct pair k = {0};
    struct ur_tls_ctx *good = s_ctx(true, s_ca_path);
    struct ur_tls_ctx *system = s_ctx(true, NULL);
    struct ur_tls_ctx *none = s_ctx(false, NULL);
    CHECK(good && system && none);
    if (!good || !system || !none) return;

    struct ur_tls *t = ur_tls_new(good);
    CHECK_EQ_INT(s_pair_start(&k, t, sctx, "localhost"), 0);
    CHECK_EQ_INT(s_handshake(&k), 0);
    CHECK_EQ_STR(ur_tls_error(t), "");

    CHECK_EQ_INT(s_pair_start(&k, t, sctx, "127.0.0.1"), 0);
    CHECK_EQ_INT(s_handshake(&k), 0);

    CHECK_EQ_INT(s_pair_start(&k, t, sctx, "example.com"), 0);
    CHECK_EQ_INT(s_handshake(&k), -EKEYREJECTED);
    CHECK(strstr(ur_tls_error(t), "host name mismatch") != NULL);
    /* a failure is sticky on that session */
    char b[4];
    CHECK_EQ_INT(ur_tls_read(t, b, sizeof b), -EKEYREJECTED);

    CHECK_EQ_INT(s_pair_start(&k, t, sctx, "127.0.0.2"), 0);
    CHECK_EQ_INT(s_handshake(&k), -EKEYREJECTED);
    CHECK(strstr(ur_tls_error(t), "IP address mismatch") != NULL);

    /* and the next connection's message starts clean */
    CHECK_EQ_INT(s_pair_start(&k, t, sctx, "localhost"), 0);
    CHECK_EQ_STR(ur_tls_error(t), "");
    CHECK_EQ_INT(s_handshake(&k), 0);
    ur_tls_free(t);

    t = ur_tls_new(system);
    CHECK_EQ_INT(s_pair_start(&k, t, sctx, "localhost"), 0);
    CHECK_EQ_INT(s_handshake(&k), -EKEYREJECTED);
    CHECK(strstr(ur_tls_error(t), "certificate verify failed (") != NULL);
    fprintf(stderr, "system store: %s\n", ur_tls_error(t));
    CHECK(ERR_peek_error() == 0);
    ur_tls_free(t);

    t = ur_tls_new(none);
    CHECK_EQ_INT(s_pair_start(&k, t, sctx, "example.com"), 0);
    CHECK_EQ_INT(s_handshake(&k), 0);
    ur_tls_free(t);

    struct ur_tls_config cfg = {.verify = true, .ca_file = "/nonexistent/ca.pem"};
    char err[256] = "";
    CHECK(ur_tls_ctx_new(&cfg, err, sizeof err) == NULL);
    CHECK(strstr(err, "/nonexistent/ca.pem") != NULL);

    ur_tls_ctx_free(good);
    ur_tls_ctx_free(system);
    ur_tls_ctx_free(none);
    SSL_free(k.s);
    free(k.w.buf);
}

/* ~8 MiB through every lend size, into big and tiny buffers, then close_notify. */
static void test_transfer(SSL_CTX *sctx, int version)
{
    /* 8 MiB (and an odd tail) where that is quick; 1 MiB where every byte costs an OpenSSL call */
    static const struct {
        size_t lend, cap, bytes;
    } runs[] = {
        {1, 4u << 20, 1u << 20},     {7, 1, 1u << 20},
        {1000, 4u << 20, 8u << 20},  {16384 + 5, 13, 8u << 20},
        {65536, 4u << 20, 8u << 20}, {65536, 1, 1u << 20},
        {1000, 16384, 8u << 20},     {7, 100000, 8u << 20},
    };
    struct ur_tls_ctx *ctx = s_ctx(true, s_ca_path);
    if (!ctx) return;
    struct ur_tls *t = ur_tls_new(ctx);
    unsigned char *dst = malloc(4u << 20);
    struct pair k = {0};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        k.lend = runs[i].lend;
        CHECK_EQ_INT(s_pair_start(&k, t, sctx, "localhost"), 0);
        CHECK_EQ_INT(s_handshake(&k), 0);
        CHECK_EQ_INT(SSL_version(k.s), version);
        if (version == TLS1_2_VERSION)
            CHECK_EQ_STR(SSL_get_cipher_name(k.s), "ECDHE-ECDSA-AES128-GCM-SHA256");
        else
            CHECK_EQ_STR(SSL_get_cipher_name(k.s), "TLS_AES_128_GCM_SHA256");

        /* a request the other way */
        static const char req[] = "GET /bucket/key HTTP/1.1\r\nHost: localhost\r\n\r\n";
        CHECK_EQ_INT(ur_tls_write(t, req, sizeof req - 1), 0);
        s_client_out(&k);
        char got[128];
        size_t n = 0;
        CHECK(SSL_read_ex(k.s, got, sizeof got, &n) == 1 && n == sizeof req - 1 && !memcmp(got, req, n));

        size_t total = runs[i].bytes + 12345;
        uint64_t at = 0;
        s_server_send(&k, 0, total, 16384);
        CHECK_EQ_INT(SSL_shutdown(k.s), 0);
        s_server_out(&k);
        double c0 = s_cpu_ns();
        int bad = s_client_receive(&k, dst, runs[i].cap, &at);
        if (getenv("UR_TLS_VERBOSE"))
            fprintf(stderr, "lend %zu cap %zu: %.0f ms\n", runs[i].lend, runs[i].cap,
                    (s_cpu_ns() - c0) / 1e6);
        if (bad || at != total)
            fprintf(stderr, "lend %zu cap %zu: bad %d, got %llu of %zu\n", runs[i].lend, runs[i].cap, bad,
                    (unsigned long long)at, total);
        CHECK_EQ_INT(bad, 0);
        CHECK_EQ_INT(at, total);
        CHECK_EQ_INT(ur_tls_read(t, dst, 16), 0); /* close_notify stays visible */
        CHECK_EQ_INT(ur_tls_buffered(t), 0);
    }
    SSL_free(k.s);
    free(k.w.buf);
    free(dst);
    ur_tls_free(t);
    ur_tls_ctx_free(ctx);
}

/* The second connection to a host resumes, with the same ur_tls and with another one on the same ctx. */
static void test_resumption(SSL_CTX *sctx, int version)
{
    struct ur_tls_ctx *ctx = s_ctx(true, s_ca_path);
    if (!ctx) return;
    struct ur_tls *a = ur_tls_new(ctx), *b = ur_tls_new(ctx);
    struct pair k = {0};
    unsigned char buf[64];
    for (int round = 0; round < 4; round++) {
        struct ur_tls *t = round % 2 ? b : a;
        CHECK_EQ_INT(s_pair_start(&k, t, sctx, "localhost"), 0);
        CHECK_EQ_INT(s_handshake(&k), 0);
        CHECK_EQ_INT(SSL_session_reused(k.s), round > 0);
        /* TLS 1.3 tickets come after the handshake: they are taken in during reads */
        uint64_t at = 0;
        s_server_send(&k, 0, 10, 10);
        CHECK_EQ_INT(s_client_receive(&k, buf, sizeof buf, &at), 0);
        CHECK_EQ_INT(at, 10);
        /* the connection then dies without close_notify: the session must stay resumable */
    }
    /* another host name does not get localhost's session */
    CHECK_EQ_INT(s_pair_start(&k, a, sctx, "127.0.0.1"), 0);
    CHECK_EQ_INT(s_handshake(&k), 0);
    CHECK_EQ_INT(SSL_session_reused(k.s), 0);
    (void)version;
    SSL_free(k.s);
    free(k.w.buf);
    ur_tls_free(a);
    ur_tls_free(b);
    ur_tls_ctx_free(ctx);
}

/* Client cost only: the server encrypts a batch, then the client decrypts it with the clock running. */
static void bench(SSL_CTX *sctx)
{
    const char *env = getenv("UR_TLS_BENCH_MIB");
    size_t mib = env ? (size_t)atol(env) : 256;
    if (mib == 0) return;
    struct ur_tls_ctx *ctx = s_ctx(true, s_ca_path);
    struct ur_tls *t = ur_tls_new(ctx);
    struct pair k = {.lend = 64 * 1024};
    unsigned char *dst = malloc(4u << 20);
    CHECK_EQ_INT(s_pair_start(&k, t, sctx, "localhost"), 0);
    CHECK_EQ_INT(s_handshake(&k), 0);
    double cpu = 0;
    size_t batch = 16u << 20, done = 0;
    while (done < mib << 20) {
        s_server_send(&k, done, batch, 16384);
        double t0 = s_cpu_ns();
        for (;;) {
            ssize_t n = ur_tls_read(t, dst, 4u << 20);
            if (n == -EAGAIN) {
                if (!s_lend_next(&k)) break;
                continue;
            }
            if (n <= 0) break;
            done += (size_t)n;
        }
        cpu += s_cpu_ns() - t0;
    }
    printf("bench: ur_tls_read %zu MiB, 16 KiB records, 64 KiB lent, 4 MiB dst: %.3f CPU-ns/byte "
           "(%.2f GB/s, %.3f CPU-s/GiB)\n",
           mib, cpu / (double)done, (double)done / cpu, cpu / 1e9 / ((double)done / (1u << 30)));

    /* What a fresh SSL object per connection costs (SSL_free + SSL_new + two BIOs + SNI, host check and
     * session), against the client's CPU for a resumed handshake. */
    int rounds = 2000;
    double c0 = s_cpu_ns();
    for (int i = 0; i < rounds; i++)
        ur_tls_start(t, "localhost");
    double start_ns = (s_cpu_ns() - c0) / rounds;
    double hs_ns = 0;
    for (int i = 0; i < 50; i++) {
        s_pair_start(&k, t, sctx, "localhost");
        c0 = s_cpu_ns();
        int rc = ur_tls_handshake(t);
        hs_ns += s_cpu_ns() - c0;
        while (rc == -EAGAIN) {
            s_client_out(&k);
            if (!SSL_is_init_finished(k.s)) SSL_do_handshake(k.s);
            s_server_out(&k);
            if (!s_lend_next(&k)) break;
            c0 = s_cpu_ns();
            rc = ur_tls_handshake(t);
            hs_ns += s_cpu_ns() - c0;
        }
        s_client_out(&k);
        uint64_t at = 0;
        s_server_send(&k, 0, 1, 1);
        s_client_receive(&k, dst, 16, &at); /* takes the new tickets in */
    }
    printf("bench: ur_tls_start %.2f us (CPU); client side of a resumed TLS 1.3 handshake %.1f us\n",
           start_ns / 1e3, hs_ns / 50 / 1e3);

    SSL_free(k.s);
    free(k.w.buf);
    free(dst);
    ur_tls_free(t);
    ur_tls_ctx_free(ctx);
}

int main(void)
{
    if (s_make_pki() < 0) {
        fprintf(stderr, "cannot make test certificates\n");
        return 77;
    }
    SSL_CTX *tls13 = s_server_ctx(TLS1_3_VERSION);
    SSL_CTX *tls12 = s_server_ctx(TLS1_2_VERSION);

    if (!getenv("UR_TLS_BENCH_ONLY")) {
        test_verify(tls13);
        test_verify(tls12);
        test_transfer(tls13, TLS1_3_VERSION);
        test_transfer(tls12, TLS1_2_VERSION);
        test_resumption(tls13, TLS1_3_VERSION);
        test_resumption(tls12, TLS1_2_VERSION);
    }
    bench(tls13);

    SSL_CTX_free(tls13);
    SSL_CTX_free(tls12);
    X509_free(s_ca_cert);
    X509_free(s_srv_cert);
    EVP_PKEY_free(s_ca_key);
    EVP_PKEY_free(s_srv_key);
    unlink(s_ca_path);
    return CHECK_DONE();
}
