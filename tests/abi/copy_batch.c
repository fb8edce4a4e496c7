/* tests/abi/copy_batch.c — a program that uses liburestore only through its installed header and
 * pkg-config, as a third party would: copies the (SOURCE, DESTINATION) pairs of its arguments as one batch
 * and prints one line per task, "OK INDEX BYTES" or "FAIL INDEX STATUS_NAME: MESSAGE", then "callbacks
 * DONE PROGRESS BYTES TOTAL" (how often on_task_done and on_progress ran; the last progress figures).
 * Configuration comes from the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
 * S3_ENDPOINT_URL, AWS_CA_BUNDLE. Exit status 0 when every task succeeded, 1 when one failed, 2 on a usage
 * or set-up error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urestore.h>

#include "env_options.h"

struct counts {
    size_t done, progress;
    uint64_t last_bytes, last_total;
};

static void on_task_done(void *user, size_t index, const struct urestore_result *r)
{
    struct counts *c = user;
    (void)index, (void)r;
    c->done++;
}

static void on_progress(void *user, uint64_t bytes_done, uint64_t bytes_total_known, size_t tasks_done)
{
    struct counts *c = user;
    (void)tasks_done;
    c->progress++;
    c->last_bytes = bytes_done;
    c->last_total = bytes_total_known;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (argc - 1) % 2) {
        fprintf(stderr, "usage: %s SOURCE DESTINATION [SOURCE DESTINATION]...\n", argv[0]);
        return 2;
    }
    printf("%s\n", urestore_version());

    struct urestore_options o;
    env_options(&o, 8);
    o.retry_count = URESTORE_NO_RETRIES;

    urestore_client *c = NULL;
    char err[256];
    urestore_status st = urestore_client_new(&o, &c, err, sizeof(err));
    if (st != URESTORE_OK) {
        fprintf(stderr, "urestore_client_new: %s: %s\n", urestore_status_str(st), err);
        return 2;
    }

    size_t n = (size_t)(argc - 1) / 2;
    struct urestore_task *tasks = calloc(n, sizeof(*tasks));
    struct urestore_result *res = calloc(n, sizeof(*res));
    if (!tasks || !res) return 2;
    for (size_t i = 0; i < n; i++) {
        tasks[i].source = argv[1 + 2 * i];
        tasks[i].destination = argv[2 + 2 * i];
        tasks[i].size_hint = -1;
    }
    struct counts counts = {0};
    struct urestore_callbacks cb;
    memset(&cb, 0, sizeof(cb));
    cb.struct_size = sizeof(cb);
    cb.user = &counts;
    cb.on_task_done = on_task_done;
    cb.on_progress = on_progress;

    st = urestore_copy(c, tasks, n, res, &cb);
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (res[i].status == URESTORE_OK) {
            printf("OK %zu %llu\n", i, (unsigned long long)res[i].bytes);
        } else {
            printf("FAIL %zu %s: %s\n", i, urestore_status_str(res[i].status), res[i].message);
            failed = 1;
        }
    }
    printf("callbacks %zu %zu %llu %llu\n", counts.done, counts.progress, (unsigned long long)counts.last_bytes,
           (unsigned long long)counts.last_total);
    printf("copy %s\n", urestore_status_str(st));
    urestore_client_destroy(c);
    free(tasks);
    free(res);
    return failed;
}
