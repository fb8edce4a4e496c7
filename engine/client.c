/* engine/client.c — the public ABI: client options, one batch copy = one run of the io_uring loop.
 *
 * Before the loop starts (where blocking is fine): parse and check every task, create parent
 * directories, resolve host names, size the buffer pool and the connections. Then the loop runs until
 * every task has a result; callbacks run between batches of completions, never inside the reaping. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "engine/engine.h"
#include "engine/client.h"
#include "engine/sched.h"
#include "engine/conn.h"
#include "engine/creds.h"
#include "engine/sink.h"
#include "s3/proxy.h"

#define UR_BUF_SIZE (1u << 20)              /* 1 MiB writes: O_DIRECT runs near disk speed from here up */
#define UR_DEFAULT_CONNS 16
#define UR_DEFAULT_PART (8ull << 20)        /* enough parts to spread one big object over every connection */
#define UR_DEFAULT_BUDGET (32ull << 20)
#define UR_DEFAULT_RETRIES 10               /* s5cmd's default */
#define UR_DEFAULT_STALL_MS 20000
#define UR_DEFAULT_RCVBUF (4 << 20)         /* receive window from the first byte: see s_rcvbuf */
#define UR_DEFAULT_CONNECT_MS 10000
#define UR_DEFAULT_FIRST_BYTE_MS 30000
#define UR_RING_ENTRIES 1024
#define UR_PROGRESS_MS 100                  /* on_progress at most this often (the header says ~100 ms) */

static void s_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen) snprintf(err, errlen, "%s", msg);
}

URESTORE_API const char *urestore_version(void)
{
    return "urestore " URESTORE_VERSION_STRING;
}

URESTORE_API const char *urestore_status_str(urestore_status s)
{
    static const char *const names[] = {"ok", "invalid argument", "not found", "access denied", "S3 error",
                                        "network error", "TLS error", "local file error", "cancelled",
                                        "object changed", "out of memory", "checksum mismatch"};
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown status";
}

/* The receive buffer each socket asks for (options.receive_buffer_bytes). Autotuning starts every connection at tcp_rmem's 128 KiB and
 * grows it as the reader keeps up; until then the sender is held to that window, and on loopback each
 * ACK that opens it runs the sender's next transmit on the reader's CPU. A fixed 4 MiB (the kernel
 * doubles it) from the first byte, 16 × 64 MiB over plain HTTP, 7–9 interleaved runs: client 0.39–0.46 →
 * 0.28–0.32 CPU-s, client + nginx 0.64–0.74 → 0.58–0.65. The kernel caps SO_RCVBUF at rmem_max and a
 * capped, fixed buffer is worse than autotuning (256 KiB: 0.52), so below 4 MiB of rmem_max the kernel
 * keeps autotuning. Returns the bytes to ask for, 0 for the kernel's autotuning. */
static int s_rcvbuf(int64_t want)
{
    if (want < 0) return 0;
    if (want > 0) return want > (1L << 30) ? 1 << 30 : (int)want;
    long max = 0;
    FILE *f = fopen("/proc/sys/net/core/rmem_max", "re");
    if (f) {
        if (fscanf(f, "%ld", &max) != 1) max = 0;
        fclose(f);
    }
    return max >= UR_DEFAULT_RCVBUF ? UR_DEFAULT_RCVBUF : 0;
}

/* ---- credentials the SDKs' way (default_credentials) ------------------------------------------------ */

static void s_chain_free(struct urestore_client *cl)
{
    if (cl->cplan) OPENSSL_cleanse(cl->cplan, sizeof(*cl->cplan));
    free(cl->cplan);
    cl->cplan = NULL;
    ur_awscfg_free(cl->awscfg);
    cl->awscfg = NULL;
}

/* Reads the shared files and plans the chain (blocking file reads: urestore_client_new may block). Keys
 * at hand are taken now; a source that expires or needs the network keeps its plan for s_creds_due. */
static int s_chain_setup(struct urestore_client *cl, char *why, size_t whylen)
{
    if (!(cl->awscfg = ur_awscfg_new()) || !(cl->cplan = calloc(1, sizeof(*cl->cplan))))
        return snprintf(why, whylen, "no credentials: out of memory"), -ENOMEM;
    char e[512] = "";
    int rc = ur_awscfg_load(cl->awscfg, ur_awscfg_process_env, NULL, e, sizeof(e));
    if (rc < 0) return snprintf(why, whylen, "no credentials: shared files: %s", e), rc;
    struct ur_creds_chain_in in = {.profile = cl->opt.profile, .env = ur_awscfg_process_env, .cfg = cl->awscfg};
    if ((rc = ur_creds_chain_plan(&in, cl->cplan, e, sizeof(e))) < 0)
        return snprintf(why, whylen, "no credentials: %s", e), rc;
    enum ur_creds_source src = cl->cplan->source;
    if ((src == UR_CREDS_SRC_ENV || src == UR_CREDS_SRC_PROFILE) && !cl->cplan->nroles) {
        cl->creds = cl->cplan->keys; /* static: nothing to refresh */
        s_chain_free(cl);
    }
    return 0;
}

/* Swaps in new credentials and a signer made with them (between calls: nothing in flight uses the old). */
static int s_creds_set(struct urestore_client *cl, const struct ur_creds_temp *t, time_t now, char *why,
                       size_t whylen)
{
    struct ur_sigv4 *s = ur_sigv4_new(&t->creds, cl->ep.region, "s3");
    if (!s) return snprintf(why, whylen, "credentials: out of memory"), -ENOMEM;
    for (unsigned i = 0; i < cl->nhosts; i++) { /* hosts signing for another region (redirects) */
        struct ur_host *h = cl->hosts[i];
        struct ur_sigv4 *hs = h->signer ? ur_sigv4_new(&t->creds, h->region, "s3") : NULL;
        if (h->signer && !hs) return ur_sigv4_free(s), snprintf(why, whylen, "credentials: out of memory"), -ENOMEM;
        ur_sigv4_free(h->signer);
        h->signer = hs;
    }
    ur_sigv4_free(cl->signer);
    cl->signer = s;
    cl->creds = t->creds;
    cl->creds_exp = t->expiration;
    cl->creds_at = now;
    return 0;
}

/* The caller's provider, asked when the client has no credentials or they are due for a refresh. */
static int s_provider_due(struct urestore_client *cl, time_t now, char *why, size_t whylen)
{
    if (cl->creds.access_key[0] && ur_creds_freshness((time_t)cl->creds_exp, now) == UR_CREDS_FRESH) return 0;
    struct urestore_credentials *u = calloc(1, sizeof(*u));
    struct ur_creds_temp *t = calloc(1, sizeof(*t));
    int rc = -ENOMEM;
    char m[384] = "";
    if (!u || !t) {
        snprintf(why, whylen, "credentials provider: out of memory");
    } else if (cl->opt.credentials_provider(cl->opt.credentials_user, u, m, sizeof(m)) != 0) {
        m[sizeof(m) - 1] = '\0';
        snprintf(why, whylen, "credentials provider: %s", m[0] ? m : "failed");
        rc = -EACCES;
    } else if (!memchr(u->access_key_id, 0, sizeof(u->access_key_id)) || !u->access_key_id[0] ||
               !memchr(u->secret_access_key, 0, sizeof(u->secret_access_key)) || !u->secret_access_key[0] ||
               !memchr(u->session_token, 0, sizeof(u->session_token))) {
        snprintf(why, whylen, "credentials provider: an empty or unterminated key");
        rc = -EINVAL;
    } else {
        memcpy(t->creds.access_key, u->access_key_id, sizeof(t->creds.access_key));
        memcpy(t->creds.secret_key, u->secret_access_key, sizeof(t->creds.secret_key));
        memcpy(t->creds.session_token, u->session_token, sizeof(t->creds.session_token));
        t->expiration = (time_t)u->expiration;
        rc = s_creds_set(cl, t, now, why, whylen);
    }
    if (u) OPENSSL_cleanse(u, sizeof(*u));
    if (t) OPENSSL_cleanse(t, sizeof(*t));
    free(u);
    free(t);
    return rc;
}

/* Refreshing during a call: a timer at the refresh time (ur_creds_refresh_at: 5 min before expiry) starts
 * the fetch on a thread of its own (ur_creds_bg_start), whose eventfd write this loop reads; the new
 * signer then signs every request written from there on. Transfers never wait for it. */
struct ur_client_refresh {
    struct urestore_client *cl;
    struct ur_creds_bg bg;
    struct ur_creds_ctx ctx;
    struct ur_op op;
    struct ur_timer timer;
    uint64_t val;
    int efd;
};

static void s_refresh_arm(struct urestore_client *cl, uint64_t in_ms);
static void s_on_creds_expired(struct urestore_client *cl);

static void s_on_refreshed(struct ur_op *op, int res)
{
    struct ur_client_refresh *r = ur_container_of(op, struct ur_client_refresh, op);
    (void)res;
    if (!r->bg.running) return; /* joined at the end of the call already */
    struct urestore_client *cl = r->cl;
    char why[512];
    int rc = ur_creds_bg_join(&r->bg);
    if (rc == 0) rc = s_creds_set(cl, &r->bg.out, time(NULL), why, sizeof(why));
    OPENSSL_cleanse(&r->bg.out, sizeof(r->bg.out));
    /* A failed refresh keeps the old credentials (still valid for a while) and tries again later. */
    if (!cl->closing) s_refresh_arm(cl, rc == 0 ? UINT64_MAX : UR_CREDS_REFRESH_MIN_GAP_S * 1000ull);
}

static void s_on_refresh_timer(struct ur_timer *t)
{
    struct ur_client_refresh *r = ur_container_of(t, struct ur_client_refresh, timer);
    struct urestore_client *cl = r->cl;
    r->ctx = (struct ur_creds_ctx){.plan = cl->cplan,
                                   .region = cl->ep.region,
                                   .env = ur_awscfg_process_env,
                                   .cfg = cl->awscfg,
                                   .tls_ctx = cl->tls_ctx ? cl->tls_ctx : cl->creds_tls};
    if (r->bg.running || ur_creds_bg_start(&r->bg, &r->ctx, r->efd) < 0) return;
    r->op.cb = s_on_refreshed;
    ur_loop_read(&cl->loop, &r->op, r->efd, &r->val, sizeof(r->val));
}

/* Arms the refresh timer in_ms from now, or (UINT64_MAX) at the credentials' refresh time. Only for the
 * default chain's temporary credentials (a provider is asked between calls). URESTORE_TEST_CREDS_REFRESH_MS
 * (tests only) refreshes that many ms after each fetch, so a short test run sees refreshes. */
static void s_refresh_arm(struct urestore_client *cl, uint64_t in_ms)
{
    if (!cl->cplan || (!cl->creds_exp && in_ms)) return;
    if (!cl->refresh) {
        struct ur_client_refresh *r = calloc(1, sizeof(*r));
        if (!r) return;
        r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (r->efd < 0) return free(r);
        r->cl = cl;
        r->timer.cb = s_on_refresh_timer;
        cl->refresh = r;
        cl->creds_expired = s_on_creds_expired;
    }
    const char *test = getenv("URESTORE_TEST_CREDS_REFRESH_MS");
    if (in_ms == UINT64_MAX && test && atoi(test) > 0) {
        in_ms = (uint64_t)atoi(test);
    } else if (in_ms == UINT64_MAX) {
        time_t at = ur_creds_refresh_at((time_t)cl->creds_exp, (time_t)cl->creds_at), now = time(NULL);
        in_ms = at > now ? (uint64_t)(at - now) * 1000 : 0;
    }
    ur_loop_timer_arm(&cl->loop, &cl->refresh->timer, ur_loop_now_ms(&cl->loop) + in_ms);
}

/* An ExpiredToken-like answer (sched.c through cl->creds_expired): refresh now, unless one is under way. */
static void s_on_creds_expired(struct urestore_client *cl)
{
    if (!cl->refresh || !cl->refresh->bg.running) s_refresh_arm(cl, 0);
}

/* The end of a call: no new refresh; one under way is waited for (bounded by its timeouts) and kept. */
static void s_refresh_stop(struct urestore_client *cl)
{
    struct ur_client_refresh *r = cl->refresh;
    if (!r) return;
    ur_loop_timer_cancel(&cl->loop, &r->timer);
    if (!r->bg.running) return;
    char why[512];
    if (ur_creds_bg_join(&r->bg) == 0) s_creds_set(cl, &r->bg.out, time(NULL), why, sizeof(why));
    OPENSSL_cleanse(&r->bg.out, sizeof(r->bg.out));
    /* Its eventfd read completes in the end-of-call drain and finds nothing to do. */
}

static void s_refresh_free(struct urestore_client *cl)
{
    if (!cl->refresh) return;
    if (cl->refresh->bg.running) ur_creds_bg_join(&cl->refresh->bg);
    close(cl->refresh->efd);
    OPENSSL_cleanse(cl->refresh, sizeof(*cl->refresh));
    free(cl->refresh);
    cl->refresh = NULL;
}

/* Before a call's first request: fetches credentials when there are none yet or they are due for a
 * refresh (ur_creds_freshness), on this call's loop, and rebuilds the signer with them. Between calls
 * nothing is in flight, so the signer can be swapped. */
static int s_creds_due(struct urestore_client *cl, char *why, size_t whylen)
{
    time_t now = time(NULL);
    if (cl->opt.credentials_provider) return s_provider_due(cl, now, why, whylen);
    if (!cl->cplan || (cl->creds.access_key[0] && ur_creds_freshness((time_t)cl->creds_exp, now) == UR_CREDS_FRESH))
        return 0;
    struct ur_creds_ctx c = {.plan = cl->cplan,
                             .region = cl->ep.region,
                             .env = ur_awscfg_process_env,
                             .cfg = cl->awscfg,
                             .tls_ctx = cl->tls_ctx ? cl->tls_ctx : cl->creds_tls};
    /* No region given: instance metadata's, when the credentials come from there (the SDKs' chain: option,
     * environment, profile, IMDS, us-east-1). Asked once, before any host is signed for a region. */
    char imds_region[64] = "";
    if (!cl->region_asked && !cl->nhosts && cl->cplan->source == UR_CREDS_SRC_IMDS && !cl->cplan->nroles) {
        c.imds_region = imds_region;
        c.imds_region_cap = sizeof(imds_region);
    }
    struct ur_creds_temp t;
    char e[512] = "";
    int rc = ur_creds_fetch(&cl->loop, &c, &t, e, sizeof(e));
    if (rc == 0 && c.imds_region) {
        cl->region_asked = true;
        if (imds_region[0]) ur_endpoint_in_region(&cl->ep, imds_region, &cl->ep);
    }
    if (rc < 0 && cl->cplan->source == UR_CREDS_SRC_IMDS && !cl->cplan->nroles)
        /* The end of the chain: what a person looks for first (the keys), what else was passed over, and
         * why instance metadata gave none. */
        snprintf(why, whylen, "no credentials: AWS_ACCESS_KEY_ID is not set and no other source supplied any (%s; %s)",
                 cl->cplan->tried, e);
    else if (rc < 0)
        snprintf(why, whylen, "no credentials: %s", e);
    if (rc < 0) return rc;
    rc = s_creds_set(cl, &t, now, why, whylen);
    OPENSSL_cleanse(&t, sizeof(t));
    return rc;
}

static int s_bucket_moved(struct urestore_client *cl, struct ur_task *t, const char *region, char *why,
                          size_t whylen);

URESTORE_API urestore_status urestore_client_new(const struct urestore_options *opts, urestore_client **out,
                                                  char *err, size_t errlen)
{
    *out = NULL;
    if (!opts || opts->struct_size < offsetof(struct urestore_options, retry_count) + sizeof(int)) {
        s_err(err, errlen, "urestore_options.struct_size is not set");
        return URESTORE_E_INVALID;
    }
    struct urestore_client *cl = calloc(1, sizeof(*cl));
    if (!cl) return URESTORE_E_NOMEM;
    memcpy(&cl->opt, opts, opts->struct_size < sizeof(cl->opt) ? opts->struct_size : sizeof(cl->opt));
    cl->cancel_fd = -1;
    cl->up = &ur_sched_up;
    cl->bucket_moved = s_bucket_moved;
    urestore_status st = URESTORE_E_INVALID;
    char msg[256];

    if (ur_endpoint_init(&cl->ep, opts->endpoint_url, opts->region, msg, sizeof(msg)) < 0) {
        s_err(err, errlen, msg);
        goto fail;
    }
    cl->region_asked = opts->region && *opts->region;
    if (opts->anonymous) {
        cl->creds.anonymous = true;
    } else if ((!opts->access_key_id || !*opts->access_key_id) && cl->opt.credentials_provider) {
        /* Asked before the first call's first request (s_creds_due). */
    } else if ((!opts->access_key_id || !*opts->access_key_id) && cl->opt.default_credentials) {
        char why[768];
        if (s_chain_setup(cl, why, sizeof(why)) < 0) {
            s_err(err, errlen, why);
            st = URESTORE_E_ACCESS;
            goto fail;
        }
    } else {
        if (!opts->access_key_id || !*opts->access_key_id || !opts->secret_access_key ||
            !*opts->secret_access_key) {
            s_err(err, errlen, "no credentials: set an access key id and a secret access key, or anonymous");
            goto fail;
        }
        if (strlen(opts->access_key_id) >= sizeof(cl->creds.access_key) ||
            strlen(opts->secret_access_key) >= sizeof(cl->creds.secret_key) ||
            (opts->session_token && strlen(opts->session_token) >= sizeof(cl->creds.session_token))) {
            s_err(err, errlen, "credentials are too long");
            goto fail;
        }
        strcpy(cl->creds.access_key, opts->access_key_id);
        strcpy(cl->creds.secret_key, opts->secret_access_key);
        if (opts->session_token) strcpy(cl->creds.session_token, opts->session_token);
    }
    st = URESTORE_E_NOMEM;
    cl->signer = ur_sigv4_new(&cl->creds, cl->ep.region, "s3");
    if (!cl->signer) goto fail;
    if (cl->ep.tls) {
        struct ur_tls_config tc = {.verify = !opts->no_verify_tls, .ca_file = opts->ca_bundle,
                                   .no_vaes = cl->opt.no_vaes != 0};
        cl->tls_ctx = ur_tls_ctx_new(&tc, msg, sizeof(msg));
        if (!cl->tls_ctx) {
            s_err(err, errlen, msg);
            st = URESTORE_E_TLS;
            goto fail;
        }
    }
    if (!cl->ep.tls && cl->cplan) {
        /* S3 over plain http, credentials perhaps from https (STS is https by default): a context of
         * their own, since a client-wide one would make every S3 connection TLS. */
        struct ur_tls_config tc = {.verify = !opts->no_verify_tls, .ca_file = opts->ca_bundle};
        if (!(cl->creds_tls = ur_tls_ctx_new(&tc, msg, sizeof(msg)))) {
            s_err(err, errlen, msg);
            st = URESTORE_E_TLS;
            goto fail;
        }
    }
    cl->nconns = opts->max_connections ? opts->max_connections : UR_DEFAULT_CONNS;
    if (cl->nconns > 1024) cl->nconns = 1024;
    /* Read from our copy (cl->opt): fields beyond a shorter struct_size are zero there, their default. */
    unsigned depth = cl->opt.pipeline_depth ? cl->opt.pipeline_depth : UR_PIPE_DEFAULT;
    cl->pipeline = depth > UR_PIPE_MAX ? UR_PIPE_MAX : depth;
    cl->rcvbuf = s_rcvbuf(cl->opt.receive_buffer_bytes);
    cl->part_size = opts->part_size_bytes ? opts->part_size_bytes : UR_DEFAULT_PART;
    cl->part_size = (cl->part_size + UR_ALIGN - 1) & ~(uint64_t)(UR_ALIGN - 1);
    cl->retries = opts->retry_count == 0 ? UR_DEFAULT_RETRIES : opts->retry_count < 0 ? 0 : opts->retry_count;
    /* Read from our copy: a caller built against an older header passes a shorter struct. */
    cl->verify_md5 = cl->opt.verify_md5 != 0;
    cl->verify_checksum = cl->opt.no_verify_checksum == 0;
    if (cl->opt.request_payer) snprintf(cl->request_payer, sizeof(cl->request_payer), "%s", cl->opt.request_payer);
    cl->stall_ms = cl->opt.stall_timeout_ms ? cl->opt.stall_timeout_ms : UR_DEFAULT_STALL_MS;
    cl->connect_ms = cl->opt.connect_timeout_ms ? cl->opt.connect_timeout_ms : UR_DEFAULT_CONNECT_MS;
    cl->first_byte_ms = cl->opt.first_byte_timeout_ms ? cl->opt.first_byte_timeout_ms : UR_DEFAULT_FIRST_BYTE_MS;
    /* Jitter seed: clients started together must not retry in lockstep. */
    cl->rng = ((uint64_t)getpid() << 32) ^ ur_now_ms() ^ (uint64_t)(uintptr_t)cl;
    if (!cl->rng) cl->rng = 1;
    cl->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (cl->cancel_fd < 0) goto fail;
    /* Wipe the caller's view of secrets from our copy of the options: only creds keeps them. */
    cl->opt.access_key_id = cl->opt.secret_access_key = cl->opt.session_token = NULL;
    cl->opt.endpoint_url = cl->opt.region = cl->opt.ca_bundle = cl->opt.request_payer = NULL;
    *out = cl;
    return URESTORE_OK;
fail:
    urestore_client_destroy(cl);
    return st;
}

URESTORE_API void urestore_cancel(urestore_client *c)
{
    uint64_t one = 1;
    if (c && c->cancel_fd >= 0) {
        ssize_t r = write(c->cancel_fd, &one, sizeof(one));
        (void)r;
    }
}

static void s_teardown_client(struct urestore_client *cl);

URESTORE_API void urestore_client_destroy(urestore_client *c)
{
    if (!c) return;
    s_teardown_client(c);
    s_refresh_free(c);
    s_chain_free(c);
    ur_sigv4_free(c->signer);
    ur_tls_ctx_free(c->tls_ctx);
    ur_tls_ctx_free(c->creds_tls);
    if (c->cancel_fd >= 0) close(c->cancel_fd);
    free(c->bregions);
    OPENSSL_cleanse(&c->creds, sizeof(c->creds));
    free(c);
}

/* ---- planning (before the loop) --------------------------------------------------------------------- */

static void s_finish_now(struct urestore_client *cl, struct ur_task *t, urestore_status st, const char *fmt,
                         const char *a, const char *b)
{
    t->res->status = st;
    snprintf(t->res->message, sizeof(t->res->message), fmt, a, b);
    t->failed = st != URESTORE_OK;
    t->finished = true;
    ur_list_push_back(&cl->done, &t->link);
}

/* mkdir -p of dir. Returns 0 or -errno, with the directory that failed in where. */
static int s_make_dirs(char *dir, char *where, size_t cap)
{
    struct stat st;
    if (stat(dir, &st) == 0) return S_ISDIR(st.st_mode) ? 0 : (snprintf(where, cap, "%s", dir), -ENOTDIR);
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p != 0) continue;
        char c = *p;
        *p = 0;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
            int e = errno;
            snprintf(where, cap, "%s", dir);
            return -e;
        }
        if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
            snprintf(where, cap, "%s", dir);
            return -ENOTDIR;
        }
        *p = c;
        if (!c) break;
    }
    return 0;
}

/* mkdir -p of path's parent, as s_make_dirs. The last directory found or made is remembered for the rest
 * of the batch: restores list a directory's files together, and its stat was ~2 % of a small file's CPU. */
static int s_make_parents(struct urestore_client *cl, const char *path, char *where, size_t cap)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0;
    size_t n = (size_t)(slash - path);
    if (n >= sizeof(dir)) return -ENAMETOOLONG;
    if (n == cl->known_dir_len && memcmp(path, cl->known_dir, n) == 0) return 0;
    memcpy(dir, path, n);
    dir[n] = 0;
    int r = s_make_dirs(dir, where, cap);
    if (r == 0 && n < sizeof(cl->known_dir)) {
        memcpy(cl->known_dir, dir, n);
        cl->known_dir_len = n;
    }
    return r;
}

/* Can files be made unnamed (O_TMPFILE) and linked in through their descriptor (linkat AT_EMPTY_PATH, which
 * Linux allows without CAP_DAC_READ_SEARCH since 6.10)? Asked once per client, of the first destination's
 * directory: linking onto the directory's own name fails with EEXIST when linking is allowed at all. A
 * directory that cannot be written says nothing; the next task asks again. */
static void s_probe_tmpfile(struct urestore_client *cl, const char *dir)
{
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) cl->tmpfile = UR_TMPFILE_NO;
        return;
    }
    cl->tmpfile = linkat(fd, "", AT_FDCWD, dir, AT_EMPTY_PATH) < 0 && errno == EEXIST ? UR_TMPFILE_YES : UR_TMPFILE_NO;
    close(fd);
}

/* A host is a server and the region its requests are signed for: a custom endpoint serving buckets of
 * several regions is one host per region. */
static struct ur_host *s_host(struct urestore_client *cl, const char *conn_host, const char *host_header,
                              const char *region)
{
    for (unsigned i = 0; i < cl->nhosts; i++) {
        if (strcmp(cl->hosts[i]->conn_host, conn_host) == 0 && strcmp(cl->hosts[i]->region, region) == 0) {
            cl->hosts[i]->batch = cl->batch;
            return cl->hosts[i];
        }
    }
    if (cl->nhosts == cl->hosts_cap) {
        unsigned cap = cl->hosts_cap ? 2 * cl->hosts_cap : 4;
        struct ur_host **v = realloc(cl->hosts, cap * sizeof(*v));
        if (!v) return NULL;
        cl->hosts = v;
        cl->hosts_cap = cap;
    }
    struct ur_host *h = calloc(1, sizeof(*h));
    if (!h) return NULL;
    if (strcmp(region, cl->ep.region) != 0 && !(h->signer = ur_sigv4_new(&cl->creds, region, "s3")))
        return free(h), NULL;
    cl->hosts[cl->nhosts++] = h;
    snprintf(h->region, sizeof(h->region), "%s", region);
    snprintf(h->conn_host, sizeof(h->conn_host), "%s", conn_host);
    snprintf(h->host_header, sizeof(h->host_header), "%s", host_header);
    ur_list_init(&h->idle);
    h->budget = UR_RETRY_BUDGET;
    h->warm = !cl->tls_ctx;
    h->batch = cl->batch;
    return h;
}

static void s_proxy_free(struct ur_host *h)
{
    if (h->proxy) OPENSSL_cleanse(h->proxy, sizeof(*h->proxy));
    free(h->proxy);
    h->proxy = NULL;
}

/* The proxy h's connections go through (HTTPS_PROXY / HTTP_PROXY and NO_PROXY as they are now: a long-lived
 * client sees changes at its next call): h->proxy, or NULL for none. 0, or -1 with why in msg. */
static int s_proxy(struct urestore_client *cl, struct ur_host *h, char *msg, size_t cap)
{
    struct ur_s3_proxy p;
    char why[256];
    s_proxy_free(h);
    int r = ur_s3_proxy_select(cl->ep.tls, h->conn_host, cl->ep.port, false, ur_awscfg_process_env, NULL, &p,
                               why, sizeof(why));
    if (r < 0) return snprintf(msg, cap, "proxy: %s", why), -1;
    if (p.use && p.tls) {
        snprintf(msg, cap, "proxy from %s: https:// proxies are not supported (use http://; the tunnel to %s is TLS anyway)",
                 p.from, h->conn_host);
        OPENSSL_cleanse(&p, sizeof(p));
        return -1;
    }
    if (p.use && !(h->proxy = malloc(sizeof(p)))) return snprintf(msg, cap, "out of memory"), -1;
    if (p.use) *h->proxy = p;
    OPENSSL_cleanse(&p, sizeof(p));
    return 0;
}

/* h's address: the server's, or its proxy's. */
static int s_resolve(struct urestore_client *cl, struct ur_host *h, char *msg, size_t cap)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res, *ai, *pick = NULL;
    char port[8];
    if (s_proxy(cl, h, msg, cap) < 0) return -1;
    const char *name = h->proxy ? h->proxy->host : h->conn_host;
    snprintf(port, sizeof(port), "%u", h->proxy ? h->proxy->port : cl->ep.port);
    int r = getaddrinfo(name, port, &hints, &res);
    if (r != 0) {
        snprintf(msg, cap, "cannot resolve %s%s: %s", h->proxy ? "the proxy " : "", name, gai_strerror(r));
        return -1;
    }
    /* IPv4 first: loopback test servers and many proxies listen on 127.0.0.1 only. */
    for (ai = res; ai; ai = ai->ai_next)
        if (ai->ai_family == AF_INET && !pick) pick = ai;
    if (!pick) pick = res;
    memcpy(&h->addr, pick->ai_addr, pick->ai_addrlen);
    h->addrlen = pick->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* ---- buckets in other regions ----------------------------------------------------------------------- */

struct ur_bucket_region {
    char bucket[UR_S3_BUCKET_MAX + 1];
    char region[64];
};

/* The region a redirect said bucket is in; NULL when none did. */
static const char *s_bucket_region(const struct urestore_client *cl, const char *bucket)
{
    for (unsigned i = 0; i < cl->nbregions; i++)
        if (strcmp(cl->bregions[i].bucket, bucket) == 0) return cl->bregions[i].region;
    return NULL;
}

static int s_bucket_region_set(struct urestore_client *cl, const char *bucket, const char *region)
{
    struct ur_bucket_region *b = NULL;
    for (unsigned i = 0; i < cl->nbregions && !b; i++)
        if (strcmp(cl->bregions[i].bucket, bucket) == 0) b = &cl->bregions[i];
    if (!b) {
        struct ur_bucket_region *v = realloc(cl->bregions, (cl->nbregions + 1) * sizeof(*v));
        if (!v) return -ENOMEM;
        cl->bregions = v;
        b = &v[cl->nbregions++];
        snprintf(b->bucket, sizeof(b->bucket), "%s", bucket);
    }
    snprintf(b->region, sizeof(b->region), "%s", region);
    return 0;
}

/* Where requests for bucket/key go: host (made when new) and request target. 0, -EINVAL (a region
 * that makes no endpoint), -ENAMETOOLONG or -ENOMEM. */
static int s_route(struct urestore_client *cl, const char *bucket, const char *key, struct ur_host **host,
                   char **target)
{
    char conn_host[256], host_header[272], tgt[3 * UR_S3_KEY_MAX + 2 * UR_S3_BUCKET_MAX + 8];
    const char *region = s_bucket_region(cl, bucket);
    struct ur_endpoint ep = cl->ep;
    if (region && ur_endpoint_in_region(&cl->ep, region, &ep) < 0) return -EINVAL;
    if (ur_endpoint_host(&ep, bucket, conn_host, sizeof(conn_host), host_header, sizeof(host_header)) < 0 ||
        ur_endpoint_target(&ep, bucket, key, tgt, sizeof(tgt)) < 0)
        return -ENAMETOOLONG;
    if (!(*host = s_host(cl, conn_host, host_header, ep.region)) || !(*target = strdup(tgt))) return -ENOMEM;
    return 0;
}

/* h's address: another host's with the same name (a custom endpoint signing for another region), else
 * looked up. */
static int s_address(struct urestore_client *cl, struct ur_host *h, char *msg, size_t cap)
{
    for (unsigned i = 0; i < cl->nhosts; i++) {
        struct ur_host *o = cl->hosts[i];
        if (o == h || !o->addrlen || strcmp(o->conn_host, h->conn_host) != 0) continue;
        if (o->proxy && !(h->proxy = malloc(sizeof(*h->proxy)))) return snprintf(msg, cap, "out of memory"), -1;
        if (o->proxy) *h->proxy = *o->proxy;
        memcpy(&h->addr, &o->addr, o->addrlen);
        h->addrlen = o->addrlen;
        return 0;
    }
    return s_resolve(cl, h, msg, cap);
}

/* A redirect (sched.c, through cl->bucket_moved): t's bucket lives in region. Remembered for the
 * client's life; t and the batch's other unfinished tasks of that bucket go to its endpoint there from
 * now on, signed for it. A new host name is looked up here, blocking, once per bucket and region. */
static int s_bucket_moved(struct urestore_client *cl, struct ur_task *t, const char *region, char *why,
                          size_t whylen)
{
    if (s_bucket_region_set(cl, t->uri.bucket, region) < 0) return snprintf(why, whylen, "out of memory"), -1;
    struct ur_host *from = t->host;
    for (size_t i = 0; i < cl->ntasks; i++) {
        struct ur_task *u = &cl->tasks[i];
        if (u != t && (u->finished || u->failed || u->host != from || strcmp(u->uri.bucket, t->uri.bucket) != 0))
            continue;
        struct ur_host *h;
        char *target = NULL;
        int r = s_route(cl, u->uri.bucket, u->uri.key, &h, &target);
        if (r < 0) return snprintf(why, whylen, "%s", r == -ENOMEM ? "out of memory" : "no endpoint there"), -1;
        if (!h->addrlen && s_address(cl, h, why, whylen) < 0) return free(target), -1;
        free(u->target);
        u->target = target;
        u->host = h;
    }
    return 0;
}

/* Fills in where t's requests go; 0, or -1 when t finished already (with its error). */
static int s_plan_target(struct urestore_client *cl, struct ur_task *t)
{
    int r = s_route(cl, t->uri.bucket, t->uri.key, &t->host, &t->target);
    if (r == -ENAMETOOLONG || r == -EINVAL) {
        s_finish_now(cl, t, URESTORE_E_INVALID, "%s%s", "source URI too long: ", t->in->source);
        return -1;
    }
    return 0;
}

static void s_queue_first_part(struct urestore_client *cl, struct ur_task *t, int64_t len)
{
    struct ur_part *p = &t->first;
    p->task = t;
    p->len = len;
    ur_list_init(&p->link);
    t->parts = p;
    t->nparts = 1;
    t->parts_open = 1;
    p->queued = true;
    ur_list_push_back(&cl->queue, &p->link);
}

/* --resume with a partial to go on from: size and ETag are known, so the first request is the first
 * missing piece, with If-Match, alone; the scheduler queues the rest once it is answered (or starts over
 * on 412). When nothing is missing (a run stopped between its last write and the rename) the last piece
 * is fetched again: the ETag is still checked before the partial becomes the file. */
static void s_queue_probe(struct urestore_client *cl, struct ur_task *t)
{
    uint64_t size = t->done.size, off, len;
    if (!ur_partial_gap(&t->done, 0, t->part_size, &off, &len)) {
        off = (size - 1) / t->part_size * t->part_size;
        len = size - off;
    }
    t->size = (int64_t)size;
    snprintf(t->etag, sizeof(t->etag), "%s", t->done.etag);
    t->probing = true;
    t->res->flags |= URESTORE_RESULT_RESUMED;
    cl->bytes_known += size - ur_partial_bytes(&t->done);
    s_queue_first_part(cl, t, (int64_t)len);
    t->first.off = off;
}

static int s_plan_task(struct urestore_client *cl, struct ur_task *t)
{
    const struct urestore_task *in = t->in;
    const char *why = NULL;
    char where[4096];

    if (!in->source || ur_s3_uri_parse(in->source, &t->uri, &why) < 0) {
        s_finish_now(cl, t, URESTORE_E_INVALID, "%s%s", "bad source URI: ", why ? why : "missing");
        return 0;
    }
    if (cl->req) { /* a request of its own (listing page, small read, delete): its answer goes to memory */
        t->req = cl->req;
        if (s_plan_target(cl, t) < 0) return 0;
        if (!t->target) return -ENOMEM;
        s_queue_first_part(cl, t, 0);
        return 0;
    }
    if (!t->uri.key[0]) {
        s_finish_now(cl, t, URESTORE_E_INVALID, "%s%s", "source names no object: ", in->source);
        return 0;
    }
    const char *dst = in->destination;
    size_t dlen = dst ? strlen(dst) : 0;
    if (dlen == 0 || dst[dlen - 1] == '/') {
        s_finish_now(cl, t, URESTORE_E_INVALID, "%s%s", "destination is not a file path: ", dst ? dst : "");
        return 0;
    }
    if (in->flags & ~(uint32_t)UR_TASK_FLAGS_KNOWN) {
        s_finish_now(cl, t, URESTORE_E_INVALID, "%s%s", "unknown task flags for ", dst);
        return 0;
    }
    if ((in->flags & URESTORE_TASK_NO_CLOBBER) && access(dst, F_OK) == 0) {
        t->res->flags |= URESTORE_RESULT_SKIPPED;
        s_finish_now(cl, t, URESTORE_OK, "%s%s", "", "");
        return 0;
    }
    struct stat st;
    if ((in->flags & (URESTORE_TASK_IF_SOURCE_NEWER | URESTORE_TASK_IF_SIZE_DIFFERS)) && stat(dst, &st) == 0 &&
        S_ISREG(st.st_mode)) {
        /* Compared with the object once its first response's headers arrive (sched.c). */
        t->dst_size = (int64_t)st.st_size;
        t->dst_mtime = (int64_t)st.st_mtim.tv_sec;
    }
    int r = s_make_parents(cl, dst, where, sizeof(where));
    if (r < 0) {
        s_finish_now(cl, t, URESTORE_E_LOCAL, "cannot create directory %s: %s", where, strerror(-r));
        return 0;
    }
    if (s_plan_target(cl, t) < 0) return 0;
    if (!t->target || ur_sink_tmp_name(cl, t) < 0) return -ENOMEM;
    if ((in->flags & URESTORE_TASK_RESUME) && ur_sink_resume_load(t) < 0) return -ENOMEM;
    if (cl->tmpfile == UR_TMPFILE_UNKNOWN) s_probe_tmpfile(cl, t->dir_path);
    t->part_size = in->part_size_bytes ? (in->part_size_bytes + UR_ALIGN - 1) & ~(uint64_t)(UR_ALIGN - 1)
                                       : cl->part_size;
    if (t->done.n > 0) {
        s_queue_probe(cl, t);
        return 0;
    }
    /* The caller's size hint (a listing's size) counts towards bytes_total_known at once, so a progress
     * display knows the batch's size before each object's first response; the learned size replaces it.
     * (A resumed task counts only its missing bytes, when the probe answers.) */
    if (in->size_hint > 0) {
        t->hint_counted = (uint64_t)in->size_hint;
        cl->bytes_known += t->hint_counted;
    }
    s_queue_first_part(cl, t, -1);
    return 0;
}

/* ---- the loop --------------------------------------------------------------------------------------- */

static void s_cancel_all(struct urestore_client *cl)
{
    for (size_t i = 0; i < cl->ntasks; i++)
        ur_sched_task_fail(&cl->tasks[i], URESTORE_E_CANCELLED, 0, "cancelled");
    for (unsigned i = 0; i < cl->nconns; i++) ur_conn_close(&cl->conns[i], 0, NULL);
}

static void s_on_cancel(struct ur_op *op, int res)
{
    struct urestore_client *cl = ur_container_of(op, struct urestore_client, op_cancel);
    cl->cancel_armed = false;
    if (res < 0 && res != -EAGAIN) return;
    if (cl->closing) return;
    cl->cancelled = 1;
    s_cancel_all(cl);
}

static void s_deliver(struct urestore_client *cl)
{
    struct ur_list *n;
    while ((n = ur_list_pop_front(&cl->done)) != NULL) {
        struct ur_task *t = ur_container_of(n, struct ur_task, link);
        cl->tasks_left--;
        cl->tasks_done++;
        cl->bytes_known -= t->hint_counted; /* never learned (failed, skipped): it is no longer to come */
        t->hint_counted = 0;
        if (cl->cb && cl->cb->on_task_done) cl->cb->on_task_done(cl->cb->user, t->index, t->res);
    }
}

/* The ring, the buffer pool and the connection slots: made once, by the thread that runs the batches. */
static int s_setup_client(struct urestore_client *cl)
{
    uint64_t budget = cl->opt.memory_budget_bytes ? cl->opt.memory_budget_bytes : UR_DEFAULT_BUDGET;
    unsigned nbuf = (unsigned)(budget / UR_BUF_SIZE);
    if (nbuf < 4) nbuf = 4;
    int r = ur_loop_init(&cl->loop, UR_RING_ENTRIES, (enum ur_loop_kind)cl->opt.io_backend);
    if (r < 0) {
        snprintf(cl->setup_err, sizeof(cl->setup_err), "%s", cl->loop.why);
        return r;
    }
    cl->loop_ready = true;
    if (ur_pool_init(&cl->pool, UR_BUF_SIZE, nbuf) < 0) return -1;
    /* Registered buffers spare the kernel a page walk per write. Without them: plain writes, same result. */
    ur_pool_attach(&cl->pool, &cl->loop);
    cl->conns = calloc(cl->nconns, sizeof(*cl->conns));
    if (!cl->conns) return -1;
    ur_list_init(&cl->free_conns);
    for (unsigned i = 0; i < cl->nconns; i++) {
        ur_conn_init(cl, &cl->conns[i]);
        ur_list_push_back(&cl->free_conns, &cl->conns[i].link);
    }
    return 0;
}

/* Runs the loop until no operation refers to our memory. */
static void s_drain(struct urestore_client *cl)
{
    while (cl->loop.inflight > 0)
        if (ur_loop_run_once(&cl->loop, 100) < 0) break;
}

static void s_close_all(struct urestore_client *cl)
{
    cl->closing = true;
    for (unsigned i = 0; i < cl->nconns; i++) ur_conn_close(&cl->conns[i], 0, NULL);
    s_drain(cl);
}

static void s_teardown_client(struct urestore_client *cl)
{
    /* Between batches nothing is in flight (s_end_batch), so the ring can go from any thread; its own
     * thread still closes the connections politely first. */
    if (cl->loop_ready && ur_loop_owned(&cl->loop)) s_close_all(cl);
    if (cl->loop_ready) ur_loop_destroy(&cl->loop);
    cl->loop_ready = false;
    for (unsigned i = 0; cl->conns && i < cl->nconns; i++) {
        struct ur_conn *c = &cl->conns[i];
        if (c->fd >= 0) close(c->fd);
        if (c->tls) ur_tls_free(c->tls);
        free(c->rbuf);
    }
    free(cl->conns);
    cl->conns = NULL;
    ur_pool_destroy(&cl->pool);
    for (unsigned i = 0; i < cl->nhosts; i++) {
        ur_sigv4_free(cl->hosts[i]->signer);
        s_proxy_free(cl->hosts[i]);
        free(cl->hosts[i]);
    }
    free(cl->hosts);
    cl->hosts = NULL;
    cl->nhosts = cl->hosts_cap = 0;
}

/* The end of a batch: busy connections (a cancelled batch's) are closed, idle ones parked for the next;
 * it returns when nothing is in flight. */
static void s_end_batch(struct urestore_client *cl)
{
    cl->closing = true;
    for (unsigned i = 0; i < cl->nconns; i++) {
        if (cl->cancelled || cl->conns[i].state != C_IDLE)
            ur_conn_close(&cl->conns[i], 0, NULL);
        else
            ur_conn_park(&cl->conns[i]);
    }
    if (cl->cancel_armed) urestore_cancel(cl);
    s_drain(cl);
    for (size_t i = 0; cl->tasks && i < cl->ntasks; i++) {
        struct ur_task *t = &cl->tasks[i];
        free(t->target);
        free(t->tmp_path);
        free(t->dir_path);
        free(t->ranges_path);
        ur_partial_free(&t->done);
        for (unsigned k = 0; k < t->nparts; k++) {
            EVP_MD_CTX_free(t->parts[k].md5);
            EVP_MD_CTX_free(t->parts[k].sha);
        }
        if (t->parts != &t->first) free(t->parts);
    }
    free(cl->tasks);
    cl->tasks = NULL;
    cl->ntasks = 0;
}

static void s_arm_cancel(struct urestore_client *cl)
{
    cl->op_cancel.cb = s_on_cancel;
    ur_loop_read(&cl->loop, &cl->op_cancel, cl->cancel_fd, &cl->cancel_val, sizeof(cl->cancel_val));
    cl->cancel_armed = true;
}

static void s_progress(struct urestore_client *cl)
{
    if (cl->cb && cl->cb->on_progress)
        cl->cb->on_progress(cl->cb->user, cl->bytes_done, cl->bytes_known, cl->tasks_done);
}

static void s_on_progress_timer(struct ur_timer *t)
{
    struct urestore_client *cl = ur_container_of(t, struct urestore_client, progress_timer);
    s_progress(cl);
    ur_loop_timer_arm(&cl->loop, t, ur_loop_now_ms(&cl->loop) + UR_PROGRESS_MS);
}

/* One batch through the loop. req: NULL for copies (each task's object into its file); else every task is
 * that request, its answer going to req->mem (one task at a time: they share the memory body). */
urestore_status ur_client_run(urestore_client *cl, const struct urestore_task *tasks, size_t n,
                              struct urestore_result *results, const struct urestore_callbacks *cb,
                              const struct ur_request *req)
{
    memset(results, 0, n * sizeof(*results));
    if (n == 0) return URESTORE_OK;
    /* Only the fields inside the caller's struct_size are read: the rest of our copy stays NULL. */
    memset(&cl->cbs, 0, sizeof(cl->cbs));
    if (cb) memcpy(&cl->cbs, cb, cb->struct_size < sizeof(cl->cbs) ? cb->struct_size : sizeof(cl->cbs));
    cl->cb = cb ? &cl->cbs : NULL;
    cl->cancelled = 0;
    cl->closing = false;
    cl->bytes_done = cl->bytes_known = 0;
    cl->tasks_done = 0;
    /* A copy starts unpaced; a run of requests (listing pages, DeleteObjects pages) keeps its prefix's pace
     * from one request to the next: the server's throttling outlives one page. */
    if (!req) memset(cl->pace, 0, sizeof(cl->pace));
    cl->req = req;
    cl->wake_ms = UINT64_MAX;
    cl->batch++;
    cl->known_dir_len = 0; /* directories may have gone since the last call */
    if (cl->loop_ready && !ur_loop_owned(&cl->loop)) s_teardown_client(cl); /* the ring is another thread's */
    cl->setup_err[0] = 0;
    int ok = cl->loop_ready || s_setup_client(cl) == 0;
    char cwhy[768];
    if (ok && s_creds_due(cl, cwhy, sizeof(cwhy)) < 0) {
        for (size_t i = 0; i < n; i++) {
            results[i].status = URESTORE_E_ACCESS;
            snprintf(results[i].message, sizeof(results[i].message), "%s", cwhy);
        }
        return URESTORE_E_ACCESS;
    }
    cl->tasks = ok ? calloc(n, sizeof(*cl->tasks)) : NULL;
    if (!cl->tasks) {
        s_teardown_client(cl);
        for (size_t i = 0; i < n; i++) {
            results[i].status = cl->setup_err[0] ? URESTORE_E_LOCAL : URESTORE_E_NOMEM;
            snprintf(results[i].message, sizeof(results[i].message), "cannot set up: %s",
                     cl->setup_err[0] ? cl->setup_err : "out of memory");
        }
        return URESTORE_E_NOMEM;
    }
    ur_list_init(&cl->queue);
    ur_list_init(&cl->done);
    cl->max_conns = cl->nconns;
    if (cl->max_conns > n * 64 && n < 1024) cl->max_conns = (unsigned)n * 64; /* small batches: at most 64 per task */
    cl->ntasks = cl->tasks_left = n;
    for (size_t i = 0; i < n; i++) {
        struct ur_task *t = &cl->tasks[i];
        t->index = i;
        t->in = &tasks[i];
        t->res = &results[i];
        t->cl = cl;
        t->fd = -1;
        t->size = -1;
        t->last_modified = t->dst_size = t->dst_mtime = -1;
        ur_list_init(&t->pending);
        ur_list_init(&t->link);
        if (s_plan_task(cl, t) < 0) s_finish_now(cl, t, URESTORE_E_NOMEM, "%s%s", "out of memory", "");
    }
    for (unsigned i = 0; i < cl->nhosts; i++) {
        struct ur_host *h = cl->hosts[i];
        char msg[384];
        /* A host with connections keeps its address; one without is looked up again (DNS may move). */
        if (h->batch != cl->batch || h->nconn > 0) continue;
        if (s_resolve(cl, h, msg, sizeof(msg)) == 0) continue;
        for (size_t k = 0; k < n; k++)
            if (cl->tasks[k].host == h && !cl->tasks[k].finished)
                ur_sched_task_fail(&cl->tasks[k], URESTORE_E_NETWORK, 0, "%s", msg);
    }
    for (unsigned i = 0; i < cl->nconns; i++) ur_conn_unpark(&cl->conns[i]);
    s_arm_cancel(cl);
    ur_loop_update_time(&cl->loop); /* the time between batches is nobody's progress */
    ur_sched_kick(cl);
    cl->creds_expired = cl->cplan ? s_on_creds_expired : NULL;
    s_refresh_arm(cl, UINT64_MAX);
    cl->progress_timer.cb = s_on_progress_timer;
    if (cl->cb && cl->cb->on_progress)
        ur_loop_timer_arm(&cl->loop, &cl->progress_timer, ur_loop_now_ms(&cl->loop) + UR_PROGRESS_MS);
    /* Everything from here is callbacks of the loop: completions, deferred work, timers (watchdogs,
     * backoff, pacing, progress). The wait bound only keeps a stuck loop observable. */
    for (;;) {
        s_deliver(cl);
        if (cl->tasks_left == 0) break;
        if (ur_loop_run_once(&cl->loop, 60000) < 0) break;
    }
    ur_loop_timer_cancel(&cl->loop, &cl->progress_timer);
    ur_loop_timer_cancel(&cl->loop, &cl->wake_timer);
    s_refresh_stop(cl);
    s_end_batch(cl);
    s_progress(cl);
    urestore_status st = URESTORE_OK;
    for (size_t i = 0; i < n && st == URESTORE_OK; i++) st = results[i].status;
    if (cl->cancelled) st = URESTORE_E_CANCELLED;
    return st;
}

URESTORE_API urestore_status urestore_copy(urestore_client *cl, const struct urestore_task *tasks, size_t n,
                                           struct urestore_result *results, const struct urestore_callbacks *cb)
{
    if (!cl || (n && (!tasks || !results))) return URESTORE_E_INVALID;
    return ur_client_run(cl, tasks, n, results, cb, NULL);
}

/* Version 0.1's struct sizes: the least a caller may pass. */
#define UR_TASK_SIZE_0_1 sizeof(struct urestore_task)
#define UR_RESULT_SIZE_0_1 sizeof(struct urestore_result)

static bool s_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}

URESTORE_API urestore_status urestore_copy_batch(urestore_client *cl, const struct urestore_batch *b)
{
    if (!cl || !b || b->struct_size < offsetof(struct urestore_batch, callbacks) + sizeof(b->callbacks))
        return URESTORE_E_INVALID;
    size_t n = b->n, ts = b->task_size, rs = b->result_size;
    if (n && (!b->tasks || !b->results || ts < UR_TASK_SIZE_0_1 || rs < UR_RESULT_SIZE_0_1))
        return URESTORE_E_INVALID;
    if (ts == sizeof(struct urestore_task) && rs == sizeof(struct urestore_result))
        return urestore_copy(cl, b->tasks, n, b->results, b->callbacks);

    /* Other element sizes: our own arrays in, the known prefix of each result out (not the hot path). */
    struct urestore_task *tasks = calloc(n, sizeof(*tasks));
    struct urestore_result *res = calloc(n, sizeof(*res));
    bool *unknown = calloc(n, sizeof(*unknown));
    if (!tasks || !res || !unknown) {
        free(tasks), free(res), free(unknown);
        return URESTORE_E_NOMEM;
    }
    const unsigned char *in = (const unsigned char *)b->tasks;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *t = in + i * ts;
        memcpy(&tasks[i], t, sizeof(tasks[i]));
        /* A newer caller's field we do not know: refuse the task rather than ignore what it asked. */
        unknown[i] = !s_zero(t + sizeof(tasks[i]), ts - sizeof(tasks[i]));
        if (unknown[i]) tasks[i].source = NULL; /* planned as invalid below; never sent */
    }
    urestore_status st = URESTORE_OK;
    if (n) {
        st = ur_client_run(cl, tasks, n, res, b->callbacks, NULL);
    }
    unsigned char *out = (unsigned char *)b->results;
    for (size_t i = 0; i < n; i++) {
        if (unknown[i]) {
            memset(&res[i], 0, sizeof(res[i]));
            res[i].status = URESTORE_E_INVALID;
            snprintf(res[i].message, sizeof(res[i].message),
                     "the task sets fields this library (%s) does not know", URESTORE_VERSION_STRING);
            if (st == URESTORE_OK) st = URESTORE_E_INVALID;
        }
        memset(out + i * rs, 0, rs);
        memcpy(out + i * rs, &res[i], sizeof(res[i]));
    }
    free(tasks), free(res), free(unknown);
    return st;
}

/* The loop's own description, written by ur_loop_init (engine/loop.c): "" until the first call sets it
 * up. */
const char *urestore_client_io(urestore_client *c)
{
    return c ? c->loop.io : "";
}
