/* tests/fuzz/fuzz_runline.c — a run file's line: word splitting, cp parsing, the destination path, and
 * wildcard matching and destinations (cli/runline.c, cli/glob.c).
 *
 * Input: byte 0 = flags (bit 0: the destination is an existing directory; bit 1: --flatten), the rest =
 * one line. Invariant checked: a key that matches a wildcard never lands outside the destination. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/glob.h"
#include "cli/runline.h"

/* The path p stays under dir: it starts with "dir/" and has no ".." element. */
static void s_check_inside(const char *dir, const char *p)
{
    size_t dl = strlen(dir);
    if (strncmp(p, dir, dl) != 0 || p[dl] != '/') abort();
    for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2)
        if ((s == p || s[-1] == '/') && (s[2] == 0 || s[2] == '/')) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int flags = data[0];
    const char *line = (const char *)data + 1;
    size_t len = size - 1;

    const char *t = line;
    size_t tl = len;
    ur_cli_trim(&t, &tl);
    if (t < line || t + tl > line + len) abort();
    (void)ur_cli_line_is_skipped(line, len);

    struct ur_cli_words w;
    const char *why = NULL;
    if (ur_cli_split_words(line, len, &w, &why) == 0) {
        for (size_t i = 0; i < w.n; i++) (void)strlen(w.v[i]);
        ur_cli_words_free(&w);
    } else if (!why) {
        abort();
    }

    struct ur_cli_cp cp;
    char err[256];
    if (ur_cli_parse_line(line, len, &w, &cp, err, sizeof err) != 0) {
        if (strnlen(err, sizeof err) >= sizeof err) abort();
        return 0;
    }
    if (!cp.help && cp.src && cp.dst) {
        char *d = ur_cli_dest_path(cp.dst, cp.src_key, flags & 1, &why);
        free(d);
        if (cp.wildcard) {
            const char *key = cp.src_key;
            (void)ur_cli_glob_prefix_len(key);
            /* The pattern against itself and against a key with its wildcards spelled out. */
            char *k = strdup(key);
            for (char *c = k; *c; c++)
                if (*c == '*' || *c == '?') *c = 'x';
            (void)ur_cli_glob_match(key, key);
            if (ur_cli_glob_match(key, k)) {
                char *g = ur_cli_glob_dest("/dst", key, k, flags & 2, &why);
                if (g) s_check_inside("/dst", g);
                free(g);
            }
            free(k);
        }
        char *c = strdup(cp.dst);
        ur_cli_path_clean(c);
        free(c);
    }
    ur_cli_words_free(&w);

    /* Any line as a key listed under a wildcard: the file it lands in stays in the destination. */
    char *key = malloc(len + 1); /* not strndup: the input has no NUL after it */
    memcpy(key, line, len);
    key[len] = 0;
    char *g = ur_cli_glob_dest("/dst", "pre/*", key, flags & 2, &why);
    if (g) s_check_inside("/dst", g);
    free(g);
    (void)ur_cli_glob_match("pre/*", key);
    free(key);
    return 0;
}
