/* tests/unit/test_flink_gc.c — the cleanup planner (flink/gc.h), rule by rule: a table of listed objects
 * with the verdict each must get (referenced through s3/s3a/s3p and relative handles, _metadata, retained
 * chk-N files, young objects, hands-off kinds with and without their flags, protections, other buckets),
 * whole failed checkpoints (old: deleted; one young object: all kept), the re-check (a _metadata found
 * after the listing drops the candidates it references or retains), fail-closed metadata (nothing added),
 * durations, the memory per referenced file, and many candidates through the temporary file. */
#include <errno.h>

#include "flink/gc.h"
#include "tests/flink/mdwriter.h"
#include "tests/unit/check.h"

#define NOW 1700000000LL
#define DAY 86400LL

/* A V6 checkpoint: one operator, one subtask, managed operator state in `rel` (relative), and a tag 11
 * keyed handle whose shared list holds the absolute URIs in abs (NULL-terminated). */
static void s_md(struct mdw *w, int64_t id, const char *const *abs, const char *rel)
{
    mdw_begin(w, 6, id);
    mdw_i32(w, 0);
    mdw_i32(w, 1);
    mdw_operator(w, "op", "op", 1);
    mdw_s_null(w);
    mdw_i32(w, 1);
    mdw_subtask(w, 0);
    mdw_o(w, 4, 1, NULL, NULL);
    mdw_s_rel(w, rel, 100);
    mdw_i32(w, 0);
    mdw_k_incr(w, 11, id, 0, 128);
    mdw_s_inline(w, 8);
    int n = 0;
    while (abs[n])
        n++;
    mdw_i32(w, n);
    for (int i = 0; i < n; i++) {
        char local[32];
        snprintf(local, sizeof local, "%06d.sst", i);
        mdw_utf(w, local);
        mdw_s_file(w, abs[i], 1000 + i);
    }
    mdw_i32(w, 0);
    mdw_k_incr_end(w, 11);
    mdw_k_null(w);
    mdw_no_channels(w);
    mdw_trailer(w, 0);
}

static int s_add(struct ur_gc *g, const char *bucket, const char *key, int64_t id, const char *const *abs,
                 const char *rel)
{
    struct mdw w;
    s_md(&w, id, abs, rel);
    struct ur_flink_error err;
    int rc = ur_gc_add_metadata(g, bucket, key, w.p, w.n, NULL, NULL, &err);
    if (rc) fprintf(stderr, "add %s: %d %s\n", key, rc, err.msg);
    mdw_free(&w);
    return rc;
}

struct row {
    const char *bucket, *job, *key;
    int64_t age; /* seconds before NOW; -1: LastModified unknown */
    enum ur_gc_verdict want;
};

#define J "cp/0000/"

static const struct row s_rows[] = {
    /* references, exact after s3a:// and s3p:// normalisation */
    {"b", J, J "shared/aaaa", DAY * 9, UR_GC_REFERENCED},
    {"b", J, J "shared/bbbb", DAY * 9, UR_GC_REFERENCED},
    {"b", J, J "shared/cccc", DAY * 9, UR_GC_REFERENCED},
    {"b", J, J "shared/aaaa2", DAY * 9, UR_GC_ORPHAN}, /* exact, not a prefix */
    {"b", J, J "shared/AAAA", DAY * 9, UR_GC_ORPHAN},  /* case matters */
    {"b", J, J "shared/dddd", DAY * 9, UR_GC_ORPHAN},
    {"b", J, J "shared/eeee", 10, UR_GC_YOUNG},
    {"b", J, J "shared/ffff", -1, UR_GC_YOUNG},
    {"b", J, J "shared/gggg", DAY, UR_GC_ORPHAN}, /* exactly the minimum age */
    {"b", J, J "shared/hhhh", DAY - 1, UR_GC_YOUNG},
    /* a file of the other job, referenced from this job's checkpoint (LEGACY/CLAIM restore) */
    {"b", "cp/1111/", "cp/1111/shared/xxxx", DAY * 9, UR_GC_REFERENCED},
    {"b", "cp/1111/", "cp/1111/shared/yyyy", DAY * 9, UR_GC_ORPHAN},
    /* another bucket with the same key: not referenced */
    {"c", J, J "shared/aaaa", DAY * 9, UR_GC_ORPHAN},
    /* _metadata and retained checkpoints */
    {"b", J, J "chk-7/_metadata", DAY * 9, UR_GC_METADATA},
    {"b", J, J "chk-7/rel-7", DAY * 9, UR_GC_REFERENCED},
    {"b", J, J "chk-7/stray", DAY * 9, UR_GC_RETAINED_CHK},
    {"b", J, J "chk-3/_metadata", DAY * 9, UR_GC_METADATA}, /* no retained dir needed: a _metadata */
    /* a failed checkpoint: judged per directory in ur_gc_finish */
    {"b", J, J "chk-5/x1", DAY * 9, UR_GC_FAILED_CHK},
    {"b", J, J "chk-5/x2", DAY * 9, UR_GC_FAILED_CHK},
    {"b", J, J "chk-6/y1", DAY * 9, UR_GC_FAILED_CHK},
    {"b", J, J "chk-6/y2", 5, UR_GC_FAILED_CHK},
    {"b", J, J "chk-5/sub/z", DAY * 9, UR_GC_UNKNOWN}, /* Flink writes no subdirectory there */
    /* hands off without their flags */
    {"b", J, J "taskowned/tm-1/t1", DAY * 9, UR_GC_TASKOWNED},
    {"b", J, J "shared/op_abc_attempt_2/000012.sst", DAY * 9, UR_GC_FORST},
    {"b", J, J "shared/job_0000_op_v1_0_4/m1", DAY * 9, UR_GC_MERGED},
    {"b", J, J "notes.txt", DAY * 9, UR_GC_UNKNOWN},
    {"b", J, J "shared/", DAY * 9, UR_GC_UNKNOWN},
    /* outside the job directory given */
    {"b", J, "cp/other/shared/q", DAY * 9, UR_GC_UNKNOWN},
    /* protected */
    {"b", J, J "shared/prot-1", DAY * 9, UR_GC_PROTECTED},
    {"b", J, J "chk-9/_metadata", DAY * 9, UR_GC_METADATA},
};

static const char *const s_abs[] = {"s3://b/" J "shared/aaaa",       "s3a://b/" J "shared/bbbb",
                                    "S3P://b/" J "shared/cccc",      "s3://b/cp/1111/shared/xxxx",
                                    "hdfs://nn/cp/0000/shared/dddd", NULL};

static struct ur_gc *s_planner(unsigned allow, int64_t min_age)
{
    struct ur_gc_opts o = {.now_s = NOW, .min_age_s = min_age, .allow = allow};
    struct ur_gc *g = ur_gc_new(&o);
    CHECK(g != NULL);
    CHECK_EQ_INT(s_add(g, "b", J "chk-7/_metadata", 7, s_abs, "rel-7"), 0);
    CHECK_EQ_INT(ur_gc_protect(g, "b", J "shared/prot-"), 0);
    return g;
}

static void s_rules(void)
{
    struct ur_gc *g = s_planner(0, DAY);
    for (size_t i = 0; i < sizeof s_rows / sizeof s_rows[0]; i++) {
        const struct row *r = &s_rows[i];
        enum ur_gc_verdict v = ur_gc_judge(g, r->bucket, r->job, r->key, r->age < 0 ? -1 : NOW - r->age);
        if (v != r->want) {
            fprintf(stderr, "row %zu %s/%s: %s, expected %s\n", i, r->bucket, r->key, ur_gc_verdict_name(v),
                    ur_gc_verdict_name(r->want));
            check_failures++;
        }
        CHECK_EQ_INT(ur_gc_record(g, v, r->bucket, r->job, r->key, 10, r->age < 0 ? -1 : NOW - r->age), 0);
    }
    size_t dropped = 7;
    CHECK_EQ_INT(ur_gc_finish(g, &dropped), 0);
    CHECK_EQ_INT(dropped, 0);
    /* Candidates: the old orphans and failed chk-5 as a whole; chk-6 has a young object. */
    static const char *const want[] = {
        "b/cp/0000/chk-5/x1",    "b/cp/0000/chk-5/x2",    "b/cp/0000/shared/AAAA", "b/cp/0000/shared/aaaa2",
        "b/cp/0000/shared/dddd", "b/cp/0000/shared/gggg", "b/cp/1111/shared/yyyy", "c/cp/0000/shared/aaaa"};
    size_t n = ur_gc_candidates(g);
    CHECK_EQ_INT(n, sizeof want / sizeof want[0]);
    CHECK_EQ_INT(ur_gc_rewind(g), 0);
    struct ur_gc_candidate c;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK_EQ_INT(ur_gc_next(g, &c), 1);
        char full[256];
        snprintf(full, sizeof full, "%s/%s", c.bucket, c.key);
        CHECK_EQ_STR(full, want[i]);
        CHECK_EQ_INT(c.why, strstr(c.key, "chk-5") ? UR_GC_FAILED_CHK : UR_GC_ORPHAN);
    }
    CHECK_EQ_INT(ur_gc_next(g, &c), 0);
    struct ur_gc_tally t;
    ur_gc_summary(g, &t);
    CHECK_EQ_INT(t.objects[UR_GC_ORPHAN], 6);
    CHECK_EQ_INT(t.objects[UR_GC_FAILED_CHK], 2);
    CHECK_EQ_INT(t.objects[UR_GC_YOUNG_CHK], 2);
    CHECK_EQ_INT(t.bytes[UR_GC_YOUNG_CHK], 20);
    CHECK_EQ_INT(t.objects[UR_GC_YOUNG], 3);
    CHECK_EQ_INT(t.objects[UR_GC_REFERENCED], 5);
    CHECK_EQ_INT(t.objects[UR_GC_METADATA], 3);
    CHECK_EQ_INT(t.objects[UR_GC_PROTECTED], 1);
    CHECK_EQ_INT(t.objects[UR_GC_UNKNOWN], 4);
    uint64_t all = 0;
    for (int v = 0; v < UR_GC_NVERDICTS; v++)
        all += t.objects[v];
    CHECK_EQ_INT(all, sizeof s_rows / sizeof s_rows[0]);

    /* The re-check: chk-8/_metadata appeared after the listing, referencing dddd, and chk-5 got its
     * _metadata: both leave the candidates. */
    static const char *const late[] = {"s3://b/" J "shared/dddd", NULL};
    CHECK_EQ_INT(s_add(g, "b", J "chk-8/_metadata", 8, late, "rel-8"), 0);
    CHECK_EQ_INT(s_add(g, "b", J "chk-5/_metadata", 5, late, "x9"), 0);
    CHECK_EQ_INT(ur_gc_finish(g, &dropped), 0);
    CHECK_EQ_INT(dropped, 3);
    CHECK_EQ_INT(ur_gc_candidates(g), 5);
    ur_gc_summary(g, &t);
    CHECK_EQ_INT(t.objects[UR_GC_ORPHAN], 5);
    CHECK_EQ_INT(t.objects[UR_GC_FAILED_CHK], 0);
    CHECK_EQ_INT(t.objects[UR_GC_RETAINED_CHK], 3);
    CHECK_EQ_INT(t.objects[UR_GC_REFERENCED], 6);
    ur_gc_free(g);
}

/* Each hands-off kind becomes an ordinary candidate with its own flag (and is still kept when young). */
static void s_allow(void)
{
    static const struct {
        unsigned allow;
        const char *key;
        enum ur_gc_verdict without, with;
    } t[] = {
        {UR_GC_ALLOW_TASKOWNED, J "taskowned/tm-1/t1", UR_GC_TASKOWNED, UR_GC_ORPHAN},
        {UR_GC_ALLOW_FORST, J "shared/op_abc_attempt_2/1.sst", UR_GC_FORST, UR_GC_ORPHAN},
        {UR_GC_ALLOW_MERGED, J "shared/job_0000_op_v_0_4/m", UR_GC_MERGED, UR_GC_ORPHAN},
        {UR_GC_ALLOW_UNKNOWN, J "notes.txt", UR_GC_UNKNOWN, UR_GC_ORPHAN},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct ur_gc *a =
            s_planner((UR_GC_ALLOW_TASKOWNED | UR_GC_ALLOW_FORST | UR_GC_ALLOW_MERGED | UR_GC_ALLOW_UNKNOWN) &
                          ~t[i].allow,
                      DAY);
        struct ur_gc *b = s_planner(t[i].allow, DAY);
        CHECK_EQ_INT(ur_gc_judge(a, "b", J, t[i].key, NOW - 9 * DAY), t[i].without);
        CHECK_EQ_INT(ur_gc_judge(b, "b", J, t[i].key, NOW - 9 * DAY), t[i].with);
        CHECK_EQ_INT(ur_gc_judge(b, "b", J, t[i].key, NOW - 9), UR_GC_YOUNG);
        /* Never a _metadata, never a referenced file, whatever the flags. */
        CHECK_EQ_INT(ur_gc_judge(b, "b", J, J "chk-7/_metadata", NOW - 9 * DAY), UR_GC_METADATA);
        CHECK_EQ_INT(ur_gc_judge(b, "b", J, J "shared/aaaa", NOW - 9 * DAY), UR_GC_REFERENCED);
        ur_gc_free(a);
        ur_gc_free(b);
    }
    /* Entropy injection: a chk-N/ retained by its _metadata elsewhere is retained under the data prefix. */
    struct ur_gc *e = s_planner(0, DAY);
    CHECK_EQ_INT(ur_gc_judge(e, "b", "x7/" J, "x7/" J "chk-7/u1", NOW - 9 * DAY), UR_GC_FAILED_CHK);
    CHECK_EQ_INT(ur_gc_retain_dir(e, "b", "x7/" J "chk-7/"), 0);
    CHECK_EQ_INT(ur_gc_judge(e, "b", "x7/" J, "x7/" J "chk-7/u1", NOW - 9 * DAY), UR_GC_RETAINED_CHK);
    ur_gc_free(e);
    /* --min-age 0: an object from before the run is old; one written after the run started is not. */
    struct ur_gc *z = s_planner(0, 0);
    CHECK_EQ_INT(ur_gc_judge(z, "b", J, J "shared/q", NOW), UR_GC_ORPHAN);
    CHECK_EQ_INT(ur_gc_judge(z, "b", J, J "shared/q", NOW + 1), UR_GC_YOUNG);
    ur_gc_free(z);
}

/* A _metadata that does not parse, or whose relative handle climbs out of its directory, adds nothing. */
static void s_fail_closed(void)
{
    struct ur_gc_opts o = {.now_s = NOW, .min_age_s = DAY};
    struct ur_gc *g = ur_gc_new(&o);
    struct mdw w;
    static const char *const abs[] = {"s3://b/" J "shared/zzzz", NULL};
    s_md(&w, 4, abs, "ok-name");
    struct ur_flink_error err;
    for (size_t cut = 0; cut < w.n; cut += 7) {
        CHECK_EQ_INT(ur_gc_add_metadata(g, "b", J "chk-4/_metadata", w.p, cut, NULL, NULL, &err), -EBADMSG);
        CHECK(strncmp(err.msg, "offset ", 7) == 0);
    }
    CHECK_EQ_INT(ur_gc_ref_count(g), 0);
    mdw_free(&w);
    s_md(&w, 4, abs, "../../1111/shared/xxxx");
    CHECK_EQ_INT(ur_gc_add_metadata(g, "b", J "chk-4/_metadata", w.p, w.n, NULL, NULL, &err), -EBADMSG);
    CHECK(strstr(err.msg, "relative handle") != NULL);
    CHECK_EQ_INT(ur_gc_ref_count(g), 0);
    CHECK_EQ_INT(ur_gc_judge(g, "b", J, J "shared/zzzz", NOW - 9 * DAY), UR_GC_ORPHAN);
    CHECK_EQ_INT(ur_gc_judge(g, "b", J, J "chk-4/x", NOW - 9 * DAY), UR_GC_FAILED_CHK);
    mdw_free(&w);
    ur_gc_free(g);
}

static void s_durations(void)
{
    static const struct {
        const char *s;
        int64_t secs; /* -1: refused */
    } t[] = {{"0", 0},       {"90", 90},      {"90s", 90},  {"30m", 1800},    {"24h", 86400},
             {"7d", 604800}, {"1h30m", 5400}, {"", -1},     {"h", -1},        {"1h30", -1},
             {"-1h", -1},    {"1w", -1},      {"1.5h", -1}, {"2d12h", 216000}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int64_t v = -7;
        int rc = ur_gc_parse_duration(t[i].s, &v);
        if (t[i].secs < 0) {
            CHECK_EQ_INT(rc, -EINVAL);
        } else {
            CHECK_EQ_INT(rc, 0);
            CHECK_EQ_INT(v, t[i].secs);
        }
    }
}

/* 200,000 distinct references of a realistic length: under 200 bytes each, all found, none invented. */
static void s_memory(void)
{
    struct ur_gc_opts o = {.now_s = NOW, .min_age_s = DAY};
    struct ur_gc *g = ur_gc_new(&o);
    const size_t n = 200000;
    char key[256];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key,
                 "checkpoints/00000000000000000000000000000000/shared/%08zx-1b2c-4d5e-8f90-%012zx",
                 i * 2654435761u, i);
        CHECK(ur_gc_add_ref(g, "flink-state", 11, key, strlen(key)) == 1);
    }
    CHECK_EQ_INT(ur_gc_ref_count(g), n);
    size_t missing = 0, invented = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key,
                 "checkpoints/00000000000000000000000000000000/shared/%08zx-1b2c-4d5e-8f90-%012zx",
                 i * 2654435761u, i);
        missing += !ur_gc_is_referenced(g, "flink-state", 11, key, strlen(key));
        key[strlen(key) - 1] ^= 0x40;
        invented += ur_gc_is_referenced(g, "flink-state", 11, key, strlen(key));
    }
    CHECK_EQ_INT(missing, 0);
    CHECK_EQ_INT(invented, 0);
    double per = (double)ur_gc_memory(g) / (double)n;
    printf("memory: %.1f bytes per referenced file (%zu files, key %zu bytes)\n", per, n, strlen(key) + 12);
    CHECK(per < 200);
    ur_gc_free(g);
}

/* Many candidates through a small buffer, so most lie in the temporary file: listed shuffled, some twice
 * (overlapping listings), beside a failed and an in-progress chk-N/; a re-check whose _metadata references
 * every seventh drops exactly those; the rest come back sorted, each once; and the planner's memory stays a
 * fixed part however many candidates there are. */
static void s_spill(void)
{
    struct ur_gc_opts o = {.now_s = NOW, .min_age_s = DAY, .spill_run_bytes = 64 << 10};
    struct ur_gc *g = ur_gc_new(&o);
    CHECK(g != NULL);
    CHECK_EQ_INT(ur_gc_spill_open(g), 0);
    static const char *const chk[] = {J "chk-5/a", J "chk-5/b", J "chk-5/c", J "chk-6/a", J "chk-6/b"};
    for (size_t i = 0; i < 5; i++) {
        int64_t age = i == 4 ? 5 : 9 * DAY; /* chk-6/b is young: chk-6 is in progress */
        enum ur_gc_verdict v = ur_gc_judge(g, "b", J, chk[i], NOW - age);
        CHECK_EQ_INT(v, UR_GC_FAILED_CHK);
        CHECK_EQ_INT(ur_gc_record(g, v, "b", J, chk[i], 10, NOW - age), 0);
    }
    const uint32_t n = 100000;
    char key[128];
    size_t sevenths = 0, wrong = 0;
    uint64_t mem_early = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i == n / 10) mem_early = ur_gc_memory(g);
        uint32_t k = (uint32_t)(((uint64_t)i * 7919u) % n);
        snprintf(key, sizeof key, J "shared/%08x-%06u", k * 2654435761u, k);
        enum ur_gc_verdict v = ur_gc_judge(g, "b", J, key, NOW - 9 * DAY);
        wrong += v != UR_GC_ORPHAN;
        for (int copy = 0; copy < (k % 100 ? 1 : 2); copy++)
            CHECK_EQ_INT(ur_gc_record(g, v, "b", J, key, 10, NOW - 9 * DAY), 0);
        sevenths += k % 7 == 0;
    }
    CHECK_EQ_INT(wrong, 0);
    /* Their names alone are ~5 MB: none of it stays. (The fixed part: the buffer, a 256 KiB write buffer,
     * the 1 MiB string chunk of the failed chk-N/ set.) */
    uint64_t mem = ur_gc_memory(g);
    printf("memory: %llu bytes held with %u candidates, %llu with %u (64 KiB buffer)\n",
           (unsigned long long)mem_early, n / 10, (unsigned long long)mem, n);
    CHECK(mem <= mem_early + 4096);
    CHECK(mem < (2 << 20));
    size_t dropped = 9;
    CHECK_EQ_INT(ur_gc_finish(g, &dropped), 0);
    CHECK_EQ_INT(dropped, 0);
    CHECK_EQ_INT(ur_gc_candidates(g), n + 3);
    /* The re-check finds chk-8/_metadata referencing every seventh. */
    const char **late = calloc(sevenths + 1, sizeof(*late));
    char **names = calloc(sevenths, sizeof(*names));
    size_t m = 0;
    for (uint32_t k = 0; k < n; k += 7) {
        char *u = NULL;
        CHECK(asprintf(&u, "s3://b/" J "shared/%08x-%06u", k * 2654435761u, k) > 0);
        names[m] = u;
        late[m++] = u;
    }
    CHECK_EQ_INT(m, sevenths);
    CHECK_EQ_INT(s_add(g, "b", J "chk-8/_metadata", 8, late, "rel-8"), 0);
    CHECK_EQ_INT(ur_gc_finish(g, &dropped), 0);
    CHECK_EQ_INT(dropped, sevenths);
    CHECK_EQ_INT(ur_gc_candidates(g), n + 3 - sevenths);
    struct ur_gc_tally t;
    ur_gc_summary(g, &t);
    CHECK_EQ_INT(t.objects[UR_GC_ORPHAN], n - sevenths);
    CHECK_EQ_INT(t.objects[UR_GC_FAILED_CHK], 3);
    CHECK_EQ_INT(t.objects[UR_GC_YOUNG_CHK], 2);
    CHECK_EQ_INT(t.objects[UR_GC_REFERENCED], sevenths);
    /* Sorted, each once, none of the sevenths; twice over. */
    for (int pass = 0; pass < 2; pass++) {
        struct ur_gc_candidate c;
        char prev[256] = "";
        size_t got = 0, bad = 0;
        CHECK_EQ_INT(ur_gc_rewind(g), 0);
        int rc;
        while ((rc = ur_gc_next(g, &c)) == 1) {
            unsigned k;
            if (strcmp(c.bucket, "b") || strcmp(prev, c.key) >= 0) bad++;
            if (sscanf(c.key, J "shared/%*8x-%6u", &k) == 1 && k % 7 == 0) bad++;
            snprintf(prev, sizeof prev, "%s", c.key);
            got++;
        }
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_INT(bad, 0);
        CHECK_EQ_INT(got, n + 3 - sevenths);
    }
    for (size_t i = 0; i < m; i++)
        free(names[i]);
    free(names);
    free(late);
    ur_gc_free(g);
    /* A directory that cannot hold the file: an error the caller can name it in. */
    struct ur_gc_opts bad = {.now_s = NOW, .min_age_s = DAY, .spill_dir = "/nonexistent/gc-spill"};
    g = ur_gc_new(&bad);
    CHECK_EQ_INT(ur_gc_spill_open(g), -ENOENT);
    CHECK_EQ_STR(ur_gc_spill_dir(g), "/nonexistent/gc-spill");
    ur_gc_free(g);
}

int main(void)
{
    s_rules();
    s_allow();
    s_fail_closed();
    s_durations();
    s_memory();
    s_spill();
    return CHECK_DONE();
}
