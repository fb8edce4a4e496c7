/* cli/checkpoint_scan.c — listing and reading a Flink checkpoint tree (see cli/checkpoint_scan.h): the scan
 * that skips shared/ and taskowned/ subtrees by restarting the listing after them, entropy components, the
 * parallel listing of job directories in key ranges, and whole-object reads. Only the public ABI. */
#include "cli/checkpoint_scan.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flink/ckpath.h"

/* Sorts after every valid UTF-8 continuation of a prefix: U+10FFFF, the largest code point. A listing
 * restarted with start-after = SUBTREE + this skips the whole subtree. */
#define S_AFTER_ALL "\xf4\x8f\xbf\xbf"

void ur_ck_found_free(struct ur_ck_found *f)
{
    free(f->bucket);
    for (size_t i = 0; i < f->njobs; i++)
        free(f->jobs[i]);
    free(f->jobs);
    for (size_t i = 0; i < f->nmds; i++)
        free(f->mds[i].key);
    free(f->mds);
    for (size_t i = 0; i < f->ndirs; i++)
        free(f->dirs[i].prefix);
    free(f->dirs);
    memset(f, 0, sizeof(*f));
}

static int s_grow(void **p, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap) return 0;
    size_t c = *cap ? *cap * 2 : 16;
    void *q = realloc(*p, c * elem);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

struct s_scan {
    struct ur_ck_found *f;
    const char *prefix;
    size_t plen;
    size_t jobcap, mdcap, dircap;
    char *skip_to; /* set when the callback stopped to skip a subtree */
    uint64_t *progress;
    bool oom;
};

static bool s_is(const char *s, size_t len, const char *word)
{
    return len == strlen(word) && !memcmp(s, word, len);
}

static int s_add_job(struct s_scan *s, const char *key, size_t len)
{
    struct ur_ck_found *f = s->f;
    for (size_t i = f->njobs; i-- > 0;) /* keys come sorted: a job repeats right after itself */
        if (strlen(f->jobs[i]) == len && !memcmp(f->jobs[i], key, len)) return 0;
    if (s_grow((void **)&f->jobs, &s->jobcap, f->njobs, sizeof(char *)) < 0) return -1;
    if (!(f->jobs[f->njobs] = strndup(key, len))) return -1;
    f->njobs++;
    return 0;
}

/* The chk-N/ directory dir (key[0..len)) saw one more object. */
static int s_add_dir(struct s_scan *s, const char *key, size_t len, const struct urestore_object *o, bool md)
{
    struct ur_ck_found *f = s->f;
    struct ur_ck_dir *d = f->ndirs ? &f->dirs[f->ndirs - 1] : NULL;
    if (!d || strlen(d->prefix) != len || memcmp(d->prefix, key, len)) {
        if (s_grow((void **)&f->dirs, &s->dircap, f->ndirs, sizeof(*d)) < 0) return -1;
        d = &f->dirs[f->ndirs];
        memset(d, 0, sizeof(*d));
        if (!(d->prefix = strndup(key, len))) return -1;
        d->newest = -1;
        f->ndirs++;
    }
    d->objects++;
    d->bytes += o->size;
    d->has_metadata |= md;
    if (o->last_modified > d->newest) d->newest = o->last_modified;
    return 0;
}

/* Stops the listing to restart it after the subtree key[0..len) (ending in '/'). */
static int s_skip(struct s_scan *s, const char *key, size_t len, const char *current)
{
    free(s->skip_to);
    if (asprintf(&s->skip_to, "%.*s" S_AFTER_ALL, (int)len, key) < 0) {
        s->skip_to = NULL;
        s->oom = true;
        return 1;
    }
    if (strcmp(s->skip_to, current) <= 0) { /* never go backwards: skip at least this key */
        free(s->skip_to);
        s->skip_to = strdup(current);
        if (!s->skip_to) s->oom = true;
    }
    return 1;
}

static int s_on_scan(void *user, const struct urestore_object *o)
{
    struct s_scan *s = user;
    if (s->progress) __atomic_fetch_add(s->progress, 1, __ATOMIC_RELAXED);
    s->f->listed++;
    const char *key = o->key, *rel = key + s->plen;
    size_t klen = strlen(key), rlen = klen - s->plen;
    if (klen < s->plen) return 0;
    bool md = klen >= 9 && !strcmp(key + klen - 9, "_metadata") && (klen == 9 || key[klen - 10] == '/');
    if (md) {
        struct ur_ck_found *f = s->f;
        if (s_grow((void **)&f->mds, &s->mdcap, f->nmds, sizeof(*f->mds)) < 0) return s->oom = true, 1;
        if (!(f->mds[f->nmds].key = strdup(key))) return s->oom = true, 1;
        f->mds[f->nmds++].size = o->size;
    }
    /* Up to two components: <c0>/… (the root is a job) or <job>/<c1>/… (the root holds jobs). */
    const char *sl0 = memchr(rel, '/', rlen);
    if (!sl0) return 0;
    size_t l0 = (size_t)(sl0 - rel);
    uint64_t id;
    for (int depth = 0; depth < 2; depth++) {
        const char *c = depth ? sl0 + 1 : rel;
        const char *end = key + klen, *sl = memchr(c, '/', (size_t)(end - c));
        if (!sl) break;
        size_t cl = (size_t)(sl - c);
        size_t job_len = depth ? s->plen + l0 + 1 : s->plen;
        if (s_is(c, cl, "shared") || s_is(c, cl, "taskowned")) {
            if (s_add_job(s, key, job_len) < 0) return s->oom = true, 1;
            return s_skip(s, key, (size_t)(sl - key) + 1, key);
        }
        bool chk = ur_flink_chk_id(c, cl, &id) == 0;
        if (chk || (cl > 10 && !strncmp(c, "savepoint-", 10))) {
            if (chk && s_add_job(s, key, job_len) < 0) return s->oom = true, 1;
            if (s_add_dir(s, key, (size_t)(sl - key) + 1, o, md) < 0) return s->oom = true, 1;
            return 0;
        }
    }
    return 0;
}

/* Runs a listing of s3://bucket/prefix that the callback may stop to skip ahead (s->skip_to). */
static urestore_status s_list_skipping(urestore_client *c, const char *bucket, const char *prefix,
                                       urestore_list_fn fn, struct s_scan *s, char *err, size_t errlen)
{
    char *uri = NULL;
    if (asprintf(&uri, "s3://%s/%s", bucket, prefix) < 0) return URESTORE_E_NOMEM;
    char *after = NULL;
    urestore_status st;
    for (;;) {
        free(s->skip_to);
        s->skip_to = NULL;
        st = urestore_list(c, uri, after, fn, s, err, errlen);
        free(after);
        after = s->skip_to;
        s->skip_to = NULL;
        if (s->oom) st = URESTORE_E_NOMEM;
        if (st != URESTORE_OK || !after) break;
    }
    free(after);
    free(uri);
    return st;
}

urestore_status ur_ck_scan(urestore_client *c, const char *bucket, const char *prefix, struct ur_ck_found *f,
                           uint64_t *progress, char *err, size_t errlen)
{
    if (!f->bucket && !(f->bucket = strdup(bucket))) return URESTORE_E_NOMEM;
    struct s_scan s = {.f = f, .prefix = prefix, .plen = strlen(prefix), .progress = progress};
    s.jobcap = f->njobs, s.mdcap = f->nmds, s.dircap = f->ndirs; /* arrays exactly full: grow on next */
    return s_list_skipping(c, bucket, prefix, s_on_scan, &s, err, errlen);
}

struct s_comps {
    struct s_scan s; /* only skip_to and oom are used */
    size_t plen, cap;
    char **v;
    size_t n;
};

static int s_on_comp(void *user, const struct urestore_object *o)
{
    struct s_comps *k = user;
    const char *rel = o->key + k->plen, *sl = strchr(rel, '/');
    if (strlen(o->key) < k->plen || !sl) return 0; /* an object right at this level: no component */
    if (s_grow((void **)&k->v, &k->cap, k->n, sizeof(char *)) < 0) return k->s.oom = true, 1;
    if (!(k->v[k->n] = strndup(rel, (size_t)(sl - rel)))) return k->s.oom = true, 1;
    k->n++;
    return s_skip(&k->s, o->key, (size_t)(sl - o->key) + 1, o->key);
}

urestore_status ur_ck_components(urestore_client *c, const char *bucket, const char *prefix, char ***out,
                                 size_t *n, char *err, size_t errlen)
{
    struct s_comps k = {.plen = strlen(prefix)};
    /* s_list_skipping hands the callback its struct s_scan: it is the first member here. */
    urestore_status st = s_list_skipping(c, bucket, prefix, s_on_comp, &k.s, err, errlen);
    *out = k.v;
    *n = k.n;
    return st;
}

urestore_status ur_ck_read(urestore_client *c, const char *bucket, const char *key, size_t max,
                           uint8_t **data, size_t *len, char *err, size_t errlen)
{
    char *uri = NULL;
    if (asprintf(&uri, "s3://%s/%s", bucket, key) < 0) return URESTORE_E_NOMEM;
    struct urestore_result r;
    memset(&r, 0, sizeof(r));
    void *p = NULL;
    urestore_status st = urestore_get(c, uri, max, &p, len, &r);
    free(uri);
    if (st != URESTORE_OK) {
        snprintf(err, errlen, "%s", r.message[0] ? r.message : urestore_status_str(st));
        free(p);
        return st;
    }
    *data = p;
    return st;
}

/* ---- the parallel listing ---- */

static const char s_hex[] = "0123456789abcdef";
#define S_PARTS 17 /* before shared/0, the 15 ranges between hex digits, after shared/f */

struct s_par {
    const char *bucket;
    char *const *jobs;
    size_t njobs;
    ur_ck_each_fn fn;
    void *user;
    pthread_mutex_t mu;
    size_t next; /* next part: job * S_PARTS + part */
    bool stop;   /* a failure: the others stop */
    urestore_status st;
    char err[512];
};

struct s_part {
    struct s_par *p;
    const char *job;
    char hi[1200]; /* stop after keys beyond this ("" = none) */
    bool stopped_by_fn;
};

static int s_on_part(void *user, const struct urestore_object *o)
{
    struct s_part *q = user;
    if (q->hi[0] && strcmp(o->key, q->hi) > 0) return 1; /* the next range's */
    if (q->p->stop) return 1;
    if (q->p->fn(q->p->user, q->p->bucket, q->job, o)) {
        q->stopped_by_fn = true;
        return 1;
    }
    return 0;
}

static void s_fail(struct s_par *p, urestore_status st, const char *msg)
{
    pthread_mutex_lock(&p->mu);
    if (!p->stop) {
        p->stop = true;
        p->st = st;
        snprintf(p->err, sizeof(p->err), "%s", msg);
    }
    pthread_mutex_unlock(&p->mu);
}

struct s_worker_arg {
    struct s_par *p;
    urestore_client *c; /* made on the calling thread: credential sources are not read concurrently */
};

static void *s_worker(void *arg)
{
    struct s_worker_arg *w = arg;
    struct s_par *p = w->p;
    urestore_client *c = w->c;
    char err[512] = "";
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next++;
        bool stop = p->stop || i >= p->njobs * S_PARTS;
        pthread_mutex_unlock(&p->mu);
        if (stop) break;
        const char *job = p->jobs[i / S_PARTS];
        int part = (int)(i % S_PARTS);
        struct s_part q = {.p = p, .job = job};
        char lo[1200] = "", *uri = NULL;
        if (part > 0) snprintf(lo, sizeof(lo), "%sshared/%c", job, s_hex[part - 1]);
        if (part < S_PARTS - 1) snprintf(q.hi, sizeof(q.hi), "%sshared/%c", job, s_hex[part]);
        if (asprintf(&uri, "s3://%s/%s", p->bucket, job) < 0) {
            s_fail(p, URESTORE_E_NOMEM, "out of memory");
            break;
        }
        urestore_status st = urestore_list(c, uri, lo[0] ? lo : NULL, s_on_part, &q, err, sizeof(err));
        free(uri);
        if (st != URESTORE_OK) {
            s_fail(p, st, err[0] ? err : urestore_status_str(st));
            break;
        }
        if (q.stopped_by_fn) {
            s_fail(p, URESTORE_E_NOMEM, "out of memory");
            break;
        }
    }
    return NULL;
}

urestore_status ur_ck_list_parallel(ur_ck_client_fn new_client, void *client_user, unsigned threads,
                                    const char *bucket, char *const *jobs, size_t njobs, ur_ck_each_fn fn,
                                    void *user, char *err, size_t errlen)
{
    struct s_par p = {
        .bucket = bucket, .jobs = jobs, .njobs = njobs, .fn = fn, .user = user, .st = URESTORE_OK};
    pthread_mutex_init(&p.mu, NULL);
    if (threads < 1) threads = 1;
    if (threads > njobs * S_PARTS) threads = (unsigned)(njobs * S_PARTS);
    pthread_t *t = calloc(threads ? threads : 1, sizeof(*t));
    struct s_worker_arg *w = calloc(threads ? threads : 1, sizeof(*w));
    unsigned made = 0, started = 0;
    for (unsigned i = 0; t && w && i < threads; i++, made++) {
        w[i].p = &p;
        char e[512] = "";
        if (!(w[i].c = new_client(client_user, e, sizeof(e)))) {
            s_fail(&p, URESTORE_E_INVALID, e);
            break;
        }
    }
    for (unsigned i = 0; !p.stop && i < made; i++)
        if (pthread_create(&t[started], NULL, s_worker, &w[i]) == 0) started++;
    if (!p.stop && !started) s_fail(&p, URESTORE_E_NOMEM, "could not start a listing thread");
    for (unsigned i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    for (unsigned i = 0; w && i < made; i++)
        if (w[i].c) urestore_client_destroy(w[i].c);
    free(w);
    free(t);
    pthread_mutex_destroy(&p.mu);
    if (p.st != URESTORE_OK) snprintf(err, errlen, "%s", p.err);
    return p.st;
}

struct s_seq {
    const char *bucket, *job;
    ur_ck_each_fn fn;
    void *user;
};

static int s_on_seq(void *user, const struct urestore_object *o)
{
    struct s_seq *q = user;
    return q->fn(q->user, q->bucket, q->job, o);
}

urestore_status ur_ck_list_prefix(urestore_client *c, const char *bucket, const char *jobdir,
                                  const char *prefix, ur_ck_each_fn fn, void *user, char *err, size_t errlen)
{
    char *uri = NULL;
    if (asprintf(&uri, "s3://%s/%s", bucket, prefix) < 0) return URESTORE_E_NOMEM;
    struct s_seq q = {bucket, jobdir, fn, user};
    urestore_status st = urestore_list(c, uri, NULL, s_on_seq, &q, err, errlen);
    free(uri);
    return st;
}
