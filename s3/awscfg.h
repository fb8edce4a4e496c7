/* s3/awscfg.h — the AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials) parsed the
 * way the AWS SDKs parse them, and lookups of profile properties. Parsing is pure (text in, entries out);
 * only ur_awscfg_load reads files. Values may be secrets: no message here ever quotes a value. */
#ifndef UR_S3_AWSCFG_H
#define UR_S3_AWSCFG_H

#include <stdbool.h>
#include <stddef.h>

/* A getenv that tests can replace: returns the variable's value or NULL. ctx is passed through. */
typedef const char *(*ur_getenv_fn)(void *ctx, const char *name);

/* The process environment, for callers that have no table of their own (ctx unused). */
const char *ur_awscfg_process_env(void *ctx, const char *name);

/* A lookup in a table of its own: ctx points to an array of {name, value} pairs ended by {NULL, NULL},
 * for callers (a JVM handing over a task's environment, tests) that do not use the process's. */
const char *ur_awscfg_table_env(void *ctx, const char *name);

/* Which file a text came from: section names mean different things in each. In the config file a profile
 * is "[profile NAME]" (or "[default]"; "[profile default]" wins over it when both exist), "[services NAME]"
 * holds per-service settings and other sections are ignored. In the credentials file every section
 * "[NAME]" is a profile. */
enum ur_awscfg_file { UR_AWSCFG_CONFIG = 0, UR_AWSCFG_CREDENTIALS = 1 };

#define UR_AWSCFG_MAX_FILE_BYTES (1 << 20) /* larger files are refused: no real profile file comes near */

struct ur_awscfg; /* opaque: the entries of both files */

/* NULL on out of memory. */
struct ur_awscfg *ur_awscfg_new(void);
void ur_awscfg_free(struct ur_awscfg *cfg);

/* Adds the entries of one file's text[0..n) (name is used only in messages, e.g. the path). The syntax,
 * as the SDKs define it:
 *   - "[NAME]" starts a section; text after ']' may only be a comment ('#' or ';').
 *   - "key = value": key lower-cased, both trimmed; a '#' or ';' preceded by whitespace starts a comment.
 *   - a line starting with whitespace continues the property above: when that property's value is empty
 *     it holds "sub = value" sub-properties (the nested "s3 =" form), else it is appended to the value
 *     after a newline.
 *   - lines whose first non-blank character is '#' or ';' and blank lines are ignored; CRLF is fine.
 *   - a section or key that appears again adds to the first; the later value wins. Sections whose name
 *     the SDKs refuse (anything but A-Z a-z 0-9 _ - / . % @ : +) are ignored, with their properties.
 * Returns 0, or -EINVAL with "NAME line N: why" in err (a property outside any section, a line without
 * '=', a key without a name, a header without ']', a NUL byte), -EFBIG (over UR_AWSCFG_MAX_FILE_BYTES)
 * or -ENOMEM. On error the entries of this text are dropped and the other file's are kept. */
int ur_awscfg_parse(struct ur_awscfg *cfg, enum ur_awscfg_file kind, const char *text, size_t n,
                    const char *name, char *err, size_t errlen);

/* The files' paths as the SDKs find them: $AWS_CONFIG_FILE else ~/.aws/config, and
 * $AWS_SHARED_CREDENTIALS_FILE else ~/.aws/credentials ("~" is $HOME; a leading "~/" in the variables is
 * expanded too). Returns 0, -ENOENT (no HOME and no variable; that path is then "") or -ENAMETOOLONG. */
int ur_awscfg_paths(ur_getenv_fn env, void *ctx, char *config, size_t config_cap, char *creds,
                    size_t creds_cap);

/* Reads and parses both files (ur_awscfg_paths). A missing file is not an error: the SDKs work without
 * either. Returns 0 or the first -errno with a message naming the file in err (unreadable, too big,
 * malformed). Blocking file I/O: call before the event loop starts, or off it. */
int ur_awscfg_load(struct ur_awscfg *cfg, ur_getenv_fn env, void *ctx, char *err, size_t errlen);

/* The profile to use: opt (--profile) when set, else $AWS_PROFILE, else "default". */
const char *ur_awscfg_profile_name(const char *opt, ur_getenv_fn env, void *ctx);

/* Whether either file defines profile. */
bool ur_awscfg_has_profile(const struct ur_awscfg *cfg, const char *profile);

/* The value of key in profile (a top-level property; NULL when absent). The credentials file wins over the
 * config file, a later line over an earlier one. The pointer lives as long as cfg. */
const char *ur_awscfg_get(const struct ur_awscfg *cfg, const char *profile, const char *key);

/* A sub-property: "key =" followed by indented "sub = value" lines in profile, e.g. ("s3",
 * "addressing_style"). NULL when absent. */
const char *ur_awscfg_get_sub(const struct ur_awscfg *cfg, const char *profile, const char *key,
                              const char *sub);

/* A setting of one service in a "[services NAME]" section of the config file: ("my-services", "s3",
 * "endpoint_url"). NULL when absent. */
const char *ur_awscfg_service(const struct ur_awscfg *cfg, const char *services, const char *service,
                              const char *key);

/* Where profile's settings were read, for messages: "~/.aws/credentials"-like names given to parse, both
 * joined with " and " when both have it, "" when neither. */
void ur_awscfg_where(const struct ur_awscfg *cfg, const char *profile, char *out, size_t cap);

#endif
