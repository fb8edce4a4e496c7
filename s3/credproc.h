/* s3/credproc.h — running a profile's credential_process: /bin/sh -c COMMAND (as the Go and Rust SDKs run
 * it), stdin from /dev/null, stdout captured (bounded), stderr left to the caller's stderr (where the
 * command's own complaints belong; they are not copied into our messages). Blocking: call it before the
 * event loop starts or from a thread of its own, never on the loop. Parse the output with
 * ur_creds_parse_process. */
#ifndef UR_S3_CREDPROC_H
#define UR_S3_CREDPROC_H

#include <stddef.h>

/* The Go SDK's default: a process that takes longer than a minute is not coming back. */
#define UR_CREDS_PROCESS_TIMEOUT_MS 60000
#define UR_CREDS_PROCESS_MAX_OUTPUT (64 * 1024) /* a v1 answer is a few KiB, mostly the session token */

/* Runs cmd and collects its stdout into out[0..cap) (*n bytes, NUL-terminated when there is room).
 * Returns 0 when it exited with status 0; otherwise, with "credential_process: WHY" in err:
 *   -ETIMEDOUT  still running after timeout_ms (its whole process group is killed),
 *   -E2BIG      more than cap bytes of output (killed),
 *   -ECHILD     it exited with a non-zero status or was killed by a signal (err says which),
 *   -errno      it could not be started (pipe, spawn).
 * The command line is not quoted in err (it may carry a secret as an argument). */
int ur_creds_run_process(const char *cmd, unsigned timeout_ms, char *out, size_t cap, size_t *n, char *err,
                         size_t errlen);

#endif
