/* flink/spill.c — the external sort of flink/spill.h: a bounded buffer of records sorted and written as runs
 * to an unlinked temporary file, and passes that merge the runs (and the buffer) in key order with a binary
 * heap. A filter pass writes the kept records after the last run and then they are the only run; when every
 * record is still in the buffer nothing touches the file. A record is [u16 key length][payload][key]. */
#include "flink/spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_READ_BUF ((size_t)32 << 10)   /* per run on disk, while a pass reads it */
#define S_WRITE_BUF ((size_t)256 << 10) /* runs and kept records on their way to the file */
#define S_PAYLOAD_MAX 64

struct s_run {
    uint64_t off, len; /* bytes of the file */
};

/* One sorted input of a pass: a run in the file or the sorted buffer (run == NULL). */
struct s_src {
    const struct s_run *run;
    uint64_t pos;       /* file: offset of the next byte not yet in buf */
    uint8_t *buf;       /* file: S_READ_BUF bytes */
    size_t at, fill;    /* file: the current record starts at buf + at; buf holds fill bytes */
    size_t idx;         /* buffer: index into offs */
    const uint8_t *cur; /* the current record */
};

struct ur_spill {
    char *dir;
    int fd; /* -1 until the file is needed */
    size_t plen, run_bytes;
    /* the buffer: records appended, offs[i] where record i starts; sorted when offs_sorted */
    uint8_t *mem;
    size_t mem_used;
    uint32_t *offs;
    size_t noffs, offcap;
    bool offs_sorted;
    /* sorted runs in the file */
    struct s_run *runs;
    size_t nruns, runcap;
    uint64_t file_end, count;
    /* the write buffer, for runs and kept records */
    uint8_t *wbuf;
    size_t wfill;
    uint64_t wpos; /* file offset of wbuf[0] */
    /* a pass */
    bool in_pass, filter;
    struct s_src *src;
    size_t nsrc, *heap, nheap;
    bool started;     /* ur_spill_next has returned a record */
    uint64_t kept;    /* records kept so far */
    uint64_t out_off; /* filter pass over the file: where the kept records begin */
};

static size_t s_rec_len(const struct ur_spill *s, const uint8_t *r)
{
    uint16_t kl;
    memcpy(&kl, r, 2);
    return 2 + s->plen + kl;
}

static int s_cmp_rec(const struct ur_spill *s, const uint8_t *a, const uint8_t *b)
{
    uint16_t la, lb;
    memcpy(&la, a, 2);
    memcpy(&lb, b, 2);
    int c = memcmp(a + 2 + s->plen, b + 2 + s->plen, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

struct ur_spill *ur_spill_new(const char *dir, size_t payload_len, size_t run_bytes)
{
    if (payload_len > S_PAYLOAD_MAX) return NULL;
    struct ur_spill *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    if (!dir || !*dir) dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    s->dir = strdup(dir);
    s->fd = -1;
    s->plen = payload_len;
    s->run_bytes = run_bytes ? run_bytes : UR_SPILL_RUN_BYTES;
    if (s->run_bytes < 2 + S_PAYLOAD_MAX + UR_SPILL_KEY_MAX)
        s->run_bytes = 2 + S_PAYLOAD_MAX + UR_SPILL_KEY_MAX;
    if (!s->dir) {
        free(s);
        return NULL;
    }
    return s;
}

static void s_pass_end(struct ur_spill *s)
{
    for (size_t i = 0; i < s->nsrc; i++)
        free(s->src[i].buf);
    free(s->src);
    free(s->heap);
    s->src = NULL;
    s->heap = NULL;
    s->nsrc = s->nheap = 0;
    s->in_pass = false;
}

void ur_spill_free(struct ur_spill *s)
{
    if (!s) return;
    s_pass_end(s);
    if (s->fd >= 0) close(s->fd);
    free(s->dir);
    free(s->mem);
    free(s->offs);
    free(s->runs);
    free(s->wbuf);
    free(s);
}

const char *ur_spill_dir(const struct ur_spill *s)
{
    return s->dir;
}

int ur_spill_open(struct ur_spill *s)
{
    if (s->fd >= 0) return 0;
    /* O_TMPFILE: never has a name. Where the file system lacks it, a named file unlinked at once. */
    int fd = open(s->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        char *path = NULL;
        if (asprintf(&path, "%s/urestore-gc-XXXXXX", s->dir) < 0) return -ENOMEM;
        fd = mkostemp(path, O_CLOEXEC);
        int e = errno;
        if (fd >= 0) unlink(path);
        free(path);
        errno = e;
    }
    if (fd < 0) return -errno;
    s->fd = fd;
    return 0;
}

static int s_pwrite_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return w < 0 ? -errno : -EIO;
        p += w, n -= (size_t)w, off += (uint64_t)w;
    }
    return 0;
}

static int s_wflush(struct ur_spill *s)
{
    int rc = s_pwrite_all(s->fd, s->wbuf, s->wfill, s->wpos);
    s->wpos += s->wfill;
    s->wfill = 0;
    return rc;
}

/* Appends one record to the file through the write buffer. */
static int s_wput(struct ur_spill *s, const uint8_t *r, size_t len)
{
    if (!s->wbuf && !(s->wbuf = malloc(S_WRITE_BUF))) return -ENOMEM;
    if (s->wfill + len > S_WRITE_BUF) {
        int rc = s_wflush(s);
        if (rc) return rc;
    }
    memcpy(s->wbuf + s->wfill, r, len);
    s->wfill += len;
    return 0;
}

static int s_cmp_off(const void *a, const void *b, void *arg)
{
    const struct ur_spill *s = arg;
    return s_cmp_rec(s, s->mem + *(const uint32_t *)a, s->mem + *(const uint32_t *)b);
}

static void s_sort_mem(struct ur_spill *s)
{
    if (!s->offs_sorted && s->noffs > 1) qsort_r(s->offs, s->noffs, sizeof(*s->offs), s_cmp_off, s);
    s->offs_sorted = true;
}

static int s_add_run(struct ur_spill *s, uint64_t off, uint64_t len)
{
    if (s->nruns == s->runcap) {
        size_t cap = s->runcap ? s->runcap * 2 : 16;
        struct s_run *r = realloc(s->runs, cap * sizeof(*r));
        if (!r) return -ENOMEM;
        s->runs = r;
        s->runcap = cap;
    }
    s->runs[s->nruns++] = (struct s_run){off, len};
    return 0;
}

/* Writes the buffer as one sorted run and empties it. */
static int s_flush_mem(struct ur_spill *s)
{
    int rc = ur_spill_open(s);
    if (rc) return rc;
    s_sort_mem(s);
    s->wpos = s->file_end;
    s->wfill = 0;
    for (size_t i = 0; i < s->noffs; i++) {
        const uint8_t *r = s->mem + s->offs[i];
        if ((rc = s_wput(s, r, s_rec_len(s, r)))) return rc;
    }
    if ((rc = s_wflush(s))) return rc;
    if ((rc = s_add_run(s, s->file_end, s->wpos - s->file_end))) return rc;
    s->file_end = s->wpos;
    s->mem_used = 0;
    s->noffs = 0;
    return 0;
}

int ur_spill_add(struct ur_spill *s, const void *key, size_t klen, const void *payload)
{
    if (klen > UR_SPILL_KEY_MAX) return -ENAMETOOLONG;
    if (s->in_pass) s_pass_end(s); /* abandons it: a filter pass's kept records are dropped */
    size_t len = 2 + s->plen + klen;
    if (!s->mem && !(s->mem = malloc(s->run_bytes))) return -ENOMEM;
    if (s->mem_used + len > s->run_bytes) {
        int rc = s_flush_mem(s);
        if (rc) return rc;
    }
    if (s->noffs == s->offcap) {
        size_t cap = s->offcap ? s->offcap * 2 : 1024;
        uint32_t *o = realloc(s->offs, cap * sizeof(*o));
        if (!o) return -ENOMEM;
        s->offs = o;
        s->offcap = cap;
    }
    uint8_t *r = s->mem + s->mem_used;
    uint16_t kl = (uint16_t)klen;
    memcpy(r, &kl, 2);
    memcpy(r + 2, payload, s->plen);
    memcpy(r + 2 + s->plen, key, klen);
    s->offs[s->noffs++] = (uint32_t)s->mem_used;
    s->mem_used += len;
    s->offs_sorted = false;
    s->count++;
    return 0;
}

/* Makes src->cur the next whole record of its run, reading more of the file as needed. Returns 1, 0 when
 * the run is done, or -errno. */
static int s_src_load(struct ur_spill *s, struct s_src *q)
{
    if (!q->run) {
        if (q->idx >= s->noffs) return 0;
        q->cur = s->mem + s->offs[q->idx];
        return 1;
    }
    uint64_t end = q->run->off + q->run->len;
    for (;;) {
        size_t have = q->fill - q->at;
        if (have >= 2 && have >= s_rec_len(s, q->buf + q->at)) {
            q->cur = q->buf + q->at;
            return 1;
        }
        if (q->pos >= end) return have ? -EIO : 0; /* a record cut short: the file is not ours any more */
        memmove(q->buf, q->buf + q->at, have);
        q->at = 0;
        q->fill = have;
        size_t want = S_READ_BUF - have;
        if (want > end - q->pos) want = (size_t)(end - q->pos);
        ssize_t n = pread(s->fd, q->buf + have, want, (off_t)q->pos);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? -errno : -EIO;
        q->fill += (size_t)n;
        q->pos += (uint64_t)n;
    }
}

static void s_src_advance(struct ur_spill *s, struct s_src *q)
{
    if (q->run)
        q->at += s_rec_len(s, q->cur);
    else
        q->idx++;
}

static bool s_less(const struct ur_spill *s, size_t a, size_t b)
{
    int c = s_cmp_rec(s, s->src[a].cur, s->src[b].cur);
    return c < 0 || (c == 0 && a < b);
}

static void s_sift_down(struct ur_spill *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->nheap && s_less(s, s->heap[l], s->heap[m])) m = l;
        if (r < s->nheap && s_less(s, s->heap[r], s->heap[m])) m = r;
        if (m == i) return;
        size_t t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

int ur_spill_rewind(struct ur_spill *s, bool filter)
{
    s_pass_end(s);
    s_sort_mem(s);
    size_t n = s->nruns + (s->noffs > 0);
    s->src = calloc(n ? n : 1, sizeof(*s->src));
    s->heap = calloc(n ? n : 1, sizeof(*s->heap));
    if (!s->src || !s->heap) return s_pass_end(s), -ENOMEM;
    s->in_pass = true;
    s->filter = filter;
    s->started = false;
    s->kept = 0;
    for (size_t i = 0; i < s->nruns; i++) {
        struct s_src *q = &s->src[s->nsrc++];
        q->run = &s->runs[i];
        q->pos = s->runs[i].off;
        if (!(q->buf = malloc(S_READ_BUF))) return s_pass_end(s), -ENOMEM;
    }
    if (s->noffs) s->src[s->nsrc++].run = NULL;
    for (size_t i = 0; i < s->nsrc; i++) {
        int rc = s_src_load(s, &s->src[i]);
        if (rc < 0) return s_pass_end(s), rc;
        if (rc) s->heap[s->nheap++] = i;
    }
    for (size_t i = s->nheap / 2; i-- > 0;)
        s_sift_down(s, i);
    if (filter && s->nruns) {
        s->out_off = s->file_end;
        s->wpos = s->file_end;
        s->wfill = 0;
    }
    return 0;
}

/* The end of a filter pass: the kept records replace all others. */
static int s_commit(struct ur_spill *s)
{
    if (!s->nruns) { /* all in the buffer: ur_spill_keep compacted offs in place */
        s->noffs = (size_t)s->kept;
        if (!s->noffs) s->mem_used = 0;
        s->count = s->kept;
        return 0;
    }
    int rc = s_wflush(s);
    if (rc) return rc;
    uint64_t len = s->wpos - s->out_off;
    /* Give the space of the old runs back (a hole; the offsets of the new run stay as they are). */
    if (s->out_off) (void)fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)s->out_off);
    s->nruns = 0;
    if (len && (rc = s_add_run(s, s->out_off, len))) return rc;
    s->file_end = s->wpos;
    s->noffs = 0;
    s->mem_used = 0;
    s->count = s->kept;
    return 0;
}

int ur_spill_next(struct ur_spill *s, const uint8_t **key, size_t *klen, const uint8_t **payload)
{
    if (!s->in_pass) return 0;
    if (s->started && s->nheap) {
        struct s_src *q = &s->src[s->heap[0]];
        s_src_advance(s, q);
        int rc = s_src_load(s, q);
        if (rc < 0) return s_pass_end(s), rc;
        if (!rc) s->heap[0] = s->heap[--s->nheap];
        if (s->nheap) s_sift_down(s, 0);
    }
    s->started = true;
    if (!s->nheap) {
        int rc = s->filter ? s_commit(s) : 0;
        s_pass_end(s);
        return rc;
    }
    const uint8_t *r = s->src[s->heap[0]].cur;
    uint16_t kl;
    memcpy(&kl, r, 2);
    *klen = kl;
    *payload = r + 2;
    *key = r + 2 + s->plen;
    return 1;
}

int ur_spill_keep(struct ur_spill *s)
{
    if (!s->in_pass || !s->filter || !s->started || !s->nheap) return -EINVAL;
    struct s_src *q = &s->src[s->heap[0]];
    if (!s->nruns) { /* only the buffer: its pass reads offs in order, so kept ones move down in place */
        s->offs[s->kept++] = s->offs[q->idx];
        return 0;
    }
    s->kept++;
    return s_wput(s, q->cur, s_rec_len(s, q->cur));
}

uint64_t ur_spill_count(const struct ur_spill *s)
{
    return s->count;
}

uint64_t ur_spill_memory(const struct ur_spill *s)
{
    return sizeof(*s) + (s->mem ? s->run_bytes : 0) + s->offcap * sizeof(*s->offs) +
           (s->wbuf ? S_WRITE_BUF : 0) + s->nsrc * (sizeof(struct s_src) + S_READ_BUF + sizeof(size_t));
}

uint64_t ur_spill_file_bytes(const struct ur_spill *s)
{
    return s->file_end;
}
