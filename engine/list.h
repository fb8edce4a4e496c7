/* engine/list.h — an intrusive doubly-linked list (circular, with a head node). No allocation. */
#ifndef UR_LIST_H
#define UR_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct ur_list {
    struct ur_list *next, *prev;
};

#define ur_container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static inline void ur_list_init(struct ur_list *h)
{
    h->next = h->prev = h;
}

static inline bool ur_list_empty(const struct ur_list *h)
{
    return h->next == h;
}

/* True when n is linked into some list (a removed node points to itself). */
static inline bool ur_list_linked(const struct ur_list *n)
{
    return n->next != n && n->next != NULL;
}

static inline void ur_list_insert(struct ur_list *n, struct ur_list *prev, struct ur_list *next)
{
    n->prev = prev;
    n->next = next;
    prev->next = n;
    next->prev = n;
}

static inline void ur_list_push_back(struct ur_list *h, struct ur_list *n)
{
    ur_list_insert(n, h->prev, h);
}

static inline void ur_list_push_front(struct ur_list *h, struct ur_list *n)
{
    ur_list_insert(n, h, h->next);
}

static inline void ur_list_remove(struct ur_list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}

static inline struct ur_list *ur_list_pop_front(struct ur_list *h)
{
    struct ur_list *n = h->next;
    if (n == h) return NULL;
    ur_list_remove(n);
    return n;
}

#endif
