/* tests/fuzz/fuzz_partial.c — the --resume sidecar parser (engine/partial.c).
 *
 * Input: the sidecar's text. It is parsed as given (almost always refused by its CRC), then with a correct
 * CRC line appended, so that the line parser itself is reached. Whatever is accepted must be what the
 * engine trusts: ranges sorted, disjoint, not adjacent, non-empty, inside the size; and formatting it
 * again must parse back to the same ranges. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "engine/partial.h"

#define SRC "s3://bucket/key"

static void s_check(const struct ur_partial *p)
{
    uint64_t last = 0;
    for (size_t i = 0; i < p->n; i++) {
        const struct ur_range *r = &p->r[i];
        if (r->end <= r->off || r->end > p->size || (i > 0 && r->off <= last)) abort();
        last = r->end;
    }
    size_t len;
    char *text = ur_partial_format(p, SRC, &len);
    if (!text) return;
    struct ur_partial q;
    const char *why;
    if (ur_partial_parse(text, len, SRC, &q, &why) != 0 || q.n != p->n || q.size != p->size ||
        strcmp(q.etag, p->etag) || (p->n && memcmp(q.r, p->r, p->n * sizeof(*p->r))))
        abort();
    ur_partial_free(&q);
    free(text);
}

static void s_parse(const char *text, size_t len)
{
    struct ur_partial p;
    const char *why = NULL;
    if (ur_partial_parse(text, len, SRC, &p, &why) == 0) s_check(&p);
    else if (!why) abort(); /* a refusal names its reason */
    ur_partial_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s_parse((const char *)data, size);
    char *buf = malloc(size + 16);
    if (!buf) return 0;
    memcpy(buf, data, size);
    int n = snprintf(buf + size, 16, "crc32 %08lx\n", crc32(0, data, (uInt)size));
    s_parse(buf, size + (size_t)n);
    free(buf);
    return 0;
}
