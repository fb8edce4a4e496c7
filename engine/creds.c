/* engine/creds.c — a credential plan's network steps (see creds.h). Written as straight-line code over
 * one exchange at a time: each exchange is a fetch the loop performs while this file turns the loop until
 * it ends, so the steps read in the protocol's order. */
#include "engine/creds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "engine/fetch.h"
#include "engine/loop.h"
#include "s3/credjson.h"
#include "s3/credproc.h"
#include "s3/credreq.h"
#include "s3/proxy.h"
#include "s3/region.h"
#include "s3/sts.h"

#define S_REQ_CAP (24 * 1024)  /* the largest request: an AssumeRole signed with a session token */
#define S_BODY_MAX (64 * 1024) /* an STS answer is a few KiB, mostly the session token */
#define S_STS_CONNECT_MS 5000  /* STS: the SDKs' connect timeouts are a few seconds */
#define S_STS_TOTAL_MS 15000
#define S_STS_ATTEMPTS 2

struct s_run {
    struct ur_loop *l;
    const struct ur_creds_ctx *c;
    struct ur_fetch f;
    char *req;
    bool done;
    int rc;
};

static void s_on_done(struct ur_fetch *f, int rc)
{
    struct s_run *r = f->ud;
    r->rc = rc;
    r->done = true;
}

/* One request, up to attempts times when it gets no answer (an HTTP answer of any status is final), through
 * proxy when it is not NULL (STS only: instance metadata and container endpoints are always asked directly).
 * Returns 0 with the answer in r->f, or the last failure with its words in r->f.err. */
static int s_exchange_via(struct s_run *r, const struct ur_s3_url *conn, const struct ur_s3_proxy *proxy, size_t n,
                          unsigned connect_ms, unsigned total_ms, unsigned attempts)
{
    int rc = -EINVAL;
    for (unsigned a = 0; a < attempts; a++) {
        r->done = false;
        r->f.cb = s_on_done;
        r->f.ud = r;
        rc = ur_fetch_start(&r->f, r->l, r->c->tls_ctx, conn->tls, conn->host, conn->port, proxy, r->req, n,
                            connect_ms, total_ms, S_BODY_MAX);
        if (rc < 0) return rc;
        while (!r->done)
            if (ur_loop_run_once(r->l, 1000) < 0) break;
        if (!r->done) return -EIO;
        if ((rc = r->rc) == 0) return 0;
        if (rc == -EMSGSIZE || rc == -EKEYREJECTED || rc == -EACCES) return rc; /* another try changes nothing */
    }
    return rc;
}

/* The same, directly: instance metadata and the container endpoint. */
static int s_exchange(struct s_run *r, const struct ur_s3_url *conn, size_t n, unsigned connect_ms,
                      unsigned total_ms, unsigned attempts)
{
    return s_exchange_via(r, conn, NULL, n, connect_ms, total_ms, attempts);
}

/* Reads a token file (small: a JWT or an agent's token) into out, NUL-terminated. */
static int s_read_file(const char *path, char *out, size_t cap, size_t *n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    size_t got = 0;
    while (got < cap - 1) {
        ssize_t k = read(fd, out + got, cap - 1 - got);
        if (k < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (k == 0) break;
        got += (size_t)k;
    }
    close(fd);
    out[got] = '\0';
    *n = got;
    return got == cap - 1 ? -EFBIG : 0;
}

/* The instance's region, as the SDKs' region chain asks it after the profile: into r->c->imds_region
 * when IMDS names a region, else left "". */
static void s_imds_region(struct s_run *r, const char *ep, const char *token, unsigned ms, unsigned attempts)
{
    struct ur_s3_url conn;
    char *out = r->c->imds_region;
    out[0] = '\0';
    int n = ur_creds_imds_get_req(ep, UR_CREDS_IMDS_REGION_PATH, token, &conn, r->req, S_REQ_CAP);
    if (n < 0 || s_exchange(r, &conn, (size_t)n, ms, ms, attempts) < 0 || r->f.status != 200) return;
    size_t k = r->f.body_len;
    while (k && (r->f.body[k - 1] == '\n' || r->f.body[k - 1] == '\r' || r->f.body[k - 1] == ' ')) k--;
    if (k >= r->c->imds_region_cap) return;
    memcpy(out, r->f.body, k);
    out[k] = '\0';
    if (!ur_s3_region_ok(out)) out[0] = '\0';
}

static int s_imds(struct s_run *r, struct ur_creds_temp *t, char *err, size_t errlen)
{
    const char *ep = r->c->plan->imds_endpoint;
    unsigned ms, attempts;
    ur_creds_imds_limits(r->c->env(r->c->env_ctx, "AWS_METADATA_SERVICE_TIMEOUT"),
                         r->c->env(r->c->env_ctx, "AWS_METADATA_SERVICE_NUM_ATTEMPTS"), &ms, &attempts);
    struct ur_s3_url conn;
    int n = ur_creds_imds_token_req(ep, UR_CREDS_IMDS_TOKEN_TTL_S, &conn, r->req, S_REQ_CAP);
    if (n < 0) return snprintf(err, errlen, "instance metadata: bad endpoint %s", ep), n;
    int rc = s_exchange(r, &conn, (size_t)n, ms, ms, attempts);
    if (rc < 0) return snprintf(err, errlen, "instance metadata: %s", r->f.err), rc;
    if (r->f.status != 200 || !r->f.body_len)
        return snprintf(err, errlen, "instance metadata: the token request got HTTP %d", r->f.status),
               -EACCES;
    char token[256];
    size_t tn = r->f.body_len;
    while (tn && (r->f.body[tn - 1] == '\n' || r->f.body[tn - 1] == '\r' || r->f.body[tn - 1] == ' '))
        tn--;
    if (tn >= sizeof(token) || memchr(r->f.body, '\n', tn))
        return snprintf(err, errlen, "instance metadata: a malformed session token"), -EINVAL;
    memcpy(token, r->f.body, tn);
    token[tn] = '\0';

    n = ur_creds_imds_get_req(ep, UR_CREDS_IMDS_ROLE_PATH, token, &conn, r->req, S_REQ_CAP);
    if (n < 0) return snprintf(err, errlen, "instance metadata: cannot build the role request"), n;
    if ((rc = s_exchange(r, &conn, (size_t)n, ms, ms, attempts)) < 0)
        return snprintf(err, errlen, "instance metadata: %s", r->f.err), rc;
    if (r->f.status == 404)
        return snprintf(err, errlen, "instance metadata: no IAM role is attached to this instance"), -ENOENT;
    if (r->f.status != 200)
        return snprintf(err, errlen, "instance metadata: the role request got HTTP %d", r->f.status), -EACCES;
    char role[256], path[512];
    if ((rc = ur_creds_parse_imds_role(r->f.body, r->f.body_len, role, sizeof(role))) < 0)
        return snprintf(err, errlen, "instance metadata: %s",
                        rc == -ENOENT ? "no IAM role" : "a malformed role name"),
               rc;
    if (r->c->imds_region) s_imds_region(r, ep, token, ms, attempts);
    snprintf(path, sizeof(path), "%s%s", UR_CREDS_IMDS_ROLE_PATH, role);
    n = ur_creds_imds_get_req(ep, path, token, &conn, r->req, S_REQ_CAP);
    OPENSSL_cleanse(token, sizeof(token));
    if (n < 0) return snprintf(err, errlen, "instance metadata: cannot build the credentials request"), n;
    if ((rc = s_exchange(r, &conn, (size_t)n, ms, ms, attempts)) < 0)
        return snprintf(err, errlen, "instance metadata: %s", r->f.err), rc;
    if (r->f.status != 200)
        return snprintf(err, errlen, "instance metadata: the credentials request got HTTP %d", r->f.status),
               -EACCES;
    return ur_creds_parse_imds(r->f.body, r->f.body_len, t, err, errlen);
}

static int s_container(struct s_run *r, struct ur_creds_temp *t, char *err, size_t errlen)
{
    const struct ur_creds_plan *p = r->c->plan;
    char auth[4096] = "";
    if (p->container.token_file[0]) {
        /* Re-read for every fetch: EKS Pod Identity rotates the token file. */
        size_t n = 0;
        int rc = s_read_file(p->container.token_file, r->req, S_REQ_CAP, &n);
        if (rc == 0) rc = ur_creds_container_token(r->req, n, auth, sizeof(auth));
        OPENSSL_cleanse(r->req, S_REQ_CAP);
        if (rc < 0)
            return snprintf(err, errlen, "container endpoint: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s",
                            p->container.token_file, rc == -EINVAL ? "empty or malformed" : strerror(-rc)),
                   -EINVAL;
    } else {
        snprintf(auth, sizeof(auth), "%s", p->container.token);
    }
    struct ur_s3_url conn;
    int n = ur_creds_container_req(p->container.url, auth, &conn, r->req, S_REQ_CAP);
    OPENSSL_cleanse(auth, sizeof(auth));
    if (n < 0) return snprintf(err, errlen, "container endpoint: cannot build the request"), n;
    int rc = s_exchange(r, &conn, (size_t)n, UR_CREDS_CONTAINER_TIMEOUT_MS, UR_CREDS_CONTAINER_TIMEOUT_MS,
                        UR_CREDS_CONTAINER_ATTEMPTS);
    if (rc < 0) return snprintf(err, errlen, "container endpoint: %s", r->f.err), rc;
    return ur_creds_parse_container(r->f.status, r->f.body, r->f.body_len, t, err, errlen);
}

/* One STS POST: form[0..fn) to the STS endpoint, signed with src when it is not NULL. */
static int s_sts(struct s_run *r, const char *action, const char *profile, const struct ur_creds *src,
                 const char *form, size_t fn, struct ur_creds_temp *t, char *err, size_t errlen)
{
    char url[2048];
    int rc =
        ur_awscfg_sts_endpoint(r->c->region, r->c->env, r->c->env_ctx, r->c->cfg, profile, url, sizeof(url));
    if (rc < 0) return snprintf(err, errlen, "STS %s: no endpoint for region %s", action, r->c->region), rc;
    struct ur_sigv4 *s = src ? ur_sigv4_new(src, r->c->region, "sts") : NULL;
    if (src && !s) return snprintf(err, errlen, "STS %s: out of memory", action), -ENOMEM;
    struct ur_s3_url conn;
    int n = ur_creds_sts_req(url, s, src ? src->session_token : "", form, fn, time(NULL), &conn, r->req,
                             S_REQ_CAP);
    if (s) ur_sigv4_free(s);
    if (n < 0) return snprintf(err, errlen, "STS %s: cannot build the request for %s", action, url), n;
    /* STS goes through HTTPS_PROXY / HTTP_PROXY (and NO_PROXY) as every AWS call of the SDKs does. */
    struct ur_s3_proxy px;
    char why[300];
    if ((rc = ur_s3_proxy_select(conn.tls, conn.host, conn.port, false, r->c->env, r->c->env_ctx, &px, why,
                                 sizeof(why))) < 0) {
        OPENSSL_cleanse(r->req, (size_t)n);
        return snprintf(err, errlen, "STS %s: proxy: %s", action, why), rc;
    }
    rc = s_exchange_via(r, &conn, &px, (size_t)n, S_STS_CONNECT_MS, S_STS_TOTAL_MS, S_STS_ATTEMPTS);
    OPENSSL_cleanse(&px, sizeof(px));
    OPENSSL_cleanse(r->req, (size_t)n);
    if (rc < 0) return snprintf(err, errlen, "STS %s at %s: %s", action, url, r->f.err), rc;
    return ur_creds_sts_parse(action, r->f.status, r->f.body, r->f.body_len, t, err, errlen);
}

static int s_web_identity(struct s_run *r, struct ur_creds_temp *t, char *err, size_t errlen)
{
    const struct ur_creds_plan *p = r->c->plan;
    char *tok = malloc(S_REQ_CAP);
    char *form = malloc(2 * S_REQ_CAP);
    int rc = -ENOMEM;
    size_t n = 0;
    if (!tok || !form) {
        snprintf(err, errlen, "web identity: out of memory");
        goto out;
    }
    /* Re-read on every fetch: the token (EKS IRSA's projected service account token) rotates. */
    if ((rc = s_read_file(p->web.token_file, tok, S_REQ_CAP, &n)) < 0) {
        snprintf(err, errlen, "web identity: token file %s: %s", p->web.token_file, strerror(-rc));
        rc = -EINVAL;
        goto out;
    }
    int fn = ur_creds_sts_web_identity_form(&p->web.role, tok, n, time(NULL), form, 2 * S_REQ_CAP);
    if (fn < 0) {
        snprintf(err, errlen, "web identity: token file %s: %s", p->web.token_file,
                 fn == -EINVAL ? "empty" : "too long");
        rc = -EINVAL;
        goto out;
    }
    /* Name the source: an STS answer alone ("AccessDenied", radosgw's with no message) does not say which
     * token and role it refused. */
    char why[512];
    rc = s_sts(r, "AssumeRoleWithWebIdentity", p->profile[0] ? p->profile : NULL, NULL, form, (size_t)fn, t,
               why, sizeof(why));
    if (rc < 0)
        snprintf(err, errlen, "%s%s%sweb identity (token file %s, role %s): %s",
                 p->profile[0] ? "profile " : "", p->profile, p->profile[0] ? ": " : "", p->web.token_file,
                 p->web.role.arn, why);
out:
    if (tok) OPENSSL_cleanse(tok, S_REQ_CAP);
    if (form) OPENSSL_cleanse(form, 2 * S_REQ_CAP);
    free(tok);
    free(form);
    return rc;
}

static int s_process(const struct ur_creds_plan *p, struct ur_creds_temp *t, char *err, size_t errlen)
{
    char *buf = malloc(UR_CREDS_PROCESS_MAX_OUTPUT + 1);
    if (!buf) return snprintf(err, errlen, "credential_process: out of memory"), -ENOMEM;
    size_t n = 0;
    int rc = ur_creds_run_process(p->process, UR_CREDS_PROCESS_TIMEOUT_MS, buf, UR_CREDS_PROCESS_MAX_OUTPUT,
                                  &n, err, errlen);
    if (rc == 0) rc = ur_creds_parse_process(buf, n, t, err, errlen);
    OPENSSL_cleanse(buf, UR_CREDS_PROCESS_MAX_OUTPUT + 1);
    free(buf);
    return rc;
}

int ur_creds_fetch(struct ur_loop *l, const struct ur_creds_ctx *c, struct ur_creds_temp *out, char *err,
                   size_t errlen)
{
    struct s_run *r = calloc(1, sizeof(*r));
    if (r) r->req = malloc(S_REQ_CAP);
    if (!r || !r->req) {
        if (r) free(r);
        return snprintf(err, errlen, "credentials: out of memory"), -ENOMEM;
    }
    r->l = l;
    r->c = c;
    const struct ur_creds_plan *p = c->plan;
    struct ur_creds_temp t;
    memset(&t, 0, sizeof(t));
    int rc = 0;
    switch (p->source) {
    case UR_CREDS_SRC_EXPLICIT:
    case UR_CREDS_SRC_ENV:
    case UR_CREDS_SRC_PROFILE:
        t.creds = p->keys;
        break;
    case UR_CREDS_SRC_PROCESS:
        rc = s_process(p, &t, err, errlen);
        break;
    case UR_CREDS_SRC_IMDS:
        rc = s_imds(r, &t, err, errlen);
        break;
    case UR_CREDS_SRC_CONTAINER:
        rc = s_container(r, &t, err, errlen);
        break;
    case UR_CREDS_SRC_WEB_IDENTITY:
        rc = s_web_identity(r, &t, err, errlen);
        break;
    default:
        snprintf(err, errlen, "credentials: no source to fetch from");
        rc = -ENOENT;
    }
    /* The chain of roles: each signed with what the step before produced. */
    for (size_t i = 0; rc == 0 && i < p->nroles; i++) {
        char form[8192];
        int fn = ur_creds_sts_assume_role_form(&p->roles[i], time(NULL), form, sizeof(form));
        if (fn < 0) {
            snprintf(err, errlen, "profile %s: role_arn: cannot build the AssumeRole request",
                     p->roles[i].profile);
            rc = -EINVAL;
            break;
        }
        struct ur_creds_temp next;
        char why[512];
        rc = s_sts(r, "AssumeRole", p->roles[i].profile[0] ? p->roles[i].profile : NULL, &t.creds, form,
                   (size_t)fn, &next, why, sizeof(why));
        OPENSSL_cleanse(&t, sizeof(t));
        if (rc < 0) {
            snprintf(err, errlen, "profile %s: %s", p->roles[i].profile[0] ? p->roles[i].profile : "default",
                     why);
            break;
        }
        t = next;
        OPENSSL_cleanse(&next, sizeof(next));
    }
    if (rc == 0) *out = t;
    OPENSSL_cleanse(&t, sizeof(t));
    ur_fetch_clean_up(&r->f);
    OPENSSL_cleanse(r->req, S_REQ_CAP);
    free(r->req);
    free(r);
    return rc;
}

static void *s_bg_main(void *arg)
{
    struct ur_creds_bg *b = arg;
    struct ur_loop *l = calloc(1, sizeof(*l));
    /* epoll: a handful of sockets for a few requests need no ring of their own. */
    if (!l || ur_loop_init(l, 32, UR_LOOP_EPOLL) < 0) {
        snprintf(b->err, sizeof(b->err), "credentials refresh: cannot set up a loop");
        b->rc = -ENOMEM;
    } else {
        b->rc = ur_creds_fetch(l, &b->c, &b->out, b->err, sizeof(b->err));
        ur_loop_destroy(l);
    }
    free(l);
    uint64_t one = 1;
    if (write(b->efd, &one, sizeof(one)) < 0) {
        /* An eventfd write fails only on overflow, which one write per refresh cannot reach. */
    }
    return NULL;
}

int ur_creds_bg_start(struct ur_creds_bg *b, const struct ur_creds_ctx *c, int efd)
{
    if (b->running) return -EBUSY;
    b->c = *c;
    b->efd = efd;
    b->rc = 0;
    b->err[0] = '\0';
    int rc = pthread_create(&b->thread, NULL, s_bg_main, b);
    if (rc) return -rc;
    b->running = true;
    return 0;
}

int ur_creds_bg_join(struct ur_creds_bg *b)
{
    if (!b->running) return -ECHILD;
    pthread_join(b->thread, NULL);
    b->running = false;
    return b->rc;
}
