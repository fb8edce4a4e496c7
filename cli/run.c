/* cli/run.c — a batch of parsed `cp` commands: planning each (source check, destination name,
 * no-clobber skip), credentials, one urestore_copy() for all, a line per result from on_task_done, the
 * --stat table and the exit status. Holds the one client the signal handlers may cancel. */
#include "cli/run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/checkpoint.h"
#include "cli/creds.h"
#include "cli/glob.h"
#include "cli/out.h"
#include "cli/progress.h"
#include "cli/runline.h"
#include "include/urestore.h"
#include "s3/creds.h"
#include "s3/uri.h"

/* One planned download. */
struct s_item {
    char *src; /* as the user wrote it */
    char *dst; /* the final file path, as s5cmd would print it */
    uint64_t part_size_bytes;
    int64_t size_hint; /* the listing's size of a wildcard's object, else -1 */
    uint32_t flags;
    const char *skip_why; /* the DEBUG line's reason when the engine keeps the file (static) */
    bool reported;        /* its line was printed (from on_task_done or after the batch) */
};

struct ur_cli_batch {
    const struct ur_cli_global *g;
    const char *what;
    struct s_item *items;
    size_t n, cap;
    size_t ok, failed; /* commands, for --stat and the exit status */
    size_t verified;   /* successful copies whose bytes matched the object's stored checksum (--stat) */
    struct ur_cli_buf out;
    urestore_client *client; /* made on first need: a wildcard's listing, or the copy */
    urestore_status client_st;
    char client_err[512]; /* why the client could not be made (client_st != URESTORE_OK) */
    bool io_noticed;      /* the client's I/O backend was looked at (s_notice_io) */
    /* The progress line and --stat's figures. The library counts per urestore_copy() call (a chunk), so the
     * batch adds up the chunks before the current one and the sizes listed for those after it. */
    struct ur_cli_progress prog;
    bool prog_ended;
    size_t reported;       /* items with a result */
    size_t unknown_left;   /* items without a size hint and without a result: the total is not exact */
    uint64_t bytes_copied; /* bytes of the successful copies, for --stat */
    uint64_t chunks_done_bytes, chunks_known_bytes; /* the chunks finished */
    uint64_t chunk_done, chunk_known;               /* the current chunk, as on_progress last said */
    uint64_t hints_after;                           /* size hints of the items after the current chunk */
};

/* Set by the SIGINT/SIGTERM handler; the client it cancels while urestore_copy() runs. */
static volatile sig_atomic_t s_signalled;
static urestore_client *volatile s_client;
static struct timespec s_signalled_at;

/* One signal is often delivered twice within microseconds: timeout(1) and shells forward SIGTERM to the
 * child and to its process group. Repeats within a second are that echo and are ignored; a later one (a
 * user's second Ctrl-C) kills at once, leaving only temporary files. */
#define UR_CLI_SIGNAL_ECHO_NS 1000000000LL

static void s_on_signal(int sig)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now); /* async-signal-safe */
    if (s_signalled) {
        long long dt = (now.tv_sec - s_signalled_at.tv_sec) * 1000000000LL + (now.tv_nsec - s_signalled_at.tv_nsec);
        if (dt < UR_CLI_SIGNAL_ECHO_NS) return;
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    s_signalled_at = now;
    s_signalled = sig;
    urestore_client *c = s_client;
    if (c) urestore_cancel(c); /* async-signal-safe: writes an eventfd */
}

/* The library installs no handlers; without ours SIGTERM would kill us with temp files left behind. No
 * SA_RESTART, so a read of stdin returns EINTR. Each signal blocks the other while its handler runs. */
static void s_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = s_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

struct ur_cli_batch *ur_cli_batch_new(const struct ur_cli_global *g, const char *what)
{
    struct ur_cli_batch *b = calloc(1, sizeof(*b));
    if (!b) return NULL;
    b->g = g;
    b->what = what;
    ur_cli_progress_init(&b->prog, g, g->json); /* also the start of --stat's elapsed time */
    return b;
}

void ur_cli_batch_free(struct ur_cli_batch *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->n; i++) {
        free(b->items[i].src);
        free(b->items[i].dst);
    }
    free(b->items);
    ur_cli_buf_free(&b->out);
    if (!b->prog_ended) ur_cli_progress_end(&b->prog);
    if (b->client) urestore_client_destroy(b->client);
    free(b);
}

static void s_emit(struct ur_cli_batch *b, int fd)
{
    ur_cli_progress_hide(&b->prog, fd); /* the next progress call draws it again, under this line */
    (void)ur_cli_emit(fd, &b->out);     /* nowhere left to report a failing stdout or stderr */
}

/* Reports a command that failed before reaching the engine: "ERROR "TEXT": MSG (line: N)". */
static void s_fail_cmd(struct ur_cli_batch *b, const char *op, const char *text, size_t lineno,
                       const char *msg)
{
    char tail[48] = "";
    if (lineno) snprintf(tail, sizeof(tail), " (line: %zu)", lineno);
    struct ur_cli_buf m = {0};
    ur_cli_buf_puts(&m, msg);
    ur_cli_buf_puts(&m, tail);
    ur_cli_fmt_error(&b->out, b->g->json, op, text, m.p ? m.p : msg);
    ur_cli_buf_free(&m);
    s_emit(b, STDERR_FILENO);
    b->failed++;
}

static void s_print_ok(struct ur_cli_batch *b, const char *src, const char *dst, uint64_t bytes, int verified)
{
    if (b->g->log_level > UR_CLI_LOG_INFO) return; /* --log error: errors only, as s5cmd */
    ur_cli_fmt_ok(&b->out, b->g->json, "cp", src, dst, bytes, verified);
    s_emit(b, STDOUT_FILENO);
}

/* "cp SRC DST": the command as s5cmd names a task in its messages (destination after planning). */
static void s_task_text(struct ur_cli_buf *t, const char *src, const char *dst)
{
    t->len = 0;
    ur_cli_buf_puts(t, "cp ");
    ur_cli_buf_puts(t, src);
    ur_cli_buf_puts(t, " ");
    ur_cli_buf_puts(t, dst);
}

/* --resume found a partial it could not go on from: the user sees why the whole object came again. On
 * stderr, at the default level, as a success line is on stdout. */
static void s_print_restarted(struct ur_cli_batch *b, const char *src, const char *dst)
{
    if (b->g->log_level > UR_CLI_LOG_INFO) return;
    struct ur_cli_buf t = {0};
    s_task_text(&t, src, dst);
    ur_cli_fmt_note(&b->out, b->g->json, "cp", t.p ? t.p : "",
                    "--resume: the partial download could not be used (the object changed, or its sidecar or "
                    "file did not match): downloaded from the start");
    ur_cli_buf_free(&t);
    s_emit(b, STDERR_FILENO);
}

/* A copy that kept an existing destination (-n, -s, -u): s5cmd prints nothing at the default level (a
 * DEBUG line with its reason only), and it counts as a success. The engine can decide so too (a single
 * object's size or LastModified, known from its response; a file that appeared after planning), and
 * says so with URESTORE_RESULT_SKIPPED. */
static void s_print_skip(struct ur_cli_batch *b, const char *src, const char *dst, const char *why)
{
    if (b->g->log_level > UR_CLI_LOG_DEBUG) return;
    struct ur_cli_buf t = {0};
    s_task_text(&t, src, dst);
    ur_cli_fmt_debug(&b->out, b->g->json, "cp", t.p ? t.p : "", why);
    ur_cli_buf_free(&t);
    s_emit(b, STDOUT_FILENO);
}

#define S_WHY_EXISTS "object already exists"
#define S_WHY_SIZE "object size matches"
#define S_WHY_OLDER "object is newer or same age"

/* Why a skip of cp's kind happened: the condition that decides, as s5cmd's shouldOverride (-u over -s
 * over -n). */
static const char *s_skip_why(const struct ur_cli_cp *cp)
{
    return cp->if_source_newer ? S_WHY_OLDER : cp->if_size_differ ? S_WHY_SIZE : S_WHY_EXISTS;
}

static int s_push(struct ur_cli_batch *b, const struct ur_cli_cp *cp, const char *src, char *dst,
                  int64_t size_hint, uint32_t flags)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        struct s_item *p = realloc(b->items, cap * sizeof(*p));
        if (!p) return -ENOMEM;
        b->items = p;
        b->cap = cap;
    }
    char *copy = strdup(src);
    if (!copy) return -ENOMEM;
    b->items[b->n++] = (struct s_item){copy, dst, cp->part_size_bytes, size_hint, flags, s_skip_why(cp), false};
    if (size_hint < 0) b->unknown_left++;
    return 0;
}

/* s5cmd's shouldOverride for an existing file st and an object of size and LastModified lm (seconds; -1
 * unknown): NULL to copy, else why the file is kept. Each flag given overrides the verdict of the one
 * before it: -n keeps, -s keeps on equal sizes, -u keeps unless the object is strictly newer. */
static const char *s_keep_why(const struct ur_cli_cp *cp, const struct stat *st, uint64_t size, int64_t lm)
{
    const char *why = cp->no_clobber ? S_WHY_EXISTS : NULL;
    if (cp->if_size_differ) why = size == (uint64_t)st->st_size ? S_WHY_SIZE : NULL;
    /* lm is whole seconds: later than the mtime (with its nanoseconds) exactly when later than its seconds. */
    if (cp->if_source_newer) why = lm <= (int64_t)st->st_mtim.tv_sec ? S_WHY_OLDER : NULL;
    return why;
}

/* Plans the download of src into the file dst (taken over), with cp's flags. o: what a listing said of the
 * object (its size and LastModified decide -s and -u here, with no request); NULL for a single object,
 * whose -s and -u the engine decides on its first response (URESTORE_TASK_IF_*). */
static void s_plan_file(struct ur_cli_batch *b, const struct ur_cli_cp *cp, const char *src, char *dst,
                        const struct urestore_object *o, const char *op, const char *text, size_t lineno)
{
    struct stat st;
    uint32_t flags = (cp->no_mtime ? URESTORE_TASK_NO_MTIME : 0) | (cp->resume ? URESTORE_TASK_RESUME : 0);
    bool cond = cp->no_clobber || cp->if_size_differ || cp->if_source_newer;
    if (cond && stat(dst, &st) == 0) {
        const char *why = NULL;
        if (o && (o->last_modified >= 0 || !cp->if_source_newer))
            why = s_keep_why(cp, &st, o->size, o->last_modified);
        else if (!cp->if_size_differ && !cp->if_source_newer)
            why = S_WHY_EXISTS;
        else /* the engine compares with the object's first response */
            flags |= cp->if_source_newer ? URESTORE_TASK_IF_SOURCE_NEWER : URESTORE_TASK_IF_SIZE_DIFFERS;
        if (why) {
            s_print_skip(b, src, dst, why);
            free(dst);
            b->ok++;
            return;
        }
    } else if (cp->no_clobber && !cp->if_size_differ && !cp->if_source_newer) {
        flags |= URESTORE_TASK_NO_CLOBBER; /* the file may appear before the engine gets to it */
    }
    if (s_push(b, cp, src, dst, o ? (int64_t)o->size : -1, flags) < 0) {
        free(dst);
        s_fail_cmd(b, op, text, lineno, "out of memory");
    }
}

/* Credentials, region and endpoint as the AWS SDKs find them (cli/creds.c); at --log debug, a line says
 * which source supplied the credentials and where region and endpoint came from (never a value that is a
 * secret). */
static int s_creds(struct ur_cli_batch *b, struct ur_cli_creds *c, char *err, size_t errlen)
{
    int rc = ur_cli_creds_resolve(b->g, c, err, errlen);
    if (rc < 0 || b->g->log_level > UR_CLI_LOG_DEBUG) return rc;
    char msg[512];
    snprintf(msg, sizeof(msg), "credentials from %s; region %s (%s); endpoint %s", c->source,
             c->region[0] ? c->region : "default", c->region_from,
             c->endpoint_url[0] ? c->endpoint_from : "AWS");
    ur_cli_fmt_debug(&b->out, b->g->json, "credentials", "", msg);
    s_emit(b, STDERR_FILENO);
    return 0;
}

/* The batch's client, made on first use; NULL with b->client_st and b->client_err when it cannot be. */
static urestore_client *s_client_get(struct ur_cli_batch *b)
{
    if (b->client || b->client_st != URESTORE_OK) return b->client;
    struct urestore_options o;
    ur_cli_args_options(b->g, &o);
    struct ur_cli_creds cc;
    if (s_creds(b, &cc, b->client_err, sizeof(b->client_err)) < 0) {
        explicit_bzero(&cc, sizeof(cc));
        b->client_st = URESTORE_E_ACCESS;
        return NULL;
    }
    struct ur_creds creds = cc.creds;
    explicit_bzero(&cc.creds, sizeof(cc.creds));
    /* The default region is the library's to find: instance metadata's when the credentials come from it. */
    if (cc.region[0] && strcmp(cc.region_from, "default") != 0) o.region = cc.region;
    if (cc.endpoint_url[0]) o.endpoint_url = cc.endpoint_url;
    o.anonymous = creds.anonymous;
    o.default_credentials = cc.library_chain;
    o.profile = cc.profile[0] ? cc.profile : NULL;
    if (!creds.anonymous && !cc.library_chain) {
        o.access_key_id = creds.access_key;
        o.secret_access_key = creds.secret_key;
        o.session_token = creds.session_token[0] ? creds.session_token : NULL;
    }
    b->client_st = urestore_client_new(&o, &b->client, b->client_err, sizeof(b->client_err));
    explicit_bzero(&creds, sizeof(creds)); /* the client copied what it needs */
    if (b->client_st != URESTORE_OK && !b->client_err[0])
        snprintf(b->client_err, sizeof(b->client_err), "%s", urestore_status_str(b->client_st));
    return b->client;
}

/* `checkpoint`'s clients (one per listing thread): made as a batch makes its own, from the same
 * credentials, endpoint and options. */
static urestore_client *s_client_new(const struct ur_cli_global *g, char *err, size_t errlen)
{
    struct ur_cli_batch *b = ur_cli_batch_new(g, "checkpoint");
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    urestore_client *c = s_client_get(b);
    if (!c) snprintf(err, errlen, "%s", b->client_err);
    b->client = NULL; /* the caller's now */
    ur_cli_batch_free(b);
    return c;
}

/* The objects a listing returned that the source selects (the wildcard, or every key under a prefix),
 * less those --exclude/--include leave out, in S3's order. */
struct s_match {
    char *key;
    uint64_t size;
    int64_t last_modified;
};

struct s_matches {
    struct ur_cli_batch *b;
    const char *prefix; /* the listing's URI, for the progress line */
    const struct ur_cli_cp *cp;
    struct s_match *v;
    size_t n, cap, listed;
    size_t selected; /* before the filters: none is "no object found", all filtered out is no copy */
    bool oom;
};

static int s_on_listed(void *user, const struct urestore_object *e)
{
    struct s_matches *m = user;
    const struct ur_cli_cp *cp = m->cp;
    m->listed++;
    if (ur_cli_progress_due(&m->b->prog)) {
        char line[600];
        snprintf(line, sizeof(line), "listing %s: %zu objects, %zu matching", m->prefix, m->listed, m->n);
        ur_cli_progress_show(&m->b->prog, line);
    }
    if (cp->wildcard && !ur_cli_glob_match(cp->src_key, e->key)) return 0;
    m->selected++;
    if (ur_cli_glob_filtered(cp->src_key, cp->wildcard, e->key, &cp->exclude, &cp->include)) return 0;
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        struct s_match *v = realloc(m->v, cap * sizeof(*v));
        if (!v) return m->oom = true, 1;
        m->v = v;
        m->cap = cap;
    }
    if (!(m->v[m->n].key = strdup(e->key))) return m->oom = true, 1;
    m->v[m->n].size = e->size;
    m->v[m->n++].last_modified = e->last_modified;
    return 0;
}

/* A wildcard source, as s5cmd expands it: list the literal prefix (ListObjectsV2, every page), keep the
 * keys that match the whole pattern (directory markers aside), and plan one download per key into the
 * destination directory; a key that would land outside it is refused with its own ERROR line. A prefix
 * source (PREFIX/, or the bucket) is listed the same way and keeps every key, each landing at its path
 * after PREFIX/. */
static void s_expand_listing(struct ur_cli_batch *b, const struct ur_cli_cp *cp, const char *op,
                             const char *text, size_t lineno)
{
    /* cp->src is SCHEME://BUCKET/KEY (or SCHEME://BUCKET) and cp->src_key points at KEY. */
    const char *bucket = strstr(cp->src, "://") + 3;
    size_t blen = strcspn(bucket, "/");
    char bname[64];
    if (blen >= sizeof(bname)) {
        s_fail_cmd(b, op, text, lineno, "bucket name is too long");
        return;
    }
    memcpy(bname, bucket, blen);
    bname[blen] = '\0';
    urestore_client *c = s_client_get(b);
    if (!c) {
        s_fail_cmd(b, op, text, lineno, b->client_err);
        return;
    }
    char *prefix = NULL; /* the listing's URI: s3://BUCKET/ and the literal part of the key */
    size_t plen = cp->wildcard ? ur_cli_glob_prefix_len(cp->src_key) : strlen(cp->src_key);
    if (asprintf(&prefix, "s3://%s/%.*s", bname, (int)plen, cp->src_key) < 0) prefix = NULL;
    struct s_matches m = {.b = b, .prefix = prefix, .cp = cp};
    char msg[512] = "";
    urestore_status st = URESTORE_E_NOMEM;
    if (prefix) {
        s_client = c;
        if (s_signalled) urestore_cancel(c);
        st = urestore_list(c, prefix, NULL, s_on_listed, &m, msg, sizeof(msg));
        s_client = NULL;
        ur_cli_progress_hide(&b->prog, STDERR_FILENO); /* the listing's line: its figures are done */
        free(prefix);
    }
    if (m.oom) st = URESTORE_E_NOMEM, msg[0] = '\0';
    if (st == URESTORE_E_CANCELLED && s_signalled) {
        b->failed++; /* the interruption is reported once, for the whole run */
    } else if (st != URESTORE_OK) {
        s_fail_cmd(b, op, text, lineno, msg[0] ? msg : urestore_status_str(st));
    } else if (m.selected == 0) {
        s_fail_cmd(b, op, text, lineno, "no object found");
    } else {
        struct ur_cli_buf src = {0}, t = {0};
        /* SCHEME://BUCKET/ before each key (a source written without the bucket's '/' gets one). */
        size_t head = (size_t)(bucket - cp->src) + blen;
        for (size_t i = 0; i < m.n; i++) {
            const char *key = m.v[i].key;
            size_t kl = strlen(key);
            if (kl && key[kl - 1] == '/') continue; /* a directory marker: s5cmd skips it */
            src.len = 0;
            ur_cli_buf_put(&src, cp->src, head);
            ur_cli_buf_puts(&src, "/");
            ur_cli_buf_puts(&src, key);
            const char *why = NULL, *s = src.p ? src.p : "";
            char *dst = cp->wildcard ? ur_cli_glob_dest(cp->dst, cp->src_key, key, cp->flatten, &why)
                                     : ur_cli_prefix_dest(cp->dst, cp->src_key, key, cp->flatten, &why);
            if (dst) {
                struct urestore_object o = {.key = key, .size = m.v[i].size, .last_modified = m.v[i].last_modified};
                s_plan_file(b, cp, s, dst, &o, op, text, lineno);
                continue;
            }
            s_task_text(&t, s, cp->dst);
            ur_cli_fmt_error(&b->out, b->g->json, op, t.p ? t.p : "", why);
            s_emit(b, STDERR_FILENO);
            b->failed++;
        }
        ur_cli_buf_free(&src);
        ur_cli_buf_free(&t);
    }
    for (size_t i = 0; i < m.n; i++)
        free(m.v[i].key);
    free(m.v);
}

/* Plans a parsed cp: checks the source as the engine will, names the destination file, applies -n. */
static void s_plan(struct ur_cli_batch *b, const struct ur_cli_cp *cp, const char *op, const char *text,
                   size_t lineno)
{
    const char *why = NULL;
    if (cp->wildcard || cp->prefix) {
        s_expand_listing(b, cp, op, text, lineno);
        return;
    }
    /* s5cmd filters a single object too, by its whole key. */
    if (ur_cli_glob_filtered(cp->src_key, false, cp->src_key, &cp->exclude, &cp->include)) return;
    struct ur_s3_uri uri;
    if (ur_s3_uri_parse(cp->src, &uri, &why) < 0) {
        s_fail_cmd(b, op, text, lineno, why ? why : "bad source URI");
        return;
    }
    struct stat st;
    bool dst_is_dir = stat(cp->dst, &st) == 0 && S_ISDIR(st.st_mode);
    char *dst = ur_cli_dest_path(cp->dst, uri.key, dst_is_dir, &why);
    if (!dst) {
        s_fail_cmd(b, op, text, lineno, why);
        return;
    }
    s_plan_file(b, cp, cp->src, dst, NULL, op, text, lineno);
}

void ur_cli_batch_add_line(struct ur_cli_batch *b, const char *line, size_t len, size_t lineno)
{
    ur_cli_trim(&line, &len);
    if (len == 0 || line[0] == '#') return;
    struct ur_cli_buf text = {0};
    ur_cli_buf_put(&text, line, len);
    const char *shown = text.p ? text.p : "";
    struct ur_cli_words w;
    struct ur_cli_cp cp;
    char err[512];
    if (ur_cli_parse_line(line, len, &w, &cp, err, sizeof(err)) < 0) {
        s_fail_cmd(b, "run", shown, lineno, err);
    } else {
        s_plan(b, &cp, "cp", shown, lineno);
        ur_cli_words_free(&w);
    }
    ur_cli_buf_free(&text);
}

void ur_cli_batch_add_text(struct ur_cli_batch *b, const char *text, size_t len)
{
    size_t lineno = 0;
    while (len) {
        const char *nl = memchr(text, '\n', len);
        size_t n = nl ? (size_t)(nl - text) : len; /* a last line without '\n' still counts */
        ur_cli_batch_add_line(b, text, n, ++lineno);
        text += n + (nl != NULL);
        len -= n + (nl != NULL);
    }
}

/* Once per run, at --log info (the default) and more verbose: the automatic choice could not take io_uring
 * (a container's seccomp profile, a sysctl), so the copies run on the epoll backend; the line says why.
 * Known once the client's first call has set its loop up, so it is looked at before each result line. */
static void s_notice_io(struct ur_cli_batch *b)
{
    if (b->io_noticed || !b->client || b->g->io_backend != URESTORE_IO_AUTO) return;
    const char *io = urestore_client_io(b->client);
    if (!*io) return;
    b->io_noticed = true;
    size_t n = strlen(io);
    if (b->g->log_level > UR_CLI_LOG_INFO || strncmp(io, "epoll (", 7) || io[n - 1] != ')') return;
    char line[320];
    int len = snprintf(line, sizeof(line), "urestore: %.*s: using the epoll backend\n", (int)(n - 8), io + 7);
    ur_cli_progress_hide(&b->prog, STDERR_FILENO);
    if (len > 0) (void)!write(STDERR_FILENO, line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1);
}

/* Prints the result of item i once. Cancelled tasks are not printed: s5cmd stays silent on them too. */
static void s_report(struct ur_cli_batch *b, size_t i, const struct urestore_result *r)
{
    s_notice_io(b);
    struct s_item *it = &b->items[i];
    if (it->reported) return;
    it->reported = true;
    b->reported++;
    if (it->size_hint < 0) b->unknown_left--;
    if (r->status == URESTORE_OK) {
        b->ok++;
        b->bytes_copied += r->bytes;
        if (r->flags & URESTORE_RESULT_SKIPPED)
            s_print_skip(b, it->src, it->dst, it->skip_why);
        else
            s_print_ok(b, it->src, it->dst, r->bytes,
                       b->g->dry_run ? -1 : (r->flags & URESTORE_RESULT_VERIFIED) != 0);
        if (r->flags & URESTORE_RESULT_RESTARTED) s_print_restarted(b, it->src, it->dst);
        if (r->flags & URESTORE_RESULT_VERIFIED) b->verified++;
        return;
    }
    b->failed++;
    if (r->status == URESTORE_E_CANCELLED && s_signalled) return;
    struct ur_cli_buf t = {0};
    s_task_text(&t, it->src, it->dst);
    ur_cli_fmt_error(&b->out, b->g->json, "cp", t.p ? t.p : "",
                     r->message[0] ? r->message : urestore_status_str(r->status));
    ur_cli_buf_free(&t);
    s_emit(b, STDERR_FILENO);
}

/* The library reports an index into the chunk being copied (see s_copy). */
struct s_chunk {
    struct ur_cli_batch *b;
    size_t base;
};

static void s_on_task_done(void *user, size_t index, const struct urestore_result *r)
{
    struct s_chunk *k = user;
    s_report(k->b, k->base + index, r);
}

/* The library's figures for the chunk, every ~100 ms; the line is drawn at its own pace. */
static void s_on_progress(void *user, uint64_t bytes_done, uint64_t bytes_total_known, size_t tasks_done)
{
    (void)tasks_done; /* the batch counts its results itself, across chunks */
    struct ur_cli_batch *b = ((struct s_chunk *)user)->b;
    b->chunk_done = bytes_done;
    b->chunk_known = bytes_total_known;
    /* A lone object without a hint: its size is known once the library counts any. */
    bool exact = b->unknown_left == 0 || (b->n == 1 && bytes_total_known > 0);
    char line[256];
    ur_cli_progress_fmt_copy(&b->prog, line, sizeof(line), b->reported, b->n, b->chunks_done_bytes + bytes_done,
                             b->chunks_known_bytes + bytes_total_known + b->hints_after, exact);
    ur_cli_progress_show(&b->prog, line);
}

/* Fails every planned item with one message (the client could not be made). */
static void s_fail_all(struct ur_cli_batch *b, urestore_status st, const char *msg)
{
    struct urestore_result r;
    memset(&r, 0, sizeof(r));
    r.status = st;
    snprintf(r.message, sizeof(r.message), "%s", msg);
    for (size_t i = 0; i < b->n; i++)
        s_report(b, i, &r);
}

/* Tasks per urestore_copy() call. The library holds ~1.1 KiB per task of a call (its state and the
 * result) for the whole call: 50,000 objects in one call peaked at 118 MiB. In chunks, memory stays
 * bounded (~10 MiB) for any number of lines; the client keeps its connections from chunk to chunk, so
 * the cost is a short tail where a chunk's last tasks run alone. */
#define UR_CLI_CHUNK 8192

static void s_copy(struct ur_cli_batch *b)
{
    urestore_client *c = s_client_get(b);
    if (!c) {
        s_fail_all(b, b->client_st, b->client_err);
        return;
    }
    size_t cap = b->n < UR_CLI_CHUNK ? b->n : UR_CLI_CHUNK;
    struct urestore_task *tasks = calloc(cap, sizeof(*tasks));
    struct urestore_result *res = calloc(cap, sizeof(*res));
    if (!tasks || !res) {
        free(tasks);
        free(res);
        s_fail_all(b, URESTORE_E_NOMEM, "out of memory");
        return;
    }
    struct s_chunk k = {b, 0};
    /* No progress line, no progress callback: the library arms no timer for it (Flink's case). */
    struct urestore_callbacks cb = {sizeof(cb), &k, s_on_task_done,
                                    b->prog.mode != UR_CLI_PROGRESS_OFF ? s_on_progress : NULL};
    for (size_t i = cap; i < b->n; i++)
        if (b->items[i].size_hint > 0) b->hints_after += (uint64_t)b->items[i].size_hint;
    s_client = c;
    for (; k.base < b->n && !s_signalled; k.base += cap) {
        size_t m = b->n - k.base < cap ? b->n - k.base : cap;
        for (size_t i = 0; i < m; i++) {
            const struct s_item *it = &b->items[k.base + i];
            tasks[i] = (struct urestore_task){it->src, it->dst, it->size_hint, it->part_size_bytes, it->flags, 0};
            if (k.base && it->size_hint > 0) b->hints_after -= (uint64_t)it->size_hint;
        }
        memset(res, 0, m * sizeof(*res));
        urestore_copy(c, tasks, m, res, &cb); /* a signal from here on cancels it through s_client */
        for (size_t i = 0; i < m; i++)
            s_report(b, k.base + i, &res[i]); /* any the callback did not report */
        b->chunks_done_bytes += b->chunk_done;
        b->chunks_known_bytes += b->chunk_known;
        b->chunk_done = b->chunk_known = 0;
    }
    s_client = NULL;
    struct urestore_result cancelled = {.status = URESTORE_E_CANCELLED};
    for (size_t i = k.base; i < b->n; i++)
        s_report(b, i, &cancelled); /* chunks a signal kept from starting */
    free(tasks);
    free(res);
}

/* Go's text/tabwriter with '\t' padding, as s5cmd's --stat table: each cell is followed by enough tabs
 * to reach its column's width (widest cell + 1, rounded up to 8). A header row and one row of values. */
static void s_put_table(struct ur_cli_buf *o, char cells[2][5][24], int ncols)
{
    for (int r = 0; r < 2; r++) {
        for (int k = 0; k < ncols; k++) {
            size_t w = strlen(cells[0][k]) > strlen(cells[1][k]) ? strlen(cells[0][k]) : strlen(cells[1][k]);
            w = (w + 1 + 7) / 8 * 8;
            ur_cli_buf_puts(o, cells[r][k]);
            for (size_t t = (w - strlen(cells[r][k]) + 7) / 8; t; t--)
                ur_cli_buf_put(o, "\t", 1);
        }
        ur_cli_buf_puts(o, "\n");
    }
}

/* s5cmd's table (operations, errors, successes) with one column of ours at its end (copies verified against
 * the object's stored checksum), then a second one of the same make right below it, where a reader of the
 * first looks next: bytes written, elapsed time (the whole command: listings, planning and copies) and
 * throughput. */
static void s_print_stat(struct ur_cli_batch *b)
{
    uint64_t ms = ur_cli_progress_elapsed_ms(&b->prog);
    double secs = (double)ms / 1000.0;
    double mibs = ms ? (double)b->bytes_copied / (1024.0 * 1024.0) / secs : 0.0;
    char cells[2][5][24];
    struct ur_cli_buf *o = &b->out;
    o->len = 0;
    if (b->g->json) {
        char line[256];
        snprintf(line, sizeof(line), "{\"operation\":\"cp\",\"success\":%zu,\"error\":%zu,\"verified\":%zu}\n\n",
                 b->ok, b->failed, b->verified);
        ur_cli_buf_puts(o, line);
        snprintf(line, sizeof(line), "{\"bytes\":%llu,\"elapsed_seconds\":%.3f,\"throughput_mib_per_second\":%.1f}\n",
                 (unsigned long long)b->bytes_copied, secs, mibs);
        ur_cli_buf_puts(o, line);
    } else {
        snprintf(cells[0][0], 24, "Operation");
        snprintf(cells[0][1], 24, "Total");
        snprintf(cells[0][2], 24, "Error");
        snprintf(cells[0][3], 24, "Success");
        snprintf(cells[1][0], 24, "cp");
        snprintf(cells[1][1], 24, "%zu", b->ok + b->failed);
        snprintf(cells[1][2], 24, "%zu", b->failed);
        snprintf(cells[1][3], 24, "%zu", b->ok);
        snprintf(cells[0][4], 24, "Verified"); /* ours: copies checked against the stored checksum */
        snprintf(cells[1][4], 24, "%zu", b->verified);
        ur_cli_buf_puts(o, "\n");
        s_put_table(o, cells, 5);
        ur_cli_buf_puts(o, "\n");
        snprintf(cells[0][0], 24, "Bytes");
        snprintf(cells[0][1], 24, "Elapsed");
        snprintf(cells[0][2], 24, "MiB/s");
        snprintf(cells[1][0], 24, "%llu", (unsigned long long)b->bytes_copied);
        snprintf(cells[1][1], 24, "%.3fs", secs);
        snprintf(cells[1][2], 24, "%.1f", mibs);
        s_put_table(o, cells, 3);
        ur_cli_buf_puts(o, "\n");
    }
    s_emit(b, STDOUT_FILENO);
}

int ur_cli_batch_run(struct ur_cli_batch *b)
{
    if (b->n && !s_signalled) {
        if (b->g->dry_run) {
            /* s5cmd's --dry-run prints every command as if it succeeded and touches nothing. */
            struct urestore_result ok;
            memset(&ok, 0, sizeof(ok));
            for (size_t i = 0; i < b->n; i++)
                s_report(b, i, &ok);
        } else {
            s_copy(b);
        }
    }
    s_notice_io(b); /* a run whose listing found nothing to copy */
    ur_cli_progress_end(&b->prog); /* gone before the final output */
    b->prog_ended = true;
    if (b->g->stat) s_print_stat(b);
    if (s_signalled) {
        ur_cli_fmt_error(&b->out, b->g->json, b->what, b->what, "interrupted by a signal");
        s_emit(b, STDERR_FILENO);
        return 1;
    }
    return b->failed ? 1 : 0;
}

/* Reads all of fd into a NUL-free-agnostic buffer. Returns 0, -EINTR when a signal came, or -errno. */
static int s_read_all(int fd, char **out, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap);
    if (!p) return -ENOMEM;
    for (;;) {
        if (n == cap) {
            char *q = realloc(p, cap * 2);
            if (!q) {
                free(p);
                return -ENOMEM;
            }
            p = q;
            cap *= 2;
        }
        ssize_t r = read(fd, p + n, cap - n);
        if (r == 0) break;
        if (r < 0) {
            int e = errno;
            if (e == EINTR && !s_signalled) continue;
            free(p);
            return -e;
        }
        n += (size_t)r;
    }
    *out = p;
    *len = n;
    return 0;
}

static int s_usage_error(const char *msg)
{
    struct ur_cli_buf b = {0};
    ur_cli_buf_puts(&b, "Incorrect Usage: ");
    ur_cli_buf_puts(&b, msg);
    ur_cli_buf_puts(&b, "\nSee 'urestore --help' for usage\n");
    (void)ur_cli_emit(STDERR_FILENO, &b);
    ur_cli_buf_free(&b);
    return 1;
}

static int s_print(int fd, const char *text)
{
    struct ur_cli_buf b = {0};
    ur_cli_buf_puts(&b, text);
    (void)ur_cli_emit(fd, &b);
    ur_cli_buf_free(&b);
    return 0;
}

/* An error that concerns the whole command, not one line: ERROR "COMMAND": MSG, exit status 1. */
static int s_cmd_error(const struct ur_cli_global *g, const char *command, const char *msg)
{
    struct ur_cli_buf b = {0};
    ur_cli_fmt_error(&b, g->json, command, command, msg);
    (void)ur_cli_emit(STDERR_FILENO, &b);
    ur_cli_buf_free(&b);
    return 1;
}

static int s_cmd_run(const struct ur_cli_global *g, char **args, int nargs)
{
    if (nargs == 2 && (!strcmp(args[1], "-h") || !strcmp(args[1], "--help") || !strcmp(args[1], "-help")))
        return s_print(STDOUT_FILENO, ur_cli_usage_run);
    if (nargs > 2) return s_cmd_error(g, "run", "expected only 1 file");
    int fd = STDIN_FILENO;
    char what[4096];
    snprintf(what, sizeof(what), "run%s%s", nargs == 2 ? " " : "", nargs == 2 ? args[1] : "");
    if (nargs == 2) {
        fd = open(args[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            char msg[4200];
            snprintf(msg, sizeof(msg), "open %s: %s", args[1], strerror(errno));
            return s_cmd_error(g, what, msg);
        }
    }
    char *text = NULL;
    size_t len = 0;
    int rc = s_read_all(fd, &text, &len);
    if (fd != STDIN_FILENO) close(fd);
    if (rc < 0) {
        if (rc == -EINTR) return s_cmd_error(g, what, "interrupted by a signal");
        return s_cmd_error(g, what, strerror(-rc));
    }
    struct ur_cli_batch *b = ur_cli_batch_new(g, what);
    if (!b) {
        free(text);
        return s_cmd_error(g, what, "out of memory");
    }
    ur_cli_batch_add_text(b, text, len); /* every line is parsed before anything is copied */
    free(text);
    rc = ur_cli_batch_run(b);
    ur_cli_batch_free(b);
    return rc;
}

static int s_cmd_cp(const struct ur_cli_global *g, char **args, int nargs)
{
    struct ur_cli_buf text = {0}; /* "cp ARGS…", as s5cmd names the command in its messages */
    for (int i = 0; i < nargs; i++) {
        if (i) ur_cli_buf_puts(&text, " ");
        ur_cli_buf_puts(&text, args[i]);
    }
    const char *shown = text.p ? text.p : "cp";
    struct ur_cli_batch *b = ur_cli_batch_new(g, "cp");
    struct ur_cli_cp cp;
    char err[512];
    int rc = 1;
    if (!b) {
        rc = s_cmd_error(g, shown, "out of memory");
    } else if (ur_cli_parse_cp(args, (size_t)nargs, &cp, err, sizeof(err)) < 0) {
        rc = s_cmd_error(g, shown, err);
    } else if (cp.help) {
        rc = s_print(STDOUT_FILENO, ur_cli_usage_cp);
    } else {
        s_plan(b, &cp, "cp", shown, 0);
        rc = ur_cli_batch_run(b);
    }
    ur_cli_batch_free(b);
    ur_cli_buf_free(&text);
    return rc;
}

int ur_cli_main(int argc, char **argv)
{
    struct ur_cli_global g;
    char err[512];
    if (ur_cli_args_parse(argc, argv, &g, err, sizeof(err)) < 0) return s_usage_error(err);
    if (g.help) return s_print(STDOUT_FILENO, ur_cli_usage_global);
    if (g.version || (g.nargs >= 1 && !strcmp(g.args[0], "version"))) {
        char v[128];
        snprintf(v, sizeof(v), "%s\n", urestore_version());
        return s_print(STDOUT_FILENO, v);
    }
    if (g.nargs == 0) return s_print(STDOUT_FILENO, ur_cli_usage_global); /* as s5cmd: help, status 0 */
    const char *cmd = g.args[0];
    if (ur_cli_args_resolve(&g, err, sizeof(err)) < 0) return s_cmd_error(&g, cmd, err);
    /* checkpoint installs no handlers: a signal ends it at once (deletions are idempotent, nothing is
     * left half-written). */
    if (!strcmp(cmd, "checkpoint")) return ur_cli_checkpoint(&g, g.args, g.nargs, s_client_new);
    s_install_signals();
    if (!strcmp(cmd, "run")) return s_cmd_run(&g, g.args, g.nargs);
    if (!strcmp(cmd, "cp")) return s_cmd_cp(&g, g.args, g.nargs);
    if (!strcmp(cmd, "help")) return s_print(STDOUT_FILENO, ur_cli_usage_global);
    return s_cmd_error(&g, cmd, "command not found");
}
