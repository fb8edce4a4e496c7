/* tests/unit/test_cli_args.c — global flags as Flink passes them (empty argv elements, "-r 0 run"), Go-style
 * forms, unknown flags, environment fallbacks, s5cmd's refused combinations, and the options they make. */
#include <errno.h>

#include "cli/args.h"
#include "include/urestore.h"
#include "tests/unit/check.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void clear_env(void)
{
    unsetenv("S3_ENDPOINT_URL");
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
    unsetenv("AWS_CA_BUNDLE");
}

static void test_flink_argv(void)
{
    struct ur_cli_global g;
    char err[256];
    /* Flink: [path, tokens of "-r 0" split on blanks (a leading blank leaves ""), "run"]. */
    char *argv[] = {"urestore", "", "-r", "", "0", "", "run", ""};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(argv), argv, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(g.retry_count, 0);
    CHECK_EQ_INT(g.nargs, 1);
    CHECK_EQ_STR(g.args[0], "run");

    struct urestore_options o;
    clear_env();
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), 0);
    ur_cli_args_options(&g, &o);
    CHECK_EQ_INT(o.struct_size, sizeof(o));
    CHECK_EQ_INT(o.retry_count, URESTORE_NO_RETRIES); /* -r 0: no retries, not the default */
    CHECK_EQ_INT(o.max_connections, 0);               /* --numworkers unset: the engine's default */
    CHECK(o.endpoint_url == NULL && o.region == NULL && o.ca_bundle == NULL);

    char *none[] = {"urestore"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(none), none, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(g.nargs, 0);
    CHECK_EQ_INT(g.retry_count, UR_CLI_DEFAULT_RETRIES);
    ur_cli_args_options(&g, &o);
    CHECK_EQ_INT(o.retry_count, 10);
}

static void test_go_forms(void)
{
    struct ur_cli_global g;
    char err[256];
    char *argv[] = {"urestore",
                    "--retry-count=3",
                    "-numworkers",
                    "500",
                    "--endpoint-url",
                    "http://h:9000",
                    "--no-verify-ssl",
                    "-json",
                    "--stat=true",
                    "--dry-run",
                    "--log=error",
                    "--profile=p",
                    "--credentials-file",
                    "/c",
                    "--ca-bundle=/ca.pem",
                    "--request-payer",
                    "requester",
                    "--use-list-objects-v1",
                    "cp",
                    "-n",
                    "s3://b/k",
                    "/t"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(argv), argv, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(g.retry_count, 3);
    CHECK_EQ_INT(g.numworkers, 500);
    CHECK_EQ_STR(g.endpoint_url, "http://h:9000");
    CHECK(g.no_verify_ssl && g.json && g.stat && g.dry_run && g.use_list_objects_v1);
    CHECK_EQ_INT(g.log_level, UR_CLI_LOG_ERROR);
    CHECK_EQ_STR(g.profile, "p");
    CHECK_EQ_STR(g.credentials_file, "/c");
    CHECK_EQ_STR(g.ca_bundle, "/ca.pem");
    CHECK_EQ_STR(g.request_payer, "requester");
    CHECK_EQ_INT(g.nargs, 4); /* flags after the command belong to it */
    CHECK_EQ_STR(g.args[0], "cp");
    CHECK_EQ_STR(g.args[1], "-n");

    struct urestore_options o;
    clear_env();
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), 0);
    ur_cli_args_options(&g, &o);
    CHECK_EQ_INT(o.max_connections, UR_CLI_MAX_CONNECTIONS); /* 500 workers → capped */
    CHECK_EQ_INT(o.retry_count, 3);
    CHECK_EQ_INT(o.no_verify_tls, 1);
    CHECK_EQ_STR(o.endpoint_url, "http://h:9000");

    char *few[] = {"urestore", "--numworkers", "4", "--", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(few), few, &g, err, sizeof(err)), 0);
    ur_cli_args_options(&g, &o);
    CHECK_EQ_INT(o.max_connections, 4);
    CHECK_EQ_STR(g.args[0], "run");

    char *help[] = {"urestore", "-h"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(help), help, &g, err, sizeof(err)), 0);
    CHECK(g.help);
    char *ver[] = {"urestore", "--version"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(ver), ver, &g, err, sizeof(err)), 0);
    CHECK(g.version);
}

static void test_usage_errors(void)
{
    struct ur_cli_global g;
    char err[256];
    char *a[] = {"urestore", "--bogus", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(a), a, &g, err, sizeof(err)), -EINVAL);
    CHECK_EQ_STR(err, "flag provided but not defined: -bogus");
    char *b[] = {"urestore", "-r"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(b), b, &g, err, sizeof(err)), -EINVAL);
    CHECK_EQ_STR(err, "flag needs an argument: -r");
    char *c[] = {"urestore", "-r", "x", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(c), c, &g, err, sizeof(err)), -EINVAL);
    CHECK_EQ_STR(err, "invalid value \"x\" for flag -r: parse error");
    char *d[] = {"urestore", "--log", "loud", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(d), d, &g, err, sizeof(err)), -EINVAL);
    CHECK(strstr(err, "allowed values") != NULL);
    char *e[] = {"urestore", "--json=yes", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(e), e, &g, err, sizeof(err)), -EINVAL);
    CHECK_EQ_STR(err, "invalid boolean value \"yes\" for -json: parse error");
}

static void test_env_and_checks(void)
{
    struct ur_cli_global g;
    char err[256];
    clear_env();
    setenv("S3_ENDPOINT_URL", "https://minio.local", 1);
    setenv("AWS_DEFAULT_REGION", "eu-west-1", 1);
    setenv("AWS_CA_BUNDLE", "/env-ca.pem", 1);
    char *a[] = {"urestore", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(a), a, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), 0);
    CHECK_EQ_STR(g.endpoint_url, "https://minio.local");
    CHECK_EQ_STR(g.region, "eu-west-1");
    CHECK_EQ_STR(g.ca_bundle, "/env-ca.pem");

    setenv("AWS_REGION", "ap-south-1", 1); /* AWS_REGION wins over AWS_DEFAULT_REGION */
    char *b[] = {"urestore", "--endpoint-url", "http://flag", "--ca-bundle", "/flag.pem", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(b), b, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), 0);
    CHECK_EQ_STR(g.endpoint_url, "http://flag"); /* the flag wins over the environment */
    CHECK_EQ_STR(g.ca_bundle, "/flag.pem");
    CHECK_EQ_STR(g.region, "ap-south-1");

    setenv("S3_ENDPOINT_URL", "", 1); /* empty counts as unset */
    char *c[] = {"urestore", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(c), c, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), 0);
    CHECK(g.endpoint_url == NULL);
    clear_env();

    char *d[] = {"urestore", "--endpoint-url", "minio:9000", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(d), d, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), -EINVAL);
    CHECK(strstr(err, "scheme is missing") != NULL);
    char *e[] = {"urestore", "-r", "-1", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(e), e, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), -EINVAL);
    CHECK_EQ_STR(err, "retry count cannot be a negative value");
    char *f[] = {"urestore", "--no-sign-request", "--profile", "x", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(f), f, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), -EINVAL);
    CHECK_EQ_STR(err, "\"no-sign-request\" and \"profile\" flags cannot be used together");
    char *h[] = {"urestore", "--no-sign-request", "--credentials-file=/c", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(h), h, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), -EINVAL);
    char *k[] = {"urestore", "--no-sign-request", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(k), k, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), 0);
    struct urestore_options o;
    ur_cli_args_options(&g, &o);
    CHECK_EQ_INT(o.anonymous, 1);
}

int main(void)
{
    test_flink_argv();
    test_go_forms();
    test_usage_errors();
    test_env_and_checks();
    return CHECK_DONE();
}
