/* engine/plan.c — part planning (see plan.h). Pure arithmetic: no I/O, no allocation; it must not know
 * tasks, parts or connections. */
#include "engine/plan.h"

#include <errno.h>

int ur_plan_init(struct ur_plan *pl, uint64_t size, uint64_t first_len, uint64_t part_size)
{
    if (part_size == 0) return -EINVAL;
    uint64_t n = 0;
    if (size > first_len) {
        uint64_t rest = size - first_len;
        n = rest / part_size + (rest % part_size != 0); /* no overflow near UINT64_MAX, unlike + ps - 1 */
    }
    if (n >= UINT32_MAX) return -EOVERFLOW; /* the caller allocates n + 1 parts */
    pl->size = size;
    pl->first_len = first_len;
    pl->part_size = part_size;
    pl->n = (unsigned)n;
    return 0;
}

void ur_plan_part(const struct ur_plan *pl, unsigned i, uint64_t *off, uint64_t *len)
{
    uint64_t o = pl->first_len + (uint64_t)(i - 1) * pl->part_size;
    *off = o;
    *len = pl->size - o < pl->part_size ? pl->size - o : pl->part_size;
}

bool ur_plan_pipelinable(int64_t len)
{
    return len < 0 || len <= (int64_t)UR_PIPE_PART_MAX;
}
