/* tests/flink/samples.h — test-only helpers shared by the Flink unit tests: find the `_metadata` samples
 * in ../shared/flink-metadata-samples (beside the repository; never copied into it), read a file whole,
 * and collect the references a parse hands out with their role in expected.txt's words. Header-only
 * (static inline) because each unit test program is built from one source file. */
#ifndef UR_TESTS_FLINK_SAMPLES_H
#define UR_TESTS_FLINK_SAMPLES_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flink/metadata.h"

/* The samples directory: $UR_FLINK_SAMPLES, else ../shared/flink-metadata-samples from the repository
 * root (the test runner's working directory), else the same beside the repository this binary was built
 * in ($BUILD/tests/test_x → ../../../shared). NULL when absent. */
static inline const char *samples_dir(void)
{
    static char buf[4096];
    struct stat st;
    const char *env = getenv("UR_FLINK_SAMPLES");
    if (env && *env) return stat(env, &st) == 0 ? env : NULL;
    if (stat("../shared/flink-metadata-samples", &st) == 0) return "../shared/flink-metadata-samples";
    char exe[4096];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0) return NULL;
    exe[k] = '\0';
    for (int up = 0; up < 3; up++) {
        char *sl = strrchr(exe, '/');
        if (!sl) return NULL;
        *sl = '\0';
    }
    snprintf(buf, sizeof buf, "%s/../shared/flink-metadata-samples", exe);
    return stat(buf, &st) == 0 ? buf : NULL;
}

/* samples_dir(), or NULL after printing the runner's skip line for test. */
static inline const char *samples_dir_or_skip(const char *test)
{
    const char *dir = samples_dir();
    if (!dir) printf("SKIP %s: ../shared/flink-metadata-samples not found beside the repository\n", test);
    return dir;
}

/* The sample names (directories holding a _metadata), sorted; *n set. Caller frees each and the array. */
static inline char **samples_list(const char *dir, int *n)
{
    struct dirent **ents;
    int k = scandir(dir, &ents, NULL, alphasort), m = 0;
    char **out = calloc(k > 0 ? (size_t)k : 1, sizeof *out);
    for (int i = 0; i < k; i++) {
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s/_metadata", dir, ents[i]->d_name);
        if (ents[i]->d_name[0] != '.' && stat(p, &st) == 0) out[m++] = strdup(ents[i]->d_name);
        free(ents[i]);
    }
    free(k >= 0 ? ents : NULL);
    *n = m;
    return out;
}

/* Reads a whole file into an exact-size malloc'd buffer (so ASan sees a read past its end). */
static inline unsigned char *read_whole(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(len > 0 ? (size_t)len : 1);
    if (p && fread(p, 1, (size_t)len, f) != (size_t)len) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return p;
}

/* The _metadata of sample name, as read_whole reads it. */
static inline unsigned char *read_sample(const char *dir, const char *name, size_t *n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/_metadata", dir, name);
    return read_whole(path, n);
}

/* One reference as a test sees it. */
struct got_ref {
    enum ur_flink_ref_kind kind;
    char path[512];
    long long size, seg_offset;
    int scope, subtask;
    unsigned op;
    char role[160];
    unsigned long long handle_offset, handle_end;
};

struct got {
    struct got_ref *r;
    size_t n, cap;
};

/* expected.txt's role words: "operator-managed", "keyed-managed/meta", "keyed-managed/private:CURRENT". */
static inline void role_of(const struct ur_flink_ref *ref, char *out, size_t cap)
{
    int k = snprintf(out, cap, "%s", ur_flink_position_name(ref->position));
    if (ref->part != UR_FLINK_PART_NONE && (size_t)k < cap)
        k += snprintf(out + k, cap - (size_t)k, "/%s", ur_flink_part_name(ref->part));
    if (ref->local_name && (size_t)k < cap)
        snprintf(out + k, cap - (size_t)k, ":%.*s", (int)ref->local_name_len, ref->local_name);
}

static inline int got_collect(void *user, const struct ur_flink_ref *ref)
{
    struct got *g = user;
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 64;
        g->r = realloc(g->r, g->cap * sizeof *g->r);
    }
    struct got_ref *r = &g->r[g->n++];
    memset(r, 0, sizeof *r);
    r->kind = ref->kind;
    snprintf(r->path, sizeof r->path, "%.*s", (int)ref->path_len, ref->path);
    r->size = ref->size;
    r->seg_offset = ref->seg_offset;
    r->scope = ref->seg_scope;
    r->subtask = ref->subtask;
    r->op = ref->operator_index;
    role_of(ref, r->role, sizeof r->role);
    r->handle_offset = ref->handle_offset;
    r->handle_end = ref->handle_end;
    return 0;
}

static inline int count_calls(void *user, const struct ur_flink_ref *ref)
{
    (void)ref;
    ++*(int *)user;
    return 0;
}

/* Parses every proper prefix of buf, each in an exact-size copy: all must fail with -EBADMSG, an offset
 * within the prefix and a message, without one callback. Returns how many did not (first few printed). */
static inline int truncations_fail_closed(const unsigned char *buf, size_t n, const char *what)
{
    int bad = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char *cut = malloc(k ? k : 1);
        memcpy(cut, buf, k);
        int calls = 0;
        struct ur_flink_error err;
        int rc = ur_flink_metadata_parse(cut, k, count_calls, &calls, NULL, &err);
        if ((rc != -EBADMSG || calls || err.offset > k || strncmp(err.msg, "offset ", 7) != 0) && bad++ < 3)
            fprintf(stderr, "%s cut at %zu: rc %d, %d calls, offset %llu: %s\n", what, k, rc, calls,
                    (unsigned long long)err.offset, err.msg);
        free(cut);
    }
    return bad;
}

static inline void got_free(struct got *g)
{
    free(g->r);
    memset(g, 0, sizeof *g);
}

#endif
