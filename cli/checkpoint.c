/* cli/checkpoint.c — `urestore checkpoint ls | files | gc`: options, the order
 * of the gc run (read every _metadata, then list, then re-check, then print or
 * delete), and the ls and files commands. The rules are flink/gc.c's; listing
 * and reading are cli/checkpoint_scan.c's; deleting is cli/checkpoint_rm.c's.
 */
#include "cli/checkpoint.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/checkpoint_run.h"
#include "cli/checkpoint_scan.h"
#include "cli/out.h"
#include "flink/ckpath.h"
#include "flink/gc.h"
#include "s3/uri.h"

/* ---- options ---- */

static int s_usage(const char *msg)
{
    struct ur_cli_buf b = {0};
    ur_cli_buf_puts(&b, "Incorrect Usage: ");
    ur_cli_buf_puts(&b, msg);
    ur_cli_buf_puts(&b, "\nSee 'urestore checkpoint --help' for usage\n");
    (void)ur_cli_emit(STDERR_FILENO, &b);
    ur_cli_buf_free(&b);
    return 1;
}

static int s_push(char ***v, size_t *n, char *s)
{
    char **p = realloc(*v, (*n + 1) * sizeof(*p));
    if (!p) return -ENOMEM;
    *v = p;
    p[(*n)++] = s;
    return 0;
}

/* Parses the words after the subcommand. Returns 0, 1 after printing a usage error, or 2 for --help. */
static int s_parse(struct ur_ck_opts *o, char **w, int n)
{
    o->min_age_s = 24 * 3600;
    o->max_rate = UR_CK_DEFAULT_RATE;
    o->page = UR_CK_DEFAULT_PAGE;
    o->threads = UR_CK_DEFAULT_THREADS;
    bool flags_done = false;
    for (int i = 0; i < n; i++) {
        char *a = w[i];
        if (flags_done || a[0] != '-' || !a[1]) {
            if (s_push(&o->roots, &o->nroots, a) < 0) return s_usage("out of memory");
            continue;
        }
        if (!strcmp(a, "--")) {
            flags_done = true;
            continue;
        }
        const char *name = a + 1 + (a[1] == '-');
        char nm[64];
        const char *val = NULL, *eq = strchr(name, '=');
        snprintf(nm, sizeof(nm), "%.*s", (int)(eq ? (size_t)(eq - name) : strlen(name)), name);
        static const char *const with_value[] = {"min-age",     "protect",      "max-delete-rate",
                                                 "entropy-key", "list-threads", "delete-page"};
        bool needs = false;
        for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++)
            needs |= !strcmp(nm, with_value[k]);
        if (needs) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < n)
                val = w[++i];
            else {
                char m[96];
                snprintf(m, sizeof(m), "flag needs an argument: -%s", nm);
                return s_usage(m);
            }
        }
        char m[160];
        if (!strcmp(nm, "help") || !strcmp(nm, "h")) return 2;
        if (!strcmp(nm, "json"))
            o->json = true;
        else if (!strcmp(nm, "delete"))
            o->delete_ = true;
        else if (!strcmp(nm, "delete-taskowned"))
            o->allow |= UR_GC_ALLOW_TASKOWNED;
        else if (!strcmp(nm, "delete-forst"))
            o->allow |= UR_GC_ALLOW_FORST;
        else if (!strcmp(nm, "delete-merged"))
            o->allow |= UR_GC_ALLOW_MERGED;
        else if (!strcmp(nm, "delete-unknown"))
            o->allow |= UR_GC_ALLOW_UNKNOWN;
        else if (!strcmp(nm, "min-age")) {
            if (ur_gc_parse_duration(val, &o->min_age_s) < 0) {
                snprintf(m, sizeof(m),
                         "invalid value \"%s\" for flag -min-age: a duration such as "
                         "24h, 30m, 7d or 0",
                         val);
                return s_usage(m);
            }
        } else if (!strcmp(nm, "protect")) {
            if (s_push(&o->protect, &o->nprotect, (char *)val) < 0) return s_usage("out of memory");
        } else if (!strcmp(nm, "entropy-key")) {
            o->entropy_key = val;
        } else if (!strcmp(nm, "max-delete-rate") || !strcmp(nm, "list-threads") ||
                   !strcmp(nm, "delete-page")) {
            char *end;
            long long v = strtoll(val, &end, 10);
            long long hi = !strcmp(nm, "delete-page") ? 1000 : !strcmp(nm, "list-threads") ? 64 : 100000;
            if (!*val || *end || v < 1 || v > hi) {
                snprintf(m, sizeof(m), "invalid value \"%s\" for flag -%s: a whole number from 1 to %lld",
                         val, nm, hi);
                return s_usage(m);
            }
            if (nm[0] == 'm')
                o->max_rate = (double)v;
            else if (nm[0] == 'l')
                o->threads = (unsigned)v;
            else
                o->page = (unsigned)v;
        } else {
            snprintf(m, sizeof(m), "flag provided but not defined: -%s", nm);
            return s_usage(m);
        }
    }
    return 0;
}

/* ---- locations ---- */

/* Splits an s3:// URI into bucket and a key prefix that is "" or ends in '/' (a directory). A key ending in
 * "_metadata" is kept as is in *file (NULL otherwise), with its directory as the prefix. */
static int s_location(const char *uri, char **bucket, char **prefix, char **file, char *err, size_t errlen)
{
    struct ur_s3_uri u;
    const char *why = NULL;
    *bucket = *prefix = NULL;
    if (file) *file = NULL;
    if (ur_s3_uri_parse(uri, &u, &why) < 0) {
        snprintf(err, errlen, "%s: %s", uri, why ? why : "not an s3:// URI");
        return -EINVAL;
    }
    size_t kl = strlen(u.key);
    const char *sl = strrchr(u.key, '/');
    const char *last = sl ? sl + 1 : u.key;
    if (file && !strcmp(last, "_metadata")) {
        *file = strdup(u.key);
        *prefix = strndup(u.key, (size_t)(last - u.key));
    } else if (kl == 0 || u.key[kl - 1] == '/') {
        *prefix = strdup(u.key);
    } else if (asprintf(prefix, "%s/", u.key) < 0) {
        *prefix = NULL;
    }
    *bucket = strdup(u.bucket);
    if (!*bucket || !*prefix || (file && !strcmp(last, "_metadata") && !*file)) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

static int s_cmd_error(const struct ur_ck_run *r, const char *msg)
{
    struct ur_cli_buf b = {0};
    ur_cli_fmt_error(&b, r->o.json, "checkpoint", r->what, msg);
    (void)ur_cli_emit(STDERR_FILENO, &b);
    ur_cli_buf_free(&b);
    return 1;
}

static void s_out(struct ur_cli_buf *b)
{
    (void)ur_cli_emit(STDOUT_FILENO, b);
}

/* ---- checkpoint files ---- */

static int s_files(struct ur_ck_run *r)
{
    if (r->o.nroots != 1) return s_usage("checkpoint files takes one DIR (a chk-N or savepoint directory)");
    char *bucket, *prefix, *file, err[600];
    if (s_location(r->o.roots[0], &bucket, &prefix, &file, err, sizeof(err)) < 0) return s_cmd_error(r, err);
    char *key = file;
    int rc = 1;
    if (!key && asprintf(&key, "%s_metadata", prefix) < 0) key = NULL;
    urestore_client *c = key ? ur_ck_client(r, err, sizeof(err)) : NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    char *uri = NULL;
    if (!key) {
        rc = s_cmd_error(r, "out of memory");
    } else if (!c) {
        rc = s_cmd_error(r, err);
    } else if (asprintf(&uri, "s3://%s/%s", bucket, key) < 0) {
        uri = NULL;
        rc = s_cmd_error(r, "out of memory");
    } else if (ur_ck_read(c, bucket, key, UR_CK_METADATA_MAX, &data, &len, err, sizeof(err)) != URESTORE_OK) {
        char m[1200];
        snprintf(m, sizeof(m), "%s: %s", uri, err);
        rc = s_cmd_error(r, m);
    } else {
        struct ur_cli_buf out = {0};
        struct ur_flink_error fe;
        if (ur_ck_fmt_files(&out, r->o.json, uri, data, len, NULL, NULL, &fe) < 0) {
            char m[1200];
            snprintf(m, sizeof(m), "%s: %s", uri, fe.msg);
            rc = s_cmd_error(r, m);
        } else {
            s_out(&out);
            rc = 0;
        }
        ur_cli_buf_free(&out);
    }
    free(data);
    free(uri);
    if (c) urestore_client_destroy(c);
    free(key);
    free(bucket);
    free(prefix);
    return rc;
}

/* ---- checkpoint ls ---- */

static int s_ls(struct ur_ck_run *r)
{
    if (r->o.nroots == 0) return s_usage("checkpoint ls needs a ROOT");
    char err[600];
    urestore_client *c = ur_ck_client(r, err, sizeof(err));
    if (!c) return s_cmd_error(r, err);
    int rc = 0;
    struct ur_cli_buf out = {0};
    for (size_t i = 0; i < r->o.nroots; i++) {
        char *bucket, *prefix, *file;
        if (s_location(r->o.roots[i], &bucket, &prefix, &file, err, sizeof(err)) < 0) {
            rc = s_cmd_error(r, err);
            continue;
        }
        struct ur_ck_found f = {0};
        urestore_status st = URESTORE_OK;
        if (file) {
            f.mds = calloc(1, sizeof(*f.mds));
            if (f.mds) f.mds[0].key = file, f.nmds = 1;
        } else {
            ur_ck_progress(r, "listing", NULL);
            st = ur_ck_scan(c, bucket, prefix, &f, &r->listed, err, sizeof(err));
        }
        if (st != URESTORE_OK) {
            char m[1200];
            snprintf(m, sizeof(m), "s3://%s/%s: %s", bucket, prefix, err);
            rc = s_cmd_error(r, m);
        }
        for (size_t k = 0; st == URESTORE_OK && k < f.nmds; k++) {
            uint8_t *data = NULL;
            size_t len = 0;
            char *uri = NULL;
            if (asprintf(&uri, "s3://%s/%s", bucket, f.mds[k].key) < 0) break;
            ur_ck_progress(r, "reading", uri);
            struct ur_flink_metadata md;
            struct ur_flink_error fe;
            struct ur_ck_files cnt;
            char m[1200];
            if (ur_ck_read(c, bucket, f.mds[k].key, UR_CK_METADATA_MAX, &data, &len, err, sizeof(err)) !=
                URESTORE_OK) {
                snprintf(m, sizeof(m), "%s: %s", uri, err);
                rc = s_cmd_error(r, m);
            } else if (ur_ck_fmt_files(NULL, false, uri, data, len, &md, &cnt, &fe) < 0) {
                snprintf(m, sizeof(m), "%s: %s", uri, fe.msg);
                rc = s_cmd_error(r, m);
            } else {
                strrchr(uri, '/')[1] = '\0';
                ur_ck_progress(r, NULL, NULL);
                ur_ck_fmt_ls(&out, r->o.json, uri, &md, ur_ck_snapshot_type(&md, f.mds[k].key), &cnt);
                s_out(&out);
            }
            free(data);
            free(uri);
        }
        for (size_t k = 0; k < f.ndirs; k++) {
            if (f.dirs[k].has_metadata) continue;
            char *uri = NULL;
            if (asprintf(&uri, "s3://%s/%s", bucket, f.dirs[k].prefix) < 0) break;
            ur_ck_progress(r, NULL, NULL);
            ur_ck_fmt_ls_missing(&out, r->o.json, uri, f.dirs[k].objects, f.dirs[k].bytes);
            s_out(&out);
            free(uri);
        }
        ur_ck_found_free(&f);
        free(bucket);
        free(prefix);
    }
    ur_ck_progress(r, NULL, NULL);
    ur_cli_buf_free(&out);
    urestore_client_destroy(c);
    return rc;
}

/* ---- checkpoint gc: collecting the roots ---- */

/* Adds the root s3://bucket/prefix, and with an entropy key every expansion of its entropy component. */
static int s_add_root(struct ur_ck_run *r, urestore_client *c, const char *bucket, const char *prefix,
                      char *err, size_t errlen)
{
    const char *ek = r->o.entropy_key;
    if (!ek) return ur_ck_root_add(r, bucket, prefix, -1);
    /* Find the component equal to the key. */
    size_t el = strlen(ek);
    const char *p = prefix, *hit = NULL;
    while (*p) {
        const char *sl = strchr(p, '/');
        if (!sl) break;
        if ((size_t)(sl - p) == el && !memcmp(p, ek, el)) {
            hit = p;
            break;
        }
        p = sl + 1;
    }
    if (!hit) {
        snprintf(err, errlen, "s3://%s/%s has no path component \"%s\" (--entropy-key)", bucket, prefix, ek);
        return -EINVAL;
    }
    char *before = strndup(prefix, (size_t)(hit - prefix)), *md_root = NULL;
    const char *after = hit + el + 1;
    if (!before || asprintf(&md_root, "%s%s", before, after) < 0) {
        free(before);
        return -ENOMEM;
    }
    int group = (int)r->nroots;
    int rc = ur_ck_root_add(r, bucket, md_root, group);
    free(md_root);
    char **comps = NULL;
    size_t n = 0;
    urestore_status st = rc ? URESTORE_OK : ur_ck_components(c, bucket, before, &comps, &n, err, errlen);
    if (st != URESTORE_OK) rc = -EIO;
    for (size_t i = 0; i < n; i++) {
        char *data_root = NULL;
        if (!rc && asprintf(&data_root, "%s%s/%s", before, comps[i], after) >= 0) {
            rc = ur_ck_root_add(r, bucket, data_root, group);
            free(data_root);
        }
        free(comps[i]);
    }
    free(comps);
    free(before);
    return rc;
}

static int s_gc(struct ur_ck_run *r)
{
    if (r->o.nroots == 0)
        return s_usage("checkpoint gc needs a ROOT (a checkpoint directory or a "
                       "job directory)");
    char err[600];
    urestore_client *c = ur_ck_client(r, err, sizeof(err));
    if (!c) return s_cmd_error(r, err);
    struct ur_gc_opts go = {.now_s = time(NULL), .min_age_s = r->o.min_age_s, .allow = r->o.allow};
    r->gc = ur_gc_new(&go);
    int rc = r->gc ? 0 : s_cmd_error(r, "out of memory");
    if (!rc && (rc = ur_gc_spill_open(r->gc)) < 0) { /* before any listing, not after it */
        snprintf(err, sizeof(err),
                 "cannot create a temporary file for the candidates in %s: %s (set TMPDIR to a writable "
                 "directory); nothing was deleted",
                 ur_gc_spill_dir(r->gc), strerror(-rc));
        rc = s_cmd_error(r, err);
    }
    for (size_t i = 0; !rc && i < r->o.nroots; i++) {
        char *bucket, *prefix;
        if (s_location(r->o.roots[i], &bucket, &prefix, NULL, err, sizeof(err)) < 0) {
            rc = s_cmd_error(r, err);
            break;
        }
        const char *last = prefix[0] ? prefix + strlen(prefix) - 1 : prefix;
        while (last > prefix && last[-1] != '/')
            last--;
        uint64_t id;
        if (prefix[0] && ur_flink_chk_id(last, strlen(last) - 1, &id) == 0) {
            rc = s_cmd_error(r, "a ROOT is a checkpoint base directory or a job "
                                "directory, not one chk-N");
        } else if (s_add_root(r, c, bucket, prefix, err, sizeof(err)) < 0) {
            rc = s_cmd_error(r, err[0] ? err : "out of memory");
        }
        free(bucket);
        free(prefix);
    }
    for (size_t i = 0; !rc && i < r->o.nprotect; i++) {
        char *bucket, *prefix, *file;
        if (s_location(r->o.protect[i], &bucket, &prefix, &file, err, sizeof(err)) < 0) {
            rc = s_cmd_error(r, err);
            break;
        }
        if (ur_ck_protect_add(r, bucket, prefix, file) < 0) rc = s_cmd_error(r, "out of memory");
        free(bucket);
        free(prefix);
        free(file);
    }
    if (!rc) rc = ur_ck_gc_run(r, c);
    urestore_client_destroy(c);
    return rc;
}

/* ---- entry ---- */

int ur_cli_checkpoint(const struct ur_cli_global *g, char **args, int nargs, ur_cli_client_fn client_new)
{
    const char *sub = nargs >= 2 ? args[1] : NULL;
    if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
        struct ur_cli_buf b = {0};
        ur_cli_buf_puts(&b, ur_cli_usage_checkpoint);
        (void)ur_cli_emit(sub ? STDOUT_FILENO : STDERR_FILENO, &b);
        ur_cli_buf_free(&b);
        return sub ? 0 : 1;
    }
    struct ur_ck_run r;
    memset(&r, 0, sizeof(r));
    r.g = g;
    r.client_new = client_new;
    snprintf(r.what, sizeof(r.what), "checkpoint %s", sub);
    int prc = s_parse(&r.o, args + 2, nargs - 2);
    int rc;
    if (prc == 2) {
        struct ur_cli_buf b = {0};
        ur_cli_buf_puts(&b, ur_cli_usage_checkpoint);
        (void)ur_cli_emit(STDOUT_FILENO, &b);
        ur_cli_buf_free(&b);
        rc = 0;
    } else if (prc) {
        rc = prc;
    } else {
        r.o.json |= g->json;
        if (g->dry_run) r.o.delete_ = false; /* the global --dry-run wins over --delete */
        ur_ck_progress_start(&r);
        if (!strcmp(sub, "ls"))
            rc = s_ls(&r);
        else if (!strcmp(sub, "files"))
            rc = s_files(&r);
        else if (!strcmp(sub, "gc"))
            rc = s_gc(&r);
        else
            rc = s_usage("checkpoint: unknown subcommand (ls, files or gc)");
        ur_ck_progress_stop(&r);
    }
    ur_ck_run_free(&r);
    return rc;
}
