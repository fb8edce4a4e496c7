/* tests/abi/old_layout.c — callers of other struct layouts than the library's, against the current
 * liburestore.so.1. Built two ways by tests/e2e/test_lib_abi_compat.sh:
 *
 *   -DUR_OLD: against tests/abi/urestore-0.1.h (the 0.1 header, frozen). Options, tasks, results and
 *             callbacks are 0.1's; urestore_copy is bound to LIBURESTORE_1. A second copy passes callbacks
 *             whose struct_size ends before on_progress, with on_progress pointing at a function that
 *             aborts: the library must not read it.
 *   default:  against the current header, through urestore_copy_batch with element sizes larger than the
 *             library's structs (a newer caller): tasks whose unknown tail is zero are copied, one whose
 *             tail is not is refused with URESTORE_E_INVALID and names the reason, the results' unknown
 *             tails are zeroed; a batch struct too short, or an element size below 0.1's, is refused.
 *
 * Arguments: SOURCE DESTINATION pairs; options from the environment (env_options.h). Prints "OK INDEX
 * BYTES" or "FAIL INDEX STATUS: MESSAGE" per task of each copy, then "done"; exit 0 when everything the
 * program checks held, 1 otherwise (the e2e test reads the lines to check the files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef UR_OLD
#include "urestore-0.1.h"
#else
#include <urestore.h>
#endif

#include "env_options.h"

static int s_failed;

static void s_check(int ok, const char *what)
{
    if (!ok) {
        printf("CHECK FAILED: %s\n", what);
        s_failed = 1;
    }
}

static void s_print(size_t i, const struct urestore_result *r)
{
    if (r->status == URESTORE_OK)
        printf("OK %zu %llu\n", i, (unsigned long long)r->bytes);
    else
        printf("FAIL %zu %s: %s\n", i, urestore_status_str(r->status), r->message);
}

#ifdef UR_OLD
static size_t s_done;
static void on_task_done(void *user, size_t index, const struct urestore_result *r)
{
    (void)user, (void)index, (void)r;
    s_done++;
}
static void on_progress_must_not_run(void *user, uint64_t a, uint64_t b, size_t c)
{
    (void)user, (void)a, (void)b, (void)c;
    fprintf(stderr, "on_progress called although struct_size ends before it\n");
    abort();
}
#endif

int main(int argc, char **argv)
{
    if (argc < 3 || (argc - 1) % 2) {
        fprintf(stderr, "usage: %s SOURCE DESTINATION [SOURCE DESTINATION ...]\n", argv[0]);
        return 2;
    }
    size_t n = (size_t)(argc - 1) / 2;
    struct urestore_options o;
    env_options(&o, 4);
    urestore_client *c;
    char err[256];
    if (urestore_client_new(&o, &c, err, sizeof(err)) != URESTORE_OK) {
        fprintf(stderr, "client: %s\n", err);
        return 2;
    }
#ifdef UR_OLD
    struct urestore_task *t = calloc(n, sizeof(*t));
    struct urestore_result *r = calloc(n, sizeof(*r));
    for (size_t i = 0; i < n; i++) {
        t[i].source = argv[1 + 2 * i];
        t[i].destination = argv[2 + 2 * i];
        t[i].size_hint = -1;
    }
    urestore_status st = urestore_copy(c, t, n, r, NULL);
    for (size_t i = 0; i < n; i++) s_print(i, &r[i]);
    s_check(st == URESTORE_OK, "0.1 layout: urestore_copy succeeds");
    /* Callbacks cut before on_progress: on_task_done runs, on_progress is never read. */
    struct urestore_callbacks cb = {.struct_size = offsetof(struct urestore_callbacks, on_progress),
                                    .on_task_done = on_task_done,
                                    .on_progress = on_progress_must_not_run};
    st = urestore_copy(c, t, n, r, &cb);
    for (size_t i = 0; i < n; i++) s_print(i, &r[i]);
    s_check(st == URESTORE_OK, "short callbacks: urestore_copy succeeds");
    s_check(s_done == n, "short callbacks: on_task_done ran once per task");
#else
    /* A newer caller: 16 more bytes per task and 24 per result than this library knows. */
    struct big_task {
        struct urestore_task t;
        uint64_t newer[2];
    } *t = calloc(n, sizeof(*t));
    struct big_result {
        struct urestore_result r;
        unsigned char newer[24];
    } *r = calloc(n, sizeof(*r));
    for (size_t i = 0; i < n; i++) {
        t[i].t.source = argv[1 + 2 * i];
        t[i].t.destination = argv[2 + 2 * i];
        t[i].t.size_hint = -1;
        memset(r[i].newer, 0xAB, sizeof(r[i].newer));
    }
    struct urestore_batch b = {.struct_size = sizeof(b), .tasks = &t[0].t, .task_size = sizeof(*t), .n = n,
                               .results = &r[0].r, .result_size = sizeof(*r)};
    urestore_status st = urestore_copy_batch(c, &b);
    for (size_t i = 0; i < n; i++) s_print(i, &r[i].r);
    s_check(st == URESTORE_OK, "larger elements with zero tails: urestore_copy_batch succeeds");
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof(r[i].newer); k++) s_check(r[i].newer[k] == 0, "result tails are zeroed");
    /* A field this library does not know, set: that task is refused, the others are copied. */
    t[n - 1].newer[1] = 1;
    st = urestore_copy_batch(c, &b);
    for (size_t i = 0; i < n; i++) s_print(i, &r[i].r);
    s_check(st == URESTORE_E_INVALID, "an unknown field set: the batch reports URESTORE_E_INVALID");
    s_check(r[n - 1].r.status == URESTORE_E_INVALID && strstr(r[n - 1].r.message, "does not know"),
            "an unknown field set: that task is refused and says why");
    for (size_t i = 0; i + 1 < n; i++) s_check(r[i].r.status == URESTORE_OK, "the other tasks are copied");
    /* Refused as a whole: a batch struct that ends before callbacks, elements smaller than 0.1's. */
    struct urestore_batch shorter = b;
    shorter.struct_size = offsetof(struct urestore_batch, callbacks);
    s_check(urestore_copy_batch(c, &shorter) == URESTORE_E_INVALID, "a short batch struct is refused");
    struct urestore_batch small = b;
    small.task_size = sizeof(struct urestore_task) - 8;
    s_check(urestore_copy_batch(c, &small) == URESTORE_E_INVALID, "a task size below 0.1's is refused");
    small = b;
    small.result_size = offsetof(struct urestore_result, message);
    s_check(urestore_copy_batch(c, &small) == URESTORE_E_INVALID, "a result size below 0.1's is refused");
    printf("version %s (header %s)\n", urestore_version(), URESTORE_VERSION_STRING);
    s_check(strstr(urestore_version(), URESTORE_VERSION_STRING) != NULL, "the library reports the header's version");
#endif
    urestore_client_destroy(c);
    free(t);
    free(r);
    printf("done\n");
    return s_failed;
}
