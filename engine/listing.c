/* engine/listing.c — ListObjectsV2 through the client's loop, page after page (for wildcard sources).
 *
 * Each page is a one-task batch whose body goes to memory instead of a file; the page is parsed after
 * the batch and the continuation token drives the next one. Listing is rare and small next to the
 * copies it plans, so it reuses the copy machinery rather than a second request path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/listing.h"

static void s_msg(char *msg, size_t cap, const char *s)
{
    if (msg && cap) snprintf(msg, cap, "%s", s);
}

urestore_status ur_client_list(urestore_client *cl, const char *bucket, const char *prefix, ur_s3_list_fn fn,
                               void *user, char *msg, size_t msg_cap)
{
    char source[UR_S3_BUCKET_MAX + 8], query[3 * UR_S3_KEY_MAX + 2048], token[2048] = "";
    bool truncated = true;
    urestore_status st = URESTORE_OK;
    snprintf(source, sizeof(source), "s3://%s/", bucket);
    while (truncated && st == URESTORE_OK) {
        struct urestore_task task = {.source = source, .destination = "", .size_hint = -1};
        struct urestore_result res;
        char *page = NULL;
        if (ur_s3_list_query(query, sizeof(query), prefix, token) < 0) {
            s_msg(msg, msg_cap, "listing: prefix or continuation token too long");
            return URESTORE_E_INVALID;
        }
        cl->list_query = query;
        st = ur_client_run(cl, &task, 1, &res, NULL, &page);
        cl->list_query = NULL;
        if (st != URESTORE_OK) {
            s_msg(msg, msg_cap, res.message);
        } else {
            int r = ur_s3_list_parse(page ? page : "", page ? strlen(page) : 0, fn, user, &truncated, token,
                                     sizeof(token));
            if (r > 0) truncated = false; /* the callback stopped it */
            if (r < 0) {
                s_msg(msg, msg_cap, "listing: malformed ListObjectsV2 response");
                st = URESTORE_E_S3;
            }
            if (truncated && !token[0]) truncated = false; /* no way forward: S3 always sends one */
        }
        free(page);
    }
    return st;
}
