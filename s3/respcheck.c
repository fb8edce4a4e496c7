/* s3/respcheck.c — the checks on a ranged GET's response headers (see respcheck.h). Pure: no I/O, no
 * allocation, nothing of the engine; the caller's expectations in, a verdict out. */
#include "s3/respcheck.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Writes the user's message for a failing verdict and returns it. */
static enum ur_s3_resp s_fail(enum ur_s3_resp v, char *msg, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum ur_s3_resp s_fail(enum ur_s3_resp v, char *msg, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (cap) vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
    return v;
}

enum ur_s3_resp ur_s3_resp_check(const struct ur_s3_resp_want *w, const struct ur_http_resp *r,
                                 struct ur_s3_resp_got *got, char *msg, size_t cap)
{
    const char *src = w->source ? w->source : "";
    const char *known = w->etag ? w->etag : "";
    uint64_t first = w->off + w->got;
    *got = (struct ur_s3_resp_got){.size = w->size, .len = w->len};
    if (cap) msg[0] = '\0';

    if (r->status == 416 && w->off == 0 && w->got == 0 && w->size <= 0) {
        /* bytes=0-N is unsatisfiable only for an empty object. */
        got->size = got->len = 0;
        return UR_S3_RESP_EMPTY;
    }
    if (r->status != 200 && r->status != 206) return UR_S3_RESP_ERROR;
    if (!ur_http_resp_body_is_sized(r))
        return s_fail(UR_S3_RESP_UNSIZED, msg, cap, "response for %s has no Content-Length", src);
    if (r->etag[0]) {
        if (!known[0])
            got->etag = r->etag;
        else if (strcmp(known, r->etag) != 0)
            return s_fail(UR_S3_RESP_ETAG_CHANGED, msg, cap,
                          "%s changed during the download (ETag %s, then %s)", src, known, r->etag);
    }
    enum ur_s3_resp v = UR_S3_RESP_RANGE;
    if (r->status == 200) {
        /* The whole object (the server ignored Range, or none was sent). Only valid from byte 0. */
        if (first != 0 || (w->size >= 0 && w->size != r->content_length))
            return s_fail(UR_S3_RESP_RANGE_IGNORED, msg, cap, "%s: server ignored the Range header", src);
        if (w->split)
            return s_fail(UR_S3_RESP_WHOLE_FOR_PART, msg, cap, "%s: unexpected full response for a part",
                          src);
        got->size = got->len = r->content_length;
        v = UR_S3_RESP_WHOLE;
    } else {
        /* 206: the range must be what we asked for. */
        if (r->range_first < 0 || (uint64_t)r->range_first != first || r->range_total < 0 ||
            r->content_length != r->range_last - r->range_first + 1)
            return s_fail(UR_S3_RESP_BAD_RANGE, msg, cap, "%s: bad Content-Range in response", src);
        if (w->size < 0) {
            got->size = r->range_total;
            got->len = r->range_last + 1 - (int64_t)w->off;
        } else if (w->size != r->range_total || (uint64_t)r->range_last + 1 != w->off + (uint64_t)w->len) {
            return s_fail(UR_S3_RESP_SIZE_CHANGED, msg, cap, "%s changed size during the download", src);
        }
    }
    /* S3 sends the object's checksum only with the whole object (none for ranges of it, and composite "-N"
     * ones for multipart objects): it can be checked only when this body is the object. */
    got->whole = w->off == 0 && w->got == 0 && got->size >= 0 && got->len == got->size;
    if (got->whole) (void)ur_s3_cksum_from_resp(r, &got->cksum); /* malformed: none to check against */
    return v;
}

bool ur_s3_resp_failed(enum ur_s3_resp v)
{
    return v >= UR_S3_RESP_UNSIZED;
}

bool ur_s3_resp_changed(enum ur_s3_resp v)
{
    return v == UR_S3_RESP_ETAG_CHANGED || v == UR_S3_RESP_SIZE_CHANGED;
}

bool ur_s3_resp_etag_is_md5(const char *e)
{
    return strlen(e) == 34 && e[0] == '"' && e[33] == '"' && strspn(e + 1, "0123456789abcdefABCDEF") == 32;
}
