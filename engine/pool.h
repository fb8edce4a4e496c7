/* engine/pool.h — the body buffers: one aligned region cut into equal buffers, reserved once at start, and
 * the queue of those waiting for one. Knows the loop (to register buffers and to wake a waiter on the
 * next turn) and nothing above it. */
#ifndef UR_POOL_H
#define UR_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/list.h"
#include "engine/loop.h"

/* O_DIRECT needs offsets, lengths and memory aligned to the logical block size; 4096 covers every block
 * device with logical blocks up to 4 KiB (all common disks). */
#define UR_ALIGN 4096u

struct ur_part;

struct ur_buf {
    struct ur_list link;     /* free list, or the task's list of writes waiting for the file */
    char *data;              /* UR_ALIGN-aligned, pool->buf_size bytes */
    uint32_t len;            /* bytes of body in data */
    uint64_t file_off;       /* where data[0] goes in the file */
    struct ur_part *part;    /* owner while filling or writing */
    struct ur_op op;         /* the write */
    bool registered;         /* in the loop's fixed-buffer table at index ur_pool_index() */
};

/* Something paused until a buffer is free: its op runs (res 0) in the turn after one was returned. It
 * should then ask again: another waiter may have taken the buffer first. */
struct ur_pool_waiter {
    struct ur_list link;
    struct ur_op op;
};

struct ur_pool {
    char *base;
    size_t buf_size;
    unsigned count;
    struct ur_buf *bufs;
    struct ur_list free;
    struct ur_list waiters;  /* struct ur_pool_waiter, FIFO */
    struct ur_loop *loop;    /* buffers are registered with it on first use (NULL: never) */
};

static inline unsigned ur_pool_index(const struct ur_pool *p, const struct ur_buf *b)
{
    return (unsigned)(b - p->bufs);
}

int ur_pool_init(struct ur_pool *p, size_t buf_size, unsigned count);
void ur_pool_destroy(struct ur_pool *p);
/* Makes the pool's buffers usable as fixed buffers of loop, and the loop the one that wakes waiters.
 * Returns 0, or -errno when fixed buffers cannot be had (plain writes then: it needs RLIMIT_MEMLOCK room,
 * which root or a raised limit gives); waiters are woken either way. */
int ur_pool_attach(struct ur_pool *p, struct ur_loop *loop);
/* A free buffer (len 0, no part), or NULL when none is. */
struct ur_buf *ur_pool_get(struct ur_pool *p);
/* Registers b with the loop if it is not yet (once per buffer); true when a fixed write may use it. */
bool ur_pool_fixed(struct ur_pool *p, struct ur_buf *b);
/* Returns b, and wakes the first waiter (on the next turn). */
void ur_pool_put(struct ur_pool *p, struct ur_buf *b);
/* Queues w until a buffer is returned (w->op.cb must be set); unwait takes it off (harmless if not on). */
void ur_pool_wait(struct ur_pool *p, struct ur_pool_waiter *w);
static inline bool ur_pool_waiting(const struct ur_pool_waiter *w)
{
    return ur_list_linked(&w->link);
}
static inline void ur_pool_unwait(struct ur_pool_waiter *w)
{
    if (ur_list_linked(&w->link)) ur_list_remove(&w->link);
}

#endif
