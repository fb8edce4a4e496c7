/* s3/region.c — region, endpoint URL and STS endpoint resolution in the SDKs' order, and bucket-region
 * redirects (see region.h). */
#include "s3/region.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "s3/error.h"
#include "s3/xml.h"

bool ur_s3_region_ok(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n > 63) return false;
    for (size_t i = 0; i < n; i++)
        if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9') || r[i] == '-')) return false;
    return true;
}

static int s_copy(char *out, size_t cap, const char *v)
{
    int n = snprintf(out, cap, "%s", v);
    return n < 0 || (size_t)n >= cap ? -ENOSPC : 0;
}

static const char *s_env(ur_getenv_fn env, void *ctx, const char *name)
{
    const char *v = env(ctx, name);
    return v && *v ? v : NULL;
}

int ur_awscfg_region(const char *opt, ur_getenv_fn env, void *ctx, const struct ur_awscfg *cfg,
                     const char *profile, char *out, size_t cap, const char **from)
{
    const char *v = opt && *opt ? opt : NULL, *src = "option";
    if (!v && (v = s_env(env, ctx, "AWS_REGION"))) src = "AWS_REGION";
    if (!v && (v = s_env(env, ctx, "AWS_DEFAULT_REGION"))) src = "AWS_DEFAULT_REGION";
    if (!v && (v = ur_awscfg_get(cfg, profile, "region")) && *v) src = "profile";
    if (!v || !*v) {
        v = "us-east-1";
        src = "default";
    }
    if (from) *from = src;
    if (!ur_s3_region_ok(v)) {
        if (cap) out[0] = '\0';
        return -EINVAL;
    }
    return s_copy(out, cap, v);
}

static bool s_true(const char *v)
{
    return v && strcasecmp(v, "true") == 0;
}

int ur_awscfg_endpoint_url(const char *service, const char *opt, ur_getenv_fn env, void *ctx,
                           const struct ur_awscfg *cfg, const char *profile, char *out, size_t cap,
                           const char **from)
{
    const char *v = NULL, *src = "";
    if (opt && *opt) {
        v = opt;
        src = "option";
    } else if (strcmp(service, "s3") == 0 && (v = s_env(env, ctx, "S3_ENDPOINT_URL"))) {
        src = "S3_ENDPOINT_URL";
    }
    const char *ign = s_env(env, ctx, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    bool ignore = ign ? s_true(ign) : s_true(ur_awscfg_get(cfg, profile, "ignore_configured_endpoint_urls"));
    if (!v && !ignore) {
        char var[64];
        int k = snprintf(var, sizeof(var), "AWS_ENDPOINT_URL_%s", service);
        for (int i = 17; i < k && var[i]; i++)
            var[i] = var[i] == ' ' || var[i] == '-' ? '_' : (char)toupper((unsigned char)var[i]);
        if ((v = s_env(env, ctx, var))) {
            src = strcmp(service, "s3") == 0    ? "AWS_ENDPOINT_URL_S3"
                  : strcmp(service, "sts") == 0 ? "AWS_ENDPOINT_URL_STS"
                                                : "AWS_ENDPOINT_URL_<SERVICE>";
        } else if ((v = s_env(env, ctx, "AWS_ENDPOINT_URL"))) {
            src = "AWS_ENDPOINT_URL";
        }
    }
    if (!v && !ignore) {
        const char *services = ur_awscfg_get(cfg, profile, "services");
        if (services && *services && (v = ur_awscfg_service(cfg, services, service, "endpoint_url")) && *v)
            src = "services section";
        else if ((v = ur_awscfg_get(cfg, profile, "endpoint_url")) && *v)
            src = "profile";
        else
            v = NULL;
    }
    if (from) *from = v ? src : "";
    return s_copy(out, cap, v ? v : "");
}

int ur_awscfg_sts_endpoint(const char *region, ur_getenv_fn env, void *ctx, const struct ur_awscfg *cfg,
                           const char *profile, char *out, size_t cap)
{
    int rc = ur_awscfg_endpoint_url("sts", NULL, env, ctx, cfg, profile, out, cap, NULL);
    if (rc || out[0]) return rc;
    if (!ur_s3_region_ok(region)) return -EINVAL;
    /* The regions that the global endpoint served before regional endpoints became the default. */
    static const char *const legacy[] = {"ap-northeast-1", "ap-south-1",   "ap-southeast-1", "ap-southeast-2",
                                         "aws-global",     "ca-central-1", "eu-central-1",   "eu-north-1",
                                         "eu-west-1",      "eu-west-2",    "eu-west-3",      "sa-east-1",
                                         "us-east-1",      "us-east-2",    "us-west-1",      "us-west-2"};
    const char *mode = s_env(env, ctx, "AWS_STS_REGIONAL_ENDPOINTS");
    if (!mode) mode = ur_awscfg_get(cfg, profile, "sts_regional_endpoints");
    if (mode && strcasecmp(mode, "legacy") == 0)
        for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++)
            if (strcmp(region, legacy[i]) == 0) return s_copy(out, cap, "https://sts.amazonaws.com");
    int n = snprintf(out, cap, "https://sts.%s.amazonaws.com%s", region,
                     strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
    return n < 0 || (size_t)n >= cap ? -ENOSPC : 0;
}

int ur_s3_region_redirect(int status, const char *bucket_region_hdr, const char *body, size_t n,
                          const char *current, char *out, size_t cap)
{
    if (cap) out[0] = '\0';
    if (status >= 200 && status <= 299) return 0;
    char region[64] = "";
    if (bucket_region_hdr && ur_s3_region_ok(bucket_region_hdr)) {
        snprintf(region, sizeof(region), "%s", bucket_region_hdr);
    } else if (body && n) {
        char code[64], msg[8];
        size_t rl;
        const char *r;
        if (ur_s3_error_parse(body, n, code, sizeof(code), msg, sizeof(msg)) != 0) return 0;
        if (strcmp(code, "AuthorizationHeaderMalformed") != 0 && strcmp(code, "PermanentRedirect") != 0 &&
            strcmp(code, "IllegalLocationConstraintException") != 0 && strcmp(code, "TemporaryRedirect") != 0)
            return 0;
        if (!(r = ur_xml_element(body, n, "Region", &rl)) ||
            ur_xml_decode(r, rl, region, sizeof(region)) <= 0 || !ur_s3_region_ok(region))
            return 0;
    }
    if (!region[0] || (current && strcmp(region, current) == 0)) return 0;
    return s_copy(out, cap, region) ? -ENOSPC : 1;
}
