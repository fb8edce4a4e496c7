/* cli/flag.h — Go `flag`-package parsing, which s5cmd (urfave/cli) uses for its global and
 * command flags: "-x" and "--x" alike, "--x=v" or "--x v" for values, "--x" or "--x=false" for booleans,
 * integers in Go's base-0 syntax (10, 0x1f, 017), and parsing stops at the first word that is not a flag
 * or right after "--". Error messages are Go's, so users see what s5cmd would print. Pure. */
#ifndef UR_CLI_FLAG_H
#define UR_CLI_FLAG_H

#include <stdbool.h>
#include <stddef.h>

enum ur_cli_flag_kind {
    UR_CLI_FLAG_BOOL, /* out: bool * */
    UR_CLI_FLAG_INT,  /* out: long long * */
    UR_CLI_FLAG_STR,  /* out: const char ** (points into the words) */
    UR_CLI_FLAG_LIST, /* out: struct ur_cli_strs * — repeatable, every value kept in order */
};

/* The values of a repeatable flag (urfave/cli's StringSliceFlag), pointing into the words. */
#define UR_CLI_STRS_MAX 32
struct ur_cli_strs {
    const char *v[UR_CLI_STRS_MAX];
    size_t n;
};

struct ur_cli_flag {
    const char *name;  /* long name, without dashes */
    const char *alias; /* short name or NULL */
    enum ur_cli_flag_kind kind;
    void *out;
    bool *seen; /* set true when the flag is given; may be NULL */
};

/* Parses flags from words[*i..n), advancing *i past them (and past a "--"). Returns 0, or -EINVAL with
 * Go's message in err ("flag provided but not defined: -x", "flag needs an argument: -x", "invalid value
 * \"v\" for flag -x: parse error", "bad flag syntax: ---x"; ours: "too many -x flags (at most 32)"). */
int ur_cli_flags_parse(const struct ur_cli_flag *spec, size_t nspec, char *const *words, size_t n, size_t *i,
                       char *err, size_t errlen);

#endif
