/* cli/args.c — global flags (Go style, s5cmd's set), environment fallbacks, and the mapping onto
 * struct urestore_options. */
#include "cli/args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/flag.h"
#include "include/urestore.h"

int ur_cli_args_parse(int argc, char **argv, struct ur_cli_global *g, char *err, size_t errlen)
{
    memset(g, 0, sizeof(*g));
    g->retry_count = UR_CLI_DEFAULT_RETRIES;
    g->numworkers = UR_CLI_DEFAULT_NUMWORKERS;
    g->log = "info";
    g->log_level = UR_CLI_LOG_INFO;

    int n = 0;
    for (int k = 1; k < argc; k++)
        if (argv[k] && argv[k][0]) argv[1 + n++] = argv[k];
    char **words = argv + 1;

    const struct ur_cli_flag spec[] = {
        {"retry-count", "r", UR_CLI_FLAG_INT, &g->retry_count, NULL},
        {"numworkers", NULL, UR_CLI_FLAG_INT, &g->numworkers, &g->numworkers_set},
        {"endpoint-url", NULL, UR_CLI_FLAG_STR, &g->endpoint_url, NULL},
        {"no-verify-ssl", NULL, UR_CLI_FLAG_BOOL, &g->no_verify_ssl, NULL},
        {"ca-bundle", NULL, UR_CLI_FLAG_STR, &g->ca_bundle, NULL},
        {"credentials-file", NULL, UR_CLI_FLAG_STR, &g->credentials_file, NULL},
        {"profile", NULL, UR_CLI_FLAG_STR, &g->profile, NULL},
        {"no-sign-request", NULL, UR_CLI_FLAG_BOOL, &g->no_sign_request, NULL},
        {"log", NULL, UR_CLI_FLAG_STR, &g->log, NULL},
        {"json", NULL, UR_CLI_FLAG_BOOL, &g->json, NULL},
        {"stat", NULL, UR_CLI_FLAG_BOOL, &g->stat, NULL},
        {"dry-run", NULL, UR_CLI_FLAG_BOOL, &g->dry_run, NULL},
        {"request-payer", NULL, UR_CLI_FLAG_STR, &g->request_payer, NULL},
        {"use-list-objects-v1", NULL, UR_CLI_FLAG_BOOL, &g->use_list_objects_v1, NULL},
        {"verify-md5", NULL, UR_CLI_FLAG_BOOL, &g->verify_md5, NULL},
        {"no-verify-checksum", NULL, UR_CLI_FLAG_BOOL, &g->no_verify_checksum, NULL},
        {"io-backend", NULL, UR_CLI_FLAG_STR, &g->io_backend_name, NULL},
        {"connect-timeout", NULL, UR_CLI_FLAG_INT, &g->connect_timeout_s, NULL},
        {"first-byte-timeout", NULL, UR_CLI_FLAG_INT, &g->first_byte_timeout_s, NULL},
        {"stall-timeout", NULL, UR_CLI_FLAG_INT, &g->stall_timeout_s, NULL},
        {"progress", NULL, UR_CLI_FLAG_STR, &g->progress_name, NULL},
        {"no-progress", NULL, UR_CLI_FLAG_BOOL, &g->no_progress, NULL},
        {"progress-interval", NULL, UR_CLI_FLAG_INT, &g->progress_interval_s, NULL},
        {"help", "h", UR_CLI_FLAG_BOOL, &g->help, NULL},
        {"version", NULL, UR_CLI_FLAG_BOOL, &g->version, NULL},
    };
    size_t i = 0;
    int rc = ur_cli_flags_parse(spec, sizeof(spec) / sizeof(spec[0]), words, (size_t)n, &i, err, errlen);
    if (rc) return rc;
    g->args = words + i;
    g->nargs = n - (int)i;

    static const char *const levels[] = {"trace", "debug", "info", "error"};
    for (int k = 0; k < 4; k++)
        if (!strcmp(g->log, levels[k])) {
            g->log_level = (enum ur_cli_log)k;
            return 0;
        }
    snprintf(err, errlen, "invalid value \"%s\" for flag -log: allowed values: [trace debug info error]",
             g->log);
    return -EINVAL;
}

/* The environment variable's value, or NULL when unset or empty. */
static const char *s_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* The index of v among words[0..n) (NULL: 0), or -EINVAL with Go's message naming the first `shown` words. */
static int s_choice(const char *flag, const char *v, const char *const *words, size_t shown, size_t n, char *err,
                    size_t errlen)
{
    if (!v) return 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v, words[i])) return (int)i;
    int len = snprintf(err, errlen, "invalid value \"%s\" for flag -%s: allowed values: [", v, flag);
    for (size_t i = 0; i < shown && len >= 0 && (size_t)len < errlen; i++)
        len += snprintf(err + len, errlen - (size_t)len, "%s%s", i ? " " : "", words[i]);
    if (len >= 0 && (size_t)len < errlen) snprintf(err + len, errlen - (size_t)len, "]");
    return -EINVAL;
}

int ur_cli_args_resolve(struct ur_cli_global *g, char *err, size_t errlen)
{
    if (!g->endpoint_url || !*g->endpoint_url) g->endpoint_url = s_env("S3_ENDPOINT_URL");
    if (!g->ca_bundle || !*g->ca_bundle) g->ca_bundle = s_env("AWS_CA_BUNDLE");
    g->region = s_env("AWS_REGION");
    if (!g->region) g->region = s_env("AWS_DEFAULT_REGION");
    if (g->credentials_file && !*g->credentials_file) g->credentials_file = NULL;
    const char *v;
    if ((v = s_env("URESTORE_PIPELINE"))) {
        long d = atol(v);
        g->pipeline_depth = d < 1 ? 1 : d > 8 ? 8 : (unsigned)d;
    }
    if ((v = s_env("URESTORE_RCVBUF"))) {
        long long b = atoll(v);
        g->receive_buffer_bytes = b <= 0 ? URESTORE_RCVBUF_AUTOTUNE : b;
    }
    g->no_vaes = (v = s_env("URESTORE_NO_VAES")) && strcmp(v, "0") != 0;
    if (!g->io_backend_name || !*g->io_backend_name) g->io_backend_name = s_env("URESTORE_IO_BACKEND");
    /* The accepted words of each flag, the first one its default (also when unset); "io_uring" is accepted
     * as uring but not offered. */
    static const char *const backends[] = {"auto", "uring", "epoll", "io_uring"};
    static const int backend_ids[] = {URESTORE_IO_AUTO, URESTORE_IO_URING, URESTORE_IO_EPOLL, URESTORE_IO_URING};
    static const char *const progress[] = {"auto", "lines", "off"};
    int k;
    if ((k = s_choice("io-backend", g->io_backend_name, backends, 3, 4, err, errlen)) < 0) return k;
    g->io_backend = backend_ids[k];
    if ((k = s_choice("progress", g->progress_name, progress, 3, 3, err, errlen)) < 0) return k;
    g->progress = k; /* UR_CLI_PROGRESS_ARG_AUTO, _LINES, _OFF in that order */
    if (g->profile && !*g->profile) g->profile = NULL;
    if (g->progress_interval_s < 0 || g->progress_interval_s > 86400) {
        snprintf(err, errlen, "--progress-interval is whole seconds from 1 to 86400 (0: default)");
        return -EINVAL;
    }

    if (g->connect_timeout_s < 0 || g->connect_timeout_s > 86400 || g->first_byte_timeout_s < 0 ||
        g->first_byte_timeout_s > 86400 || g->stall_timeout_s < 0 || g->stall_timeout_s > 86400) {
        snprintf(err, errlen, "timeouts are whole seconds from 1 to 86400 (0: default)");
        return -EINVAL;
    }
    if (g->retry_count < 0) {
        snprintf(err, errlen, "retry count cannot be a negative value");
        return -EINVAL;
    }
    if (g->no_sign_request && g->profile) {
        snprintf(err, errlen, "\"no-sign-request\" and \"profile\" flags cannot be used together");
        return -EINVAL;
    }
    if (g->no_sign_request && g->credentials_file) {
        snprintf(err, errlen, "\"no-sign-request\" and \"credentials-file\" flags cannot be used together");
        return -EINVAL;
    }
    if (g->endpoint_url && strncmp(g->endpoint_url, "http://", 7) &&
        strncmp(g->endpoint_url, "https://", 8)) {
        snprintf(
            err, errlen,
            "bad value for --endpoint-url %s: scheme is missing. Must be of the form http://<hostname>/ or "
            "https://<hostname>/",
            g->endpoint_url);
        return -EINVAL;
    }
    return 0;
}

void ur_cli_args_options(const struct ur_cli_global *g, struct urestore_options *o)
{
    memset(o, 0, sizeof(*o));
    o->struct_size = sizeof(*o);
    o->endpoint_url = g->endpoint_url;
    o->region = g->region;
    o->ca_bundle = g->ca_bundle;
    o->no_verify_tls = g->no_verify_ssl;
    o->anonymous = g->no_sign_request;
    o->verify_md5 = g->verify_md5;
    o->no_verify_checksum = g->no_verify_checksum;
    /* Seconds on the command line, milliseconds in the ABI; 0 keeps the library's default. */
    o->connect_timeout_ms = (unsigned)(g->connect_timeout_s * 1000);
    o->first_byte_timeout_ms = (unsigned)(g->first_byte_timeout_s * 1000);
    o->stall_timeout_ms = (unsigned)(g->stall_timeout_s * 1000);
    o->request_payer = g->request_payer;
    o->pipeline_depth = g->pipeline_depth;
    o->receive_buffer_bytes = g->receive_buffer_bytes;
    o->no_vaes = g->no_vaes;
    o->io_backend = g->io_backend;
    /* s5cmd's -r N means N retries, so -r 0 (Flink's default args) means none at all; the ABI's 0 means
     * "default", hence the explicit constant. */
    o->retry_count = g->retry_count == 0     ? URESTORE_NO_RETRIES
                     : g->retry_count > 1000 ? 1000
                                             : (int)g->retry_count;
    if (g->numworkers_set && g->numworkers > 0)
        o->max_connections =
            g->numworkers > UR_CLI_MAX_CONNECTIONS ? UR_CLI_MAX_CONNECTIONS : (unsigned)g->numworkers;
}
