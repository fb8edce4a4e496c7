/* engine/sched.c — tasks to parts to connections.
 *
 * A task starts as one part: a ranged GET of the first part_size bytes. Its response's Content-Range
 * tells the object's size (no HEAD round trip); the rest is then cut into parts queued at the front, so
 * a large object finishes (and frees its temporary file) before new objects start. Parts wait in one
 * FIFO for a connection; connections are opened lazily up to the limit, never more than there is work
 * for. A failed part is retried with full-jitter backoff on a fresh connection, resuming from the first
 * byte not yet received, with If-Match so a changed object is an error, never a mixed file.
 *
 * --resume with a partial (t->probing): the first part is the first missing piece, sent alone with
 * If-Match; once it is answered the other missing pieces are queued. A 412 (or another ETag or size) for
 * it starts the task over: the part becomes a first part of unknown size from byte 0, the sidecar goes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "engine/engine.h"
#include "s3/crc.h"
#include "s3/credtime.h"
#include "s3/respcheck.h"
#include "engine/sched.h"
#include "engine/conn.h"
#include "engine/sink.h"

/* A kick scans the queue for parts that may go; parts held back by backoff or pacing are skipped. Stop
 * after this many in a row so a throttled prefix with 10,000 queued parts costs a bounded scan. */
#define UR_SCAN_DEFERRED_MAX 256

/* Every CRC (bits 1 << enum ur_crc_alg): what the parts of an object compute while its checksum's
 * algorithm is not known yet. */
#define S_ALL_CRCS 7u

static void s_resume_restart(struct urestore_client *cl, struct ur_part *p);
static void s_verify(struct urestore_client *cl, struct ur_task *t);
static void s_cksum_known(struct ur_task *t, const struct ur_s3_cksum *ck);

void ur_sched_part_ok(struct ur_part *p)
{
    struct ur_host *h = p->task->host;
    if (h->budget < UR_RETRY_BUDGET) h->budget++;
    /* Additive increase: about +2 requests/s for every second of successes at the current rate. */
    if (p->pace) ur_pace_ok(p->pace);
}

void ur_sched_task_fail(struct ur_task *t, urestore_status st, int http_status, const char *fmt, ...)
{
    struct urestore_client *cl = t->cl;
    if (t->failed || t->finished) return;
    t->failed = true;
    t->res->status = st;
    t->res->http_status = http_status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->res->message, sizeof(t->res->message), fmt, ap);
    va_end(ap);
    /* Parts still waiting for a connection are dropped now; those on connections are dropped by closing
     * the connection (released once its operations have drained). */
    for (unsigned i = 0; i < t->nparts; i++) {
        struct ur_part *p = &t->parts[i];
        if (p->queued) {
            ur_list_remove(&p->link);
            p->queued = false;
            ur_sched_part_released(cl, p);
        } else if (p->conn) {
            ur_conn_close(p->conn, 0, NULL);
        }
    }
    ur_sink_settle(cl, t);
}

/* How long a part answered ExpiredToken waits for the refresh it started: an IMDS or STS round trip takes
 * tens of milliseconds; a second expired answer after this is final. */
#define UR_CREDS_RETRY_PAUSE_MS 1500

void ur_sched_part_error(struct ur_part *p, urestore_status st, int http_status, const char *msg,
                         enum ur_retry retry)
{
    struct ur_task *t = p->task;
    struct urestore_client *cl = t->cl;
    struct ur_host *h = t->host;
    uint64_t now = ur_loop_now_ms(&cl->loop);
    if (retry == UR_RETRY_REDIRECT) return; /* re-queued when released, for its bucket's region (region_moved) */
    if (p->head) {
        /* The HEAD for the checksum only serves the check: failing, it costs the object its check (reported
         * unverified), never the copy, and spends no retry. */
        const struct ur_s3_cksum none = {0};
        s_cksum_known(t, &none);
        p->received = true;
        if (p->queued) { /* failed before it went (its host could not be reached): it leaves the queue */
            ur_list_remove(&p->link);
            p->queued = false;
            ur_sched_part_released(cl, p);
        }
        return;
    }
    if (retry == UR_RETRY_FREE) {
        if (p->free_retries < 3) {
            p->free_retries++;
            return;
        }
        retry = UR_RETRY_TRANSIENT;
    }
    /* "ExpiredToken: …" and friends (the code leads msg): the credentials expired before their refresh;
     * once per part, fetch new ones now and retry after a pause long enough for the fetch. */
    char code[40];
    size_t cn = strcspn(msg, ":");
    if (retry == UR_RETRY_NO && cl->creds_expired && !p->creds_retried && !cl->cancelled && cn < sizeof(code)) {
        memcpy(code, msg, cn);
        code[cn] = '\0';
        if (ur_creds_error_is_expired(code)) {
            p->creds_retried = true;
            cl->creds_expired(cl);
            p->not_before_ms = now + UR_CREDS_RETRY_PAUSE_MS;
            return;
        }
    }
    if (t->probing && st == URESTORE_E_CHANGED && !cl->cancelled) { /* 412: If-Match did not hold */
        s_resume_restart(cl, p);
        return;
    }
    if (retry == UR_RETRY_NO || (int)p->attempts >= cl->retries || cl->cancelled) {
        ur_sched_task_fail(t, st, http_status, "%s", msg);
        return;
    }
    int cost = ur_s3_retry_cost(retry);
    if (h->budget < cost) {
        ur_sched_task_fail(t, st, http_status, "%s (no retries left for %s: too many failures)", msg,
                           h->conn_host);
        return;
    }
    h->budget -= cost;
    p->attempts++;
    p->not_before_ms = now + ur_pace_backoff_ms(&cl->rng, p->attempts, retry == UR_RETRY_THROTTLE, p->retry_after_ms);
    p->retry_after_ms = 0;
    if (retry == UR_RETRY_THROTTLE && p->pace) ur_pace_throttled(p->pace, now);
}

void ur_sched_host_failed(struct urestore_client *cl, struct ur_host *h, urestore_status st, const char *msg,
                          enum ur_retry retry)
{
    struct ur_list *n, *next;
    for (n = cl->queue.next; n != &cl->queue; n = next) {
        next = n->next;
        struct ur_part *p = ur_container_of(n, struct ur_part, link);
        if (p->task->host != h) continue;
        if (st == URESTORE_E_TLS || st == URESTORE_E_ACCESS) { /* certificates, a proxy's refusal: final for all */
            ur_sched_task_fail(p->task, st, 0, "%s", msg);
            next = cl->queue.next; /* failing a task may unlink several parts */
            continue;
        }
        ur_sched_part_error(p, st, 0, msg, retry);
        return;
    }
}

static void s_enqueue(struct urestore_client *cl, struct ur_part *p, bool front)
{
    p->queued = true;
    if (front)
        ur_list_push_front(&cl->queue, &p->link);
    else
        ur_list_push_back(&cl->queue, &p->link);
}

void ur_sched_part_released(struct urestore_client *cl, struct ur_part *p)
{
    struct ur_task *t = p->task;
    p->conn = NULL;
    if (t->failed || p->received) {
        if (p->buf && t->failed) {
            ur_pool_put(&cl->pool, p->buf);
            p->buf = NULL;
        }
        t->parts_open--;
        if (t->parts_open == 0 && !t->failed) s_verify(cl, t); /* every byte is in: before the link */
        ur_sink_settle(cl, t);
        return;
    }
    /* Not received and the task goes on: the connection failed under it, or the response was an error
     * that deserves a retry. The bytes already in p->buf stay; the retry asks for the rest. */
    s_enqueue(cl, p, true);
    ur_sched_kick(cl);
}

/* Room for n parts after the first, which moves to parts[0]. 0 or -ENOMEM. */
static int s_parts_grow(struct ur_task *t, unsigned n)
{
    struct ur_part *parts = realloc(t->parts == &t->first ? NULL : t->parts, (n + 1) * sizeof(*parts));
    if (!parts) return -ENOMEM;
    parts[0] = t->first;
    /* parts[0] moved: fix the links that point at it. */
    struct ur_part *p0 = &parts[0];
    if (p0->conn) p0->conn->part = p0;
    if (p0->buf) p0->buf->part = p0;
    t->parts = parts;
    return 0;
}

static void s_part_init(struct ur_task *t, struct ur_part *p, uint64_t off, uint64_t len)
{
    memset(p, 0, sizeof(*p));
    p->task = t;
    p->off = off;
    p->len = (int64_t)len;
    ur_list_init(&p->link);
}

/* parts[1..n] are made: queued in order, at the front, so this object's parts go before objects not yet
 * started. */
static void s_queue_rest(struct urestore_client *cl, struct ur_task *t, unsigned n)
{
    t->nparts = n + 1;
    t->parts_open += n;
    for (unsigned i = n; i >= 1; i--) s_enqueue(cl, &t->parts[i], true);
}

/* Cuts the rest of an object of known size into parts, after the first. 0, -ENOMEM, or -EOVERFLOW (too
 * many parts of this size). */
static int s_plan_rest(struct urestore_client *cl, struct ur_task *t, uint64_t first_len)
{
    struct ur_plan plan;
    int r = ur_plan_init(&plan, (uint64_t)t->size, first_len, t->part_size);
    if (r < 0 || plan.n == 0) return r;
    /* The checksum of an object fetched in ranged parts comes only with a HEAD (ranged GETs carry none):
     * one more part, after the data parts. */
    bool probe = cl->verify_checksum && t->ck.alg == UR_HTTP_CKSUM_NONE;
    if (s_parts_grow(t, plan.n + probe) < 0) return -ENOMEM;
    for (unsigned i = 1; i <= plan.n; i++) {
        uint64_t off, len;
        ur_plan_part(&plan, i, &off, &len);
        s_part_init(t, &t->parts[i], off, len);
    }
    s_queue_rest(cl, t, plan.n);
    if (probe) {
        struct ur_part *h = &t->parts[plan.n + 1];
        s_part_init(t, h, 0, 0);
        h->head = true;
        t->nparts++;
        t->parts_open++;
        s_enqueue(cl, h, true); /* first: one round trip, and the parts compute three CRCs until it answers */
        for (unsigned i = 0; i <= plan.n; i++) t->parts[i].crc_algs = S_ALL_CRCS;
    }
    return 0;
}

/* The probe of a resumed task was answered: the other missing pieces (none overlap the probe's, which is
 * the first of them, or the last piece when nothing was missing) are queued. 0 or -ENOMEM. */
static int s_plan_resume_rest(struct urestore_client *cl, struct ur_task *t)
{
    const struct ur_part *probe = &t->parts[0];
    uint64_t from = probe->off + (uint64_t)probe->len, off, len;
    unsigned n = 0;
    t->probing = false;
    for (uint64_t at = from; ur_partial_gap(&t->done, at, t->part_size, &off, &len); at = off + len) n++;
    if (n == 0) return 0;
    if (s_parts_grow(t, n) < 0) return -ENOMEM;
    n = 0;
    for (uint64_t at = from; ur_partial_gap(&t->done, at, t->part_size, &off, &len); at = off + len)
        s_part_init(t, &t->parts[++n], off, len);
    s_queue_rest(cl, t, n);
    return 0;
}

/* The object is not the one the partial holds: p, the probe and the only part out, becomes the first part
 * of a fresh download (from byte 0, size and ETag unknown); the caller lets it be queued again. */
static void s_resume_restart(struct urestore_client *cl, struct ur_part *p)
{
    struct ur_task *t = p->task;
    cl->bytes_known -= (uint64_t)t->size - ur_partial_bytes(&t->done);
    ur_sink_resume_forget(t);
    t->probing = false;
    t->size = -1;
    t->etag[0] = '\0';
    p->off = 0;
    p->len = -1;
    p->got = p->written = 0;
    p->attempts = 0;
    p->crc_algs = 0; /* set again by the response, as for any first part */
    memset(p->crc, 0, sizeof(p->crc));
}

/* The CRC (enum ur_crc_alg) of a checksum algorithm S3 names; -1 for the SHAs. */
static int s_crc_of(unsigned alg)
{
    return alg == UR_HTTP_CKSUM_CRC32      ? UR_CRC32
           : alg == UR_HTTP_CKSUM_CRC32C   ? UR_CRC32C
           : alg == UR_HTTP_CKSUM_CRC64NVME ? UR_CRC64NVME
                                           : -1;
}

/* Can ck be checked against the bytes? A composite one is a checksum of the upload's part checksums. */
static bool s_checkable(const struct ur_s3_cksum *ck)
{
    return ck->alg != UR_HTTP_CKSUM_NONE && !ck->composite;
}

/* The object's checksum is known (ck): from now on the parts compute only the CRC it needs, if any. A
 * part that ran before computed it too (all three while it was unknown, s_plan_rest), over every byte. */
static void s_cksum_known(struct ur_task *t, const struct ur_s3_cksum *ck)
{
    t->ck = *ck;
    int a = s_checkable(ck) ? s_crc_of(ck->alg) : -1;
    for (unsigned i = 0; i < t->nparts; i++) t->parts[i].crc_algs &= a < 0 ? 0 : (uint8_t)(1u << a);
}

/* A response that is the whole object: its checksum, if any, is checked as the bytes arrive. */
static void s_cksum_setup(struct urestore_client *cl, struct ur_part *p, const struct ur_s3_resp_got *got)
{
    struct ur_task *t = p->task;
    if (!cl->verify_checksum || !got->whole || p->got != 0) return; /* a resumed response: set up before */
    int a = s_crc_of(got->cksum.alg);
    t->ck = got->cksum;
    p->crc_algs = s_checkable(&got->cksum) && a >= 0 ? (uint8_t)(1u << a) : 0;
    if (!s_checkable(&got->cksum) || a >= 0 || p->sha) return;
    p->sha = EVP_MD_CTX_new();
    if (p->sha && !EVP_DigestInit_ex(p->sha, got->cksum.alg == UR_HTTP_CKSUM_SHA1 ? EVP_sha1() : EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(p->sha);
        p->sha = NULL;
    }
}

/* The answer to the HEAD of an object cut into parts (s_plan_rest): its checksum, if it tells one. Any
 * other answer (an error, a changed object: the GETs' If-Match catches that) leaves it unverified. */
static int s_probe_headers(struct ur_part *p, const struct ur_http_resp *r)
{
    struct ur_task *t = p->task;
    struct ur_s3_cksum ck = {0};
    if (r->status != 200 || (t->etag[0] && strcmp(r->etag, t->etag) != 0) || ur_s3_cksum_from_resp(r, &ck) < 0)
        memset(&ck, 0, sizeof(ck));
    s_cksum_known(t, &ck);
    return 0; /* no body: conn.c reads none after a HEAD */
}

/* A checksum mismatch: every data part of t is fetched again from its first byte, overwriting the file's
 * bytes in place (the file is still under its temporary name). The progress counts them again. */
static bool s_refetch(struct urestore_client *cl, struct ur_task *t)
{
    t->ck_retried = true;
    for (unsigned i = 0; i < t->nparts; i++) {
        struct ur_part *p = &t->parts[i];
        if (p->head) continue;
        p->got = p->written = 0;
        p->received = false;
        memset(p->crc, 0, sizeof(p->crc));
        if ((p->sha && !EVP_DigestInit_ex(p->sha, EVP_MD_CTX_get0_md(p->sha), NULL)) ||
            (p->md5 && !EVP_DigestInit_ex(p->md5, EVP_md5(), NULL)))
            return false;
        t->parts_open++;
        s_enqueue(cl, p, true);
    }
    ur_sched_kick(cl);
    return true;
}

/* Every byte of t is in (and maybe not yet on disk): compare the object's checksum, when there is one to
 * compare, with the bytes'. A CRC of an object in parts is the parts' CRCs combined in order. A mismatch
 * fetches the whole object once more (a byte changed between S3 and us, say a NIC or a middlebox on
 * plain HTTP, heals; a stored object that disagrees with its checksum does not), then fails the task:
 * the sink removes its file. */
static void s_verify(struct urestore_client *cl, struct ur_task *t)
{
    const struct ur_s3_cksum *ck = &t->ck;
    if (!cl->verify_checksum || !s_checkable(ck) || ur_task_mem(t)) return;
    /* --resume kept bytes of an earlier run: they are no part of this one, so their CRCs are unknown. */
    if (t->done.n > 0) return;
    unsigned char got[32];
    int a = s_crc_of(ck->alg);
    if (a < 0) {
        struct ur_part *p = &t->parts[0];
        if (t->nparts != 1 || !p->sha || !EVP_DigestFinal_ex(p->sha, got, NULL)) return; /* SHA of parts: no */
    } else {
        uint64_t acc = 0;
        for (unsigned i = 0; i < t->nparts; i++) {
            struct ur_part *p = &t->parts[i];
            if (p->head) continue;
            if (!(p->crc_algs & (1u << a))) return; /* not computed over all its bytes */
            acc = ur_crc_combine((enum ur_crc_alg)a, acc, p->crc[a], (uint64_t)p->len);
        }
        ur_s3_cksum_put_be(acc, ck->len, got);
    }
    if (memcmp(got, ck->value, ck->len) == 0) {
        t->res->flags |= URESTORE_RESULT_VERIFIED;
        return;
    }
    if (!t->ck_retried && s_refetch(cl, t)) return;
    char want64[48], got64[48];
    ur_s3_cksum_b64(ck->value, ck->len, want64, sizeof(want64));
    ur_s3_cksum_b64(got, ck->len, got64, sizeof(got64));
    ur_sched_task_fail(t, URESTORE_E_CHECKSUM, 0, "%s: %s mismatch (%s %s, received %s); %s not written",
                       t->in->source, ur_s3_cksum_name(ck->alg), ur_s3_cksum_header(ck->alg), want64, got64,
                       t->in->destination);
}

/* --verify-md5: a single-part ETag is the MD5 of the object; stream it over the one response. */
static void s_md5_setup(struct urestore_client *cl, struct ur_part *p, const struct ur_s3_resp_got *got)
{
    if (!cl->verify_md5 || p->md5 || !got->whole || !ur_s3_resp_etag_is_md5(p->task->etag)) return;
    p->md5 = EVP_MD_CTX_new();
    if (p->md5 && !EVP_DigestInit_ex(p->md5, EVP_md5(), NULL)) {
        EVP_MD_CTX_free(p->md5);
        p->md5 = NULL;
    }
}

/* -s: the existing destination has the object's size (known from the first response's headers). */
static bool s_same_size(const struct ur_task *t, int64_t size)
{
    return t->size < 0 && t->dst_size >= 0 && (t->in->flags & URESTORE_TASK_IF_SIZE_DIFFERS) && size == t->dst_size;
}

/* -s / -u said the existing destination stays: the task succeeds with nothing written (the unnamed file,
 * if opened, vanishes as on failure) and the response is dropped with its connection. */
static int s_keep_destination(struct ur_task *t)
{
    t->res->flags |= URESTORE_RESULT_SKIPPED;
    ur_sched_task_fail(t, URESTORE_OK, 0, "%s", "");
    return -1;
}

/* The object's size from a response: counted in bytes_total_known once per task (a retried whole response
 * says it again), in place of the caller's hint. */
static void s_size_learned(struct urestore_client *cl, struct ur_task *t, int64_t size)
{
    if (t->size < 0) {
        cl->bytes_known += (uint64_t)size - t->hint_counted;
        t->hint_counted = 0;
    }
    t->size = size;
}

int ur_sched_headers(struct ur_conn *c)
{
    struct ur_part *p = c->part;
    struct ur_task *t = p->task;
    struct urestore_client *cl = c->cl;
    const struct ur_http_resp *r = &c->resp;

    /* A listing page: its body goes to memory. */
    if (ur_task_mem(t) && (r->status == 200 || r->status == 206)) return r->status == 200 ? 3 : 1;
    if (p->head) return s_probe_headers(p, r);
    /* -u: not modified since the file's mtime. 304 comes only for the If-Modified-Since we sent. */
    if (r->status == 304 && t->dst_mtime >= 0 && (t->in->flags & URESTORE_TASK_IF_SOURCE_NEWER))
        return s_keep_destination(t);
    const struct ur_s3_resp_want want = {.source = t->in->source,
                                         .off = p->off,
                                         .got = p->got,
                                         .len = p->len,
                                         .size = t->size,
                                         .etag = t->etag,
                                         .split = t->nparts > 1};
    struct ur_s3_resp_got got;
    char msg[sizeof(t->res->message)];
    enum ur_s3_resp v = ur_s3_resp_check(&want, r, &got, msg, sizeof(msg));
    if (got.etag) snprintf(t->etag, sizeof(t->etag), "%s", got.etag);
    if (p->off == 0 && r->last_modified >= 0) t->last_modified = r->last_modified;
    switch (v) {
    case UR_S3_RESP_ERROR:
        return 1;
    case UR_S3_RESP_EMPTY:
        if (s_same_size(t, 0)) return s_keep_destination(t);
        s_size_learned(cl, t, 0);
        p->len = 0;
        return 2;
    case UR_S3_RESP_WHOLE:
        if (s_same_size(t, got.size)) return s_keep_destination(t);
        s_size_learned(cl, t, got.size);
        p->len = got.len;
        ur_sink_size_known(cl, t);
        break;
    case UR_S3_RESP_RANGE:
        if (t->probing && s_plan_resume_rest(cl, t) < 0) {
            ur_sched_task_fail(t, URESTORE_E_NOMEM, 0, "%s: out of memory", t->in->source);
            return -1;
        }
        p = c->part; /* may have moved */
        if (t->size >= 0) break;
        if (s_same_size(t, got.size)) return s_keep_destination(t);
        /* The first response told the object's size: the rest is cut into parts. */
        s_size_learned(cl, t, got.size);
        p->len = got.len;
        int pr = s_plan_rest(cl, t, (uint64_t)p->len);
        if (pr == -EOVERFLOW) {
            ur_sched_task_fail(t, URESTORE_E_INVALID, 0,
                               "%s: too many parts of %llu bytes; use a larger part size", t->in->source,
                               (unsigned long long)t->part_size);
            return -1;
        }
        if (pr < 0) {
            ur_sched_task_fail(t, URESTORE_E_NOMEM, 0, "%s: out of memory", t->in->source);
            return -1;
        }
        p = c->part; /* may have moved */
        ur_sink_size_known(cl, t);
        ur_sched_kick(cl);
        break;
    default: /* the response contradicts the request or what is known */
        if (t->probing && ur_s3_resp_changed(v)) { /* a server that ignores If-Match: start over */
            s_resume_restart(cl, p);
            return -1; /* the connection closes, the part is queued again */
        }
        ur_sched_task_fail(t, ur_s3_resp_changed(v) ? URESTORE_E_CHANGED : URESTORE_E_S3, r->status, "%s",
                           msg);
        return -1;
    }
    s_cksum_setup(cl, p, &got);
    s_md5_setup(cl, p, &got);
    return 0;
}

/* May p go now? If not, cl->wake_ms says when to look again. */
static bool s_ready(struct urestore_client *cl, struct ur_part *p, uint64_t now)
{
    if (p->not_before_ms > now) {
        if (p->not_before_ms < cl->wake_ms) cl->wake_ms = p->not_before_ms;
        return false;
    }
    if (!p->pace) p->pace = ur_pace_of(cl->pace, p->task->uri.bucket, p->task->uri.key);
    return ur_pace_ready(p->pace, now, &cl->wake_ms);
}

/* The first queued part for h that may go now. */
static struct ur_part *s_next_part(struct urestore_client *cl, struct ur_host *h, uint64_t now)
{
    unsigned deferred = 0;
    for (struct ur_list *n = cl->queue.next; n != &cl->queue && deferred < UR_SCAN_DEFERRED_MAX; n = n->next) {
        struct ur_part *p = ur_container_of(n, struct ur_part, link);
        if (p->task->host != h) continue;
        if (s_ready(cl, p, now)) return p;
        deferred++;
    }
    return NULL;
}

/* p leaves the queue for a connection. */
static void s_take(struct urestore_client *cl, struct ur_part *p, uint64_t now)
{
    ur_list_remove(&p->link);
    p->queued = false;
    ur_pace_started(p->pace, now);
    if (p->task->fstate == F_NONE && !ur_task_mem(p->task)) ur_sink_open(cl, p->task);
}

/* Worth sending behind another request on one connection (ur_plan_pipelinable). Never a listing page: each
 * one names the next. */
static bool s_pipelinable(const struct ur_part *p)
{
    return !p->task->req && ur_plan_pipelinable(p->len);
}

/* p goes on the idle connection c; on a connection that has answered before, more ready parts of the same
 * host follow it in the same send (pipelining), all taken with the kick's `now`, so that only parts after
 * p in the queue can be taken (the kick's scan stays valid). */
static void s_dispatch(struct ur_conn *c, struct ur_part *p, uint64_t now)
{
    struct urestore_client *cl = c->cl;
    s_take(cl, p, now);
    if (ur_conn_request(c, p) < 0) return;
    if (c->served && cl->pipeline > 1 && s_pipelinable(p)) {
        while (c->nahead + 1 < cl->pipeline) {
            struct ur_part *q = s_next_part(cl, c->host, now);
            if (!q || !s_pipelinable(q) || ur_conn_request(c, q) < 0) break;
            s_take(cl, q, now);
        }
    }
    ur_conn_flush(c);
}

void ur_sched_conn_idle(struct ur_conn *c)
{
    struct urestore_client *cl = c->cl;
    uint64_t now = ur_loop_now_ms(&cl->loop);
    struct ur_part *p = cl->cancelled ? NULL : s_next_part(cl, c->host, now);
    if (p) return s_dispatch(c, p, now);
    ur_list_push_front(&c->host->idle, &c->link);
}

static bool s_evict_idle(struct urestore_client *cl, const struct ur_host *keep)
{
    for (unsigned i = 0; i < cl->nhosts; i++) {
        struct ur_host *h = cl->hosts[i];
        if (h == keep) continue;
        for (struct ur_list *n = h->idle.next; n != &h->idle; n = n->next) {
            struct ur_conn *c = ur_container_of(n, struct ur_conn, link);
            if (!c->recv_armed) continue; /* closing it would free it (and kick) from inside this kick */
            ur_conn_close(c, 0, NULL);
            return true;
        }
    }
    return false;
}

/* The dispatch itself: parts that may go now onto idle or new connections. */
static void s_kick_now(struct urestore_client *cl)
{
    uint64_t now = ur_loop_now_ms(&cl->loop);
    unsigned opening = 0, open = 0;
    if (cl->cancelled) return;
    for (unsigned i = 0; i < cl->nconns; i++) {
        enum ur_conn_state s = cl->conns[i].state;
        if (s == C_CONNECTING || s == C_TUNNEL || s == C_HANDSHAKE) opening++;
        if (s != C_FREE) open++;
    }
    unsigned ready = 0, deferred = 0;
    for (struct ur_list *n = cl->queue.next; n != &cl->queue && deferred < UR_SCAN_DEFERRED_MAX; n = n->next) {
        struct ur_part *p = ur_container_of(n, struct ur_part, link);
        if (!s_ready(cl, p, now)) {
            deferred++;
            continue;
        }
        deferred = 0;
        struct ur_host *h = p->task->host;
        struct ur_list *idle = ur_list_pop_front(&h->idle);
        if (idle) {
            n = n->prev; /* p leaves the queue */
            s_dispatch(ur_container_of(idle, struct ur_conn, link), p, now);
            continue;
        }
        /* A connection being opened will take a ready part when it is up: open no more than needed. */
        if (++ready <= opening) continue;
        /* The first TLS connection to a host goes alone until it has a session ticket (or a response):
         * the others then resume it instead of each paying a full handshake. */
        if (!h->warm && h->nconn > 0) {
            deferred++;
            continue;
        }
        struct ur_list *f = open < cl->max_conns ? ur_list_pop_front(&cl->free_conns) : NULL;
        if (!f) {
            /* A slot held by an idle connection to another host (kept from an earlier batch) is given
             * up: it is free once its receive has returned, and the kick that follows opens ours. */
            if (!s_evict_idle(cl, h)) break;
            opening++;
            continue;
        }
        open++;
        opening++;
        ur_conn_start(cl, ur_container_of(f, struct ur_conn, link), h);
    }
}

/* ---- what the layers below call (struct ur_sched_up) ----------------------------------------------- */

/* The dispatch, then a timer for the first part held back by backoff or pacing: looked at again when it
 * may go (never later than asked, never polled). */
static void s_dispatch_all(struct urestore_client *cl)
{
    s_kick_now(cl);
    if (cl->wake_ms != UINT64_MAX &&
        (!ur_loop_timer_armed(&cl->wake_timer) || cl->wake_timer.at_ms > cl->wake_ms))
        ur_loop_timer_arm(&cl->loop, &cl->wake_timer, cl->wake_ms);
}

static void s_on_wake(struct ur_timer *t)
{
    struct urestore_client *cl = ur_container_of(t, struct urestore_client, wake_timer);
    cl->wake_ms = UINT64_MAX;
    s_dispatch_all(cl);
}

static void s_on_kick(struct ur_op *op, int res)
{
    (void)res;
    s_dispatch_all(ur_container_of(op, struct urestore_client, op_kick));
}

/* Every change that may let a part go asks for a dispatch; the dispatch runs once, in the loop's next
 * turn, after every completion of this one: no dispatch runs inside the call of a connection or of the
 * file side that asked for it. */
void ur_sched_kick(struct urestore_client *cl)
{
    cl->op_kick.cb = s_on_kick;
    cl->wake_timer.cb = s_on_wake;
    ur_loop_defer(&cl->loop, &cl->op_kick, 0);
}

/* How many region redirects one part follows: one is the rule (the bucket's region is remembered); a
 * second covers a request that was already on its way when the first redirect arrived. */
#define UR_REGION_MOVES_MAX 2

static bool s_region_moved(struct ur_part *p, const char *region, char *why, size_t whylen)
{
    struct urestore_client *cl = p->task->cl;
    if (cl->cancelled || !cl->bucket_moved) return false;
    if (p->moves >= UR_REGION_MOVES_MAX) {
        snprintf(why, whylen, "still redirected after %u retries in the regions named", p->moves);
        return false;
    }
    if (cl->bucket_moved(cl, p->task, region, why, whylen) < 0) return false;
    p->moves++;
    return true;
}

static void s_task_fail_msg(struct ur_task *t, urestore_status st, int http_status, const char *msg)
{
    ur_sched_task_fail(t, st, http_status, "%s", msg);
}

const struct ur_sched_up ur_sched_up = {
    .headers = ur_sched_headers,
    .part_error = ur_sched_part_error,
    .part_ok = ur_sched_part_ok,
    .part_released = ur_sched_part_released,
    .host_failed = ur_sched_host_failed,
    .conn_idle = ur_sched_conn_idle,
    .task_fail = s_task_fail_msg,
    .region_moved = s_region_moved,
    .kick = ur_sched_kick,
};
