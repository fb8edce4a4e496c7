/* engine/loop.c — the one io_uring ring: setup, SQE hand-out, and the reap-then-dispatch step.
 *
 * Completions are drained in one batch and the CQ advanced once before any callback runs, so callbacks
 * may queue new SQEs freely (TigerBeetle's rule: never run callbacks while reaping). */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"

#define UR_REAP_BATCH 256

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
    return r;
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

    int r = io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, &ts, NULL);
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
    return (int)n;
}
