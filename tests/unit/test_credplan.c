/* tests/unit/test_credplan.c — the credential chain as a table: with several sources present the right
 * one wins (options, --profile, environment, AWS_PROFILE, the default profile, web identity, the
 * container endpoint, IMDS); profile chains (source_profile, credential_source, self-reference, cycles,
 * web identity in a profile, credential_process, static keys in a source profile); the container URL
 * rules of the current SDKs; and that no message carries a secret. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "s3/credplan.h"
#include "tests/unit/check.h"

#define SECRET "SECRETVALUE"

struct env {
    const char *kv[12][2];
};

/* The table the lookup reads: pairs ended by a zeroed one (the last slot stays zero). */
static const char *s_env(void *ctx, const char *name)
{
    return ur_awscfg_table_env(((struct env *)ctx)->kv, name);
}

static const char *CONFIG = "[default]\n"
                            "region = us-west-2\n"
                            "[profile static]\n"
                            "aws_access_key_id = AKSTATIC\n"
                            "aws_secret_access_key = " SECRET "\n"
                            "[profile regiononly]\n"
                            "region = eu-west-1\n"
                            "[profile role]\n"
                            "role_arn = arn:aws:iam::1:role/A\n"
                            "source_profile = static\n"
                            "role_session_name = sess-a\n"
                            "external_id = ext-1\n"
                            "duration_seconds = 1800\n"
                            "[profile chain]\n"
                            "role_arn = arn:aws:iam::1:role/B\n"
                            "source_profile = role\n"
                            "[profile self]\n"
                            "role_arn = arn:aws:iam::1:role/S\n"
                            "source_profile = self\n"
                            "aws_access_key_id = AKSELF\n"
                            "aws_secret_access_key = " SECRET "\n"
                            "[profile selfnokeys]\n"
                            "role_arn = arn:aws:iam::1:role/S\n"
                            "source_profile = selfnokeys\n"
                            "[profile cyc1]\n"
                            "role_arn = arn:aws:iam::1:role/C1\n"
                            "source_profile = cyc2\n"
                            "[profile cyc2]\n"
                            "role_arn = arn:aws:iam::1:role/C2\n"
                            "source_profile = cyc1\n"
                            "[profile srcstatic]\n" /* a source profile's keys win over its own role */
                            "role_arn = arn:aws:iam::1:role/T\n"
                            "source_profile = keysandrole\n"
                            "[profile keysandrole]\n"
                            "aws_access_key_id = AKKR\n"
                            "aws_secret_access_key = " SECRET "\n"
                            "role_arn = arn:aws:iam::1:role/Ignored\n"
                            "source_profile = static\n"
                            "[profile envsrc]\n"
                            "role_arn = arn:aws:iam::1:role/E\n"
                            "credential_source = Environment\n"
                            "[profile imdssrc]\n"
                            "role_arn = arn:aws:iam::1:role/I\n"
                            "credential_source = Ec2InstanceMetadata\n"
                            "[profile ecssrc]\n"
                            "role_arn = arn:aws:iam::1:role/C\n"
                            "credential_source = EcsContainer\n"
                            "[profile badsrc]\n"
                            "role_arn = arn:aws:iam::1:role/X\n"
                            "credential_source = Moon\n"
                            "[profile both]\n"
                            "role_arn = arn:aws:iam::1:role/X\n"
                            "credential_source = Environment\n"
                            "source_profile = static\n"
                            "[profile neither]\n"
                            "role_arn = arn:aws:iam::1:role/X\n"
                            "[profile web]\n"
                            "role_arn = arn:aws:iam::1:role/W\n"
                            "web_identity_token_file = /var/run/token\n"
                            "role_session_name = websess\n"
                            "[profile webnorole]\n"
                            "web_identity_token_file = /var/run/token\n"
                            "[profile proc]\n"
                            "credential_process = /usr/bin/creds --json \"a b\"\n"
                            "[profile procrole]\n"
                            "role_arn = arn:aws:iam::1:role/P\n"
                            "source_profile = proc\n"
                            "[profile mfa]\n"
                            "role_arn = arn:aws:iam::1:role/M\n"
                            "source_profile = static\n"
                            "mfa_serial = arn:aws:iam::1:mfa/u\n"
                            "[profile sso]\n"
                            "sso_session = corp\n"
                            "[profile badarn]\n"
                            "role_arn = role/A\n"
                            "source_profile = static\n"
                            "[profile baddur]\n"
                            "role_arn = arn:aws:iam::1:role/A\n"
                            "source_profile = static\n"
                            "duration_seconds = 60\n"
                            "[profile dangling]\n"
                            "role_arn = arn:aws:iam::1:role/A\n"
                            "source_profile = ghost\n"
                            "[profile partial]\n"
                            "aws_access_key_id = AKONLY\n"
                            "[profile imdsv6]\n"
                            "ec2_metadata_service_endpoint_mode = IPv6\n";

static const char *CREDS = "[fromcreds]\n"
                           "aws_access_key_id = AKCREDS\n"
                           "aws_secret_access_key = " SECRET "\n"
                           "aws_session_token = tok\n";

struct row {
    const char *name;
    bool no_sign;
    bool explicit_keys;
    const char *profile_opt;
    struct env env;
    bool no_default_profile; /* parse the files without [default] */
    int rc;
    enum ur_creds_source src;
    const char *want; /* the plan's profile / a field that identifies the source / a message fragment */
    size_t nroles;
};

#define ENVK(k, v)                                                                                           \
    {                                                                                                        \
        k, v                                                                                                 \
    }
#define KEYS ENVK("AWS_ACCESS_KEY_ID", "AKENV"), ENVK("AWS_SECRET_ACCESS_KEY", SECRET)
#define WEB ENVK("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"), ENVK("AWS_ROLE_ARN", "arn:aws:iam::1:role/Irsa")
#define ECS ENVK("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc")
#define NOIMDS ENVK("AWS_EC2_METADATA_DISABLED", "true")

static const struct row rows[] = {
    {"no-sign-request beats everything",
     true,
     true,
     "static",
     {{KEYS}},
     false,
     0,
     UR_CREDS_SRC_ANONYMOUS,
     "",
     0},
    {"options beat env", false, true, NULL, {{KEYS}}, false, 0, UR_CREDS_SRC_EXPLICIT, "", 0},
    {"--profile beats env keys",
     false,
     false,
     "static",
     {{KEYS}},
     false,
     0,
     UR_CREDS_SRC_PROFILE,
     "static",
     0},
    {"env keys beat AWS_PROFILE",
     false,
     false,
     NULL,
     {{KEYS, ENVK("AWS_PROFILE", "static")}},
     false,
     0,
     UR_CREDS_SRC_ENV,
     "",
     0},
    {"env keys beat web identity, ECS, IMDS",
     false,
     false,
     NULL,
     {{WEB, ECS, KEYS}},
     false,
     0,
     UR_CREDS_SRC_ENV,
     "",
     0},
    {"AWS_PROFILE",
     false,
     false,
     NULL,
     {{ENVK("AWS_PROFILE", "fromcreds"), WEB}},
     false,
     0,
     UR_CREDS_SRC_PROFILE,
     "fromcreds",
     0},
    {"AWS_PROFILE missing is an error",
     false,
     false,
     NULL,
     {{ENVK("AWS_PROFILE", "ghost"), WEB}},
     false,
     -EINVAL,
     0,
     "profile ghost: not found",
     0},
    {"--profile missing is an error",
     false,
     false,
     "ghost",
     {{KEYS}},
     false,
     -EINVAL,
     0,
     "profile ghost: not found",
     0},
    {"--profile without credentials goes on, but not to env keys",
     false,
     false,
     "regiononly",
     {{KEYS, ECS}},
     false,
     0,
     UR_CREDS_SRC_CONTAINER,
     "http://169.254.170.2/v2/credentials/abc",
     0},
    {"default profile with only a region: go on to web identity",
     false,
     false,
     NULL,
     {{WEB, ECS}},
     false,
     0,
     UR_CREDS_SRC_WEB_IDENTITY,
     "arn:aws:iam::1:role/Irsa",
     0},
    {"no default profile: web identity beats ECS",
     false,
     false,
     NULL,
     {{ECS, WEB}},
     true,
     0,
     UR_CREDS_SRC_WEB_IDENTITY,
     "arn:aws:iam::1:role/Irsa",
     0},
    {"web identity without AWS_ROLE_ARN",
     false,
     false,
     NULL,
     {{ENVK("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"), ECS}},
     true,
     -EINVAL,
     0,
     "AWS_ROLE_ARN is not",
     0},
    {"ECS relative URI",
     false,
     false,
     NULL,
     {{ECS}},
     true,
     0,
     UR_CREDS_SRC_CONTAINER,
     "http://169.254.170.2/v2/credentials/abc",
     0},
    {"relative URI beats full URI",
     false,
     false,
     NULL,
     {{ENVK("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials"), ECS}},
     true,
     0,
     UR_CREDS_SRC_CONTAINER,
     "http://169.254.170.2/v2/credentials/abc",
     0},
    {"EKS Pod Identity full URI",
     false,
     false,
     NULL,
     {{ENVK("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials"),
       ENVK("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/secrets/pod-identity/token")}},
     true,
     0,
     UR_CREDS_SRC_CONTAINER,
     "http://169.254.170.23/v1/credentials",
     0},
    {"full URI to a remote plain-http host is refused",
     false,
     false,
     NULL,
     {{ENVK("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.0.0.1/creds")}},
     true,
     -EINVAL,
     0,
     "AWS_CONTAINER_CREDENTIALS_FULL_URI refused",
     0},
    {"IMDS last",
     false,
     false,
     NULL,
     {{ENVK("HOME", "/nowhere")}},
     true,
     0,
     UR_CREDS_SRC_IMDS,
     "http://169.254.169.254",
     0},
    {"IMDS endpoint from the environment",
     false,
     false,
     NULL,
     {{ENVK("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338/")}},
     true,
     0,
     UR_CREDS_SRC_IMDS,
     "http://127.0.0.1:1338",
     0},
    {"AWS_PROFILE without credentials goes on (IPv6 IMDS from it)",
     false,
     false,
     NULL,
     {{ENVK("AWS_PROFILE", "imdsv6")}},
     false,
     0,
     UR_CREDS_SRC_IMDS,
     "http://[fd00:ec2::254]",
     0},
    {"IMDS disabled: nothing left",
     false,
     false,
     NULL,
     {{NOIMDS}},
     true,
     -ENOENT,
     0,
     "no credentials found (environment: AWS_ACCESS_KEY_ID not set; profile default: not found; web identity",
     0},
    {"partial env keys",
     false,
     false,
     NULL,
     {{ENVK("AWS_ACCESS_KEY_ID", "AK")}},
     false,
     -EINVAL,
     0,
     "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
     0},
    {"role from static source",
     false,
     false,
     "role",
     {{NOIMDS}},
     false,
     0,
     UR_CREDS_SRC_PROFILE,
     "static",
     1},
    {"chain of two roles", false, false, "chain", {{NOIMDS}}, false, 0, UR_CREDS_SRC_PROFILE, "static", 2},
    {"self-referencing source_profile",
     false,
     false,
     "self",
     {{NOIMDS}},
     false,
     0,
     UR_CREDS_SRC_PROFILE,
     "self",
     1},
    {"self reference without keys",
     false,
     false,
     "selfnokeys",
     {{NOIMDS}},
     false,
     -EINVAL,
     0,
     "source_profile is itself",
     0},
    {"cycle", false, false, "cyc1", {{NOIMDS}}, false, -EINVAL, 0, "loops back to cyc1", 0},
    {"a source profile's keys win over its role",
     false,
     false,
     "srcstatic",
     {{NOIMDS}},
     false,
     0,
     UR_CREDS_SRC_PROFILE,
     "keysandrole",
     1},
    {"credential_source Environment",
     false,
     false,
     "envsrc",
     {{KEYS}},
     false,
     0,
     UR_CREDS_SRC_ENV,
     "envsrc",
     1},
    {"credential_source Environment without keys",
     false,
     false,
     "envsrc",
     {{NOIMDS}},
     false,
     -EINVAL,
     0,
     "credential_source Environment: AWS_ACCESS_KEY_ID is not set",
     0},
    {"credential_source Ec2InstanceMetadata",
     false,
     false,
     "imdssrc",
     {{KEYS}},
     false,
     0,
     UR_CREDS_SRC_IMDS,
     "imdssrc",
     1},
    {"credential_source EcsContainer",
     false,
     false,
     "ecssrc",
     {{ECS}},
     false,
     0,
     UR_CREDS_SRC_CONTAINER,
     "ecssrc",
     1},
    {"credential_source unknown", false, false, "badsrc", {{NOIMDS}}, false, -EINVAL, 0, "unknown", 0},
    {"both source_profile and credential_source",
     false,
     false,
     "both",
     {{KEYS}},
     false,
     -EINVAL,
     0,
     "has both source_profile and credential_source",
     0},
    {"role_arn alone",
     false,
     false,
     "neither",
     {{KEYS}},
     false,
     -EINVAL,
     0,
     "role_arn needs source_profile or credential_source",
     0},
    {"web identity in a profile",
     false,
     false,
     "web",
     {{KEYS}},
     false,
     0,
     UR_CREDS_SRC_WEB_IDENTITY,
     "web",
     0},
    {"web identity file without a role",
     false,
     false,
     "webnorole",
     {{KEYS}},
     false,
     -EINVAL,
     0,
     "web_identity_token_file needs role_arn",
     0},
    {"credential_process", false, false, "proc", {{KEYS}}, false, 0, UR_CREDS_SRC_PROCESS, "proc", 0},
    {"role from credential_process",
     false,
     false,
     "procrole",
     {{KEYS}},
     false,
     0,
     UR_CREDS_SRC_PROCESS,
     "proc",
     1},
    {"mfa_serial", false, false, "mfa", {{KEYS}}, false, -EINVAL, 0, "mfa_serial", 0},
    {"sso", false, false, "sso", {{KEYS}}, false, -EINVAL, 0, "SSO profiles are not supported", 0},
    {"bad role ARN", false, false, "badarn", {{KEYS}}, false, -EINVAL, 0, "not an ARN", 0},
    {"bad duration",
     false,
     false,
     "baddur",
     {{KEYS}},
     false,
     -EINVAL,
     0,
     "duration_seconds must be 900 to 43200",
     0},
    {"dangling source_profile",
     false,
     false,
     "dangling",
     {{KEYS}},
     false,
     -EINVAL,
     0,
     "profile dangling: its source_profile ghost does not exist",
     0},
    {"partial profile keys",
     false,
     false,
     "partial",
     {{KEYS}},
     false,
     -EINVAL,
     0,
     "aws_access_key_id is set but aws_secret_access_key is not",
     0},
};

static struct ur_creds_plan s_plan;

/* The plan field that tells sources apart, for the table's "want". */
static const char *s_ident(const struct ur_creds_plan *p)
{
    switch (p->source) {
    case UR_CREDS_SRC_WEB_IDENTITY:
        return p->profile[0] ? p->profile : p->web.role.arn;
    case UR_CREDS_SRC_CONTAINER:
        return p->profile[0] ? p->profile : p->container.url;
    case UR_CREDS_SRC_IMDS:
        return p->profile[0] ? p->profile : p->imds_endpoint;
    default:
        return p->profile;
    }
}

static void test_table(void)
{
    struct ur_awscfg *full = ur_awscfg_new(), *nodef = ur_awscfg_new();
    char err[512];
    CHECK_EQ_INT(ur_awscfg_parse(full, UR_AWSCFG_CONFIG, CONFIG, strlen(CONFIG), "config", err, sizeof(err)),
                 0);
    CHECK_EQ_INT(
        ur_awscfg_parse(full, UR_AWSCFG_CREDENTIALS, CREDS, strlen(CREDS), "credentials", err, sizeof(err)),
        0);
    const char *nd = strstr(CONFIG, "[profile static]");
    CHECK_EQ_INT(ur_awscfg_parse(nodef, UR_AWSCFG_CONFIG, nd, strlen(nd), "config", err, sizeof(err)), 0);
    struct ur_creds opt = {.access_key = "AKOPT", .secret_key = SECRET};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        struct ur_creds_chain_in in = {r->no_sign,      r->explicit_keys ? &opt : NULL,
                                       r->profile_opt,  s_env,
                                       (void *)&r->env, r->no_default_profile ? nodef : full};
        err[0] = '\0';
        int rc = ur_creds_chain_plan(&in, &s_plan, err, sizeof(err));
        bool ok = rc == r->rc;
        if (ok && rc == 0)
            ok = s_plan.source == r->src && strcmp(s_ident(&s_plan), r->want) == 0 &&
                 s_plan.nroles == r->nroles;
        if (ok && rc != 0) ok = strstr(err, r->want) != NULL;
        if (strstr(err, SECRET)) ok = false;
        if (!ok) {
            fprintf(stderr, "row \"%s\": rc %d source %s ident \"%s\" roles %zu err \"%s\"\n", r->name, rc,
                    ur_creds_source_name(s_plan.source), s_ident(&s_plan), s_plan.nroles, err);
            check_failures++;
        }
    }
    ur_awscfg_free(full);
    ur_awscfg_free(nodef);
}

/* The details of plans the table only identifies. */
static void test_details(void)
{
    struct ur_awscfg *cfg = ur_awscfg_new();
    char err[512];
    CHECK_EQ_INT(ur_awscfg_parse(cfg, UR_AWSCFG_CONFIG, CONFIG, strlen(CONFIG), "config", err, sizeof(err)),
                 0);
    struct env e = {{{"AWS_EC2_METADATA_DISABLED", "true"}}};
    struct ur_creds_chain_in in = {false, NULL, "chain", s_env, &e, cfg};
    CHECK_EQ_INT(ur_creds_chain_plan(&in, &s_plan, err, sizeof(err)), 0);
    CHECK_EQ_STR(s_plan.keys.access_key, "AKSTATIC");
    CHECK_EQ_STR(s_plan.keys.secret_key, SECRET);
    CHECK_EQ_INT(s_plan.nroles, 2);
    CHECK_EQ_STR(s_plan.roles[0].arn, "arn:aws:iam::1:role/A"); /* signed with static's keys first */
    CHECK_EQ_STR(s_plan.roles[0].session_name, "sess-a");
    CHECK_EQ_STR(s_plan.roles[0].external_id, "ext-1");
    CHECK_EQ_INT(s_plan.roles[0].duration_s, 1800);
    CHECK_EQ_STR(s_plan.roles[0].profile, "role");
    CHECK_EQ_STR(s_plan.roles[1].arn, "arn:aws:iam::1:role/B");
    CHECK_EQ_STR(s_plan.roles[1].session_name, "");
    CHECK_EQ_INT(s_plan.roles[1].duration_s, 0);

    in.profile = "proc";
    CHECK_EQ_INT(ur_creds_chain_plan(&in, &s_plan, err, sizeof(err)), 0);
    CHECK_EQ_STR(s_plan.process, "/usr/bin/creds --json \"a b\"");

    in.profile = "web";
    CHECK_EQ_INT(ur_creds_chain_plan(&in, &s_plan, err, sizeof(err)), 0);
    CHECK_EQ_STR(s_plan.web.token_file, "/var/run/token");
    CHECK_EQ_STR(s_plan.web.role.arn, "arn:aws:iam::1:role/W");
    CHECK_EQ_STR(s_plan.web.role.session_name, "websess");

    struct env e2 = {{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://creds.example.com/x?y=1"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc"}}};
    in.profile = NULL;
    in.env_ctx = &e2;
    in.cfg = NULL;
    CHECK_EQ_INT(ur_creds_chain_plan(&in, &s_plan, err, sizeof(err)), 0);
    CHECK_EQ_INT(s_plan.source, UR_CREDS_SRC_CONTAINER);
    CHECK_EQ_STR(s_plan.container.url, "https://creds.example.com/x?y=1");
    CHECK_EQ_STR(s_plan.container.token, "Basic abc");
    CHECK_EQ_STR(s_plan.container.token_file, "");

    struct env e3 = {{{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Injected: 1"}}};
    in.env_ctx = &e3;
    CHECK_EQ_INT(ur_creds_chain_plan(&in, &s_plan, err, sizeof(err)), -EINVAL);
    CHECK(strstr(err, "line break") != NULL);

    struct env e4 = {{{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}}};
    in.env_ctx = &e4;
    CHECK_EQ_INT(ur_creds_chain_plan(&in, &s_plan, err, sizeof(err)), 0);
    CHECK_EQ_STR(s_plan.imds_endpoint, "http://[fd00:ec2::254]");
    struct env e5 = {{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "ftp://x"}}};
    in.env_ctx = &e5;
    CHECK_EQ_INT(ur_creds_chain_plan(&in, &s_plan, err, sizeof(err)), -EINVAL);
    CHECK(strstr(err, "AWS_EC2_METADATA_SERVICE_ENDPOINT") != NULL);

    CHECK_EQ_STR(ur_creds_source_name(UR_CREDS_SRC_IMDS), "instance metadata");
    CHECK_EQ_STR(ur_creds_source_name((enum ur_creds_source)99), "none");
    ur_awscfg_free(cfg);
}

static void test_container_urls(void)
{
    static const struct {
        const char *url;
        int rc;
    } t[] = {
        {"https://any.host.example/creds", 0},
        {"http://127.0.0.1/creds", 0},
        {"http://127.200.3.4:8080/creds", 0},
        {"http://localhost:8080/get-credentials", 0},
        {"http://LOCALHOST/x", 0},
        {"http://[::1]:9/x", 0},
        {"http://[0000:0000:0000:0000:0000:0000:0000:0001]/x", 0},
        {"http://169.254.170.2/v2/credentials", 0},
        {"http://169.254.170.23/v1/credentials", 0},
        {"http://[fd00:ec2::23]/v1/credentials", 0},
        {"http://[FD00:EC2:0::23]/v1/credentials", 0},
        {"http://169.254.169.254/latest", -EACCES},
        {"http://169.254.170.3/", -EACCES},
        {"http://10.1.2.3/creds", -EACCES},
        {"http://128.0.0.1/creds", -EACCES},
        {"http://127.0.0.1.nip.io/creds", -EACCES},
        {"http://localhost.evil.com/", -EACCES},
        {"http://[::2]/", -EACCES},
        {"http://[::ffff:169.254.170.2]/", 0},
        {"ftp://127.0.0.1/", -EINVAL},
        {"/creds", -EINVAL},
        {"http:///creds", -EINVAL},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        const char *why = NULL;
        int rc = ur_creds_container_url_ok(t[i].url, &why);
        if (rc != t[i].rc) {
            fprintf(stderr, "container URL %s: %d, expected %d (%s)\n", t[i].url, rc, t[i].rc,
                    why ? why : "");
            check_failures++;
        }
    }
    char out[64];
    CHECK_EQ_INT(ur_creds_container_token("tok-123\n", 8, out, sizeof(out)), 0);
    CHECK_EQ_STR(out, "tok-123");
    CHECK_EQ_INT(ur_creds_container_token("a\nb", 3, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_creds_container_token(" \n", 2, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_creds_container_token("abcdef", 6, out, 4), -ENOSPC);
}

int main(void)
{
    test_table();
    test_details();
    test_container_urls();
    return CHECK_DONE();
}
