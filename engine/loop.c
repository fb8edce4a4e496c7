/* engine/loop.c — what every backend of the loop shares: the ready queue (deferred work and operations
 * performed in-thread), the timers (a sorted intrusive list), the turn's clock, and the
 * order of one turn. The backend (loop_uring.c) submits, waits and reaps; it never runs a callback while
 * reaping. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/loop.h"


uint64_t ur_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Why io_uring could not be set up, in words that point at the cause. */
static void s_why_not_uring(struct ur_loop *l, int err)
{
    int disabled = 0;
    FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
    if (f) {
        if (fscanf(f, "%d", &disabled) != 1) disabled = 0;
        fclose(f);
    }
    if (disabled && (err == -EPERM || err == -EACCES))
        snprintf(l->why, sizeof(l->why), "io_uring disabled by sysctl (kernel.io_uring_disabled=%d)", disabled);
    else if (err == -EPERM) /* what the default profiles of Docker >= 25 and containerd >= 2.0 answer */
        snprintf(l->why, sizeof(l->why), "io_uring refused by seccomp (EPERM)");
    else if (err == -EACCES)
        snprintf(l->why, sizeof(l->why), "io_uring refused (EACCES): a security module or a seccomp filter");
    else if (err == -ENOSYS)
        snprintf(l->why, sizeof(l->why), "io_uring refused (ENOSYS): a seccomp filter, or a kernel without it");
    else
        snprintf(l->why, sizeof(l->why), "io_uring setup failed: %s", strerror(-err));
}

/* AUTO takes io_uring, and epoll when io_uring cannot be set up for any reason (refused by seccomp or a
 * security module, disabled by sysctl, missing, out of locked memory on an old kernel): a copy that works
 * beats one that fails, and l->why says what happened so that the caller can say it once. URING and EPOLL
 * take that one only; a forced io_uring that fails names the cause and the way out. */
int ur_loop_init(struct ur_loop *l, unsigned entries, enum ur_loop_kind kind)
{
    memset(l, 0, sizeof(*l));
    int r = -ENOSYS;
    if (kind != UR_LOOP_EPOLL) {
        l->be = &ur_loop_uring;
        r = l->be->init(l, entries);
        if (r < 0) s_why_not_uring(l, r);
        if (r < 0 && kind == UR_LOOP_URING) {
            size_t n = strlen(l->why);
            snprintf(l->why + n, sizeof(l->why) - n, "; the epoll backend works without it");
            snprintf(l->io, sizeof(l->io), "none: %s", l->why);
            return r;
        }
    }
    if (r < 0) {
        l->be = &ur_loop_epoll;
        int e = l->be->init(l, entries);
        if (e < 0) {
            size_t n = strlen(l->why);
            snprintf(l->why + n, sizeof(l->why) - n, "%sepoll setup failed: %s", n ? "; " : "", strerror(-e));
            snprintf(l->io, sizeof(l->io), "none: %s", l->why);
            return e;
        }
    }
    if (l->why[0])
        snprintf(l->io, sizeof(l->io), "%s (%s)", l->be->name, l->why);
    else
        snprintf(l->io, sizeof(l->io), "%s", l->be->name);
    l->ready_head = l->ready_tail = NULL;
    ur_list_init(&l->timers);
    l->now_ms = ur_now_ms();
    return 0;
}

void ur_loop_destroy(struct ur_loop *l)
{
    while (!ur_list_empty(&l->timers)) ur_loop_timer_cancel(l, ur_container_of(l->timers.next, struct ur_timer, link));
    /* Operations still in the ready queue (a drain that stopped early) must not stay marked queued: their
     * owners outlive this loop, and a later ur_loop_defer would take them for queued and drop them. */
    for (struct ur_op *op = l->ready_head; op; op = op->next) op->queued = false;
    l->ready_head = l->ready_tail = NULL;
    l->be->destroy(l);
}

void ur_loop_defer(struct ur_loop *l, struct ur_op *op, int res)
{
    op->res = res;
    if (op->queued) return;
    op->queued = true;
    op->next = NULL;
    if (l->ready_tail)
        l->ready_tail->next = op;
    else
        l->ready_head = op;
    l->ready_tail = op;
    l->inflight++;
}

/* ---- timers: an intrusive list sorted by at_ms. Nothing to allocate, and most timers are armed for
 * "now + a timeout", later than every other, so the insertion scans from the tail and stops at once. ---- */

void ur_loop_timer_cancel(struct ur_loop *l, struct ur_timer *t)
{
    (void)l;
    if (!t->armed) return;
    ur_list_remove(&t->link);
    t->armed = false;
}

void ur_loop_timer_arm(struct ur_loop *l, struct ur_timer *t, uint64_t at_ms)
{
    ur_loop_timer_cancel(l, t);
    t->at_ms = at_ms;
    struct ur_list *pos = l->timers.prev;
    while (pos != &l->timers && ur_container_of(pos, struct ur_timer, link)->at_ms > at_ms) pos = pos->prev;
    ur_list_insert(&t->link, pos, pos->next);
    t->armed = true;
}

static struct ur_timer *s_first_timer(struct ur_loop *l)
{
    return ur_list_empty(&l->timers) ? NULL : ur_container_of(l->timers.next, struct ur_timer, link);
}

/* ---- one turn ---------------------------------------------------------------------------------------- */

int ur_loop_run_once(struct ur_loop *l, unsigned max_wait_ms)
{
    unsigned wait = max_wait_ms;
    if (l->ready_head) {
        wait = 0; /* work is waiting already: only look for more */
    } else if (s_first_timer(l)) {
        uint64_t now = ur_now_ms(), at = s_first_timer(l)->at_ms;
        uint64_t until = at <= now ? 0 : at - now;
        if (until < wait) wait = (unsigned)until;
    }
    int r = l->be->wait(l, wait);
    if (r < 0) return r;
    l->now_ms = ur_now_ms();
    unsigned n = l->be->reap(l);
    /* What is ready now, including what the callbacks above deferred; what the callbacks below defer waits
     * for the next turn, so one turn runs a bounded number of callbacks. */
    struct ur_op *op = l->ready_head;
    l->ready_head = l->ready_tail = NULL;
    while (op) {
        struct ur_op *next = op->next;
        op->queued = false;
        l->inflight--;
        op->cb(op, op->res);
        op = next;
        n++;
    }
    /* Timers due at this turn's time, those armed before it began: one armed again by a callback (even
     * for now) waits for the next turn. */
    struct ur_list due;
    ur_list_init(&due);
    struct ur_timer *t;
    while ((t = s_first_timer(l)) && t->at_ms <= l->now_ms) {
        ur_list_remove(&t->link);
        ur_list_push_back(&due, &t->link);
    }
    while (!ur_list_empty(&due)) {
        t = ur_container_of(due.next, struct ur_timer, link);
        ur_list_remove(&t->link);
        t->armed = false;
        t->cb(t);
        n++;
    }
    return (int)n;
}
