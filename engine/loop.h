/* engine/loop.h — the event loop: operations with completion callbacks, work deferred to the next turn,
 * and timers. The one place in the tree that knows how I/O is performed (io_uring here, loop_uring.c);
 * callers submit operations and never see a submission queue entry.
 *
 * The rules every caller may rely on (TigerBeetle's, see doc/architecture.md):
 *   - a callback never runs inside the call that started its operation, nor while completions are being
 *     reaped: the loop collects completions first, then runs their callbacks, then the deferred work,
 *     then the timers that are due;
 *   - an operation (struct ur_op) is in flight at most once; its owner keeps it alive until its callback
 *     has run;
 *   - time is the loop's: ur_loop_now_ms() is the time of the current turn, and a timer fires in the first
 *     turn at or after its deadline (millisecond precision, no polling).
 * Everything here runs on the thread that made the loop. */
#ifndef UR_LOOP_H
#define UR_LOOP_H

#include <liburing.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine/list.h"

/* One operation. res is what the system call would return: a value, or -errno. Owned by the struct that
 * embeds it. */
struct ur_op {
    void (*cb)(struct ur_op *op, int res);
    struct ur_op *next; /* the loop's ready queue while performed or deferred in-thread */
    int res;
    bool queued;        /* in the ready queue */
};

/* A timer: fires once, at_ms or later, unless cancelled or re-armed first. */
struct ur_timer {
    void (*cb)(struct ur_timer *t);
    uint64_t at_ms;
    struct ur_list link; /* the loop's timers, by at_ms */
    bool armed;
};

struct ur_loop;

/* A backend: how operations are performed and completions found. Each completes an operation by calling
 * op->cb from its reap (after its own queue is advanced), or through ur_loop_defer. */
struct ur_loop_backend {
    const char *name; /* "io_uring", "epoll" */
    int (*init)(struct ur_loop *l, unsigned entries);
    void (*destroy)(struct ur_loop *l);
    bool (*owned)(struct ur_loop *l);
    /* Submits what is queued and waits up to timeout_ms (0: not at all) for a completion: 0 or -errno. */
    int (*wait)(struct ur_loop *l, unsigned timeout_ms);
    /* Runs the callbacks of what the wait found; returns how many. */
    unsigned (*reap)(struct ur_loop *l);
    void (*connect)(struct ur_loop *l, struct ur_op *op, int fd, const struct sockaddr *addr, socklen_t len);
    void (*send)(struct ur_loop *l, struct ur_op *op, int fd, const void *buf, size_t len);
    void (*recv)(struct ur_loop *l, struct ur_op *op, int fd, void *buf, size_t len);
    void (*read)(struct ur_loop *l, struct ur_op *op, int fd, void *buf, size_t len);
    void (*cancel)(struct ur_loop *l, struct ur_op *op, struct ur_op *target);
    void (*openat)(struct ur_loop *l, struct ur_op *op, const char *path, int flags, mode_t mode);
    void (*fallocate)(struct ur_loop *l, struct ur_op *op, int fd, uint64_t len);
    void (*write)(struct ur_loop *l, struct ur_op *op, int fd, const void *buf, size_t len, uint64_t off,
                  int buf_index);
    void (*ftruncate)(struct ur_loop *l, struct ur_op *op, int fd, uint64_t len);
    void (*link_fd)(struct ur_loop *l, struct ur_op *op, int fd, const char *path);
    void (*rename)(struct ur_loop *l, struct ur_op *op, const char *from, const char *to);
    void (*unlink)(struct ur_loop *l, struct ur_op *op, const char *path);
    void (*close)(struct ur_loop *l, struct ur_op *op, int fd);
    int (*buffers_init)(struct ur_loop *l, unsigned count);
    bool (*buffer_register)(struct ur_loop *l, unsigned index, void *base, size_t len);
};

extern const struct ur_loop_backend ur_loop_uring; /* loop_uring.c */
extern const struct ur_loop_backend ur_loop_epoll; /* loop_epoll.c */

/* Which backend: the automatic choice is io_uring, and another where io_uring cannot be set up. */
enum ur_loop_kind { UR_LOOP_AUTO = 0, UR_LOOP_URING = 1, UR_LOOP_EPOLL = 2 };

struct ur_loop {
    const struct ur_loop_backend *be;
    /* io_uring backend (loop_uring.c) */
    struct io_uring ring;
    unsigned min_wait_us;  /* batch completions this long (0: the kernel cannot) */
    uint64_t ops[4];       /* bit n: the kernel has IORING_OP n (probed at init; opcodes are < 256) */
    bool buffers;          /* a sparse table of fixed buffers is registered */
    /* epoll backend (loop_epoll.c) */
    int ep_fd;
    struct epoll_event *ep_evs; /* what the last wait found: ep_nevs of UR_EPOLL_EVENTS */
    unsigned ep_nevs;
    struct ur_epoll_fd *ep_fds; /* waiting operations, indexed by fd: ep_nfds slots */
    unsigned ep_nfds;
    pthread_t ep_owner; /* the thread that made the loop */
    /* common (loop.c) */
    unsigned inflight;     /* operations submitted or ready, not yet completed */
    struct ur_op *ready_head, *ready_tail; /* in-thread completions and deferred work, FIFO */
    struct ur_list timers;  /* armed timers, sorted by at_ms */
    uint64_t now_ms;
    char why[160];          /* why the automatic choice did not take io_uring ("" when it did) */
    char io[200];           /* the backend, and why when not io_uring: "epoll (io_uring refused …)" */
};

/* Sets the loop up with the backend kind asks for. 0, or -errno with a message in l->why (naming the real
 * cause: a seccomp filter, kernel.io_uring_disabled, a kernel without io_uring …). */
int ur_loop_init(struct ur_loop *l, unsigned entries, enum ur_loop_kind kind);
void ur_loop_destroy(struct ur_loop *l);
/* May the calling thread use the loop? (Only the thread that made it may.) */
static inline bool ur_loop_owned(struct ur_loop *l)
{
    return l->be->owned(l);
}

/* One turn: submits what is queued, waits for a completion (not at all while work is ready; at most until
 * the next timer; at most max_wait_ms), then runs the callbacks of what completed, the ready work, and the
 * timers that are due. Returns the number of callbacks run, or -errno. */
int ur_loop_run_once(struct ur_loop *l, unsigned max_wait_ms);
/* The time of the current turn (CLOCK_MONOTONIC, ms). */
static inline uint64_t ur_loop_now_ms(const struct ur_loop *l)
{
    return l->now_ms;
}
/* The clock itself, for code that runs outside the loop. */
uint64_t ur_now_ms(void);
/* Sets the turn's time to now: for work started from outside the loop (a new batch). */
static inline void ur_loop_update_time(struct ur_loop *l)
{
    l->now_ms = ur_now_ms();
}

/* Runs op->cb(op, res) in the next turn, after the completions it reaps: deferred work, or the result of
 * an operation performed in-thread. Deferring an op that is queued already only replaces its res: a
 * wake-up asked for twice runs once. */
void ur_loop_defer(struct ur_loop *l, struct ur_op *op, int res);

/* Arms t for at_ms (re-arming an armed timer moves it); cancel disarms (harmless when not armed). */
void ur_loop_timer_arm(struct ur_loop *l, struct ur_timer *t, uint64_t at_ms);
void ur_loop_timer_cancel(struct ur_loop *l, struct ur_timer *t);
static inline bool ur_loop_timer_armed(const struct ur_timer *t)
{
    return t->armed;
}

/* ---- operations (each completes through op->cb with the system call's result) ----------------------- */
static inline void ur_loop_connect(struct ur_loop *l, struct ur_op *op, int fd, const struct sockaddr *addr,
                                   socklen_t len)
{
    l->be->connect(l, op, fd, addr, len);
}
static inline void ur_loop_send(struct ur_loop *l, struct ur_op *op, int fd, const void *buf, size_t len)
{
    l->be->send(l, op, fd, buf, len);
}
static inline void ur_loop_recv(struct ur_loop *l, struct ur_op *op, int fd, void *buf, size_t len)
{
    l->be->recv(l, op, fd, buf, len);
}
static inline void ur_loop_read(struct ur_loop *l, struct ur_op *op, int fd, void *buf, size_t len)
{
    l->be->read(l, op, fd, buf, len);
}
/* Cancels target (in flight on this loop); op completes when the cancel has been handled. */
static inline void ur_loop_cancel(struct ur_loop *l, struct ur_op *op, struct ur_op *target)
{
    l->be->cancel(l, op, target);
}
static inline void ur_loop_openat(struct ur_loop *l, struct ur_op *op, const char *path, int flags, mode_t mode)
{
    l->be->openat(l, op, path, flags, mode);
}
static inline void ur_loop_fallocate(struct ur_loop *l, struct ur_op *op, int fd, uint64_t len)
{
    l->be->fallocate(l, op, fd, len);
}
/* buf_index: the buffer's slot in the table of ur_loop_buffer_register, or -1. */
static inline void ur_loop_write(struct ur_loop *l, struct ur_op *op, int fd, const void *buf, size_t len,
                                 uint64_t off, int buf_index)
{
    l->be->write(l, op, fd, buf, len, off, buf_index);
}
static inline void ur_loop_ftruncate(struct ur_loop *l, struct ur_op *op, int fd, uint64_t len)
{
    l->be->ftruncate(l, op, fd, len);
}
/* Gives the open file fd the name path (linkat with AT_EMPTY_PATH). */
static inline void ur_loop_link_fd(struct ur_loop *l, struct ur_op *op, int fd, const char *path)
{
    l->be->link_fd(l, op, fd, path);
}
static inline void ur_loop_rename(struct ur_loop *l, struct ur_op *op, const char *from, const char *to)
{
    l->be->rename(l, op, from, to);
}
static inline void ur_loop_unlink(struct ur_loop *l, struct ur_op *op, const char *path)
{
    l->be->unlink(l, op, path);
}
static inline void ur_loop_close(struct ur_loop *l, struct ur_op *op, int fd)
{
    l->be->close(l, op, fd);
}

/* Fixed buffers for ur_loop_write: a table of count slots (0 or -errno: without one, writes still work),
 * and one slot filled on first use (true when the slot may be named in ur_loop_write). */
static inline int ur_loop_buffers_init(struct ur_loop *l, unsigned count)
{
    return l->be->buffers_init(l, count);
}
static inline bool ur_loop_buffer_register(struct ur_loop *l, unsigned index, void *base, size_t len)
{
    return l->be->buffer_register(l, index, base, len);
}

#endif
