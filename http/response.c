/* http/response.c — incremental HTTP/1.1 response parsing on llhttp 8.1 (see response.h).
 *
 * Holds: one static llhttp_settings_t whose callbacks pick out the few headers urestore acts on, and the
 * feed/eof state machine that stops after the header block and after the message. Must not allocate, must
 * not keep pointers into the caller's input, and knows nothing of sockets, TLS or S3.
 *
 * Header values of interest are accumulated in the small fixed buffers of struct ur_http_resp because
 * llhttp may hand a field or value over in several spans (one per feed call). Policy for values that do
 * not fit: an uninteresting header is dropped whatever its size; an ETag or checksum that does not fit is
 * kept empty (the caller then does without If-Match / checksum); a Content-Range or retry hint that does
 * not fit is malformed and fails the response ("bad Content-Range header"), because a wrong range would
 * put bytes at the wrong file offset. */
#include "http/response.h"

#include <string.h>
#include <strings.h>

#include "http/date.h"

enum {
    S_FIELD_NONE = 0,
    S_FIELD_CONTENT_RANGE,
    S_FIELD_ETAG,
    S_FIELD_AMZ_RETRY_AFTER,
    S_FIELD_RETRY_AFTER,
    S_FIELD_BUCKET_REGION,
    S_FIELD_LAST_MODIFIED,
    S_FIELD_CHECKSUM_TYPE,
    /* + enum ur_http_cksum: one id per algorithm. Must stay last: ids above it are the checksums (one per
     * object, the first wins), and in trailers only ids from it on are taken. A new field goes above. */
    S_FIELD_CHECKSUM,
};

/* field_len / value_len are set to this when the span outgrew its buffer. */
#define S_OVERFLOW UINT16_MAX

static const struct {
    const char *name;
    uint8_t id;
} s_known_fields[] = {
    {"content-range", S_FIELD_CONTENT_RANGE},         {"etag", S_FIELD_ETAG},
    {"x-amz-retry-after", S_FIELD_AMZ_RETRY_AFTER},   {"retry-after", S_FIELD_RETRY_AFTER},
    {"x-amz-bucket-region", S_FIELD_BUCKET_REGION},   {"last-modified", S_FIELD_LAST_MODIFIED},
    {"x-amz-checksum-type", S_FIELD_CHECKSUM_TYPE},
    {"x-amz-checksum-crc32", S_FIELD_CHECKSUM + UR_HTTP_CKSUM_CRC32},
    {"x-amz-checksum-crc32c", S_FIELD_CHECKSUM + UR_HTTP_CKSUM_CRC32C},
    {"x-amz-checksum-crc64nvme", S_FIELD_CHECKSUM + UR_HTTP_CKSUM_CRC64NVME},
    {"x-amz-checksum-sha1", S_FIELD_CHECKSUM + UR_HTTP_CKSUM_SHA1},
    {"x-amz-checksum-sha256", S_FIELD_CHECKSUM + UR_HTTP_CKSUM_SHA256},
};

static bool s_status_has_no_body(int status)
{
    return status / 100 == 1 || status == 204 || status == 304;
}

/* Fails parsing from inside a callback: r->error keeps our words (llhttp would overwrite its own reason
 * for span callbacks), and -1 makes llhttp stop with an error. */
static int s_fail(struct ur_http_resp *r, const char *why)
{
    if (!r->error) r->error = why;
    return -1;
}

static bool s_append(char *buf, size_t cap, uint16_t *len, const char *p, size_t n)
{
    if (*len == S_OVERFLOW) return false;
    if ((size_t)*len + n > cap) {
        *len = S_OVERFLOW;
        return false;
    }
    memcpy(buf + *len, p, n);
    *len = (uint16_t)(*len + n);
    return true;
}

/* Parses a decimal int64 (no sign, no overflow) from [p, end); returns the end of the digits or NULL. */
static const char *s_parse_i64(const char *p, const char *end, int64_t *out)
{
    int64_t v = 0;
    const char *start = p;
    while (p < end && *p >= '0' && *p <= '9') {
        if (v > (INT64_MAX - 9) / 10) return NULL;
        v = v * 10 + (*p - '0');
        p++;
    }
    if (p == start) return NULL;
    *out = v;
    return p;
}

/* "bytes FIRST-LAST/TOTAL", "bytes FIRST-LAST/" + "*" (total unknown) or "bytes " + "*" + "/TOTAL" (as
 * sent with a 416). */
static int s_parse_content_range(struct ur_http_resp *r, const char *p, const char *end)
{
    int64_t first = -1, last = -1, total = -1;
    if (end - p < 6 || strncasecmp(p, "bytes ", 6) != 0) return -1;
    p += 6;
    while (p < end && *p == ' ')
        p++;
    if (p < end && *p == '*') {
        p++;
    } else {
        if (!(p = s_parse_i64(p, end, &first)) || p == end || *p++ != '-') return -1;
        if (!(p = s_parse_i64(p, end, &last)) || last < first) return -1;
    }
    if (p == end || *p++ != '/') return -1;
    if (p < end && *p == '*' && p + 1 == end) {
        if (first < 0) return -1; /* "bytes * / *" says nothing */
    } else {
        if (!(p = s_parse_i64(p, end, &total)) || p != end) return -1;
        if (first >= 0 && last >= total) return -1;
    }
    r->range_first = first;
    r->range_last = last;
    r->range_total = total;
    return 0;
}

/* feed() counts the header block; trailers (after a chunked body) are bounded here: header and trailer
 * bytes together may not pass twice the header limit. */
static int s_count_trailer(struct ur_http_resp *r, size_t length)
{
    if (!r->headers_done) return 0;
    r->header_bytes += (uint32_t)(length < UR_HTTP_MAX_HEADER_BYTES ? length : UR_HTTP_MAX_HEADER_BYTES);
    return r->header_bytes > 2 * UR_HTTP_MAX_HEADER_BYTES ? -1 : 0;
}

static int s_on_header_field(llhttp_t *parser, const char *at, size_t length)
{
    struct ur_http_resp *r = parser->data;
    if (s_count_trailer(r, length) < 0) return s_fail(r, "response trailers too large");
    s_append(r->field, sizeof r->field, &r->field_len, at, length);
    return 0;
}

static int s_on_header_field_complete(llhttp_t *parser)
{
    struct ur_http_resp *r = parser->data;
    r->field_id = S_FIELD_NONE;
    r->value_len = 0;
    if (r->field_len != S_OVERFLOW) {
        for (size_t i = 0; i < sizeof s_known_fields / sizeof s_known_fields[0]; i++) {
            if (strlen(s_known_fields[i].name) == r->field_len &&
                strncasecmp(s_known_fields[i].name, r->field, r->field_len) == 0) {
                r->field_id = s_known_fields[i].id;
                break;
            }
        }
    }
    /* In trailers only the checksum may be taken (it can legitimately come last). */
    if (r->headers_done && r->field_id < S_FIELD_CHECKSUM) r->field_id = S_FIELD_NONE;
    r->field_len = 0;
    return 0;
}

static int s_on_header_value(llhttp_t *parser, const char *at, size_t length)
{
    struct ur_http_resp *r = parser->data;
    if (s_count_trailer(r, length) < 0) return s_fail(r, "response trailers too large");
    if (r->field_id != S_FIELD_NONE) s_append(r->value, sizeof r->value, &r->value_len, at, length);
    return 0;
}

/* Copies a value into a fixed NUL-terminated field, or leaves it empty when it does not fit. */
static void s_copy_or_empty(char *dst, size_t cap, const char *p, size_t n)
{
    if (n >= cap) {
        dst[0] = '\0';
        return;
    }
    memcpy(dst, p, n);
    dst[n] = '\0';
}

static int s_on_header_value_complete(llhttp_t *parser)
{
    struct ur_http_resp *r = parser->data;
    uint8_t id = r->field_id;
    r->field_id = S_FIELD_NONE;
    if (id == S_FIELD_NONE) return 0;

    bool overflow = r->value_len == S_OVERFLOW;
    const char *p = r->value;
    const char *end = overflow ? p : p + r->value_len;
    /* llhttp drops leading whitespace; trailing whitespace is ours to drop. */
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    int64_t v = -1;

    if (id > S_FIELD_CHECKSUM) {
        if (r->checksum_alg != UR_HTTP_CKSUM_NONE) return 0; /* one per object: the first wins */
        s_copy_or_empty(r->checksum, overflow ? 0 : sizeof r->checksum, p, (size_t)(end - p));
        if (r->checksum[0]) r->checksum_alg = (uint8_t)(id - S_FIELD_CHECKSUM);
        return 0;
    }
    switch (id) {
    case S_FIELD_CONTENT_RANGE:
        if (overflow || s_parse_content_range(r, p, end) < 0) return s_fail(r, "bad Content-Range header");
        break;
    case S_FIELD_ETAG:
        s_copy_or_empty(r->etag, overflow ? 0 : sizeof r->etag, p, (size_t)(end - p));
        break;
    case S_FIELD_CHECKSUM_TYPE:
        s_copy_or_empty(r->checksum_type, overflow ? 0 : sizeof r->checksum_type, p, (size_t)(end - p));
        break;
    case S_FIELD_BUCKET_REGION:
        s_copy_or_empty(r->bucket_region, overflow ? 0 : sizeof r->bucket_region, p, (size_t)(end - p));
        break;
    case S_FIELD_LAST_MODIFIED:
        r->last_modified = overflow ? -1 : ur_http_date_parse(p, (size_t)(end - p));
        break;
    case S_FIELD_AMZ_RETRY_AFTER:
        /* Milliseconds; wins over Retry-After whatever the order. */
        if (!overflow && s_parse_i64(p, end, &v) == end) r->retry_after_ms = v;
        break;
    case S_FIELD_RETRY_AFTER:
        /* Seconds; the HTTP-date form is ignored (S3 does not send it). */
        if (!overflow && r->retry_after_ms < 0 && s_parse_i64(p, end, &v) == end && v <= INT64_MAX / 1000)
            r->retry_after_ms = v * 1000;
        break;
    }
    return 0;
}

static int s_on_status_complete(llhttp_t *parser)
{
    struct ur_http_resp *r = parser->data;
    r->status = parser->status_code;
    return 0;
}

static int s_on_headers_complete(llhttp_t *parser)
{
    struct ur_http_resp *r = parser->data;
    r->status = parser->status_code;
    if (r->status == 101) return s_fail(r, "unexpected 101 Switching Protocols");
    if (r->status / 100 == 1)
        return 1; /* interim (100 Continue, 103 Early Hints): no body; skipped at message end */

    r->chunked = (parser->flags & F_CHUNKED) != 0;
    r->content_length =
        (parser->flags & F_CONTENT_LENGTH) && !r->chunked ? (int64_t)parser->content_length : -1;
    r->keep_alive = llhttp_should_keep_alive(parser) != 0;
    r->headers_done = true;
    return HPE_PAUSED;
}

static int s_on_body(llhttp_t *parser, const char *at, size_t length)
{
    struct ur_http_resp *r = parser->data;
    if (r->on_body && r->on_body(r->body_ud, at, length) != 0)
        return s_fail(r, "response body consumer failed");
    return 0;
}

/* Resets what an interim response set, so that the final response starts clean. */
static void s_forget_interim(struct ur_http_resp *r)
{
    r->status = 0;
    r->content_length = -1;
    r->range_first = r->range_last = r->range_total = -1;
    r->retry_after_ms = -1;
    r->etag[0] = '\0';
    r->bucket_region[0] = '\0';
    r->last_modified = -1;
    r->checksum[0] = '\0';
    r->checksum_alg = UR_HTTP_CKSUM_NONE;
    r->checksum_type[0] = '\0';
}

static int s_on_message_complete(llhttp_t *parser)
{
    struct ur_http_resp *r = parser->data;
    if (!r->headers_done) {
        s_forget_interim(r);
        return 0;
    }
    r->complete = true;
    /* Stop so that bytes of a pipelined next response are left to the caller. */
    return HPE_PAUSED;
}

static const llhttp_settings_t s_settings = {
    .on_header_field = s_on_header_field,
    .on_header_field_complete = s_on_header_field_complete,
    .on_header_value = s_on_header_value,
    .on_header_value_complete = s_on_header_value_complete,
    .on_status_complete = s_on_status_complete,
    .on_headers_complete = s_on_headers_complete,
    .on_body = s_on_body,
    .on_message_complete = s_on_message_complete,
};

void ur_http_resp_init(struct ur_http_resp *r)
{
    ur_http_body_fn on_body = r->on_body;
    void *body_ud = r->body_ud;
    memset(r, 0, sizeof *r);
    r->on_body = on_body;
    r->body_ud = body_ud;
    s_forget_interim(r);
    llhttp_init(&r->parser, HTTP_RESPONSE, &s_settings);
    r->parser.data = r;
}

static enum ur_http_state s_error(struct ur_http_resp *r, llhttp_errno_t err)
{
    if (!r->error) {
        const char *reason = llhttp_get_error_reason(&r->parser);
        /* llhttp's reasons are static strings in its own code, never pointers into the input. */
        r->error = reason && *reason ? reason : llhttp_errno_name(err);
    }
    return UR_HTTP_ERROR;
}

enum ur_http_state ur_http_resp_feed(struct ur_http_resp *r, const char *p, size_t n, size_t *used)
{
    *used = 0;
    if (r->error) return UR_HTTP_ERROR;
    if (r->complete) return UR_HTTP_COMPLETE;
    if (!p) p = "";

    bool had_headers = r->headers_done;
    if (llhttp_get_errno(&r->parser) == HPE_PAUSED) {
        /* Paused after the header block: llhttp 8.1 would read a body announced by Content-Length even
         * for 204/304, so tell it there is none before it decides. */
        if (s_status_has_no_body(r->status)) r->parser.flags |= F_SKIPBODY;
        llhttp_resume(&r->parser);
    }

    /* Before the header block ends, feed at most what the header budget allows: llhttp then cannot read
     * past the limit, and the byte count is exact. */
    size_t len = n;
    if (!had_headers && len > UR_HTTP_MAX_HEADER_BYTES - r->header_bytes)
        len = UR_HTTP_MAX_HEADER_BYTES - r->header_bytes;

    llhttp_errno_t err = llhttp_execute(&r->parser, p, len);
    size_t consumed = len;
    if (err == HPE_PAUSED)
        consumed = (size_t)(llhttp_get_error_pos(&r->parser) - p);
    else if (err != HPE_OK)
        return *used = (size_t)(llhttp_get_error_pos(&r->parser) - p), s_error(r, err);
    if (!had_headers) r->header_bytes += (uint32_t)consumed;
    *used = consumed;

    if (err == HPE_PAUSED) {
        if (r->complete) return UR_HTTP_COMPLETE;
        return UR_HTTP_HEADERS;
    }
    if (!r->headers_done && r->header_bytes >= UR_HTTP_MAX_HEADER_BYTES) {
        r->error = "response headers too large";
        return UR_HTTP_ERROR;
    }
    return UR_HTTP_NEED_MORE;
}

enum ur_http_state ur_http_resp_eof(struct ur_http_resp *r)
{
    if (r->error) return UR_HTTP_ERROR;
    if (r->complete) return UR_HTTP_COMPLETE;
    /* llhttp_finish does nothing while paused: resume as feed() would. */
    if (llhttp_get_errno(&r->parser) == HPE_PAUSED) {
        if (s_status_has_no_body(r->status)) r->parser.flags |= F_SKIPBODY;
        llhttp_resume(&r->parser);
        /* A body-less response paused after its headers still has to run to its end. */
        size_t used;
        enum ur_http_state st = ur_http_resp_feed(r, "", 0, &used);
        if (st != UR_HTTP_NEED_MORE) return st;
    }
    llhttp_errno_t err = llhttp_finish(&r->parser);
    if (r->complete) return UR_HTTP_COMPLETE;
    if (err != HPE_OK && err != HPE_PAUSED && err != HPE_INVALID_EOF_STATE) return s_error(r, err);
    r->error = "connection closed before the response ended";
    return UR_HTTP_ERROR;
}

bool ur_http_resp_body_is_sized(const struct ur_http_resp *r)
{
    return r->headers_done && !r->complete && !r->chunked && r->content_length >= 0 &&
           !s_status_has_no_body(r->status);
}
