/* engine/conn.c — one keep-alive connection: CONNECT, TLS handshake, the signed GETs (pipelined: c->part's
 * response is read first, then those of c->ahead in order), and the responses.
 *
 * Everything is driven by completions: the socket always has one RECV armed while connected (so a server
 * closing an idle keep-alive connection is seen at once). Body bytes go straight to the part's aligned
 * buffer: over plain HTTP the RECV itself targets it (no copy at all); over TLS, OpenSSL decrypts from
 * the receive buffer straight into it. Only the header block passes through a scratch buffer.
 * A connection hands its part back to sched.c only once none of its operations is in flight, so a late
 * RECV can never write into a buffer that another connection owns. */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "engine/engine.h"
#include "engine/conn.h"
#include "engine/sink.h"

#if defined(__has_include) && __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)0)
#endif
#include "http/date.h"
#include "s3/crc.h"
#include "s3/error.h"
#include "s3/proxy.h"
#include "s3/region.h"
#include "s3/sigv4_canon.h"
#include "s3/retry.h"

/* A connection slot's buffers. */
#define UR_RECV_BUF (256u << 10)            /* 16 TLS records per RECV: 64 KiB cost 0.1 CPU-s/GiB more */
#define UR_PLAIN_BUF (17u << 10)            /* one TLS record of plaintext */
#define UR_SEND_BUF (8u << 10)              /* a signed GET, session token included */

static void s_pump(struct ur_conn *c);
static void s_arm_recv(struct ur_conn *c);
static void s_watchdog(struct ur_timer *t);

/* Waiting for a buffer, or for a write of its part to finish: the socket is not read meanwhile. */
static bool s_paused(const struct ur_conn *c)
{
    return ur_pool_waiting(&c->buf_wait) || (c->part && c->part->write_waiter == &c->buf_wait.op);
}

/* ---- the watchdog: connect, first byte and stall timeouts --------------------------------------------- */

/* Progress on c: its timeouts count from now. The timer is armed lazily, for the earliest deadline the
 * connection could have; when it fires it measures against the limit of the state it finds, and re-arms
 * for the rest if progress came meanwhile. Progress itself costs a store and a test. */
static void s_touch(struct ur_conn *c)
{
    struct urestore_client *cl = c->cl;
    c->last_ms = ur_loop_now_ms(&cl->loop);
    if (ur_loop_timer_armed(&c->watchdog)) return;
    uint64_t first = cl->connect_ms < cl->stall_ms ? cl->connect_ms : cl->stall_ms;
    if (cl->first_byte_ms < first) first = cl->first_byte_ms;
    ur_loop_timer_arm(&cl->loop, &c->watchdog, c->last_ms + first + 1);
}

static void s_watchdog(struct ur_timer *t)
{
    struct ur_conn *c = ur_container_of(t, struct ur_conn, watchdog);
    struct urestore_client *cl = c->cl;
    uint64_t now = ur_loop_now_ms(&cl->loop), limit;
    const char *what;
    if (c->state == C_CONNECTING || c->state == C_TUNNEL || c->state == C_HANDSHAKE) {
        limit = cl->connect_ms;
        what = "connecting to";
    } else if (c->state == C_BUSY && !s_paused(c)) {
        limit = c->got_bytes ? cl->stall_ms : cl->first_byte_ms;
        what = c->got_bytes ? "no data from" : "no response from";
    } else if (c->state == C_BUSY) { /* waiting for the disk rather than the network: look again later */
        ur_loop_timer_arm(&cl->loop, t, now + cl->stall_ms);
        return;
    } else {
        return; /* idle, closing or free: the next progress arms it again */
    }
    if (now - c->last_ms > limit) {
        char msg[200];
        snprintf(msg, sizeof(msg), "timed out: %s %s for %.1f s", what, c->host->conn_host, limit / 1000.0);
        ur_conn_close(c, -ETIMEDOUT, msg);
        return;
    }
    ur_loop_timer_arm(&cl->loop, t, c->last_ms + limit + 1);
}

static void s_maybe_free(struct ur_conn *c)
{
    if (c->connect_armed || c->send_armed || c->recv_armed) return;
    struct urestore_client *cl = c->cl;
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->host->nconn--;
    struct ur_part *p = c->part, *ahead[UR_PIPE_MAX - 1];
    unsigned nahead = c->nahead;
    memcpy(ahead, c->ahead, nahead * sizeof(*ahead));
    c->part = NULL;
    c->nahead = 0;
    c->state = C_FREE;
    ur_list_push_back(&cl->free_conns, &c->link);
    /* Pipelined requests never answered go back to the front of the queue, in their order, uncounted: the
     * failure (if any) is charged to the response that was being read. */
    while (nahead > 0) {
        ahead[--nahead]->conn = NULL;
        cl->up->part_released(cl, ahead[nahead]);
    }
    if (p) cl->up->part_released(cl, p);
    cl->up->kick(cl);
}

void ur_conn_close(struct ur_conn *c, int err, const char *msg)
{
    if (c->state == C_CLOSING || c->state == C_FREE) return;
    if (err) {
        urestore_status st = c->state == C_HANDSHAKE ? URESTORE_E_TLS : URESTORE_E_NETWORK;
        enum ur_retry retry = ur_s3_retry_transport(err, c->served, c->got_bytes);
        if (c->part)
            c->cl->up->part_error(c->part, st, 0, msg, retry);
        else if (c->state == C_CONNECTING || c->state == C_TUNNEL || c->state == C_HANDSHAKE)
            c->cl->up->host_failed(c->cl, c->host, st, msg, retry);
    }
    if (ur_list_linked(&c->link)) ur_list_remove(&c->link); /* idle list */
    ur_pool_unwait(&c->buf_wait);
    if (c->part && c->part->write_waiter == &c->buf_wait.op) c->part->write_waiter = NULL;
    c->state = C_CLOSING;
    if (c->fd >= 0) shutdown(c->fd, SHUT_RDWR);
    s_maybe_free(c);
}

static void s_fail(struct ur_conn *c, int err, const char *fmt, const char *detail)
{
    char msg[320];
    snprintf(msg, sizeof(msg), fmt, c->host->conn_host, detail);
    ur_conn_close(c, err ? err : -EIO, msg);
}

/* ---- sending ---------------------------------------------------------------------------------------- */

static void s_send_buffered(struct ur_conn *c)
{
    if (c->send_armed) return;
    if (c->s_len == 0 && c->body_out_len && !c->tls) { /* plain HTTP: a request body, sent from its memory */
        ur_loop_send(&c->cl->loop, &c->op_send, c->fd, c->body_out, c->body_out_len);
        c->send_armed = c->sending_body = true;
        return;
    }
    if (c->s_len == 0) return;
    ur_loop_send(&c->cl->loop, &c->op_send, c->fd, c->sbuf + c->s_off, c->s_len - c->s_off);
    c->send_armed = true;
}

static void s_on_send(struct ur_op *op, int res)
{
    struct ur_conn *c = ur_container_of(op, struct ur_conn, op_send);
    c->send_armed = false;
    if (c->state == C_CLOSING) return s_maybe_free(c);
    if (res < 0) return s_fail(c, res, "send to %s: %s", strerror(-res));
    if (c->sending_body) {
        c->sending_body = false;
        c->body_out += res;
        c->body_out_len -= (size_t)res;
        return s_send_buffered(c);
    }
    c->s_off += (size_t)res;
    s_touch(c);
    if (c->s_off < c->s_len) return s_send_buffered(c); /* a short send: the rest */
    c->s_off = c->s_len = 0;
    if (c->body_out_len && !c->tls) return s_send_buffered(c); /* the request's body follows its headers */
    s_pump(c); /* TLS may have more output queued */
}


/* Moves TLS output into sbuf (the BIO's memory may move while a SEND is in flight) and sends it. */
static void s_flush_tls(struct ur_conn *c)
{
    if (!c->tls || c->send_armed) return;
    const void *p;
    size_t n;
    while (c->s_len < c->scap && (n = ur_tls_pending(c->tls, &p)) > 0) {
        if (n > c->scap - c->s_len) n = c->scap - c->s_len;
        memcpy(c->sbuf + c->s_len, p, n);
        c->s_len += n;
        ur_tls_consume(c->tls, n);
    }
    s_send_buffered(c);
}

/* ---- connecting ------------------------------------------------------------------------------------- */

/* The host's first connection has a session to resume, or has answered: let the others open. */
static void s_host_warm(struct ur_conn *c, bool answered)
{
    struct ur_host *h = c->host;
    if (h->warm || !(answered || ur_tls_can_resume(c->cl->tls_ctx, h->conn_host))) return;
    h->warm = true;
    c->cl->up->kick(c->cl);
}

static void s_became_idle(struct ur_conn *c)
{
    c->state = C_IDLE;
    c->phase = PH_NONE;
    s_arm_recv(c);
    c->cl->up->conn_idle(c);
}

static void s_handshake(struct ur_conn *c)
{
    int r = ur_tls_handshake(c->tls);
    s_flush_tls(c);
    if (r == 0) {
        s_host_warm(c, false); /* TLS 1.2 has its session now; TLS 1.3's ticket comes after */
        return s_became_idle(c);
    }
    if (r != -EAGAIN) return s_fail(c, r == -EKEYREJECTED ? r : -EPROTO, "TLS handshake with %s: %s", ur_tls_error(c->tls));
    s_arm_recv(c);
}

/* Connected to the server itself, or through the proxy's tunnel: TLS (SNI and certificate checks for the
 * server's name, never the proxy's), else ready. */
static void s_connected(struct ur_conn *c)
{
    if (!c->tls) return s_became_idle(c);
    if (ur_tls_start(c->tls, c->host->conn_host) < 0) return s_fail(c, -ENOMEM, "TLS to %s: %s", "out of memory");
    c->state = C_HANDSHAKE;
    s_handshake(c);
}

/* ---- a tunnel through an HTTP proxy (HTTPS_PROXY, HTTP_PROXY: s3/proxy.h) ------------------------------ */

static void s_tunnel_start(struct ur_conn *c)
{
    int n = ur_s3_proxy_connect(c->host->proxy, c->host->conn_host, c->cl->ep.port, c->sbuf, c->scap);
    if (n < 0) return s_fail(c, -EINVAL, "proxy CONNECT to %s: %s", "cannot build the request");
    c->state = C_TUNNEL;
    c->tun_n = 0;
    c->tun_req = (size_t)n;
    c->s_off = 0;
    c->s_len = (size_t)n;
    s_send_buffered(c);
    s_arm_recv(c);
}

/* Bytes of the proxy's answer to CONNECT: a 2xx opens the tunnel; a refusal fails the host's tasks (407,
 * 403 and the like: no retry heals them) or, for a proxy that could not reach the server (502, 503, 504),
 * is retried as a connection failure. The message names the proxy's address, never its credentials. */
static void s_tunnel_got(struct ur_conn *c, size_t n)
{
    char msg[400];
    c->tun_n += n;
    int r = ur_s3_proxy_answer(c->host->proxy, c->host->conn_host, c->cl->ep.port, c->rbuf, c->tun_n, msg,
                               sizeof(msg));
    if (r == 0) return s_arm_recv(c);
    if (r == 1) {
        OPENSSL_cleanse(c->sbuf, c->tun_req); /* the CONNECT request (its Proxy-Authorization) */
        c->tun_n = c->tun_req = 0;
        return s_connected(c);
    }
    if (r != -EACCES) return ur_conn_close(c, r, msg);
    c->cl->up->host_failed(c->cl, c->host, URESTORE_E_ACCESS, msg, UR_RETRY_NO);
    ur_conn_close(c, 0, NULL);
}

static void s_on_connect(struct ur_op *op, int res)
{
    struct ur_conn *c = ur_container_of(op, struct ur_conn, op_connect);
    c->connect_armed = false;
    if (c->state == C_CLOSING) return s_maybe_free(c);
    if (res < 0 && c->host->proxy)
        return s_fail(c, res, "connect to the proxy for %s: %s", strerror(-res));
    if (res < 0) return s_fail(c, res, "connect to %s: %s", strerror(-res));
    s_touch(c);
    if (c->host->proxy && c->tls) return s_tunnel_start(c); /* plain http asks the proxy in absolute form */
    s_connected(c);
}

/* A slot's buffers and TLS object, made the first time it connects and kept while the client lives. */
static int s_conn_alloc(struct urestore_client *cl, struct ur_conn *c)
{
    if (!c->rbuf) {
        c->rcap = UR_RECV_BUF;
        c->pcap = UR_PLAIN_BUF;
        c->scap = UR_SEND_BUF + sizeof(cl->creds.session_token);
        c->rbuf = malloc(c->rcap + c->pcap + c->scap);
        if (!c->rbuf) return -ENOMEM;
        c->pbuf = c->rbuf + c->rcap;
        c->sbuf = c->pbuf + c->pcap;
    }
    if (cl->tls_ctx && !c->tls && !(c->tls = ur_tls_new(cl->tls_ctx))) return -ENOMEM;
    return 0;
}

void ur_conn_start(struct urestore_client *cl, struct ur_conn *c, struct ur_host *h)
{
    c->host = h;
    h->nconn++;
    c->state = C_CONNECTING;
    c->phase = PH_NONE;
    c->part = NULL;
    c->nahead = 0;
    c->served = c->eof = false;
    c->tun_n = 0;
    c->plain_n = c->s_off = c->s_len = c->req_len = c->body_out_len = 0;
    c->sending_body = false;
    s_touch(c);
    if (s_conn_alloc(cl, c) < 0) return s_fail(c, -ENOMEM, "connection to %s: %s", "out of memory");
    c->fd = socket(h->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) return s_fail(c, -errno, "socket for %s: %s", strerror(errno));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (cl->rcvbuf) setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &cl->rcvbuf, sizeof(cl->rcvbuf));
    ur_loop_connect(&cl->loop, &c->op_connect, c->fd, (struct sockaddr *)&h->addr, h->addrlen);
    c->connect_armed = true;
}

/* ---- the request ------------------------------------------------------------------------------------ */

/* The head of the pipeline: its response is the next to read. */
static void s_expect(struct ur_conn *c, struct ur_part *p)
{
    c->part = p;
    c->state = C_BUSY;
    c->phase = PH_HEADERS;
    c->got_bytes = false;
    c->elen = 0;
    s_touch(c);
    ur_http_resp_init(&c->resp);
}

int ur_conn_request(struct ur_conn *c, struct ur_part *p)
{
    struct urestore_client *cl = c->cl;
    struct ur_task *t = p->task;
    bool head = c->part == NULL;
    uint64_t first = p->off + p->got;
    uint64_t last = p->len >= 0 ? p->off + (uint64_t)p->len - 1 : p->off + t->part_size - 1;
    /* Over TLS the plaintext is gathered in the (idle) plaintext scratch, since the handshake's last flight
     * may still be in sbuf on its way out, and sealed as one record by ur_conn_flush; over plain HTTP it is
     * appended to sbuf. Either way pipelined requests leave in one send. */
    size_t used = c->tls ? c->req_len : c->s_len;
    char range[64], *w = (c->tls ? c->pbuf : c->sbuf) + used;
    size_t wcap = (c->tls ? c->pcap : c->scap) - used;
    const struct ur_request *rq = t->req;
    bool mem = ur_task_mem(t);
    const char *method = rq ? rq->method : p->head ? "HEAD" : "GET", *query = rq && rq->query ? rq->query : "";
    const char *extra[7][2];
    size_t nextra = 0;
    char clen[24], ims[32];

    if (p->len != 0 && !mem) {
        if (p->len < 0 && cl->verify_md5) /* the whole object in one response, so its MD5 can stream */
            snprintf(range, sizeof(range), "bytes=%llu-", (unsigned long long)first);
        else
            snprintf(range, sizeof(range), "bytes=%llu-%llu", (unsigned long long)first, (unsigned long long)last);
        extra[nextra][0] = "range";
        extra[nextra++][1] = range;
    }
    if (t->etag[0]) {
        extra[nextra][0] = "if-match";
        extra[nextra++][1] = t->etag;
    }
    if (p->off == 0 && !mem && !p->head && !t->etag[0] && t->dst_mtime >= 0 &&
        (t->in->flags & URESTORE_TASK_IF_SOURCE_NEWER) && ur_http_date_format(t->dst_mtime, ims, sizeof(ims)) == 0) {
        /* -u: S3 answers 304 (no body) when the object is not newer than the file (sched.c keeps it). */
        extra[nextra][0] = "if-modified-since";
        extra[nextra++][1] = ims;
    }
    if (p->off == 0 && !mem) {
        /* Ask for the object's checksum: S3 sends it with a response that is the whole object, or a HEAD. */
        extra[nextra][0] = "x-amz-checksum-mode";
        extra[nextra++][1] = "ENABLED";
    }
    if (cl->request_payer[0]) {
        extra[nextra][0] = "x-amz-request-payer";
        extra[nextra++][1] = cl->request_payer;
    }
    if (rq && rq->body) {
        snprintf(clen, sizeof(clen), "%zu", rq->body_len);
        extra[nextra][0] = "content-length";
        extra[nextra++][1] = clen;
        extra[nextra][0] = "content-md5";
        extra[nextra++][1] = rq->body_md5_b64;
    }
    /* Plain http through a proxy: no tunnel; the target in absolute form, as the SDKs send it. */
    const struct ur_s3_proxy *px = c->tls ? NULL : c->host->proxy;
    int n = snprintf(w, wcap, "%s %s%s%s%s%s HTTP/1.1\r\n", method, px ? "http://" : "", px ? c->host->host_header : "",
                     t->target, *query ? "?" : "", query);
    if (n > 0 && (size_t)n < wcap && px && px->authorization[0]) /* never signed: it is for the proxy, which drops it */
        n += snprintf(w + n, wcap > (size_t)n ? wcap - (size_t)n : 0, "Proxy-Authorization: %s\r\n", px->authorization);
    int h = n > 0 && (size_t)n + 2 < wcap
                ? ur_sigv4_sign_headers_payload(c->host->signer ? c->host->signer : cl->signer, w + n, wcap - (size_t)n - 2, method, c->host->host_header,
                                                t->target, query, (const char *const(*)[2])extra, nextra, time(NULL),
                                                rq && rq->body ? rq->body_sha256_hex : UR_SHA256_EMPTY_HEX)
                : -ENOSPC;
    if (h < 0 && !head) return -ENOSPC; /* it waits for the next connection; c goes on */
    if (head) {
        p->conn = c;
        if (mem) ur_membody_reset(rq->mem); /* a retried request starts over: nothing arrives twice */
        s_expect(c, p);
    }
    if (h < 0) {
        c->cl->up->part_error(p, URESTORE_E_INVALID, 0, "request too large to send", UR_RETRY_NO);
        ur_conn_close(c, 0, NULL);
        return -ENOSPC;
    }
    n += h;
    memcpy(w + n, "\r\n", 2);
    n += 2;
    if (c->tls)
        c->req_len += (size_t)n;
    else
        c->s_len += (size_t)n;
    if (!head) {
        p->conn = c;
        c->ahead[c->nahead++] = p;
    }
    if (rq && rq->body) { /* never pipelined (sched.c): the body follows its own header block at once */
        c->body_out = rq->body;
        c->body_out_len = rq->body_len;
    }
    return 0;
}

void ur_conn_flush(struct ur_conn *c)
{
    if (!c->tls) return s_send_buffered(c);
    size_t n = c->req_len;
    c->req_len = 0;
    if (n && ur_tls_write(c->tls, c->pbuf, n) < 0) return s_fail(c, -EPROTO, "TLS to %s: %s", ur_tls_error(c->tls));
    /* A request body is small (DeleteObjects pages, STS forms): sealed at once behind its headers. */
    if (c->body_out_len && ur_tls_write(c->tls, c->body_out, c->body_out_len) < 0)
        return s_fail(c, -EPROTO, "TLS to %s: %s", ur_tls_error(c->tls));
    c->body_out_len = 0;
    s_flush_tls(c);
}

/* ---- the response ----------------------------------------------------------------------------------- */

size_t ur_conn_body_space(struct ur_conn *c, char **dst)
{
    struct ur_part *p = c->part;
    struct ur_pool *pool = &c->cl->pool;
    if (!p->buf) {
        /* Two writes of one part in flight at most: the network may run ahead of the disk by one buffer
         * per connection, not by the whole pool. */
        if (p->writes >= 2) {
            p->write_waiter = &c->buf_wait.op; /* the sink wakes us when one of them is done */
            return 0;
        }
        struct ur_buf *b = ur_pool_get(pool);
        if (!b) {
            ur_pool_wait(pool, &c->buf_wait);
            return 0;
        }
        b->part = p;
        b->file_off = p->off + p->got;
        p->buf = b;
    }
    size_t space = pool->buf_size - p->buf->len;
    if ((int64_t)space > c->body_left) space = (size_t)c->body_left;
    *dst = p->buf->data + p->buf->len;
    return space;
}

/* The response ended: the part leaves the connection (with the error, if any, recorded first — after
 * detaching, so that failing the task does not close this healthy connection). */
static void s_response_done(struct ur_conn *c, urestore_status st, const char *msg, enum ur_retry retry)
{
    struct ur_part *p = c->part;
    c->part = NULL;
    p->conn = NULL;
    c->served = true;
    if (msg) {
        p->retry_after_ms = c->resp.retry_after_ms;
        c->cl->up->part_error(p, st, c->resp.status, msg, retry);
    } else {
        c->cl->up->part_ok(p);
    }
    c->cl->up->part_released(c->cl, p);
    if (c->state != C_BUSY) return; /* failing the task closed the connection (a part of it was ahead) */
    /* After a server error, the retry goes on a fresh connection (AWS's advice for 5xx); a redirect's
     * connection is healthy. */
    if (!c->resp.keep_alive || c->eof || (retry != UR_RETRY_NO && retry != UR_RETRY_REDIRECT))
        return ur_conn_close(c, 0, NULL);
    if (c->nahead == 0) return s_became_idle(c);
    struct ur_part *next = c->ahead[0];
    memmove(c->ahead, c->ahead + 1, --c->nahead * sizeof(*c->ahead));
    s_expect(c, next);
}

/* --verify-md5: the object's MD5 against its single-part ETag. True (and the task failed) on mismatch. */
static bool s_md5_mismatch(struct ur_part *p)
{
    unsigned char md[16];
    unsigned len = 0;
    char hex[40];
    EVP_DigestFinal_ex(p->md5, md, &len);
    for (unsigned i = 0; i < 16; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
    const char *etag = p->task->etag[0] == '"' ? p->task->etag + 1 : p->task->etag;
    if (strncasecmp(etag, hex, 32) == 0) return false;
    ur_task_failf(p->task, URESTORE_E_S3, 0, "%s: MD5 mismatch (ETag %s, received %s)", p->task->in->source,
                       p->task->etag, hex);
    return true;
}

void ur_conn_body_got(struct ur_conn *c, size_t n)
{
    struct ur_part *p = c->part;
    struct ur_buf *b = p->buf;
    for (unsigned a = 0; p->crc_algs >> a; a++) /* the CRCs the object's checksum needs (sched.c) */
        if (p->crc_algs & (1u << a)) p->crc[a] = ur_crc_update((enum ur_crc_alg)a, p->crc[a], b->data + b->len, n);
    if (p->sha) EVP_DigestUpdate(p->sha, b->data + b->len, n);
    if (p->md5) EVP_DigestUpdate(p->md5, b->data + b->len, n);
    b->len += (uint32_t)n;
    p->got += n;
    c->body_left -= (int64_t)n;
    s_touch(c);
    if (b->len == c->cl->pool.buf_size || c->body_left == 0) {
        p->buf = NULL;
        ur_sink_write(c->cl, p->task, b);
    }
    if (c->body_left == 0) {
        if (p->md5 && s_md5_mismatch(p)) return;
        p->received = true;
        s_response_done(c, URESTORE_OK, NULL, UR_RETRY_NO);
    }
}

/* A body for memory (a listing page, a small object, a DeleteObjects answer), through the parser (which
 * also undoes a chunked transfer encoding). Past the request's bound the task fails: a clear error, not a
 * truncated answer. */
static int s_membody(struct ur_conn *c, const char *at, size_t n)
{
    struct ur_task *t = c->part->task;
    int r = ur_membody_feed(t->req->mem, at, n);
    if (r == -EFBIG)
        ur_task_failf(t, URESTORE_E_INVALID, c->resp.status, "%s is larger than %zu bytes", t->in->source,
                      t->req->mem->max);
    else if (r < 0)
        ur_task_failf(t, URESTORE_E_NOMEM, c->resp.status, "%s: out of memory", t->in->source);
    return r < 0 ? -1 : 0;
}

static int s_errbody(void *ud, const char *at, size_t n)
{
    struct ur_conn *c = ud;
    if (c->bmode == BM_MEM) return s_membody(c, at, n);
    size_t room = sizeof(c->ebuf) - 1 - c->elen;
    if (n > room) n = room;
    memcpy(c->ebuf + c->elen, at, n);
    c->elen += n;
    return 0;
}

static void s_error_response_done(struct ur_conn *c)
{
    int status = c->resp.status;
    if (c->bmode != BM_ERROR) {
        /* A listing page, or a 416 on the first range of an object: the object is empty. */
        c->part->received = true;
        return s_response_done(c, URESTORE_OK, NULL, UR_RETRY_NO);
    }
    char msg[512], code[128];
    ur_s3_error_message(status, c->ebuf, c->elen, msg, sizeof(msg));
    ur_s3_error_parse(c->ebuf, c->elen, code, sizeof(code), NULL, 0); /* code "" when not a document */
    urestore_status st = status == 404   ? URESTORE_E_NOT_FOUND
                         : status == 403 ? URESTORE_E_ACCESS
                         : status == 412 ? URESTORE_E_CHANGED
                                         : URESTORE_E_S3;
    /* The bucket lives in another region (301 PermanentRedirect, 400 AuthorizationHeaderMalformed, or any
     * error carrying x-amz-bucket-region): sent again there, signed for it; an error that cannot be
     * fixed that way names the bucket's region. */
    char region[64], why[160] = "";
    const char *hdr = c->resp.bucket_region[0] ? c->resp.bucket_region : NULL;
    int moved = ur_s3_region_redirect(status, hdr, c->ebuf, c->elen, c->host->region, region, sizeof(region));
    if (moved == 1 && c->cl->up->region_moved(c->part, region, why, sizeof(why)))
        return s_response_done(c, st, msg, UR_RETRY_REDIRECT);
    if (moved == 1 || (hdr && ur_s3_region_ok(hdr))) {
        size_t k = strlen(msg);
        snprintf(msg + k, sizeof(msg) - k, " (the bucket is in region %s%s%s)", moved == 1 ? region : hdr,
                 why[0] ? ": " : "", why);
    }
    s_response_done(c, st, msg, ur_s3_retry_response(status, code));
}

/* Consumes plaintext at c->plain. Returns false when the connection paused or closed. */
static bool s_consume_plain(struct ur_conn *c)
{
    while (c->plain_n > 0) {
        size_t used = 0;
        enum ur_http_state st;
        switch (c->phase) {
        case PH_NONE:
            s_fail(c, -EPROTO, "%s sent %s", "data nobody asked for");
            return false;
        case PH_HEADERS:
            c->got_bytes = true;
            st = ur_http_resp_feed(&c->resp, c->plain, c->plain_n, &used);
            c->plain += used;
            c->plain_n -= used;
            if (st == UR_HTTP_ERROR) {
                s_fail(c, -EPROTO, "bad HTTP response from %s: %s", c->resp.error);
                return false;
            }
            if (st != UR_HTTP_HEADERS) break;
            s_host_warm(c, true);
            int r = c->cl->up->headers(c);
            if (r < 0) {
                ur_conn_close(c, 0, NULL);
                return false;
            }
            if (r == 0) {
                c->phase = PH_BODY;
                c->body_left = c->part->head ? 0 : c->resp.content_length; /* a HEAD's answer has no body */
                if (c->body_left == 0) {
                    c->part->received = true;
                    s_response_done(c, URESTORE_OK, NULL, UR_RETRY_NO);
                    return c->state != C_CLOSING && c->state != C_FREE;
                }
                break;
            }
            c->bmode = r == 2 ? BM_EMPTY : r == 3 ? BM_MEM : BM_ERROR;
            c->phase = PH_ERRBODY;
            c->resp.on_body = s_errbody;
            c->resp.body_ud = c;
            if (c->plain_n == 0 && c->resp.content_length == 0) {
                st = ur_http_resp_feed(&c->resp, c->plain, 0, &used);
                if (st == UR_HTTP_COMPLETE) {
                    s_error_response_done(c);
                    return c->state != C_CLOSING && c->state != C_FREE;
                }
            }
            break;
        case PH_BODY: {
            char *dst;
            size_t space = ur_conn_body_space(c, &dst);
            if (space == 0) return false;
            size_t k = c->plain_n < space ? c->plain_n : space;
            memcpy(dst, c->plain, k);
            c->plain += k;
            c->plain_n -= k;
            ur_conn_body_got(c, k);
            if (c->state != C_BUSY && c->plain_n) {
                s_fail(c, -EPROTO, "%s sent %s", "more bytes than the response length");
                return false;
            }
            break;
        }
        case PH_ERRBODY:
            st = ur_http_resp_feed(&c->resp, c->plain, c->plain_n, &used);
            c->plain += used;
            c->plain_n -= used;
            if (st == UR_HTTP_ERROR) {
                s_fail(c, -EPROTO, "bad HTTP response from %s: %s", c->resp.error);
                return false;
            }
            if (st == UR_HTTP_COMPLETE) {
                s_error_response_done(c);
                if (c->state == C_CLOSING || c->state == C_FREE) return false;
            }
            break;
        }
    }
    return true;
}

static void s_on_eof(struct ur_conn *c)
{
    c->eof = true;
    if (c->state != C_BUSY) {
        if (c->state == C_HANDSHAKE) return s_fail(c, -EPROTO, "TLS handshake with %s: %s", "connection closed");
        return ur_conn_close(c, 0, NULL);
    }
    if (c->phase == PH_ERRBODY && ur_http_resp_eof(&c->resp) == UR_HTTP_COMPLETE) return s_error_response_done(c);
    if (c->phase == PH_BODY) {
        char detail[96];
        snprintf(detail, sizeof(detail), "%lld bytes short", (long long)c->body_left);
        return s_fail(c, -ECONNRESET, "connection to %s closed mid-body, %s", detail);
    }
    s_fail(c, -ECONNRESET, "connection to %s closed: %s", c->got_bytes ? "response cut short" : "no response");
}

/* Does all the work the received bytes allow, then re-arms the RECV unless paused. */
static void s_pump(struct ur_conn *c)
{
    if (c->state == C_TUNNEL) return s_arm_recv(c); /* the proxy's answer comes through s_tunnel_got */
    for (;;) {
        if (c->state == C_CLOSING || c->state == C_FREE || s_paused(c)) return;
        if (c->state == C_HANDSHAKE) {
            if (ur_tls_lent(c->tls) == 0) break;
            s_handshake(c);
            continue;
        }
        if (c->plain_n > 0) {
            if (!s_consume_plain(c)) return;
            continue;
        }
        if (!c->tls) break;
        char *dst = c->pbuf;
        size_t cap = c->pcap;
        if (c->phase == PH_BODY) {
            cap = ur_conn_body_space(c, &dst);
            if (cap == 0) return;
        }
        ssize_t n = ur_tls_read(c->tls, dst, cap);
        if (!c->host->warm) s_host_warm(c, false);
        if (n == -EAGAIN) break;
        if (n == 0) return s_on_eof(c);
        if (n < 0) return s_fail(c, -EPROTO, "TLS from %s: %s", ur_tls_error(c->tls));
        if (dst == c->pbuf) {
            c->plain = c->pbuf;
            c->plain_n = (size_t)n;
        } else {
            ur_conn_body_got(c, (size_t)n);
        }
    }
    s_flush_tls(c);
    s_arm_recv(c);
}

/* A buffer was returned to the pool, or a write of our part completed: go on reading. */
static void s_on_buffer(struct ur_op *op, int res)
{
    (void)res;
    struct ur_conn *c = ur_container_of(op, struct ur_conn, buf_wait.op);
    if (c->state == C_BUSY) s_pump(c);
}

static void s_on_park(struct ur_op *op, int res)
{
    (void)op, (void)res; /* the RECV's own completion says what happened */
}

void ur_conn_park(struct ur_conn *c)
{
    if (c->state != C_IDLE || !c->recv_armed) return;
    ur_loop_cancel(&c->cl->loop, &c->op_park, &c->op_recv);
}

void ur_conn_unpark(struct ur_conn *c)
{
    if (c->state == C_IDLE) s_arm_recv(c);
}

static void s_on_recv(struct ur_op *op, int res)
{
    struct ur_conn *c = ur_container_of(op, struct ur_conn, op_recv);
    c->recv_armed = false;
    if (c->state == C_CLOSING) return s_maybe_free(c);
    if (res == -ECANCELED && c->state == C_IDLE) return; /* parked until the next batch */
    if (res < 0) return s_fail(c, res, "receive from %s: %s", strerror(-res));
    if (res == 0) return s_on_eof(c);
    s_touch(c);
    /* The kernel filled these bytes; valgrind cannot see io_uring's writes. */
    VALGRIND_MAKE_MEM_DEFINED(c->recv_sink ? c->part->buf->data + c->part->buf->len : c->rbuf + c->tun_n, (size_t)res);
    if (c->state == C_TUNNEL) return s_tunnel_got(c, (size_t)res);
    if (c->recv_sink) {
        c->got_bytes = true;
        ur_conn_body_got(c, (size_t)res);
    } else if (c->tls) {
        ur_tls_lend(c->tls, c->rbuf, (size_t)res);
    } else {
        c->plain = c->rbuf;
        c->plain_n = (size_t)res;
    }
    s_pump(c);
}

static void s_arm_recv(struct ur_conn *c)
{
    if (c->recv_armed || c->fd < 0 || s_paused(c)) return;
    if (c->state == C_CLOSING || c->state == C_FREE || c->state == C_CONNECTING) return;
    c->recv_sink = false;
    if (c->state == C_TUNNEL) {
        ur_loop_recv(&c->cl->loop, &c->op_recv, c->fd, c->rbuf + c->tun_n, c->rcap - c->tun_n);
        c->recv_armed = true;
        return;
    }
    if (c->plain_n > 0 || (c->tls && ur_tls_lent(c->tls) > 0)) return;
    char *dst = c->rbuf;
    size_t cap = c->rcap;
    c->recv_sink = false;
    if (!c->tls && c->phase == PH_BODY) {
        /* Plain HTTP body: the kernel copies straight into the file's buffer. */
        cap = ur_conn_body_space(c, &dst);
        if (cap == 0) return;
        c->recv_sink = true;
    }
    ur_loop_recv(&c->cl->loop, &c->op_recv, c->fd, dst, cap);
    c->recv_armed = true;
}

void ur_conn_init(struct urestore_client *cl, struct ur_conn *c)
{
    c->cl = cl;
    c->fd = -1;
    c->state = C_FREE;
    c->op_connect.cb = s_on_connect;
    c->op_send.cb = s_on_send;
    c->op_recv.cb = s_on_recv;
    c->op_park.cb = s_on_park;
    c->buf_wait.op.cb = s_on_buffer;
    c->watchdog.cb = s_watchdog;
    ur_list_init(&c->buf_wait.link);
}
