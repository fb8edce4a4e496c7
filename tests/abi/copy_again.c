/* tests/abi/copy_again.c — one client, three batches: the (SOURCE, DESTINATION) pairs of its arguments are
 * copied to DESTINATION.1 and DESTINATION.2 by two urestore_copy() calls from the main thread, then to
 * DESTINATION.3 by a call from a second thread (the client's ring belongs to the first: it must rebuild,
 * not fail). Prints "batch K STATUS" per batch and exits 0 when all three succeeded. Configuration from
 * the environment, as copy_batch.c; COPY_AGAIN_PAUSE_MS=N waits N ms after the first batch (long enough
 * for a server to close the idle connections). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <urestore.h>

#include "env_options.h"

struct job {
    urestore_client *c;
    char **argv;
    size_t n;
    int k;
    urestore_status st;
};

static void *s_batch(void *arg)
{
    struct job *j = arg;
    struct urestore_task *tasks = calloc(j->n, sizeof(*tasks));
    struct urestore_result *res = calloc(j->n, sizeof(*res));
    char **dst = calloc(j->n, sizeof(*dst));
    if (!tasks || !res || !dst) exit(2);
    for (size_t i = 0; i < j->n; i++) {
        size_t len = strlen(j->argv[2 + 2 * i]) + 8;
        if (!(dst[i] = malloc(len))) exit(2);
        snprintf(dst[i], len, "%s.%d", j->argv[2 + 2 * i], j->k);
        tasks[i].source = j->argv[1 + 2 * i];
        tasks[i].destination = dst[i];
        tasks[i].size_hint = -1;
    }
    j->st = urestore_copy(j->c, tasks, j->n, res, NULL);
    for (size_t i = 0; i < j->n; i++) {
        if (res[i].status != URESTORE_OK) printf("FAIL %d %zu %s: %s\n", j->k, i, urestore_status_str(res[i].status), res[i].message);
        free(dst[i]);
    }
    printf("batch %d %s\n", j->k, urestore_status_str(j->st));
    fflush(stdout);
    free(dst);
    free(tasks);
    free(res);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (argc - 1) % 2) {
        fprintf(stderr, "usage: %s SOURCE DESTINATION [SOURCE DESTINATION]...\n", argv[0]);
        return 2;
    }
    struct urestore_options o;
    env_options(&o, 4);
    urestore_client *c = NULL;
    char err[256];
    if (urestore_client_new(&o, &c, err, sizeof(err)) != URESTORE_OK) {
        fprintf(stderr, "urestore_client_new: %s\n", err);
        return 2;
    }
    struct job j = {.c = c, .argv = argv, .n = (size_t)(argc - 1) / 2};
    int failed = 0;
    const char *pause = getenv("COPY_AGAIN_PAUSE_MS");
    for (j.k = 1; j.k <= 2; j.k++) {
        s_batch(&j);
        failed |= j.st != URESTORE_OK;
        if (j.k == 1 && pause) {
            long ms = atol(pause);
            struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    pthread_t th;
    if (pthread_create(&th, NULL, s_batch, &j) != 0 || pthread_join(th, NULL) != 0) return 2;
    failed |= j.st != URESTORE_OK;
    urestore_client_destroy(c);
    return failed;
}
