/* flink/gc.c — the cleanup planner (see flink/gc.h): a string set of referenced objects, the per-object
 * rules, the whole-directory decision for chk-N/ without _metadata, and the candidates, kept sorted in a
 * spill (flink/spill.c). No network I/O; the spill's temporary file is the only file it writes. */
#include "flink/gc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flink/ckpath.h"
#include "flink/spill.h"

/* ---- strings in 1 MiB chunks, addressed by a 32-bit offset (chunk << 20 | position) ---- */

#define S_CHUNK_BITS 20
#define S_CHUNK ((size_t)1 << S_CHUNK_BITS)
#define S_MAX_CHUNKS 4096 /* 4 GiB of strings */

struct s_arena {
    char **chunks;
    size_t nchunks, used; /* used: bytes of the last chunk */
    uint64_t bytes;       /* chunk memory held */
};

/* Appends len bytes (with a 4-byte length before them and a NUL after); returns the offset or -1. */
static int64_t s_arena_put(struct s_arena *a, const char *s, size_t len)
{
    size_t need = 4 + len + 1;
    if (need > S_CHUNK) return -1;
    if (!a->nchunks || a->used + need > S_CHUNK) {
        if (a->nchunks == S_MAX_CHUNKS) return -1;
        char **c = realloc(a->chunks, (a->nchunks + 1) * sizeof(*c));
        if (!c) return -1;
        a->chunks = c;
        if (!(c[a->nchunks] = malloc(S_CHUNK))) return -1;
        a->nchunks++;
        a->used = 0;
        a->bytes += S_CHUNK;
    }
    char *p = a->chunks[a->nchunks - 1] + a->used;
    uint32_t l = (uint32_t)len;
    memcpy(p, &l, 4);
    memcpy(p + 4, s, len);
    p[4 + len] = '\0';
    int64_t off = (int64_t)(((a->nchunks - 1) << S_CHUNK_BITS) | a->used);
    a->used += need;
    return off;
}

static const char *s_arena_get(const struct s_arena *a, uint32_t off, size_t *len)
{
    const char *p = a->chunks[off >> S_CHUNK_BITS] + (off & (S_CHUNK - 1));
    uint32_t l;
    memcpy(&l, p, 4);
    if (len) *len = l;
    return p + 4;
}

static void s_arena_free(struct s_arena *a)
{
    for (size_t i = 0; i < a->nchunks; i++)
        free(a->chunks[i]);
    free(a->chunks);
    memset(a, 0, sizeof(*a));
}

/* ---- a set of strings: open addressing over 8-byte slots (hash tag << 32 | id + 1) ---- */

struct s_set {
    uint64_t *slots;
    size_t nslots, n;
    uint32_t *offs; /* id -> arena offset */
    size_t offcap;
    struct s_arena arena;
};

static uint64_t s_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull ^ len;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    h ^= h >> 33; /* murmur3's finaliser: FNV's low bits alone cluster */
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* The id of s, or -1. */
static int64_t s_set_find_h(const struct s_set *t, const char *s, size_t len, uint64_t h)
{
    if (!t->nslots) return -1;
    size_t mask = t->nslots - 1;
    uint32_t tag = (uint32_t)(h >> 32);
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        uint64_t v = t->slots[i];
        if (!v) return -1;
        if ((uint32_t)(v >> 32) != tag) continue;
        uint32_t id = (uint32_t)v - 1;
        size_t l;
        const char *p = s_arena_get(&t->arena, t->offs[id], &l);
        if (l == len && memcmp(p, s, len) == 0) return id;
    }
}

static int s_set_grow(struct s_set *t)
{
    size_t ns = t->nslots ? t->nslots * 2 : 1024;
    uint64_t *sl = calloc(ns, sizeof(*sl));
    if (!sl) return -ENOMEM;
    for (size_t i = 0; i < t->nslots; i++) {
        uint64_t v = t->slots[i];
        if (!v) continue;
        size_t l;
        const char *p = s_arena_get(&t->arena, t->offs[(uint32_t)v - 1], &l);
        size_t k = (size_t)s_hash(p, l) & (ns - 1);
        while (sl[k])
            k = (k + 1) & (ns - 1);
        sl[k] = v;
    }
    free(t->slots);
    t->slots = sl;
    t->nslots = ns;
    return 0;
}

/* Adds s; returns its id in *id and 1 when new, 0 when present, or -ENOMEM. */
static int s_set_put(struct s_set *t, const char *s, size_t len, uint32_t *id)
{
    uint64_t h = s_hash(s, len);
    int64_t f = s_set_find_h(t, s, len, h);
    if (f >= 0) {
        if (id) *id = (uint32_t)f;
        return 0;
    }
    if (t->n >= UINT32_MAX - 1) return -ENOMEM;
    if ((t->n + 1) * 10 > t->nslots * 7 && s_set_grow(t) < 0) return -ENOMEM;
    if (t->n == t->offcap) {
        size_t cap = t->offcap ? t->offcap * 2 : 1024;
        uint32_t *o = realloc(t->offs, cap * sizeof(*o));
        if (!o) return -ENOMEM;
        t->offs = o;
        t->offcap = cap;
    }
    int64_t off = s_arena_put(&t->arena, s, len);
    if (off < 0) return -ENOMEM;
    t->offs[t->n] = (uint32_t)off;
    size_t mask = t->nslots - 1, k = (size_t)h & mask;
    while (t->slots[k])
        k = (k + 1) & mask;
    t->slots[k] = ((uint64_t)(uint32_t)(h >> 32) << 32) | (uint64_t)(t->n + 1);
    if (id) *id = (uint32_t)t->n;
    t->n++;
    return 1;
}

static void s_set_free(struct s_set *t)
{
    free(t->slots);
    free(t->offs);
    s_arena_free(&t->arena);
    memset(t, 0, sizeof(*t));
}

static uint64_t s_set_memory(const struct s_set *t)
{
    return t->nslots * 8 + t->offcap * 4 + t->arena.bytes;
}

/* ---- the planner ---- */

#define S_NAME_MAX 2048 /* S3 keys are at most 1,024 bytes, bucket names 63 */

/* A candidate's payload in the spill; its key there is "bucket\0key". */
struct s_cand {
    uint64_t size;
    int64_t mtime;
    uint32_t group; /* failed-chk group id, UINT32_MAX for none */
    uint8_t why;
};

struct s_protect {
    char *bucket, *prefix;
};

struct ur_gc {
    struct ur_gc_opts o;
    struct s_set refs;     /* "bucket/key" of every referenced object */
    struct s_set retained; /* "bucket/…/chk-N/" of every chk-N/ holding a _metadata */
    struct s_set groups;   /* "bucket/…/chk-N/" of chk-N/ without _metadata with candidates */
    uint8_t *group_young;  /* per group: holds a young object */
    size_t group_cap;
    bool groups_decided;
    struct s_protect *protect;
    size_t nprotect;
    struct ur_spill *cands;   /* the candidates, sorted by "bucket\0key" on each pass */
    char cur[S_NAME_MAX + 2]; /* ur_gc_next's "bucket\0key\0" */
    struct ur_gc_tally tally;
};

static const char *const s_names[UR_GC_NVERDICTS] = {
    "orphan",       "failed-checkpoint",      "referenced", "metadata",  "retained-checkpoint",
    "young",        "in-progress-checkpoint", "protected",  "taskowned", "forst",
    "file-merging", "unknown-name",
};

const char *ur_gc_verdict_name(enum ur_gc_verdict v)
{
    return (unsigned)v < UR_GC_NVERDICTS ? s_names[v] : "?";
}

struct ur_gc *ur_gc_new(const struct ur_gc_opts *o)
{
    struct ur_gc *g = calloc(1, sizeof(*g));
    if (!g) return NULL;
    g->o = *o;
    if (!(g->cands = ur_spill_new(o->spill_dir, sizeof(struct s_cand), o->spill_run_bytes))) {
        free(g);
        return NULL;
    }
    return g;
}

void ur_gc_free(struct ur_gc *g)
{
    if (!g) return;
    s_set_free(&g->refs);
    s_set_free(&g->retained);
    s_set_free(&g->groups);
    free(g->group_young);
    for (size_t i = 0; i < g->nprotect; i++) {
        free(g->protect[i].bucket);
        free(g->protect[i].prefix);
    }
    free(g->protect);
    ur_spill_free(g->cands);
    free(g);
}

int ur_gc_protect(struct ur_gc *g, const char *bucket, const char *prefix)
{
    struct s_protect *p = realloc(g->protect, (g->nprotect + 1) * sizeof(*p));
    if (!p) return -ENOMEM;
    g->protect = p;
    p[g->nprotect].bucket = strdup(bucket);
    p[g->nprotect].prefix = strdup(prefix);
    if (!p[g->nprotect].bucket || !p[g->nprotect].prefix) {
        free(p[g->nprotect].bucket);
        free(p[g->nprotect].prefix);
        return -ENOMEM;
    }
    g->nprotect++;
    return 0;
}

/* "bucket/key" into buf (cap bytes); returns its length or -1 when it does not fit. */
static int s_join(char *buf, size_t cap, const char *bucket, size_t blen, const char *key, size_t klen)
{
    if (blen + 1 + klen >= cap) return -1;
    memcpy(buf, bucket, blen);
    buf[blen] = '/';
    memcpy(buf + blen + 1, key, klen);
    buf[blen + 1 + klen] = '\0';
    return (int)(blen + 1 + klen);
}

int ur_gc_add_ref(struct ur_gc *g, const char *bucket, size_t blen, const char *key, size_t klen)
{
    char buf[S_NAME_MAX];
    int n = s_join(buf, sizeof(buf), bucket, blen, key, klen);
    if (n < 0) return -ENAMETOOLONG;
    return s_set_put(&g->refs, buf, (size_t)n, NULL);
}

bool ur_gc_is_referenced(const struct ur_gc *g, const char *bucket, size_t blen, const char *key, size_t klen)
{
    char buf[S_NAME_MAX];
    int n = s_join(buf, sizeof(buf), bucket, blen, key, klen);
    return n >= 0 && s_set_find_h(&g->refs, buf, (size_t)n, s_hash(buf, (size_t)n)) >= 0;
}

/* The walk of one _metadata's references. */
struct s_walk {
    struct ur_gc *g;
    const char *bucket, *key;
    struct ur_gc_md_stats st;
    int dry; /* 1: only check that every reference can be resolved */
    int rc;
    struct ur_flink_error *err;
};

static int s_on_ref(void *user, const struct ur_flink_ref *r)
{
    struct s_walk *w = user;
    if (r->kind == UR_FLINK_REF_DIRECTORY) {
        w->st.dirs += !w->dry;
        return 0;
    }
    const char *b = w->bucket, *k;
    size_t blen = strlen(w->bucket), klen;
    char res[S_NAME_MAX];
    if (r->kind == UR_FLINK_REF_RELATIVE) {
        int n = ur_flink_resolve(res, sizeof(res), w->key, strlen(w->key), r->path, r->path_len);
        if (n < 0) {
            if (w->err) {
                w->err->why = UR_FLINK_E_VALUE;
                w->err->offset = r->handle_offset;
                snprintf(
                    w->err->msg, sizeof(w->err->msg),
                    "offset %llu: relative handle \"%.*s\" is not a plain name in the checkpoint directory",
                    (unsigned long long)r->handle_offset, (int)(r->path_len > 100 ? 100 : r->path_len),
                    r->path);
            }
            w->rc = -EBADMSG;
            return 1;
        }
        k = res;
        klen = (size_t)n;
    } else {
        struct ur_flink_s3loc loc;
        if (ur_flink_s3_split(r->path, r->path_len, &loc) < 0) {
            w->st.foreign += !w->dry;
            return 0;
        }
        b = loc.bucket, blen = loc.bucket_len, k = loc.key, klen = loc.key_len;
    }
    if (w->dry) return 0;
    w->st.refs++;
    int rc = ur_gc_add_ref(w->g, b, blen, k, klen);
    if (rc < 0) {
        w->rc = rc == -ENAMETOOLONG ? -EBADMSG : rc;
        if (w->err && rc == -ENAMETOOLONG) {
            w->err->why = UR_FLINK_E_VALUE;
            w->err->offset = r->handle_offset;
            snprintf(w->err->msg, sizeof(w->err->msg), "offset %llu: a referenced path is too long",
                     (unsigned long long)r->handle_offset);
        }
        return 1;
    }
    w->st.new_refs += (uint64_t)rc;
    return 0;
}

int ur_gc_add_metadata(struct ur_gc *g, const char *bucket, const char *key, const uint8_t *buf, size_t n,
                       struct ur_flink_metadata *md, struct ur_gc_md_stats *st, struct ur_flink_error *err)
{
    struct s_walk w = {.g = g, .bucket = bucket, .key = key, .dry = 1, .err = err};
    /* Two walks: the first only checks every relative name, so a bad file adds nothing. */
    int rc = ur_flink_metadata_parse(buf, n, s_on_ref, &w, md, err);
    if (rc == 0 && w.rc == 0) {
        w.dry = 0;
        rc = ur_flink_metadata_parse(buf, n, s_on_ref, &w, md, err);
    }
    if (w.rc) rc = w.rc;
    if (rc) return rc < 0 ? rc : -EBADMSG;
    /* Its directory is a retained checkpoint: "bucket/<key up to the last '/'>". */
    const char *sl = strrchr(key, '/');
    if (sl) {
        char dir[S_NAME_MAX];
        int dl = s_join(dir, sizeof(dir), bucket, strlen(bucket), key, (size_t)(sl - key) + 1);
        if (dl >= 0 && s_set_put(&g->retained, dir, (size_t)dl, NULL) < 0) return -ENOMEM;
    }
    if (st) *st = w.st;
    return 0;
}

int ur_gc_retain_dir(struct ur_gc *g, const char *bucket, const char *dir)
{
    char buf[S_NAME_MAX];
    int n = s_join(buf, sizeof(buf), bucket, strlen(bucket), dir, strlen(dir));
    if (n < 0) return -ENAMETOOLONG;
    return s_set_put(&g->retained, buf, (size_t)n, NULL) < 0 ? -ENOMEM : 0;
}

static bool s_protected(const struct ur_gc *g, const char *bucket, const char *key)
{
    for (size_t i = 0; i < g->nprotect; i++)
        if (!strcmp(g->protect[i].bucket, bucket) &&
            !strncmp(g->protect[i].prefix, key, strlen(g->protect[i].prefix)))
            return true;
    return false;
}

static bool s_young(const struct ur_gc *g, int64_t mtime)
{
    return mtime < 0 || mtime > g->o.now_s - g->o.min_age_s;
}

/* Whether the chk-N/ directory of key (everything up to its last '/') is retained. */
static bool s_in_retained(const struct ur_gc *g, const char *bucket, const char *key)
{
    const char *sl = strrchr(key, '/');
    char dir[S_NAME_MAX];
    if (!sl) return false;
    int dl = s_join(dir, sizeof(dir), bucket, strlen(bucket), key, (size_t)(sl - key) + 1);
    return dl >= 0 && s_set_find_h(&g->retained, dir, (size_t)dl, s_hash(dir, (size_t)dl)) >= 0;
}

enum ur_gc_verdict ur_gc_judge(const struct ur_gc *g, const char *bucket, const char *job, const char *key,
                               int64_t last_modified)
{
    size_t jl = strlen(job);
    if (strncmp(key, job, jl) != 0) return UR_GC_UNKNOWN; /* not below the job: hands off */
    if (s_protected(g, bucket, key)) return UR_GC_PROTECTED;
    const char *rel = key + jl;
    uint64_t id;
    enum ur_flink_obj kind = ur_flink_classify(rel, strlen(rel), &id);
    if (kind == UR_FLINK_OBJ_METADATA) return UR_GC_METADATA;
    if (ur_gc_is_referenced(g, bucket, strlen(bucket), key, strlen(key))) return UR_GC_REFERENCED;
    switch (kind) {
    case UR_FLINK_OBJ_TASKOWNED:
        if (!(g->o.allow & UR_GC_ALLOW_TASKOWNED)) return UR_GC_TASKOWNED;
        break;
    case UR_FLINK_OBJ_FORST:
        if (!(g->o.allow & UR_GC_ALLOW_FORST)) return UR_GC_FORST;
        break;
    case UR_FLINK_OBJ_MERGED:
        if (!(g->o.allow & UR_GC_ALLOW_MERGED)) return UR_GC_MERGED;
        break;
    case UR_FLINK_OBJ_UNKNOWN:
        if (!(g->o.allow & UR_GC_ALLOW_UNKNOWN)) return UR_GC_UNKNOWN;
        break;
    case UR_FLINK_OBJ_EXCLUSIVE:
        if (s_in_retained(g, bucket, key)) return UR_GC_RETAINED_CHK;
        return UR_GC_FAILED_CHK; /* judged as a whole directory in ur_gc_finish */
    default:
        break;
    }
    return s_young(g, last_modified) ? UR_GC_YOUNG : UR_GC_ORPHAN;
}

int ur_gc_record(struct ur_gc *g, enum ur_gc_verdict v, const char *bucket, const char *job, const char *key,
                 uint64_t size, int64_t last_modified)
{
    (void)job;
    if ((unsigned)v >= UR_GC_NVERDICTS) return -EINVAL;
    g->tally.objects[v]++;
    g->tally.bytes[v] += size;
    if (v != UR_GC_ORPHAN && v != UR_GC_FAILED_CHK) return 0;
    uint32_t group = UINT32_MAX;
    if (v == UR_GC_FAILED_CHK) {
        const char *sl = strrchr(key, '/');
        char dir[S_NAME_MAX];
        int dl = sl ? s_join(dir, sizeof(dir), bucket, strlen(bucket), key, (size_t)(sl - key) + 1) : -1;
        if (dl < 0) return -ENAMETOOLONG;
        if (s_set_put(&g->groups, dir, (size_t)dl, &group) < 0) return -ENOMEM;
        if (group >= g->group_cap) {
            size_t cap = g->group_cap ? g->group_cap * 2 : 64;
            uint8_t *y = realloc(g->group_young, cap);
            if (!y) return -ENOMEM;
            memset(y + g->group_cap, 0, cap - g->group_cap);
            g->group_young = y;
            g->group_cap = cap;
        }
        if (s_young(g, last_modified)) g->group_young[group] = 1;
    }
    size_t bl = strlen(bucket), kl = strlen(key);
    char buf[S_NAME_MAX];
    if (bl + 1 + kl >= sizeof(buf)) return -ENAMETOOLONG;
    memcpy(buf, bucket, bl + 1);
    memcpy(buf + bl + 1, key, kl);
    struct s_cand c = {size, last_modified, group, (uint8_t)v};
    return ur_spill_add(g->cands, buf, bl + 1 + kl, &c);
}

static void s_move(struct ur_gc *g, const struct s_cand *c, enum ur_gc_verdict to)
{
    g->tally.objects[c->why]--;
    g->tally.bytes[c->why] -= c->size;
    g->tally.objects[to]++;
    g->tally.bytes[to] += c->size;
}

int ur_gc_finish(struct ur_gc *g, size_t *dropped)
{
    bool again = g->groups_decided;
    size_t n_dropped = 0;
    char prev[S_NAME_MAX]; /* the last candidate kept: the same key listed twice (overlapping listings) is
                              one candidate */
    size_t prev_len = SIZE_MAX;
    const uint8_t *name, *pay;
    size_t len;
    int rc = ur_spill_rewind(g->cands, true);
    while (rc == 0 && (rc = ur_spill_next(g->cands, &name, &len, &pay)) == 1) {
        struct s_cand c;
        memcpy(&c, pay, sizeof(c));
        const char *b = (const char *)name;
        size_t bl = strlen(b); /* "bucket\0key": the key is not NUL-terminated in the spill */
        const char *key = b + bl + 1;
        size_t kl = len - bl - 1;
        enum ur_gc_verdict to = UR_GC_NVERDICTS;
        if (ur_gc_is_referenced(g, b, bl, key, kl)) {
            to = UR_GC_REFERENCED;
        } else if (c.why == UR_GC_FAILED_CHK) {
            char k[S_NAME_MAX];
            memcpy(k, key, kl);
            k[kl] = '\0';
            if (s_in_retained(g, b, k))
                to = UR_GC_RETAINED_CHK;
            else if (!g->groups_decided && c.group != UINT32_MAX && g->group_young[c.group])
                to = UR_GC_YOUNG_CHK;
        }
        if (to != UR_GC_NVERDICTS) {
            s_move(g, &c, to);
            n_dropped += again;
            rc = 0;
            continue;
        }
        if (len == prev_len && memcmp(prev, name, len) == 0) {
            g->tally.objects[c.why]--;
            g->tally.bytes[c.why] -= c.size;
            rc = 0;
            continue;
        }
        memcpy(prev, name, len);
        prev_len = len;
        rc = ur_spill_keep(g->cands);
    }
    if (rc < 0) return rc;
    g->groups_decided = true;
    if (dropped) *dropped = n_dropped;
    return 0;
}

size_t ur_gc_candidates(const struct ur_gc *g)
{
    return (size_t)ur_spill_count(g->cands);
}

int ur_gc_rewind(struct ur_gc *g)
{
    return ur_spill_rewind(g->cands, false);
}

int ur_gc_next(struct ur_gc *g, struct ur_gc_candidate *out)
{
    const uint8_t *name, *pay;
    size_t len;
    int rc = ur_spill_next(g->cands, &name, &len, &pay);
    if (rc != 1) return rc;
    struct s_cand c;
    memcpy(&c, pay, sizeof(c));
    memcpy(g->cur, name, len); /* "bucket\0key" fits: ur_gc_record took at most S_NAME_MAX - 1 bytes */
    g->cur[len] = '\0';
    out->bucket = g->cur;
    out->key = g->cur + strlen(g->cur) + 1;
    out->size = c.size;
    out->last_modified = c.mtime;
    out->why = (enum ur_gc_verdict)c.why;
    return 1;
}

int ur_gc_spill_open(struct ur_gc *g)
{
    return ur_spill_open(g->cands);
}

const char *ur_gc_spill_dir(const struct ur_gc *g)
{
    return ur_spill_dir(g->cands);
}

void ur_gc_summary(const struct ur_gc *g, struct ur_gc_tally *out)
{
    *out = g->tally;
}

uint64_t ur_gc_ref_count(const struct ur_gc *g)
{
    return g->refs.n;
}

uint64_t ur_gc_memory(const struct ur_gc *g)
{
    return sizeof(*g) + s_set_memory(&g->refs) + s_set_memory(&g->retained) + s_set_memory(&g->groups) +
           g->group_cap + ur_spill_memory(g->cands);
}

int ur_gc_parse_duration(const char *s, int64_t *secs)
{
    if (!s || !*s) return -EINVAL;
    int64_t total = 0;
    const char *p = s;
    while (*p) {
        if (*p < '0' || *p > '9') return -EINVAL;
        const char *q = p;
        int64_t v = 0;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p++ - '0');
            if (v > 100000000000LL) return -EINVAL;
        }
        int64_t unit;
        switch (*p) {
        case '\0':
            if (q != s) return -EINVAL; /* "1h30": a bare number only on its own */
            unit = 1;
            break;
        case 's':
            unit = 1, p++;
            break;
        case 'm':
            unit = 60, p++;
            break;
        case 'h':
            unit = 3600, p++;
            break;
        case 'd':
            unit = 86400, p++;
            break;
        default:
            return -EINVAL;
        }
        total += v * unit;
    }
    *secs = total;
    return 0;
}
