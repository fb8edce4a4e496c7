/* s3/respcheck.h — what the headers of a response to a ranged GET of an object mean for the download:
 * the body is the range asked for (and what it tells of the object's size and ETag), the object is empty,
 * an error document follows, or the response contradicts what was asked or known and the task must fail.
 * Also the object's checksum when the body is the whole object (s3/checksum.h), and whether a single-part
 * ETag is an MD5.
 *
 * Pure: the request's expectations and the parsed response come in, a verdict and what was learned go out.
 * No I/O, no allocation, no engine types: the engine acts on the verdict. */
#ifndef UR_S3_RESPCHECK_H
#define UR_S3_RESPCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/response.h"
#include "s3/checksum.h"

/* What the request asked for, and what is known of the object before this response. */
struct ur_s3_resp_want {
    const char *source; /* the object's name, for messages ("s3://bucket/key") */
    uint64_t off;       /* the part's first byte in the object */
    uint64_t got;       /* bytes of the part received earlier: the request asked from off + got */
    int64_t len;        /* the part's length; -1 unknown (the first part of an object of unknown size) */
    int64_t size;       /* the object's size; -1 unknown */
    const char *etag;   /* the ETag an earlier response gave (sent as If-Match); "" or NULL: none yet */
    bool split;         /* the object has been cut into several parts */
};

/* What a response tells. */
struct ur_s3_resp_got {
    int64_t size;     /* the object's size: learned, confirmed, or as known before (-1 unknown) */
    int64_t len;      /* the part's length: learned, or as known before */
    const char *etag; /* the response's ETag (r->etag) to remember when none was known; else NULL */
    bool whole;       /* the body is the whole object from byte 0 (a checksum of the object applies) */
    struct ur_s3_cksum cksum; /* whole: the response's x-amz-checksum-* (alg NONE when none or malformed) */
};

enum ur_s3_resp {
    UR_S3_RESP_WHOLE = 0, /* 200: the body is the whole object; got->size = got->len = Content-Length */
    UR_S3_RESP_RANGE,     /* 206: the body is the range asked for; got->size and got->len learned when
                             the size was unknown (the rest of the object can be planned), else as known */
    UR_S3_RESP_EMPTY,     /* 416 for bytes=0-…, the size not known to be more than 0: the object is empty
                             (got->size = got->len = 0); the body is to be dropped */
    UR_S3_RESP_ERROR,     /* any other status: an error document (or nothing useful) follows */
    /* The task fails with the message (the object changed: the two _CHANGED verdicts; else a bad answer). */
    UR_S3_RESP_UNSIZED,        /* 200/206 without Content-Length (chunked or close-delimited) */
    UR_S3_RESP_ETAG_CHANGED,   /* an ETag other than the one an earlier response gave */
    UR_S3_RESP_RANGE_IGNORED,  /* 200 for a range that does not start at byte 0, or of another size */
    UR_S3_RESP_WHOLE_FOR_PART, /* 200 for one part of an object already cut into parts */
    UR_S3_RESP_BAD_RANGE,      /* 206 whose Content-Range is not the range asked for, or lacks the total */
    UR_S3_RESP_SIZE_CHANGED,   /* 206 whose total size or end differs from what is known */
};

/* Checks the headers of r (after UR_HTTP_HEADERS) against w. Fills *got; for a failing verdict writes the
 * user's message to msg (always NUL-terminated when cap > 0; "" for the other verdicts). */
enum ur_s3_resp ur_s3_resp_check(const struct ur_s3_resp_want *w, const struct ur_http_resp *r,
                                 struct ur_s3_resp_got *got, char *msg, size_t cap);

/* Does verdict v fail the task (UR_S3_RESP_UNSIZED and after)? Does it say the object changed? */
bool ur_s3_resp_failed(enum ur_s3_resp v);
bool ur_s3_resp_changed(enum ur_s3_resp v);

/* Is etag (quotes included, as sent) a single-part object's ETag, i.e. the hex MD5 of its bytes? Multipart
 * ETags ("…-N") and anything but 32 hex digits in quotes are not. */
bool ur_s3_resp_etag_is_md5(const char *etag);

#endif
