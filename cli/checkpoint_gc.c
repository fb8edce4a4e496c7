/* cli/checkpoint_gc.c — the order of `urestore checkpoint gc`: scan every root and protected location, read
 * every _metadata (a file that does not parse ends the run before anything is listed), list the job
 * directories in parallel and judge each object, re-check chk-*_metadata right before acting, then print or
 * delete and summarise. Also the run's bookkeeping and its progress line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/checkpoint.h"
#include "cli/checkpoint_run.h"
#include "cli/out.h"
#include "flink/gc.h"

urestore_client *ur_ck_client(struct ur_ck_run *r, char *err, size_t errlen)
{
    return r->client_new(r->g, err, errlen);
}

static urestore_client *s_thread_client(void *user, char *err, size_t errlen)
{
    return ur_ck_client(user, err, errlen);
}

/* ---- progress ---- */

static bool s_fmt_progress(void *user, char *line, size_t n)
{
    struct ur_ck_run *r = user;
    const char *phase = __atomic_load_n(&r->phase, __ATOMIC_ACQUIRE);
    if (!phase) return false;
    /* Every object listed so far: the scans' count shows the first phase moving, the job directories'
     * the listing's. */
    uint64_t listed =
        __atomic_load_n(&r->scanned, __ATOMIC_RELAXED) + __atomic_load_n(&r->listed, __ATOMIC_RELAXED);
    snprintf(line, n, "%s: %s — %llu _metadata read, %llu objects listed, %llu deleted", r->what, phase,
             (unsigned long long)__atomic_load_n(&r->mds_read, __ATOMIC_RELAXED), (unsigned long long)listed,
             (unsigned long long)__atomic_load_n(&r->deleted, __ATOMIC_RELAXED));
    return true;
}

void ur_ck_progress_start(struct ur_ck_run *r)
{
    pthread_mutex_init(&r->mu, NULL);
    r->mu_init = true;
    ur_cli_progress_init(&r->prog, r->g, r->o.json);
    (void)ur_cli_progress_tick(&r->prog, s_fmt_progress, r); /* no thread: no line, nothing else lost */
}

void ur_ck_progress(struct ur_ck_run *r, const char *phase, const char *detail)
{
    (void)detail;
    __atomic_store_n(&r->phase, phase, __ATOMIC_RELEASE);
    if (!phase) ur_cli_progress_hide(&r->prog, STDERR_FILENO);
}

void ur_ck_progress_stop(struct ur_ck_run *r)
{
    ur_cli_progress_end(&r->prog);
}

/* ---- bookkeeping ---- */

int ur_ck_root_add(struct ur_ck_run *r, const char *bucket, const char *prefix, int group)
{
    for (size_t i = 0; i < r->nroots; i++) /* the same root twice is one root */
        if (!strcmp(r->roots[i].bucket, bucket) && !strcmp(r->roots[i].prefix, prefix)) return 0;
    struct ur_ck_root *p = realloc(r->roots, (r->nroots + 1) * sizeof(*p));
    if (!p) return -ENOMEM;
    r->roots = p;
    memset(&p[r->nroots], 0, sizeof(*p));
    p[r->nroots].bucket = strdup(bucket);
    p[r->nroots].prefix = strdup(prefix);
    p[r->nroots].group = group;
    if (!p[r->nroots].bucket || !p[r->nroots].prefix) return -ENOMEM;
    r->nroots++;
    return 0;
}

int ur_ck_protect_add(struct ur_ck_run *r, const char *bucket, const char *prefix, const char *file)
{
    struct ur_ck_protect *p = realloc(r->prot, (r->nprot + 1) * sizeof(*p));
    if (!p) return -ENOMEM;
    r->prot = p;
    memset(&p[r->nprot], 0, sizeof(*p));
    p[r->nprot].bucket = strdup(bucket);
    p[r->nprot].prefix = strdup(prefix);
    p[r->nprot].file = file ? strdup(file) : NULL;
    r->nprot++;
    if (!p[r->nprot - 1].bucket || !p[r->nprot - 1].prefix || (file && !p[r->nprot - 1].file)) return -ENOMEM;
    return 0;
}

void ur_ck_run_free(struct ur_ck_run *r)
{
    for (size_t i = 0; i < r->nroots; i++) {
        free(r->roots[i].bucket);
        free(r->roots[i].prefix);
        ur_ck_found_free(&r->roots[i].found);
    }
    free(r->roots);
    for (size_t i = 0; i < r->nprot; i++) {
        free(r->prot[i].bucket);
        free(r->prot[i].prefix);
        free(r->prot[i].file);
        ur_ck_found_free(&r->prot[i].found);
    }
    free(r->prot);
    for (size_t i = 0; i < r->nknown; i++)
        free(r->known[i]);
    free(r->known);
    free(r->o.roots);
    free(r->o.protect);
    ur_gc_free(r->gc);
    if (r->mu_init) pthread_mutex_destroy(&r->mu);
}

static int s_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool s_known(const struct ur_ck_run *r, const char *full)
{
    return r->nknown && bsearch(&full, r->known, r->nknown, sizeof(char *), s_cmp_str);
}

static void s_error(struct ur_ck_run *r, const char *msg)
{
    ur_ck_progress(r, NULL, NULL);
    struct ur_cli_buf b = {0};
    ur_cli_fmt_error(&b, r->o.json, "checkpoint", r->what, msg);
    (void)ur_cli_emit(STDERR_FILENO, &b);
    ur_cli_buf_free(&b);
}

/* Reads one _metadata into the planner; with entropy, its chk-N/ is retained under every data root of its
 * group too. root: index of the root it was found under, or -1. Returns 0, or 1 after reporting. */
static int s_read_md(struct ur_ck_run *r, urestore_client *c, const char *bucket, const char *key, int root)
{
    char *full = NULL, err[600], m[1400];
    if (asprintf(&full, "%s/%s", bucket, key) < 0) return s_error(r, "out of memory"), 1;
    if (s_known(r, full)) {
        free(full);
        return 0;
    }
    char **k = realloc(r->known, (r->nknown + 1) * sizeof(*k));
    if (!k) return free(full), s_error(r, "out of memory"), 1;
    r->known = k;
    k[r->nknown++] = full;
    qsort(r->known, r->nknown, sizeof(char *), s_cmp_str); /* few hundred files: fine */
    uint8_t *data = NULL;
    size_t len = 0;
    urestore_status st = ur_ck_read(c, bucket, key, UR_CK_METADATA_MAX, &data, &len, err, sizeof(err));
    if (st == URESTORE_E_NOT_FOUND) return 0; /* deleted since it was listed: it retains nothing */
    if (st != URESTORE_OK) {
        snprintf(m, sizeof(m), "s3://%s/%s: %s; nothing was deleted", bucket, key, err);
        return s_error(r, m), 1;
    }
    struct ur_flink_error fe;
    struct ur_gc_md_stats ms;
    int rc = ur_gc_add_metadata(r->gc, bucket, key, data, len, NULL, &ms, &fe);
    free(data);
    if (rc == -EBADMSG) {
        snprintf(m, sizeof(m), "s3://%s/%s: cannot be parsed: %s; nothing was deleted", bucket, key, fe.msg);
        return s_error(r, m), 1;
    }
    if (rc < 0) return s_error(r, "out of memory"), 1;
    __atomic_fetch_add(&r->mds_read, 1, __ATOMIC_RELAXED);
    r->refs += ms.refs;
    if (root >= 0 && r->roots[root].group == root) {
        const char *rest = key + strlen(r->roots[root].prefix), *sl = strrchr(rest, '/');
        for (size_t j = 0; sl && j < r->nroots; j++) {
            if ((int)j == root || r->roots[j].group != root) continue;
            char *dir = NULL;
            if (asprintf(&dir, "%s%.*s", r->roots[j].prefix, (int)(sl - rest) + 1, rest) < 0 ||
                ur_gc_retain_dir(r->gc, bucket, dir) < 0) {
                free(dir);
                return s_error(r, "out of memory"), 1;
            }
            free(dir);
        }
    }
    return 0;
}

/* The candidates' temporary file failed (rc: -errno from the planner). */
static void s_spill_error(struct ur_ck_run *r, int rc)
{
    char m[1400];
    if (rc == -ENOMEM)
        snprintf(m, sizeof(m), "out of memory; nothing was deleted");
    else
        snprintf(m, sizeof(m), "the candidates' temporary file in %s: %s; nothing was deleted",
                 ur_gc_spill_dir(r->gc), strerror(-rc));
    s_error(r, m);
}

/* ---- listing ---- */

static int s_on_obj(void *user, const char *bucket, const char *job, const struct urestore_object *o)
{
    struct ur_ck_run *r = user;
    enum ur_gc_verdict v = ur_gc_judge(r->gc, bucket, job, o->key, o->last_modified);
    pthread_mutex_lock(&r->mu);
    int rc = ur_gc_record(r->gc, v, bucket, job, o->key, o->size, o->last_modified);
    if (rc < 0 && !r->record_rc) r->record_rc = rc;
    pthread_mutex_unlock(&r->mu);
    __atomic_fetch_add(&r->listed, 1, __ATOMIC_RELAXED);
    return rc < 0;
}

/* The _metadata keys a re-check listing finds. */
struct s_mds {
    char **v;
    size_t n;
};

static int s_on_recheck(void *user, const char *bucket, const char *job, const struct urestore_object *o)
{
    (void)bucket, (void)job;
    struct s_mds *m = user;
    size_t kl = strlen(o->key);
    if (kl < 10 || strcmp(o->key + kl - 10, "/_metadata")) return 0;
    char **v = realloc(m->v, (m->n + 1) * sizeof(*v));
    if (!v) return 1;
    m->v = v;
    if (!(v[m->n] = strdup(o->key))) return 1;
    m->n++;
    return 0;
}

/* Right before acting: list every job's chk-* again and read the _metadata files not read yet. */
static int s_recheck(struct ur_ck_run *r, urestore_client *c)
{
    /* Tests: a window for a checkpoint to appear. gc says it waits, then waits (at most 120 s) until the file
     * URESTORE_TEST_GC_PAUSE names exists. */
    const char *pause = getenv("URESTORE_TEST_GC_PAUSE");
    if (pause && *pause) {
        ur_ck_progress(r, NULL, NULL); /* the message is a line of its own, not the progress line's tail */
        fprintf(stderr,
                "%s: pausing before the re-check until %s exists "
                "(URESTORE_TEST_GC_PAUSE)\n",
                r->what, pause);
        for (int i = 0; i < 1200 && access(pause, F_OK) != 0; i++) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    ur_ck_progress(r, "re-checking chk-*/_metadata", NULL);
    uint64_t before = r->mds_read;
    for (size_t i = 0; i < r->nroots; i++) {
        struct ur_ck_root *rt = &r->roots[i];
        for (size_t j = 0; j < rt->found.njobs; j++) {
            char *prefix = NULL, err[600], m[1400];
            if (asprintf(&prefix, "%schk-", rt->found.jobs[j]) < 0) return s_error(r, "out of memory"), 1;
            struct s_mds mds = {0};
            urestore_status st = ur_ck_list_prefix(c, rt->bucket, rt->found.jobs[j], prefix, s_on_recheck,
                                                   &mds, err, sizeof(err));
            free(prefix);
            int rc = 0;
            if (st != URESTORE_OK) {
                snprintf(m, sizeof(m), "re-check of s3://%s/%s: %s; nothing was deleted", rt->bucket,
                         rt->found.jobs[j], err);
                s_error(r, m);
                rc = 1;
            }
            for (size_t k = 0; k < mds.n; k++) {
                if (!rc) rc = s_read_md(r, c, rt->bucket, mds.v[k], rt->group == (int)i ? (int)i : -1);
                free(mds.v[k]);
            }
            free(mds.v);
            if (rc) return rc;
        }
    }
    r->recheck_new = r->mds_read - before;
    size_t dropped = 0;
    int rc = ur_gc_finish(r->gc, &dropped);
    if (rc < 0) return s_spill_error(r, rc), 1;
    r->recheck_dropped = dropped;
    return 0;
}

/* ---- summary ---- */

static void s_summary(struct ur_ck_run *r, uint64_t jobs)
{
    struct ur_gc_tally t;
    ur_gc_summary(r->gc, &t);
    uint64_t cand = t.objects[UR_GC_ORPHAN] + t.objects[UR_GC_FAILED_CHK];
    uint64_t cbytes = t.bytes[UR_GC_ORPHAN] + t.bytes[UR_GC_FAILED_CHK];
    struct ur_cli_buf b = {0};
    char line[512];
    if (r->o.json) {
        snprintf(line, sizeof(line),
                 "{\"summary\":{\"delete\":%s,\"candidates\":%llu,\"candidate_bytes\":%"
                 "llu,\"deleted\":%llu,"
                 "\"failed\":%llu,\"metadata_read\":%llu,\"referenced_files\":%llu,"
                 "\"listed\":%llu,\"jobs\":%llu,"
                 "\"recheck_new_metadata\":%llu,\"recheck_dropped\":%llu,\"verdicts\":{",
                 r->o.delete_ ? "true" : "false", (unsigned long long)cand, (unsigned long long)cbytes,
                 (unsigned long long)r->deleted, (unsigned long long)r->failed,
                 (unsigned long long)r->mds_read, (unsigned long long)ur_gc_ref_count(r->gc),
                 (unsigned long long)r->listed, (unsigned long long)jobs, (unsigned long long)r->recheck_new,
                 (unsigned long long)r->recheck_dropped);
        ur_cli_buf_puts(&b, line);
        for (int v = 0; v < UR_GC_NVERDICTS; v++) {
            snprintf(line, sizeof(line), "%s\"%s\":{\"objects\":%llu,\"bytes\":%llu}", v ? "," : "",
                     ur_gc_verdict_name((enum ur_gc_verdict)v), (unsigned long long)t.objects[v],
                     (unsigned long long)t.bytes[v]);
            ur_cli_buf_puts(&b, line);
        }
        ur_cli_buf_puts(&b, "}}}\n");
    } else {
        snprintf(line, sizeof(line),
                 "# %s: %llu objects (%llu bytes) %s: %llu orphans, %llu in failed "
                 "checkpoints\n",
                 r->what, (unsigned long long)cand, (unsigned long long)cbytes,
                 r->o.delete_ ? "to delete" : "would be deleted (dry run: add --delete)",
                 (unsigned long long)t.objects[UR_GC_ORPHAN],
                 (unsigned long long)t.objects[UR_GC_FAILED_CHK]);
        ur_cli_buf_puts(&b, line);
        if (r->o.delete_) {
            snprintf(line, sizeof(line), "# deleted %llu, failed %llu\n", (unsigned long long)r->deleted,
                     (unsigned long long)r->failed);
            ur_cli_buf_puts(&b, line);
        }
        for (int v = UR_GC_REFERENCED; v < UR_GC_NVERDICTS; v++) {
            if (!t.objects[v]) continue;
            snprintf(line, sizeof(line), "# left alone: %llu %s (%llu bytes)\n",
                     (unsigned long long)t.objects[v], ur_gc_verdict_name((enum ur_gc_verdict)v),
                     (unsigned long long)t.bytes[v]);
            ur_cli_buf_puts(&b, line);
        }
        snprintf(line, sizeof(line),
                 "# read %llu _metadata (%llu referenced files), listed %llu "
                 "objects in %llu job directories, "
                 "re-check: %llu new _metadata, %llu candidates dropped\n",
                 (unsigned long long)r->mds_read, (unsigned long long)ur_gc_ref_count(r->gc),
                 (unsigned long long)r->listed, (unsigned long long)jobs, (unsigned long long)r->recheck_new,
                 (unsigned long long)r->recheck_dropped);
        ur_cli_buf_puts(&b, line);
    }
    (void)ur_cli_emit(STDOUT_FILENO, &b);
    ur_cli_buf_free(&b);
}

int ur_ck_gc_run(struct ur_ck_run *r, urestore_client *c)
{
    char err[600], m[1400];
    /* 1. Find every _metadata under every root and protected location. */
    ur_ck_progress(r, "finding _metadata", NULL);
    for (size_t i = 0; i < r->nroots; i++) {
        struct ur_ck_root *rt = &r->roots[i];
        if (ur_ck_scan(c, rt->bucket, rt->prefix, &rt->found, &r->scanned, err, sizeof(err)) != URESTORE_OK) {
            snprintf(m, sizeof(m), "s3://%s/%s: %s", rt->bucket, rt->prefix, err);
            return s_error(r, m), 1;
        }
    }
    for (size_t i = 0; i < r->nprot; i++) {
        struct ur_ck_protect *p = &r->prot[i];
        if (ur_gc_protect(r->gc, p->bucket, p->prefix) < 0) return s_error(r, "out of memory"), 1;
        if (p->file) continue;
        if (ur_ck_scan(c, p->bucket, p->prefix, &p->found, &r->scanned, err, sizeof(err)) != URESTORE_OK) {
            snprintf(m, sizeof(m), "--protect s3://%s/%s: %s", p->bucket, p->prefix, err);
            return s_error(r, m), 1;
        }
    }
    /* 2. Read them all: one that cannot be read or parsed ends the run before any listing. */
    ur_ck_progress(r, "reading _metadata", NULL);
    for (size_t i = 0; i < r->nroots; i++) {
        struct ur_ck_root *rt = &r->roots[i];
        for (size_t k = 0; k < rt->found.nmds; k++)
            if (s_read_md(r, c, rt->bucket, rt->found.mds[k].key, rt->group == (int)i ? (int)i : -1))
                return 1;
    }
    for (size_t i = 0; i < r->nprot; i++) {
        struct ur_ck_protect *p = &r->prot[i];
        if (p->file && s_read_md(r, c, p->bucket, p->file, -1)) return 1;
        for (size_t k = 0; k < p->found.nmds; k++)
            if (s_read_md(r, c, p->bucket, p->found.mds[k].key, -1)) return 1;
    }
    /* 3. List every job directory and judge every object. */
    ur_ck_progress(r, "listing job directories", NULL);
    uint64_t jobs = 0;
    for (size_t i = 0; i < r->nroots; i++) {
        struct ur_ck_root *rt = &r->roots[i];
        jobs += rt->found.njobs;
        if (!rt->found.njobs) continue;
        urestore_status st = ur_ck_list_parallel(s_thread_client, r, r->o.threads, rt->bucket, rt->found.jobs,
                                                 rt->found.njobs, s_on_obj, r, err, sizeof(err));
        if (r->record_rc) return s_spill_error(r, r->record_rc), 1;
        if (st != URESTORE_OK) {
            snprintf(m, sizeof(m), "s3://%s/%s: %s; nothing was deleted", rt->bucket, rt->prefix, err);
            return s_error(r, m), 1;
        }
    }
    int rc = ur_gc_finish(r->gc, NULL);
    if (rc < 0) return s_spill_error(r, rc), 1;
    /* 4. The re-check, 5. act. */
    if (s_recheck(r, c)) return 1;
    ur_ck_progress(r, r->o.delete_ ? "deleting" : NULL, NULL);
    uint64_t failed = ur_ck_remove(r, c);
    ur_ck_progress(r, NULL, NULL);
    s_summary(r, jobs);
    return failed ? 1 : 0;
}
