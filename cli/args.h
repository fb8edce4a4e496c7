/* cli/args.h — urestore's global flags (s5cmd's, parsed Go-style), their environment fallbacks, and
 * how they map onto struct urestore_options. Reads the environment; no other I/O, no engine calls. */
#ifndef UR_CLI_ARGS_H
#define UR_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct urestore_options;

enum ur_cli_log { UR_CLI_LOG_TRACE, UR_CLI_LOG_DEBUG, UR_CLI_LOG_INFO, UR_CLI_LOG_ERROR };

enum { UR_CLI_PROGRESS_ARG_AUTO, UR_CLI_PROGRESS_ARG_LINES, UR_CLI_PROGRESS_ARG_OFF };

#define UR_CLI_DEFAULT_RETRIES 10     /* s5cmd's --retry-count default */
#define UR_CLI_DEFAULT_NUMWORKERS 256 /* s5cmd's --numworkers default (a goroutine count) */
/* --numworkers counts s5cmd goroutines; here it bounds connections. One connection carries ~50 MB/s, so
 * 64 already exceeds what one vCPU can decrypt (~3 GB/s): more would only cost handshakes and memory. */
#define UR_CLI_MAX_CONNECTIONS 64

struct ur_cli_global {
    long long retry_count; /* -r/--retry-count */
    long long numworkers;  /* --numworkers */
    long long connect_timeout_s, first_byte_timeout_s, stall_timeout_s; /* 0: the library's default */
    bool numworkers_set;
    const char *endpoint_url;     /* --endpoint-url, else $S3_ENDPOINT_URL; NULL: AWS */
    const char *region;           /* $AWS_REGION, else $AWS_DEFAULT_REGION; NULL: us-east-1 */
    const char *ca_bundle;        /* --ca-bundle, else $AWS_CA_BUNDLE */
    const char *credentials_file; /* --credentials-file */
    const char *profile;          /* --profile */
    const char *request_payer;    /* --request-payer */
    const char *log;              /* --log as given */
    enum ur_cli_log log_level;
    bool no_verify_ssl, no_sign_request, json, stat, dry_run, use_list_objects_v1, verify_md5, no_verify_checksum;
    bool help, version;
    /* The tuning knobs the library takes as options, from the environment (README): URESTORE_PIPELINE
     * (requests per connection, 1–8), URESTORE_RCVBUF (bytes; 0: the kernel's autotuning), URESTORE_NO_VAES.
     * 0 / false: the library's default. */
    unsigned pipeline_depth;
    int64_t receive_buffer_bytes;
    bool no_vaes;
    /* --io-backend, else $URESTORE_IO_BACKEND: "auto", "uring" or "epoll" (NULL: auto); io_backend is
     * its URESTORE_IO_* value. */
    const char *io_backend_name;
    int io_backend;
    /* --progress auto|lines|off (progress is its UR_CLI_PROGRESS_ARG_* value), --no-progress (off, whatever
     * --progress says), --progress-interval S (seconds between lines; 0: UR_CLI_PROGRESS_LINES_S).
     * cli/progress.c decides what auto means. */
    const char *progress_name;
    int progress;
    bool no_progress;
    long long progress_interval_s;
    char **args; /* the command and its arguments (argv without empty elements) */
    int nargs;
};

/* Parses the global flags of argv[1..argc) into g (defaults first). Empty argv elements are dropped
 * anywhere (Flink splits s3.s5cmd.args on blanks and may leave one); argv is compacted in place and
 * g->args points into it. Returns 0, or -EINVAL with Go's message in err (a usage error). */
int ur_cli_args_parse(int argc, char **argv, struct ur_cli_global *g, char *err, size_t errlen);

/* Applies the environment fallbacks (and the URESTORE_* tuning variables) and checks the combinations s5cmd refuses (negative retry count,
 * --no-sign-request with --profile or --credentials-file, an endpoint without http:// or https://).
 * Returns 0, or -EINVAL with s5cmd's message in err. */
int ur_cli_args_resolve(struct ur_cli_global *g, char *err, size_t errlen);

/* Fills everything in o but the credentials: endpoint, region, TLS, retries (-r 0 → no retries),
 * connections (--numworkers, capped at UR_CLI_MAX_CONNECTIONS; unset → the engine's default). */
void ur_cli_args_options(const struct ur_cli_global *g, struct urestore_options *o);

#endif
