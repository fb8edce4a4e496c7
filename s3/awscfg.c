/* s3/awscfg.c — the AWS shared config and credentials files: an INI dialect parsed as the SDKs parse it
 * (see awscfg.h for the rules), kept as a flat list of entries searched from the end so that later lines
 * win. Files are a few KiB: linear search is the simple and fast enough choice. Messages name files and
 * lines, never values (a value may be a secret key). */
#include "s3/awscfg.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

enum { S_IGNORED, S_PROFILE, S_SERVICES };

struct s_entry {
    unsigned char file; /* enum ur_awscfg_file */
    unsigned char kind; /* S_PROFILE or S_SERVICES */
    bool bare_default;  /* "[default]" in the config file: loses to "[profile default]" */
    char *section;      /* the profile's or the services section's name */
    char *key;          /* NULL: the entry only records that the section exists */
    char *sub;          /* a sub-property's name; NULL for a top-level property */
    char *value;
};

struct ur_awscfg {
    struct s_entry *e;
    size_t n, cap;
    bool profile_default; /* the config file has "[profile default]" */
    char name[2][256];    /* the files' names, for messages */
};

const char *ur_awscfg_process_env(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

const char *ur_awscfg_table_env(void *ctx, const char *name)
{
    for (const char *const(*kv)[2] = ctx; kv && (*kv)[0]; kv++)
        if (strcmp((*kv)[0], name) == 0) return (*kv)[1];
    return NULL;
}

struct ur_awscfg *ur_awscfg_new(void)
{
    return calloc(1, sizeof(struct ur_awscfg));
}

static void s_drop(struct ur_awscfg *cfg, size_t keep)
{
    while (cfg->n > keep) {
        struct s_entry *e = &cfg->e[--cfg->n];
        if (e->value) OPENSSL_cleanse(e->value, strlen(e->value));
        free(e->section);
        free(e->key);
        free(e->sub);
        free(e->value);
    }
}

void ur_awscfg_free(struct ur_awscfg *cfg)
{
    if (!cfg) return;
    s_drop(cfg, 0);
    free(cfg->e);
    free(cfg);
}

static char *s_dup(const char *s, size_t n, bool lower)
{
    char *d = malloc(n + 1);
    if (!d) return NULL;
    for (size_t i = 0; i < n; i++)
        d[i] = lower ? (char)tolower((unsigned char)s[i]) : s[i];
    d[n] = '\0';
    return d;
}

static bool s_ws(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims blanks (and a CR) at both ends of s[0..*n); returns the new start. */
static const char *s_trim(const char *s, size_t *n)
{
    while (*n && s_ws(*s)) {
        s++;
        (*n)--;
    }
    while (*n && (s_ws(s[*n - 1]) || s[*n - 1] == '\r'))
        (*n)--;
    return s;
}

/* Cuts a comment: '#' or ';' anywhere (need_ws false) or only after a blank (need_ws true). */
static size_t s_uncomment(const char *s, size_t n, bool need_ws)
{
    for (size_t i = 0; i < n; i++)
        if ((s[i] == '#' || s[i] == ';') && (!need_ws || (i > 0 && s_ws(s[i - 1])))) return i;
    return n;
}

static bool s_name_ok(const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("_-/.%@:+", s[i])) return false;
    return true;
}

static int s_add(struct ur_awscfg *cfg, const struct s_entry *proto, const char *key, size_t kn,
                 const char *sub, size_t sn, const char *val, size_t vn)
{
    if (cfg->n == cfg->cap) {
        size_t cap = cfg->cap ? cfg->cap * 2 : 32;
        struct s_entry *e = realloc(cfg->e, cap * sizeof(*e));
        if (!e) return -ENOMEM;
        cfg->e = e;
        cfg->cap = cap;
    }
    struct s_entry *e = &cfg->e[cfg->n];
    *e = *proto;
    e->section = s_dup(proto->section, strlen(proto->section), false);
    e->key = key ? s_dup(key, kn, true) : NULL;
    e->sub = sub ? s_dup(sub, sn, true) : NULL;
    e->value = val ? s_dup(val, vn, false) : NULL;
    cfg->n++; /* counted even when a copy failed, so that s_drop frees what was made */
    if (!e->section || (key && !e->key) || (sub && !e->sub) || (val && !e->value)) return -ENOMEM;
    return 0;
}

/* Splits "name = value" (comment already allowed after a blank); -EINVAL when no '=' or no name. */
static int s_split(const char *s, size_t n, const char **k, size_t *kn, const char **v, size_t *vn)
{
    n = s_uncomment(s, n, true);
    const char *eq = memchr(s, '=', n);
    if (!eq) return -EINVAL;
    *kn = (size_t)(eq - s);
    *k = s_trim(s, kn);
    *vn = n - (size_t)(eq + 1 - s);
    *v = s_trim(eq + 1, vn);
    return *kn ? 0 : -ENODATA;
}

/* Classifies a header's name: the kind of section and the profile or services name inside it. */
static int s_section(enum ur_awscfg_file kind, const char *s, size_t n, const char **name, size_t *nn,
                     bool *bare_default)
{
    *bare_default = false;
    if (kind == UR_AWSCFG_CREDENTIALS) {
        *name = s;
        *nn = n;
        return s_name_ok(s, n) ? S_PROFILE : S_IGNORED;
    }
    static const struct {
        const char *prefix;
        int kind;
    } pre[] = {{"profile", S_PROFILE}, {"services", S_SERVICES}};
    for (size_t i = 0; i < 2; i++) {
        size_t pl = strlen(pre[i].prefix);
        if (n > pl && memcmp(s, pre[i].prefix, pl) == 0 && s_ws(s[pl])) {
            *nn = n - pl;
            *name = s_trim(s + pl, nn);
            return s_name_ok(*name, *nn) ? pre[i].kind : S_IGNORED;
        }
    }
    *name = s;
    *nn = n;
    if (n == 7 && memcmp(s, "default", 7) == 0) {
        *bare_default = true;
        return S_PROFILE;
    }
    return S_IGNORED; /* "sso-session NAME" and unknown sections: not ours to read */
}

static int s_fail(char *err, size_t errlen, int rc, const char *name, size_t line, const char *why)
{
    if (err && errlen) snprintf(err, errlen, "%s line %zu: %s", name, line, why);
    return rc;
}

int ur_awscfg_parse(struct ur_awscfg *cfg, enum ur_awscfg_file kind, const char *text, size_t n,
                    const char *name, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!name) name = kind == UR_AWSCFG_CONFIG ? "config file" : "credentials file";
    snprintf(cfg->name[kind], sizeof(cfg->name[kind]), "%s", name);
    if (n > UR_AWSCFG_MAX_FILE_BYTES) {
        if (err && errlen)
            snprintf(err, errlen, "%s is larger than %d bytes", name, UR_AWSCFG_MAX_FILE_BYTES);
        return -EFBIG;
    }
    if (memchr(text, '\0', n)) return s_fail(err, errlen, -EINVAL, name, 1, "not a text file (NUL byte)");

    size_t keep = cfg->n, lineno = 0;
    bool in_section = false, profile_default = false;
    struct s_entry cur = {.file = (unsigned char)kind};
    char secname[256] = "";
    cur.section = secname;
    int sect_kind = S_IGNORED;
    ssize_t prop = -1;        /* index of the property continuation lines belong to; -1: none */
    bool prop_nested = false; /* that property's value was empty: indented lines are sub-properties */
    bool have_prop = false;
    int rc = 0;
    for (size_t off = 0; off < n && rc == 0;) {
        const char *line = text + off;
        const char *nl = memchr(line, '\n', n - off);
        size_t len = nl ? (size_t)(nl - line) : n - off;
        off += len + 1;
        lineno++;
        size_t tn = len;
        const char *t = s_trim(line, &tn);
        if (tn == 0 || *t == '#' || *t == ';') continue;

        if (s_ws(line[0]) && have_prop) { /* a continuation of the property above */
            if (prop_nested) {
                const char *k, *v;
                size_t kn, vn;
                int r = s_split(t, tn, &k, &kn, &v, &vn);
                if (r == -EINVAL)
                    rc = s_fail(err, errlen, -EINVAL, name, lineno, "expected '=' in a sub-property");
                else if (r)
                    rc = s_fail(err, errlen, -EINVAL, name, lineno, "a sub-property has no name");
                else if (sect_kind != S_IGNORED) {
                    char *pk = strdup(cfg->e[prop].key); /* s_add may move the entries */
                    rc = pk ? s_add(cfg, &cur, pk, strlen(pk), k, kn, v, vn) : -ENOMEM;
                    free(pk);
                }
            } else if (prop >= 0) {
                size_t cn = s_uncomment(t, tn, true);
                (void)s_trim(t, &cn); /* t starts with no blank: this only trims the end */
                char **val = &cfg->e[prop].value;
                size_t old = strlen(*val);
                char *nv = realloc(*val, old + 1 + cn + 1);
                if (!nv) {
                    rc = -ENOMEM;
                    break;
                }
                nv[old] = '\n';
                memcpy(nv + old + 1, t, cn);
                nv[old + 1 + cn] = '\0';
                *val = nv;
            }
            continue;
        }

        if (*t == '[') {
            size_t hn = s_uncomment(t, tn, false);
            t = s_trim(t, &hn);
            if (hn < 2 || t[hn - 1] != ']') {
                rc = s_fail(err, errlen, -EINVAL, name, lineno, "a section header must end with ']'");
                break;
            }
            size_t inner_n = hn - 2;
            const char *inner = s_trim(t + 1, &inner_n), *sn;
            size_t snn;
            bool bare;
            sect_kind = s_section(kind, inner, inner_n, &sn, &snn, &bare);
            if (snn >= sizeof(secname)) sect_kind = S_IGNORED;
            in_section = true;
            have_prop = false;
            prop = -1;
            if (sect_kind == S_IGNORED) continue;
            memcpy(secname, sn, snn);
            secname[snn] = '\0';
            cur.kind = (unsigned char)sect_kind;
            cur.bare_default = bare;
            if (kind == UR_AWSCFG_CONFIG && sect_kind == S_PROFILE && !bare &&
                strcmp(secname, "default") == 0)
                profile_default = true;
            rc = s_add(cfg, &cur, NULL, 0, NULL, 0, NULL, 0);
            continue;
        }

        if (!in_section) {
            rc = s_fail(err, errlen, -EINVAL, name, lineno, "a property before any [section]");
            break;
        }
        const char *k, *v;
        size_t kn, vn;
        int r = s_split(t, tn, &k, &kn, &v, &vn);
        if (r) {
            rc = s_fail(err, errlen, -EINVAL, name, lineno,
                        r == -EINVAL ? "expected '=' in a property" : "a property has no name");
            break;
        }
        have_prop = true;
        prop_nested = vn == 0;
        prop = -1;
        if (sect_kind == S_IGNORED) continue;
        rc = s_add(cfg, &cur, k, kn, NULL, 0, v, vn);
        prop = (ssize_t)cfg->n - 1;
    }
    if (rc == -ENOMEM && err && errlen) snprintf(err, errlen, "%s: out of memory", name);
    if (rc) {
        s_drop(cfg, keep);
        return rc;
    }
    cfg->profile_default |= profile_default;
    return 0;
}

/* Whether e belongs to profile (a profile section that is not shadowed). */
static bool s_in_profile(const struct ur_awscfg *cfg, const struct s_entry *e, const char *profile)
{
    if (e->kind != S_PROFILE || strcmp(e->section, profile) != 0) return false;
    return !(e->bare_default && cfg->profile_default);
}

/* The last entry of section (kind) with key and sub, the credentials file first. */
static const char *s_find(const struct ur_awscfg *cfg, int kind, const char *section, const char *key,
                          const char *sub)
{
    if (!cfg) return NULL;
    for (int file = UR_AWSCFG_CREDENTIALS; file >= UR_AWSCFG_CONFIG; file--) {
        for (size_t i = cfg->n; i-- > 0;) {
            const struct s_entry *e = &cfg->e[i];
            if (e->file != file || !e->key || strcasecmp(e->key, key) != 0) continue;
            if (kind == S_PROFILE ? !s_in_profile(cfg, e, section)
                                  : e->kind != kind || strcmp(e->section, section) != 0)
                continue;
            if ((sub == NULL) != (e->sub == NULL) || (sub && strcasecmp(e->sub, sub) != 0)) continue;
            return e->value;
        }
    }
    return NULL;
}

const char *ur_awscfg_get(const struct ur_awscfg *cfg, const char *profile, const char *key)
{
    return s_find(cfg, S_PROFILE, profile, key, NULL);
}

const char *ur_awscfg_get_sub(const struct ur_awscfg *cfg, const char *profile, const char *key,
                              const char *sub)
{
    return s_find(cfg, S_PROFILE, profile, key, sub);
}

const char *ur_awscfg_service(const struct ur_awscfg *cfg, const char *services, const char *service,
                              const char *key)
{
    return s_find(cfg, S_SERVICES, services, service, key);
}

static bool s_has_in(const struct ur_awscfg *cfg, const char *profile, int file)
{
    for (size_t i = 0; cfg && i < cfg->n; i++)
        if ((file < 0 || cfg->e[i].file == file) && s_in_profile(cfg, &cfg->e[i], profile)) return true;
    return false;
}

bool ur_awscfg_has_profile(const struct ur_awscfg *cfg, const char *profile)
{
    return s_has_in(cfg, profile, -1);
}

void ur_awscfg_where(const struct ur_awscfg *cfg, const char *profile, char *out, size_t cap)
{
    bool c = s_has_in(cfg, profile, UR_AWSCFG_CONFIG), k = s_has_in(cfg, profile, UR_AWSCFG_CREDENTIALS);
    snprintf(out, cap, "%s%s%s", c ? cfg->name[0] : "", c && k ? " and " : "", k ? cfg->name[1] : "");
}

const char *ur_awscfg_profile_name(const char *opt, ur_getenv_fn env, void *ctx)
{
    if (opt && *opt) return opt;
    const char *p = env(ctx, "AWS_PROFILE");
    return p && *p ? p : "default";
}

static int s_path(ur_getenv_fn env, void *ctx, const char *var, const char *dflt, char *out, size_t cap)
{
    const char *v = env(ctx, var), *home = env(ctx, "HOME");
    int n;
    out[0] = '\0';
    if (v && *v && strncmp(v, "~/", 2) != 0)
        n = snprintf(out, cap, "%s", v);
    else if (!home || !*home)
        return -ENOENT;
    else
        n = snprintf(out, cap, "%s/%s", home, v && *v ? v + 2 : dflt);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return -ENAMETOOLONG;
    }
    return 0;
}

int ur_awscfg_paths(ur_getenv_fn env, void *ctx, char *config, size_t config_cap, char *creds,
                    size_t creds_cap)
{
    int a = s_path(env, ctx, "AWS_CONFIG_FILE", ".aws/config", config, config_cap);
    int b = s_path(env, ctx, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", creds, creds_cap);
    return a ? a : b;
}

/* Reads path whole into a new buffer (*n bytes); -ENOENT when it does not exist. */
static int s_read(const char *path, char **buf, size_t *n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    size_t cap = UR_AWSCFG_MAX_FILE_BYTES + 1, len = 0;
    char *b = malloc(cap);
    int rc = b ? 0 : -ENOMEM;
    while (rc == 0 && len < cap) {
        ssize_t r = read(fd, b + len, cap - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) rc = -errno;
        if (r <= 0) break;
        len += (size_t)r;
    }
    close(fd);
    if (rc) {
        free(b);
        return rc;
    }
    *buf = b;
    *n = len;
    return 0;
}

int ur_awscfg_load(struct ur_awscfg *cfg, ur_getenv_fn env, void *ctx, char *err, size_t errlen)
{
    char path[2][4096];
    if (err && errlen) err[0] = '\0';
    int rc = ur_awscfg_paths(env, ctx, path[0], sizeof(path[0]), path[1], sizeof(path[1]));
    if (rc == -ENAMETOOLONG) {
        if (err && errlen) snprintf(err, errlen, "shared config or credentials file path is too long");
        return rc;
    }
    for (int k = UR_AWSCFG_CONFIG; k <= UR_AWSCFG_CREDENTIALS; k++) {
        if (!path[k][0]) continue;
        char *buf = NULL;
        size_t n = 0;
        rc = s_read(path[k], &buf, &n);
        if (rc == -ENOENT || rc == -ENOTDIR) continue;
        if (rc) {
            if (err && errlen) snprintf(err, errlen, "cannot read %s: %s", path[k], strerror(-rc));
            return rc;
        }
        rc = ur_awscfg_parse(cfg, (enum ur_awscfg_file)k, buf, n, path[k], err, errlen);
        OPENSSL_cleanse(buf, n);
        free(buf);
        if (rc) return rc;
    }
    return 0;
}
