/* cli/runline.c — s5cmd command lines: word splitting (go-shellquote's rules), `cp` flags and
 * arguments, and the destination file name s5cmd would pick. No I/O: the caller stats the destination. */
#include "cli/runline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/flag.h"
#include "cli/glob.h"

#define MIB (1024ull * 1024ull)

static bool s_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n'; /* go-shellquote's split characters */
}

static bool s_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void ur_cli_trim(const char **s, size_t *len)
{
    while (*len && s_is_space(**s))
        (*s)++, (*len)--;
    while (*len && s_is_space((*s)[*len - 1]))
        (*len)--;
}

bool ur_cli_line_is_skipped(const char *line, size_t len)
{
    ur_cli_trim(&line, &len);
    return len == 0 || line[0] == '#';
}

void ur_cli_words_free(struct ur_cli_words *w)
{
    free(w->v);
    free(w->buf);
    memset(w, 0, sizeof(*w));
}

/* Reads one word starting at line[*i] into out[*o], NUL-terminated. The messages are go-shellquote's. */
static int s_split_word(const char *line, size_t len, size_t *i, char *out, size_t *o, const char **why)
{
    size_t r = *i, w = *o;
    while (r < len && !s_is_blank(line[r])) {
        char c = line[r];
        if (c == '\'') {
            const char *q = memchr(line + r + 1, '\'', len - r - 1);
            if (!q) return *why = "Unterminated single-quoted string", -EINVAL;
            size_t n = (size_t)(q - (line + r + 1));
            memcpy(out + w, line + r + 1, n);
            w += n;
            r += n + 2;
        } else if (c == '"') {
            for (r++;; r++) {
                if (r >= len) return *why = "Unterminated double-quoted string", -EINVAL;
                if (line[r] == '"') {
                    r++;
                    break;
                }
                /* Inside "…" a backslash escapes only $ ` " \ and newline (an escaped newline vanishes). */
                if (line[r] == '\\' && r + 1 < len && strchr("$`\"\\\n", line[r + 1])) {
                    r++;
                    if (line[r] != '\n') out[w++] = line[r];
                    continue;
                }
                out[w++] = line[r];
            }
        } else if (c == '\\') {
            if (++r >= len) return *why = "Unterminated backslash-escape", -EINVAL;
            if (line[r] != '\n') out[w++] = line[r];
            r++;
        } else {
            out[w++] = c;
            r++;
        }
    }
    out[w++] = '\0';
    *i = r;
    *o = w;
    return 0;
}

int ur_cli_split_words(const char *line, size_t len, struct ur_cli_words *w, const char **why)
{
    memset(w, 0, sizeof(*w));
    if (memchr(line, '\0', len)) return *why = "line contains a NUL byte", -EINVAL;
    /* Every word but an empty quoted one ('' or "") eats at least one byte plus a separator, and the
     * output never grows past the input plus one NUL per word. */
    size_t maxw = len / 2 + 2;
    w->v = malloc(maxw * sizeof(*w->v));
    w->buf = malloc(len + maxw + 1);
    if (!w->v || !w->buf) {
        ur_cli_words_free(w);
        return *why = "out of memory", -ENOMEM;
    }
    size_t i = 0, o = 0;
    while (i < len) {
        if (s_is_blank(line[i])) {
            i++;
            continue;
        }
        if (line[i] == '\\' && i + 1 < len && line[i + 1] == '\n') { /* a line continuation */
            i += 2;
            continue;
        }
        size_t start = o;
        int rc = s_split_word(line, len, &i, w->buf, &o, why);
        if (rc) {
            ur_cli_words_free(w);
            return rc;
        }
        w->v[w->n++] = w->buf + start;
    }
    return 0;
}

enum s_loc { S_LOCAL, S_REMOTE, S_BAD_SCHEME };

/* Classifies a cp argument as s5cmd's url.New does: anything with "://" is a URL. For an S3 URL, *bucket
 * and *blen give the bucket and *key the rest (after the first '/' that follows the bucket). */
static enum s_loc s_classify(const char *s, const char **bucket, size_t *blen, const char **key)
{
    const char *sep = strstr(s, "://");
    if (!sep) return S_LOCAL;
    size_t sl = (size_t)(sep - s);
    if (!((sl == 2 && !memcmp(s, "s3", 2)) || (sl == 3 && (!memcmp(s, "s3a", 3) || !memcmp(s, "s3p", 3)))))
        return S_BAD_SCHEME;
    *bucket = sep + 3;
    const char *slash = strchr(*bucket, '/');
    *blen = slash ? (size_t)(slash - *bucket) : strlen(*bucket);
    *key = slash ? slash + 1 : *bucket + *blen;
    return S_REMOTE;
}

static bool s_has_glob(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (s[k] == '*' || s[k] == '?') return true;
    return false;
}

#define S_FAIL(code, ...) (snprintf(err, errlen, __VA_ARGS__), (code))

int ur_cli_parse_cp(char *const *words, size_t n, struct ur_cli_cp *cp, char *err, size_t errlen)
{
    memset(cp, 0, sizeof(*cp));
    long long part_mib = 0;
    const struct ur_cli_flag spec[] = {
        {"no-clobber", "n", UR_CLI_FLAG_BOOL, &cp->no_clobber, NULL},
        {"if-size-differ", "s", UR_CLI_FLAG_BOOL, &cp->if_size_differ, NULL},
        {"if-source-newer", "u", UR_CLI_FLAG_BOOL, &cp->if_source_newer, NULL},
        {"flatten", "f", UR_CLI_FLAG_BOOL, &cp->flatten, NULL},
        {"raw", NULL, UR_CLI_FLAG_BOOL, &cp->raw, NULL},
        {"resume", NULL, UR_CLI_FLAG_BOOL, &cp->resume, NULL},
        {"no-preserve-timestamps", NULL, UR_CLI_FLAG_BOOL, &cp->no_mtime, NULL},
        {"exclude", NULL, UR_CLI_FLAG_LIST, &cp->exclude, NULL},
        {"include", NULL, UR_CLI_FLAG_LIST, &cp->include, NULL},
        {"concurrency", "c", UR_CLI_FLAG_INT, &cp->concurrency, NULL},
        {"part-size", "p", UR_CLI_FLAG_INT, &part_mib, NULL},
        {"help", "h", UR_CLI_FLAG_BOOL, &cp->help, NULL},
    };
    size_t i = 1; /* words[0] is "cp" */
    int rc = ur_cli_flags_parse(spec, sizeof(spec) / sizeof(spec[0]), words, n, &i, err, errlen);
    if (rc) return rc;
    if (cp->help) return 0;
    if (part_mib < 0 || part_mib > (1ll << 40))
        return S_FAIL(-EINVAL, "invalid value \"%lld\" for flag -part-size: must be between 0 and %lld MiB",
                      part_mib, 1ll << 40);
    cp->part_size_bytes = (uint64_t)part_mib * MIB;
    if (n - i != 2) return S_FAIL(-EINVAL, "expected source and destination arguments");
    cp->src = words[i];
    cp->dst = words[i + 1];

    const char *bucket = NULL, *key = NULL, *dbucket, *dkey;
    size_t blen = 0, dblen;
    enum s_loc src = s_classify(cp->src, &bucket, &blen, &key);
    enum s_loc dst = s_classify(cp->dst, &dbucket, &dblen, &dkey);
    if (src == S_BAD_SCHEME || dst == S_BAD_SCHEME)
        return S_FAIL(-EINVAL, "unsupported URL scheme in %s: use s3://, s3a:// or s3p://",
                      src == S_BAD_SCHEME ? "source" : "destination");
    if (src == S_REMOTE && blen == 0) return S_FAIL(-EINVAL, "s3 url should have a bucket");
    if (src == S_REMOTE && s_has_glob(bucket, blen))
        return S_FAIL(-EINVAL, "bucket name cannot contain wildcards");
    if (cp->dst[0] == '\0') return S_FAIL(-EINVAL, "destination is empty");
    if (dst == S_LOCAL && !cp->raw && s_has_glob(cp->dst, strlen(cp->dst)))
        return S_FAIL(-EINVAL, "target \"%s\" can not contain glob characters", cp->dst);
    if (src == S_REMOTE && dst == S_REMOTE)
        return S_FAIL(-ENOTSUP, "S3 to S3 copies are not supported by urestore (it only downloads)");
    if (src == S_LOCAL && dst == S_REMOTE)
        return S_FAIL(-ENOTSUP, "uploads are not supported by urestore (it only downloads)");
    if (src == S_LOCAL) return S_FAIL(-EINVAL, "local->local copy operations are not permitted");
    cp->src_key = key;
    cp->wildcard = !cp->raw && s_has_glob(key, strlen(key));
    /* s5cmd refuses such a source ("source argument must contain wildcard character"); urestore copies
     * every object under it, laid out as s5cmd lays out PREFIX* (and aws s3 cp --recursive PREFIX). */
    cp->prefix = !cp->wildcard && (key[0] == '\0' || key[strlen(key) - 1] == '/');
    const struct ur_cli_strs *pats[2] = {&cp->exclude, &cp->include};
    for (int k = 0; k < 2; k++)
        for (size_t j = 0; j < pats[k]->n; j++)
            if (!ur_cli_glob_valid(pats[k]->v[j]))
                return S_FAIL(-EINVAL, "--%s pattern \"%s\" is not valid UTF-8", k ? "include" : "exclude",
                              pats[k]->v[j]);
    return 0;
}

/* s5cmd's other commands: named so that a line using one says "not supported", not "not found". */
static const char *const s_s5cmd_commands[] = {
    "ls",   "rm",   "mv",   "mb",      "rb",      "select",         "du",   "cat", "pipe",
    "sync", "head", "sign", "presign", "version", "bucket-version", "help", "get",
};

int ur_cli_parse_line(const char *line, size_t len, struct ur_cli_words *w, struct ur_cli_cp *cp, char *err,
                      size_t errlen)
{
    const char *why = NULL;
    int rc = ur_cli_split_words(line, len, w, &why);
    if (rc) return S_FAIL(rc, "%s", why);
    if (w->n == 0) {
        ur_cli_words_free(w);
        return S_FAIL(-EINVAL, "empty command");
    }
    const char *cmd = w->v[0];
    if (!strcmp(cmd, "cp")) {
        rc = ur_cli_parse_cp(w->v, w->n, cp, err, errlen);
        if (!rc && cp->help) rc = S_FAIL(-EINVAL, "help is not a command: use \"urestore cp --help\"");
        if (rc) ur_cli_words_free(w);
        return rc;
    }
    rc = -EINVAL;
    if (!strcmp(cmd, "run")) {
        snprintf(err, errlen, "\"run\" command is not permitted in run-mode");
    } else {
        snprintf(err, errlen, "\"%.64s\" command not found", cmd);
        for (size_t k = 0; k < sizeof(s_s5cmd_commands) / sizeof(s_s5cmd_commands[0]); k++) {
            if (!strcmp(cmd, s_s5cmd_commands[k])) {
                snprintf(err, errlen, "\"%s\" command is not supported by urestore (only \"cp\" is)", cmd);
                rc = -ENOTSUP;
            }
        }
    }
    ur_cli_words_free(w);
    return rc;
}

void ur_cli_path_clean(char *p)
{
    size_t n = strlen(p), r = 0, w = 0, dotdot = 0;
    bool rooted = n && p[0] == '/';
    if (rooted) r = w = dotdot = 1; /* p[0] is already '/' */
    while (r < n) {
        if (p[r] == '/') {
            r++;
        } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            r++;
        } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                w--;
                while (w > dotdot && p[w] != '/')
                    w--;
            } else if (!rooted) {
                if (w > 0) p[w++] = '/';
                p[w++] = '.';
                p[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0)) p[w++] = '/';
            while (r < n && p[r] != '/')
                p[w++] = p[r++];
        }
    }
    if (w == 0) p[w++] = '.';
    p[w] = '\0';
}

char *ur_cli_dest_path(const char *dst, const char *key, bool dst_is_dir, const char **why)
{
    size_t dl = strlen(dst);
    if (!dst_is_dir && !(dl && dst[dl - 1] == '/')) {
        char *s = strdup(dst);
        if (!s) *why = "out of memory";
        return s;
    }
    /* Go's path.Base of the key: its last element, trailing slashes ignored. */
    size_t kl = strlen(key);
    while (kl > 1 && key[kl - 1] == '/')
        kl--;
    size_t b = kl;
    while (b && key[b - 1] != '/')
        b--;
    size_t bl = kl - b;
    if (bl == 0 || (bl == 1 && key[b] == '.') || (bl == 2 && key[b] == '.' && key[b + 1] == '.')) {
        *why = "the key's last element is not a file name";
        return NULL;
    }
    char *s = malloc(dl + 1 + bl + 1);
    if (!s) {
        *why = "out of memory";
        return NULL;
    }
    memcpy(s, dst, dl);
    s[dl] = '/';
    memcpy(s + dl + 1, key + b, bl);
    s[dl + 1 + bl] = '\0';
    ur_cli_path_clean(s);
    return s;
}
