/* tests/unit/test_flink_conformance.c — the reader against every real `_metadata` in
 * ../shared/flink-metadata-samples (Flink 1.9–2.3): for each, the files it lists are exactly the `file`
 * lines of expected.txt (kind, path, size, number of references, roles), relative names resolve beside
 * the _metadata and equal the sample's sibling files, and version, checkpoint id, master states, operator
 * count, handle tag counts, inline state, trailer and checkpoint-or-savepoint agree. Skips (77) when the
 * samples are not beside the repository. */
#include <errno.h>
#include <stdbool.h>

#include "flink/ckpath.h"
#include "flink/metadata.h"
#include "tests/flink/samples.h"
#include "tests/unit/check.h"

struct lines {
    char **v;
    size_t n, cap;
};

static void lines_add(struct lines *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = strdup(s);
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lines_sort(struct lines *l)
{
    if (l->n) qsort(l->v, l->n, sizeof *l->v, s_cmp);
}

static void lines_free(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Two sorted line sets must be equal; prints the first few differences. */
static bool s_same(const char *sample, const char *what, struct lines *want, struct lines *have)
{
    lines_sort(want);
    lines_sort(have);
    size_t i = 0, j = 0;
    int shown = 0;
    while (i < want->n || j < have->n) {
        int c = i == want->n ? 1 : j == have->n ? -1 : strcmp(want->v[i], have->v[j]);
        if (c == 0) {
            i++, j++;
            continue;
        }
        if (shown++ < 4)
            fprintf(stderr, "%s: %s %s: %s\n", sample, what, c < 0 ? "missing" : "extra",
                    c < 0 ? want->v[i] : have->v[j]);
        c < 0 ? i++ : j++;
    }
    return shown == 0;
}

/* "file KIND PATH size=N refs=C roles=R1,R2" per distinct file, as expected.txt writes it. */
static void s_file_lines(const struct got *g, struct lines *out)
{
    bool *done = calloc(g->n + 1, 1);
    for (size_t i = 0; i < g->n; i++) {
        if (done[i]) continue;
        const struct got_ref *a = &g->r[i];
        struct lines roles = {0};
        int refs = 0;
        for (size_t j = i; j < g->n; j++) {
            const struct got_ref *b = &g->r[j];
            if (done[j] || b->kind != a->kind || strcmp(b->path, a->path) != 0) continue;
            done[j] = true;
            refs++;
            bool seen = false;
            for (size_t k = 0; k < roles.n; k++)
                seen |= strcmp(roles.v[k], b->role) == 0;
            if (!seen) lines_add(&roles, b->role);
        }
        lines_sort(&roles);
        char line[4096];
        int k;
        if (a->kind == UR_FLINK_REF_DIRECTORY)
            k = snprintf(line, sizeof line, "directory %s", a->path);
        else
            k = snprintf(line, sizeof line,
                         "file %s %s size=%lld refs=%d roles=", ur_flink_ref_kind_name(a->kind), a->path,
                         a->size, refs);
        for (size_t r = 0; a->kind != UR_FLINK_REF_DIRECTORY && r < roles.n; r++)
            k += snprintf(line + k, sizeof line - (size_t)k, "%s%s", r ? "," : "", roles.v[r]);
        lines_add(out, line);
        lines_free(&roles);
    }
    free(done);
}

/* "handle_tags keyed.11=14 operator.4=2 …" in expected.txt's (string-sorted) order. */
static void s_tag_line(const struct ur_flink_metadata *md, char *out, size_t cap)
{
    static const char *const ch[] = {"input", "output", "merged-input", "merged-output"};
    struct lines t = {0};
    char tok[64];
    for (int i = 0; i <= UR_FLINK_TAG_MAX; i++) {
        if (md->keyed_tags[i])
            snprintf(tok, sizeof tok, "keyed.%d=%u", i, md->keyed_tags[i]), lines_add(&t, tok);
        if (md->operator_tags[i])
            snprintf(tok, sizeof tok, "operator.%d=%u", i, md->operator_tags[i]), lines_add(&t, tok);
        if (md->stream_tags[i])
            snprintf(tok, sizeof tok, "stream.%d=%u", i, md->stream_tags[i]), lines_add(&t, tok);
    }
    for (int i = 0; i < 4; i++)
        if (md->channel_handles[i])
            snprintf(tok, sizeof tok, "channel.%s=%u", ch[i], md->channel_handles[i]), lines_add(&t, tok);
    lines_sort(&t);
    int k = snprintf(out, cap, "handle_tags");
    for (size_t i = 0; i < t.n; i++)
        k += snprintf(out + k, cap - (size_t)k, " %s", t.v[i]);
    lines_free(&t);
}

/* Checkpoint or savepoint, as PROVENANCE.md describes each sample; V2 and V3 files do not say. */
static enum ur_flink_snapshot s_expected_type(const char *name, int version)
{
    if (version < 4) return UR_FLINK_SNAPSHOT_UNKNOWN;
    if (strstr(name, "savepoint") || strcmp(name, "flink2.1-table-restore-semi-anti-join") == 0)
        return UR_FLINK_SAVEPOINT;
    return UR_FLINK_CHECKPOINT;
}

static bool s_sample(const char *dir, const char *name)
{
    char path[4096];
    size_t n;
    unsigned char *buf = read_sample(dir, name, &n);
    snprintf(path, sizeof path, "%s/%s/expected.txt", dir, name);
    FILE *ex = fopen(path, "r");
    if (!buf || !ex) {
        fprintf(stderr, "%s: cannot read the sample\n", name);
        free(buf);
        if (ex) fclose(ex);
        return false;
    }
    struct got g = {0};
    struct ur_flink_metadata md;
    struct ur_flink_error err;
    int rc = ur_flink_metadata_parse(buf, n, got_collect, &g, &md, &err);
    int before = check_failures;
    if (rc != 0) {
        fprintf(stderr, "%s: parse failed: %s\n", name, err.msg);
        check_failures++;
    }
    struct lines want_files = {0}, have_files = {0}, want_sib = {0}, have_rel = {0};
    char line[8192], have[8192];
    long long v, b;
    while (rc == 0 && fgets(line, sizeof line, ex)) {
        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "version %lld", &v) == 1) {
            CHECK_EQ_INT(md.version, v);
            CHECK_EQ_INT(md.snapshot, s_expected_type(name, (int)v));
        } else if (sscanf(line, "checkpoint_id %lld", &v) == 1) {
            CHECK_EQ_INT(md.checkpoint_id, v);
        } else if (sscanf(line, "master_states %lld", &v) == 1) {
            CHECK_EQ_INT(md.master_states, v);
        } else if (sscanf(line, "operators %lld", &v) == 1) {
            CHECK_EQ_INT(md.operators, v);
        } else if (sscanf(line, "inline_handles %lld bytes=%lld", &v, &b) == 2) {
            CHECK_EQ_INT(md.inline_handles, v);
            CHECK_EQ_INT(md.inline_bytes, b);
        } else if (strncmp(line, "handle_tags", 11) == 0) {
            s_tag_line(&md, have, sizeof have);
            CHECK_EQ_STR(have, line);
        } else if (strncmp(line, "file ", 5) == 0 || strncmp(line, "directory ", 10) == 0) {
            lines_add(&want_files, line);
        } else if (strcmp(line, "tail none") == 0) {
            CHECK_EQ_INT(md.trailer_bytes, 0);
        } else if (sscanf(line, "tail java-serialization %lld bytes", &v) == 1) {
            CHECK_EQ_INT(md.trailer_bytes, v);
        } else if (strncmp(line, "sibling ", 8) == 0) {
            lines_add(&want_sib, line + 8);
        } else if (sscanf(line, "size %lld", &v) == 1) {
            CHECK_EQ_INT(n, v);
        }
    }
    if (rc == 0) {
        CHECK(want_files.n > 0 || md.refs == 0);
        s_file_lines(&g, &have_files);
        if (!s_same(name, "file", &want_files, &have_files)) check_failures++;
        /* Relative names resolve beside the _metadata, and the set of them is the sample's siblings. */
        const char *meta = "s3://bucket/flink/00000000000000000000000000000000/chk-7/_metadata";
        for (size_t i = 0; i < g.n; i++) {
            if (g.r[i].kind != UR_FLINK_REF_RELATIVE) continue;
            char res[1024], sib[700];
            int k = ur_flink_resolve(res, sizeof res, meta, strlen(meta), g.r[i].path, strlen(g.r[i].path));
            CHECK(k > 0);
            if (k <= 0) continue;
            CHECK(strncmp(res, meta, strlen(meta) - 9) == 0 &&
                  strcmp(res + strlen(meta) - 9, g.r[i].path) == 0);
            struct ur_flink_s3loc loc;
            CHECK_EQ_INT(ur_flink_s3_split(res, (size_t)k, &loc), 0);
            uint64_t id = 0;
            CHECK_EQ_INT(ur_flink_classify(loc.key + 6, loc.key_len - 6 - 0, &id) == UR_FLINK_OBJ_UNKNOWN, 1);
            CHECK_EQ_INT(ur_flink_classify(loc.key + 39, loc.key_len - 39, &id), UR_FLINK_OBJ_EXCLUSIVE);
            CHECK_EQ_INT(id, 7);
            snprintf(sib, sizeof sib, "%s %lld", g.r[i].path, g.r[i].size);
            bool dup = false;
            for (size_t j = 0; j < have_rel.n; j++)
                dup |= strcmp(have_rel.v[j], sib) == 0;
            if (!dup) lines_add(&have_rel, sib);
        }
        if (!s_same(name, "sibling", &want_sib, &have_rel)) check_failures++;
    }
    lines_free(&want_files);
    lines_free(&have_files);
    lines_free(&want_sib);
    lines_free(&have_rel);
    got_free(&g);
    fclose(ex);
    free(buf);
    return check_failures == before;
}

int main(void)
{
    const char *dir = samples_dir_or_skip("test_flink_conformance");
    if (!dir) return 77;
    int n, pass = 0;
    char **names = samples_list(dir, &n);
    CHECK(n >= 45);
    for (int i = 0; i < n; i++) {
        bool ok = s_sample(dir, names[i]);
        pass += ok;
        printf("%s %s\n", ok ? "ok  " : "FAIL", names[i]);
        free(names[i]);
    }
    free(names);
    printf("conformance: %d of %d samples agree with expected.txt\n", pass, n);
    return CHECK_DONE();
}
