/* s3/credplan.h — which credential source to use, decided as the AWS SDKs decide it, as a *plan* the
 * engine carries out: a base source (keys at hand, a process to run, an HTTP endpoint to ask) followed by
 * zero or more STS AssumeRole steps. Pure: the environment comes through a lookup function and the shared
 * files come parsed, so the whole decision is table-testable. Nothing here talks to the network or runs
 * a process.
 *
 * The default chain (ur_creds_chain_plan), first match wins:
 *   1. --no-sign-request; explicit keys (options).
 *   2. --profile given as an option: the environment's keys are skipped (botocore and the Go SDK agree).
 *   3. Environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN).
 *   4. The profile ($AWS_PROFILE, else "default") in the shared files: role_arn + source_profile /
 *      credential_source, web_identity_token_file + role_arn, static keys, credential_process. A profile
 *      named by --profile or AWS_PROFILE must exist; one that holds no credentials (only a region, say), or
 *      an absent "default", lets the chain go on.
 *   5. Web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME) (EKS IRSA).
 *   6. Container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (http://169.254.170.2 + it), else
 *      AWS_CONTAINER_CREDENTIALS_FULL_URI; Authorization from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
 *      (re-read on every fetch) else AWS_CONTAINER_AUTHORIZATION_TOKEN.
 *   7. EC2 instance metadata (IMDSv2) unless AWS_EC2_METADATA_DISABLED=true.
 * (The SDKs differ on 4 vs 5: Rust and this order put the profile first, Go puts env web identity first.) */
#ifndef UR_S3_CREDPLAN_H
#define UR_S3_CREDPLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "s3/awscfg.h"
#include "s3/sigv4.h"
#include "s3/sts.h"

#define UR_CREDS_MAX_ROLES 8 /* AssumeRole steps in one chain of profiles; longer chains are refused */

enum ur_creds_source {
    UR_CREDS_SRC_NONE = 0,
    UR_CREDS_SRC_ANONYMOUS,    /* --no-sign-request: sign nothing */
    UR_CREDS_SRC_EXPLICIT,     /* keys given as options: plan.keys */
    UR_CREDS_SRC_ENV,          /* plan.keys from AWS_ACCESS_KEY_ID … */
    UR_CREDS_SRC_PROFILE,      /* static keys of plan.profile: plan.keys */
    UR_CREDS_SRC_PROCESS,      /* run plan.process with /bin/sh -c, parse with ur_creds_parse_process */
    UR_CREDS_SRC_WEB_IDENTITY, /* read plan.web.token_file, STS AssumeRoleWithWebIdentity for plan.web.role */
    UR_CREDS_SRC_CONTAINER,    /* GET plan.container.url, parse with ur_creds_parse_container */
    UR_CREDS_SRC_IMDS,         /* IMDSv2 at plan.imds_endpoint, parse with ur_creds_parse_imds */
};

/* A short name for logs and messages: "environment", "profile", "credential_process", "web identity",
 * "container endpoint", "instance metadata", … */
const char *ur_creds_source_name(enum ur_creds_source s);

struct ur_creds_plan {
    enum ur_creds_source source;
    char profile[128];    /* the profile the base source came from; "" when not from a profile */
    struct ur_creds keys; /* EXPLICIT, ENV, PROFILE */
    char process[4096];   /* PROCESS: the command line */
    struct {
        char token_file[4096]; /* re-read on every refresh: the token rotates */
        struct ur_creds_role role;
    } web;
    struct {
        char url[2048];        /* the full URL to GET */
        char token[4096];      /* the Authorization header's value; "" when none or from a file */
        char token_file[4096]; /* read it (trimmed) for each fetch; wins over token */
    } container;
    char imds_endpoint[256]; /* "http://169.254.169.254" unless configured; no trailing slash */
    size_t nroles;           /* AssumeRole steps after the base, in order: roles[0] signed with the base */
    struct ur_creds_role roles[UR_CREDS_MAX_ROLES];
    char tried[512]; /* the sources passed over and why ("environment: not set; profile default: …") */
};

struct ur_creds_chain_in {
    bool no_sign_request;
    const struct ur_creds *explicit_keys; /* NULL when none */
    const char *profile;                  /* --profile; NULL or "": $AWS_PROFILE, else "default" */
    ur_getenv_fn env;
    void *env_ctx;
    const struct ur_awscfg *cfg; /* the parsed shared files; NULL: none */
};

/* The default chain above. Returns 0 with plan filled; -ENOENT when no source is available (only when
 * instance metadata is disabled; err lists what was tried); -EINVAL for a configuration that cannot work
 * (a profile named by AWS_PROFILE or --profile that does not exist, AWS_ACCESS_KEY_ID without a secret,
 * a role_arn with neither source_profile nor credential_source, a source_profile cycle, a container URL
 * the SDKs refuse, mfa_serial, SSO …), with a message naming the source and the reason in err. */
int ur_creds_chain_plan(const struct ur_creds_chain_in *in, struct ur_creds_plan *plan, char *err,
                        size_t errlen);

/* Resolves one profile of the shared files (as for --profile): its base source and role chain. Returns 0,
 * -ENODATA (the profile exists but configures no credentials), -ENOENT (no such profile) or -EINVAL. */
int ur_creds_profile_plan(const struct ur_awscfg *cfg, const char *profile, ur_getenv_fn env, void *ctx,
                          struct ur_creds_plan *plan, char *err, size_t errlen);

/* Whether a container credentials URL may be used (AWS_CONTAINER_CREDENTIALS_FULL_URI), as the current SDKs
 * decide: https to any host; plain http only to a loopback host (127.0.0.0/8, ::1, "localhost") or the
 * ECS/EKS link-local hosts 169.254.170.2, 169.254.170.23 and fd00:ec2::23. Returns 0 or -EACCES/-EINVAL
 * with the reason in *why (static). */
int ur_creds_container_url_ok(const char *url, const char **why);

/* The Authorization value from a token file's contents: trailing blanks and newlines cut; -EINVAL when it
 * is empty or holds a CR or LF inside (it would inject a header). out gets a NUL-terminated copy. */
int ur_creds_container_token(const char *text, size_t n, char *out, size_t cap);

#endif
