/* tests/fuzz/fuzz_s3_list.c — s3/list.c: ListObjectsV2 pages and the listing query.
 *
 * Input: byte 0 = stop after that many entries (0: never), byte 1 = token capacity, the rest = the page.
 * Checks that every entry's key and ETag are NUL-terminated strings of sane length and that the token is
 * NUL-terminated within its capacity; then builds the next page's query from the last key and the token. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3/list.h"

struct ctx {
    unsigned seen, stop;
    char last_key[1100];
};

static int s_entry(void *user, const struct ur_s3_list_entry *e)
{
    struct ctx *c = user;
    if (!e->key || !e->etag) abort();
    size_t kl = strlen(e->key);
    if (kl > 1024) abort();
    (void)strlen(e->etag);
    memcpy(c->last_key, e->key, kl + 1);
    c->seen++;
    return c->stop && c->seen >= c->stop ? 7 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    struct ctx c = {.stop = data[0]};
    size_t cap = 1 + data[1] % 255;
    char *token = malloc(cap);
    bool truncated = false;
    int r = ur_s3_list_parse((const char *)data + 2, size - 2, s_entry, &c, &truncated, token, cap);
    if (r == 7 && !(c.stop && c.seen == c.stop)) abort();
    if (strnlen(token, cap) >= cap) abort();
    char q[8192];
    int ql = ur_s3_list_query(q, sizeof q, c.last_key, r == 0 ? token : "", c.last_key);
    if (ql >= 0 && (size_t)ql != strlen(q)) abort();
    free(token);
    return 0;
}
