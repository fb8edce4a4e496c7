/* cli/glob.c — s5cmd's wildcard matching and destination naming for wildcard sources (see
 * cli_glob.h). No I/O. */
#include "cli/glob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/out.h"
#include "cli/runline.h"

size_t ur_cli_glob_prefix_len(const char *pattern)
{
    return strcspn(pattern, "*?");
}

/* The length of the character at s (a UTF-8 rune, or one invalid byte), as Go's regexp steps. */
static size_t s_rune(const char *s)
{
    uint32_t cp;
    size_t n = ur_cli_utf8_seq((const unsigned char *)s, &cp);
    return n ? n : 1;
}

/* pattern against the whole of key; with dotall, '*' and '?' also take a newline (Go's (?s)). */
static bool s_match(const char *pattern, const char *key, bool dotall)
{
    /* Dynamic programming over key positions: at[j] says pattern[0..i) can match key[0..j). Keys and
     * patterns are at most a few KiB, so one row of bools per step is cheap, and unlike the greedy
     * algorithm it stays right with wildcards that cannot cross a newline. */
    size_t n = strlen(key);
    bool *mem = calloc(2 * (n + 1), sizeof(bool));
    if (!mem) return false;
    bool *at = mem, *next = mem + n + 1;
    at[0] = true;
    for (const char *p = pattern; *p; p++) {
        memset(next, 0, (n + 1) * sizeof(bool));
        for (size_t j = 0; j <= n; j++) {
            if (!at[j]) continue;
            if (*p == '*') {
                /* Any run of characters but a newline: every rune boundary from j to the next newline. A
                 * run already marked from an earlier j covers the rest (the boundaries are the same). */
                if (next[j]) continue;
                next[j] = true;
                for (size_t k = j; k < n && (dotall || key[k] != '\n');) {
                    k += s_rune(key + k);
                    if (k > n || next[k]) break;
                    next[k] = true;
                }
            } else if (*p == '?') {
                size_t k = j < n && (dotall || key[j] != '\n') ? j + s_rune(key + j) : n + 1;
                if (k <= n) next[k] = true;
            } else if (j < n && key[j] == *p) {
                next[j + 1] = true;
            }
        }
        bool *t = at;
        at = next;
        next = t;
    }
    bool ok = at[n];
    free(mem);
    return ok;
}

bool ur_cli_glob_match(const char *pattern, const char *key)
{
    return s_match(pattern, key, false);
}

static bool s_any(const struct ur_cli_strs *pats, const char *rel)
{
    for (size_t i = 0; i < pats->n; i++)
        if (pats->v[i][0] && s_match(pats->v[i], rel, true)) return true; /* s5cmd skips "" */
    return false;
}

bool ur_cli_glob_filtered(const char *src_key, bool wildcard, const char *key, const struct ur_cli_strs *exclude,
                          const struct ur_cli_strs *include)
{
    if (!exclude->n && !include->n) return false;
    /* s5cmd's isURLMatched: TrimPrefix(key, prefix + "/" unless it ends so). */
    size_t pl = wildcard ? ur_cli_glob_prefix_len(src_key) : strlen(src_key);
    bool slash = pl && src_key[pl - 1] == '/';
    const char *rel = key;
    if (!strncmp(key, src_key, pl) && (slash ? true : key[pl] == '/')) rel = key + pl + !slash;
    if (s_any(exclude, rel)) return true;
    return include->n && !s_any(include, rel);
}

bool ur_cli_glob_valid(const char *pattern)
{
    for (const unsigned char *p = (const unsigned char *)pattern; *p;) {
        uint32_t cp;
        size_t n = ur_cli_utf8_seq(p, &cp);
        if (!n && *p >= 0x80) return false;
        p += n ? n : 1;
    }
    return true;
}

static char *s_join(const char *dst, const char *rel, const char **why);

/* True when some '/'-separated element of s[0..n) is "..". */
static bool s_has_dotdot(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && s[e] != '/')
            e++;
        if (e - i == 2 && s[i] == '.' && s[i + 1] == '.') return true;
        i = e + 1;
    }
    return false;
}

char *ur_cli_glob_dest(const char *dst, const char *pattern, const char *key, bool flatten, const char **why)
{
    size_t kl = strlen(key);
    if (kl == 0 || key[kl - 1] == '/') {
        *why = "the key is a directory marker, not a file";
        return NULL;
    }
    const char *rel = key;
    if (flatten) {
        const char *slash = strrchr(key, '/');
        if (slash) rel = slash + 1;
    } else {
        /* s5cmd's parseBatch: cut at the last '/' of the literal prefix. */
        size_t pl = ur_cli_glob_prefix_len(pattern);
        for (size_t i = pl; i > 0; i--)
            if (pattern[i - 1] == '/') {
                if (kl >= i && !memcmp(key, pattern, i)) rel = key + i;
                break;
            }
    }
    return s_join(dst, rel, why);
}

char *ur_cli_prefix_dest(const char *dst, const char *prefix, const char *key, bool flatten, const char **why)
{
    size_t kl = strlen(key), pl = strlen(prefix);
    if (kl == 0 || key[kl - 1] == '/') {
        *why = "the key is a directory marker, not a file";
        return NULL;
    }
    const char *rel = kl >= pl && !memcmp(key, prefix, pl) ? key + pl : key, *slash = strrchr(key, '/');
    if (flatten && slash) rel = slash + 1;
    return s_join(dst, rel, why);
}

/* DST/REL cleaned, or NULL when REL would land outside DST or names nothing (see glob.h). */
static char *s_join(const char *dst, const char *rel, const char **why)
{
    if (rel[0] == '/' || s_has_dotdot(rel, strlen(rel))) {
        *why = "the key would land outside the destination directory";
        return NULL;
    }
    size_t dl = strlen(dst), rl = strlen(rel);
    char *base = malloc(dl + 1), *out = malloc(dl + 1 + rl + 1);
    if (!base || !out) {
        free(base);
        free(out);
        *why = "out of memory";
        return NULL;
    }
    memcpy(base, dst, dl + 1);
    ur_cli_path_clean(base);
    memcpy(out, dst, dl);
    out[dl] = '/';
    memcpy(out + dl + 1, rel, rl + 1);
    ur_cli_path_clean(out);
    bool same = !strcmp(out, base);
    free(base);
    if (same) { /* the key cleaned away to nothing: "dir/." or "dir/a/.." */
        free(out);
        *why = "the key's last element is not a file name";
        return NULL;
    }
    return out;
}
