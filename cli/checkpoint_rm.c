/* cli/checkpoint_rm.c — the last step of `urestore checkpoint gc`: the candidates as s5cmd `rm` lines (dry
 * run), or deleted with urestore_delete in pages of a few hundred keys at a bounded rate, each key's outcome
 * printed: `rm s3://bucket/key` when deleted, `ERROR "rm s3://bucket/key": CODE: message` when not. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/checkpoint_run.h"
#include "cli/out.h"
#include "flink/gc.h"

static void s_rm_line(struct ur_cli_buf *b, bool json, bool dry, const struct ur_gc_candidate *c)
{
    char num[160];
    b->len = 0;
    if (json) {
        ur_cli_buf_puts(b, "{\"operation\":\"rm\",\"success\":true,");
        if (dry) ur_cli_buf_puts(b, "\"dry_run\":true,");
        struct ur_cli_buf u = {0};
        ur_cli_buf_puts(&u, "s3://");
        ur_cli_buf_puts(&u, c->bucket);
        ur_cli_buf_puts(&u, "/");
        ur_cli_buf_puts(&u, c->key);
        ur_cli_buf_puts(b, "\"source\":");
        ur_cli_buf_json_str(b, u.p ? u.p : "");
        ur_cli_buf_free(&u);
        snprintf(num, sizeof(num), ",\"size\":%llu,\"last_modified\":%lld,\"reason\":\"%s\"}\n",
                 (unsigned long long)c->size, (long long)c->last_modified, ur_gc_verdict_name(c->why));
        ur_cli_buf_puts(b, num);
    } else {
        ur_cli_buf_puts(b, "rm s3://");
        ur_cli_buf_puts(b, c->bucket);
        ur_cli_buf_puts(b, "/");
        ur_cli_buf_puts(b, c->key);
        ur_cli_buf_puts(b, "\n");
    }
}

static void s_rm_error(struct ur_cli_buf *b, bool json, const struct ur_gc_candidate *c, const char *msg)
{
    struct ur_cli_buf t = {0};
    ur_cli_buf_puts(&t, "rm s3://");
    ur_cli_buf_puts(&t, c->bucket);
    ur_cli_buf_puts(&t, "/");
    ur_cli_buf_puts(&t, c->key);
    ur_cli_fmt_error(b, json, "rm", t.p ? t.p : "", msg);
    ur_cli_buf_free(&t);
}

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits until sent keys are due at max_rate keys per second since t0. */
static void s_pace(const struct ur_ck_run *r, uint64_t sent, double t0)
{
    double due = t0 + (double)sent / r->o.max_rate, now = s_now();
    if (due > now) {
        double d = due - now;
        struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* A per-key error worth another try: the server's throttle or a transient failure (S3 documents SlowDown,
 * InternalError and ServiceUnavailable inside a 200 DeleteObjects answer). */
static bool s_retryable(const struct urestore_result *res)
{
    static const char *const codes[] = {"SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout"};
    if (res->status == URESTORE_E_NETWORK) return true;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (!strncmp(res->message, codes[i], strlen(codes[i]))) return true;
    return false;
}

#define S_KEY_RETRIES 6 /* rounds for keys a page left with a retryable error: 0.2 s … 6.4 s apart */

/* Deletes keys[0..n) of bucket_uri into res, paced, and retries the keys whose error is retryable with
 * growing pauses; res ends with every key's last outcome. idx: room for n indexes. */
static void s_delete_page(struct ur_ck_run *r, urestore_client *c, const char *bucket_uri, const char **keys,
                          size_t *idx, struct urestore_result *res, size_t n, uint64_t *sent, double t0)
{
    s_pace(r, *sent, t0);
    memset(res, 0, n * sizeof(*res));
    urestore_delete(c, bucket_uri, keys, n, res);
    *sent += n;
    double pause = 0.2;
    for (int round = 0; round < S_KEY_RETRIES; round++, pause *= 2) {
        size_t m = 0;
        for (size_t j = 0; j < n; j++)
            if (res[j].status != URESTORE_OK && s_retryable(&res[j])) idx[m++] = j;
        if (!m) break;
        struct timespec ts = {(time_t)pause, (long)((pause - (double)(time_t)pause) * 1e9)};
        nanosleep(&ts, NULL);
        const char **again = malloc(m * sizeof(*again));
        struct urestore_result *rr = calloc(m, sizeof(*rr));
        if (!again || !rr) {
            free(again);
            free(rr);
            break;
        }
        for (size_t q = 0; q < m; q++)
            again[q] = keys[idx[q]];
        s_pace(r, *sent, t0);
        urestore_delete(c, bucket_uri, again, m, rr);
        *sent += m;
        for (size_t q = 0; q < m; q++)
            res[idx[q]] = rr[q];
        free(again);
        free(rr);
    }
}

/* A candidate copied out of the planner, whose own are valid only until the next ur_gc_next. */
struct s_slot {
    struct ur_gc_candidate c;
    char *name; /* "bucket\0key\0": c.bucket and c.key point into it */
};

static int s_copy(struct s_slot *d, const struct ur_gc_candidate *c)
{
    size_t bl = strlen(c->bucket), kl = strlen(c->key);
    if (!(d->name = malloc(bl + kl + 2))) return -ENOMEM;
    memcpy(d->name, c->bucket, bl + 1);
    memcpy(d->name + bl + 1, c->key, kl + 1);
    d->c = *c;
    d->c.bucket = d->name;
    d->c.key = d->name + bl + 1;
    return 0;
}

/* Reading the candidates failed (rc: -errno): says so; the rest is not deleted. */
static void s_read_error(struct ur_ck_run *r, struct ur_cli_buf *b, int rc)
{
    char m[1200];
    snprintf(m, sizeof(m),
             "reading the candidates back from the temporary file in %s: %s; the rest were not %s",
             ur_gc_spill_dir(r->gc), strerror(-rc), r->o.delete_ ? "deleted" : "printed");
    ur_cli_fmt_error(b, r->o.json, "checkpoint", r->what, m);
    (void)ur_cli_emit(STDERR_FILENO, b);
}

/* The dry run: one line per candidate. Returns 1 when the candidates could not be read, else 0. */
static uint64_t s_print_all(struct ur_ck_run *r, struct ur_cli_buf *b)
{
    struct ur_gc_candidate cand;
    int rc = ur_gc_rewind(r->gc);
    while (rc == 0 && (rc = ur_gc_next(r->gc, &cand)) == 1) {
        s_rm_line(b, r->o.json, true, &cand);
        (void)ur_cli_emit(STDOUT_FILENO, b);
        rc = 0;
    }
    if (rc < 0) s_read_error(r, b, rc);
    return rc < 0;
}

uint64_t ur_ck_remove(struct ur_ck_run *r, urestore_client *c)
{
    struct ur_cli_buf b = {0};
    if (!r->o.delete_) {
        uint64_t failed = s_print_all(r, &b);
        ur_cli_buf_free(&b);
        return failed;
    }
    size_t page = r->o.page;
    const char **keys = calloc(page, sizeof(*keys));
    size_t *idx = calloc(page, sizeof(*idx));
    struct urestore_result *res = calloc(page, sizeof(*res));
    struct s_slot *slot = calloc(page + 1, sizeof(*slot)); /* + 1: the first of the next bucket */
    if (!keys || !idx || !res || !slot) {
        free(keys);
        free(idx);
        free(res);
        free(slot);
        ur_cli_fmt_error(&b, r->o.json, "checkpoint", r->what, "out of memory; nothing was deleted");
        (void)ur_cli_emit(STDERR_FILENO, &b);
        ur_cli_buf_free(&b);
        return 1;
    }
    double t0 = s_now();
    uint64_t sent = 0, failed = 0;
    struct ur_gc_candidate x;
    /* rc 1: slot[0] holds the first candidate of the next page; 0: none left; < 0: failed. */
    int rc = ur_gc_rewind(r->gc);
    if (rc == 0 && (rc = ur_gc_next(r->gc, &x)) == 1 && s_copy(&slot[0], &x) < 0) rc = -ENOMEM;
    while (rc == 1) {
        /* One page: consecutive candidates of one bucket (they are sorted by bucket, then key). */
        char bucket_uri[128];
        snprintf(bucket_uri, sizeof(bucket_uri), "s3://%s", slot[0].c.bucket);
        size_t k = 1;
        bool carry = false; /* slot[page] holds the next bucket's first candidate */
        while (k < page && (rc = ur_gc_next(r->gc, &x)) == 1) {
            bool other = strcmp(x.bucket, slot[0].c.bucket) != 0;
            if (s_copy(&slot[other ? page : k], &x) < 0) {
                rc = -ENOMEM;
                break;
            }
            if (other) {
                carry = true;
                break;
            }
            k++;
        }
        for (size_t j = 0; j < k; j++)
            keys[j] = slot[j].c.key;
        s_delete_page(r, c, bucket_uri, keys, idx, res, k, &sent, t0);
        for (size_t j = 0; j < k; j++) {
            ur_ck_progress(r, NULL, NULL);
            if (res[j].status == URESTORE_OK) {
                __atomic_fetch_add(&r->deleted, 1, __ATOMIC_RELAXED);
                s_rm_line(&b, r->o.json, false, &slot[j].c);
                (void)ur_cli_emit(STDOUT_FILENO, &b);
            } else {
                failed++;
                s_rm_error(&b, r->o.json, &slot[j].c,
                           res[j].message[0] ? res[j].message : urestore_status_str(res[j].status));
                (void)ur_cli_emit(STDERR_FILENO, &b);
            }
            free(slot[j].name);
            slot[j].name = NULL;
        }
        ur_ck_progress(r, "deleting", NULL);
        if (rc < 0) break;
        if (carry) {
            slot[0] = slot[page];
            slot[page].name = NULL;
            rc = 1;
        } else if (k == page && (rc = ur_gc_next(r->gc, &x)) == 1 && s_copy(&slot[0], &x) < 0) {
            rc = -ENOMEM;
        }
    }
    if (rc < 0) {
        failed++;
        s_read_error(r, &b, rc);
    }
    for (size_t j = 0; j <= page; j++)
        free(slot[j].name);
    r->failed = failed;
    free(keys);
    free(idx);
    free(res);
    free(slot);
    ur_cli_buf_free(&b);
    return failed;
}
