/* engine/fetch.c — one small HTTP exchange on the loop (see fetch.h). Strictly one operation in flight at
 * a time (connect, then send/receive turns), so a timeout has exactly one operation to cancel and the
 * state never races with itself. Calls only the loop, tls/ and http/. */
#include "engine/fetch.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "engine/list.h"
#include "s3/proxy.h"
#include "tls/tls.h"

/* Room for a CONNECT request: its line and Host (2 × host:port) and a Proxy-Authorization. */
#define S_CONNECT_MAX 2048

static void s_step(struct ur_fetch *f);

/* Ends the exchange: timers off, socket closed (nothing is in flight by now), then the caller's callback,
 * which may start f again. */
static void s_finish(struct ur_fetch *f, int rc)
{
    ur_loop_timer_cancel(f->loop, &f->t_connect);
    ur_loop_timer_cancel(f->loop, &f->t_total);
    if (f->fd >= 0) close(f->fd);
    f->fd = -1;
    if (f->req) {
        OPENSSL_cleanse(f->req, f->req_len); /* it may carry a token or a signature */
        free(f->req);
        f->req = NULL;
    }
    if (f->proxy.use) OPENSSL_cleanse(&f->proxy, sizeof(f->proxy)); /* its Proxy-Authorization */
    if (f->sbuf) OPENSSL_cleanse(f->sbuf, f->sbuf_cap);              /* a CONNECT with it, TLS records */
    f->active = false;
    if (rc == 0 && f->body) f->body[f->body_len] = '\0';
    f->cb(f, rc);
}

/* An operation came back with res: turns a cancel by our own timers into the reason. */
static bool s_failed(struct ur_fetch *f, int res, const char *what)
{
    if (f->cancelled) {
        snprintf(f->err, sizeof(f->err), "request to %s: cancelled", f->host);
        s_finish(f, -ECANCELED);
        return true;
    }
    if (f->timed_out) {
        s_finish(f, -ETIMEDOUT); /* f->err was written when the timer fired */
        return true;
    }
    if (f->fail_rc) {
        s_finish(f, f->fail_rc);
        return true;
    }
    if (res >= 0) return false;
    snprintf(f->err, sizeof(f->err), "%s to %s: %s", what, f->host, strerror(-res));
    s_finish(f, res);
    return true;
}

static void s_on_cancelled(struct ur_op *op, int res)
{
    (void)res; /* the cancelled operation's own completion says what happened */
    ur_container_of(op, struct ur_fetch, op_cancel)->cancel_busy = false;
}

/* The one operation in flight comes back (cancelled, or with what it had), and s_failed ends the fetch. */
static void s_cancel_inflight(struct ur_fetch *f)
{
    if (f->inflight && !f->cancel_busy) {
        f->cancel_busy = true;
        ur_loop_cancel(f->loop, &f->op_cancel, f->inflight);
    }
    if (f->fd >= 0) shutdown(f->fd, SHUT_RDWR); /* also wakes a backend that cannot cancel */
}

static void s_on_timer(struct ur_fetch *f, const char *what, unsigned ms)
{
    if (!f->active || f->timed_out) return;
    f->timed_out = true;
    snprintf(f->err, sizeof(f->err), "%s %s: no answer within %u ms", what, f->host, ms);
    /* The one operation in flight comes back (cancelled, or with what it had), and s_failed ends it. */
    s_cancel_inflight(f);
}

static void s_on_connect_timer(struct ur_timer *t)
{
    struct ur_fetch *f = ur_container_of(t, struct ur_fetch, t_connect);
    s_on_timer(f, "connect to", f->connect_ms);
}

static void s_on_total_timer(struct ur_timer *t)
{
    struct ur_fetch *f = ur_container_of(t, struct ur_fetch, t_total);
    s_on_timer(f, "request to", f->total_ms);
}

static int s_on_body(void *ud, const char *p, size_t n)
{
    struct ur_fetch *f = ud;
    if (n > f->max_body - f->body_len) {
        snprintf(f->err, sizeof(f->err), "answer from %s: body over %zu bytes", f->host, f->max_body);
        f->fail_rc = -EMSGSIZE;
        return -1;
    }
    if (!f->body) {
        f->body = malloc(f->max_body + 1);
        if (!f->body) {
            snprintf(f->err, sizeof(f->err), "answer from %s: out of memory", f->host);
            f->fail_rc = -ENOMEM;
            return -1;
        }
    }
    memcpy(f->body + f->body_len, p, n);
    f->body_len += n;
    return 0;
}

/* Feeds plaintext to the parser: 1 when the response is complete, -1 on error, 0 for more. */
static int s_feed(struct ur_fetch *f, const char *p, size_t n)
{
    while (true) {
        size_t used = 0;
        enum ur_http_state st = ur_http_resp_feed(&f->resp, p, n, &used);
        p += used;
        n -= used;
        if (st == UR_HTTP_COMPLETE) return f->status = f->resp.status, 1;
        if (st == UR_HTTP_ERROR) {
            if (!f->fail_rc) {
                snprintf(f->err, sizeof(f->err), "answer from %s: %s", f->host, f->resp.error);
                f->fail_rc = -EPROTO;
            }
            return -1;
        }
        if (st == UR_HTTP_NEED_MORE && n == 0) return 0;
        /* UR_HTTP_HEADERS: go on with the body through on_body (a 204 completes with n == 0). */
    }
}

/* Appends the TLS records waiting to go out to the send buffer (the BIO's memory moves between calls). */
static int s_take_tls_output(struct ur_fetch *f)
{
    const void *p;
    size_t n;
    while ((n = ur_tls_pending(f->tls, &p)) > 0) {
        if (f->out_len + n > f->sbuf_cap) {
            size_t cap = f->sbuf_cap ? f->sbuf_cap : 4096;
            while (cap < f->out_len + n)
                cap *= 2;
            char *s = realloc(f->sbuf, cap);
            if (!s) return -ENOMEM;
            f->sbuf = s;
            f->sbuf_cap = cap;
        }
        memcpy(f->sbuf + f->out_len, p, n);
        f->out_len += n;
        ur_tls_consume(f->tls, n);
    }
    f->out = f->sbuf;
    return 0;
}

static void s_on_send(struct ur_op *op, int res)
{
    struct ur_fetch *f = ur_container_of(op, struct ur_fetch, op_send);
    f->inflight = NULL;
    if (s_failed(f, res, "send")) return;
    f->out_off += (size_t)res;
    if (f->out_off == f->out_len) f->out_len = f->out_off = 0;
    s_step(f);
}

/* Reads what TLS has decrypted from the lent input: 1 complete, -1 failed, 0 more to read. */
static int s_tls_drain(struct ur_fetch *f)
{
    while (true) {
        ssize_t m = ur_tls_read(f->tls, f->pbuf, sizeof(f->pbuf));
        if (m == -EAGAIN) return 0;
        if (m == 0)
            return ur_http_resp_eof(&f->resp) == UR_HTTP_COMPLETE ? (f->status = f->resp.status, 1) : -1;
        if (m < 0) {
            snprintf(f->err, sizeof(f->err), "TLS from %s: %s", f->host, ur_tls_error(f->tls));
            f->fail_rc = -EPROTO;
            return -1;
        }
        int r = s_feed(f, f->pbuf, (size_t)m);
        if (r) return r;
    }
}

/* Received bytes of the answer: 1 complete, -1 failed, 0 more to read. */
static int s_got(struct ur_fetch *f, const char *p, size_t n)
{
    if (!f->use_tls) return s_feed(f, p, n);
    ur_tls_lend(f->tls, p, n);
    if (!f->handshaken) return 0; /* s_step drives the handshake with what was lent */
    return s_tls_drain(f);
}

static void s_connected(struct ur_fetch *f);

/* The proxy's answer to CONNECT (in rbuf[0..tun_n)): a 2xx with nothing after its header block opens the
 * tunnel, anything else ends the fetch with the proxy's status line (never its credentials). */
static void s_tunnel_got(struct ur_fetch *f, size_t n)
{
    f->tun_n += n;
    int r = ur_s3_proxy_answer(&f->proxy, f->host, f->port, f->rbuf, f->tun_n, f->err, sizeof(f->err));
    if (r == 0) return s_step(f);
    if (r < 0) return s_finish(f, r);
    f->tunnel_wait = false;
    s_connected(f);
}

static void s_on_recv(struct ur_op *op, int res)
{
    struct ur_fetch *f = ur_container_of(op, struct ur_fetch, op_recv);
    f->inflight = NULL;
    if (s_failed(f, res, "receive")) return;
    if (f->tunnel_wait && res > 0) return s_tunnel_got(f, (size_t)res);
    if (f->tunnel_wait) {
        snprintf(f->err, sizeof(f->err), "proxy %s:%u (%s) closed the connection before answering CONNECT",
                 f->proxy.host, f->proxy.port, f->proxy.from);
        return s_finish(f, -ECONNRESET);
    }
    int r;
    if (res == 0) {
        r = ur_http_resp_eof(&f->resp) == UR_HTTP_COMPLETE ? 1 : -1;
        if (r < 0 && !f->fail_rc)
            snprintf(f->err, sizeof(f->err), "answer from %s: %s", f->host,
                     f->resp.error ? f->resp.error : "connection closed before the response ended");
        if (r > 0) f->status = f->resp.status;
    } else {
        r = s_got(f, f->rbuf, (size_t)res);
    }
    if (r > 0) return s_finish(f, 0);
    if (r < 0) return s_finish(f, f->fail_rc ? f->fail_rc : -EPROTO);
    s_step(f);
}

/* What comes next: pending output first; then the handshake, the request, or reading. */
static void s_step(struct ur_fetch *f)
{
    if (f->out_len > f->out_off) {
        f->inflight = &f->op_send;
        return ur_loop_send(f->loop, &f->op_send, f->fd, (const char *)f->out + f->out_off,
                            f->out_len - f->out_off);
    }
    if (f->tunnel_wait) {
        f->inflight = &f->op_recv;
        return ur_loop_recv(f->loop, &f->op_recv, f->fd, f->rbuf + f->tun_n, sizeof(f->rbuf) - f->tun_n);
    }
    if (f->use_tls && !f->handshaken) {
        int r = ur_tls_handshake(f->tls);
        if (r != 0 && r != -EAGAIN) {
            snprintf(f->err, sizeof(f->err), "TLS handshake with %s: %s", f->host, ur_tls_error(f->tls));
            return s_finish(f, r == -EKEYREJECTED ? r : -EPROTO);
        }
        if (s_take_tls_output(f) < 0) return s_finish(f, -ENOMEM);
        if (r == 0) f->handshaken = true;
        if (f->out_len || r == 0) return s_step(f);
    } else if (f->req_off < f->req_len) {
        f->req_off = f->req_len;
        if (f->use_tls) {
            if (ur_tls_write(f->tls, f->req, f->req_len) < 0 || s_take_tls_output(f) < 0) {
                snprintf(f->err, sizeof(f->err), "TLS to %s: %s", f->host, ur_tls_error(f->tls));
                return s_finish(f, -EPROTO);
            }
        } else {
            f->out = f->req;
            f->out_len = f->req_len;
            f->out_off = 0;
        }
        return s_step(f);
    } else if (f->use_tls && ur_tls_lent(f->tls)) {
        /* Input lent during the handshake may already hold the answer's first records. */
        int r = s_tls_drain(f);
        if (r > 0) return s_finish(f, 0);
        if (r < 0) return s_finish(f, f->fail_rc ? f->fail_rc : -EPROTO);
    }
    f->inflight = &f->op_recv;
    ur_loop_recv(f->loop, &f->op_recv, f->fd, f->rbuf, sizeof(f->rbuf));
}

static void s_on_connect(struct ur_op *op, int res)
{
    struct ur_fetch *f = ur_container_of(op, struct ur_fetch, op_connect);
    f->inflight = NULL;
    if (s_failed(f, res, "connect")) return;
    ur_loop_timer_cancel(f->loop, &f->t_connect);
    if (!f->proxy.use || !f->use_tls) return s_connected(f);
    /* https through a proxy: a CONNECT tunnel first, then TLS with the server inside it. */
    if (f->sbuf_cap < S_CONNECT_MAX) {
        char *s = realloc(f->sbuf, S_CONNECT_MAX);
        if (!s) return snprintf(f->err, sizeof(f->err), "proxy for %s: out of memory", f->host), s_finish(f, -ENOMEM);
        f->sbuf = s;
        f->sbuf_cap = S_CONNECT_MAX;
    }
    int n = ur_s3_proxy_connect(&f->proxy, f->host, f->port, f->sbuf, f->sbuf_cap);
    if (n < 0) {
        snprintf(f->err, sizeof(f->err), "proxy CONNECT to %s: cannot build the request", f->host);
        return s_finish(f, -EINVAL);
    }
    f->tunnel_wait = true;
    f->tun_n = 0;
    f->out = f->sbuf;
    f->out_len = (size_t)n;
    f->out_off = 0;
    s_step(f);
}

/* Connected to the server, directly or through the proxy's tunnel: TLS (SNI and certificate checks for
 * the server's name, never the proxy's), then the request. */
static void s_connected(struct ur_fetch *f)
{
    if (f->use_tls && ur_tls_start(f->tls, f->host) < 0) {
        snprintf(f->err, sizeof(f->err), "TLS to %s: out of memory", f->host);
        return s_finish(f, -ENOMEM);
    }
    s_step(f);
}

/* The address to connect to: host:port's, or the proxy's. */
static int s_resolve(struct ur_fetch *f, uint16_t port)
{
    char ps[8];
    const char *name = f->proxy.use ? f->proxy.host : f->host;
    snprintf(ps, sizeof(ps), "%u", f->proxy.use ? f->proxy.port : port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV}, *ai;
    int rc = getaddrinfo(name, ps, &hints, &ai);
    if (rc == EAI_NONAME) {
        hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
        rc = getaddrinfo(name, ps, &hints, &ai);
    }
    if (rc != 0) {
        snprintf(f->err, sizeof(f->err), "resolve %s%s: %s", f->proxy.use ? "the proxy " : "", name,
                 gai_strerror(rc));
        return -EHOSTUNREACH;
    }
    memcpy(&f->addr, ai->ai_addr, ai->ai_addrlen);
    f->addrlen = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

int ur_fetch_start(struct ur_fetch *f, struct ur_loop *l, struct ur_tls_ctx *tls_ctx, bool tls,
                   const char *host, uint16_t port, const struct ur_s3_proxy *proxy, const char *req, size_t n,
                   unsigned connect_ms, unsigned total_ms, size_t max_body)
{
    if (f->active) return -EBUSY;
    f->err[0] = '\0';
    f->loop = l;
    f->status = 0;
    f->body_len = 0;
    f->fd = -1;
    f->fail_rc = 0;
    f->timed_out = f->cancelled = f->handshaken = f->tunnel_wait = false;
    f->inflight = NULL;
    f->out = NULL;
    f->out_len = f->out_off = f->req_off = 0;
    f->max_body = max_body;
    f->use_tls = tls;
    f->connect_ms = connect_ms;
    f->total_ms = total_ms;
    snprintf(f->host, sizeof(f->host), "%s", host);
    f->port = port;
    f->proxy.use = false;
    if (proxy && proxy->use) f->proxy = *proxy;
    if (tls && !tls_ctx)
        return snprintf(f->err, sizeof(f->err), "https to %s: no TLS context", host), -EINVAL;
    if (tls && !f->tls && !(f->tls = ur_tls_new(tls_ctx))) return -ENOMEM;
    f->tls_ctx = tls_ctx;
    int rc = s_resolve(f, port);
    if (rc < 0) return rc;
    /* Plain http through a proxy: no tunnel; the request names the server in absolute form, as the SDKs'. */
    size_t cap = f->proxy.use && !tls ? n + 300 + sizeof(f->proxy.authorization) + 32 : n;
    if (!(f->req = malloc(cap ? cap : 1))) return -ENOMEM;
    if (f->proxy.use && !tls) {
        rc = ur_s3_proxy_absolute(&f->proxy, host, port, req, n, f->req, cap);
        if (rc < 0) {
            snprintf(f->err, sizeof(f->err), "request to %s through a proxy: %s", host,
                     rc == -EINVAL ? "not a request line in origin form" : "too long");
            free(f->req);
            f->req = NULL;
            return rc;
        }
        f->req_len = (size_t)rc;
    } else {
        memcpy(f->req, req, n);
        f->req_len = n;
    }
    f->fd = socket(f->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (f->fd < 0) {
        rc = -errno;
        snprintf(f->err, sizeof(f->err), "socket for %s: %s", host, strerror(-rc));
        free(f->req);
        f->req = NULL;
        return rc;
    }
    int one = 1;
    setsockopt(f->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ur_http_resp_init(&f->resp);
    f->resp.on_body = s_on_body;
    f->resp.body_ud = f;
    f->op_connect.cb = s_on_connect;
    f->op_send.cb = s_on_send;
    f->op_recv.cb = s_on_recv;
    f->op_cancel.cb = s_on_cancelled;
    f->t_connect.cb = s_on_connect_timer;
    f->t_total.cb = s_on_total_timer;
    f->active = true;
    ur_loop_update_time(l);
    uint64_t now = ur_loop_now_ms(l);
    ur_loop_timer_arm(l, &f->t_connect, now + connect_ms);
    ur_loop_timer_arm(l, &f->t_total, now + total_ms);
    f->inflight = &f->op_connect;
    ur_loop_connect(l, &f->op_connect, f->fd, (struct sockaddr *)&f->addr, f->addrlen);
    return 0;
}

void ur_fetch_cancel(struct ur_fetch *f)
{
    if (!f->active || f->cancelled) return;
    f->cancelled = true;
    s_cancel_inflight(f);
}

void ur_fetch_clean_up(struct ur_fetch *f)
{
    if (f->body) OPENSSL_cleanse(f->body, f->body_len); /* credentials */
    free(f->body);
    f->body = NULL;
    free(f->sbuf);
    f->sbuf = NULL;
    f->sbuf_cap = 0;
    if (f->tls) ur_tls_free(f->tls);
    f->tls = NULL;
    free(f->req);
    f->req = NULL;
}
