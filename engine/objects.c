/* engine/objects.c — requests on named objects other than copies: a whole small object into memory
 * (urestore_get) and DeleteObjects (urestore_delete). Each is a request with a memory answer (request.h)
 * run as a one-task batch on the client's connections. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/client.h"
#include "s3/delete.h"

URESTORE_API urestore_status urestore_get(urestore_client *cl, const char *uri, size_t max_bytes, void **data,
                                          size_t *len, struct urestore_result *result)
{
    struct urestore_result local;
    struct urestore_result *res = result ? result : &local;
    memset(res, 0, sizeof(*res));
    if (data) *data = NULL;
    if (len) *len = 0;
    if (!cl || !uri || !data || !len) {
        res->status = URESTORE_E_INVALID;
        snprintf(res->message, sizeof(res->message), "urestore_get: a client, a URI and out parameters are needed");
        return res->status;
    }
    struct ur_membody body = {.max = max_bytes};
    struct ur_request req = {.method = "GET", .mem = &body};
    struct urestore_task task = {.source = uri, .destination = "", .size_hint = -1};
    urestore_status st = ur_client_run(cl, &task, 1, res, NULL, &req);
    if (st != URESTORE_OK) {
        ur_membody_free(&body);
        return st;
    }
    if (!body.buf && !(body.buf = calloc(1, 1))) {
        res->status = URESTORE_E_NOMEM;
        return res->status;
    }
    res->bytes = body.len;
    *data = body.buf;
    *len = body.len;
    return URESTORE_OK;
}

/* ---- DeleteObjects --------------------------------------------------------------------------------- */

/* Keys per request: S3 takes 1,000, but each deletion counts against the prefix's write budget that the
 * running job's checkpoint uploads also use (3,500 writes/s per prefix): smaller pages let pacing and
 * backoff act between them. */
#define UR_DELETE_PAGE 250

struct s_page {
    const char *const *keys;
    size_t n;
    struct urestore_result *results;
    size_t failed;
};

/* One per-key error of a DeleteResult: find the key in the page (keys are few; a page is scanned). */
static int s_key_error(void *user, const char *key, const char *code, const char *message)
{
    struct s_page *pg = user;
    for (size_t i = 0; i < pg->n; i++) {
        if (strcmp(pg->keys[i], key) != 0 || pg->results[i].status != URESTORE_OK) continue;
        struct urestore_result *r = &pg->results[i];
        r->status = !strcmp(code, "AccessDenied") ? URESTORE_E_ACCESS : URESTORE_E_S3;
        r->http_status = 200;
        snprintf(r->message, sizeof(r->message), "%s: %s", code[0] ? code : "Error", message);
        pg->failed++;
        return 0;
    }
    return 0; /* a key we did not send: nothing of ours to report */
}

static urestore_status s_delete_page(urestore_client *cl, const char *source, struct s_page *pg)
{
    size_t cap = ur_s3_delete_body_max(pg->keys, pg->n);
    char *body = malloc(cap);
    if (!body) return URESTORE_E_NOMEM;
    struct urestore_result res;
    urestore_status st;
    int n = ur_s3_delete_body(body, cap, pg->keys, pg->n);
    struct ur_membody answer = {.max = 4u << 20};
    struct ur_request req = {.method = "POST", .query = "delete=", .mem = &answer};
    if (n < 0) {
        st = URESTORE_E_INVALID;
        snprintf(res.message, sizeof(res.message), "a key cannot be sent in a DeleteObjects request (empty, or "
                                                   "a control character XML cannot carry)");
    } else if (ur_request_set_body(&req, body, (size_t)n) < 0) {
        st = URESTORE_E_NOMEM;
        snprintf(res.message, sizeof(res.message), "out of memory");
    } else {
        struct urestore_task task = {.source = source, .destination = "", .size_hint = -1};
        st = ur_client_run(cl, &task, 1, &res, NULL, &req);
    }
    if (st == URESTORE_OK) {
        int r = ur_s3_delete_parse(answer.buf ? answer.buf : "", answer.len, s_key_error, pg);
        if (r < 0) {
            st = URESTORE_E_S3;
            snprintf(res.message, sizeof(res.message), "malformed DeleteObjects response");
            res.http_status = 200;
        }
    }
    if (st != URESTORE_OK) /* the request as a whole failed: every key of the page says why */
        for (size_t i = 0; i < pg->n; i++) {
            pg->results[i] = res;
            pg->results[i].status = st;
        }
    ur_membody_free(&answer);
    free(body);
    return st;
}

URESTORE_API urestore_status urestore_delete(urestore_client *cl, const char *bucket_uri, const char *const *keys,
                                             size_t n, struct urestore_result *results)
{
    if (!cl || !bucket_uri || (n && (!keys || !results))) return URESTORE_E_INVALID;
    memset(results, 0, n * sizeof(*results));
    struct ur_s3_uri u;
    const char *why = NULL;
    if (ur_s3_uri_parse(bucket_uri, &u, &why) < 0 || u.key[0]) {
        for (size_t i = 0; i < n; i++) {
            results[i].status = URESTORE_E_INVALID;
            snprintf(results[i].message, sizeof(results[i].message), "not a bucket URI (s3://BUCKET): %s",
                     bucket_uri);
        }
        return n ? URESTORE_E_INVALID : URESTORE_OK;
    }
    char source[UR_S3_BUCKET_MAX + 8];
    snprintf(source, sizeof(source), "s3://%s/", u.bucket);
    urestore_status first = URESTORE_OK;
    for (size_t at = 0; at < n; at += UR_DELETE_PAGE) {
        struct s_page pg = {keys + at, n - at < UR_DELETE_PAGE ? n - at : UR_DELETE_PAGE, results + at, 0};
        urestore_status st = s_delete_page(cl, source, &pg);
        if (st == URESTORE_E_CANCELLED) {
            for (size_t i = at + pg.n; i < n; i++) {
                results[i].status = URESTORE_E_CANCELLED;
                snprintf(results[i].message, sizeof(results[i].message), "cancelled");
            }
            return st;
        }
        for (size_t i = 0; i < pg.n && first == URESTORE_OK; i++) first = pg.results[i].status;
    }
    return first;
}
