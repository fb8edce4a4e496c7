/* engine/engine.h — the engine's internal types: the loop, buffers, tasks, parts, files and connections.
 *
 * Only engine/ includes this. The flow of one object: client.c plans tasks → sched.c cuts them into parts
 * and hands parts to connections → conn.c sends the signed GET and moves body bytes into the part's
 * aligned buffer → sink.c writes full buffers with O_DIRECT and renames the finished temporary file.
 * Nothing here allocates on the hot path: connections, buffers and parts are made at start. */
#ifndef UR_ENGINE_H
#define UR_ENGINE_H

#include <liburing.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine/list.h"
#include "engine/pace.h"
#include "engine/plan.h"
#include "include/urestore.h"
#include "http/response.h"
#include "tls/tls.h"
#include "s3/endpoint.h"
#include "s3/retry.h"
#include "s3/sigv4.h"
#include "s3/uri.h"

/* O_DIRECT needs offsets, lengths and memory aligned to the logical block size; 4096 covers every block
 * device with logical blocks up to 4 KiB (all common disks). */
#define UR_ALIGN 4096u

/* ---- the ring --------------------------------------------------------------------------------------- */

/* One in-flight operation: the SQE's user_data points here. Owned by the struct that embeds it. */
struct ur_op {
    void (*cb)(struct ur_op *op, int res, uint32_t cqe_flags);
    struct ur_op *ready_next; /* the loop's ready queue (an operation done in-thread), else unused */
    int ready_res;            /* its result, as a CQE's res */
};

struct ur_loop {
    struct io_uring ring;
    unsigned inflight;       /* SQEs submitted or queued, and ready operations, not yet completed */
    unsigned min_wait_us;    /* batch completions this long (0: the kernel cannot) */
    uint64_t ops[4];         /* bit n: the kernel has IORING_OP n (probed at init; opcodes are < 256) */
    /* Operations performed in the loop thread, waiting for ur_loop_run_once to run their callbacks.
     * Intrusive: an operation is in flight at most once, so the queue is bounded by the operations. */
    struct ur_op *ready_head, *ready_tail;
};

int ur_loop_init(struct ur_loop *l, unsigned entries);
void ur_loop_destroy(struct ur_loop *l);
/* May the calling thread use the ring? (Only the thread that made it may.) */
bool ur_loop_owned(struct ur_loop *l);
/* An SQE whose completion runs op->cb. Submits queued SQEs when the SQ is full; never returns NULL. */
struct io_uring_sqe *ur_loop_sqe(struct ur_loop *l, struct ur_op *op);
/* Does the kernel implement this IORING_OP_* opcode? Probed once by ur_loop_init; false for every
 * opcode if the kernel could not be probed (before 5.6, where urestore does not run anyway). */
bool ur_loop_has(const struct ur_loop *l, unsigned opcode);
/* Completes op with res (a CQE's res: a value or -errno) without the kernel: for an operation the kernel
 * lacks, which the caller has just performed itself. op->cb runs from a later ur_loop_run_once, after
 * the completions that call reaped — never from here, so the caller's state is settled first. op counts
 * as in flight until then. */
void ur_loop_complete(struct ur_loop *l, struct ur_op *op, int res);
/* Submits, waits up to timeout_ms for at least one completion (not at all while an operation is ready),
 * then runs the callbacks of every completion reaped (after the CQ was advanced), then those of the
 * operations that were ready. Returns the number of callbacks run or -errno. */
int ur_loop_run_once(struct ur_loop *l, unsigned timeout_ms);
uint64_t ur_now_ms(void);

/* ---- buffers ---------------------------------------------------------------------------------------- */

struct ur_part;

struct ur_buf {
    struct ur_list link;     /* free list, or the task's list of writes waiting for the file */
    char *data;              /* UR_ALIGN-aligned, pool->buf_size bytes */
    uint32_t len;            /* bytes of body in data */
    uint64_t file_off;       /* where data[0] goes in the file */
    struct ur_part *part;    /* owner while filling or writing */
    struct ur_op op;         /* the write */
    bool registered;         /* in the ring's buffer table at index ur_pool_index(): WRITE_FIXED */
};

struct ur_pool {
    char *base;
    size_t buf_size;
    unsigned count;
    struct ur_buf *bufs;
    struct ur_list free;
    struct ur_list waiters;  /* connections paused until a buffer is free */
    struct io_uring *ring;   /* buffers are registered with it on first use (NULL: never) */
};

static inline unsigned ur_pool_index(const struct ur_pool *p, const struct ur_buf *b)
{
    return (unsigned)(b - p->bufs);
}

int ur_pool_init(struct ur_pool *p, size_t buf_size, unsigned count);
void ur_pool_destroy(struct ur_pool *p);
int ur_pool_register(struct ur_pool *p, struct io_uring *ring);
struct ur_buf *ur_pool_get(struct ur_pool *p);
/* Registers b with the ring if it is not yet (once per buffer); true when WRITE_FIXED may use it. */
bool ur_pool_fixed(struct ur_pool *p, struct ur_buf *b);
void ur_pool_put(struct ur_pool *p, struct ur_buf *b);

/* ---- hosts, tasks, parts ---------------------------------------------------------------------------- */

/* One server to connect to: resolved before a batch that uses it starts (again only while it has no
 * connection). Hosts live as long as the client: their idle connections, retry budget and warm state
 * carry over from one urestore_copy() to the next. */
struct ur_host {
    char conn_host[256];         /* for SNI and certificate checks */
    char host_header[272];
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

struct ur_part {
    struct ur_list link;         /* client's queue of parts waiting for a connection */
    struct ur_task *task;
    uint64_t off;                /* first byte of the object */
    int64_t len;                 /* bytes; -1 while unknown (the first part of an object of unknown size) */
    uint64_t got;                /* bytes received (in buffers, written or not) */
    struct ur_buf *buf;          /* being filled */
    unsigned writes;             /* writes of this part in flight (at most 2: memory stays bounded) */
    bool queued;
    bool received;               /* all bytes are in buffers */
    unsigned attempts;           /* retries used */
    unsigned free_retries;       /* retries after a reused connection died before answering */
    uint64_t not_before_ms;      /* retry backoff */
    struct ur_pace *pace;        /* its prefix's pacing */
    int64_t retry_after_ms;      /* the server's x-amz-retry-after for the failure being recorded */
    bool crc_on;                 /* the response carries the whole object's x-amz-checksum-crc32 */
    struct evp_md_ctx_st *md5;   /* --verify-md5: running MD5 of the whole object, else NULL */
    uint32_t crc, crc_want;
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
    const char *query;           /* canonical query string (listing), NULL for object GETs */
    bool mem;                    /* the body goes to mbuf, not to a file (listing pages) */
    char *mbuf;
    size_t mlen, mcap;
    char *dir_path;              /* the destination's directory, where the unnamed file is made */
    char *tmp_path;              /* ".NAME.urestore-PID-N" beside the destination */
    int64_t size;                /* object size, -1 until learned */
    uint64_t part_size;
    char etag[128];              /* from the first response; later parts send If-Match */

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
    struct urestore_client *cl;

    bool failed;                 /* res holds the error; abort once nothing is in flight */
    bool finished;               /* res reported */
    struct ur_list link;         /* client's list of tasks to finish */
};


/* ---- connections ------------------------------------------------------------------------------------ */

/* HTTP/1.1 pipelining: up to this many small GETs go out together on one keep-alive connection (one send,
 * one TLS record for all of them, the responses read back to back). URESTORE_PIPELINE=1 turns it off. */
#define UR_PIPE_MAX 8
#define UR_PIPE_DEFAULT 4

enum ur_conn_state { C_FREE, C_CONNECTING, C_HANDSHAKE, C_IDLE, C_BUSY, C_CLOSING };
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
    bool waiting_buf;            /* paused until the pool has a buffer */
    bool served;                 /* has completed a response before: a reused keep-alive connection */
    bool got_bytes;              /* a byte of the current response arrived */
    bool eof;
    bool recv_sink;              /* the armed RECV targets the part's buffer (plain HTTP body) */
    enum { BM_ERROR, BM_EMPTY, BM_MEM } bmode; /* what a body read through the parser is: an error
                                  document, the body of a 416 for an empty object, or a listing page */

    char *rbuf;                  /* received bytes (ciphertext over TLS) */
    size_t rcap;
    char *pbuf;                  /* plaintext scratch for TLS headers */
    size_t pcap;
    const char *plain;           /* plaintext not yet consumed */
    size_t plain_n;
    size_t req_len;              /* TLS: plaintext requests gathered in pbuf, not yet sealed */
    char *sbuf;                  /* bytes to send */
    size_t scap, s_off, s_len;

    struct ur_http_resp resp;
    int64_t body_left;           /* sized body bytes still to come */
    struct ur_part *part;        /* the response being read */
    struct ur_part *ahead[UR_PIPE_MAX - 1]; /* requests sent after part's, answered in this order */
    unsigned nahead;
    char ebuf[2048];             /* error response body */
    size_t elen;
    uint64_t last_ms;            /* last progress, for the stall watchdog */
    int err;                     /* why it is closing */
    char errmsg[256];
};

/* ---- the client ------------------------------------------------------------------------------------- */

struct urestore_client {
    struct urestore_options opt;
    char *endpoint_url, *region, *ca_bundle;
    struct ur_endpoint ep;
    struct ur_creds creds;
    struct ur_sigv4 *signer;
    struct ur_tls_ctx *tls_ctx;
    unsigned max_conns;          /* connections this batch may open (at most nconns) */
    unsigned pipeline;           /* requests per connection in flight at most (1: no pipelining) */
    int rcvbuf;                  /* SO_RCVBUF for every socket; 0: the kernel's autotuning */
    uint64_t part_size;
    int retries;
    uint64_t stall_ms;           /* no progress this long on a busy connection: reconnect and resume */
    uint64_t connect_ms;         /* connect + handshake */
    bool verify_md5;
    char request_payer[32];      /* "" when not sent */
    uint64_t first_byte_ms;      /* request sent → first byte */
    int cancel_fd;               /* eventfd written by urestore_cancel */
    volatile int cancelled;

    /* Made by the first urestore_copy(), kept until destroy (or until a call comes from another thread:
     * the ring belongs to the thread that made it): idle keep-alive connections outlive a batch. */
    struct ur_loop loop;
    bool loop_ready;
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
    bool cancel_armed;
    bool closing;                /* the batch is over: connections are being drained */
    uint64_t cancel_val;
    unsigned tmp_counter;
    char known_dir[512];         /* the last destination directory found or made (client.c) */
    size_t known_dir_len;        /* 0: none */
    enum { UR_TMPFILE_UNKNOWN, UR_TMPFILE_YES, UR_TMPFILE_NO } tmpfile; /* O_TMPFILE + linkat usable */
    const char *list_query;      /* set while ur_client_list runs a page */
    struct ur_pace pace[UR_PACE_SLOTS];
    uint64_t wake_ms;            /* a deferred part (backoff or pacing) may go at this time: kick then */
    uint64_t rng;                /* backoff jitter (sched.c), never 0 */
};

/* client.c: one batch through the loop; *page gets a listing page's body (list_query set) */
urestore_status ur_client_run(struct urestore_client *cl, const struct urestore_task *tasks, size_t n,
                              struct urestore_result *results, const struct urestore_callbacks *cb, char **page);

/* sched.c */
void ur_sched_kick(struct urestore_client *cl);
void ur_sched_conn_idle(struct ur_conn *c);
/* The response for c->part has its headers. Returns 0: the body goes to the file; 1: an error document
 * follows; 2: the object is empty (416), drop the body; 3: the body goes to memory (t->mem); -1: the
 * task failed, close the connection. */
int ur_sched_headers(struct ur_conn *c);
/* How a failure may be retried: enum ur_retry (s3/retry.h). */
void ur_sched_part_error(struct ur_part *p, urestore_status st, int http_status, const char *msg,
                         enum ur_retry retry);
/* The request for p succeeded: refund the host's retry budget and let its prefix pace up. */
void ur_sched_part_ok(struct ur_part *p);
/* A connection to h failed before it carried a request: TLS failures (certificates do not heal) fail
 * every task for h; others are charged, as a retry, to the first part waiting for h. */
void ur_sched_host_failed(struct urestore_client *cl, struct ur_host *h, urestore_status st, const char *msg,
                          enum ur_retry retry);
void ur_sched_part_released(struct urestore_client *cl, struct ur_part *p);
void ur_sched_task_fail(struct ur_task *t, urestore_status st, int http_status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ur_sched_tick(struct urestore_client *cl);

/* conn.c */
void ur_conn_init(struct urestore_client *cl, struct ur_conn *c);
void ur_conn_start(struct urestore_client *cl, struct ur_conn *c, struct ur_host *h);
/* Writes p's request on c, which is idle (p becomes c->part; < 0: the request failed and c is closing)
 * or was just given its part by the same dispatch (p is pipelined behind it; -ENOSPC: the request does
 * not fit, and nothing changed). Nothing goes out until ur_conn_flush. */
int ur_conn_request(struct ur_conn *c, struct ur_part *p);
void ur_conn_flush(struct ur_conn *c);
void ur_conn_close(struct ur_conn *c, int err, const char *msg);
void ur_conn_resume(struct ur_conn *c);
/* Between batches nothing may be in flight (the next call may come from another thread, whose new ring
 * cannot wait for this one's requests): park stops an idle connection's RECV, unpark re-arms it. */
void ur_conn_park(struct ur_conn *c);
void ur_conn_unpark(struct ur_conn *c);
/* Space to write body bytes into for c->part: 0 when the connection must wait for a buffer. */
size_t ur_conn_body_space(struct ur_conn *c, char **dst);
void ur_conn_body_got(struct ur_conn *c, size_t n);

/* sink.c */
/* (Re)names t's temporary file ".NAME.urestore-PID-N" beside the destination, N fresh. 0 or -ENOMEM. */
int ur_sink_tmp_name(struct urestore_client *cl, struct ur_task *t);
void ur_sink_open(struct urestore_client *cl, struct ur_task *t);
void ur_sink_size_known(struct urestore_client *cl, struct ur_task *t);
/* A part's buffer is ready to write (full, or the part's last). Takes ownership of b. */
void ur_sink_write(struct urestore_client *cl, struct ur_task *t, struct ur_buf *b);
/* Nothing of t is in flight on the network: commit or abort once the file side is idle. */
void ur_sink_settle(struct urestore_client *cl, struct ur_task *t);

#endif
