/* cli/flag.c — Go-style flag parsing for the CLI (see cli_flag.h). No allocation, no I/O. */
#include "cli/flag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct ur_cli_flag *s_find(const struct ur_cli_flag *spec, size_t nspec, const char *name,
                                        size_t len)
{
    for (size_t k = 0; k < nspec; k++) {
        const char *a = spec[k].alias;
        if ((strlen(spec[k].name) == len && !memcmp(spec[k].name, name, len)) ||
            (a && strlen(a) == len && !memcmp(a, name, len)))
            return &spec[k];
    }
    return NULL;
}

/* Go's strconv.ParseBool. */
static int s_parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"1", "t", "T", "true", "TRUE", "True"};
    static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False"};
    for (size_t k = 0; k < 6; k++) {
        if (!strcmp(v, yes[k])) return *out = true, 0;
        if (!strcmp(v, no[k])) return *out = false, 0;
    }
    return -EINVAL;
}

/* Go's strconv.ParseInt(v, 0, 64), without the underscores. Returns 0, -EINVAL or -ERANGE. */
static int s_parse_int(const char *v, long long *out)
{
    const char *d = v + (*v == '+' || *v == '-');
    if (!*d || *d == ' ' || *d == '+' || *d == '-') return -EINVAL; /* strtoll would skip or accept them */
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 0);
    if (*end) return -EINVAL;
    if (errno == ERANGE) return -ERANGE;
    *out = x;
    return 0;
}

int ur_cli_flags_parse(const struct ur_cli_flag *spec, size_t nspec, char *const *words, size_t n, size_t *i,
                       char *err, size_t errlen)
{
    while (*i < n) {
        const char *w = words[*i];
        if (w[0] != '-' || w[1] == '\0') return 0; /* a non-flag word (or "-") ends the flags */
        const char *name = w + 1;
        if (*name == '-') {
            name++;
            if (*name == '\0') { /* "--" ends the flags and is consumed */
                (*i)++;
                return 0;
            }
        }
        if (*name == '-' || *name == '=') {
            snprintf(err, errlen, "bad flag syntax: %s", w);
            return -EINVAL;
        }
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct ur_cli_flag *f = s_find(spec, nspec, name, len);
        if (!f) {
            snprintf(err, errlen, "flag provided but not defined: -%.*s", (int)len, name);
            return -EINVAL;
        }
        (*i)++;
        if (f->kind == UR_CLI_FLAG_BOOL) {
            bool v = true;
            if (eq && s_parse_bool(eq + 1, &v)) {
                snprintf(err, errlen, "invalid boolean value \"%s\" for -%.*s: parse error", eq + 1, (int)len,
                         name);
                return -EINVAL;
            }
            *(bool *)f->out = v;
        } else {
            const char *v = eq ? eq + 1 : NULL;
            if (!v) {
                if (*i >= n) {
                    snprintf(err, errlen, "flag needs an argument: -%.*s", (int)len, name);
                    return -EINVAL;
                }
                v = words[(*i)++];
            }
            if (f->kind == UR_CLI_FLAG_STR) {
                *(const char **)f->out = v;
            } else if (f->kind == UR_CLI_FLAG_LIST) {
                struct ur_cli_strs *l = f->out;
                if (l->n == UR_CLI_STRS_MAX) {
                    snprintf(err, errlen, "too many -%.*s flags (at most %d)", (int)len, name, UR_CLI_STRS_MAX);
                    return -EINVAL;
                }
                l->v[l->n++] = v;
            } else {
                int rc = s_parse_int(v, (long long *)f->out);
                if (rc) {
                    snprintf(err, errlen, "invalid value \"%s\" for flag -%.*s: %s", v, (int)len, name,
                             rc == -ERANGE ? "value out of range" : "parse error");
                    return -EINVAL;
                }
            }
        }
        if (f->seen) *f->seen = true;
    }
    return 0;
}
