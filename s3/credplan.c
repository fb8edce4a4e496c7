/* s3/credplan.c — the credential source decision (see credplan.h): the default chain over the
 * environment and the shared files, profile chains with cycle detection, and the container URL rules.
 * Messages name variables, profiles and files, never a value that could be a secret. */
#include "s3/credplan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "s3/url.h"

const char *ur_creds_source_name(enum ur_creds_source s)
{
    static const char *const names[] = {"none",
                                        "no signing",
                                        "options",
                                        "environment",
                                        "profile",
                                        "credential_process",
                                        "web identity",
                                        "container endpoint",
                                        "instance metadata"};
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "none";
}

static int s_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int s_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static void s_tried(struct ur_creds_plan *plan, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_tried(struct ur_creds_plan *plan, const char *fmt, ...)
{
    size_t o = strlen(plan->tried);
    if (o && o + 2 < sizeof(plan->tried))
        o += (size_t)snprintf(plan->tried + o, sizeof(plan->tried) - o, "; ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(plan->tried + o, sizeof(plan->tried) - o, fmt, ap);
    va_end(ap);
}

static const char *s_env(ur_getenv_fn env, void *ctx, const char *name)
{
    const char *v = env(ctx, name);
    return v && *v ? v : NULL;
}

static const char *s_get(const struct ur_awscfg *cfg, const char *p, const char *key)
{
    const char *v = ur_awscfg_get(cfg, p, key);
    return v && *v ? v : NULL;
}

static bool s_put(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n >= cap) return false;
    memcpy(dst, v, n + 1);
    return true;
}

/* Keys from three named values (env or profile). 0, -ENOENT (no access key), -EINVAL (partial, too long). */
static int s_keys(struct ur_creds *k, const char *src, const char *const names[3], const char *const vals[3],
                  char *err, size_t errlen)
{
    if (!vals[0] && !vals[1]) return -ENOENT;
    for (int i = 0; i < 2; i++)
        if (!vals[i])
            return s_fail(err, errlen, -EINVAL, "%s: %s is set but %s is not", src, names[1 - i], names[i]);
    if (!s_put(k->access_key, sizeof(k->access_key), vals[0]) ||
        !s_put(k->secret_key, sizeof(k->secret_key), vals[1]) ||
        !s_put(k->session_token, sizeof(k->session_token), vals[2] ? vals[2] : "")) {
        OPENSSL_cleanse(k, sizeof(*k));
        return s_fail(err, errlen, -EINVAL, "%s: a key or token is too long", src);
    }
    return 0;
}

static int s_env_keys(ur_getenv_fn env, void *ctx, struct ur_creds *k, const char *src, char *err,
                      size_t errlen)
{
    static const char *const names[3] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"};
    const char *vals[3] = {s_env(env, ctx, names[0]), s_env(env, ctx, names[1]), s_env(env, ctx, names[2])};
    return s_keys(k, src, names, vals, err, errlen);
}

static int s_profile_keys(const struct ur_awscfg *cfg, const char *p, struct ur_creds *k, char *err,
                          size_t errlen)
{
    static const char *const names[3] = {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"};
    const char *vals[3];
    for (int i = 0; i < 3; i++) {
        vals[i] = ur_awscfg_get(cfg, p, names[i]);
        if (vals[i] && !*vals[i]) vals[i] = NULL;
    }
    char src[160];
    snprintf(src, sizeof(src), "profile %s", p);
    return s_keys(k, src, names, vals, err, errlen);
}

int ur_creds_container_url_ok(const char *url, const char **why)
{
    struct ur_s3_url u;
    if (ur_s3_url_parse(url, false, &u, why)) return -EINVAL;
    if (u.tls || ur_s3_host_is_loopback(u.host)) return 0;
    /* The link-local hosts of the ECS agent (169.254.170.2) and the EKS Pod Identity agent
     * (169.254.170.23, fd00:ec2::23): the hosts the current AWS SDKs accept over plain http. */
    static const uint8_t ecs[4] = {169, 254, 170, 2}, eks4[4] = {169, 254, 170, 23},
                         eks6[16] = {0xfd, 0x00, 0x0e, 0xc2, [15] = 0x23};
    uint8_t a[16];
    int fam = ur_s3_ip_parse(u.host, a);
    if ((fam == 4 && (!memcmp(a, ecs, 4) || !memcmp(a, eks4, 4))) || (fam == 6 && !memcmp(a, eks6, 16)))
        return 0;
    if (why)
        *why = "plain http is allowed only to a loopback host, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 "
               "(use https)";
    return -EACCES;
}

int ur_creds_container_token(const char *text, size_t n, char *out, size_t cap)
{
    if (cap) out[0] = '\0';
    while (n && strchr(" \t\r\n", text[n - 1]))
        n--;
    if (n == 0 || memchr(text, '\r', n) || memchr(text, '\n', n) || memchr(text, '\0', n)) return -EINVAL;
    if (n >= cap) return -ENOSPC;
    memcpy(out, text, n);
    out[n] = '\0';
    return 0;
}

static int s_container(ur_getenv_fn env, void *ctx, struct ur_creds_plan *plan, char *err, size_t errlen)
{
    const char *rel = s_env(env, ctx, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = s_env(env, ctx, "AWS_CONTAINER_CREDENTIALS_FULL_URI"), *why = NULL;
    if (rel) {
        int n = snprintf(plan->container.url, sizeof(plan->container.url), "http://169.254.170.2%s%s",
                         rel[0] == '/' ? "" : "/", rel);
        struct ur_s3_url u;
        if (n < 0 || (size_t)n >= sizeof(plan->container.url) ||
            ur_s3_url_parse(plan->container.url, false, &u, &why))
            return s_fail(err, errlen, -EINVAL,
                          "container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not "
                          "a usable path (%s)",
                          why ? why : "too long");
    } else if (full) {
        if (ur_creds_container_url_ok(full, &why))
            return s_fail(err, errlen, -EINVAL,
                          "container endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI refused: %s", why);
        if (!s_put(plan->container.url, sizeof(plan->container.url), full))
            return s_fail(err, errlen, -EINVAL,
                          "container endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI is too long");
    } else {
        return -ENOENT;
    }
    const char *file = s_env(env, ctx, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *tok = s_env(env, ctx, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    if (file && !s_put(plan->container.token_file, sizeof(plan->container.token_file), file))
        return s_fail(err, errlen, -EINVAL,
                      "container endpoint: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE is too long");
    if (!file && tok &&
        ur_creds_container_token(tok, strlen(tok), plan->container.token, sizeof(plan->container.token)))
        return s_fail(err, errlen, -EINVAL,
                      "container endpoint: AWS_CONTAINER_AUTHORIZATION_TOKEN is empty, too "
                      "long or holds a line break");
    plan->source = UR_CREDS_SRC_CONTAINER;
    return 0;
}

/* The IMDS endpoint; -ENOENT when instance metadata is disabled. */
static int s_imds(ur_getenv_fn env, void *ctx, const struct ur_awscfg *cfg, const char *profile,
                  struct ur_creds_plan *plan, char *err, size_t errlen)
{
    const char *off = s_env(env, ctx, "AWS_EC2_METADATA_DISABLED");
    if (off && strcasecmp(off, "true") == 0) return -ENOENT;
    const char *ep = s_env(env, ctx, "AWS_EC2_METADATA_SERVICE_ENDPOINT"),
               *what = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
    if (!ep) {
        ep = s_get(cfg, profile, "ec2_metadata_service_endpoint");
        what = "ec2_metadata_service_endpoint";
    }
    if (!ep) {
        const char *mode = s_env(env, ctx, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
        if (!mode) mode = s_get(cfg, profile, "ec2_metadata_service_endpoint_mode");
        ep = mode && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
    }
    struct ur_s3_url u;
    const char *why = NULL;
    size_t n = strlen(ep);
    while (n > 0 && ep[n - 1] == '/')
        n--;
    if (ur_s3_url_parse(ep, false, &u, &why) || n >= sizeof(plan->imds_endpoint))
        return s_fail(err, errlen, -EINVAL, "instance metadata: %s is not a usable URL (%s)", what,
                      why ? why : "too long");
    memcpy(plan->imds_endpoint, ep, n);
    plan->imds_endpoint[n] = '\0';
    plan->source = UR_CREDS_SRC_IMDS;
    return 0;
}

static bool s_charset(const char *v, const char *extra)
{
    for (; *v; v++)
        if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
              strchr(extra, *v)))
            return false;
    return true;
}

/* A role step from profile p's role_arn, role_session_name, external_id, duration_seconds (or from the
 * environment when p is NULL: arn and session given). */
static int s_role(struct ur_creds_role *r, const char *p, const char *arn, const char *session,
                  const char *ext, const char *dur, char *err, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    const char *src = p ? p : "environment";
    const char *kind = p ? "profile " : "";
    snprintf(r->profile, sizeof(r->profile), "%s", p ? p : "");
    if (!s_put(r->arn, sizeof(r->arn), arn) || strncmp(arn, "arn:", 4) != 0)
        return s_fail(err, errlen, -EINVAL, "%s%s: the role ARN is not an ARN (arn:…) or is too long", kind,
                      src);
    if (session && *session &&
        (!s_put(r->session_name, sizeof(r->session_name), session) || strlen(session) < 2 ||
         !s_charset(session, "_+=,.@-")))
        return s_fail(err, errlen, -EINVAL,
                      "%s%s: the role session name must be 2 to 64 of A-Z a-z 0-9 _+=,.@-", kind, src);
    if (ext && *ext &&
        (!s_put(r->external_id, sizeof(r->external_id), ext) || strlen(ext) < 2 ||
         !s_charset(ext, "_+=,.@:/-")))
        return s_fail(err, errlen, -EINVAL, "%s%s: external_id must be 2 to 1224 of A-Z a-z 0-9 _+=,.@:/-",
                      kind, src);
    if (dur && *dur) {
        unsigned long d = 0;
        size_t i = 0;
        for (; dur[i] >= '0' && dur[i] <= '9' && i < 6; i++)
            d = d * 10 + (unsigned long)(dur[i] - '0');
        if (dur[i] || d < 900 || d > 43200)
            return s_fail(err, errlen, -EINVAL, "%s%s: duration_seconds must be 900 to 43200", kind, src);
        r->duration_s = (unsigned)d;
    }
    return 0;
}

static int s_web_identity(struct ur_creds_plan *plan, const char *p, const char *file, const char *arn,
                          const char *session, const char *dur, char *err, size_t errlen)
{
    if (!s_put(plan->web.token_file, sizeof(plan->web.token_file), file))
        return s_fail(err, errlen, -EINVAL, "web identity: the token file's path is too long");
    int rc = s_role(&plan->web.role, p, arn, session, NULL, dur, err, errlen);
    if (rc) return rc;
    plan->source = UR_CREDS_SRC_WEB_IDENTITY;
    return 0;
}

/* credential_source = Environment | Ec2InstanceMetadata | EcsContainer, for the role of profile p. */
static int s_named_source(const char *cs, const char *p, ur_getenv_fn env, void *ctx,
                          const struct ur_awscfg *cfg, struct ur_creds_plan *plan, char *err, size_t errlen)
{
    int rc;
    char src[200];
    snprintf(src, sizeof(src), "profile %s: credential_source %s", p, cs);
    if (strcasecmp(cs, "Environment") == 0) {
        rc = s_env_keys(env, ctx, &plan->keys, src, err, errlen);
        if (rc == -ENOENT) return s_fail(err, errlen, -EINVAL, "%s: AWS_ACCESS_KEY_ID is not set", src);
        if (!rc) plan->source = UR_CREDS_SRC_ENV;
        return rc;
    }
    if (strcasecmp(cs, "Ec2InstanceMetadata") == 0) {
        rc = s_imds(env, ctx, cfg, p, plan, err, errlen);
        return rc == -ENOENT ? s_fail(err, errlen, -EINVAL, "%s: AWS_EC2_METADATA_DISABLED is true", src)
                             : rc;
    }
    if (strcasecmp(cs, "EcsContainer") == 0) {
        rc = s_container(env, ctx, plan, err, errlen);
        return rc == -ENOENT ? s_fail(err, errlen, -EINVAL,
                                      "%s: no AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or "
                                      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                      src)
                             : rc;
    }
    return s_fail(err, errlen, -EINVAL,
                  "%s: unknown (expected Environment, Ec2InstanceMetadata or EcsContainer)", src);
}

int ur_creds_profile_plan(const struct ur_awscfg *cfg, const char *profile, ur_getenv_fn env, void *ctx,
                          struct ur_creds_plan *plan, char *err, size_t errlen)
{
    const char *visited[UR_CREDS_MAX_ROLES + 1];
    size_t nv = 0;
    const char *p = profile;
    int rc = 0;
    plan->nroles = 0;
    for (;;) {
        if (!ur_awscfg_has_profile(cfg, p)) {
            if (nv == 0)
                return s_fail(err, errlen, -ENOENT,
                              "profile %s: not found in the shared config or "
                              "credentials file",
                              p);
            return s_fail(err, errlen, -EINVAL, "profile %s: its source_profile %s does not exist",
                          visited[nv - 1], p);
        }
        for (size_t i = 0; i < nv; i++)
            if (strcmp(visited[i], p) == 0)
                return s_fail(err, errlen, -EINVAL, "profile %s: source_profile chain loops back to %s",
                              profile, p);
        if (nv == UR_CREDS_MAX_ROLES + 1)
            return s_fail(err, errlen, -EINVAL, "profile %s: more than %d source_profile steps", profile,
                          UR_CREDS_MAX_ROLES);
        visited[nv++] = p;
        snprintf(plan->profile, sizeof(plan->profile), "%s", p);
        bool has_static = s_get(cfg, p, "aws_access_key_id") || s_get(cfg, p, "aws_secret_access_key");
        const char *role = s_get(cfg, p, "role_arn"), *wit = s_get(cfg, p, "web_identity_token_file");
        /* A source profile's static keys win over its own role (botocore, Go and Rust agree). */
        if (nv > 1 && has_static) break;
        if (role) {
            if (s_get(cfg, p, "mfa_serial"))
                return s_fail(err, errlen, -EINVAL,
                              "profile %s: mfa_serial needs a code typed in; urestore cannot "
                              "prompt for one",
                              p);
            if (wit) {
                rc = s_web_identity(plan, p, wit, role, s_get(cfg, p, "role_session_name"),
                                    s_get(cfg, p, "duration_seconds"), err, errlen);
                if (rc) return rc;
                goto done;
            }
            const char *sp = s_get(cfg, p, "source_profile"), *cs = s_get(cfg, p, "credential_source");
            if (sp && cs)
                return s_fail(err, errlen, -EINVAL,
                              "profile %s: has both source_profile and credential_source", p);
            if (!sp && !cs)
                return s_fail(err, errlen, -EINVAL,
                              "profile %s: role_arn needs source_profile or credential_source", p);
            if (plan->nroles == UR_CREDS_MAX_ROLES)
                return s_fail(err, errlen, -EINVAL, "profile %s: more than %d roles to assume", profile,
                              UR_CREDS_MAX_ROLES);
            rc = s_role(&plan->roles[plan->nroles], p, role, s_get(cfg, p, "role_session_name"),
                        s_get(cfg, p, "external_id"), s_get(cfg, p, "duration_seconds"), err, errlen);
            if (rc) return rc;
            plan->nroles++;
            if (cs) {
                rc = s_named_source(cs, p, env, ctx, cfg, plan, err, errlen);
                if (rc) return rc;
                goto done;
            }
            if (strcmp(sp, p) == 0) { /* its own keys sign its role */
                if (!has_static)
                    return s_fail(err, errlen, -EINVAL,
                                  "profile %s: source_profile is itself but it has no "
                                  "aws_access_key_id",
                                  p);
                break;
            }
            p = sp;
            continue;
        }
        if (wit) return s_fail(err, errlen, -EINVAL, "profile %s: web_identity_token_file needs role_arn", p);
        if (has_static) break;
        const char *cp = s_get(cfg, p, "credential_process");
        if (cp) {
            if (!s_put(plan->process, sizeof(plan->process), cp))
                return s_fail(err, errlen, -EINVAL, "profile %s: credential_process is too long", p);
            plan->source = UR_CREDS_SRC_PROCESS;
            goto done;
        }
        if (s_get(cfg, p, "sso_session") || s_get(cfg, p, "sso_start_url"))
            return s_fail(err, errlen, -EINVAL,
                          "profile %s: SSO profiles are not supported (use `aws configure "
                          "export-credentials` as a credential_process)",
                          p);
        if (nv == 1)
            return s_fail(err, errlen, -ENODATA,
                          "profile %s: no credentials in it (no keys, role_arn, "
                          "credential_process or web_identity_token_file)",
                          p);
        return s_fail(err, errlen, -EINVAL, "profile %s: its source_profile %s has no credentials",
                      visited[nv - 2], p);
    }
    rc = s_profile_keys(cfg, p, &plan->keys, err, errlen);
    if (rc)
        return rc == -ENOENT ? s_fail(err, errlen, -EINVAL, "profile %s: aws_access_key_id is not set", p)
                             : rc;
    plan->source = UR_CREDS_SRC_PROFILE;
done:
    /* Collected from the named profile inwards; applied from the base outwards. */
    for (size_t i = 0; i < plan->nroles / 2; i++) {
        struct ur_creds_role tmp = plan->roles[i];
        plan->roles[i] = plan->roles[plan->nroles - 1 - i];
        plan->roles[plan->nroles - 1 - i] = tmp;
    }
    return 0;
}

int ur_creds_chain_plan(const struct ur_creds_chain_in *in, struct ur_creds_plan *plan, char *err,
                        size_t errlen)
{
    memset(plan, 0, sizeof(*plan));
    if (err && errlen) err[0] = '\0';
    if (in->no_sign_request) {
        plan->source = UR_CREDS_SRC_ANONYMOUS;
        plan->keys.anonymous = true;
        return 0;
    }
    if (in->explicit_keys && in->explicit_keys->access_key[0]) {
        plan->keys = *in->explicit_keys;
        plan->source = UR_CREDS_SRC_EXPLICIT;
        return 0;
    }
    ur_getenv_fn env = in->env ? in->env : ur_awscfg_process_env;
    void *ctx = in->env_ctx;
    bool opt_profile = in->profile && *in->profile;
    bool env_profile = !opt_profile && s_env(env, ctx, "AWS_PROFILE");
    const char *profile = ur_awscfg_profile_name(in->profile, env, ctx);
    int rc;

    /* --profile replaces the environment's keys (botocore drops its env provider; Go loads the profile
     * first); AWS_PROFILE does not: keys in the environment still win over it. */
    if (!opt_profile) {
        rc = s_env_keys(env, ctx, &plan->keys, "environment", err, errlen);
        if (rc != -ENOENT) {
            if (!rc) plan->source = UR_CREDS_SRC_ENV;
            return rc;
        }
        s_tried(plan, "environment: AWS_ACCESS_KEY_ID not set");
    }

    /* A profile that exists but configures no credentials (only a region, say) lets the chain go on to
     * web identity, the container and IMDS, as in the SDKs; a named profile that does not exist stops it. */
    rc = ur_creds_profile_plan(in->cfg, profile, env, ctx, plan, err, errlen);
    if (rc == 0 || rc == -EINVAL) return rc;
    if (rc == -ENOENT && (opt_profile || env_profile)) return -EINVAL;
    memset(plan->roles, 0, sizeof(plan->roles));
    plan->nroles = 0;
    plan->profile[0] = '\0';
    if (err && errlen) err[0] = '\0';
    s_tried(plan, "profile %s: %s", profile, rc == -ENOENT ? "not found" : "no credentials in it");

    const char *wit = s_env(env, ctx, "AWS_WEB_IDENTITY_TOKEN_FILE");
    if (wit) {
        const char *arn = s_env(env, ctx, "AWS_ROLE_ARN");
        if (!arn)
            return s_fail(err, errlen, -EINVAL,
                          "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but "
                          "AWS_ROLE_ARN is not");
        return s_web_identity(plan, NULL, wit, arn, s_env(env, ctx, "AWS_ROLE_SESSION_NAME"), NULL, err,
                              errlen);
    }
    s_tried(plan, "web identity: AWS_WEB_IDENTITY_TOKEN_FILE not set");

    rc = s_container(env, ctx, plan, err, errlen);
    if (rc != -ENOENT) return rc;
    s_tried(plan, "container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI not set");

    rc = s_imds(env, ctx, in->cfg, profile, plan, err, errlen);
    if (rc != -ENOENT) return rc;
    s_tried(plan, "instance metadata: AWS_EC2_METADATA_DISABLED is true");
    return s_fail(err, errlen, -ENOENT, "no credentials found (%s)", plan->tried);
}
