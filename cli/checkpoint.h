/* cli/checkpoint.h — `urestore checkpoint ls | files | gc`: Flink checkpoints on S3 (README "Cleaning up a
 * Flink checkpoint directory"). The commands (cli/checkpoint.c) use only the public ABI
 * (include/urestore.h), the pure Flink modules (flink/) and s3/uri.h; the listing and reading of a
 * checkpoint tree is cli/checkpoint_scan.c, the deletion cli/checkpoint_rm.c, and the text and JSON lines
 * cli/checkpoint_fmt.c (pure, unit-tested). */
#ifndef UR_CLI_CHECKPOINT_H
#define UR_CLI_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/out.h"
#include "flink/metadata.h"

struct ur_cli_global;

struct urestore_client;

/* Makes a client as the global options say (credentials, endpoint, TLS, retries): cli/run.c's. NULL with
 * err set when it cannot. */
typedef struct urestore_client *(*ur_cli_client_fn)(const struct ur_cli_global *g, char *err, size_t errlen);

/* `checkpoint SUBCOMMAND ARGS…` (args[0] is "checkpoint"), with clients from client_new (one per listing
 * thread). Returns the exit status. */
int ur_cli_checkpoint(const struct ur_cli_global *g, char **args, int nargs, ur_cli_client_fn client_new);

extern const char ur_cli_usage_checkpoint[];

/* ---- cli/checkpoint_fmt.c: pure formatting ---- */

/* What one _metadata references, counted per distinct file. */
struct ur_ck_files {
    uint64_t files, bytes, shared; /* shared: files in a shared/ directory (any job's) */
};

/* `checkpoint files`: appends to out one line per distinct file the _metadata at md_uri
 * ("s3://B/…/_metadata", its bytes in buf) references, sorted: "s3://bucket/key SIZE" (s3a:// and s3p://
 * written as s3://; relative names resolved beside the _metadata; other schemes as written), or with json a
 * JSON object per file with its references (operator id, subtask, role, kind). SIZE is the file's size, or
 * for merged files the end of the furthest segment. Returns 0, -EBADMSG (err says where) or -ENOMEM. md and
 * cnt may be NULL. */
int ur_ck_fmt_files(struct ur_cli_buf *out, bool json, const char *md_uri, const uint8_t *buf, size_t n,
                    struct ur_flink_metadata *md, struct ur_ck_files *cnt, struct ur_flink_error *err);

/* "checkpoint", "savepoint" or "unknown": what the file says, else what its directory's name says
 * (chk-N, savepoint-…) for V2/V3 files. */
const char *ur_ck_snapshot_type(const struct ur_flink_metadata *md, const char *md_uri);

/* `checkpoint ls` lines (with '\n'), replacing out's content. dir_uri ends in '/'. */
void ur_ck_fmt_ls(struct ur_cli_buf *out, bool json, const char *dir_uri, const struct ur_flink_metadata *md,
                  const char *type, const struct ur_ck_files *cnt);
void ur_ck_fmt_ls_missing(struct ur_cli_buf *out, bool json, const char *dir_uri, uint64_t objects,
                          uint64_t bytes);

#endif
