/* http/response.h — incremental HTTP/1.1 response parsing on llhttp.
 *
 * Holds: the status, the few headers urestore acts on, and the body framing. Knows nothing of S3, TLS or
 * io_uring: bytes go in, states come out. Must not allocate: one ur_http_resp lives inside each connection
 * and is re-initialised for every response on a keep-alive connection. */
#ifndef UR_HTTP_RESPONSE_H
#define UR_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "llhttp.h"

/* Headers larger than this in total are refused: a server that sends more is broken or hostile. */
#define UR_HTTP_MAX_HEADER_BYTES (64 * 1024)

enum ur_http_state {
    UR_HTTP_NEED_MORE = 0, /* all input consumed; feed more */
    UR_HTTP_HEADERS,       /* the header block just ended; parsing stopped there (see *used) */
    UR_HTTP_COMPLETE,      /* the whole response ended; bytes after *used belong to the next one */
    UR_HTTP_ERROR,         /* malformed response; r->error says why in words */
};

/* Receives body bytes that go through the parser (chunked, close-delimited, or a sized body the caller
 * chose to feed). Return 0 to go on, -1 to abort parsing with UR_HTTP_ERROR. */
typedef int (*ur_http_body_fn)(void *ud, const char *p, size_t n);

/* Which x-amz-checksum-* header a response carried. */
enum ur_http_cksum {
    UR_HTTP_CKSUM_NONE = 0,
    UR_HTTP_CKSUM_CRC32,
    UR_HTTP_CKSUM_CRC32C,
    UR_HTTP_CKSUM_CRC64NVME,
    UR_HTTP_CKSUM_SHA1,
    UR_HTTP_CKSUM_SHA256,
};

struct ur_http_resp {
    int status;               /* 200, 206, 404 ...; 0 until the status line is complete */
    int64_t content_length;   /* Content-Length, -1 when absent */
    int64_t range_first;      /* Content-Range: bytes FIRST-LAST/TOTAL; all -1 when absent */
    int64_t range_last;
    int64_t range_total;      /* -1 too when the total is sent as "*" (unknown) */
    int64_t retry_after_ms;   /* x-amz-retry-after (ms) or Retry-After (s → ms); -1 when absent */
    bool chunked;             /* Transfer-Encoding: chunked */
    bool keep_alive;          /* valid from UR_HTTP_HEADERS on: the connection may carry another request */
    char etag[128];           /* ETag as sent, quotes included; "" when absent (or too long) */
    char bucket_region[64];   /* x-amz-bucket-region (the bucket's region); "" when absent (or too long) */
    int64_t last_modified;    /* Last-Modified, seconds since 1970 UTC; -1 when absent or malformed */
    /* The object's stored checksum (x-amz-checksum-ALG, base64, "-N" after a composite one); S3 stores one
     * algorithm per object, so the first such header wins. "" and UR_HTTP_CKSUM_NONE when absent. */
    char checksum[64];
    uint8_t checksum_alg;     /* enum ur_http_cksum */
    char checksum_type[16];   /* x-amz-checksum-type: "FULL_OBJECT", "COMPOSITE"; "" when absent */
    const char *error;        /* static text when UR_HTTP_ERROR */

    ur_http_body_fn on_body;  /* may be NULL: body bytes are then dropped */
    void *body_ud;

    /* private to response.c */
    llhttp_t parser;
    uint32_t header_bytes;
    uint8_t field_id;         /* which known header the current field is, 0 = uninteresting */
    uint16_t field_len;
    uint16_t value_len;
    char field[32];
    char value[160];
    bool headers_done;
    bool complete;
};

/* Prepares r for a new response (also between responses on one keep-alive connection). Keeps on_body and
 * body_ud as they are. */
void ur_http_resp_init(struct ur_http_resp *r);

/* Parses n bytes at p. Sets *used to how many were consumed, and returns:
 *  UR_HTTP_NEED_MORE  all n consumed, the response is not complete;
 *  UR_HTTP_HEADERS    the header block ended after *used bytes. Parsing stops there so that the caller may
 *                     take the body itself (ur_http_resp_body_is_sized) instead of feeding it; calling feed
 *                     again goes on with the body through on_body;
 *  UR_HTTP_COMPLETE   the response ended after *used bytes;
 *  UR_HTTP_ERROR      malformed (r->error says why).
 * Responses without a body (204, 304) go straight from HEADERS to COMPLETE on the next feed call,
 * which may be made with n == 0. Interim 1xx responses (100 Continue, 103 Early Hints) are skipped: only
 * the final response is reported; 101 is an error. */
enum ur_http_state ur_http_resp_feed(struct ur_http_resp *r, const char *p, size_t n, size_t *used);

/* The peer closed the connection: completes a close-delimited body; UR_HTTP_ERROR for a response that
 * was cut short (r->error: "connection closed before the response ended"). */
enum ur_http_state ur_http_resp_eof(struct ur_http_resp *r);

/* True after UR_HTTP_HEADERS when the body length is known ahead (Content-Length without chunking), so
 * the caller may read exactly content_length body bytes itself — straight into its destination buffer —
 * and then re-initialise r for the next response without feeding them. */
bool ur_http_resp_body_is_sized(const struct ur_http_resp *r);

#endif
