/* engine/request.h — what a task asks of S3 when it is not "GET the object into its file": a method, a
 * query, a small body (POST), and where the answer's body goes (a bounded memory body). Listing pages,
 * whole small objects (urestore_get) and DeleteObjects are requests of this kind; they travel the same
 * connections, signing, pacing and retries as the downloads. */
#ifndef UR_REQUEST_H
#define UR_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/* A bounded memory body: the answer of a request whose body is read, not saved. */
struct ur_membody {
    char *buf;   /* malloc'ed, NUL-terminated after len; NULL until the first byte */
    size_t len, cap;
    size_t max;  /* more than this fails the request (URESTORE_E_INVALID: "larger than …") */
    bool over;   /* the body passed max */
};

/* Appends at[0..n): 0, -EFBIG past max (over is set), -ENOMEM. */
int ur_membody_feed(struct ur_membody *m, const char *at, size_t n);
/* Forgets what arrived: a retried request starts over, so nothing arrives twice. */
void ur_membody_reset(struct ur_membody *m);
void ur_membody_free(struct ur_membody *m);

struct ur_request {
    const char *method;       /* "GET" or "POST" */
    const char *query;        /* canonical query string (sorted, encoded), "" or NULL for none */
    const char *body;         /* POST body, NULL for none */
    size_t body_len;
    char body_md5_b64[25];    /* Content-MD5 of body (base64), "" for none */
    char body_sha256_hex[65]; /* x-amz-content-sha256 of body */
    struct ur_membody *mem;   /* where the answer's body goes (a 200's); error bodies are parsed as usual */
};

/* Fills the body's digests (Content-MD5 and the signed payload hash). 0 or -ENOMEM. */
int ur_request_set_body(struct ur_request *r, const char *body, size_t len);

#endif
