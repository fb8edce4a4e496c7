/* tests/fuzz/fuzz_http_response.c — http/response.c fed arbitrary bytes at arbitrary split points.
 *
 * Input: byte 0 = mode (bit 0: end with ur_http_resp_eof; bit 1: take sized bodies as the engine does,
 * without feeding them), bytes 1..4 = seed of the split points, the rest = what a server sent (possibly
 * several responses on one keep-alive connection). The same bytes are parsed twice — in one piece and in
 * pieces — and both parses must agree on every response (the parser's contract: splitting never changes
 * the result). Any crash, sanitizer report or disagreement is a bug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"

#define MAX_RESPONSES 8

struct seen {
    int n;                       /* responses that reached HEADERS */
    int status[MAX_RESPONSES];
    int64_t clen[MAX_RESPONSES], first[MAX_RESPONSES], last[MAX_RESPONSES], total[MAX_RESPONSES];
    int64_t retry_after[MAX_RESPONSES];
    int chunked[MAX_RESPONSES], keep_alive[MAX_RESPONSES];
    char etag[MAX_RESPONSES][128];
    uint64_t body_hash;          /* every body byte, in order, whichever way it came */
    uint64_t body_len;
    enum ur_http_state end;      /* the last state returned */
    size_t consumed;             /* input bytes consumed when parsing stopped */
};

static int s_body(void *ud, const char *p, size_t n)
{
    struct seen *s = ud;
    for (size_t i = 0; i < n; i++) s->body_hash = (s->body_hash ^ (uint8_t)p[i]) * 1099511628211ull;
    s->body_len += n;
    return 0;
}

static uint32_t s_rand(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Parses in[0..n) in pieces (seed 0: one piece). */
static void s_parse(const uint8_t *in, size_t n, int mode, uint32_t seed, struct seen *s)
{
    struct ur_http_resp r;
    memset(&r, 0, sizeof r);
    memset(s, 0, sizeof *s);
    s->body_hash = 1469598103934665603ull;
    r.on_body = s_body;
    r.body_ud = s;
    ur_http_resp_init(&r);
    size_t off = 0;
    int64_t skip = 0;            /* sized body bytes the "engine" takes itself */
    enum ur_http_state st = UR_HTTP_NEED_MORE;
    while (off < n) {
        size_t piece = n - off;
        if (seed) {
            size_t k = 1 + s_rand(&seed) % 64;
            if (k < piece) piece = k;
        }
        const char *p = (const char *)in + off;
        size_t left = piece;
        while (left > 0 || st == UR_HTTP_HEADERS) {
            if (skip > 0) {
                size_t k = (int64_t)left < skip ? left : (size_t)skip;
                s_body(s, p, k);
                p += k;
                left -= k;
                skip -= (int64_t)k;
                off += k;
                if (skip == 0) {
                    ur_http_resp_init(&r);
                    st = UR_HTTP_NEED_MORE;
                }
                continue;
            }
            size_t used = 0;
            st = ur_http_resp_feed(&r, p, left, &used);
            if (used > left) abort();
            p += used;
            left -= used;
            off += used;
            s->end = st;
            if (st == UR_HTTP_ERROR) {
                if (!r.error) abort();
                s->consumed = off;
                return;
            }
            if (st == UR_HTTP_HEADERS) {
                int i = s->n++;
                if (i >= MAX_RESPONSES) return;
                s->status[i] = r.status;
                s->clen[i] = r.content_length;
                s->first[i] = r.range_first;
                s->last[i] = r.range_last;
                s->total[i] = r.range_total;
                s->retry_after[i] = r.retry_after_ms;
                s->chunked[i] = r.chunked;
                s->keep_alive[i] = r.keep_alive;
                if (memchr(r.etag, 0, sizeof r.etag) == NULL) abort();
                if (memchr(r.checksum, 0, sizeof r.checksum) == NULL || memchr(r.checksum_type, 0, sizeof r.checksum_type) == NULL) abort();
                memcpy(s->etag[i], r.etag, sizeof r.etag);
                if ((mode & 2) && ur_http_resp_body_is_sized(&r)) {
                    if (r.content_length < 0) abort();
                    skip = r.content_length;
                    if (skip == 0) ur_http_resp_init(&r);
                    st = UR_HTTP_NEED_MORE; /* the body is the caller's now, not the parser's */
                }
                continue;
            }
            if (st == UR_HTTP_COMPLETE) {
                ur_http_resp_init(&r);
                st = UR_HTTP_NEED_MORE;
                continue;
            }
            if (left != 0) abort(); /* NEED_MORE consumes everything */
        }
    }
    s->consumed = off;
    if ((mode & 1) && skip == 0) {
        st = ur_http_resp_eof(&r);
        if (st == UR_HTTP_ERROR && !r.error) abort();
        s->end = st;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5) return 0;
    int mode = data[0];
    uint32_t seed;
    memcpy(&seed, data + 1, 4);
    seed |= 1;
    data += 5;
    size -= 5;
    static struct seen whole, split;
    s_parse(data, size, mode, 0, &whole);
    s_parse(data, size, mode, seed, &split);
    if (whole.n != split.n || whole.end != split.end || whole.consumed != split.consumed ||
        whole.body_hash != split.body_hash || whole.body_len != split.body_len)
        abort();
    for (int i = 0; i < whole.n && i < MAX_RESPONSES; i++) {
        if (whole.status[i] != split.status[i] || whole.clen[i] != split.clen[i] ||
            whole.first[i] != split.first[i] || whole.last[i] != split.last[i] ||
            whole.total[i] != split.total[i] || whole.retry_after[i] != split.retry_after[i] ||
            whole.chunked[i] != split.chunked[i] || whole.keep_alive[i] != split.keep_alive[i] ||
            strcmp(whole.etag[i], split.etag[i]) != 0)
            abort();
    }
    return 0;
}
