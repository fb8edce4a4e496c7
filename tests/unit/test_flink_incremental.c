/* tests/unit/test_flink_incremental.c — incremental checkpoints derived from the real samples: every
 * relative handle (tag 6) of a sample is rewritten into an absolute one (tag 2) naming the same file under
 * the job's shared/ directory, as Flink writes the SST files of an incremental RocksDB checkpoint. The
 * reader must list the same references (now absolute, in shared/, same sizes, roles, operators and
 * subtasks), with mixed files (every other handle rewritten) too, and the derived files must fail closed
 * at every truncation. Skips (77) when the samples are not beside the repository. */
#include <errno.h>
#include <stdbool.h>

#include "flink/ckpath.h"
#include "flink/metadata.h"
#include "tests/flink/mdwriter.h"
#include "tests/flink/samples.h"
#include "tests/unit/check.h"

static int s_with_relative; /* samples that had relative handles to rewrite */

#define JOB "s3a://flink-bucket/checkpoints/00000000000000000000000000000000/"

/* Copies buf into w, replacing the relative handles of g (every one, or every other from the first) by
 * absolute handles under JOB "shared/". */
static void s_derive(const unsigned char *buf, size_t n, const struct got *g, int every_other, struct mdw *w)
{
    memset(w, 0, sizeof *w);
    size_t from = 0;
    int k = 0;
    for (size_t i = 0; i < g->n; i++) {
        const struct got_ref *r = &g->r[i];
        if (r->kind != UR_FLINK_REF_RELATIVE || (every_other && k++ % 2)) continue;
        mdw_raw(w, buf + from, r->handle_offset - from);
        char path[600];
        snprintf(path, sizeof path, JOB "shared/%s", r->path);
        mdw_s_file(w, path, r->size);
        from = r->handle_end;
    }
    mdw_raw(w, buf + from, n - from);
}

static bool s_sample(const char *dir, const char *name, bool truncate)
{
    size_t n;
    unsigned char *buf = read_sample(dir, name, &n);
    if (!buf) return false;
    int before = check_failures;
    struct got g = {0};
    struct ur_flink_metadata md, dm;
    struct ur_flink_error err;
    CHECK_EQ_INT(ur_flink_metadata_parse(buf, n, got_collect, &g, &md, &err), 0);
    size_t rel = md.stream_tags[6];
    s_with_relative += rel > 0;
    for (int every_other = 0; every_other <= 1 && rel; every_other++) {
        struct mdw w;
        s_derive(buf, n, &g, every_other, &w);
        struct got d = {0};
        int rc = ur_flink_metadata_parse(w.p, w.n, got_collect, &d, &dm, &err);
        if (rc) fprintf(stderr, "%s derived: %s\n", name, err.msg);
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_INT(dm.version, md.version);
        CHECK_EQ_INT(dm.snapshot, md.snapshot);
        CHECK_EQ_INT(dm.refs, md.refs);
        CHECK_EQ_INT(dm.stream_tags[2], w.nrefs);
        CHECK_EQ_INT(dm.stream_tags[6], rel - w.nrefs);
        CHECK_EQ_INT(w.nrefs, every_other ? (rel + 1) / 2 : rel);
        CHECK_EQ_INT(d.n, g.n);
        for (size_t i = 0; i < d.n && i < g.n; i++) {
            const struct got_ref *a = &d.r[i], *b = &g.r[i];
            CHECK_EQ_INT(a->size, b->size);
            CHECK_EQ_STR(a->role, b->role);
            CHECK_EQ_INT(a->op, b->op);
            CHECK_EQ_INT(a->subtask, b->subtask);
            if (a->kind == UR_FLINK_REF_RELATIVE) {
                CHECK_EQ_STR(a->path, b->path);
                continue;
            }
            CHECK_EQ_INT(a->kind, UR_FLINK_REF_ABSOLUTE);
            struct ur_flink_s3loc loc;
            CHECK_EQ_INT(ur_flink_s3_split(a->path, strlen(a->path), &loc), 0);
            CHECK(loc.bucket_len == 12 && memcmp(loc.bucket, "flink-bucket", 12) == 0);
            size_t job = strlen("checkpoints/00000000000000000000000000000000/");
            CHECK(loc.key_len > job);
            if (loc.key_len <= job) continue;
            CHECK_EQ_INT(ur_flink_classify(loc.key + job, loc.key_len - job, NULL), UR_FLINK_OBJ_SHARED);
            CHECK_EQ_STR(loc.key + job + 7, b->path);
        }
        if (truncate && !every_other) {
            char what[300];
            snprintf(what, sizeof what, "%s derived", name);
            CHECK_EQ_INT(truncations_fail_closed(w.p, w.n, what), 0);
        }
        got_free(&d);
        mdw_free(&w);
    }
    got_free(&g);
    free(buf);
    return before == check_failures;
}

int main(void)
{
    const char *dir = samples_dir_or_skip("test_flink_incremental");
    if (!dir) return 77;
    int n, derived = 0;
    char **names = samples_list(dir, &n);
    for (int i = 0; i < n; i++) {
        /* Truncate the derived files of one sample per format version with files, and the one with
         * channel state. */
        bool cut = strcmp(names[i], "flink1.15-rocksdb-checkpoint") == 0 ||
                   strcmp(names[i], "flink1.17-rocksdb-checkpoint") == 0 ||
                   strcmp(names[i], "flink2.0-rocksdb-checkpoint") == 0 ||
                   strcmp(names[i], "flink2.3-rocksdb-savepoint-native") == 0;
        derived += s_sample(dir, names[i], cut);
        free(names[i]);
    }
    free(names);
    printf("incremental: %d of %d samples read back (%d of them with relative handles rewritten to absolute "
           "shared/ ones)\n",
           derived, n, s_with_relative);
    return CHECK_DONE();
}
