/* cli/creds.h — the CLI's credentials, region and endpoint, found the way the AWS SDKs find them (the
 * default chain of s3/credplan.h over the process environment and the shared files). Reads files and may
 * run a credential_process: call before the client's loop runs. Never prints or returns a secret in a
 * message. */
#ifndef UR_CLI_CREDS_H
#define UR_CLI_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "s3/sigv4.h"

struct ur_cli_global;

struct ur_cli_creds {
    struct ur_creds creds; /* the keys (or anonymous) */
    time_t expiration;     /* 0: they do not expire */
    char source[192];      /* which source supplied them, for --log debug: "environment", "profile p", … */
    char region[64];       /* the region as the SDKs order it; "" keeps the library's default */
    char region_from[32];
    char endpoint_url[2048]; /* "" when none is configured (AWS) */
    char endpoint_from[48];
    /* The source needs the network (instance metadata, the container endpoint, STS): the library runs the
     * chain itself (urestore_options.default_credentials) with this profile ("" for the default). */
    bool library_chain;
    char profile[128];
};

/* Resolves credentials, region and endpoint for g. --credentials-file stands for
 * AWS_SHARED_CREDENTIALS_FILE and, as in s5cmd, makes the shared file the only source (the environment's
 * keys are skipped, as with --profile). Returns 0, or a negative errno with a message in err that names
 * the source tried and why it failed: -EINVAL (a malformed file, a bad profile), -ENOENT (no source),
 * -EACCES (credential_process failed or printed garbage). A source that needs the network sets
 * out->library_chain instead of keys (and AWS_SHARED_CREDENTIALS_FILE for --credentials-file, so that the
 * library reads the same file). out->creds is wiped on failure. */
int ur_cli_creds_resolve(const struct ur_cli_global *g, struct ur_cli_creds *out, char *err, size_t errlen);

#endif
