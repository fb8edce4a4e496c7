/* engine/engine.h — what every core file of engine/ shares: the types of hosts, tasks, parts, connections
 * and the client, and the table through which the lower layers report to the scheduler. Each module's
 * functions are in its own header (loop.h, pool.h, request.h, plan.h, pace.h, sink.h, conn.h, sched.h,
 * client.h); doc/architecture.md says who may call whom.
 *
 * Only engine/ includes this. The flow of one object: client.c plans tasks → sched.c cuts them into parts
 * and hands parts to connections → conn.c sends the signed GET and moves body bytes into the part's
 * aligned buffer → sink.c writes full buffers with O_DIRECT and renames the finished temporary file.
 * Nothing here allocates on the hot path: connections, buffers and parts are made at start. */
#ifndef UR_ENGINE_H
#define UR_ENGINE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "engine/list.h"
#include "engine/loop.h"
#include "engine/pool.h"
#include "engine/request.h"
#include "engine/pace.h"
#include "engine/plan.h"
#include "engine/partial.h"
#include "include/urestore.h"
#include "http/response.h"
#include "tls/tls.h"
#include "s3/checksum.h"
#include "s3/endpoint.h"
#include "s3/retry.h"
#include "s3/sigv4.h"
#include "s3/uri.h"


/* ---- hosts, tasks, parts ---------------------------------------------------------------------------- */

/* One server to connect to: resolved before a batch that uses it starts (again only while it has no
 * connection). Hosts live as long as the client: their idle connections, retry budget and warm state
 * carry over from one urestore_copy() to the next. */
struct ur_host {
    char conn_host[256];         /* for SNI and certificate checks */
    char host_header[272];
    char region[64];             /* requests to this host are signed for it */
    struct ur_sigv4 *signer;     /* signs for region when it is not the client's (cl->ep.region); else NULL */
    struct ur_s3_proxy *proxy;   /* the HTTP proxy its connections tunnel through (addr is the proxy's); NULL: direct */
    struct sockaddr_storage addr;
    socklen_t addrlen;
    struct ur_list idle;         /* idle keep-alive connections */
    unsigned nconn;              /* connections open or opening */
    bool warm;                   /* more connections may open: a session to resume, or none to wait for */
    unsigned batch;              /* the last batch with a task for this host */
    int budget;                  /* retry tokens left */
};

struct ur_conn;
struct ur_task;
struct ur_s3_proxy;

struct ur_part {
    struct ur_list link;         /* client's queue of parts waiting for a connection */
    struct ur_task *task;
    uint64_t off;                /* first byte of the object */
    int64_t len;                 /* bytes; -1 while unknown (the first part of an object of unknown size) */
    uint64_t got;                /* bytes received (in buffers, written or not) */
    uint64_t written;            /* bytes written to the file: the part is there when written == len */
    struct ur_buf *buf;          /* being filled */
    unsigned writes;             /* writes of this part in flight (at most 2: memory stays bounded) */
    struct ur_op *write_waiter;  /* woken (next turn) when one of them completes; NULL: nobody waits */
    bool queued;
    bool received;               /* all bytes are in buffers */
    unsigned attempts;           /* retries used */
    unsigned free_retries;       /* retries after a reused connection died before answering */
    bool creds_retried;          /* answered ExpiredToken & co once: retried after a refresh */
    unsigned moves;              /* bucket-region redirects followed */
    uint64_t not_before_ms;      /* retry backoff */
    struct ur_pace *pace;        /* its prefix's pacing */
    int64_t retry_after_ms;      /* the server's x-amz-retry-after for the failure being recorded */
    bool head;                   /* a HEAD asking for the object's checksum, no bytes (sched.c s_probe) */
    uint8_t crc_algs;            /* CRCs computed over this part's bytes as they arrive: bit 1 << ur_crc_alg */
    uint64_t crc[3];             /* by enum ur_crc_alg, of the bytes received so far */
    struct evp_md_ctx_st *sha;   /* SHA-1/SHA-256 of a whole-object response whose checksum is one, else NULL */
    struct evp_md_ctx_st *md5;   /* --verify-md5: running MD5 of the whole object, else NULL */
    struct ur_conn *conn;
};

enum ur_file_state { F_NONE, F_OPENING, F_OPEN, F_FAILED, F_CLOSING, F_DONE };

struct ur_task {
    size_t index;
    const struct urestore_task *in;
    struct urestore_result *res;
    struct ur_s3_uri uri;
    struct ur_host *host;
    char *target;                /* encoded request path */
    const struct ur_request *req; /* method, query, body, memory answer; NULL: GET the object into the file */
    char *dir_path;              /* the destination's directory, where the unnamed file is made */
    char *tmp_path;              /* ".NAME.urestore-PID-N" beside the destination */
    int64_t size;                /* object size, -1 until learned */
    uint64_t hint_counted;       /* the caller's size_hint, counted in bytes_known until the size is learned */
    uint64_t part_size;
    char etag[128];              /* from the first response; later parts send If-Match */
    int64_t last_modified;       /* the first response's Last-Modified (s since 1970), -1 when not sent */
    int64_t dst_size, dst_mtime; /* the existing destination's, for _IF_SIZE_DIFFERS/_IF_SOURCE_NEWER; -1 */
    /* The object's checksum (alg NONE until a response told it, or when none): from the response that was
     * the whole object, or, for an object cut into parts (ranged GETs carry none), from a HEAD. */
    struct ur_s3_cksum ck;
    bool ck_retried;             /* a checksum mismatch fetched the whole object again once */

    unsigned parts_open;         /* parts not yet fully received and written */
    struct ur_part first;        /* the only part of most objects */
    struct ur_part *parts;       /* &first, or an array (first copied in) once the size is known */
    unsigned nparts;

    enum ur_file_state fstate;
    int fd;
    bool direct;                 /* O_DIRECT; false: buffered fallback */
    bool truncate;               /* padded tail written: truncate to size before close */
    unsigned writes;             /* writes in flight */
    struct ur_list pending;      /* full buffers waiting for the file to open */
    struct ur_op fop;            /* open / close / truncate / rename / unlink, one at a time */
    int fstage;                  /* which of those is in flight (sink.c), 0 none */
    bool allocated;              /* fallocate submitted */
    bool anon;                   /* opened with O_TMPFILE: no name until linked */
    bool named;                  /* tmp_path exists and is ours: unlink it on failure */
    bool link_tmp;               /* the destination exists: link to tmp_path, then rename over it */
    bool linked;                 /* the file is under its final name */
    unsigned tmp_tries;          /* temporary names found taken (a killed run with our PID left them) */
    /* --resume (URESTORE_TASK_RESUME): the file is the named partial tmp_path, kept on failure with its
     * sidecar (engine/partial.h) when some of it is complete. */
    bool resume;
    bool probing;                /* resuming: the one part out checks If-Match before the rest is queued */
    char *ranges_path;           /* the sidecar: tmp_path + ".ranges" */
    struct ur_partial done;      /* ranges complete in the file before this run (from the sidecar) */
    struct urestore_client *cl;

    bool failed;                 /* res holds the error; abort once nothing is in flight */
    bool finished;               /* res reported */
    struct ur_list link;         /* client's list of tasks to finish */
};


/* Does t's answer go to memory (a request of its own) rather than to its file? */
static inline bool ur_task_mem(const struct ur_task *t)
{
    return t->req && t->req->mem;
}

/* ---- connections ------------------------------------------------------------------------------------ */

/* The task flags this library acts on; a task with another bit set is refused rather than half done. */
#define UR_TASK_FLAGS_KNOWN                                                                                    \
    (URESTORE_TASK_NO_CLOBBER | URESTORE_TASK_IF_SOURCE_NEWER | URESTORE_TASK_IF_SIZE_DIFFERS |               \
     URESTORE_TASK_NO_MTIME | URESTORE_TASK_RESUME)

/* HTTP/1.1 pipelining: up to this many small GETs go out together on one keep-alive connection (one send,
 * one TLS record for all of them, the responses read back to back). URESTORE_PIPELINE=1 turns it off. */
#define UR_PIPE_MAX 8
#define UR_PIPE_DEFAULT 4

/* C_TUNNEL: connected to the host's proxy, its answer to CONNECT awaited. */
enum ur_conn_state { C_FREE, C_CONNECTING, C_TUNNEL, C_HANDSHAKE, C_IDLE, C_BUSY, C_CLOSING };
enum ur_phase { PH_NONE, PH_HEADERS, PH_BODY, PH_ERRBODY };

struct urestore_client;

struct ur_conn {
    struct ur_list link;         /* host idle list / client free list */
    struct urestore_client *cl;
    struct ur_host *host;
    enum ur_conn_state state;
    enum ur_phase phase;
    int fd;
    struct ur_tls *tls;          /* NULL over plain HTTP */
    struct ur_op op_connect, op_send, op_recv;
    struct ur_op op_park;        /* cancels the idle RECV at the end of a batch */
    bool connect_armed, send_armed, recv_armed;
    struct ur_pool_waiter buf_wait; /* paused until the pool has a buffer, or a write of its part ends */
    bool served;                 /* has completed a response before: a reused keep-alive connection */
    bool got_bytes;              /* a byte of the current response arrived */
    bool eof;
    bool recv_sink;              /* the armed RECV targets the part's buffer (plain HTTP body) */
    enum { BM_ERROR, BM_EMPTY, BM_MEM } bmode; /* what a body read through the parser is: an error
                                  document, the body of a 416 for an empty object, or a listing page */

    char *rbuf;                  /* received bytes (ciphertext over TLS; the proxy's answer in C_TUNNEL) */
    size_t tun_n;                /* C_TUNNEL: bytes of the proxy's answer in rbuf */
    size_t tun_req;              /* C_TUNNEL: length of the CONNECT request in sbuf (wiped once answered) */
    size_t rcap;
    char *pbuf;                  /* plaintext scratch for TLS headers */
    size_t pcap;
    const char *plain;           /* plaintext not yet consumed */
    size_t plain_n;
    size_t req_len;              /* TLS: plaintext requests gathered in pbuf, not yet sealed */
    char *sbuf;                  /* bytes to send */
    size_t scap, s_off, s_len;
    const char *body_out;        /* a request body still to send (plain HTTP: after sbuf, from its memory) */
    size_t body_out_len;
    bool sending_body;           /* the SEND in flight is from body_out */

    struct ur_http_resp resp;
    int64_t body_left;           /* sized body bytes still to come */
    struct ur_part *part;        /* the response being read */
    struct ur_part *ahead[UR_PIPE_MAX - 1]; /* requests sent after part's, answered in this order */
    unsigned nahead;
    char ebuf[2048];             /* error response body */
    size_t elen;
    uint64_t last_ms;            /* last progress (the loop's time), for the watchdog */
    struct ur_timer watchdog;    /* connect / first byte / stall timeouts (conn.c) */
    int err;                     /* why it is closing */
    char errmsg[256];
};

/* ---- the client ------------------------------------------------------------------------------------- */

struct urestore_client {
    struct urestore_options opt;
    const struct ur_sched_up *up; /* &ur_sched_up: what conn.c and sink.c call upward */
    char *endpoint_url, *region, *ca_bundle;
    struct ur_endpoint ep;
    bool region_asked;           /* options.region set, or instance metadata asked: ep.region stays */
    struct ur_creds creds;
    struct ur_sigv4 *signer;
    /* default_credentials with a source that expires or needs the network (engine/creds.c): fetched
     * before a call's first request when missing or due; NULL for static keys. */
    struct ur_creds_plan *cplan;
    struct ur_awscfg *awscfg;
    int64_t creds_exp; /* seconds since the epoch; 0: they do not expire */
    int64_t creds_at;  /* when they were fetched */
    struct ur_client_refresh *refresh; /* the refresh during a call (client.c); NULL until first needed */
    struct ur_tls_ctx *creds_tls;      /* https credential sources when S3 is plain http; else NULL */
    /* Set by client.c when its credentials can be fetched again: sched.c calls it on an ExpiredToken-like
     * answer to start a refresh now (a pointer, so that sched.c does not call up into client.c). */
    void (*creds_expired)(struct urestore_client *cl);
    /* The region each bucket answered from another region lives in, remembered for the client's life:
     * later requests for it go there signed for it from the start (client.c). */
    struct ur_bucket_region *bregions;
    unsigned nbregions;
    /* Set by client.c: sched.c calls it when t's bucket answered that it lives in region, to send t's
     * requests there from now on (and the batch's other tasks of that bucket). 0, or -1 with why. */
    int (*bucket_moved)(struct urestore_client *cl, struct ur_task *t, const char *region, char *why,
                        size_t whylen);
    struct ur_tls_ctx *tls_ctx;
    unsigned max_conns;          /* connections this batch may open (at most nconns) */
    unsigned pipeline;           /* requests per connection in flight at most (1: no pipelining) */
    int rcvbuf;                  /* SO_RCVBUF for every socket; 0: the kernel's autotuning */
    uint64_t part_size;
    int retries;
    uint64_t stall_ms;           /* no progress this long on a busy connection: reconnect and resume */
    uint64_t connect_ms;         /* connect + handshake */
    bool verify_md5;
    bool verify_checksum;        /* check the object's x-amz-checksum-* (opt.no_verify_checksum unset) */
    char request_payer[32];      /* "" when not sent */
    uint64_t first_byte_ms;      /* request sent → first byte */
    int cancel_fd;               /* eventfd written by urestore_cancel */
    volatile int cancelled;

    /* Made by the first urestore_copy(), kept until destroy (or until a call comes from another thread:
     * the ring belongs to the thread that made it): idle keep-alive connections outlive a batch. */
    struct ur_loop loop;
    bool loop_ready;
    char setup_err[200];         /* why the loop could not be set up ("" otherwise) */
    struct ur_pool pool;
    struct ur_conn *conns;       /* nconns slots; buffers and TLS state made when a slot first connects */
    unsigned nconns;
    struct ur_list free_conns;
    struct ur_host **hosts;
    unsigned nhosts, hosts_cap;

    unsigned batch;              /* counts urestore_copy() calls */

    /* per urestore_copy() */
    struct ur_task *tasks;
    size_t ntasks, tasks_left;
    struct ur_list queue;        /* parts waiting for a connection */
    struct ur_list done;         /* tasks finished since the callbacks last ran */
    uint64_t bytes_done, bytes_known;
    size_t tasks_done;
    const struct urestore_callbacks *cb; /* &cbs, or NULL when the batch has none */
    struct urestore_callbacks cbs;       /* the caller's, fields beyond its struct_size left NULL */
    struct ur_op op_cancel;
    struct ur_op op_kick;        /* a dispatch asked for: runs in the next turn (sched.c) */
    bool cancel_armed;
    bool closing;                /* the batch is over: connections are being drained */
    uint64_t cancel_val;
    unsigned tmp_counter;
    char known_dir[512];         /* the last destination directory found or made (client.c) */
    size_t known_dir_len;        /* 0: none */
    enum { UR_TMPFILE_UNKNOWN, UR_TMPFILE_YES, UR_TMPFILE_NO } tmpfile; /* O_TMPFILE + linkat usable */
    const struct ur_request *req; /* the batch's request, when it is not a copy (ur_client_run) */
    struct ur_pace pace[UR_PACE_SLOTS];
    uint64_t wake_ms;            /* a deferred part (backoff or pacing) may go at this time: kick then */
    struct ur_timer wake_timer;  /* armed for wake_ms (sched.c) */
    struct ur_timer progress_timer; /* on_progress every ~100 ms (client.c) */
    uint64_t rng;                /* backoff jitter (sched.c), never 0 */
};

/* How conn.c and sink.c report to the scheduler above them: through this table, which sched.c provides
 * (ur_sched_up) and the client holds, never by naming sched.c — the files of engine/ call only downward
 * (tests/e2e/test_engine_layers.sh checks it). An entry may change the scheduler's state; it never
 * dispatches requests inside the call: kick asks for a dispatch in the loop's next turn. */
struct ur_sched_up {
    /* The response for c->part has its headers: see ur_sched_headers. */
    int (*headers)(struct ur_conn *c);
    void (*part_error)(struct ur_part *p, urestore_status st, int http_status, const char *msg,
                       enum ur_retry retry);
    void (*part_ok)(struct ur_part *p);
    /* p left its connection (received, failed, or to be retried). */
    void (*part_released)(struct urestore_client *cl, struct ur_part *p);
    void (*host_failed)(struct urestore_client *cl, struct ur_host *h, urestore_status st, const char *msg,
                        enum ur_retry retry);
    void (*conn_idle)(struct ur_conn *c);
    void (*task_fail)(struct ur_task *t, urestore_status st, int http_status, const char *msg);
    /* The bucket of c->part's task lives in region (a redirect answer, s3/region.h): true when the part is
     * to be sent again there (conn.c then releases it with UR_RETRY_REDIRECT); false, with why (may be
     * ""), when it is not to be (too many redirects, a region that cannot be reached). */
    bool (*region_moved)(struct ur_part *p, const char *region, char *why, size_t whylen);
    void (*kick)(struct urestore_client *cl);
};
extern const struct ur_sched_up ur_sched_up;

/* Fails t with a formatted message, through the scheduler's table. */
static inline __attribute__((format(printf, 4, 5))) void ur_task_failf(struct ur_task *t, urestore_status st,
                                                                        int http_status, const char *fmt, ...)
{
    char msg[sizeof(((struct urestore_result *)0)->message)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    t->cl->up->task_fail(t, st, http_status, msg);
}

#endif
