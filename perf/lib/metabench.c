/* metabench: how fast the Flink `_metadata` reader (flink/metadata.c) parses, in MB/s of file.
 *
 *   cc -O2 -D_GNU_SOURCE -I. -o build/metabench perf/lib/metabench.c flink/metadata.c flink/javaser.c
 *   build/metabench [MB] [RUNS]        (default: a ~10 MB file, best of 20 runs)
 *
 * Builds, in memory, an incremental RocksDB checkpoint with the test writer (tests/flink/mdwriter.h):
 * 16 operators × 32 subtasks, each with operator state, an inline meta handle, three private files and as
 * many absolute shared/ SST references as it takes to reach the size. Then times
 * ur_flink_metadata_parse over it (CLOCK_MONOTONIC, best of RUNS; the parse validates the whole file and
 * then walks it again for the callback), once with a callback that counts references and once without a
 * callback (validation only). No I/O inside the timed part. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "flink/metadata.h"
#include "tests/flink/mdwriter.h"

static int s_count(void *user, const struct ur_flink_ref *ref)
{
    ++*(uint64_t *)user;
    return ref->path_len == 0; /* keeps the read of the reference in the loop */
}

static double s_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Best seconds of runs parses; fn may be NULL. */
static double s_best(const struct mdw *w, int runs, ur_flink_ref_fn fn, uint64_t *refs)
{
    double best = 1e9;
    for (int i = 0; i < runs; i++) {
        struct ur_flink_error err;
        *refs = 0;
        double t0 = s_now();
        int rc = ur_flink_metadata_parse(w->p, w->n, fn, refs, NULL, &err);
        double dt = s_now() - t0;
        if (rc) {
            fprintf(stderr, "metabench: parse failed: %s\n", err.msg);
            exit(1);
        }
        if (dt < best) best = dt;
    }
    return best;
}

int main(int argc, char **argv)
{
    double mb = argc > 1 ? atof(argv[1]) : 10;
    int runs = argc > 2 ? atoi(argv[2]) : 20;
    const int ops = 16, par = 32;
    /* One shared entry is about 142 bytes (local name, tag, size, a 120-byte s3:// path). */
    int shared = (int)(mb * 1e6 / 142 / (ops * par));
    if (shared < 1 || runs < 1) {
        fprintf(stderr, "usage: metabench [MB] [RUNS]\n");
        return 2;
    }
    struct mdw w;
    mdw_incremental(&w, 6, ops, par, shared,
                    "s3://flink-checkpoints-bucket/jobs/prod/00000000000000000000000000000000");
    uint64_t refs = 0;
    double walk = s_best(&w, runs, s_count, &refs);
    uint64_t none = 0;
    double check = s_best(&w, runs, NULL, &none);
    printf("metabench: %.2f MB _metadata (V6), %llu references (%zu written)\n", (double)w.n / 1e6,
           (unsigned long long)refs, w.nrefs);
    printf("metabench: parse + callback %.1f MB/s (%.2f ms, %.1f M references/s); validate only %.1f MB/s "
           "(%.2f ms); best of %d\n",
           (double)w.n / 1e6 / walk, walk * 1e3, (double)refs / 1e6 / walk, (double)w.n / 1e6 / check,
           check * 1e3, runs);
    int rc = refs == w.nrefs ? 0 : 1;
    mdw_free(&w);
    return rc;
}
