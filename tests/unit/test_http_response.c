/* tests/unit/test_http_response.c — http/response.c: framing, the headers urestore acts on, and the
 * feed contract (stop after headers, stop after the message), whatever way the input is split. */
#include "http/response.h"

#include "tests/unit/check.h"

#include <stdint.h>

/* What one parse produced; compared field by field between different splits of the same input. */
struct outcome {
    enum ur_http_state state; /* final: COMPLETE, ERROR, or NEED_MORE */
    int headers_seen;         /* times UR_HTTP_HEADERS was returned */
    size_t headers_at;        /* input offset right after the header block */
    size_t consumed;          /* input offset where parsing stopped */
    int status;
    int64_t content_length, range_first, range_last, range_total, retry_after_ms;
    bool chunked, keep_alive;
    char etag[128], crc[64];
    char body[4096];
    size_t body_len;
    const char *error;
};

static int s_collect(void *ud, const char *p, size_t n)
{
    struct outcome *o = ud;
    if (o->body_len + n > sizeof o->body) return -1;
    memcpy(o->body + o->body_len, p, n);
    o->body_len += n;
    return 0;
}

static void s_resp_init(struct ur_http_resp *r, struct outcome *o)
{
    memset(r, 0, sizeof *r);
    r->on_body = s_collect;
    r->body_ud = o;
    ur_http_resp_init(r);
}

static void s_snapshot(struct outcome *o, const struct ur_http_resp *r)
{
    o->status = r->status;
    o->content_length = r->content_length;
    o->range_first = r->range_first;
    o->range_last = r->range_last;
    o->range_total = r->range_total;
    o->retry_after_ms = r->retry_after_ms;
    o->chunked = r->chunked;
    o->keep_alive = r->keep_alive;
    memcpy(o->etag, r->etag, sizeof o->etag);
    memcpy(o->crc, r->checksum, sizeof o->crc);
    o->error = r->error;
}

/* Parses in[0..n) fed as pieces ending at the offsets in cuts[] (the last piece ends at n); eof after
 * the input when want_eof. */
static struct outcome s_parse_cuts(const char *in, size_t n, const size_t *cuts, size_t ncuts, bool want_eof)
{
    struct outcome o;
    memset(&o, 0, sizeof o);
    struct ur_http_resp r;
    s_resp_init(&r, &o);

    size_t off = 0;
    enum ur_http_state st = UR_HTTP_NEED_MORE;
    for (size_t c = 0; c <= ncuts && st != UR_HTTP_COMPLETE && st != UR_HTTP_ERROR; c++) {
        size_t end = c < ncuts ? cuts[c] : n;
        do {
            size_t used = 0;
            st = ur_http_resp_feed(&r, in + off, end - off, &used);
            off += used;
            if (st == UR_HTTP_HEADERS) {
                o.headers_seen++;
                o.headers_at = off;
            }
        } while (st == UR_HTTP_HEADERS || (st == UR_HTTP_NEED_MORE && off < end));
    }
    if (st == UR_HTTP_NEED_MORE) {
        size_t used = 0;
        st = ur_http_resp_feed(&r, NULL, 0, &used);
    }
    if (st == UR_HTTP_NEED_MORE && want_eof) st = ur_http_resp_eof(&r);
    o.state = st;
    o.consumed = off;
    s_snapshot(&o, &r);
    return o;
}

static struct outcome s_parse(const char *in, size_t n, bool want_eof)
{
    return s_parse_cuts(in, n, NULL, 0, want_eof);
}

static bool s_same(const struct outcome *a, const struct outcome *b)
{
    return a->state == b->state && a->headers_seen == b->headers_seen && a->headers_at == b->headers_at &&
           a->consumed == b->consumed && a->status == b->status && a->content_length == b->content_length &&
           a->range_first == b->range_first && a->range_last == b->range_last &&
           a->range_total == b->range_total && a->retry_after_ms == b->retry_after_ms &&
           a->chunked == b->chunked && a->keep_alive == b->keep_alive && strcmp(a->etag, b->etag) == 0 &&
           strcmp(a->crc, b->crc) == 0 && a->body_len == b->body_len &&
           memcmp(a->body, b->body, a->body_len) == 0 && (a->error == NULL) == (b->error == NULL);
}

/* The same input split once at every offset, twice at every pair of a few offsets, and byte by byte
 * must give what the whole input gives. */
static void s_check_all_splits(const char *name, const char *in, size_t n, bool want_eof)
{
    struct outcome whole = s_parse(in, n, want_eof);
    int bad = 0;
    for (size_t k = 0; k <= n; k++) {
        struct outcome o = s_parse_cuts(in, n, &k, 1, want_eof);
        if (!s_same(&whole, &o) && bad++ < 3) fprintf(stderr, "%s: split at %zu differs\n", name, k);
    }
    for (size_t i = 0; i <= n; i += 3) {
        for (size_t j = i; j <= n; j += 5) {
            size_t cuts[2] = {i, j};
            struct outcome o = s_parse_cuts(in, n, cuts, 2, want_eof);
            if (!s_same(&whole, &o) && bad++ < 3)
                fprintf(stderr, "%s: split at %zu,%zu differs\n", name, i, j);
        }
    }
    size_t *cuts = malloc((n + 1) * sizeof *cuts);
    for (size_t k = 0; k < n; k++)
        cuts[k] = k + 1;
    struct outcome o = s_parse_cuts(in, n, cuts, n, want_eof);
    if (!s_same(&whole, &o) && bad++ < 3) fprintf(stderr, "%s: byte by byte differs\n", name);
    free(cuts);
    CHECK_EQ_INT(bad, 0);
}

#define LIT(s) s, sizeof(s) - 1

static const char s_200[] = "HTTP/1.1 200 OK\r\n"
                            "x-amz-id-2: abc\r\n"
                            "Content-Type: application/octet-stream\r\n"
                            "ETag: \"9b2cf535f27731c974343645a3985328\"\r\n"
                            "x-amz-checksum-crc32: i9aeUg==\r\n"
                            "Content-Length: 11\r\n"
                            "\r\n"
                            "hello world";

static void test_200_sized(void)
{
    struct outcome o = s_parse(LIT(s_200), false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK_EQ_INT(o.status, 200);
    CHECK_EQ_INT(o.content_length, 11);
    CHECK_EQ_INT(o.headers_seen, 1);
    CHECK_EQ_INT(o.headers_at, sizeof s_200 - 1 - 11);
    CHECK_EQ_INT(o.consumed, sizeof s_200 - 1);
    CHECK_EQ_STR(o.etag, "\"9b2cf535f27731c974343645a3985328\"");
    CHECK_EQ_STR(o.crc, "i9aeUg==");
    CHECK_EQ_INT(o.range_first, -1);
    CHECK_EQ_INT(o.range_total, -1);
    CHECK_EQ_INT(o.retry_after_ms, -1);
    CHECK(!o.chunked);
    CHECK(o.keep_alive);
    CHECK_EQ_INT(o.body_len, 11);
    CHECK(memcmp(o.body, "hello world", 11) == 0);
    s_check_all_splits("200", LIT(s_200), false);
}

static const char s_206[] = "HTTP/1.1 206 Partial Content\r\n"
                            "content-range: bytes 100-199/1000\r\n"
                            "CONTENT-LENGTH: 100\r\n"
                            "etag:\"abc\"  \r\n"
                            "\r\n"
                            "0123456789012345678901234567890123456789012345678901234567890123456789"
                            "012345678901234567890123456789";

static void test_206_range(void)
{
    struct outcome o = s_parse(LIT(s_206), false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK_EQ_INT(o.status, 206);
    CHECK_EQ_INT(o.range_first, 100);
    CHECK_EQ_INT(o.range_last, 199);
    CHECK_EQ_INT(o.range_total, 1000);
    CHECK_EQ_INT(o.content_length, 100);
    CHECK_EQ_STR(o.etag, "\"abc\"");
    CHECK_EQ_INT(o.body_len, 100);
    s_check_all_splits("206", LIT(s_206), false);

    static const char star[] = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-3/*\r\n"
                               "Content-Length: 4\r\n\r\nabcd";
    o = s_parse(LIT(star), false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK_EQ_INT(o.range_first, 0);
    CHECK_EQ_INT(o.range_last, 3);
    CHECK_EQ_INT(o.range_total, -1);

    static const char unsat[] =
        "HTTP/1.1 416 Requested Range Not Satisfiable\r\nContent-Range: bytes */77\r\n"
        "Content-Length: 0\r\n\r\n";
    o = s_parse(LIT(unsat), false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK_EQ_INT(o.status, 416);
    CHECK_EQ_INT(o.range_first, -1);
    CHECK_EQ_INT(o.range_total, 77);

    static const char *bad[] = {
        "HTTP/1.1 206 x\r\nContent-Range: bytes 5-4/10\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 206 x\r\nContent-Range: bytes 0-10/10\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 206 x\r\nContent-Range: items 0-1/10\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 206 x\r\nContent-Range: bytes 0-1/1x\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 206 x\r\nContent-Range: bytes 99999999999999999999-1/10\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o = s_parse(bad[i], strlen(bad[i]), false);
        CHECK_EQ_INT(o.state, UR_HTTP_ERROR);
        CHECK(o.error && strstr(o.error, "Content-Range"));
    }
}

static const char s_chunked[] = "HTTP/1.1 200 OK\r\n"
                                "Transfer-Encoding: chunked\r\n"
                                "\r\n"
                                "5;name=value\r\nhello\r\n"
                                "1\r\n \r\n"
                                "a;x=\"q\";y\r\n0123456789\r\n"
                                "0\r\n"
                                "x-amz-checksum-crc32: AAAAAA==\r\n"
                                "Expires: never\r\n"
                                "\r\n";

static void test_chunked(void)
{
    struct outcome o = s_parse(LIT(s_chunked), false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK(o.chunked);
    CHECK_EQ_INT(o.content_length, -1);
    CHECK(o.keep_alive);
    CHECK_EQ_INT(o.body_len, 16);
    CHECK(memcmp(o.body, "hello 0123456789", 16) == 0);
    CHECK_EQ_INT(o.consumed, sizeof s_chunked - 1);
    CHECK_EQ_STR(o.crc, "AAAAAA==");
    s_check_all_splits("chunked", LIT(s_chunked), false);

    struct ur_http_resp r;
    memset(&r, 0, sizeof r);
    ur_http_resp_init(&r);
    size_t used;
    CHECK_EQ_INT(ur_http_resp_feed(&r, LIT(s_chunked), &used), UR_HTTP_HEADERS);
    CHECK(!ur_http_resp_body_is_sized(&r));

    static const char bad_size[] =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n";
    o = s_parse(LIT(bad_size), false);
    CHECK_EQ_INT(o.state, UR_HTTP_ERROR);
    CHECK(o.error && *o.error);
}

static const char s_close_delimited[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";

static void test_close_delimited(void)
{
    struct outcome o = s_parse(LIT(s_close_delimited), true);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK(!o.keep_alive);
    CHECK_EQ_INT(o.content_length, -1);
    CHECK_EQ_INT(o.body_len, 13);
    CHECK(memcmp(o.body, "until the end", 13) == 0);
    s_check_all_splits("close-delimited", LIT(s_close_delimited), true);

    o = s_parse(LIT(s_close_delimited), false);
    CHECK_EQ_INT(o.state, UR_HTTP_NEED_MORE);

    /* eof right after HEADERS, before the body was fed at all */
    struct ur_http_resp r;
    memset(&r, 0, sizeof r);
    ur_http_resp_init(&r);
    size_t used;
    CHECK_EQ_INT(ur_http_resp_feed(&r, LIT("HTTP/1.1 200 OK\r\n\r\n"), &used), UR_HTTP_HEADERS);
    CHECK_EQ_INT(ur_http_resp_eof(&r), UR_HTTP_COMPLETE);
}

static void test_truncated(void)
{
    struct outcome o = s_parse(s_200, sizeof s_200 - 1 - 3, true);
    CHECK_EQ_INT(o.state, UR_HTTP_ERROR);
    CHECK(o.error && strcmp(o.error, "connection closed before the response ended") == 0);
    s_check_all_splits("truncated", s_200, sizeof s_200 - 1 - 3, true);

    o = s_parse(s_chunked, sizeof s_chunked - 1 - 2, true);
    CHECK_EQ_INT(o.state, UR_HTTP_ERROR);

    /* eof in the headers, and eof before any byte (a dead keep-alive connection) */
    o = s_parse(s_200, 20, true);
    CHECK_EQ_INT(o.state, UR_HTTP_ERROR);
    o = s_parse("", 0, true);
    CHECK_EQ_INT(o.state, UR_HTTP_ERROR);
    CHECK(o.error && strstr(o.error, "connection closed"));
}

static void test_keep_alive(void)
{
    struct outcome o = s_parse(LIT("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK(o.keep_alive);
    o = s_parse(LIT("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"), false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK(!o.keep_alive);
    o = s_parse(LIT("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"), false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK(!o.keep_alive);
    o = s_parse(LIT("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"), false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK(o.keep_alive);
}

static void test_back_to_back(void)
{
    char buf[1024];
    size_t n1 = sizeof s_200 - 1, n2 = sizeof s_206 - 1;
    memcpy(buf, s_200, n1);
    memcpy(buf + n1, s_206, n2);

    struct outcome o = {0};
    struct ur_http_resp r;
    s_resp_init(&r, &o);
    size_t used, off = 0;
    CHECK_EQ_INT(ur_http_resp_feed(&r, buf, n1 + n2, &used), UR_HTTP_HEADERS);
    off += used;
    CHECK_EQ_INT(ur_http_resp_feed(&r, buf + off, n1 + n2 - off, &used), UR_HTTP_COMPLETE);
    off += used;
    CHECK_EQ_INT(off, n1);
    CHECK_EQ_INT(o.body_len, 11);
    /* Complete is sticky until re-init and consumes nothing more. */
    CHECK_EQ_INT(ur_http_resp_feed(&r, buf + off, n1 + n2 - off, &used), UR_HTTP_COMPLETE);
    CHECK_EQ_INT(used, 0);

    ur_http_resp_init(&r);
    CHECK_EQ_INT(r.on_body == s_collect, 1);
    CHECK_EQ_STR(r.etag, "");
    CHECK_EQ_INT(ur_http_resp_feed(&r, buf + off, n1 + n2 - off, &used), UR_HTTP_HEADERS);
    off += used;
    CHECK_EQ_INT(r.status, 206);
    CHECK_EQ_INT(r.range_first, 100);
    CHECK_EQ_STR(r.checksum, "");
    CHECK_EQ_INT(ur_http_resp_feed(&r, buf + off, n1 + n2 - off, &used), UR_HTTP_COMPLETE);
    off += used;
    CHECK_EQ_INT(off, n1 + n2);
    CHECK_EQ_INT(o.body_len, 111);
}

static const char s_404[] =
    "HTTP/1.1 404 Not Found\r\n"
    "Content-Type: application/xml\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Date: Fri, 21 Nov 2025 07:25:00 GMT\r\n"
    "Server: AmazonS3\r\n"
    "\r\n"
    "8e\r\n"
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
    "<Key>a/b</Key></Error>\r\n"
    "0\r\n\r\n";

static void test_404_xml(void)
{
    struct outcome o = s_parse(LIT(s_404), false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK_EQ_INT(o.status, 404);
    CHECK_EQ_INT(o.body_len, 0x8e);
    CHECK(o.body_len > 20 && strstr(o.body, "<Code>NoSuchKey</Code>"));
    s_check_all_splits("404", LIT(s_404), false);
}

/* S3's redirect to the bucket's region: the region header is kept for the engine (s3/region.h). */
static void test_bucket_region(void)
{
    static const char in[] = "HTTP/1.1 301 Moved Permanently\r\nx-amz-bucket-region: eu-west-3 \r\n"
                             "Content-Length: 0\r\n\r\n";
    struct ur_http_resp r;
    size_t used;
    ur_http_resp_init(&r);
    CHECK_EQ_INT(ur_http_resp_feed(&r, in, sizeof(in) - 1, &used), UR_HTTP_HEADERS);
    CHECK_EQ_INT(r.status, 301);
    CHECK_EQ_STR(r.bucket_region, "eu-west-3");
    static const char none[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
    ur_http_resp_init(&r);
    CHECK_EQ_INT(ur_http_resp_feed(&r, none, sizeof(none) - 1, &used), UR_HTTP_HEADERS);
    CHECK_EQ_STR(r.bucket_region, "");
}

static void test_retry_after(void)
{
    struct outcome o =
        s_parse(LIT("HTTP/1.1 503 Slow Down\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n"), false);
    CHECK_EQ_INT(o.retry_after_ms, 2000);
    o = s_parse(LIT("HTTP/1.1 503 Slow Down\r\nRetry-After: 2\r\nx-amz-retry-after: 150\r\n"
                    "Content-Length: 0\r\n\r\n"),
                false);
    CHECK_EQ_INT(o.retry_after_ms, 150);
    o = s_parse(LIT("HTTP/1.1 503 Slow Down\r\nX-Amz-Retry-After: 150\r\nretry-after: 9\r\n"
                    "Content-Length: 0\r\n\r\n"),
                false);
    CHECK_EQ_INT(o.retry_after_ms, 150);
    o = s_parse(LIT("HTTP/1.1 503 Slow Down\r\nRetry-After: Fri, 21 Nov 2025 07:25:00 GMT\r\n"
                    "Content-Length: 0\r\n\r\n"),
                false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK_EQ_INT(o.retry_after_ms, -1);
}

static void test_no_body_statuses(void)
{
    /* 304 may carry the representation's Content-Length: no body follows all the same. */
    static const char s_304_then_200[] =
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\nETag: \"e\"\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    struct outcome o = s_parse(LIT(s_304_then_200), false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK_EQ_INT(o.status, 304);
    CHECK_EQ_INT(o.body_len, 0);
    CHECK_EQ_INT(o.consumed, o.headers_at);
    CHECK_EQ_INT(o.consumed,
                 sizeof "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\nETag: \"e\"\r\n\r\n" - 1);
    s_check_all_splits("304", LIT(s_304_then_200), false);

    struct ur_http_resp r;
    memset(&r, 0, sizeof r);
    ur_http_resp_init(&r);
    size_t used;
    CHECK_EQ_INT(ur_http_resp_feed(&r, LIT("HTTP/1.1 204 No Content\r\n\r\n"), &used), UR_HTTP_HEADERS);
    CHECK(!ur_http_resp_body_is_sized(&r));
    CHECK_EQ_INT(ur_http_resp_feed(&r, NULL, 0, &used), UR_HTTP_COMPLETE);
    CHECK_EQ_INT(used, 0);
    CHECK(r.keep_alive);

    /* 100 Continue and 103 Early Hints are skipped: only the final response is reported. */
    static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n"
                                  "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\nETag: \"no\"\r\n\r\n"
                                  "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    o = s_parse(LIT(interim), false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK_EQ_INT(o.status, 200);
    CHECK_EQ_INT(o.headers_seen, 1);
    CHECK_EQ_STR(o.etag, "");
    CHECK_EQ_INT(o.body_len, 3);
    CHECK_EQ_INT(o.consumed, sizeof interim - 1);
    s_check_all_splits("interim", LIT(interim), false);

    o = s_parse(LIT("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n"),
                false);
    CHECK_EQ_INT(o.state, UR_HTTP_ERROR);
}

static void test_malformed(void)
{
    static const char *bad[] = {
        "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n",
        "HTTX/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad\001Header: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "garbage\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct outcome o = s_parse(bad[i], strlen(bad[i]), true);
        if (o.state != UR_HTTP_ERROR) fprintf(stderr, "malformed #%zu accepted\n", i);
        CHECK_EQ_INT(o.state, UR_HTTP_ERROR);
        CHECK(o.error && *o.error);
    }
    /* The error is sticky. */
    struct ur_http_resp r;
    memset(&r, 0, sizeof r);
    ur_http_resp_init(&r);
    size_t used;
    CHECK_EQ_INT(ur_http_resp_feed(&r, LIT("HTTP/1.1 2OO OK\r\n"), &used), UR_HTTP_ERROR);
    CHECK_EQ_INT(ur_http_resp_feed(&r, LIT("\r\n"), &used), UR_HTTP_ERROR);
    CHECK_EQ_INT(used, 0);
    CHECK_EQ_INT(ur_http_resp_eof(&r), UR_HTTP_ERROR);
}

static void test_header_limit(void)
{
    size_t cap = 3 * UR_HTTP_MAX_HEADER_BYTES;
    char *buf = malloc(cap);
    size_t n = (size_t)snprintf(buf, cap, "HTTP/1.1 200 OK\r\n");
    while (n < UR_HTTP_MAX_HEADER_BYTES + 100)
        n += (size_t)snprintf(buf + n, cap - n, "x-amz-meta-filler: %0100d\r\n", 0);
    n += (size_t)snprintf(buf + n, cap - n, "Content-Length: 0\r\n\r\n");

    struct outcome o = s_parse(buf, n, true);
    CHECK_EQ_INT(o.state, UR_HTTP_ERROR);
    CHECK(o.error && strcmp(o.error, "response headers too large") == 0);
    CHECK(o.consumed <= UR_HTTP_MAX_HEADER_BYTES);

    /* byte by byte, and one header value far larger than the limit */
    size_t *cuts = malloc(n * sizeof *cuts);
    for (size_t k = 0; k < n; k++)
        cuts[k] = k + 1;
    o = s_parse_cuts(buf, n, cuts, n - 1, true);
    CHECK_EQ_INT(o.state, UR_HTTP_ERROR);
    CHECK(o.error && strcmp(o.error, "response headers too large") == 0);
    free(cuts);

    n = (size_t)snprintf(buf, cap, "HTTP/1.1 200 OK\r\nETag: \"");
    memset(buf + n, 'e', 2 * UR_HTTP_MAX_HEADER_BYTES);
    n += 2 * UR_HTTP_MAX_HEADER_BYTES;
    n += (size_t)snprintf(buf + n, cap - n, "\"\r\n\r\n");
    o = s_parse(buf, n, true);
    CHECK_EQ_INT(o.state, UR_HTTP_ERROR);
    CHECK(o.error && strcmp(o.error, "response headers too large") == 0);

    /* just under the limit is fine; an over-long ETag is kept empty */
    n = (size_t)snprintf(buf, cap, "HTTP/1.1 200 OK\r\nETag: \"%0200d\"\r\n", 7);
    while (n < UR_HTTP_MAX_HEADER_BYTES - 200)
        n += (size_t)snprintf(buf + n, cap - n, "x-amz-meta-filler: %0100d\r\n", 0);
    n += (size_t)snprintf(buf + n, cap - n, "Content-Length: 0\r\n\r\n");
    o = s_parse(buf, n, false);
    CHECK_EQ_INT(o.state, UR_HTTP_COMPLETE);
    CHECK_EQ_STR(o.etag, "");
    free(buf);
}

/* The engine's fast path: after HEADERS it reads content_length bytes itself, then re-inits. */
static void test_fast_path(void)
{
    char buf[1024];
    size_t n1 = sizeof s_206 - 1, n2 = sizeof s_200 - 1;
    memcpy(buf, s_206, n1);
    memcpy(buf + n1, s_200, n2);

    struct outcome o = {0};
    struct ur_http_resp r;
    s_resp_init(&r, &o);
    size_t used, off = 0;
    CHECK_EQ_INT(ur_http_resp_feed(&r, buf, 40, &used), UR_HTTP_NEED_MORE);
    CHECK_EQ_INT(used, 40);
    CHECK(!ur_http_resp_body_is_sized(&r));
    off += used;
    CHECK_EQ_INT(ur_http_resp_feed(&r, buf + off, sizeof buf - off, &used), UR_HTTP_HEADERS);
    off += used;
    CHECK(ur_http_resp_body_is_sized(&r));
    CHECK_EQ_INT(r.content_length, 100);
    CHECK(memcmp(buf + off, "0123456789", 10) == 0);
    off += (size_t)r.content_length; /* the caller took the body itself */
    CHECK(r.keep_alive);

    ur_http_resp_init(&r);
    CHECK_EQ_INT(r.status, 0);
    CHECK_EQ_INT(r.content_length, -1);
    CHECK_EQ_INT(ur_http_resp_feed(&r, buf + off, n1 + n2 - off, &used), UR_HTTP_HEADERS);
    off += used;
    CHECK_EQ_INT(r.status, 200);
    CHECK(ur_http_resp_body_is_sized(&r));
    CHECK_EQ_INT(r.content_length, 11);
    CHECK_EQ_INT(n1 + n2 - off, 11);
    CHECK_EQ_INT(o.body_len, 0);
}

int main(void)
{
    test_200_sized();
    test_206_range();
    test_chunked();
    test_close_delimited();
    test_truncated();
    test_keep_alive();
    test_back_to_back();
    test_404_xml();
    test_bucket_region();
    test_retry_after();
    test_no_body_statuses();
    test_malformed();
    test_header_limit();
    test_fast_path();
    return CHECK_DONE();
}
