/* engine/loop_uring.c — the loop's io_uring backend: ring setup, one SQE per operation, the wait, the reap.
 *
 * Completions are drained in one batch and the CQ advanced once before any callback runs, so callbacks
 * may submit freely (TigerBeetle's rule: never run callbacks while reaping).
 *
 * Waiting batches completions: where the kernel has min-wait (6.12+), a wait asks for every operation in
 * flight but returns once UR_MIN_WAIT_US have passed with at least one completion. A busy download then
 * wakes a few thousand times per GiB instead of tens of thousands, and each RECV finds more bytes queued.
 *
 * Opcodes are probed once at setup: an operation whose opcode the kernel lacks (IORING_OP_FTRUNCATE before
 * 6.9; Debian 12 runs 6.1) is performed here, in the loop thread, and completes through the ready queue
 * like any other: its callback never runs inside the call that started it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/loop.h"

#define UR_REAP_BATCH 256
/* 1 GiB over TLS, client pinned (perf/README.md): 100 µs took CPU from 0.68 to 0.54 s with 256 KiB RECVs;
 * 300 µs was no better on big objects and slower on tiny ones. */
#define UR_MIN_WAIT_US 100
/* Not in liburing 2.3's headers: the feature bit, and the min-wait field (formerly pad) of the wait args. */
#define UR_FEAT_MIN_TIMEOUT (1U << 15)
/* liburing 2.3 has no io_uring_prep_ftruncate; the opcode exists since Linux 6.9. */
#define UR_OP_FTRUNCATE 55

static int s_init(struct ur_loop *l, unsigned entries)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof(p));
    /* One issuer, task work run only when we wait: no IPIs, no surprise preemption on our one vCPU. Never
     * SQPOLL: it would burn the core we are trying to save. */
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN;
    p.flags |= IORING_SETUP_CQSIZE;
    p.cq_entries = entries * 4;
    int r = io_uring_queue_init_params(entries, &l->ring, &p);
    if (r == -EINVAL) { /* older kernel: plain ring */
        memset(&p, 0, sizeof(p));
        r = io_uring_queue_init_params(entries, &l->ring, &p);
    }
    if (r < 0) return r;
    if (p.features & UR_FEAT_MIN_TIMEOUT) l->min_wait_us = UR_MIN_WAIT_US;
    /* Without a probe (kernels before 5.6) every opcode reads as absent: the operations that can be
     * performed in-thread then are, rather than submitted where they may not exist. */
    struct io_uring_probe *probe = io_uring_get_probe_ring(&l->ring);
    if (probe) {
        for (unsigned op = 0; op <= probe->last_op && op < 64 * sizeof(l->ops) / sizeof(l->ops[0]); op++)
            if (io_uring_opcode_supported(probe, (int)op)) l->ops[op / 64] |= 1ULL << (op % 64);
        io_uring_free_probe(probe);
    }
    return 0;
}

static void s_destroy(struct ur_loop *l)
{
    io_uring_queue_exit(&l->ring);
}

static bool s_has(const struct ur_loop *l, unsigned opcode)
{
    return opcode < 64 * sizeof(l->ops) / sizeof(l->ops[0]) && (l->ops[opcode / 64] >> (opcode % 64) & 1);
}

static bool s_owned(struct ur_loop *l)
{
    /* A ring set up with SINGLE_ISSUER answers EEXIST to any other thread (even a new one that got a dead
     * thread's id); asking costs one syscall that submits nothing and waits for nothing. */
    return syscall(__NR_io_uring_enter, l->ring.ring_fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, _NSIG / 8) >= 0;
}

/* An SQE whose completion runs op->cb. Submits queued SQEs when the SQ is full; never returns NULL. */
static struct io_uring_sqe *s_sqe(struct ur_loop *l, struct ur_op *op)
{
    struct io_uring_sqe *sqe;
    while ((sqe = io_uring_get_sqe(&l->ring)) == NULL) io_uring_submit(&l->ring);
    io_uring_sqe_set_data(sqe, op);
    l->inflight++;
    return sqe;
}

/* The result of a system call performed here, completed through the ready queue. */
static void s_done_here(struct ur_loop *l, struct ur_op *op, int r)
{
    ur_loop_defer(l, op, r < 0 ? -errno : r);
}

/* Submits what is queued and waits for all in flight, up to timeout_ms, returning after the min-wait once
 * anything completed. liburing 2.3 cannot pass a min-wait: the SQ tail is published here as its
 * __io_uring_flush_sq does (no SQPOLL), and io_uring_enter called directly. */
static int s_submit_and_min_wait(struct ur_loop *l, struct __kernel_timespec *ts)
{
    struct io_uring_sq *sq = &l->ring.sq;
    unsigned tail = sq->sqe_tail;
    if (sq->sqe_head != tail) {
        sq->sqe_head = tail;
        IO_URING_WRITE_ONCE(*sq->ktail, tail);
    }
    struct io_uring_getevents_arg arg = {
        .sigmask = 0, .sigmask_sz = _NSIG / 8, .pad = l->min_wait_us, .ts = (uint64_t)(uintptr_t)ts};
    long r = syscall(__NR_io_uring_enter, l->ring.ring_fd, tail - *sq->khead, l->inflight ? l->inflight : 1,
                     IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
    return r < 0 ? -errno : (int)r;
}

static int s_wait(struct ur_loop *l, unsigned timeout_ms)
{
    struct io_uring_cqe *cqe;
    struct __kernel_timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000L};
    int r;
    if (l->min_wait_us && timeout_ms > 0 && io_uring_cq_ready(&l->ring) == 0)
        r = s_submit_and_min_wait(l, &ts);
    else
        r = io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, &ts, NULL);
    return r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY ? r : 0;
}

static unsigned s_reap(struct ur_loop *l)
{
    struct io_uring_cqe *cqes[UR_REAP_BATCH];
    struct {
        struct ur_op *op;
        int res;
        uint32_t flags;
    } done[UR_REAP_BATCH];
    unsigned n = io_uring_peek_batch_cqe(&l->ring, cqes, UR_REAP_BATCH);
    for (unsigned i = 0; i < n; i++) {
        done[i].op = io_uring_cqe_get_data(cqes[i]);
        done[i].res = cqes[i]->res;
        done[i].flags = cqes[i]->flags;
    }
    io_uring_cq_advance(&l->ring, n);
    for (unsigned i = 0; i < n; i++) {
        if (!(done[i].flags & IORING_CQE_F_MORE)) l->inflight--;
        if (done[i].op) done[i].op->cb(done[i].op, done[i].res);
    }
    return n;
}

/* ---- operations --------------------------------------------------------------------------------------- */

static void s_connect(struct ur_loop *l, struct ur_op *op, int fd, const struct sockaddr *addr, socklen_t len)
{
    io_uring_prep_connect(s_sqe(l, op), fd, addr, len);
}

static void s_send(struct ur_loop *l, struct ur_op *op, int fd, const void *buf, size_t len)
{
    io_uring_prep_send(s_sqe(l, op), fd, buf, len, MSG_NOSIGNAL);
}

static void s_recv(struct ur_loop *l, struct ur_op *op, int fd, void *buf, size_t len)
{
    io_uring_prep_recv(s_sqe(l, op), fd, buf, len, 0);
}

static void s_read(struct ur_loop *l, struct ur_op *op, int fd, void *buf, size_t len)
{
    io_uring_prep_read(s_sqe(l, op), fd, buf, (unsigned)len, 0);
}

static void s_cancel(struct ur_loop *l, struct ur_op *op, struct ur_op *target)
{
    io_uring_prep_cancel64(s_sqe(l, op), (uint64_t)(uintptr_t)target, 0);
}

static void s_openat(struct ur_loop *l, struct ur_op *op, const char *path, int flags, mode_t mode)
{
    io_uring_prep_openat(s_sqe(l, op), AT_FDCWD, path, flags, mode);
}

static void s_fallocate(struct ur_loop *l, struct ur_op *op, int fd, uint64_t len)
{
    io_uring_prep_fallocate(s_sqe(l, op), fd, 0, 0, (off_t)len);
}

static void s_write(struct ur_loop *l, struct ur_op *op, int fd, const void *buf, size_t len, uint64_t off,
                   int buf_index)
{
    struct io_uring_sqe *sqe = s_sqe(l, op);
    if (buf_index >= 0)
        io_uring_prep_write_fixed(sqe, fd, buf, (unsigned)len, off, buf_index);
    else
        io_uring_prep_write(sqe, fd, buf, (unsigned)len, off);
}

static void s_ftruncate(struct ur_loop *l, struct ur_op *op, int fd, uint64_t len)
{
    if (s_has(l, UR_OP_FTRUNCATE))
        io_uring_prep_rw(UR_OP_FTRUNCATE, s_sqe(l, op), fd, NULL, 0, len);
    else
        s_done_here(l, op, ftruncate(fd, (off_t)len));
}

static void s_link_fd(struct ur_loop *l, struct ur_op *op, int fd, const char *path)
{
    io_uring_prep_linkat(s_sqe(l, op), fd, "", AT_FDCWD, path, AT_EMPTY_PATH);
}

static void s_rename(struct ur_loop *l, struct ur_op *op, const char *from, const char *to)
{
    io_uring_prep_renameat(s_sqe(l, op), AT_FDCWD, from, AT_FDCWD, to, 0);
}

static void s_unlink(struct ur_loop *l, struct ur_op *op, const char *path)
{
    io_uring_prep_unlinkat(s_sqe(l, op), AT_FDCWD, path, 0);
}

static void s_close(struct ur_loop *l, struct ur_op *op, int fd)
{
    io_uring_prep_close(s_sqe(l, op), fd);
}

/* ---- fixed buffers ------------------------------------------------------------------------------------ */

static int s_buffers_init(struct ur_loop *l, unsigned count)
{
    int r = io_uring_register_buffers_sparse(&l->ring, count);
    l->buffers = r == 0;
    return r;
}

static bool s_buffer_register(struct ur_loop *l, unsigned index, void *base, size_t len)
{
    if (!l->buffers) return false;
    struct iovec iov = {.iov_base = base, .iov_len = len};
    return io_uring_register_buffers_update_tag(&l->ring, index, &iov, NULL, 1) == 1;
}

const struct ur_loop_backend ur_loop_uring = {
    .name = "io_uring",
    .init = s_init,
    .destroy = s_destroy,
    .owned = s_owned,
    .wait = s_wait,
    .reap = s_reap,
    .connect = s_connect,
    .send = s_send,
    .recv = s_recv,
    .read = s_read,
    .cancel = s_cancel,
    .openat = s_openat,
    .fallocate = s_fallocate,
    .write = s_write,
    .ftruncate = s_ftruncate,
    .link_fd = s_link_fd,
    .rename = s_rename,
    .unlink = s_unlink,
    .close = s_close,
    .buffers_init = s_buffers_init,
    .buffer_register = s_buffer_register,
};
