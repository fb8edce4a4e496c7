/* tests/abi/objects.c — the requests beyond copies, through the installed header: urestore_list (with
 * start_after, and a callback that stops), urestore_get (bounded) and urestore_delete (per-key results).
 *
 *   objects list URI [START_AFTER [STOP_AFTER_N]]   one line per object: "KEY SIZE LAST_MODIFIED ETAG"
 *   objects get URI MAX_BYTES                        the object's bytes on stdout, or "FAIL STATUS: MESSAGE"
 *   objects delete s3://BUCKET KEY...                one line per key: "OK KEY" or "FAIL KEY STATUS: MESSAGE"
 * Options from the environment (env_options.h). Exit 0 when the call succeeded, 1 when it failed, 2 on a
 * usage or set-up error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urestore.h>

#include "env_options.h"

struct stop {
    long left; /* objects to print before stopping; -1: all */
};

static int s_print(void *user, const struct urestore_object *o)
{
    struct stop *s = user;
    if (s->left == 0) return 1;
    printf("%s %llu %lld %s\n", o->key, (unsigned long long)o->size, (long long)o->last_modified, o->etag);
    if (s->left > 0) s->left--;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s list|get|delete URI ...\n", argv[0]);
        return 2;
    }
    struct urestore_options o;
    env_options(&o, 4);
    urestore_client *c;
    char err[512];
    if (urestore_client_new(&o, &c, err, sizeof(err)) != URESTORE_OK) {
        fprintf(stderr, "client: %s\n", err);
        return 2;
    }
    int rc = 0;
    if (!strcmp(argv[1], "list")) {
        struct stop s = {argc > 4 ? atol(argv[4]) : -1};
        urestore_status st = urestore_list(c, argv[2], argc > 3 ? argv[3] : NULL, s_print, &s, err, sizeof(err));
        if (st != URESTORE_OK) printf("FAIL %s: %s\n", urestore_status_str(st), err), rc = 1;
    } else if (!strcmp(argv[1], "get") && argc == 4) {
        void *data;
        size_t len;
        struct urestore_result r;
        urestore_status st = urestore_get(c, argv[2], strtoull(argv[3], NULL, 10), &data, &len, &r);
        if (st == URESTORE_OK) {
            fwrite(data, 1, len, stdout);
            free(data);
        } else {
            printf("FAIL %s: %s\n", urestore_status_str(st), r.message);
            rc = 1;
        }
    } else if (!strcmp(argv[1], "delete")) {
        size_t n = (size_t)(argc - 3);
        struct urestore_result *r = calloc(n ? n : 1, sizeof(*r));
        urestore_status st = urestore_delete(c, argv[2], (const char *const *)argv + 3, n, r);
        for (size_t i = 0; i < n; i++) {
            if (r[i].status == URESTORE_OK)
                printf("OK %s\n", argv[3 + i]);
            else
                printf("FAIL %s %s: %s\n", argv[3 + i], urestore_status_str(r[i].status), r[i].message);
        }
        free(r);
        rc = st != URESTORE_OK;
    } else {
        fprintf(stderr, "usage: %s list|get|delete URI ...\n", argv[0]);
        rc = 2;
    }
    urestore_client_destroy(c);
    return rc;
}
