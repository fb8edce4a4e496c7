/* cli/runline.h — one s5cmd command line → words → a parsed `cp` command, with the messages a user
 * needs to fix the line. Pure string work: no I/O, no engine, so it is unit-tested on its own.
 *
 * Words are split as s5cmd does (go-shellquote, a POSIX shell subset): blanks separate words; '…' is
 * literal; "…" keeps everything but lets a backslash escape $ ` " \ and newline; a backslash outside
 * quotes takes the next byte literally. Flags follow Go's flag package: -x or --x, --x=v or --x v, and
 * parsing stops at the first non-flag word or at "--". */
#ifndef UR_CLI_RUNLINE_H
#define UR_CLI_RUNLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/flag.h"

/* The words of a line: v[0..n) point into buf, which one allocation holds. */
struct ur_cli_words {
    char **v;
    size_t n;
    char *buf;
};

/* Splits line[0..len) into words. Returns 0; -EINVAL with *why set to a static message ("unterminated
 * single-quoted string", "unterminated double-quoted string", "unterminated backslash-escape", "line
 * contains a NUL byte"); -ENOMEM. On success free w with ur_cli_words_free(). */
int ur_cli_split_words(const char *line, size_t len, struct ur_cli_words *w, const char **why);
void ur_cli_words_free(struct ur_cli_words *w);

/* Trims ASCII white space (as s5cmd's strings.TrimSpace does for what Flink writes) from both ends. */
void ur_cli_trim(const char **s, size_t *len);

/* True for a line s5cmd skips: blank, or starting with '#' after leading blanks. */
bool ur_cli_line_is_skipped(const char *line, size_t len);

/* A parsed `cp` command: a download from S3 (s3://, s3a://, s3p://) to a local path. */
struct ur_cli_cp {
    const char *src;          /* as written (points into the words) */
    const char *dst;          /* as written */
    const char *src_key;      /* inside src: the key, after "BUCKET/" */
    uint64_t part_size_bytes; /* --part-size/-p MiB → bytes; 0: the engine's choice */
    long long concurrency;    /* -c/--concurrency: accepted, not used (the engine plans parts itself) */
    bool no_clobber;          /* -n/--no-clobber */
    bool if_size_differ;      /* -s/--if-size-differ */
    bool if_source_newer;     /* -u/--if-source-newer */
    bool resume;              /* --resume: keep an interrupted download's partial, go on from it */
    bool raw;                 /* --raw: '*' and '?' are part of the key */
    bool flatten;             /* -f/--flatten: matters only for wildcard sources */
    bool wildcard;            /* the key has '*' or '?' and --raw was not given: needs a listing */
    bool prefix;              /* the key is empty or ends with '/': every object under it (a listing) */
    bool no_mtime;            /* --no-preserve-timestamps: files keep the time they were written at */
    struct ur_cli_strs exclude; /* --exclude PATTERN…: keys to leave out (wins over --include) */
    struct ur_cli_strs include; /* --include PATTERN…: when given, only keys matching one of them */
    bool help;                /* -h/--help was given: nothing else is parsed (src, dst NULL) */
};

/* Parses the words of a command whose words[0] is "cp". Returns 0 (check cp->help), or -EINVAL / -ENOTSUP
 * (uploads, S3-to-S3) with a message in err. */
int ur_cli_parse_cp(char *const *words, size_t n, struct ur_cli_cp *cp, char *err, size_t errlen);

/* Parses one trimmed, non-skipped line: split, then dispatch on the command name (only "cp" is
 * supported; "run" and other s5cmd commands get their own message). On 0, cp points into w, which the
 * caller frees; on error (-EINVAL, -ENOTSUP, -ENOMEM) w is already freed and err says why. */
int ur_cli_parse_line(const char *line, size_t len, struct ur_cli_words *w, struct ur_cli_cp *cp, char *err,
                      size_t errlen);

/* The file a download lands in, as s5cmd names it: when dst ends with '/' or is an existing directory
 * (dst_is_dir), DST joined with the key's last element and cleaned (Go's path.Join), else dst as written.
 * Returns a malloc'd string, or NULL with *why set ("out of memory", "the key's last element is not a
 * file name"). */
char *ur_cli_dest_path(const char *dst, const char *key, bool dst_is_dir, const char **why);

/* Go's path.Clean, in place: lexical, "" becomes ".". */
void ur_cli_path_clean(char *p);

#endif
