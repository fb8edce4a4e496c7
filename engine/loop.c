/* engine/loop.c — the one io_uring ring: setup, SQE hand-out, and the reap-then-dispatch step.
 *
 * Completions are drained in one batch and the CQ advanced once before any callback runs, so callbacks
 * may queue new SQEs freely (TigerBeetle's rule: never run callbacks while reaping).
 *
 * Waiting batches completions: where the kernel has min-wait (6.12+), a wait asks for every operation in
 * flight but returns once UR_MIN_WAIT_US have passed with at least one completion. A busy download then
 * wakes a few thousand times per GiB instead of tens of thousands, and each RECV finds more bytes queued.
 *
 * Opcodes are probed once at setup: where the kernel lacks one (IORING_OP_FTRUNCATE before 6.9; Debian 12
 * runs 6.1), the caller performs that operation itself in the loop thread and hands the result to
 * ur_loop_complete. Such completions wait in a ready queue and are delivered by ur_loop_run_once after the
 * ring's, like any completion: a callback never runs inside the call that started its operation. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"

#define UR_REAP_BATCH 256
/* 1 GiB over TLS, client pinned (perf/README.md): 100 µs took CPU from 0.68 to 0.54 s with 256 KiB RECVs;
 * 300 µs was no better on big objects and slower on tiny ones. */
#define UR_MIN_WAIT_US 100
/* Not in liburing 2.3's headers: the feature bit, and the min-wait field (formerly pad) of the wait args. */
#define UR_FEAT_MIN_TIMEOUT (1U << 15)

int ur_loop_init(struct ur_loop *l, unsigned entries)
{
    struct io_uring_params p;
    memset(l, 0, sizeof(*l));
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
    /* Without a probe (kernels before 5.6) every opcode reads as absent: callers then emulate what they
     * can rather than submit what may not exist. */
    struct io_uring_probe *probe = io_uring_get_probe_ring(&l->ring);
    if (probe) {
        for (unsigned op = 0; op <= probe->last_op && op < 64 * sizeof(l->ops) / sizeof(l->ops[0]); op++)
            if (io_uring_opcode_supported(probe, (int)op)) l->ops[op / 64] |= 1ULL << (op % 64);
        io_uring_free_probe(probe);
    }
    return 0;
}

bool ur_loop_has(const struct ur_loop *l, unsigned opcode)
{
    return opcode < 64 * sizeof(l->ops) / sizeof(l->ops[0]) && (l->ops[opcode / 64] >> (opcode % 64) & 1);
}

void ur_loop_complete(struct ur_loop *l, struct ur_op *op, int res)
{
    op->ready_res = res;
    op->ready_next = NULL;
    if (l->ready_tail)
        l->ready_tail->ready_next = op;
    else
        l->ready_head = op;
    l->ready_tail = op;
    l->inflight++;
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

bool ur_loop_owned(struct ur_loop *l)
{
    /* A ring set up with SINGLE_ISSUER answers EEXIST to any other thread (even a new one that got a dead
     * thread's id); asking costs one syscall that submits nothing and waits for nothing. */
    return syscall(__NR_io_uring_enter, l->ring.ring_fd, 0, 0, IORING_ENTER_GETEVENTS, NULL, _NSIG / 8) >= 0;
}

void ur_loop_destroy(struct ur_loop *l)
{
    io_uring_queue_exit(&l->ring);
}

struct io_uring_sqe *ur_loop_sqe(struct ur_loop *l, struct ur_op *op)
{
    struct io_uring_sqe *sqe;
    while ((sqe = io_uring_get_sqe(&l->ring)) == NULL) io_uring_submit(&l->ring);
    io_uring_sqe_set_data(sqe, op);
    l->inflight++;
    return sqe;
}

uint64_t ur_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int ur_loop_run_once(struct ur_loop *l, unsigned timeout_ms)
{
    struct io_uring_cqe *cqe, *cqes[UR_REAP_BATCH];
    struct __kernel_timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000L};
    struct {
        struct ur_op *op;
        int res;
        uint32_t flags;
    } done[UR_REAP_BATCH];

    int r;
    if (l->ready_head) timeout_ms = 0; /* a completion is waiting already: only look for more */
    if (l->min_wait_us && timeout_ms > 0 && io_uring_cq_ready(&l->ring) == 0)
        r = s_submit_and_min_wait(l, &ts);
    else
        r = io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, &ts, NULL);
    if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY) return r;
    unsigned n = io_uring_peek_batch_cqe(&l->ring, cqes, UR_REAP_BATCH);
    for (unsigned i = 0; i < n; i++) {
        done[i].op = io_uring_cqe_get_data(cqes[i]);
        done[i].res = cqes[i]->res;
        done[i].flags = cqes[i]->flags;
    }
    io_uring_cq_advance(&l->ring, n);
    for (unsigned i = 0; i < n; i++) {
        if (!(done[i].flags & IORING_CQE_F_MORE)) l->inflight--;
        if (done[i].op) done[i].op->cb(done[i].op, done[i].res, done[i].flags);
    }
    /* What is ready now, including what the callbacks above completed in-thread; what the callbacks
     * below complete waits for the next call, so one call runs a bounded number of callbacks. */
    struct ur_op *op = l->ready_head;
    l->ready_head = l->ready_tail = NULL;
    while (op) {
        struct ur_op *next = op->ready_next;
        l->inflight--;
        op->cb(op, op->ready_res, 0);
        op = next;
        n++;
    }
    return (int)n;
}
