/* tests/unit/test_s3_uri.c — s3://, s3a://, s3p:// parsing (keys verbatim, limits, messages) and SigV4
 * percent-encoding (unreserved set, '/', upper-case hex, -ENOSPC at every short size). */
#include <errno.h>
#include <string.h>

#include "s3/uri.h"
#include "tests/unit/check.h"

static void test_parse_ok(void)
{
    static const struct {
        const char *uri, *bucket, *key;
    } cases[] = {
        {"s3://bucket/key", "bucket", "key"},
        {"s3a://flink-ckpt/job/chk-1/_metadata", "flink-ckpt", "job/chk-1/_metadata"},
        {"s3p://b/k", "b", "k"},
        {"S3://Legacy_Bucket/k", "Legacy_Bucket", "k"},
        {"s3://bucket", "bucket", ""},
        {"s3://bucket/", "bucket", ""},
        {"s3://bucket//double//slash", "bucket", "/double//slash"},
        {"s3://bucket/../up/./here", "bucket", "../up/./here"},
        {"s3://bucket/sp ace+plus%20pct", "bucket", "sp ace+plus%20pct"},
        {"s3://bucket/\xc3\xbc\xe2\x82\xac", "bucket", "\xc3\xbc\xe2\x82\xac"},
        {"s3://my.dotted.bucket/a?b#c", "my.dotted.bucket", "a?b#c"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ur_s3_uri u;
        const char *why = "unset";
        CHECK_EQ_INT(ur_s3_uri_parse(cases[i].uri, &u, &why), 0);
        CHECK_EQ_STR(u.bucket, cases[i].bucket);
        CHECK_EQ_STR(u.key, cases[i].key);
    }
    /* The key points into the parsed string, not a copy. */
    const char *s = "s3://b/some/key";
    struct ur_s3_uri u;
    CHECK_EQ_INT(ur_s3_uri_parse(s, &u, NULL), 0);
    CHECK(u.key == s + 7);
}

static void test_parse_errors(void)
{
    char long_bucket[80], long_key[1100];
    char uri_b[200], uri_k[1200], uri_k_ok[1200];
    memset(long_bucket, 'b', 64);
    long_bucket[64] = '\0';
    snprintf(uri_b, sizeof(uri_b), "s3://%s/k", long_bucket);
    memset(long_key, 'k', 1025);
    long_key[1025] = '\0';
    snprintf(uri_k, sizeof(uri_k), "s3://b/%s", long_key);
    long_key[1024] = '\0';
    snprintf(uri_k_ok, sizeof(uri_k_ok), "s3://b/%s", long_key);
    static char ok_bucket[80];
    memset(ok_bucket, 'b', 63);
    char uri_b_ok[200];
    snprintf(uri_b_ok, sizeof(uri_b_ok), "s3://%s/k", ok_bucket);

    const struct {
        const char *uri, *why;
    } bad[] = {
        {"http://bucket/key", "not an s3:// URI"},
        {"s3:/bucket/key", "not an s3:// URI"},
        {"bucket/key", "not an s3:// URI"},
        {"", "not an s3:// URI"},
        {"s3://", "bucket name is empty"},
        {"s3:///key", "bucket name is empty"},
        {uri_b, "bucket name is too long"},
        {uri_k, "key is too long"},
        {"s3://bad bucket/k", "bucket name has a character S3 does not allow"},
        {"s3://b?x/k", "bucket name has a character S3 does not allow"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ur_s3_uri u;
        const char *why = NULL;
        CHECK_EQ_INT(ur_s3_uri_parse(bad[i].uri, &u, &why), -EINVAL);
        CHECK(why != NULL);
        if (why) CHECK_EQ_STR(why, bad[i].why);
        CHECK_EQ_STR(u.bucket, "");
    }
    struct ur_s3_uri u;
    CHECK_EQ_INT(ur_s3_uri_parse(NULL, &u, NULL), -EINVAL);
    CHECK_EQ_INT(ur_s3_uri_parse(uri_k_ok, &u, NULL), 0); /* exactly 1024 bytes is allowed */
    CHECK_EQ_INT(strlen(u.key), 1024);
    CHECK_EQ_INT(ur_s3_uri_parse(uri_b_ok, &u, NULL), 0); /* exactly 63 too */
    CHECK_EQ_INT(strlen(u.bucket), 63);
}

static void test_encode(void)
{
    char out[64];
    CHECK_EQ_INT(ur_uri_encode(out, sizeof(out), "a/b c", 5, true), 7);
    CHECK_EQ_STR(out, "a/b%20c");
    CHECK_EQ_INT(ur_uri_encode(out, sizeof(out), "a/b c", 5, false), 9);
    CHECK_EQ_STR(out, "a%2Fb%20c");
    ur_uri_encode(out, sizeof(out), "-_.~AZaz09", 10, false);
    CHECK_EQ_STR(out, "-_.~AZaz09");
    ur_uri_encode(out, sizeof(out), "+=%!'()*", 8, false);
    CHECK_EQ_STR(out, "%2B%3D%25%21%27%28%29%2A");
    ur_uri_encode(out, sizeof(out), "\xc3\xbc\xff", 3, false);
    CHECK_EQ_STR(out, "%C3%BC%FF");
    /* n bytes exactly: an embedded NUL is encoded, not an end. */
    CHECK_EQ_INT(ur_uri_encode(out, sizeof(out), "a\0b", 3, false), 5);
    CHECK_EQ_STR(out, "a%00b");
    CHECK_EQ_INT(ur_uri_encode(out, sizeof(out), "", 0, false), 0);
    CHECK_EQ_STR(out, "");
    /* Every capacity below length + 1 is -ENOSPC; length + 1 fits. */
    const char *src = "k/e y";
    for (size_t cap = 0; cap < 8; cap++)
        CHECK_EQ_INT(ur_uri_encode(out, cap, src, 5, true), -ENOSPC);
    CHECK_EQ_INT(ur_uri_encode(out, 8, src, 5, true), 7);
    CHECK_EQ_STR(out, "k/e%20y");
}

int main(void)
{
    test_parse_ok();
    test_parse_errors();
    test_encode();
    return CHECK_DONE();
}
