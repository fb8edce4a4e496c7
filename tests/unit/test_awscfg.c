/* tests/unit/test_awscfg.c — the shared config and credentials files as the SDKs parse them: sections in
 * each file, "[profile default]" over "[default]", comments, whitespace, CRLF, continuation lines and
 * nested "s3 =" sub-properties, services sections, the credentials file winning over the config file,
 * malformed files (with line numbers and no values in messages), file paths from the environment, and
 * loading from disk. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "s3/awscfg.h"
#include "tests/unit/check.h"

static const char *s_env_tab[16][2];

static const char *s_env(void *ctx, const char *name)
{
    (void)ctx;
    for (size_t i = 0; i < 16 && s_env_tab[i][0]; i++)
        if (strcmp(s_env_tab[i][0], name) == 0) return s_env_tab[i][1];
    return NULL;
}

static struct ur_awscfg *s_parse2(const char *config, const char *creds)
{
    struct ur_awscfg *cfg = ur_awscfg_new();
    char err[256];
    if (config)
        CHECK_EQ_INT(ur_awscfg_parse(cfg, UR_AWSCFG_CONFIG, config, strlen(config), "cfg", err, sizeof(err)),
                     0);
    if (creds)
        CHECK_EQ_INT(
            ur_awscfg_parse(cfg, UR_AWSCFG_CREDENTIALS, creds, strlen(creds), "creds", err, sizeof(err)), 0);
    return cfg;
}

static const char *s_or(const char *v)
{
    return v ? v : "(null)";
}

static void test_sections(void)
{
    const char *config = "# top comment\n"
                         "; another\n"
                         "[default]\n"
                         "region = us-west-1\n"
                         "[profile dev]   # a comment after a header\n"
                         "region=eu-central-1\n"
                         "output = json ; trailing comment\n"
                         "url = http://h/#frag\n"
                         "[profile    spaced]\n"
                         "region = ap-south-1\n"
                         "[plain]\n" /* not a profile in the config file */
                         "region = nowhere-1\n"
                         "[sso-session s]\n"
                         "sso_region = x\n"
                         "[profile bad name]\n" /* refused name: ignored with its properties */
                         "region = bad-1\n"
                         "[profile empty]\n";
    const char *creds = "[dev]\r\n"
                        "aws_access_key_id = AKIDDEV\r\n"
                        "region = from-creds-1\r\n"
                        "[profile dev]\n" /* in the credentials file this is not "dev" */
                        "aws_access_key_id = WRONG\n";
    struct ur_awscfg *cfg = s_parse2(config, creds);
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "default", "region")), "us-west-1");
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "dev", "region")), "from-creds-1"); /* credentials file wins */
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "dev", "output")), "json");
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "dev", "url")), "http://h/#frag"); /* '#' without a blank before */
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "dev", "aws_access_key_id")), "AKIDDEV");
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "dev", "REGION")), "from-creds-1"); /* keys ignore case */
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "spaced", "region")), "ap-south-1");
    CHECK(ur_awscfg_get(cfg, "plain", "region") == NULL);
    CHECK(!ur_awscfg_has_profile(cfg, "plain"));
    CHECK(!ur_awscfg_has_profile(cfg, "bad name"));
    CHECK(!ur_awscfg_has_profile(cfg, "s"));
    CHECK(ur_awscfg_has_profile(cfg, "empty"));
    CHECK(!ur_awscfg_has_profile(cfg, "nope"));
    char where[128];
    ur_awscfg_where(cfg, "dev", where, sizeof(where));
    CHECK_EQ_STR(where, "cfg and creds");
    ur_awscfg_where(cfg, "default", where, sizeof(where));
    CHECK_EQ_STR(where, "cfg");
    ur_awscfg_free(cfg);
}

static void test_default_and_repeats(void)
{
    /* "[profile default]" shadows "[default]" in the config file, wherever it appears. */
    struct ur_awscfg *cfg = s_parse2("[default]\nregion = a-1\nonly_bare = x\n"
                                     "[profile default]\nregion = b-1\n",
                                     "[default]\naws_access_key_id = K\n[default]\naws_access_key_id = K2\n");
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "default", "region")), "b-1");
    CHECK(ur_awscfg_get(cfg, "default", "only_bare") == NULL);
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "default", "aws_access_key_id")), "K2"); /* later wins */
    ur_awscfg_free(cfg);

    cfg = s_parse2("[default]\nregion = a-1\n[profile x]\nregion = x-1\n[default]\nregion = a-2\n", NULL);
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "default", "region")), "a-2");
    ur_awscfg_free(cfg);
}

static void test_nested(void)
{
    const char *config = "[profile n]\n"
                         "s3 =\n"
                         "  addressing_style = path\n"
                         "  max_concurrent_requests = 20 # comment\n"
                         "\n"
                         "  # a comment between sub-properties\n"
                         "\tendpoint_url = http://s3.local:9000\n"
                         "long = first\n"
                         "  second line\n"
                         "\tthird ; cut\n"
                         "services = local\n"
                         "endpoint_url = http://all.local\n"
                         "[services local]\n"
                         "s3 =\n"
                         "  endpoint_url = http://svc-s3.local\n"
                         "sts =\n"
                         "  endpoint_url = http://svc-sts.local\n";
    struct ur_awscfg *cfg = s_parse2(config, NULL);
    CHECK_EQ_STR(s_or(ur_awscfg_get_sub(cfg, "n", "s3", "addressing_style")), "path");
    CHECK_EQ_STR(s_or(ur_awscfg_get_sub(cfg, "n", "s3", "max_concurrent_requests")), "20");
    CHECK_EQ_STR(s_or(ur_awscfg_get_sub(cfg, "n", "s3", "endpoint_url")), "http://s3.local:9000");
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "n", "s3")), "");
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "n", "long")), "first\nsecond line\nthird");
    CHECK_EQ_STR(s_or(ur_awscfg_service(cfg, "local", "s3", "endpoint_url")), "http://svc-s3.local");
    CHECK_EQ_STR(s_or(ur_awscfg_service(cfg, "local", "sts", "endpoint_url")), "http://svc-sts.local");
    CHECK(ur_awscfg_service(cfg, "local", "iam", "endpoint_url") == NULL);
    CHECK(!ur_awscfg_has_profile(cfg, "local"));
    ur_awscfg_free(cfg);

    /* An indented property right after a header is a property (botocore reads it so). */
    cfg = s_parse2(NULL, "[ other ]\n\taws_access_key_id\t=\tAKID  \n");
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "other", "aws_access_key_id")), "AKID");
    ur_awscfg_free(cfg);
}

static void test_malformed(void)
{
    static const struct {
        const char *text;
        const char *err;
    } bad[] = {
        {"region = x\n", "f line 1: a property before any [section]"},
        {"[default]\nregion\n", "f line 2: expected '=' in a property"},
        {"[default]\n= secretvalue\n", "f line 2: a property has no name"},
        {"\n[default\nregion = x\n", "f line 2: a section header must end with ']'"},
        {"[default] junk\n", "f line 1: a section header must end with ']'"},
        {"[default]\ns3 =\n  no equals sign here\n", "f line 3: expected '=' in a sub-property"},
        {"[default]\ns3 =\n  = secretvalue\n", "f line 3: a sub-property has no name"},
        {"[default]\nx = a\0b\n", "f line 1: not a text file (NUL byte)"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ur_awscfg *cfg = ur_awscfg_new();
        char err[256];
        const char *ok = "[profile keep]\nregion = k-1\n";
        CHECK_EQ_INT(ur_awscfg_parse(cfg, UR_AWSCFG_CONFIG, ok, strlen(ok), "g", err, sizeof(err)), 0);
        size_t n = strlen(bad[i].text);
        if (i == 7) n = 18;
        CHECK_EQ_INT(ur_awscfg_parse(cfg, UR_AWSCFG_CREDENTIALS, bad[i].text, n, "f", err, sizeof(err)),
                     -EINVAL);
        CHECK_EQ_STR(err, bad[i].err);
        CHECK(strstr(err, "secretvalue") == NULL);
        CHECK(!ur_awscfg_has_profile(cfg, "default")); /* the bad file's entries are dropped … */
        CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "keep", "region")), "k-1"); /* … the other's kept */
        ur_awscfg_free(cfg);
    }
    struct ur_awscfg *cfg = ur_awscfg_new();
    char err[128];
    CHECK_EQ_INT(
        ur_awscfg_parse(cfg, UR_AWSCFG_CONFIG, "", UR_AWSCFG_MAX_FILE_BYTES + 1, "big", err, sizeof(err)),
        -EFBIG);
    CHECK_EQ_INT(ur_awscfg_parse(cfg, UR_AWSCFG_CONFIG, "", 0, "empty", err, sizeof(err)), 0);
    ur_awscfg_free(cfg);
}

static void test_paths_and_load(void)
{
    char a[256], b[256];
    memset(s_env_tab, 0, sizeof(s_env_tab));
    CHECK_EQ_INT(ur_awscfg_paths(s_env, NULL, a, sizeof(a), b, sizeof(b)), -ENOENT);
    s_env_tab[0][0] = "HOME";
    s_env_tab[0][1] = "/home/u";
    CHECK_EQ_INT(ur_awscfg_paths(s_env, NULL, a, sizeof(a), b, sizeof(b)), 0);
    CHECK_EQ_STR(a, "/home/u/.aws/config");
    CHECK_EQ_STR(b, "/home/u/.aws/credentials");
    s_env_tab[1][0] = "AWS_CONFIG_FILE";
    s_env_tab[1][1] = "~/c";
    s_env_tab[2][0] = "AWS_SHARED_CREDENTIALS_FILE";
    s_env_tab[2][1] = "/etc/k";
    CHECK_EQ_INT(ur_awscfg_paths(s_env, NULL, a, sizeof(a), b, sizeof(b)), 0);
    CHECK_EQ_STR(a, "/home/u/c");
    CHECK_EQ_STR(b, "/etc/k");
    CHECK_EQ_INT(ur_awscfg_paths(s_env, NULL, a, 5, b, sizeof(b)), -ENAMETOOLONG);

    CHECK_EQ_STR(ur_awscfg_profile_name("opt", s_env, NULL), "opt");
    CHECK_EQ_STR(ur_awscfg_profile_name(NULL, s_env, NULL), "default");
    s_env_tab[3][0] = "AWS_PROFILE";
    s_env_tab[3][1] = "envp";
    CHECK_EQ_STR(ur_awscfg_profile_name("", s_env, NULL), "envp");

    /* From disk: a missing config file is fine, a malformed credentials file is not. */
    char dir[] = "/tmp/ur-awscfg-XXXXXX", cpath[300], kpath[300];
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        check_failures++;
        return;
    }
    snprintf(cpath, sizeof(cpath), "%s/missing-config", dir);
    snprintf(kpath, sizeof(kpath), "%s/credentials", dir);
    s_env_tab[1][1] = cpath;
    s_env_tab[2][1] = kpath;
    FILE *f = fopen(kpath, "w");
    fputs("[p]\naws_access_key_id = AK\n", f);
    fclose(f);
    struct ur_awscfg *cfg = ur_awscfg_new();
    char err[512];
    CHECK_EQ_INT(ur_awscfg_load(cfg, s_env, NULL, err, sizeof(err)), 0);
    CHECK_EQ_STR(s_or(ur_awscfg_get(cfg, "p", "aws_access_key_id")), "AK");
    ur_awscfg_free(cfg);
    f = fopen(kpath, "w");
    fputs("[p]\nnot a property\n", f);
    fclose(f);
    cfg = ur_awscfg_new();
    CHECK_EQ_INT(ur_awscfg_load(cfg, s_env, NULL, err, sizeof(err)), -EINVAL);
    CHECK(strstr(err, kpath) != NULL && strstr(err, "line 2") != NULL);
    ur_awscfg_free(cfg);
    unlink(kpath);
    rmdir(dir);
}

int main(void)
{
    test_sections();
    test_default_and_repeats();
    test_nested();
    test_malformed();
    test_paths_and_load();
    return CHECK_DONE();
}
