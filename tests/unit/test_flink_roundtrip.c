/* tests/unit/test_flink_roundtrip.c — the reader against files the test writer (tests/flink/mdwriter.h)
 * builds from the format document: every handle tag in every position it may take, in format versions 2
 * to 6, including what no Flink-written sample has (absolute files, segments of merged files and their
 * managed directories, changelog handles, V6 channel types, finished operators and subtasks, master
 * states). The reader must list exactly the references the writer wrote, in order, with their roles; and
 * fail closed — with the offset — on every truncation, on trailing bytes, and on each malformed field.
 *
 *   test_flink_roundtrip --write-seeds DIR   also writes the fuzz seed corpus
 * (tests/fuzz/corpus/flink_metadata) */
#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "flink/metadata.h"
#include "tests/flink/mdwriter.h"
#include "tests/flink/samples.h"
#include "tests/unit/check.h"

#define SH "s3://bucket/flink/cp/00000000000000000000000000000000/shared/"
#define TO "s3a://bucket/flink/cp/00000000000000000000000000000000/taskowned/tm-1/"
#define MERGED SH "job_00000000000000000000000000000000_op_abc_0_2/"

/* Subtask 0: operator state 4 (relative) and 17 (managed directories + segment); keyed managed tag 11
 * with meta, shared (absolute, segment) and private (relative) entries; keyed raw tag 12 on an absolute
 * file; both channel lists with plain and (V6) merged handles. */
static void s_subtask0(struct mdw *w)
{
    mdw_subtask(w, 0);
    w->role = "operator-managed";
    mdw_o(w, 4, 2, NULL, NULL);
    mdw_s_rel(w, "11111111-op-managed", 292);
    w->role = "operator-raw";
    mdw_o(w, 17, 1, TO, MERGED);
    mdw_s_segment(w, MERGED "physical-1", 100, 50, 1);
    mdw_k_incr(w, 11, 7, 0, 64);
    w->role = "keyed-managed/meta";
    mdw_s_rel(w, "22222222-meta", 1414);
    mdw_i32(w, 2);
    mdw_utf(w, "000012.sst");
    w->role = "keyed-managed/shared:000012.sst";
    mdw_s_file(w, SH "33333333-sst", 67108864);
    mdw_utf(w, "000013.sst");
    w->role = "keyed-managed/shared:000013.sst";
    mdw_s_segment(w, MERGED "physical-1", 150, 4000, 1);
    mdw_i32(w, 2);
    mdw_utf(w, "CURRENT");
    w->role = "keyed-managed/private:CURRENT";
    mdw_s_rel(w, "44444444-current", 16);
    mdw_utf(w, "MANIFEST-000004");
    mdw_s_inline(w, 10); /* inline: no reference */
    mdw_k_incr_end(w, 11);
    mdw_k_keygroups(w, 12, 0, 2);
    w->role = "keyed-raw/keygroups";
    mdw_s_file(w, "hdfs://nn:8020/flink/cp/job/chk-7/55555555-raw", 999);
    mdw_k_keygroups_end(w, 12);
    if (w->version < 3) return;
    int merged = w->version >= 6;
    mdw_i32(w, 1 + merged);
    w->role = "channel-input";
    mdw_ch(w, 0, 0);
    mdw_s_rel(w, "66666666-channel", 84);
    if (merged) {
        mdw_ch(w, 0, 1);
        mdw_s_segment(w, TO "physical-2", 0, 84, 0);
        mdw_ch_merged_end(w);
    }
    mdw_i32(w, 2 + merged);
    w->role = "channel-output";
    mdw_ch(w, 1, 0);
    mdw_s_rel(w, "66666666-channel", 84);
    mdw_ch(w, 1, 0);
    mdw_s_null(w);
    if (merged) {
        mdw_ch(w, 1, 1);
        mdw_s_file(w, SH "77777777-channel", 168);
        mdw_ch_merged_end(w);
    }
}

/* Subtask 1: keyed managed changelog tag 14 (materialized: tag 5 and tag 7 through a stream tag 3;
 * non-materialized: 9, 13, 10 with DSTL files), keyed raw changelog tag 8 with nothing in it; operator
 * state tag 17 on an empty segment. */
static void s_subtask1(struct mdw *w)
{
    mdw_subtask(w, 1);
    w->role = "operator-managed";
    mdw_o(w, 17, 0, TO, MERGED);
    mdw_s_empty_segment(w);
    mdw_i32(w, 0);
    mdw_k_changelog(w, 14, 2);
    mdw_k_incr(w, 5, 3, 0, 16);
    w->role = "keyed-managed/meta";
    mdw_s_null(w);
    mdw_i32(w, 1);
    mdw_utf(w, "000007.sst");
    w->role = "keyed-managed/shared:000007.sst";
    mdw_s_file(w, "s3p://other-bucket/old-job/shared/88888888-sst", 4096);
    mdw_i32(w, 0);
    mdw_k_incr_end(w, 5);
    mdw_k_keygroups(w, 7, 0, 1);
    mdw_s_keygroups(w, 0, 1); /* a key-groups handle as the delegate of another */
    w->role = "keyed-managed/keygroups";
    mdw_s_rel(w, "99999999-savepoint-kg", 2048);
    mdw_k_keygroups_end(w, 7);
    mdw_i32(w, 3);
    mdw_k_changelog_bytes(w, 2);
    mdw_k_changelog_file(w, 13, 2);
    w->role = "keyed-managed/changelog";
    mdw_i64(w, 0);
    mdw_s_file(w, "s3://bucket/dstl/job/dstl/aaaaaaaa-log", 8192);
    mdw_i64(w, 4096);
    mdw_s_file(w, "s3://bucket/dstl/job/dstl/aaaaaaaa-log", 8192);
    mdw_k_changelog_file_end(w, 13);
    mdw_k_changelog_file(w, 10, 1);
    mdw_i64(w, 0);
    mdw_s_inline(w, 3);
    mdw_k_changelog_file_end(w, 10);
    mdw_k_changelog_end(w, 14);
    mdw_k_changelog(w, 8, 0);
    mdw_i32(w, 0);
    mdw_k_changelog_end(w, 8);
    mdw_no_channels(w);
}

/* Subtask 2: old key-groups tag 3 on an inline delegate, no raw keyed state. */
static void s_subtask2(struct mdw *w)
{
    mdw_subtask(w, 2);
    mdw_i32(w, 0);
    mdw_i32(w, 0);
    mdw_k_keygroups(w, 3, 0, 3);
    mdw_s_inline(w, 100);
    mdw_k_keygroups_end(w, 3);
    mdw_k_null(w);
    mdw_no_channels(w);
}

/* A file with every tag the version can carry: 1 master state, an operator with an inline coordinator
 * state and subtasks 0, 1, (V3+: a finished one), 2; (V3+) a fully finished operator; the trailer. */
static void s_every_tag(struct mdw *w, int version, int savepoint)
{
    mdw_begin(w, version, 7);
    mdw_i32(w, 1);
    mdw_master(w, "org.example.Hook", 8);
    mdw_i32(w, version >= 3 ? 2 : 1);
    mdw_operator(w, "Source: everything", "every-uid", 4);
    if (version >= 3) mdw_s_inline(w, 16);
    mdw_i32(w, version >= 3 ? 4 : 3);
    s_subtask0(w);
    s_subtask1(w);
    if (version >= 3) mdw_i32(w, -4); /* finished subtask 3 */
    s_subtask2(w);
    if (version >= 3) {
        mdw_operator(w, "finished", "", 1);
        mdw_s_null(w);
        mdw_i32(w, -1);
    }
    mdw_trailer(w, savepoint);
}

static void s_roundtrip(int version, int savepoint)
{
    struct mdw w;
    s_every_tag(&w, version, savepoint);
    struct got g = {0};
    struct ur_flink_metadata md;
    struct ur_flink_error err;
    int rc = ur_flink_metadata_parse(w.p, w.n, got_collect, &g, &md, &err);
    if (rc) fprintf(stderr, "V%d: %s\n", version, err.msg);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(md.version, version);
    CHECK_EQ_INT(md.checkpoint_id, 7);
    CHECK_EQ_INT(md.snapshot, version < 4 ? UR_FLINK_SNAPSHOT_UNKNOWN
                              : savepoint ? UR_FLINK_SAVEPOINT
                                          : UR_FLINK_CHECKPOINT);
    CHECK_EQ_INT(md.master_states, 1);
    CHECK_EQ_INT(md.operators, version >= 3 ? 2 : 1);
    CHECK_EQ_INT(md.finished_operators, version >= 3);
    CHECK_EQ_INT(md.finished_subtasks, version >= 3);
    CHECK_EQ_INT(md.subtask_states, 3);
    CHECK_EQ_INT(md.inline_handles, version >= 3 ? 4 : 3);
    CHECK_EQ_INT(md.inline_bytes, 10 + 3 + 100 + (version >= 3 ? 16 : 0));
    /* Every tag of each position appears. */
    static const int keyed[] = {0, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14}, stream[] = {0, 1, 2, 3, 6, 15, 16};
    for (size_t i = 0; i < sizeof keyed / sizeof *keyed; i++)
        CHECK(md.keyed_tags[keyed[i]] > 0);
    for (size_t i = 0; i < sizeof stream / sizeof *stream; i++)
        CHECK(md.stream_tags[stream[i]] > 0);
    CHECK(md.operator_tags[4] > 0 && md.operator_tags[17] > 0);
    if (version >= 3) CHECK_EQ_INT(md.channel_handles[0] + md.channel_handles[1], 3);
    if (version >= 6) CHECK_EQ_INT(md.channel_handles[2] + md.channel_handles[3], 2);
    /* Exactly the references the writer wrote, in order. */
    size_t files = 0;
    CHECK_EQ_INT(g.n, w.nrefs);
    for (size_t i = 0; i < g.n && i < w.nrefs; i++) {
        const struct got_ref *a = &g.r[i];
        const struct mdw_ref *b = &w.refs[i];
        files += b->kind != UR_FLINK_REF_DIRECTORY;
        CHECK_EQ_INT(a->kind, b->kind);
        CHECK_EQ_STR(a->path, b->path);
        CHECK_EQ_INT(a->size, b->size);
        CHECK_EQ_INT(a->seg_offset, b->seg_offset);
        CHECK_EQ_INT(a->scope, b->scope);
        CHECK_EQ_INT(a->subtask, b->subtask);
        CHECK_EQ_INT(a->op, b->op);
        if (b->kind != UR_FLINK_REF_DIRECTORY) CHECK_EQ_STR(a->role, b->role);
        CHECK(a->handle_offset < a->handle_end && a->handle_end <= w.n);
    }
    CHECK_EQ_INT(md.refs, files);
    got_free(&g);

    /* Fail closed: every truncation, and one byte too many. */
    char what[32];
    snprintf(what, sizeof what, "every-tag V%d", version);
    CHECK_EQ_INT(truncations_fail_closed(w.p, w.n, what), 0);
    mdw_u8(&w, 0);
    CHECK_EQ_INT(ur_flink_metadata_parse(w.p, w.n, NULL, NULL, NULL, &err), -EBADMSG);
    CHECK_EQ_INT(err.why, UR_FLINK_E_TRAILING);
    CHECK_EQ_INT(err.offset, w.n - 1);
    mdw_free(&w);
}

/* Patches one byte (or an i32) of a valid file and expects the failure reason at that offset. */
static void s_expect(const unsigned char *buf, size_t n, enum ur_flink_why why, uint64_t offset,
                     const char *what)
{
    struct ur_flink_error err;
    int calls = 0;
    int rc = ur_flink_metadata_parse(buf, n, count_calls, &calls, NULL, &err);
    if (rc != -EBADMSG || err.why != why || err.offset != offset || calls)
        fprintf(stderr, "%s: rc %d why %d offset %llu (expected why %d offset %llu): %s\n", what, rc, err.why,
                (unsigned long long)err.offset, why, (unsigned long long)offset, err.msg);
    CHECK(rc == -EBADMSG && err.why == why && err.offset == offset && calls == 0);
}

static void s_put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8),
    p[3] = (unsigned char)v;
}

/* A V6 file with one operator, one subtask whose keyed managed handle is what `keyed` writes. */
static size_t s_one_keyed(struct mdw *w, void (*keyed)(struct mdw *))
{
    mdw_begin(w, 6, 1);
    mdw_i32(w, 0);
    mdw_i32(w, 1);
    mdw_operator(w, "op", "uid", 1);
    mdw_s_null(w);
    mdw_i32(w, 1);
    mdw_subtask(w, 0);
    mdw_i32(w, 0);
    mdw_i32(w, 0);
    size_t at = w->n;
    keyed(w);
    mdw_k_null(w);
    mdw_no_channels(w);
    mdw_trailer(w, 0);
    return at;
}

static void s_keyed_rel(struct mdw *w)
{
    mdw_k_keygroups(w, 12, 0, 1);
    mdw_s_rel(w, "file", 10);
    mdw_k_keygroups_end(w, 12);
}

static void s_keyed_deep(struct mdw *w)
{
    mdw_k_keygroups(w, 7, 0, 0);
    for (int i = 0; i < UR_FLINK_DEPTH_MAX + 1; i++)
        mdw_s_keygroups(w, 0, 0);
    mdw_s_null(w);
}

static void s_keyed_changelog_bad(struct mdw *w)
{
    mdw_k_changelog(w, 14, 0);
    mdw_i32(w, 1);
    mdw_k_keygroups(w, 12, 0, 0); /* not a non-materialized handle */
    mdw_s_null(w);
    mdw_k_keygroups_end(w, 12);
    mdw_k_changelog_end(w, 14);
}

static void s_malformed(void)
{
    struct mdw w;
    size_t at = s_one_keyed(&w, s_keyed_rel);
    unsigned char *p = malloc(w.n);
    size_t n = w.n;
    CHECK_EQ_INT(ur_flink_metadata_parse(w.p, w.n, NULL, NULL, NULL, NULL), 0);
#define RESET() memcpy(p, w.p, n)
    RESET();
    p[0] = 0x48;
    s_expect(p, n, UR_FLINK_E_MAGIC, 0, "magic");
    static const uint32_t versions[] = {0, 1, 7, 0x100, 0xffffffffu};
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        RESET();
        s_put32(p + 4, versions[i]);
        s_expect(p, n, UR_FLINK_E_VERSION, 4, "version");
    }
    RESET();
    p[8] = 0x80;
    s_expect(p, n, UR_FLINK_E_VALUE, 8, "negative checkpoint id");
    RESET();
    s_put32(p + 16, 0xffffffffu);
    s_expect(p, n, UR_FLINK_E_VALUE, 16, "negative master state count");
    static const unsigned tags[] = {1, 2, 4, 6, 15, 16, 17, 18, 0x80, 0xff};
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
        RESET();
        p[at] = (unsigned char)tags[i];
        s_expect(p, n, UR_FLINK_E_TAG, at, "keyed tag");
    }
    /* The delegate of the keyed handle is at at + 1 + 8 + 8 (range, one offset). */
    static const unsigned stags[] = {4, 5, 7, 11, 12, 17, 18, 0xff};
    for (size_t i = 0; i < sizeof stags / sizeof *stags; i++) {
        RESET();
        p[at + 17] = (unsigned char)stags[i];
        s_expect(p, n, UR_FLINK_E_TAG, at + 17, "stream tag");
    }
    RESET();
    s_put32(p + at + 5, 0x80000000u);
    s_expect(p, n, UR_FLINK_E_VALUE, at + 1, "negative key-group count");
    RESET();
    p[at + 18] = 0xff; /* relative path length 0xff04: past the end */
    s_expect(p, n, UR_FLINK_E_TRUNCATED, at + 20, "path past the end");
    /* The coordinator (header 24 + name "op" 4 + uid "uid" 5 + id 16 + parallelisms 8 = 57) must be null
     * or inline. */
    RESET();
    p[57] = 6;
    s_expect(p, n, UR_FLINK_E_TAG, 57, "coordinator names a file");
    /* The trailer: garbage instead of the Java stream, or none at all. */
    size_t trailer = n - 4;
    while (trailer > 0 && memcmp(p + trailer, "\xAC\xED\x00\x05", 4) != 0)
        trailer--;
    RESET();
    p[trailer + 1] = 0xEE;
    s_expect(p, n, UR_FLINK_E_TRAILER, trailer, "trailer magic");
    RESET();
    p[trailer + 4] = 0x77;
    s_expect(p, n, UR_FLINK_E_TRAILER, trailer + 4, "trailer not an object");
    s_expect(p, trailer, UR_FLINK_E_TRUNCATED, trailer, "no trailer");
    /* A second operator announced: its name's length is read from the trailer's first bytes (AC ED). */
    RESET();
    s_put32(p + 20, 2);
    s_expect(p, n, UR_FLINK_E_TRUNCATED, trailer + 2, "operator count too large");
    free(p);
    mdw_free(&w);

    at = s_one_keyed(&w, s_keyed_deep);
    s_expect(w.p, w.n, UR_FLINK_E_LIMIT, at + 9 + 9 * (UR_FLINK_DEPTH_MAX - 1), "nesting");
    mdw_free(&w);
    at = s_one_keyed(&w, s_keyed_changelog_bad);
    s_expect(w.p, w.n, UR_FLINK_E_TAG, at + 21 + 4, "changelog non-materialized");
    mdw_free(&w);

    /* A finished operator must not carry coordinator state; V2 knows no finished operators. */
    for (int version = 2; version <= 3; version++) {
        mdw_begin(&w, version, 1);
        mdw_i32(&w, 0);
        mdw_i32(&w, 1);
        mdw_operator(&w, "", "", 1);
        size_t coord = w.n;
        if (version >= 3) mdw_s_inline(&w, 1);
        size_t count = w.n;
        mdw_i32(&w, -1);
        s_expect(w.p, w.n, UR_FLINK_E_VALUE, version >= 3 ? coord : count, "finished operator");
        mdw_free(&w);
    }
    /* A master state whose body is longer than its fields. */
    mdw_begin(&w, 3, 1);
    mdw_i32(&w, 1);
    mdw_master(&w, "hook", 4);
    s_put32(w.p + 24, 4 + 2 + 4 + 4 + 4 + 1);
    mdw_u8(&w, 0);
    mdw_i32(&w, 0);
    s_expect(w.p, w.n, UR_FLINK_E_VALUE, 24 + 4 + 4 + 6 + 4 + 4, "master state with extra bytes");
    mdw_free(&w);
    /* A channel handle of the output kind in the input list (V6). */
    mdw_begin(&w, 6, 1);
    mdw_i32(&w, 0);
    mdw_i32(&w, 1);
    mdw_operator(&w, "", "", 1);
    mdw_s_null(&w);
    mdw_i32(&w, 1);
    mdw_subtask(&w, 0);
    mdw_i32(&w, 0);
    mdw_i32(&w, 0);
    mdw_k_null(&w);
    mdw_k_null(&w);
    mdw_i32(&w, 1);
    size_t ch = w.n;
    mdw_ch(&w, 1, 0);
    s_expect(w.p, w.n, UR_FLINK_E_TAG, ch, "output channel in the input list");
    mdw_free(&w);
    s_expect((const unsigned char *)"", 0, UR_FLINK_E_TRUNCATED, 0, "empty file");
    CHECK_EQ_INT(ur_flink_metadata_parse(NULL, 4, NULL, NULL, NULL, NULL), -EINVAL);
}

static int s_stop_at_third(void *user, const struct ur_flink_ref *ref)
{
    (void)ref;
    return ++*(int *)user == 3 ? 42 : 0;
}

/* The callback's nonzero value stops the walk and is returned. */
static void s_stop(void)
{
    struct mdw w;
    s_every_tag(&w, 6, 0);
    int calls = 0;
    CHECK_EQ_INT(ur_flink_metadata_parse(w.p, w.n, s_stop_at_third, &calls, NULL, NULL), 42);
    CHECK_EQ_INT(calls, 3);
    mdw_free(&w);
}

/* The fuzz seeds: every-tag files of each version, a small incremental checkpoint, a savepoint. */
static int s_write_seeds(const char *dir)
{
    mkdir(dir, 0755);
    for (int v = 2; v <= 6; v++) {
        for (int sp = 0; sp <= (v >= 4); sp++) {
            struct mdw w;
            char path[4096];
            s_every_tag(&w, v, sp);
            snprintf(path, sizeof path, "%s/every-tag-v%d%s", dir, v, sp ? "-savepoint" : "");
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(w.p, 1, w.n, f) != w.n || fclose(f) != 0) return 1;
            mdw_free(&w);
        }
    }
    struct mdw w;
    char path[4096];
    mdw_incremental(&w, 6, 2, 2, 3, "s3://bucket/cp/job");
    snprintf(path, sizeof path, "%s/incremental-v6", dir);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(w.p, 1, w.n, f) != w.n || fclose(f) != 0) return 1;
    mdw_free(&w);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0) return s_write_seeds(argv[2]);
    for (int v = 2; v <= 6; v++)
        s_roundtrip(v, 0);
    s_roundtrip(4, 1);
    s_roundtrip(6, 1);
    s_malformed();
    s_stop();
    return CHECK_DONE();
}
