/* engine/pool.c — the body buffers: one aligned region cut into equal buffers, allocated once at start.
 *
 * Memory stays bounded whatever the object sizes: a connection that finds no free buffer pauses (it
 * stops reading its socket) until a write completes and returns one. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "engine/engine.h"

int ur_pool_init(struct ur_pool *p, size_t buf_size, unsigned count)
{
    p->buf_size = buf_size;
    p->count = count;
    ur_list_init(&p->free);
    ur_list_init(&p->waiters);
    /* mmap: page-aligned, and untouched pages cost nothing until a body lands in them. */
    p->base = mmap(NULL, buf_size * count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p->base == MAP_FAILED) {
        p->base = NULL;
        return -ENOMEM;
    }
    p->bufs = calloc(count, sizeof(*p->bufs));
    if (!p->bufs) {
        munmap(p->base, buf_size * count);
        p->base = NULL;
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

struct ur_buf *ur_pool_get(struct ur_pool *p)
{
    struct ur_list *n = ur_list_pop_front(&p->free);
    if (!n) return NULL;
    struct ur_buf *b = ur_container_of(n, struct ur_buf, link);
    b->len = 0;
    b->part = NULL;
    return b;
}

void ur_pool_put(struct ur_pool *p, struct ur_buf *b)
{
    b->part = NULL;
    ur_list_push_back(&p->free, &b->link);
    /* Wake one paused connection; it takes the buffer when it runs. */
    struct ur_list *w = ur_list_pop_front(&p->waiters);
    if (w) {
        struct ur_conn *c = ur_container_of(w, struct ur_conn, link);
        c->waiting_buf = false;
        ur_conn_resume(c);
    }
}
