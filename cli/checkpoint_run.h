/* cli/checkpoint_run.h — the state of one `urestore checkpoint` command shared by its files: options, the
 * roots and protected locations with what their scans found, the planner, counters for the progress line, and
 * the steps of `gc` (cli/checkpoint_gc.c) and its deletion (cli/checkpoint_rm.c). Internal to the CLI. */
#ifndef UR_CLI_CHECKPOINT_RUN_H
#define UR_CLI_CHECKPOINT_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/checkpoint_scan.h"
#include "cli/progress.h"
#include "include/urestore.h"

struct ur_cli_global;
struct ur_gc;

/* Keys per DeleteObjects request: S3A's default page (each key counts against the prefix's 3,500 writes/s, so
 * large pages only make a throttle more likely). */
#define UR_CK_DEFAULT_PAGE 250
/* Keys deleted per second at most: well below S3's 3,500 writes/s per prefix, which the running job's
 * checkpoint uploads share. */
#define UR_CK_DEFAULT_RATE 1000
/* Listing threads (one client each): 17 key ranges per job directory share them. */
#define UR_CK_DEFAULT_THREADS 8
/* The largest _metadata read (a 10,000-subtask incremental checkpoint is ~100 MB). */
#define UR_CK_METADATA_MAX ((size_t)512 << 20)

struct ur_ck_opts {
    bool json, delete_;
    int64_t min_age_s;
    char **protect;
    size_t nprotect;
    const char *entropy_key;
    double max_rate;
    unsigned page, threads;
    unsigned allow; /* UR_GC_ALLOW_* */
    char **roots;   /* the positional arguments */
    size_t nroots;
};

struct ur_ck_root {
    char *bucket, *prefix; /* prefix "" or ending in '/' */
    int group;             /* entropy: index of the root holding the _metadata files; -1
                              without entropy */
    struct ur_ck_found found;
};

struct ur_ck_protect {
    char *bucket, *prefix, *file; /* file: a _metadata named directly, else NULL */
    struct ur_ck_found found;
};

struct ur_ck_run {
    const struct ur_cli_global *g;
    struct urestore_client *(*client_new)(const struct ur_cli_global *g, char *err, size_t errlen);
    struct ur_ck_opts o;
    char what[64]; /* "checkpoint gc", for messages */
    struct ur_gc *gc;
    struct ur_ck_root *roots;
    size_t nroots;
    struct ur_ck_protect *prot;
    size_t nprot;
    char **known; /* "bucket/key" of every _metadata read, sorted after each step */
    size_t nknown;
    pthread_mutex_t mu; /* the planner and the counters while the listing threads run */
    bool mu_init;
    int record_rc;    /* a failure to record a verdict (out of memory) */
    uint64_t scanned; /* objects the scans for _metadata saw: the progress line's, not the summary's */
    uint64_t listed;  /* objects listed in the job directories and judged (ls: by its scans) */
    uint64_t mds_read, refs, deleted, failed, recheck_new, recheck_dropped;
    struct ur_cli_progress prog; /* its line (cli/progress.c) */
    const char *phase;           /* what the line says is going on; NULL: no line (atomic) */
};

/* A client made as the global options say (cli/run.c's credentials and endpoint). */
urestore_client *ur_ck_client(struct ur_ck_run *r, char *err, size_t errlen);

/* The progress line: phase NULL erases it (before a line is printed) until the next phase; detail may be
 * NULL. Start and stop bracket the command. */
void ur_ck_progress_start(struct ur_ck_run *r);
void ur_ck_progress(struct ur_ck_run *r, const char *phase, const char *detail);
void ur_ck_progress_stop(struct ur_ck_run *r);

int ur_ck_root_add(struct ur_ck_run *r, const char *bucket, const char *prefix, int group);
int ur_ck_protect_add(struct ur_ck_run *r, const char *bucket, const char *prefix, const char *file);
void ur_ck_run_free(struct ur_ck_run *r);

/* The whole gc after the roots and protections are known. Returns the exit status. */
int ur_ck_gc_run(struct ur_ck_run *r, urestore_client *c);

/* Prints every candidate as `rm s3://bucket/key` (dry run), or deletes them in pages at the paced rate and
 * prints `rm …` per deleted key and `ERROR "rm …": CODE: message` per failure. Returns failures. */
uint64_t ur_ck_remove(struct ur_ck_run *r, urestore_client *c);

#endif
