/* engine/sink.c — the file side of a task: an unnamed file, O_DIRECT writes, commit by link, or abort.
 *
 * All through the loop: OPENAT with O_TMPFILE in the destination's directory (O_DIRECT, falling back to
 * buffered where the file system refuses it), FALLOCATE to the final size (so O_DIRECT writes do not
 * extend the file and stay inline instead of being punted to kernel workers), WRITE_FIXED from the
 * registered pool, FTRUNCATE after a padded tail (ftruncate(2) in the loop thread where the kernel lacks
 * the opcode), futimens(2) to the object's LastModified, LINKAT onto the final name, CLOSE. The unnamed file
 * vanishes by itself on failure, cancellation or SIGKILL. Where the destination exists, the file is linked
 * under a temporary name ".NAME.urestore-PID-N" and renamed over it (atomic replacement); where the file
 * system has no O_TMPFILE, it is created under that name from the start, and unlinked on failure. One
 * file-level operation is in flight at a time (t->fop); writes may be many.
 *
 * --resume (t->resume): the file is named from the start, ".NAME.urestore-partial", opened without O_EXCL
 * (and without O_TRUNC when its sidecar says which ranges it holds). On failure or cancellation, once no
 * write is in flight, the file is fdatasync'd and only then are the parts whose every byte was written
 * recorded in the sidecar (engine/partial.h): a range in the sidecar is on disk, O_DIRECT or not. Both
 * are synchronous, once per failed task, in the loop thread: the download itself pays nothing for
 * --resume but one counter per write. On success the sidecar goes first, then the rename: a crash
 * between the two leaves a partial without a sidecar, which a later run starts over. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/sink.h"

enum { FOP_NONE, FOP_OPEN, FOP_ALLOC, FOP_TRUNC, FOP_LINK, FOP_CLOSE, FOP_RENAME, FOP_UNLINK, FOP_UNLINK_RANGES };

static void s_fop_done(struct ur_op *op, int res);
static void s_flush_pending(struct urestore_client *cl, struct ur_task *t);
static void s_submit_unlink(struct urestore_client *cl, struct ur_task *t);

static int s_open_flags(const struct ur_task *t)
{
    if (t->resume) /* ours by name; what it holds is kept only when its sidecar vouches for it */
        return O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (t->direct ? O_DIRECT : 0) | (t->done.n ? 0 : O_TRUNC);
    if (t->anon) return O_TMPFILE | O_WRONLY | O_CLOEXEC | (t->direct ? O_DIRECT : 0);
    if (t->direct) return O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_DIRECT;
    /* The buffered retry after EINVAL: the kernel created the file before it found that the file system
     * refuses O_DIRECT, so the file is ours already — open it again, but never through a symlink. */
    return O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC;
}

static void s_submit_open(struct urestore_client *cl, struct ur_task *t)
{
    ur_loop_openat(&cl->loop, &t->fop, t->anon ? t->dir_path : t->tmp_path, s_open_flags(t), 0644);
    t->fstage = FOP_OPEN;
}

/* t->dir_path: "dir" of "dir/name", "/" of "/name", "." of "name". 0 or -ENOMEM. */
static int s_dir_path(struct ur_task *t)
{
    const char *dst = t->in->destination;
    const char *base = strrchr(dst, '/');
    size_t dirlen = base ? (size_t)(base - dst) + 1 : 0;
    if (!t->dir_path) t->dir_path = dirlen ? strndup(dst, dirlen > 1 ? dirlen - 1 : 1) : strdup(".");
    return t->dir_path ? 0 : -ENOMEM;
}

/* t->tmp_path := ".NAME.urestore-WHAT" beside the destination. 0 or -ENOMEM. */
static int s_name_beside(struct ur_task *t, const char *what)
{
    const char *dst = t->in->destination;
    const char *base = strrchr(dst, '/');
    size_t dirlen = base ? (size_t)(base - dst) + 1 : 0;
    if (s_dir_path(t) < 0) return -ENOMEM;
    free(t->tmp_path);
    if (asprintf(&t->tmp_path, "%.*s.%s.urestore-%s", (int)dirlen, dst, dst + dirlen, what) < 0) t->tmp_path = NULL;
    return t->tmp_path ? 0 : -ENOMEM;
}

int ur_sink_tmp_name(struct urestore_client *cl, struct ur_task *t)
{
    char what[32];
    snprintf(what, sizeof(what), "%d-%u", (int)getpid(), ++cl->tmp_counter);
    return s_name_beside(t, what);
}

/* The partial's name must be the same from run to run: ".NAME.urestore-partial", and its sidecar. */
static int s_partial_names(struct ur_task *t)
{
    if (s_name_beside(t, "partial") < 0) return -ENOMEM;
    if (asprintf(&t->ranges_path, "%s.ranges", t->tmp_path) < 0) t->ranges_path = NULL;
    return t->ranges_path ? 0 : -ENOMEM;
}

/* Does the partial file agree with the sidecar: a regular file, long enough for every range, no longer
 * than the object padded to the O_DIRECT block (a written tail not yet truncated)? */
static bool s_partial_fits(const struct ur_task *t)
{
    struct stat st;
    if (lstat(t->tmp_path, &st) < 0 || !S_ISREG(st.st_mode)) return false;
    uint64_t len = (uint64_t)st.st_size, need = t->done.r[t->done.n - 1].end;
    return len >= need && len <= ((t->done.size + UR_ALIGN - 1) & ~(uint64_t)(UR_ALIGN - 1));
}

int ur_sink_resume_load(struct ur_task *t)
{
    t->resume = true;
    if (s_partial_names(t) < 0) return -ENOMEM;
    const char *why = NULL;
    int r = ur_partial_load(t->ranges_path, t->in->source, &t->done, &why);
    if (r == 0 && t->done.n > 0 && s_partial_fits(t)) return 0;
    /* Nothing to resume from. A sidecar that is there but cannot be trusted (torn, edited, another object,
     * its file gone or of the wrong length) goes now, so that it never vouches for bytes of this run. */
    ur_partial_free(&t->done);
    memset(&t->done, 0, sizeof(t->done));
    if (r != -ENOENT) {
        unlink(t->ranges_path);
        t->res->flags |= URESTORE_RESULT_RESTARTED;
    }
    return 0;
}

void ur_sink_resume_forget(struct ur_task *t)
{
    if (t->ranges_path) unlink(t->ranges_path);
    ur_partial_free(&t->done);
    memset(&t->done, 0, sizeof(t->done));
    t->res->flags |= URESTORE_RESULT_RESTARTED;
    t->res->flags &= ~URESTORE_RESULT_RESUMED;
}

void ur_sink_open(struct urestore_client *cl, struct ur_task *t)
{
    if (t->fstate != F_NONE) return;
    t->fop.cb = s_fop_done;
    t->direct = true;
    t->anon = !t->resume && cl->tmpfile == UR_TMPFILE_YES;
    t->fstate = F_OPENING;
    s_submit_open(cl, t);
}

static void s_submit_alloc(struct urestore_client *cl, struct ur_task *t)
{
    ur_loop_fallocate(&cl->loop, &t->fop, t->fd, (uint64_t)t->size);
    t->fstage = FOP_ALLOC;
    t->allocated = true;
}

void ur_sink_size_known(struct urestore_client *cl, struct ur_task *t)
{
    if (t->fstate == F_OPEN && t->fstage == FOP_NONE && !t->allocated && t->size > 0) s_submit_alloc(cl, t);
}

static void s_write_done(struct ur_op *op, int res)
{
    struct ur_buf *b = ur_container_of(op, struct ur_buf, op);
    struct ur_part *p = b->part;
    struct ur_task *t = p->task;
    struct urestore_client *cl = t->cl;
    uint32_t want = t->direct ? (b->len + UR_ALIGN - 1) & ~(UR_ALIGN - 1) : b->len;

    t->writes--;
    p->writes--;
    if (res < 0) {
        ur_task_failf(t, URESTORE_E_LOCAL, 0, "write %s: %s", t->in->destination, strerror(-res));
    } else if ((uint32_t)res < want) {
        ur_task_failf(t, URESTORE_E_LOCAL, 0, "write %s: %s", t->in->destination, strerror(ENOSPC));
    } else {
        cl->bytes_done += b->len;
        p->written += b->len;
    }
    ur_pool_put(&cl->pool, b);
    if (p->write_waiter) { /* the reader paused on this part's writes */
        ur_loop_defer(&cl->loop, p->write_waiter, 0);
        p->write_waiter = NULL;
    }
    ur_sink_settle(cl, t);
}

static void s_submit_write(struct urestore_client *cl, struct ur_task *t, struct ur_buf *b)
{
    uint32_t len = b->len;
    if (t->direct && (len & (UR_ALIGN - 1))) {
        /* The tail: O_DIRECT wants whole blocks. Write it padded, truncate to the real size at the end. */
        uint32_t al = (len + UR_ALIGN - 1) & ~(UR_ALIGN - 1);
        memset(b->data + len, 0, al - len);
        len = al;
        t->truncate = true;
    }
    b->op.cb = s_write_done;
    /* A registered buffer spares the kernel mapping the pages per write; worth pinning the buffer for the
     * writes of large objects, not for a small file's one write. */
    bool fixed = t->direct && len >= cl->pool.buf_size / 2 && ur_pool_fixed(&cl->pool, b);
    ur_loop_write(&cl->loop, &b->op, t->fd, b->data, len, b->file_off, fixed ? (int)ur_pool_index(&cl->pool, b) : -1);
}

void ur_sink_write(struct urestore_client *cl, struct ur_task *t, struct ur_buf *b)
{
    if (t->failed) {
        /* The task is failing: the bytes have nowhere to go. */
        ur_pool_put(&cl->pool, b);
        return;
    }
    t->writes++;
    b->part->writes++;
    if (t->fstate == F_OPEN && t->fstage == FOP_NONE)
        s_submit_write(cl, t, b);
    else
        ur_list_push_back(&t->pending, &b->link);
}

static void s_flush_pending(struct urestore_client *cl, struct ur_task *t)
{
    struct ur_list *n;
    while ((n = ur_list_pop_front(&t->pending)) != NULL) {
        struct ur_buf *b = ur_container_of(n, struct ur_buf, link);
        if (t->failed) {
            t->writes--;
            b->part->writes--;
            struct ur_part *p = b->part;
            ur_pool_put(&cl->pool, b);
            if (p->write_waiter) { /* the reader paused on this part's writes */
        ur_loop_defer(&cl->loop, p->write_waiter, 0);
        p->write_waiter = NULL;
    }
        } else {
            s_submit_write(cl, t, b);
        }
    }
}

static void s_report(struct urestore_client *cl, struct ur_task *t)
{
    t->finished = true;
    t->fstate = F_DONE;
    if (!t->failed) {
        t->res->status = URESTORE_OK;
        t->res->message[0] = 0;
        t->res->bytes = (uint64_t)(t->size > 0 ? t->size : 0);
    }
    ur_list_push_back(&cl->done, &t->link);
}

static void s_submit_close(struct urestore_client *cl, struct ur_task *t)
{
    ur_loop_close(&cl->loop, &t->fop, t->fd);
    t->fd = -1;
    t->fstage = FOP_CLOSE;
    t->fstate = F_CLOSING;
}

static void s_submit_unlink(struct urestore_client *cl, struct ur_task *t)
{
    ur_loop_unlink(&cl->loop, &t->fop, t->tmp_path);
    t->fstage = FOP_UNLINK;
}

static void s_submit_rename(struct urestore_client *cl, struct ur_task *t)
{
    ur_loop_rename(&cl->loop, &t->fop, t->tmp_path, t->in->destination);
    t->fstage = FOP_RENAME;
}

/* The unnamed file gets a name: the destination, or (it exists) the temporary name to rename from. */
static void s_submit_link(struct urestore_client *cl, struct ur_task *t)
{
    ur_loop_link_fd(&cl->loop, &t->fop, t->fd, t->link_tmp ? t->tmp_path : t->in->destination);
    t->fstage = FOP_LINK;
}

/* The padded tail is written: cut the file to its real size. (Before Linux 6.9 — Debian 12 runs 6.1 —
 * the ring has no FTRUNCATE: the loop then performs ftruncate(2) in its thread, on a file whose blocks
 * are all written and allocated, so it only moves the size back within the last block.) */
static void s_submit_truncate(struct urestore_client *cl, struct ur_task *t)
{
    t->fstage = FOP_TRUNC;
    ur_loop_ftruncate(&cl->loop, &t->fop, t->fd, (uint64_t)t->size);
}

/* The object's LastModified becomes the file's mtime (atime too: the file was not read), so that -u and a
 * later run can tell it is up to date. futimens(2) in the loop thread: io_uring has no opcode for it, and
 * it only changes the inode we hold open (no data, no wait for the disk). After every write and the
 * truncate, which would move the mtime again; before the name, so that no one sees the file without it.
 * A failure is not the task's: the content is complete, only the time stays that of the download. */
static void s_set_mtime(struct ur_task *t)
{
    if (t->last_modified < 0 || (t->in->flags & URESTORE_TASK_NO_MTIME)) return;
    struct timespec ts[2] = {{.tv_sec = (time_t)t->last_modified}, {.tv_sec = (time_t)t->last_modified}};
    (void)futimens(t->fd, ts);
}

/* Everything is written: put the file under its final name. */
static void s_commit(struct urestore_client *cl, struct ur_task *t)
{
    s_set_mtime(t);
    if (t->anon && !t->named)
        s_submit_link(cl, t);
    else
        s_submit_close(cl, t); /* then the rename */
}

/* An open that failed for want of O_DIRECT or O_TMPFILE support: the next way to open, or false. */
static bool s_open_fallback(struct urestore_client *cl, struct ur_task *t, int res)
{
    if (res == -EINVAL && t->direct) { /* the file system refuses O_DIRECT (e.g. ramfs, some FUSE) */
        t->direct = false;
    } else if (t->anon && (res == -EOPNOTSUPP || res == -EISDIR || res == -EINVAL)) {
        t->anon = false; /* no O_TMPFILE here: a named temporary file */
        t->direct = true;
    } else if (res == -EEXIST && !t->anon && t->direct && ++t->tmp_tries < 64 && ur_sink_tmp_name(cl, t) == 0) {
        /* A run killed with SIGKILL, whose PID we now have, left this name behind: take the next. */
    } else {
        return false;
    }
    s_submit_open(cl, t);
    return true;
}

static void s_fop_done(struct ur_op *op, int res)
{
    struct ur_task *t = ur_container_of(op, struct ur_task, fop);
    struct urestore_client *cl = t->cl;
    int stage = t->fstage;
    t->fstage = FOP_NONE;

    switch (stage) {
    case FOP_OPEN:
        if (res < 0 && s_open_fallback(cl, t, res)) return;
        if (res < 0) {
            t->fstate = F_FAILED;
            /* A failed open may still have created the file (the buffered retry): remove it. Never on
             * EEXIST, where the name belongs to someone else. The unlink goes first: failing the task
             * settles it, and with nothing in flight that would report it — then the unlink again. */
            bool leftover = res != -EEXIST && !t->anon && !t->direct && !t->resume;
            if (leftover) s_submit_unlink(cl, t);
            ur_task_failf(t, URESTORE_E_LOCAL, 0, "create %s: %s", t->anon ? t->in->destination : t->tmp_path,
                               strerror(-res));
            if (leftover) return;
            break;
        }
        t->fd = res;
        t->fstate = F_OPEN;
        t->named = !t->anon;
        if (t->size > 0 && !t->failed) {
            s_submit_alloc(cl, t);
            return;
        }
        break;
    case FOP_ALLOC:
        /* Not every file system can preallocate; that only costs speed. Disk full is final. */
        if (res == -ENOSPC || res == -EDQUOT) {
            ur_task_failf(t, URESTORE_E_LOCAL, 0, "write %s: %s", t->in->destination, strerror(-res));
        }
        break;
    case FOP_TRUNC:
        if (res < 0) {
            /* Failing the task settles it, which closes the file: closing here too would close fd -1. */
            ur_task_failf(t, URESTORE_E_LOCAL, 0, "truncate %s: %s", t->in->destination, strerror(-res));
        }
        if (t->failed)
            ur_sink_settle(cl, t); /* closes, unless that failure already did */
        else
            s_commit(cl, t);
        return;
    case FOP_LINK:
        if (res == 0) {
            t->named = t->link_tmp; /* the temporary name, to rename from after the close */
            t->linked = !t->link_tmp;
        } else if (res == -EEXIST && (!t->link_tmp || (++t->tmp_tries < 64 && ur_sink_tmp_name(cl, t) == 0))) {
            /* The destination exists: replace it atomically, through a temporary name (or the next one, if
             * a run killed with our PID left this one behind). */
            t->link_tmp = true;
            s_submit_link(cl, t);
            return;
        } else {
            /* As for a failed truncate: the failure settles the task, and that closes the file. */
            ur_task_failf(t, URESTORE_E_LOCAL, 0, "create %s: %s", t->in->destination, strerror(-res));
            ur_sink_settle(cl, t);
            return;
        }
        s_submit_close(cl, t);
        return;
    case FOP_CLOSE:
        if (res < 0 && !t->failed && !t->linked) {
            ur_task_failf(t, URESTORE_E_LOCAL, 0, "close %s: %s", t->in->destination, strerror(-res));
        }
        if (t->linked) {
            s_report(cl, t); /* complete under its final name, whatever came since */
        } else if (t->failed) {
            if (t->named) {
                s_submit_unlink(cl, t);
                return;
            }
            s_report(cl, t);
        } else if (t->resume) {
            /* The sidecar goes before the rename: never a sidecar vouching for a file that moved on. */
            ur_loop_unlink(&cl->loop, &t->fop, t->ranges_path);
            t->fstage = FOP_UNLINK_RANGES;
        } else {
            s_submit_rename(cl, t);
        }
        return;
    case FOP_UNLINK_RANGES: /* -ENOENT: there was none (a first run) */
        s_submit_rename(cl, t);
        return;
    case FOP_RENAME:
        if (res < 0) {
            ur_task_failf(t, URESTORE_E_LOCAL, 0, "rename to %s: %s", t->in->destination, strerror(-res));
            s_submit_unlink(cl, t);
            return;
        }
        s_report(cl, t);
        return;
    case FOP_UNLINK:
        s_report(cl, t);
        return;
    default:
        return;
    }
    s_flush_pending(cl, t);
    ur_sink_settle(cl, t);
}

/* A failed resumable task, nothing in flight: the ranges complete (the sidecar's and the parts of this run
 * whose every byte was written) are made durable and recorded, and the file is kept (t->named false).
 * With nothing complete, or when that fails, it goes as any temporary file would. */
static void s_keep_partial(struct ur_task *t)
{
    struct ur_partial *d = &t->done;
    if (t->size <= 0 || !t->etag[0]) return; /* nothing known to check a later run against */
    /* The bytes disagreed with the object's stored checksum, after a refetch: which ones is not known, so
     * none is vouched for (a later run would keep them, unverified). */
    if (t->res->status == URESTORE_E_CHECKSUM) return;
    d->size = (uint64_t)t->size;
    snprintf(d->etag, sizeof(d->etag), "%s", t->etag);
    for (unsigned i = 0; i < t->nparts; i++) {
        const struct ur_part *p = &t->parts[i];
        if (p->len > 0 && p->written == (uint64_t)p->len && ur_partial_add(d, p->off, p->written) < 0) return;
    }
    if (d->n == 0) return;
    /* fdatasync first: O_DIRECT bypasses the page cache, not the disk's cache nor the metadata of the
     * extents the writes filled; a range recorded before its bytes are durable could outlive them. */
    int r = fdatasync(t->fd) < 0 ? -errno : ur_partial_save(t->ranges_path, t->in->source, d);
    if (r < 0) {
        unlink(t->ranges_path);
        return;
    }
    t->named = false;
    size_t n = strlen(t->res->message);
    snprintf(t->res->message + n, sizeof(t->res->message) - n, " (%llu of %llu bytes kept in %s for --resume)",
             (unsigned long long)ur_partial_bytes(d), (unsigned long long)d->size, t->tmp_path);
}

/* True while any part of t is on a connection, queued, or waiting to retry. */
static bool s_network_busy(const struct ur_task *t)
{
    return t->parts_open > 0;
}

void ur_sink_settle(struct urestore_client *cl, struct ur_task *t)
{
    if (t->finished || t->fstage != FOP_NONE || t->writes > 0) return;
    if (ur_task_mem(t)) { /* no file: done once the network is */
        if (!s_network_busy(t)) s_report(cl, t);
        return;
    }
    if (t->failed) {
        if (s_network_busy(t)) return;
        if (t->fstate == F_OPEN && t->resume) s_keep_partial(t);
        if (t->fstate == F_OPEN)
            s_submit_close(cl, t);
        else if (t->fstate == F_NONE || t->fstate == F_FAILED)
            s_report(cl, t);
        return;
    }
    if (s_network_busy(t) || t->fstate != F_OPEN) return;
    /* A partial may also hold a padded tail of an earlier run, or an older object's longer bytes. */
    if ((t->direct && t->truncate) || t->resume) {
        s_submit_truncate(cl, t);
        return;
    }
    s_commit(cl, t);
}
