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

/* The length of pattern's literal prefix: the bytes before the first '*' or '?'. */
size_t ur_cli_glob_prefix_len(const char *pattern);

/* True when the whole of key matches pattern (s5cmd's semantics, above). */
bool ur_cli_glob_match(const char *pattern, const char *key);

/* The file a key that matched pattern lands in: DST joined with REL (above) and cleaned as Go's
 * path.Join does. Returns a malloc'd path, or NULL with *why set to a static message: the key names no
 * file (empty, ".", a directory marker), or it would land outside dst (an absolute key, or a ".."
 * component: such keys are refused, never cleaned into dst), or "out of memory". */
char *ur_cli_glob_dest(const char *dst, const char *pattern, const char *key, bool flatten, const char **why);

#endif
