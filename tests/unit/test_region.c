/* tests/unit/test_region.c — region and endpoint in the SDKs' order (option, variables, profile, services
 * section, defaults, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS), the STS endpoint (regional, China, legacy,
 * configured), and bucket-region redirects from status, header and error body. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "s3/region.h"
#include "tests/unit/check.h"

struct env {
    const char *kv[8][2];
};

/* The table the lookup reads: pairs ended by a zeroed one (the last slot stays zero). */
static const char *s_env(void *ctx, const char *name)
{
    return ur_awscfg_table_env(((struct env *)ctx)->kv, name);
}

static struct ur_awscfg *s_cfg(void)
{
    const char *text = "[default]\n"
                       "region = eu-north-1\n"
                       "endpoint_url = http://profile.local\n"
                       "[profile svc]\n"
                       "services = mine\n"
                       "endpoint_url = http://global.local\n"
                       "sts_regional_endpoints = legacy\n"
                       "[profile ign]\n"
                       "endpoint_url = http://ignored.local\n"
                       "ignore_configured_endpoint_urls = true\n"
                       "[profile badregion]\n"
                       "region = EU West\n"
                       "[services mine]\n"
                       "s3 =\n"
                       "  endpoint_url = http://svc-s3.local\n";
    struct ur_awscfg *cfg = ur_awscfg_new();
    char err[128];
    CHECK_EQ_INT(ur_awscfg_parse(cfg, UR_AWSCFG_CONFIG, text, strlen(text), "config", err, sizeof(err)), 0);
    return cfg;
}

static void test_region(void)
{
    struct ur_awscfg *cfg = s_cfg();
    char r[64];
    const char *from;
    struct env e = {{{NULL}}};
    CHECK_EQ_INT(ur_awscfg_region(NULL, s_env, &e, cfg, "svc", r, sizeof(r), &from), 0);
    CHECK_EQ_STR(r, "us-east-1");
    CHECK_EQ_STR(from, "default");
    CHECK_EQ_INT(ur_awscfg_region(NULL, s_env, &e, cfg, "default", r, sizeof(r), &from), 0);
    CHECK_EQ_STR(r, "eu-north-1");
    CHECK_EQ_STR(from, "profile");
    struct env e2 = {{{"AWS_DEFAULT_REGION", "ap-east-1"}}};
    CHECK_EQ_INT(ur_awscfg_region(NULL, s_env, &e2, cfg, "default", r, sizeof(r), &from), 0);
    CHECK_EQ_STR(from, "AWS_DEFAULT_REGION");
    struct env e3 = {{{"AWS_DEFAULT_REGION", "ap-east-1"}, {"AWS_REGION", "sa-east-1"}}};
    CHECK_EQ_INT(ur_awscfg_region(NULL, s_env, &e3, cfg, "default", r, sizeof(r), &from), 0);
    CHECK_EQ_STR(r, "sa-east-1");
    CHECK_EQ_INT(ur_awscfg_region("me-south-1", s_env, &e3, cfg, "default", r, sizeof(r), &from), 0);
    CHECK_EQ_STR(r, "me-south-1");
    CHECK_EQ_STR(from, "option");
    CHECK_EQ_INT(ur_awscfg_region(NULL, s_env, &e, cfg, "badregion", r, sizeof(r), &from), -EINVAL);
    CHECK_EQ_INT(ur_awscfg_region(NULL, s_env, &e, NULL, "x", r, 4, &from), -ENOSPC);
    ur_awscfg_free(cfg);
}

static void test_endpoint(void)
{
    struct ur_awscfg *cfg = s_cfg();
    char u[128];
    const char *from;
    struct env none = {{{NULL}}};
    struct env all = {{{"S3_ENDPOINT_URL", "http://s5cmd.local"},
                       {"AWS_ENDPOINT_URL_S3", "http://env-s3.local"},
                       {"AWS_ENDPOINT_URL", "http://env-all.local"},
                       {"AWS_ENDPOINT_URL_STS", "http://env-sts.local"}}};
    CHECK_EQ_INT(
        ur_awscfg_endpoint_url("s3", "http://opt.local", s_env, &all, cfg, "svc", u, sizeof(u), &from), 0);
    CHECK_EQ_STR(u, "http://opt.local");
    CHECK_EQ_INT(ur_awscfg_endpoint_url("s3", NULL, s_env, &all, cfg, "svc", u, sizeof(u), &from), 0);
    CHECK_EQ_STR(from, "S3_ENDPOINT_URL");
    all.kv[0][0] = "unused";
    CHECK_EQ_INT(ur_awscfg_endpoint_url("s3", NULL, s_env, &all, cfg, "svc", u, sizeof(u), &from), 0);
    CHECK_EQ_STR(u, "http://env-s3.local");
    CHECK_EQ_STR(from, "AWS_ENDPOINT_URL_S3");
    CHECK_EQ_INT(ur_awscfg_endpoint_url("sts", NULL, s_env, &all, cfg, "svc", u, sizeof(u), &from), 0);
    CHECK_EQ_STR(u, "http://env-sts.local");
    all.kv[1][0] = "unused";
    CHECK_EQ_INT(ur_awscfg_endpoint_url("s3", NULL, s_env, &all, cfg, "svc", u, sizeof(u), &from), 0);
    CHECK_EQ_STR(u, "http://env-all.local");
    CHECK_EQ_STR(from, "AWS_ENDPOINT_URL");
    CHECK_EQ_INT(ur_awscfg_endpoint_url("s3", NULL, s_env, &none, cfg, "svc", u, sizeof(u), &from), 0);
    CHECK_EQ_STR(u, "http://svc-s3.local");
    CHECK_EQ_STR(from, "services section");
    CHECK_EQ_INT(ur_awscfg_endpoint_url("sts", NULL, s_env, &none, cfg, "svc", u, sizeof(u), &from), 0);
    CHECK_EQ_STR(u, "http://global.local"); /* no sts in the services section: the profile's */
    CHECK_EQ_STR(from, "profile");
    CHECK_EQ_INT(ur_awscfg_endpoint_url("s3", NULL, s_env, &none, cfg, "ign", u, sizeof(u), &from), 0);
    CHECK_EQ_STR(u, "");
    CHECK_EQ_STR(from, "");
    struct env ign = {{{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"},
                       {"AWS_ENDPOINT_URL", "http://env-all.local"},
                       {"S3_ENDPOINT_URL", "http://s5cmd.local"}}};
    CHECK_EQ_INT(ur_awscfg_endpoint_url("sts", NULL, s_env, &ign, cfg, "default", u, sizeof(u), &from), 0);
    CHECK_EQ_STR(u, "");
    CHECK_EQ_INT(ur_awscfg_endpoint_url("s3", NULL, s_env, &ign, cfg, "default", u, sizeof(u), &from), 0);
    CHECK_EQ_STR(u, "http://s5cmd.local"); /* s5cmd's variable is taken like an option */
    CHECK_EQ_INT(ur_awscfg_endpoint_url("s3", NULL, s_env, &none, NULL, "default", u, sizeof(u), &from), 0);
    CHECK_EQ_STR(u, "");
    CHECK_EQ_INT(ur_awscfg_endpoint_url("s3", "http://a-long-url", s_env, &none, NULL, "d", u, 8, &from),
                 -ENOSPC);

    CHECK_EQ_INT(ur_awscfg_sts_endpoint("eu-west-3", s_env, &none, cfg, "ign", u, sizeof(u)), 0);
    CHECK_EQ_STR(u, "https://sts.eu-west-3.amazonaws.com");
    CHECK_EQ_INT(ur_awscfg_sts_endpoint("cn-north-1", s_env, &none, NULL, "x", u, sizeof(u)), 0);
    CHECK_EQ_STR(u, "https://sts.cn-north-1.amazonaws.com.cn");
    struct env legacy = {{{"AWS_STS_REGIONAL_ENDPOINTS", "legacy"}}};
    CHECK_EQ_INT(ur_awscfg_sts_endpoint("us-west-2", s_env, &legacy, NULL, "x", u, sizeof(u)), 0);
    CHECK_EQ_STR(u, "https://sts.amazonaws.com");
    CHECK_EQ_INT(ur_awscfg_sts_endpoint("af-south-1", s_env, &legacy, NULL, "x", u, sizeof(u)), 0);
    CHECK_EQ_STR(u, "https://sts.af-south-1.amazonaws.com");
    CHECK_EQ_INT(ur_awscfg_sts_endpoint("us-east-1", s_env, &none, cfg, "default", u, sizeof(u)), 0);
    CHECK_EQ_STR(u, "http://profile.local");
    CHECK_EQ_INT(ur_awscfg_sts_endpoint("bad region", s_env, &none, NULL, "x", u, sizeof(u)), -EINVAL);
    ur_awscfg_free(cfg);
}

static void test_redirect(void)
{
    char r[64];
    const char *ahm =
        "<?xml version=\"1.0\"?><Error><Code>AuthorizationHeaderMalformed</Code><Message>the region "
        "'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>";
    const char *perm =
        "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be "
        "addressed using the specified endpoint.</Message><Endpoint>b.s3.eu-west-2.amazonaws.com"
        "</Endpoint><Bucket>b</Bucket></Error>";
    const char *denied = "<Error><Code>AccessDenied</Code><Region>eu-west-1</Region></Error>";
    CHECK_EQ_INT(ur_s3_region_redirect(400, NULL, ahm, strlen(ahm), "us-east-1", r, sizeof(r)), 1);
    CHECK_EQ_STR(r, "eu-west-1");
    CHECK_EQ_INT(ur_s3_region_redirect(400, NULL, ahm, strlen(ahm), "eu-west-1", r, sizeof(r)), 0);
    CHECK_EQ_INT(ur_s3_region_redirect(301, "eu-west-2", perm, strlen(perm), "us-east-1", r, sizeof(r)), 1);
    CHECK_EQ_STR(r, "eu-west-2");
    CHECK_EQ_INT(ur_s3_region_redirect(301, NULL, perm, strlen(perm), "us-east-1", r, sizeof(r)), 0);
    CHECK_EQ_INT(ur_s3_region_redirect(301, NULL, NULL, 0, "us-east-1", r, sizeof(r)), 0); /* HEAD: no body */
    CHECK_EQ_INT(ur_s3_region_redirect(301, "ap-south-2", NULL, 0, "us-east-1", r, sizeof(r)), 1);
    CHECK_EQ_INT(ur_s3_region_redirect(403, "ca-west-1", NULL, 0, "us-east-1", r, sizeof(r)), 1);
    CHECK_EQ_INT(ur_s3_region_redirect(200, "ca-west-1", NULL, 0, "us-east-1", r, sizeof(r)), 0);
    CHECK_EQ_INT(ur_s3_region_redirect(403, NULL, denied, strlen(denied), "us-east-1", r, sizeof(r)), 0);
    CHECK_EQ_INT(ur_s3_region_redirect(301, "evil.example.com/x", NULL, 0, "us-east-1", r, sizeof(r)), 0);
    CHECK_EQ_INT(ur_s3_region_redirect(301, "eu-central-2", NULL, 0, NULL, r, 4), -ENOSPC);
    CHECK(ur_s3_region_ok("us-gov-west-1"));
    CHECK(!ur_s3_region_ok(""));
    CHECK(!ur_s3_region_ok("US-EAST-1"));
}

int main(void)
{
    test_region();
    test_endpoint();
    test_redirect();
    return CHECK_DONE();
}
