/* tests/unit/test_checkpoint_files.c — conformance of `urestore checkpoint files` and `checkpoint ls` over
 * every real `_metadata` in ../shared/flink-metadata-samples: the lines `checkpoint files` prints for a
 * sample placed at s3://bucket/<dir>/_metadata are exactly its expected.txt `file` lines (relative names
 * resolved beside it, one line per distinct file with its size), ls shows its version and its type
 * (checkpoint or savepoint, from the file for V4+, from the directory name chk-N / savepoint-… before),
 * and the counts ls prints agree with the lines. Also s3a/s3p normalisation and segments, with the test
 * writer. Skips (77) when the samples are not beside the repository. */
#include <errno.h>
#include <stdbool.h>

#include "cli/checkpoint.h"
#include "tests/flink/mdwriter.h"
#include "tests/flink/samples.h"
#include "tests/unit/check.h"

/* A text file, NUL-terminated (read_whole reads exactly the bytes). */
static char *s_text(const char *path)
{
    size_t n;
    unsigned char *p = read_whole(path, &n);
    char *t = p ? realloc(p, n + 1) : NULL;
    if (t) t[n] = '\0';
    return t;
}

/* The expected `files` output for a sample: "URI SIZE\n" per expected.txt file line, sorted. */
static char *s_expected(const char *dir, const char *name, const char *base, uint64_t *files, uint64_t *bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/expected.txt", dir, name);
    char *text = s_text(path);
    if (!text) return NULL;
    char **lines = NULL;
    size_t nl = 0;
    *files = *bytes = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char kind[32], p[1024];
        long long size;
        if (sscanf(line, "file %31s %1023s size=%lld", kind, p, &size) != 3) continue;
        char *out;
        if (!strcmp(kind, "relative"))
            (void)!asprintf(&out, "%s%s %lld", base, p, size);
        else
            (void)!asprintf(&out, "%s %lld", p, size);
        lines = realloc(lines, (nl + 1) * sizeof *lines);
        lines[nl++] = out;
        ++*files;
        *bytes += (uint64_t)size;
    }
    free(text);
    for (size_t i = 1; i < nl; i++) /* insertion sort by strcmp, as the output is sorted by URI */
        for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            char *t = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = t;
        }
    struct ur_cli_buf b = {0};
    for (size_t i = 0; i < nl; i++) {
        ur_cli_buf_puts(&b, lines[i]);
        ur_cli_buf_puts(&b, "\n");
        free(lines[i]);
    }
    free(lines);
    return b.p ? b.p : strdup("");
}

static void s_sample(const char *dir, const char *name)
{
    size_t n;
    unsigned char *buf = read_sample(dir, name, &n);
    CHECK(buf != NULL);
    if (!buf) return;
    /* What it is: V4+ files say it in their trailer (a savepoint's is 742–756 bytes, a checkpoint's 604,
     * as expected.txt's "tail" line counts them); V2/V3 files do not, and the sample's name does — the
     * directory name (chk-N, savepoint-…) tells ls, as in Flink's layouts. */
    char tpath[4096];
    snprintf(tpath, sizeof tpath, "%s/%s/expected.txt", dir, name);
    char *exp = s_text(tpath);
    const char *tail = exp ? strstr(exp, "\ntail java-serialization ") : NULL;
    bool sp = tail ? atoi(tail + 25) >= 700 : strstr(name, "savepoint") != NULL;
    free(exp);
    char base[512], uri[600];
    snprintf(base, sizeof base, "s3://bucket/%s/%s/", name, sp ? "savepoint-0a0a0a-123456789abc" : "chk-2");
    snprintf(uri, sizeof uri, "%s_metadata", base);
    struct ur_cli_buf out = {0};
    struct ur_flink_metadata md;
    struct ur_flink_error err;
    struct ur_ck_files cnt;
    int rc = ur_ck_fmt_files(&out, false, uri, buf, n, &md, &cnt, &err);
    CHECK_EQ_INT(rc, 0);
    uint64_t files = 0, bytes = 0;
    char *want = s_expected(dir, name, base, &files, &bytes);
    CHECK(want != NULL);
    if (want && strcmp(want, out.p ? out.p : "") != 0) {
        fprintf(stderr,
                "%s: checkpoint files differs from expected.txt\n--- expected\n%.600s--- got\n%.600s\n", name,
                want, out.p ? out.p : "");
        check_failures++;
    }
    CHECK_EQ_INT(cnt.files, files);
    CHECK_EQ_INT(cnt.bytes, bytes);
    /* ls: version (expected.txt's) and type. */
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/expected.txt", dir, name);
    char *text = s_text(path);
    const char *v = text ? strstr(text, "\nversion ") : NULL;
    CHECK(v != NULL);
    if (v) CHECK_EQ_INT(md.version, atoi(v + 9));
    free(text);
    const char *type = ur_ck_snapshot_type(&md, uri);
    CHECK_EQ_STR(type, sp ? "savepoint" : "checkpoint");
    struct ur_cli_buf ls = {0};
    ur_ck_fmt_ls(&ls, false, base, &md, type, &cnt);
    char vword[16];
    snprintf(vword, sizeof vword, " v%d ", (int)md.version);
    CHECK(ls.p && strstr(ls.p, vword) && strstr(ls.p, type));
    ur_cli_buf_free(&ls);
    ur_cli_buf_free(&out);
    free(want);
    free(buf);
}

/* s3a:// and s3p:// are written as s3://, files referenced twice are one line, segments of one merged
 * file are one line whose size is the furthest segment end, other schemes are kept, --json names roles. */
static void s_writer(void)
{
    struct mdw w;
    mdw_begin(&w, 6, 12);
    mdw_i32(&w, 0);
    mdw_i32(&w, 1);
    mdw_operator(&w, "op", "op", 1);
    mdw_s_null(&w);
    mdw_i32(&w, 1);
    mdw_subtask(&w, 0);
    mdw_i32(&w, 0);
    mdw_i32(&w, 0);
    mdw_k_incr(&w, 11, 12, 0, 128);
    mdw_s_inline(&w, 4);
    mdw_i32(&w, 3);
    mdw_utf(&w, "000001.sst");
    mdw_s_file(&w, "s3a://b/cp/j/shared/u1", 10);
    mdw_utf(&w, "000002.sst");
    mdw_s_file(&w, "S3P://b/cp/j/shared/u2", 20);
    mdw_utf(&w, "000003.sst");
    mdw_s_file(&w, "hdfs://nn/cp/j/shared/u3", 30);
    mdw_i32(&w, 1);
    mdw_utf(&w, "CURRENT");
    mdw_s_rel(&w, "p1", 5);
    mdw_k_incr_end(&w, 11);
    mdw_k_null(&w);
    mdw_i32(&w, 3);
    mdw_ch(&w, 0, 0);
    mdw_s_segment(&w, "s3://b/cp/j/shared/job_j_op_v_0_1/m", 0, 100, 1);
    mdw_ch(&w, 0, 0);
    mdw_s_segment(&w, "s3://b/cp/j/shared/job_j_op_v_0_1/m", 100, 50, 1);
    mdw_ch(&w, 0, 0);
    mdw_s_file(&w, "s3://b/cp/j/shared/u1", 10);
    mdw_i32(&w, 0);
    mdw_trailer(&w, 0);
    struct ur_cli_buf out = {0};
    struct ur_ck_files cnt;
    struct ur_flink_error err;
    CHECK_EQ_INT(ur_ck_fmt_files(&out, false, "s3://b/cp/j/chk-12/_metadata", w.p, w.n, NULL, &cnt, &err), 0);
    CHECK_EQ_STR(out.p ? out.p : "", "hdfs://nn/cp/j/shared/u3 30\n"
                                     "s3://b/cp/j/chk-12/p1 5\n"
                                     "s3://b/cp/j/shared/job_j_op_v_0_1/m 150\n"
                                     "s3://b/cp/j/shared/u1 10\n"
                                     "s3://b/cp/j/shared/u2 20\n");
    CHECK_EQ_INT(cnt.files, 5);
    CHECK_EQ_INT(cnt.shared, 4);
    out.len = 0;
    CHECK_EQ_INT(ur_ck_fmt_files(&out, true, "s3://b/cp/j/chk-12/_metadata", w.p, w.n, NULL, NULL, &err), 0);
    ur_cli_buf_put(&out, "", 1);
    CHECK(strstr(out.p, "{\"uri\":\"s3://b/cp/j/shared/u1\",\"size\":10,\"refs\":[{\"operator\":\"") != NULL);
    CHECK(strstr(out.p, "\"role\":\"keyed-managed/shared:000001.sst\",\"kind\":\"absolute\"},{") != NULL);
    CHECK(strstr(out.p, "\"kind\":\"segment\",\"offset\":100}") != NULL);
    /* A truncated file: an error with an offset, no line. */
    out.len = 0;
    CHECK_EQ_INT(ur_ck_fmt_files(&out, false, "s3://b/x/chk-1/_metadata", w.p, w.n - 3, NULL, NULL, &err),
                 -EBADMSG);
    CHECK(strncmp(err.msg, "offset ", 7) == 0);
    CHECK_EQ_INT(out.len, 0);
    ur_cli_buf_free(&out);
    mdw_free(&w);
}

int main(void)
{
    s_writer();
    const char *dir = samples_dir_or_skip("test_checkpoint_files");
    if (!dir) return check_failures ? 1 : 77;
    int n;
    char **names = samples_list(dir, &n);
    CHECK(n >= 45);
    for (int i = 0; i < n; i++) {
        s_sample(dir, names[i]);
        free(names[i]);
    }
    free(names);
    printf("%d samples\n", n);
    return CHECK_DONE();
}
