/* engine/listing.c — ListObjectsV2 as an operation of its own: each page is a request whose answer goes to
 * a memory body (request.h), parsed after it arrives; the continuation token drives the next page. Pages
 * go out on the client's connections, signed, paced and retried like any request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/client.h"
#include "s3/list.h"

/* Listing pages are bounded: 1,000 keys of at most 1 KiB each, plus XML. */
#define UR_LIST_PAGE_MAX (8u << 20)

static void s_msg(char *msg, size_t cap, const char *s)
{
    if (msg && cap) snprintf(msg, cap, "%s", s);
}

struct s_adapt {
    urestore_list_fn fn;
    void *user;
};

static int s_entry(void *user, const struct ur_s3_list_entry *e)
{
    const struct s_adapt *a = user;
    struct urestore_object o = {.key = e->key, .size = e->size, .last_modified = e->last_modified, .etag = e->etag};
    return a->fn(a->user, &o);
}

URESTORE_API urestore_status urestore_list(urestore_client *cl, const char *uri, const char *start_after,
                                           urestore_list_fn fn, void *user, char *msg, size_t msg_cap)
{
    struct ur_s3_uri u;
    const char *why = NULL;
    if (!cl || !fn || !uri || ur_s3_uri_parse(uri, &u, &why) < 0) {
        s_msg(msg, msg_cap, why ? why : "listing: a client, an s3:// URI and a callback are needed");
        return URESTORE_E_INVALID;
    }
    char source[UR_S3_BUCKET_MAX + 8], query[3 * UR_S3_KEY_MAX + 2048], token[2048] = "";
    struct ur_membody page = {.max = UR_LIST_PAGE_MAX};
    struct ur_request req = {.method = "GET", .query = query, .mem = &page};
    struct s_adapt a = {fn, user};
    bool truncated = true;
    urestore_status st = URESTORE_OK;
    snprintf(source, sizeof(source), "s3://%s/", u.bucket);
    while (truncated && st == URESTORE_OK) {
        struct urestore_task task = {.source = source, .destination = "", .size_hint = -1};
        struct urestore_result res;
        if (ur_s3_list_query(query, sizeof(query), u.key, token, token[0] ? NULL : start_after) < 0) {
            s_msg(msg, msg_cap, "listing: prefix, start-after or continuation token too long");
            st = URESTORE_E_INVALID;
            break;
        }
        ur_membody_reset(&page);
        st = ur_client_run(cl, &task, 1, &res, NULL, &req);
        if (st != URESTORE_OK) {
            s_msg(msg, msg_cap, res.message);
            break;
        }
        int r = ur_s3_list_parse(page.buf ? page.buf : "", page.len, s_entry, &a, &truncated, token, sizeof(token));
        if (r > 0) truncated = false; /* the callback stopped it */
        if (r < 0) {
            s_msg(msg, msg_cap, "listing: malformed ListObjectsV2 response");
            st = URESTORE_E_S3;
        }
        if (truncated && !token[0]) truncated = false; /* no way forward: S3 always sends one */
    }
    ur_membody_free(&page);
    return st;
}
