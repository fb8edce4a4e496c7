/* tests/unit/test_endpoint.c — endpoint URLs (schemes, ports, IPv6, trailing slash, errors), AWS
 * virtual-host style with its path-style fallback, Host header values and request targets. */
#include <errno.h>
#include <string.h>

#include "s3/endpoint.h"
#include "tests/unit/check.h"

static void test_init(void)
{
    struct ur_endpoint ep;
    char err[128];

    CHECK_EQ_INT(ur_endpoint_init(&ep, NULL, NULL, err, sizeof(err)), 0);
    CHECK(ep.tls && !ep.path_style);
    CHECK_EQ_INT(ep.port, 443);
    CHECK_EQ_STR(ep.host, "s3.us-east-1.amazonaws.com");
    CHECK_EQ_STR(ep.region, "us-east-1");

    CHECK_EQ_INT(ur_endpoint_init(&ep, "", "eu-west-3", err, sizeof(err)), 0);
    CHECK_EQ_STR(ep.host, "s3.eu-west-3.amazonaws.com");
    CHECK_EQ_INT(ur_endpoint_init(&ep, NULL, "cn-north-1", err, sizeof(err)), 0);
    CHECK_EQ_STR(ep.host, "s3.cn-north-1.amazonaws.com.cn");

    static const struct {
        const char *url;
        bool tls;
        unsigned port;
        const char *host;
    } ok[] = {
        {"http://127.0.0.1:9000", false, 9000, "127.0.0.1"},
        {"http://127.0.0.1:9000/", false, 9000, "127.0.0.1"},
        {"https://minio.example.com", true, 443, "minio.example.com"},
        {"https://minio.example.com/", true, 443, "minio.example.com"},
        {"HTTP://localhost", false, 80, "localhost"},
        {"http://[::1]:7480", false, 7480, "::1"},
        {"https://[2001:db8::5]/", true, 443, "2001:db8::5"},
        {"http://rgw_1.internal:65535", false, 65535, "rgw_1.internal"},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        CHECK_EQ_INT(ur_endpoint_init(&ep, ok[i].url, "", err, sizeof(err)), 0);
        CHECK_EQ_INT(ep.tls, ok[i].tls);
        CHECK_EQ_INT(ep.port, ok[i].port);
        CHECK_EQ_STR(ep.host, ok[i].host);
        CHECK(ep.path_style);
        CHECK_EQ_STR(ep.region, "us-east-1");
    }

    static const struct {
        const char *url, *region, *msg;
    } bad[] = {
        {"ftp://host", NULL, "endpoint URL must start with http:// or https://"},
        {"host:9000", NULL, "endpoint URL must start with http:// or https://"},
        {"http://", NULL, "endpoint URL has no host"},
        {"http://:9000", NULL, "endpoint URL has no host"},
        {"http://host:0", NULL, "bad port in endpoint URL (expected 1 to 65535)"},
        {"http://host:65536", NULL, "bad port in endpoint URL (expected 1 to 65535)"},
        {"http://host:", NULL, "bad port in endpoint URL (expected 1 to 65535)"},
        {"http://host:80x", NULL, "bad port in endpoint URL (expected 1 to 65535)"},
        {"http://host:9000/path", NULL, "endpoint URL must be just http[s]://HOST[:PORT] (no path or query)"},
        {"http://host//", NULL, "endpoint URL must be just http[s]://HOST[:PORT] (no path or query)"},
        {"http://host?x=1", NULL, "endpoint URL must be just http[s]://HOST[:PORT] (no path or query)"},
        {"http://user:pw@host", NULL, "endpoint URL must not carry a user name or password"},
        {"http://user@host", NULL, "endpoint URL must not carry a user name or password"},
        {"http://[::1", NULL, "endpoint URL has an IPv6 address without its closing ']'"},
        {"http://[zz::1]", NULL, "endpoint URL has a bad IPv6 address"},
        {"http://ho st", NULL, "endpoint URL has a bad host name"},
        {NULL, "us-east-1.evil.com/", "bad region name (expected something like us-east-1)"},
        {NULL, "US-EAST-1", "bad region name (expected something like us-east-1)"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        CHECK_EQ_INT(ur_endpoint_init(&ep, bad[i].url, bad[i].region, err, sizeof(err)), -EINVAL);
        CHECK_EQ_STR(err, bad[i].msg);
    }
    /* A host name longer than the struct holds. */
    char url[400] = "http://";
    memset(url + 7, 'h', 300);
    url[307] = '\0';
    CHECK_EQ_INT(ur_endpoint_init(&ep, url, NULL, err, sizeof(err)), -EINVAL);
    CHECK_EQ_STR(err, "endpoint host name is too long");
    /* err may be NULL. */
    CHECK_EQ_INT(ur_endpoint_init(&ep, "gopher://x", NULL, NULL, 0), -EINVAL);
}

static void test_host_and_target(void)
{
    /* One row per request: the endpoint, the bucket and key, and what must come out. */
    static const struct {
        const char *url, *region, *bucket, *key;
        const char *conn, *host, *target;
    } rows[] = {
        /* AWS: virtual-host style... */
        {NULL, "us-west-2", "my-bucket", "dir/file name.txt", "my-bucket.s3.us-west-2.amazonaws.com",
         "my-bucket.s3.us-west-2.amazonaws.com", "/dir/file%20name.txt"},
        {NULL, "us-west-2", "my-bucket", "", "my-bucket.s3.us-west-2.amazonaws.com",
         "my-bucket.s3.us-west-2.amazonaws.com", "/"},
        /* ...except buckets that cannot be a DNS label under the wildcard certificate. */
        {NULL, "us-west-2", "my.dotted.bucket", "k", "s3.us-west-2.amazonaws.com",
         "s3.us-west-2.amazonaws.com", "/my.dotted.bucket/k"},
        {NULL, "us-west-2", "Legacy_Bucket", "k", "s3.us-west-2.amazonaws.com", "s3.us-west-2.amazonaws.com",
         "/Legacy_Bucket/k"},
        {NULL, "us-west-2", "UPPER", "", "s3.us-west-2.amazonaws.com", "s3.us-west-2.amazonaws.com",
         "/UPPER"},
        /* Custom endpoint: path style, never normalised, port in Host when not the default. */
        {"http://127.0.0.1:9000/", NULL, "bkt", "a//b/../c", "127.0.0.1", "127.0.0.1:9000", "/bkt/a//b/../c"},
        {"http://127.0.0.1:9000/", NULL, "bkt", "", "127.0.0.1", "127.0.0.1:9000", "/bkt"},
        {"http://127.0.0.1:9000/", NULL, "bkt", "/x", "127.0.0.1", "127.0.0.1:9000", "/bkt//x"},
        /* Brackets for IPv6 in Host, not in the connect host. */
        {"http://[::1]:7480", NULL, "bkt", "k", "::1", "[::1]:7480", "/bkt/k"},
        {"https://[::1]", NULL, "bkt", "k", "::1", "[::1]", "/bkt/k"},
        /* 443 is https's default, not http's. */
        {"http://host:443", NULL, "bkt", "k", "host", "host:443", "/bkt/k"},
        {"https://host:443", NULL, "bkt", "k", "host", "host", "/bkt/k"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct ur_endpoint ep;
        char err[128], conn[300], host[300], t[4096];
        CHECK_EQ_INT(ur_endpoint_init(&ep, rows[i].url, rows[i].region, err, sizeof(err)), 0);
        CHECK_EQ_INT(ur_endpoint_host(&ep, rows[i].bucket, conn, sizeof(conn), host, sizeof(host)), 0);
        CHECK_EQ_STR(conn, rows[i].conn);
        CHECK_EQ_STR(host, rows[i].host);
        CHECK_EQ_INT(ur_endpoint_target(&ep, rows[i].bucket, rows[i].key, t, sizeof(t)),
                     strlen(rows[i].target));
        CHECK_EQ_STR(t, rows[i].target);
    }
}

static void test_round_trip_and_space(void)
{
    struct ur_endpoint ep;
    char err[128], conn[300], host[300], t[4096];

    /* Keys round-trip: every character class from the S3 docs' "characters to avoid". */
    ur_endpoint_init(&ep, "http://h:1", NULL, err, sizeof(err));
    CHECK(ur_endpoint_target(&ep, "b", "sp ace/+=~%!'()/\xc3\xa9", t, sizeof(t)) > 0);
    CHECK_EQ_STR(t, "/b/sp%20ace/%2B%3D~%25%21%27%28%29/%C3%A9");

    /* -ENOSPC at every short size, for both functions. */
    int n = ur_endpoint_target(&ep, "b", "key with space", t, sizeof(t));
    CHECK_EQ_INT(n, 21);
    for (int cap = 0; cap <= n; cap++)
        CHECK_EQ_INT(ur_endpoint_target(&ep, "b", "key with space", t, (size_t)cap), -ENOSPC);
    CHECK_EQ_INT(ur_endpoint_target(&ep, "b", "key with space", t, (size_t)n + 1), n);
    CHECK_EQ_INT(ur_endpoint_host(&ep, "b", conn, 1, host, sizeof(host)), -ENOSPC);
    CHECK_EQ_INT(ur_endpoint_host(&ep, "b", conn, sizeof(conn), host, 3), -ENOSPC);
    CHECK_EQ_INT(ur_endpoint_host(&ep, "b", conn, 2, host, 4), 0);
    CHECK_EQ_STR(host, "h:1");
}

/* A redirect's region: AWS's own endpoint moves to that region's host (virtual-host style); a custom
 * endpoint keeps its host and is only signed for the region. */
static void test_in_region(void)
{
    struct ur_endpoint ep, out;
    char conn[256], host[272];
    CHECK_EQ_INT(ur_endpoint_init(&ep, NULL, "us-east-1", NULL, 0), 0);
    CHECK(ep.aws);
    CHECK_EQ_INT(ur_endpoint_in_region(&ep, "eu-west-3", &out), 0);
    CHECK_EQ_STR(out.region, "eu-west-3");
    CHECK_EQ_INT(ur_endpoint_host(&out, "bucket", conn, sizeof(conn), host, sizeof(host)), 0);
    CHECK_EQ_STR(conn, "bucket.s3.eu-west-3.amazonaws.com");
    CHECK_EQ_STR(host, "bucket.s3.eu-west-3.amazonaws.com");
    CHECK_EQ_INT(ur_endpoint_in_region(&ep, "cn-north-1", &out), 0);
    CHECK_EQ_STR(out.host, "s3.cn-north-1.amazonaws.com.cn");
    CHECK_EQ_INT(ur_endpoint_in_region(&ep, "Bad.Region", &out), -EINVAL);

    CHECK_EQ_INT(ur_endpoint_init(&ep, "http://127.0.0.1:9000", "us-east-1", NULL, 0), 0);
    CHECK(!ep.aws);
    CHECK_EQ_INT(ur_endpoint_in_region(&ep, "eu-west-3", &out), 0);
    CHECK_EQ_STR(out.host, "127.0.0.1");
    CHECK_EQ_INT(out.port, 9000);
    CHECK(out.path_style && !out.tls);
    CHECK_EQ_STR(out.region, "eu-west-3");
    CHECK_EQ_INT(ur_endpoint_in_region(&ep, "x/y", &out), -EINVAL);
}

int main(void)
{
    test_init();
    test_in_region();
    test_host_and_target();
    test_round_trip_and_space();
    return CHECK_DONE();
}
