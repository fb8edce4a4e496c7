/* tests/unit/test_s3_respcheck.c — the checks on a ranged GET's response headers: every verdict (the whole
 * object, a range, an empty object, an error, no Content-Length, a changed ETag, an ignored Range, a full
 * response for a part, a bad Content-Range, a changed size) with the edges around them (size unknown, the
 * last part, a resumed part, a retry), what is learned, the messages, and the two checksums. */
#include <errno.h>
#include <stdint.h>

#include "s3/respcheck.h"
#include "tests/unit/check.h"

#define MIB (1024 * 1024)
#define SRC "s3://bkt/dir/obj"

/* The headers of one response, parsed as the engine parses them (to UR_HTTP_HEADERS). */
static void s_parse(struct ur_http_resp *r, const char *head)
{
    memset(r, 0, sizeof(*r));
    ur_http_resp_init(r);
    size_t used = 0;
    enum ur_http_state st = ur_http_resp_feed(r, head, strlen(head), &used);
    if (st != UR_HTTP_HEADERS) fprintf(stderr, "not a header block: %s\n", head);
    CHECK_EQ_INT(st, UR_HTTP_HEADERS);
}

static char s_msg[512];

static enum ur_s3_resp s_check(const struct ur_s3_resp_want *w, const char *head, struct ur_s3_resp_got *got)
{
    struct ur_http_resp r;
    s_parse(&r, head);
    strcpy(s_msg, "junk");
    enum ur_s3_resp v = ur_s3_resp_check(w, &r, got, s_msg, sizeof(s_msg));
    if (!ur_s3_resp_failed(v)) CHECK_EQ_STR(s_msg, "");
    if (got->etag) {
        /* Points into r, which is gone: compare before returning. */
        static char etag[128];
        snprintf(etag, sizeof(etag), "%s", got->etag);
        got->etag = etag;
    }
    return v;
}

static uint32_t s_be32(const unsigned char *v)
{
    return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
}

/* The first part of an object of unknown size: bytes=0-(8 MiB - 1). */
static const struct ur_s3_resp_want first = {SRC, 0, 0, -1, -1, "", false};

static void test_first_part(void)
{
    struct ur_s3_resp_got g;
    /* A large object: the size is learned, the part is the range given; no checksum applies to a range. */
    CHECK_EQ_INT(
        s_check(&first,
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-8388607/20000000\r\n"
                "Content-Length: 8388608\r\nETag: \"e1-3\"\r\nx-amz-checksum-crc32: NhCmhg==\r\n\r\n",
                &g),
        UR_S3_RESP_RANGE);
    CHECK_EQ_INT(g.size, 20000000);
    CHECK_EQ_INT(g.len, 8 * MIB);
    CHECK(g.etag && strcmp(g.etag, "\"e1-3\"") == 0);
    CHECK(!g.whole);
    CHECK_EQ_INT(g.cksum.alg, UR_HTTP_CKSUM_NONE);

    /* A small object: the range is all of it, and so its CRC32 applies. */
    CHECK_EQ_INT(
        s_check(&first,
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-99/100\r\nContent-Length: 100\r\n"
                "ETag: \"5d41402abc4b2a76b9719d911017c592\"\r\nx-amz-checksum-crc32: NhCmhg==\r\n\r\n",
                &g),
        UR_S3_RESP_RANGE);
    CHECK_EQ_INT(g.size, 100);
    CHECK_EQ_INT(g.len, 100);
    CHECK(g.whole);
    CHECK_EQ_INT(g.cksum.alg, UR_HTTP_CKSUM_CRC32);
    CHECK(!g.cksum.composite);
    CHECK_EQ_INT(s_be32(g.cksum.value), 0x3610a686u);

    /* Exactly one part long: still the whole object. */
    CHECK_EQ_INT(s_check(&first,
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-8388607/8388608\r\n"
                         "Content-Length: 8388608\r\n\r\n",
                         &g),
                 UR_S3_RESP_RANGE);
    CHECK(g.whole);
    CHECK_EQ_INT(g.cksum.alg, UR_HTTP_CKSUM_NONE); /* none sent */
    CHECK(g.etag == NULL); /* none sent, none to remember */

    /* A composite checksum (multipart object) is not the object's CRC32: read, and marked so. */
    CHECK_EQ_INT(
        s_check(&first,
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-99/100\r\nContent-Length: 100\r\n"
                "x-amz-checksum-crc32: NhCmhg==-2\r\n\r\n",
                &g),
        UR_S3_RESP_RANGE);
    CHECK(g.whole);
    CHECK_EQ_INT(g.cksum.alg, UR_HTTP_CKSUM_CRC32);
    CHECK(g.cksum.composite);
    CHECK_EQ_INT(g.cksum.parts, 2);

    /* The whole object with 200 (the server ignored Range): fine from byte 0. */
    CHECK_EQ_INT(s_check(&first,
                         "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nx-amz-checksum-crc32: mjjaAw==\r\n"
                         "ETag: \"e\"\r\n\r\n",
                         &g),
                 UR_S3_RESP_WHOLE);
    CHECK_EQ_INT(g.size, 100);
    CHECK_EQ_INT(g.len, 100);
    CHECK(g.whole);
    CHECK_EQ_INT(g.cksum.alg, UR_HTTP_CKSUM_CRC32);
    CHECK_EQ_INT(s_be32(g.cksum.value), 0x9a38da03u);
    CHECK(g.etag && strcmp(g.etag, "\"e\"") == 0);

    /* An empty object answers 200 with no body, or 416 to bytes=0-N. */
    CHECK_EQ_INT(s_check(&first, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &g), UR_S3_RESP_WHOLE);
    CHECK_EQ_INT(g.size, 0);
    CHECK(g.whole);
    CHECK_EQ_INT(
        s_check(&first, "HTTP/1.1 416 Requested Range Not Satisfiable\r\nContent-Length: 0\r\n\r\n", &g),
        UR_S3_RESP_EMPTY);
    CHECK_EQ_INT(g.size, 0);
    CHECK_EQ_INT(g.len, 0);
    CHECK_EQ_INT(g.cksum.alg, UR_HTTP_CKSUM_NONE);
}

static void test_empty(void)
{
    struct ur_s3_resp_got g;
    const char *h416 = "HTTP/1.1 416 Requested Range Not Satisfiable\r\nContent-Length: 5\r\n\r\n";
    /* Known to be empty already (a retry after a 416): still empty. */
    struct ur_s3_resp_want w = first;
    w.size = 0;
    CHECK_EQ_INT(s_check(&w, h416, &g), UR_S3_RESP_EMPTY);
    /* Known to be larger, resumed, or a later part: a 416 is an error like any other. */
    w.size = 100;
    w.len = 100;
    CHECK_EQ_INT(s_check(&w, h416, &g), UR_S3_RESP_ERROR);
    w = first;
    w.got = 10;
    CHECK_EQ_INT(s_check(&w, h416, &g), UR_S3_RESP_ERROR);
    w = (struct ur_s3_resp_want){SRC, 8 * MIB, 0, 8 * MIB, 20000000, "\"e\"", true};
    CHECK_EQ_INT(s_check(&w, h416, &g), UR_S3_RESP_ERROR);
}

static void test_errors(void)
{
    struct ur_s3_resp_got g;
    static const char *const heads[] = {
        "HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\n",
        "HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 412 Precondition Failed\r\nContent-Length: 10\r\nETag: \"other\"\r\n\r\n",
        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 10\r\n\r\n",
        "HTTP/1.1 503 Slow Down\r\nx-amz-retry-after: 200\r\nContent-Length: 10\r\n\r\n",
        "HTTP/1.1 301 Moved Permanently\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 204 No Content\r\n\r\n",
    };
    struct ur_s3_resp_want w = first;
    w.etag = "\"e\"";
    for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
        CHECK_EQ_INT(s_check(&w, heads[i], &g), UR_S3_RESP_ERROR);
        /* Nothing learned from an error: size, length and ETag as known. */
        CHECK_EQ_INT(g.size, -1);
        CHECK_EQ_INT(g.len, -1);
        CHECK(g.etag == NULL);
        CHECK(!g.whole);
    }
}

static void test_unsized(void)
{
    struct ur_s3_resp_got g;
    CHECK_EQ_INT(s_check(&first,
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-99/100\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n",
                         &g),
                 UR_S3_RESP_UNSIZED);
    CHECK_EQ_STR(s_msg, "response for " SRC " has no Content-Length");
    CHECK_EQ_INT(s_check(&first, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", &g), UR_S3_RESP_UNSIZED);
    CHECK_EQ_STR(s_msg, "response for " SRC " has no Content-Length");
    CHECK(g.etag == NULL);
}

/* The second part of a 20,000,000-byte object in 8 MiB parts, its ETag known. */
static const struct ur_s3_resp_want second = {SRC, 8 * MIB, 0, 8 * MIB, 20000000, "\"e1\"", true};

static void test_etag(void)
{
    struct ur_s3_resp_got g;
    const char *same = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 8388608-16777215/20000000\r\n"
                       "Content-Length: 8388608\r\nETag: \"e1\"\r\n\r\n";
    CHECK_EQ_INT(s_check(&second, same, &g), UR_S3_RESP_RANGE);
    CHECK(g.etag == NULL); /* known already */
    CHECK_EQ_INT(g.size, 20000000);
    CHECK_EQ_INT(g.len, 8 * MIB);
    CHECK(!g.whole);

    /* No ETag in this response: nothing to compare. */
    CHECK_EQ_INT(s_check(&second,
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 8388608-16777215/20000000\r\n"
                         "Content-Length: 8388608\r\n\r\n",
                         &g),
                 UR_S3_RESP_RANGE);

    /* Another ETag: the object was replaced between two parts (a server that ignored If-Match). */
    CHECK_EQ_INT(s_check(&second,
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 8388608-16777215/20000000\r\n"
                         "Content-Length: 8388608\r\nETag: \"e2\"\r\n\r\n",
                         &g),
                 UR_S3_RESP_ETAG_CHANGED);
    CHECK_EQ_STR(s_msg, SRC " changed during the download (ETag \"e1\", then \"e2\")");
    CHECK(g.etag == NULL);
    CHECK(ur_s3_resp_changed(UR_S3_RESP_ETAG_CHANGED));

    /* Compared as sent: quotes and case count. */
    CHECK_EQ_INT(s_check(&second,
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 8388608-16777215/20000000\r\n"
                         "Content-Length: 8388608\r\nETag: \"E1\"\r\n\r\n",
                         &g),
                 UR_S3_RESP_ETAG_CHANGED);
    /* Checked before the status's own rules: a changed object is reported as such. */
    CHECK_EQ_INT(s_check(&second, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"e9\"\r\n\r\n", &g),
                 UR_S3_RESP_ETAG_CHANGED);
}

static void test_whole_when_not_asked(void)
{
    struct ur_s3_resp_got g;
    /* 200 for a later part, or for a first part being resumed: the server ignored Range. */
    CHECK_EQ_INT(s_check(&second, "HTTP/1.1 200 OK\r\nContent-Length: 20000000\r\n\r\n", &g),
                 UR_S3_RESP_RANGE_IGNORED);
    CHECK_EQ_STR(s_msg, SRC ": server ignored the Range header");
    struct ur_s3_resp_want w = first;
    w.got = 4096;
    CHECK_EQ_INT(s_check(&w, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", &g), UR_S3_RESP_RANGE_IGNORED);
    /* 200 from byte 0 but of another size than known. */
    w = first;
    w.size = 200;
    w.len = 200;
    CHECK_EQ_INT(s_check(&w, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", &g), UR_S3_RESP_RANGE_IGNORED);
    /* Of the known size: fine (a retry of a single-part object). */
    w.size = w.len = 100;
    CHECK_EQ_INT(s_check(&w, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", &g), UR_S3_RESP_WHOLE);
    CHECK(g.whole);
    /* The first part of an object already cut into parts. */
    w = (struct ur_s3_resp_want){SRC, 0, 0, 8 * MIB, 20000000, "", true};
    CHECK_EQ_INT(s_check(&w, "HTTP/1.1 200 OK\r\nContent-Length: 20000000\r\n\r\n", &g),
                 UR_S3_RESP_WHOLE_FOR_PART);
    CHECK_EQ_STR(s_msg, SRC ": unexpected full response for a part");
    CHECK(!ur_s3_resp_changed(UR_S3_RESP_WHOLE_FOR_PART));
}

static void test_bad_range(void)
{
    struct ur_s3_resp_got g;
    static const char *const heads[] = {
        /* no Content-Range */
        "HTTP/1.1 206 Partial Content\r\nContent-Length: 8388608\r\n\r\n",
        /* not where the part starts */
        "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-8388607/20000000\r\nContent-Length: "
        "8388608\r\n\r\n",
        "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 8388609-16777215/20000000\r\n"
        "Content-Length: 8388607\r\n\r\n",
        /* the total unknown ("*") */
        "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 8388608-16777215/*\r\nContent-Length: "
        "8388608\r\n\r\n",
        /* a length that is not the range's */
        "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 8388608-16777215/20000000\r\n"
        "Content-Length: 8388607\r\n\r\n",
        "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 8388608-16777215/20000000\r\n"
        "Content-Length: 8388609\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
        if (s_check(&second, heads[i], &g) != UR_S3_RESP_BAD_RANGE)
            fprintf(stderr, "bad range case %zu\n", i);
        CHECK_EQ_STR(s_msg, SRC ": bad Content-Range in response");
    }
    /* The first part of an object of unknown size: no total, or the wrong start. */
    CHECK_EQ_INT(
        s_check(&first,
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-99/*\r\nContent-Length: 100\r\n\r\n",
                &g),
        UR_S3_RESP_BAD_RANGE);
    CHECK_EQ_INT(g.size, -1);
    CHECK_EQ_INT(
        s_check(
            &first,
            "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 1-100/200\r\nContent-Length: 100\r\n\r\n",
            &g),
        UR_S3_RESP_BAD_RANGE);
}

static void test_size_changed(void)
{
    struct ur_s3_resp_got g;
    /* Another total. */
    CHECK_EQ_INT(s_check(&second,
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 8388608-16777215/30000000\r\n"
                         "Content-Length: 8388608\r\n\r\n",
                         &g),
                 UR_S3_RESP_SIZE_CHANGED);
    CHECK_EQ_STR(s_msg, SRC " changed size during the download");
    CHECK(ur_s3_resp_changed(UR_S3_RESP_SIZE_CHANGED));
    /* The same total, but the part ends elsewhere. */
    CHECK_EQ_INT(s_check(&second,
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 8388608-9000000/20000000\r\n"
                         "Content-Length: 611393\r\n\r\n",
                         &g),
                 UR_S3_RESP_SIZE_CHANGED);
    /* A known-size first part (its retry) answered with a range of another total. */
    struct ur_s3_resp_want w = {SRC, 0, 0, 8 * MIB, 20000000, "", true};
    CHECK_EQ_INT(s_check(&w,
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-8388607/20000001\r\n"
                         "Content-Length: 8388608\r\n\r\n",
                         &g),
                 UR_S3_RESP_SIZE_CHANGED);
}

static void test_last_and_resumed(void)
{
    struct ur_s3_resp_got g;
    /* The last part: shorter than part_size, ends at the object's end. */
    struct ur_s3_resp_want last = {SRC, 16 * MIB, 0, 20000000 - 16 * MIB, 20000000, "\"e1\"", true};
    CHECK_EQ_INT(s_check(&last,
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 16777216-19999999/20000000\r\n"
                         "Content-Length: 3222784\r\nETag: \"e1\"\r\n\r\n",
                         &g),
                 UR_S3_RESP_RANGE);
    CHECK_EQ_INT(g.size, 20000000);
    CHECK_EQ_INT(g.len, 3222784);
    CHECK(!g.whole);
    /* It may not run past the end. */
    CHECK_EQ_INT(s_check(&last,
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 16777216-20000000/20000001\r\n"
                         "Content-Length: 3222785\r\n\r\n",
                         &g),
                 UR_S3_RESP_SIZE_CHANGED);

    /* A part resumed after 1,000 bytes: the range starts there, the part keeps its length. */
    struct ur_s3_resp_want w = second;
    w.got = 1000;
    CHECK_EQ_INT(s_check(&w,
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 8389608-16777215/20000000\r\n"
                         "Content-Length: 8387608\r\n\r\n",
                         &g),
                 UR_S3_RESP_RANGE);
    CHECK_EQ_INT(g.len, 8 * MIB);
    /* From the part's start instead: not what was asked. */
    CHECK_EQ_INT(s_check(&w,
                         "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 8388608-16777215/20000000\r\n"
                         "Content-Length: 8388608\r\n\r\n",
                         &g),
                 UR_S3_RESP_BAD_RANGE);

    /* The first part of an object of unknown size, resumed: its length is learned from the range's end; a
     * resumed whole object is not checksummed (the CRC covers bytes not seen). */
    w = first;
    w.got = 50;
    CHECK_EQ_INT(
        s_check(&w,
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 50-99/100\r\nContent-Length: 50\r\n"
                "x-amz-checksum-crc32: NhCmhg==\r\n\r\n",
                &g),
        UR_S3_RESP_RANGE);
    CHECK_EQ_INT(g.size, 100);
    CHECK_EQ_INT(g.len, 100);
    CHECK(!g.whole);
    CHECK_EQ_INT(g.cksum.alg, UR_HTTP_CKSUM_NONE);
}

static void test_message_buffer(void)
{
    struct ur_http_resp r;
    struct ur_s3_resp_got g;
    s_parse(&r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    /* Cut to fit, NUL-terminated; no buffer at all is fine too. */
    char small[9] = "xxxxxxxx";
    CHECK_EQ_INT(ur_s3_resp_check(&first, &r, &g, small, sizeof(small)), UR_S3_RESP_UNSIZED);
    CHECK_EQ_STR(small, "response");
    CHECK_EQ_INT(ur_s3_resp_check(&first, &r, &g, NULL, 0), UR_S3_RESP_UNSIZED);
    /* No name and no ETag given. */
    struct ur_s3_resp_want w = {NULL, 0, 0, -1, -1, NULL, false};
    char msg[64];
    CHECK_EQ_INT(ur_s3_resp_check(&w, &r, &g, msg, sizeof(msg)), UR_S3_RESP_UNSIZED);
    CHECK_EQ_STR(msg, "response for  has no Content-Length");
    s_parse(&r, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nETag: \"x\"\r\n\r\n");
    CHECK_EQ_INT(ur_s3_resp_check(&w, &r, &g, msg, sizeof(msg)), UR_S3_RESP_WHOLE);
    CHECK(g.etag && strcmp(g.etag, "\"x\"") == 0);
}

static void test_verdict_classes(void)
{
    for (int v = UR_S3_RESP_WHOLE; v <= UR_S3_RESP_SIZE_CHANGED; v++) {
        bool fails =
            v != UR_S3_RESP_WHOLE && v != UR_S3_RESP_RANGE && v != UR_S3_RESP_EMPTY && v != UR_S3_RESP_ERROR;
        CHECK_EQ_INT(ur_s3_resp_failed((enum ur_s3_resp)v), fails);
        CHECK_EQ_INT(ur_s3_resp_changed((enum ur_s3_resp)v),
                     v == UR_S3_RESP_ETAG_CHANGED || v == UR_S3_RESP_SIZE_CHANGED);
    }
}

/* x-amz-checksum-*: each algorithm's size, base64 with optional padding, the composite forms. */
static void test_cksum_decode(void)
{
    static const struct {
        const char *header;
        int rc;
        unsigned alg, len;
        bool composite;
        unsigned parts;
        uint32_t first4; /* the value's first four bytes, big-endian */
    } cases[] = {
        {"x-amz-checksum-crc32: NhCmhg==", 0, UR_HTTP_CKSUM_CRC32, 4, false, 0, 0x3610a686u}, /* crc32("hello") */
        {"x-amz-checksum-crc32: NhCmhg", 0, UR_HTTP_CKSUM_CRC32, 4, false, 0, 0x3610a686u},   /* no padding */
        {"x-amz-checksum-crc32: /////w==", 0, UR_HTTP_CKSUM_CRC32, 4, false, 0, 0xffffffffu},
        {"x-amz-checksum-crc32c: 4waSgw==", 0, UR_HTTP_CKSUM_CRC32C, 4, false, 0, 0xe3069283u},
        {"x-amz-checksum-crc64nvme: rosUhgp5mIg=", 0, UR_HTTP_CKSUM_CRC64NVME, 8, false, 0, 0xae8b1486u},
        {"x-amz-checksum-sha1: qvTGHdzF6KLavt4PO0gs2a6pQ00=", 0, UR_HTTP_CKSUM_SHA1, 20, false, 0, 0xaaf4c61du},
        {"x-amz-checksum-sha256: LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", 0, UR_HTTP_CKSUM_SHA256, 32, false,
         0, 0x2cf24dbau},
        {"x-amz-checksum-crc32c: 4waSgw==-12", 0, UR_HTTP_CKSUM_CRC32C, 4, true, 12, 0xe3069283u},
        /* A part-sized range of a multipart object: no "-N", the type tells. */
        {"x-amz-checksum-crc32: NhCmhg==\r\nx-amz-checksum-type: COMPOSITE", 0, UR_HTTP_CKSUM_CRC32, 4, true, 0,
         0x3610a686u},
        {"x-amz-checksum-crc64nvme: rosUhgp5mIg=\r\nx-amz-checksum-type: FULL_OBJECT", 0, UR_HTTP_CKSUM_CRC64NVME,
         8, false, 0, 0xae8b1486u},
        /* Malformed: nothing to check against. */
        {"x-amz-checksum-crc32: NhCm", -EINVAL, 0, 0, false, 0, 0},          /* three bytes */
        {"x-amz-checksum-crc32: NhCmhgAA", -EINVAL, 0, 0, false, 0, 0},      /* six */
        {"x-amz-checksum-crc64nvme: NhCmhg==", -EINVAL, 0, 0, false, 0, 0},  /* four for eight */
        {"x-amz-checksum-crc32: Nh*mhg==", -EINVAL, 0, 0, false, 0, 0},
        {"x-amz-checksum-crc32: NhCmhg==-", -EINVAL, 0, 0, false, 0, 0},
        {"x-amz-checksum-crc32: NhCmhg==-2x", -EINVAL, 0, 0, false, 0, 0},
        {"x-amz-checksum-crc32: NhCmhg==x", -EINVAL, 0, 0, false, 0, 0},
        {"x-amz-checksum-crc32: ==", -EINVAL, 0, 0, false, 0, 0},
        {"x-amz-checksum-type: FULL_OBJECT", 0, UR_HTTP_CKSUM_NONE, 0, false, 0, 0}, /* no value */
        /* No type, and a multipart ETag: maybe composite, so not claimed; with FULL_OBJECT it is the bytes'. */
        {"x-amz-checksum-crc32: NhCmhg==\r\nETag: \"0123-4\"", 0, UR_HTTP_CKSUM_CRC32, 4, true, 0, 0x3610a686u},
        {"x-amz-checksum-crc32: NhCmhg==\r\nETag: \"0123-4\"\r\nx-amz-checksum-type: FULL_OBJECT", 0,
         UR_HTTP_CKSUM_CRC32, 4, false, 0, 0x3610a686u},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256];
        struct ur_http_resp r;
        struct ur_s3_cksum ck;
        snprintf(text, sizeof(text), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n%s\r\n\r\n", cases[i].header);
        s_parse(&r, text);
        int rc = ur_s3_cksum_from_resp(&r, &ck);
        if (rc != cases[i].rc || ck.alg != cases[i].alg) fprintf(stderr, "checksum case \"%s\"\n", cases[i].header);
        CHECK_EQ_INT(rc, cases[i].rc);
        CHECK_EQ_INT(ck.alg, cases[i].alg);
        CHECK_EQ_INT(ck.len, cases[i].len);
        CHECK_EQ_INT(ck.composite, cases[i].composite);
        CHECK_EQ_INT(ck.parts, cases[i].parts);
        if (ck.len) CHECK_EQ_INT(s_be32(ck.value), cases[i].first4);
        /* And back: the value's base64 is what was sent (padding included). */
        char b64[48];
        ur_s3_cksum_b64(ck.value, ck.len, b64, sizeof b64);
        if (rc == 0 && ck.len && cases[i].header[strcspn(cases[i].header, "=")] == '=')
            CHECK(strncmp(strchr(cases[i].header, ' ') + 1, b64, strlen(b64)) == 0);
    }
    CHECK_EQ_STR(ur_s3_cksum_name(UR_HTTP_CKSUM_CRC64NVME), "CRC64NVME");
    CHECK_EQ_STR(ur_s3_cksum_header(UR_HTTP_CKSUM_SHA256), "x-amz-checksum-sha256");
}

static void test_etag_md5(void)
{
    CHECK(ur_s3_resp_etag_is_md5("\"5d41402abc4b2a76b9719d911017c592\""));
    CHECK(ur_s3_resp_etag_is_md5("\"5D41402ABC4B2A76B9719D911017C592\""));
    CHECK(!ur_s3_resp_etag_is_md5("5d41402abc4b2a76b9719d911017c592"));       /* no quotes */
    CHECK(!ur_s3_resp_etag_is_md5("\"5d41402abc4b2a76b9719d911017c592-2\"")); /* multipart */
    CHECK(!ur_s3_resp_etag_is_md5("\"5d41402abc4b2a76b9719d911017c59\""));    /* 31 digits */
    CHECK(!ur_s3_resp_etag_is_md5("\"5d41402abc4b2a76b9719d911017c5920\""));  /* 33 */
    CHECK(!ur_s3_resp_etag_is_md5("\"5d41402abc4b2a76b9719d911017c59g\""));
    CHECK(!ur_s3_resp_etag_is_md5("W/\"5d41402abc4b2a76b9719d911017c592\""));
    CHECK(!ur_s3_resp_etag_is_md5(""));
}

int main(void)
{
    test_first_part();
    test_empty();
    test_errors();
    test_unsized();
    test_etag();
    test_whole_when_not_asked();
    test_bad_range();
    test_size_changed();
    test_last_and_resumed();
    test_message_buffer();
    test_verdict_classes();
    test_cksum_decode();
    test_etag_md5();
    return CHECK_DONE();
}
