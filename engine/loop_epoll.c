/* engine/loop_epoll.c — the loop's portable backend, for where io_uring cannot be set up (a container
 * runtime's seccomp profile, kernel.io_uring_disabled, a kernel without it): the same operations and the
 * same completion rules as loop_uring.c, done with readiness.
 *
 * Sockets: an operation first tries its system call (non-blocking); when the socket would block it waits
 * in a per-fd slot (one read side, one write side: the engine never has two RECVs or two SENDs on a socket)
 * until epoll reports the fd ready, and the reap performs it then. Every socket is registered once, edge-
 * triggered for both directions, when it connects: no epoll_ctl per operation. Edge triggering means a
 * socket reports only changes, so the slot remembers whether the last try drained it (EAGAIN, or a short
 * RECV/SEND: nothing more was there); a drained side is not tried again until its next edge, which spares
 * the RECV that would only say EAGAIN (nginx's `ready` flag does the same).
 *
 * Files: openat, fallocate, pwrite, ftruncate, linkat, renameat, unlinkat and close run right here, in the
 * loop thread, and complete through the ready queue, so their callbacks never run inside the call that
 * started them. That blocks the loop for the length of each call: fine for page-cache writes and the
 * metadata calls; O_DIRECT writes wait for the device (perf/README.md measures what that costs).
 *
 * What this file must not do: allocate per operation (the slot table grows only when a larger fd number
 * shows up), or run a callback before every syscall of the reaped batch has been made. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "engine/loop.h"

/* Events taken per wait, so at most twice as many callbacks per turn (a read and a write per fd). 64
 * connections rarely have more than that many sockets ready at once. */
#define UR_EPOLL_EVENTS 256
#define UR_EPOLL_MIN_FDS 256

enum { K_NONE, K_RECV, K_READ, K_SEND, K_CONNECT };

/* One fd number's waiting operations. */
struct ur_epoll_fd {
    struct ur_op *rd, *wr; /* waiting for EPOLLIN / EPOLLOUT, or NULL */
    void *rd_buf;
    const void *wr_buf;
    size_t rd_len, wr_len;
    uint8_t rd_kind, wr_kind;
    bool registered; /* in the epoll set (a socket: since its connect) */
    bool rd_ready;   /* no EAGAIN or short RECV since the last EPOLLIN edge: worth trying */
    bool wr_ready;
    bool hup; /* an error or hang-up was reported: no edge will follow, so always try */
};

static int s_init(struct ur_loop *l, unsigned entries)
{
    (void)entries;
    l->ep_fd = epoll_create1(EPOLL_CLOEXEC);
    if (l->ep_fd < 0) return -errno;
    l->ep_evs = calloc(UR_EPOLL_EVENTS, sizeof(*l->ep_evs));
    l->ep_fds = calloc(UR_EPOLL_MIN_FDS, sizeof(*l->ep_fds));
    if (!l->ep_evs || !l->ep_fds) {
        free(l->ep_evs);
        free(l->ep_fds);
        close(l->ep_fd);
        return -ENOMEM;
    }
    l->ep_nfds = UR_EPOLL_MIN_FDS;
    l->ep_owner = pthread_self();
    return 0;
}

static void s_destroy(struct ur_loop *l)
{
    close(l->ep_fd);
    free(l->ep_evs);
    free(l->ep_fds);
    l->ep_evs = NULL;
    l->ep_fds = NULL;
    l->ep_nfds = 0;
}

static bool s_owned(struct ur_loop *l)
{
    /* epoll would serve any thread; the engine's rule (one thread per loop) is kept all the same, so both
     * backends rebuild at the same moments. */
    return pthread_equal(l->ep_owner, pthread_self());
}

/* fd's slot, the table grown to hold it (fd numbers are small and reused: this happens a few times per
 * client). NULL when out of memory. */
static struct ur_epoll_fd *s_slot(struct ur_loop *l, int fd)
{
    if (fd < 0) return NULL;
    if ((unsigned)fd >= l->ep_nfds) {
        unsigned n = l->ep_nfds;
        while (n <= (unsigned)fd)
            n *= 2;
        struct ur_epoll_fd *t = realloc(l->ep_fds, n * sizeof(*t));
        if (!t) return NULL;
        memset(t + l->ep_nfds, 0, (n - l->ep_nfds) * sizeof(*t));
        l->ep_fds = t;
        l->ep_nfds = n;
    }
    return &l->ep_fds[fd];
}

/* Puts fd in the epoll set for both directions, edge-triggered. 0 or -errno. */
static int s_register(struct ur_loop *l, struct ur_epoll_fd *s, int fd)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.fd = fd};
    if (epoll_ctl(l->ep_fd, EPOLL_CTL_ADD, fd, &ev) < 0 &&
        (errno != EEXIST || epoll_ctl(l->ep_fd, EPOLL_CTL_MOD, fd, &ev) < 0))
        return -errno;
    s->registered = true;
    return 0;
}

/* A non-blocking call's result: its value or -errno; -EAGAIN, with *ready cleared, when it would block. */
static int s_nb_result(ssize_t n, bool *ready)
{
    if (n >= 0) return n > INT_MAX ? INT_MAX : (int)n;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -errno;
    *ready = false;
    return -EAGAIN;
}

/* One attempt at a read-side operation: its result, or -EAGAIN. */
static int s_try_rd(struct ur_epoll_fd *s, int fd, uint8_t kind, void *buf, size_t len)
{
    int r = s_nb_result(kind == K_RECV ? recv(fd, buf, len, MSG_DONTWAIT) : read(fd, buf, len), &s->rd_ready);
    /* A stream socket that gave less than asked for is drained: whatever comes next raises an edge. */
    if (kind == K_RECV && r > 0 && (size_t)r < len && !s->hup) s->rd_ready = false;
    return r;
}

static int s_try_wr(struct ur_epoll_fd *s, int fd, uint8_t kind, const void *buf, size_t len)
{
    if (kind == K_CONNECT) {
        int err = 0;
        socklen_t sl = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0) return -errno;
        return -err;
    }
    int r = s_nb_result(send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT), &s->wr_ready);
    if (r >= 0 && (size_t)r < len && !s->hup) s->wr_ready = false; /* the send buffer is full */
    return r;
}

static int s_wait(struct ur_loop *l, unsigned timeout_ms)
{
    int n =
        epoll_wait(l->ep_fd, l->ep_evs, UR_EPOLL_EVENTS, timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms);
    if (n < 0) {
        l->ep_nevs = 0;
        return errno == EINTR ? 0 : -errno;
    }
    l->ep_nevs = (unsigned)n;
    return 0;
}

/* Performs what the reported fds allow, all of it, and only then runs the callbacks: a callback may close
 * or re-arm any fd of the batch. */
static unsigned s_reap(struct ur_loop *l)
{
    struct {
        struct ur_op *op;
        int res;
    } done[2 * UR_EPOLL_EVENTS];
    unsigned n = 0;
    for (unsigned i = 0; i < l->ep_nevs; i++) {
        uint32_t e = l->ep_evs[i].events;
        int fd = l->ep_evs[i].data.fd;
        if (fd < 0 || (unsigned)fd >= l->ep_nfds) continue;
        struct ur_epoll_fd *s = &l->ep_fds[fd];
        if (e & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) s->hup = true;
        if (e & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
            s->rd_ready = true;
            int r;
            if (s->rd && (r = s_try_rd(s, fd, s->rd_kind, s->rd_buf, s->rd_len)) != -EAGAIN) {
                done[n].op = s->rd;
                done[n++].res = r;
                s->rd = NULL;
            }
        }
        if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
            s->wr_ready = true;
            int r;
            if (s->wr && (r = s_try_wr(s, fd, s->wr_kind, s->wr_buf, s->wr_len)) != -EAGAIN) {
                done[n].op = s->wr;
                done[n++].res = r;
                s->wr = NULL;
            }
        }
    }
    l->ep_nevs = 0;
    l->inflight -= n;
    for (unsigned i = 0; i < n; i++)
        done[i].op->cb(done[i].op, done[i].res);
    return n;
}

/* ---- sockets ------------------------------------------------------------------------------------------ */

static void s_connect(struct ur_loop *l, struct ur_op *op, int fd, const struct sockaddr *addr, socklen_t len)
{
    struct ur_epoll_fd *s = s_slot(l, fd);
    if (!s) return ur_loop_defer(l, op, -ENOMEM);
    /* The engine made the socket blocking; a connect is where its life on this loop begins. */
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return ur_loop_defer(l, op, -errno);
    *s = (struct ur_epoll_fd){.rd_ready = true, .wr_ready = true};
    int r = s_register(l, s, fd);
    if (r < 0) return ur_loop_defer(l, op, r);
    if (connect(fd, addr, len) == 0) return ur_loop_defer(l, op, 0);
    if (errno != EINPROGRESS) return ur_loop_defer(l, op, -errno);
    s->wr = op;
    s->wr_kind = K_CONNECT;
    l->inflight++;
}

/* A read-side operation: performed now if the fd may have data, else parked until its next edge. */
static void s_rd(struct ur_loop *l, struct ur_op *op, int fd, void *buf, size_t len, uint8_t kind)
{
    struct ur_epoll_fd *s = s_slot(l, fd);
    if (!s) return ur_loop_defer(l, op, -ENOMEM);
    /* A read of an fd no connect set up (an eventfd) starts its slot afresh: its number may be that of a
     * socket closed with close(2), behind the loop's back, whose slot still says "registered" while the
     * kernel dropped it from the epoll set — the read would never see its edge. */
    if (kind == K_READ && !s->rd && !s->wr) *s = (struct ur_epoll_fd){0};
    if (!s->registered) {
        /* Not a socket this loop connected (the cancel eventfd): it must not block the loop either. */
        int fl = fcntl(fd, F_GETFL), r;
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return ur_loop_defer(l, op, -errno);
        s->rd_ready = s->wr_ready = true;
        if ((r = s_register(l, s, fd)) < 0) return ur_loop_defer(l, op, r);
    }
    if (s->rd) return ur_loop_defer(l, op, -EBUSY); /* the engine never asks for two */
    if (s->rd_ready || s->hup) {
        int r = s_try_rd(s, fd, kind, buf, len);
        if (r != -EAGAIN) return ur_loop_defer(l, op, r);
    }
    s->rd = op;
    s->rd_buf = buf;
    s->rd_len = len;
    s->rd_kind = kind;
    l->inflight++;
}

static void s_recv(struct ur_loop *l, struct ur_op *op, int fd, void *buf, size_t len)
{
    s_rd(l, op, fd, buf, len, K_RECV);
}

static void s_read(struct ur_loop *l, struct ur_op *op, int fd, void *buf, size_t len)
{
    s_rd(l, op, fd, buf, len, K_READ);
}

static void s_send(struct ur_loop *l, struct ur_op *op, int fd, const void *buf, size_t len)
{
    struct ur_epoll_fd *s = s_slot(l, fd);
    if (!s) return ur_loop_defer(l, op, -ENOMEM);
    if (s->wr) return ur_loop_defer(l, op, -EBUSY);
    if (s->wr_ready || s->hup || !s->registered) {
        int r = s_try_wr(s, fd, K_SEND, buf, len);
        if (r != -EAGAIN || !s->registered) return ur_loop_defer(l, op, r);
    }
    s->wr = op;
    s->wr_buf = buf;
    s->wr_len = len;
    s->wr_kind = K_SEND;
    l->inflight++;
}

/* A waiting target completes with -ECANCELED and op with 0; a target not waiting here (done already, or in
 * the ready queue) leaves op with -ENOENT, as io_uring answers. Both through the ready queue. */
static void s_cancel(struct ur_loop *l, struct ur_op *op, struct ur_op *target)
{
    for (unsigned fd = 0; fd < l->ep_nfds; fd++) {
        struct ur_epoll_fd *s = &l->ep_fds[fd];
        struct ur_op **slot = s->rd == target ? &s->rd : s->wr == target ? &s->wr : NULL;
        if (!slot || !target) continue;
        *slot = NULL;
        l->inflight--; /* the ready queue counts it again */
        ur_loop_defer(l, target, -ECANCELED);
        return ur_loop_defer(l, op, 0);
    }
    ur_loop_defer(l, op, -ENOENT);
}

/* ---- files: performed here, completed next turn ------------------------------------------------------- */

static void s_done_here(struct ur_loop *l, struct ur_op *op, long r)
{
    ur_loop_defer(l, op, r < 0 ? -errno : r > INT_MAX ? INT_MAX : (int)r);
}

static void s_openat(struct ur_loop *l, struct ur_op *op, const char *path, int flags, mode_t mode)
{
    s_done_here(l, op, openat(AT_FDCWD, path, flags, mode));
}

static void s_fallocate(struct ur_loop *l, struct ur_op *op, int fd, uint64_t len)
{
    s_done_here(l, op, fallocate(fd, 0, 0, (off_t)len));
}

/* No fixed buffers here: buf_index is only io_uring's name for buf, which O_DIRECT takes as it is (the
 * pool's buffers are aligned either way). */
static void s_write(struct ur_loop *l, struct ur_op *op, int fd, const void *buf, size_t len, uint64_t off,
                    int buf_index)
{
    (void)buf_index;
    s_done_here(l, op, pwrite(fd, buf, len, (off_t)off));
}

static void s_ftruncate(struct ur_loop *l, struct ur_op *op, int fd, uint64_t len)
{
    s_done_here(l, op, ftruncate(fd, (off_t)len));
}

/* Before Linux 6.10, linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH and says ENOENT without it; the
 * /proc/self/fd link, followed, names the same open file for anyone (open(2), O_TMPFILE). */
static void s_link_fd(struct ur_loop *l, struct ur_op *op, int fd, const char *path)
{
    if (linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH) == 0) return ur_loop_defer(l, op, 0);
    if (errno != ENOENT) return ur_loop_defer(l, op, -errno);
    char proc[40];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    s_done_here(l, op, linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW));
}

static void s_rename(struct ur_loop *l, struct ur_op *op, const char *from, const char *to)
{
    s_done_here(l, op, renameat(AT_FDCWD, from, AT_FDCWD, to));
}

static void s_unlink(struct ur_loop *l, struct ur_op *op, const char *path)
{
    s_done_here(l, op, unlinkat(AT_FDCWD, path, 0));
}

static void s_close(struct ur_loop *l, struct ur_op *op, int fd)
{
    s_done_here(l, op, close(fd));
}

static int s_buffers_init(struct ur_loop *l, unsigned count)
{
    (void)l, (void)count;
    return -EOPNOTSUPP;
}

static bool s_buffer_register(struct ur_loop *l, unsigned index, void *base, size_t len)
{
    (void)l, (void)index, (void)base, (void)len;
    return false;
}

const struct ur_loop_backend ur_loop_epoll = {
    .name = "epoll",
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
