/* cli/glob.h — wildcard sources as s5cmd reads them: the literal prefix to list, whether a listed
 * key matches, and the local file a matching key lands in (refusing keys that would land outside the
 * destination directory). Pure string work, unit-tested on its own; the listing itself is the engine's
 * (urestore_list).
 *
 * s5cmd's rules (storage/url): the prefix is the key up to the first '*' or '?'; the key must match the
 * whole pattern, where '*' is any run of characters (across '/') and '?' exactly one character, neither
 * matching a newline (Go's regexp "." without the s flag), and characters are UTF-8 runes (an invalid byte
 * counts as one). Keys ending in '/' are directory markers and are skipped. A matching key lands in
 * DST/REL where REL is the key after the last '/' of the prefix (the whole key when the prefix has none),
 * or the key's last element with --flatten. */
#ifndef UR_CLI_GLOB_H
#define UR_CLI_GLOB_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/flag.h"

/* The length of pattern's literal prefix: the bytes before the first '*' or '?'. */
size_t ur_cli_glob_prefix_len(const char *pattern);

/* True when the whole of key matches pattern (s5cmd's semantics, above). */
bool ur_cli_glob_match(const char *pattern, const char *key);

/* --exclude / --include, as s5cmd applies them: the pattern must match the whole of the key relative to the
 * source (the key after the source's literal prefix, extended to end with '/'; the whole key when it does
 * not start so), '*' and '?' crossing newlines too (s5cmd compiles these with the s flag). A key is left out
 * when it matches an exclude, or when includes are given and it matches none: exclude wins. */
bool ur_cli_glob_filtered(const char *src_key, bool wildcard, const char *key, const struct ur_cli_strs *exclude,
                          const struct ur_cli_strs *include);

/* False when pattern is not valid UTF-8 (Go's regexp refuses it, so s5cmd fails the command). */
bool ur_cli_glob_valid(const char *pattern);

/* The file a key listed under a prefix source (PREFIX/ or the whole bucket) lands in: DST joined with the
 * key after prefix (its last element with --flatten), refused as ur_cli_glob_dest refuses. */
char *ur_cli_prefix_dest(const char *dst, const char *prefix, const char *key, bool flatten, const char **why);

/* The file a key that matched pattern lands in: DST joined with REL (above) and cleaned as Go's
 * path.Join does. Returns a malloc'd path, or NULL with *why set to a static message: the key names no
 * file (empty, ".", a directory marker), or it would land outside dst (an absolute key, or a ".."
 * component: such keys are refused, never cleaned into dst), or "out of memory". */
char *ur_cli_glob_dest(const char *dst, const char *pattern, const char *key, bool flatten, const char **why);

#endif
