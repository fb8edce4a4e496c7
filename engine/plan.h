/* engine/plan.h — how an object is cut into parts: the ranged GETs after the first, and which parts are
 * small enough to pipeline.
 *
 * Pure arithmetic on sizes: no I/O, no allocation, no engine types. The scheduler makes the parts, queues
 * them and keeps their state; this file only says where each one starts and how long it is. */
#ifndef UR_ENGINE_PLAN_H
#define UR_ENGINE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

/* Parts larger than this go alone on a connection, never pipelined behind another request: nothing to win
 * (a part this size already keeps the connection busy), and a queue to block. */
#define UR_PIPE_PART_MAX (1u << 20)

/* The rest of an object of known size, after the first part (fetched before the size was known). */
struct ur_plan {
    uint64_t size;      /* the object's size in bytes */
    uint64_t first_len; /* bytes the first part covers, from offset 0 */
    uint64_t part_size; /* every further part's length, the last one's at most */
    unsigned n;         /* parts after the first: 0 when the first covers the object */
};

/* Plans the parts of an object of size bytes after a first part of first_len bytes. Part i (1..n) starts
 * at first_len + (i - 1) * part_size, so when first_len and part_size are multiples of the O_DIRECT
 * alignment every part starts aligned and only the last one may end unaligned. Returns 0, -EINVAL when
 * part_size is 0, -EOVERFLOW when the object would take UINT32_MAX parts or more. */
int ur_plan_init(struct ur_plan *pl, uint64_t size, uint64_t first_len, uint64_t part_size);

/* Part i of the plan (1 ≤ i ≤ pl->n): its first byte and its length (> 0). */
void ur_plan_part(const struct ur_plan *pl, unsigned i, uint64_t *off, uint64_t *len);

/* Is a part of len bytes (-1: unknown, the first part of an object of unknown size) worth sending behind
 * another request on one connection? Parts of at most UR_PIPE_PART_MAX are, and first parts of unknown
 * size (most restores name small files). */
bool ur_plan_pipelinable(int64_t len);

#endif
