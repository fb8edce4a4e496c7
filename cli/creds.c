/* cli/creds.c — the CLI side of the credential chain (see creds.h): load the shared files, plan with
 * ur_creds_chain_plan, carry out the local sources (keys, credential_process), and find region and
 * endpoint from the same environment and files. Blocking: runs before the client's loop. */
#include "cli/creds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cli/args.h"
#include "s3/awscfg.h"
#include "s3/credjson.h"
#include "s3/credplan.h"
#include "s3/credproc.h"
#include "s3/credtime.h"
#include "s3/region.h"

/* The process environment, with --credentials-file standing in for AWS_SHARED_CREDENTIALS_FILE. */
struct s_env {
    const char *credentials_file;
};

static const char *s_getenv(void *ctx, const char *name)
{
    const struct s_env *e = ctx;
    if (e->credentials_file && !strcmp(name, "AWS_SHARED_CREDENTIALS_FILE")) return e->credentials_file;
    return getenv(name);
}

/* Runs the plan's credential_process and parses its JSON v1 answer. */
static int s_process(const struct ur_creds_plan *plan, struct ur_cli_creds *out, char *err, size_t errlen)
{
    size_t cap = UR_CREDS_PROCESS_MAX_OUTPUT, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) return snprintf(err, errlen, "credential_process: out of memory"), -ENOMEM;
    char why[384] = "";
    int rc = ur_creds_run_process(plan->process, UR_CREDS_PROCESS_TIMEOUT_MS, buf, cap, &n, why, sizeof(why));
    struct ur_creds_temp t;
    memset(&t, 0, sizeof(t));
    if (rc == 0) rc = ur_creds_parse_process(buf, n, &t, why, sizeof(why));
    OPENSSL_cleanse(buf, cap + 1);
    free(buf);
    if (rc == 0 && ur_creds_freshness(t.expiration, time(NULL)) == UR_CREDS_EXPIRED) {
        snprintf(why, sizeof(why), "credential_process output: the credentials have already expired");
        rc = -EINVAL;
    }
    if (rc < 0) {
        OPENSSL_cleanse(&t, sizeof(t));
        snprintf(err, errlen, "no credentials: profile %s: %s", plan->profile[0] ? plan->profile : "default",
                 why);
        return -EACCES;
    }
    out->creds = t.creds;
    out->expiration = t.expiration;
    OPENSSL_cleanse(&t, sizeof(t));
    return 0;
}

static int s_credentials(const struct ur_cli_global *g, const struct ur_awscfg *cfg, struct s_env *env,
                         struct ur_cli_creds *out, char *err, size_t errlen)
{
    /* s5cmd reads only the shared file when it is named: keep that by naming its profile explicitly, which
     * makes the chain skip the environment's keys (as --profile does). */
    const char *profile = g->profile;
    if (!profile && g->credentials_file) profile = ur_awscfg_profile_name(NULL, s_getenv, env);
    struct ur_creds_chain_in in = {.no_sign_request = g->no_sign_request,
                                   .profile = profile,
                                   .env = s_getenv,
                                   .env_ctx = env,
                                   .cfg = cfg};
    struct ur_creds_plan *plan = calloc(1, sizeof(*plan));
    if (!plan) return snprintf(err, errlen, "no credentials: out of memory"), -ENOMEM;
    char why[768] = "";
    int rc = ur_creds_chain_plan(&in, plan, why, sizeof(why));
    if (rc < 0) {
        snprintf(err, errlen, "no credentials: %s", why);
        goto out;
    }
    if (plan->profile[0])
        snprintf(out->source, sizeof(out->source), "%s (profile %s)", ur_creds_source_name(plan->source),
                 plan->profile);
    else
        snprintf(out->source, sizeof(out->source), "%s", ur_creds_source_name(plan->source));
    switch (plan->source) {
    case UR_CREDS_SRC_ANONYMOUS:
        out->creds.anonymous = true;
        break;
    case UR_CREDS_SRC_EXPLICIT:
    case UR_CREDS_SRC_ENV:
    case UR_CREDS_SRC_PROFILE:
        out->creds = plan->keys;
        break;
    case UR_CREDS_SRC_PROCESS:
        if (!plan->nroles) rc = s_process(plan, out, err, errlen); /* else the library runs it before STS */
        break;
    default:
        /* Instance metadata, the container endpoint, web identity: the library asks them on its loop. */
        out->library_chain = true;
        break;
    }
    if (rc == 0 && plan->nroles) {
        out->library_chain = true; /* STS AssumeRole, signed with the base source's keys */
        snprintf(out->source + strlen(out->source), sizeof(out->source) - strlen(out->source),
                 " then AssumeRole %s", plan->roles[plan->nroles - 1].arn);
    }
    if (out->library_chain) {
        OPENSSL_cleanse(&out->creds, sizeof(out->creds));
        out->expiration = 0;
        snprintf(out->profile, sizeof(out->profile), "%s", profile ? profile : "");
        if (g->credentials_file && setenv("AWS_SHARED_CREDENTIALS_FILE", g->credentials_file, 1) < 0)
            rc = -errno;
    }
out:
    OPENSSL_cleanse(plan, sizeof(*plan));
    free(plan);
    return rc;
}

int ur_cli_creds_resolve(const struct ur_cli_global *g, struct ur_cli_creds *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    struct s_env env = {.credentials_file = g->credentials_file};
    struct ur_awscfg *cfg = ur_awscfg_new();
    if (!cfg) return snprintf(err, errlen, "out of memory"), -ENOMEM;
    char why[512] = "";
    int rc = ur_awscfg_load(cfg, s_getenv, &env, why, sizeof(why));
    if (rc < 0) {
        snprintf(err, errlen, "no credentials: shared files: %s", why);
        rc = rc == -ENOMEM ? rc : -EINVAL;
        goto out;
    }
    if ((rc = s_credentials(g, cfg, &env, out, err, errlen)) < 0) goto out;

    const char *profile = ur_awscfg_profile_name(g->profile, s_getenv, &env), *from = "";
    if ((rc = ur_awscfg_region(NULL, s_getenv, &env, cfg, profile, out->region, sizeof(out->region), &from)) <
        0) {
        snprintf(err, errlen, "bad region from %s", from ? from : "the configuration");
        goto out;
    }
    snprintf(out->region_from, sizeof(out->region_from), "%s", from ? from : "");
    from = "";
    if ((rc = ur_awscfg_endpoint_url("s3", g->endpoint_url, s_getenv, &env, cfg, profile, out->endpoint_url,
                                     sizeof(out->endpoint_url), &from)) < 0) {
        snprintf(err, errlen, "endpoint URL too long (from %s)", from ? from : "the configuration");
        goto out;
    }
    snprintf(out->endpoint_from, sizeof(out->endpoint_from), "%s", from ? from : "");
out:
    if (rc < 0) OPENSSL_cleanse(&out->creds, sizeof(out->creds));
    ur_awscfg_free(cfg);
    return rc;
}
