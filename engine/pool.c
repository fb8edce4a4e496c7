/* engine/pool.c — the body buffers: one aligned region cut into equal buffers, reserved once at start.
 *
 * Memory stays bounded whatever the object sizes: a connection that finds no free buffer pauses (it
 * stops reading its socket) until a write completes and returns one.
 *
 * Only the memory a run uses costs anything. Registering a buffer with the ring pins it and faults in
 * (zeroes) every page, which for all 32 MiB at start was 57 % of the CPU of a one-file run. So the ring
 * gets a sparse table and a buffer is registered the first time a large write comes from it (ur_pool_fixed:
 * small files' writes are cheap to map anyway, and their buffers then touch only the pages they fill), and
 * the free list is LIFO: a run that needs three buffers touches three.
 *
 * A returned buffer wakes a waiter through the loop (next turn), never by calling it: the pool knows
 * nothing of connections. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "engine/pool.h"

int ur_pool_init(struct ur_pool *p, size_t buf_size, unsigned count)
{
    p->buf_size = buf_size;
    p->count = count;
    ur_list_init(&p->free);
    ur_list_init(&p->waiters);
    /* 4 KiB pages on purpose: with MADV_HUGEPAGE, a 1 GiB download spent 13 % of its CPU zeroing huge
     * pages (in a VM that hands free 2 MiB blocks back to the host, a fresh huge page is slow to touch),
     * and took ~10 % more CPU in all. */
    p->base = mmap(NULL, buf_size * count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p->base == MAP_FAILED) {
        p->base = NULL;
        return -ENOMEM;
    }
    p->bufs = calloc(count, sizeof(*p->bufs));
    if (!p->bufs) {
        ur_pool_destroy(p);
        return -ENOMEM;
    }
    for (unsigned i = 0; i < count; i++) {
        p->bufs[i].data = p->base + (size_t)i * buf_size;
        ur_list_push_back(&p->free, &p->bufs[i].link);
    }
    return 0;
}

void ur_pool_destroy(struct ur_pool *p)
{
    if (p->base) munmap(p->base, p->buf_size * p->count);
    free(p->bufs);
    p->base = NULL;
    p->bufs = NULL;
}

int ur_pool_attach(struct ur_pool *p, struct ur_loop *loop)
{
    p->loop = loop;
    for (unsigned i = 0; i < p->count; i++) p->bufs[i].registered = false;
    return ur_loop_buffers_init(loop, p->count);
}

struct ur_buf *ur_pool_get(struct ur_pool *p)
{
    struct ur_list *n = ur_list_pop_front(&p->free);
    if (!n) return NULL;
    struct ur_buf *b = ur_container_of(n, struct ur_buf, link);
    b->len = 0;
    b->part = NULL;
    return b;
}

bool ur_pool_fixed(struct ur_pool *p, struct ur_buf *b)
{
    if (p->loop && !b->registered)
        b->registered = ur_loop_buffer_register(p->loop, ur_pool_index(p, b), b->data, p->buf_size);
    return b->registered;
}

void ur_pool_put(struct ur_pool *p, struct ur_buf *b)
{
    b->part = NULL;
    ur_list_push_front(&p->free, &b->link); /* LIFO: the warm buffer goes out next */
    struct ur_list *w = ur_list_pop_front(&p->waiters);
    if (w) ur_loop_defer(p->loop, &ur_container_of(w, struct ur_pool_waiter, link)->op, 0);
}

void ur_pool_wait(struct ur_pool *p, struct ur_pool_waiter *w)
{
    if (!ur_list_linked(&w->link)) ur_list_push_back(&p->waiters, &w->link);
}
