/* engine/fetch.h — one small HTTP exchange on the loop: connect (plain or TLS), send a request built
 * elsewhere (s3/credreq.h: it carries "Connection: close"), read the whole response into a bounded memory
 * body, under a connect timeout and a total timeout. For credential fetches (IMDS, the container endpoint,
 * STS), which must not share the download connections: a stalled metadata agent may never hold up a part.
 * Uses only the loop, tls/ and http/: it must not call conn.c, sched.c or sink.c. */
#ifndef UR_ENGINE_FETCH_H
#define UR_ENGINE_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine/loop.h"
#include "http/response.h"
#include "s3/proxy.h"

struct ur_tls_ctx;
struct ur_tls;
struct ur_fetch;

/* Called once per started fetch, from a loop callback. rc 0: a whole response arrived (f->status,
 * f->body[0..f->body_len), NUL-terminated); otherwise -ETIMEDOUT, -ECONNREFUSED …, -EPROTO (malformed or
 * TLS failure), -EMSGSIZE (body over max_body), -ECANCELED (ur_fetch_cancel), with f->err in words. The
 * fetch may be started again from inside the callback. */
typedef void (*ur_fetch_cb)(struct ur_fetch *f, int rc);

struct ur_fetch {
    ur_fetch_cb cb;
    void *ud; /* the caller's */
    /* results */
    int status;
    char *body; /* malloc'd, owned by the fetch; valid until the next start or ur_fetch_clean_up */
    size_t body_len;
    char err[256];

    /* private to fetch.c */
    struct ur_loop *loop;
    struct ur_tls_ctx *tls_ctx;
    struct ur_tls *tls;
    bool use_tls, handshaken, active, timed_out, cancelled;
    bool tunnel_wait; /* the CONNECT went out (or is going); the proxy's answer is awaited */
    int fd;
    int fail_rc;
    char host[256];
    uint16_t port;
    struct ur_s3_proxy proxy; /* .use false: direct */
    size_t tun_n;             /* bytes of the proxy's answer to CONNECT in rbuf */
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char *req; /* the request bytes (a copy: may carry a token) */
    size_t req_len, req_off;
    const void *out; /* what is being sent now: the request, or sbuf's TLS records */
    size_t out_len, out_off;
    char *sbuf; /* TLS records copied out of OpenSSL (its memory moves while a send is in flight) */
    size_t sbuf_cap;
    unsigned connect_ms, total_ms;
    bool cancel_busy; /* op_cancel is in flight */
    size_t max_body;
    struct ur_http_resp resp;
    struct ur_op op_connect, op_send, op_recv, op_cancel;
    struct ur_op *inflight;
    struct ur_timer t_connect, t_total;
    char rbuf[16384];
    char pbuf[16384];
};

/* Starts f: resolves host (a numeric address, else getaddrinfo — blocking, which only STS names need),
 * connects to host:port (TLS over tls_ctx when tls; NULL tls_ctx refuses TLS), sends req[0..n) and reads
 * the response. With a proxy (NULL or !proxy->use: direct; s3/proxy.h chooses it), https goes through a
 * CONNECT tunnel (a refusal ends the fetch with -EACCES, or -ECONNREFUSED for 502/503/504, and the proxy's
 * status line in f->err) and plain http sends req to the proxy with its target in absolute form.
 * connect_ms bounds the connection, total_ms the whole exchange. f->cb must be set.
 * Returns 0 (cb will run), or -errno when nothing was started (f->err says why; cb will not run). */
int ur_fetch_start(struct ur_fetch *f, struct ur_loop *l, struct ur_tls_ctx *tls_ctx, bool tls,
                   const char *host, uint16_t port, const struct ur_s3_proxy *proxy, const char *req, size_t n,
                   unsigned connect_ms, unsigned total_ms, size_t max_body);

/* Ends an active fetch early: cb runs with -ECANCELED once the operation in flight came back. */
void ur_fetch_cancel(struct ur_fetch *f);

/* Frees what f holds (body, TLS state). f must not be active. */
void ur_fetch_clean_up(struct ur_fetch *f);

#endif
