/* tests/unit/test_credjson.c — the strict JSON reader, the JSON answers of credential_process (including
 * garbage output), the container endpoint and instance metadata, ISO-8601 expiry times, and the refresh
 * clock ("refresh N minutes ahead"). Messages must never carry a secret. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "s3/credjson.h"
#include "s3/json.h"
#include "tests/unit/check.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

static void test_json(void)
{
    static const char *const good[] = {
        "{}",
        " {\"a\":1} ",
        "{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false}",
        "{\"n\":-0.5e+10}",
        "{\"s\":\"\\u00e9\\ud83d\\ude00\\n\\\"\"}",
        "{\"u\":\"h\xc3\xa9\"}",
    };
    static const char *const bad[] = {
        "",
        "[]",
        "1",
        "{",
        "{\"a\":1,}",
        "{\"a\":01}",
        "{\"a\":1} x",
        "{'a':1}",
        "{\"a\":\"\x01\"}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\ud83d\"}",
        "{\"a\":\"\\ude00\"}",
        "{\"a\":tru}",
        "{\"a\":1.}",
        "{\"a\":-}",
        "{\"a\" 1}",
        "{a:1}",
        "{\"a\":1 // c\n}",
        "{\"u\":\"\xc3\"}",
        "{\"u\":\"\xed\xa0\x80\"}",
        "{\"u\":\"\xc0\xaf\"}",
        "\xef\xbb\xbf{}",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (ur_s3_json_check_object(good[i], strlen(good[i])) != 0) {
            fprintf(stderr, "good JSON refused: %s\n", good[i]);
            check_failures++;
        }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ur_s3_json_check_object(bad[i], strlen(bad[i])) == 0) {
            fprintf(stderr, "bad JSON accepted: %s\n", bad[i]);
            check_failures++;
        }
    char deep[200];
    memset(deep, '[', sizeof(deep));
    memcpy(deep, "{\"a\":", 5);
    CHECK_EQ_INT(ur_s3_json_check_object(deep, sizeof(deep)), -E2BIG);

    const char *doc =
        "{\"a\":1,\"s\":\"x\\/y\\u0041\",\"a\":-42,\"o\":{\"a\":7},\"k\\u0065y\":\"v\",\"z\":\"\\u0000\"}";
    size_t n = strlen(doc);
    CHECK_EQ_INT(ur_s3_json_check_object(doc, n), 0);
    struct ur_s3_json_val v;
    long long x = 0;
    char out[16];
    CHECK_EQ_INT(ur_s3_json_member(doc, n, "a", &v), 0); /* the last "a" at the top level */
    CHECK_EQ_INT(ur_s3_json_int(&v, &x), 0);
    CHECK_EQ_INT(x, -42);
    CHECK_EQ_INT(ur_s3_json_member(doc, n, "s", &v), 0);
    CHECK_EQ_INT(ur_s3_json_string(&v, out, sizeof(out)), 4);
    CHECK_EQ_STR(out, "x/yA");
    CHECK_EQ_INT(ur_s3_json_string(&v, out, 4), -ENOSPC);
    CHECK_EQ_INT(ur_s3_json_member(doc, n, "key", &v), 0);
    CHECK_EQ_INT(ur_s3_json_member(doc, n, "o", &v), 0);
    CHECK_EQ_INT(v.type, UR_S3_JSON_OBJECT);
    CHECK_EQ_INT(ur_s3_json_string(&v, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_s3_json_member(doc, n, "z", &v), 0);
    CHECK_EQ_INT(ur_s3_json_string(&v, out, sizeof(out)), -EINVAL); /* \u0000 */
    CHECK_EQ_INT(ur_s3_json_member(doc, n, "nope", &v), -ENOENT);
    const char *nums = "{\"f\":1.5,\"big\":99999999999999999999,\"neg\":-9223372036854775807}";
    CHECK_EQ_INT(ur_s3_json_member(nums, strlen(nums), "f", &v), 0);
    CHECK_EQ_INT(ur_s3_json_int(&v, &x), -EINVAL);
    CHECK_EQ_INT(ur_s3_json_member(nums, strlen(nums), "big", &v), 0);
    CHECK_EQ_INT(ur_s3_json_int(&v, &x), -ERANGE);
    CHECK_EQ_INT(ur_s3_json_member(nums, strlen(nums), "neg", &v), 0);
    CHECK_EQ_INT(ur_s3_json_int(&v, &x), 0);
    CHECK(x == -9223372036854775807LL);
}

static void test_process(void)
{
    struct ur_creds_temp t;
    char err[256];
    const char *ok =
        "{\n  \"Version\": 1,\n  \"AccessKeyId\": \"AKIDPROC\",\n  \"SecretAccessKey\": \"" SECRET "\",\n"
        "  \"SessionToken\": \"tok/+=\",\n  \"Expiration\": \"2026-12-03T10:00:00Z\"\n}\n";
    CHECK_EQ_INT(ur_creds_parse_process(ok, strlen(ok), &t, err, sizeof(err)), 0);
    CHECK_EQ_STR(t.creds.access_key, "AKIDPROC");
    CHECK_EQ_STR(t.creds.secret_key, SECRET);
    CHECK_EQ_STR(t.creds.session_token, "tok/+=");
    CHECK_EQ_INT(t.expiration, 1796292000);

    const char *noexp = "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}";
    CHECK_EQ_INT(ur_creds_parse_process(noexp, strlen(noexp), &t, err, sizeof(err)), 0);
    CHECK_EQ_INT(t.expiration, 0);
    CHECK_EQ_STR(t.creds.session_token, "");

    static const struct {
        const char *out;
        const char *err;
    } bad[] = {
        {"", "credential_process output: not a JSON object"},
        {"Traceback (most recent call last):\n  File \"x\", line 1\n",
         "credential_process output: not a JSON object"},
        {"{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"" SECRET "\"} trailing",
         "credential_process output: not a JSON object"},
        {"{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"" SECRET "\"}",
         "credential_process output: no Version"},
        {"{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"" SECRET "\"}",
         "credential_process output: unsupported Version"},
        {"{\"Version\":\"1\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"" SECRET "\"}",
         "credential_process output: unsupported Version"},
        {"{\"Version\":1,\"SecretAccessKey\":\"" SECRET "\"}", "credential_process output: no AccessKeyId"},
        {"{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"\"}",
         "credential_process output: no SecretAccessKey"},
        {"{\"Version\":1,\"AccessKeyId\":7,\"SecretAccessKey\":\"" SECRET "\"}",
         "credential_process output: not a string or too long: AccessKeyId"},
        {"{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"" SECRET
         "\",\"Expiration\":\"tomorrow\"}",
         "credential_process output: Expiration is not an ISO-8601 time"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = ur_creds_parse_process(bad[i].out, strlen(bad[i].out), &t, err, sizeof(err));
        if (rc != -EINVAL || strncmp(err, bad[i].err, strlen(bad[i].err)) != 0 || strstr(err, SECRET) ||
            t.creds.secret_key[0]) {
            fprintf(stderr, "credential_process case %zu: rc %d err \"%s\"\n", i, rc, err);
            check_failures++;
        }
    }
}

static void test_container_imds(void)
{
    struct ur_creds_temp t;
    char err[256];
    const char *ecs =
        "{\"RoleArn\":\"arn:aws:iam::1:role/task\",\"AccessKeyId\":\"ASIAECS\",\"SecretAccessKey\":\"" SECRET
        "\",\"Token\":\"ecstoken\",\"Expiration\":\"2026-12-03T10:00:00Z\"}";
    CHECK_EQ_INT(ur_creds_parse_container(200, ecs, strlen(ecs), &t, err, sizeof(err)), 0);
    CHECK_EQ_STR(t.creds.access_key, "ASIAECS");
    CHECK_EQ_STR(t.creds.session_token, "ecstoken");
    CHECK_EQ_INT(t.expiration, 1796292000);
    const char *e = "{\"code\":\"AccessDenied\",\"message\":\"Invalid authorization token\"}";
    CHECK_EQ_INT(ur_creds_parse_container(403, e, strlen(e), &t, err, sizeof(err)), -EACCES);
    CHECK_EQ_STR(err, "container credentials endpoint: HTTP 403 AccessDenied: Invalid authorization token");
    CHECK_EQ_INT(ur_creds_parse_container(500, "oops", 4, &t, err, sizeof(err)), -EACCES);
    CHECK_EQ_STR(err, "container credentials endpoint: HTTP 500");
    CHECK_EQ_INT(ur_creds_parse_container(200, "<html>", 6, &t, err, sizeof(err)), -EINVAL);

    const char *imds =
        "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2026-12-03T07:00:00Z\",\n"
        "  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"ASIAIMDS\",\n  \"SecretAccessKey\" : \"" SECRET
        "\",\n  \"Token\" : \"imdstoken\",\n  \"Expiration\" : \"2026-12-03T13:00:00Z\"\n}";
    CHECK_EQ_INT(ur_creds_parse_imds(imds, strlen(imds), &t, err, sizeof(err)), 0);
    CHECK_EQ_STR(t.creds.access_key, "ASIAIMDS");
    CHECK_EQ_STR(t.creds.session_token, "imdstoken");
    CHECK_EQ_INT(t.expiration, 1796302800);
    const char *fail = "{\"Code\":\"AssumeRoleUnauthorizedAccess\",\"Message\":\"cannot assume role\"}";
    CHECK_EQ_INT(ur_creds_parse_imds(fail, strlen(fail), &t, err, sizeof(err)), -EACCES);
    CHECK_EQ_STR(err, "instance metadata: AssumeRoleUnauthorizedAccess: cannot assume role");
    const char *notok = "{\"Code\":\"Success\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"" SECRET "\"}";
    CHECK_EQ_INT(ur_creds_parse_imds(notok, strlen(notok), &t, err, sizeof(err)), -EINVAL);
    CHECK_EQ_STR(err, "instance metadata: no Token");

    char role[64];
    CHECK_EQ_INT(ur_creds_parse_imds_role("my-role\n", 8, role, sizeof(role)), 0);
    CHECK_EQ_STR(role, "my-role");
    CHECK_EQ_INT(ur_creds_parse_imds_role("r1\nr2", 5, role, sizeof(role)), 0);
    CHECK_EQ_STR(role, "r1");
    CHECK_EQ_INT(ur_creds_parse_imds_role("", 0, role, sizeof(role)), -ENOENT);
    CHECK_EQ_INT(ur_creds_parse_imds_role("../x", 4, role, sizeof(role)), -EINVAL);
    CHECK_EQ_INT(ur_creds_parse_imds_role("a b", 3, role, sizeof(role)), -EINVAL);
}

static void test_time(void)
{
    static const struct {
        const char *s;
        long long t; /* -1: refused */
    } t[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"2016-02-25T06:03:31Z", 1456380211},
        {"2011-07-15T23:28:33.359Z", 1310772513},
        {"2026-12-03T10:00:00+01:00", 1796288400},
        {"2026-12-03T10:00:00-0130", 1796297400},
        {"2026-12-03t10:00:00z", 1796292000},
        {"2024-02-29T00:00:00Z", 1709164800},
        {"2023-02-29T00:00:00Z", -1},
        {"2100-02-29T00:00:00Z", -1},
        {"2026-13-01T00:00:00Z", -1},
        {"2026-12-03T24:00:00Z", -1},
        {"2026-12-03T10:00:00", -1},
        {"2026-12-03 10:00:00Z", -1},
        {"2026-12-03T10:00:00.Z", -1},
        {"2026-12-03T10:00:00+1:00", -1},
        {"2026-12-03T10:00:00Zjunk", -1},
        {"1969-12-31T23:59:59Z", -1},
        {"", -1},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        time_t v = 0;
        int rc = ur_creds_parse_time(t[i].s, strlen(t[i].s), &v);
        if ((t[i].t < 0) != (rc != 0) || (rc == 0 && (long long)v != t[i].t)) {
            fprintf(stderr, "time \"%s\": rc %d value %lld, expected %lld\n", t[i].s, rc, (long long)v,
                    t[i].t);
            check_failures++;
        }
    }
}

static void test_refresh(void)
{
    time_t exp = 100000;
    CHECK_EQ_INT(ur_creds_freshness(0, 5), UR_CREDS_FRESH);
    CHECK_EQ_INT(ur_creds_freshness(exp, exp - UR_CREDS_REFRESH_AHEAD_S - 1), UR_CREDS_FRESH);
    CHECK_EQ_INT(ur_creds_freshness(exp, exp - UR_CREDS_REFRESH_AHEAD_S), UR_CREDS_REFRESH);
    CHECK_EQ_INT(ur_creds_freshness(exp, exp - UR_CREDS_REFRESH_BLOCK_S - 1), UR_CREDS_REFRESH);
    CHECK_EQ_INT(ur_creds_freshness(exp, exp - UR_CREDS_REFRESH_BLOCK_S), UR_CREDS_BLOCK);
    CHECK_EQ_INT(ur_creds_freshness(exp, exp - 1), UR_CREDS_BLOCK);
    CHECK_EQ_INT(ur_creds_freshness(exp, exp), UR_CREDS_EXPIRED);
    CHECK_EQ_INT(ur_creds_refresh_at(0, 5), 0);
    CHECK_EQ_INT(ur_creds_refresh_at(exp, exp - 3600), exp - UR_CREDS_REFRESH_AHEAD_S);
    /* Fetched already inside the window: not again at once. */
    CHECK_EQ_INT(ur_creds_refresh_at(exp, exp - 120), exp - 120 + UR_CREDS_REFRESH_MIN_GAP_S);
    CHECK(ur_creds_error_is_expired("ExpiredToken"));
    CHECK(ur_creds_error_is_expired("RequestExpired"));
    CHECK(ur_creds_error_is_expired("InvalidToken"));
    CHECK(ur_creds_error_is_expired("TokenRefreshRequired"));
    CHECK(!ur_creds_error_is_expired("AccessDenied"));
    CHECK(!ur_creds_error_is_expired("SignatureDoesNotMatch"));
    CHECK(!ur_creds_error_is_expired(NULL));
}

int main(void)
{
    test_json();
    test_process();
    test_container_imds();
    test_time();
    test_refresh();
    return CHECK_DONE();
}
