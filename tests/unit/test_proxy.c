/* tests/unit/test_proxy.c — URLs of credential endpoints and proxies, IP literal classes, proxy choice
 * from HTTPS_PROXY/HTTP_PROXY (either case), NO_PROXY rules (suffix, leading dot, '*', ports, IPv4 and
 * IPv6 CIDRs), metadata hosts that never go through a proxy, proxy credentials, and the CONNECT line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "s3/proxy.h"
#include "s3/url.h"
#include "tests/unit/check.h"

struct env {
    const char *kv[8][2];
};

/* The table the lookup reads: pairs ended by a zeroed one (the last slot stays zero). */
static const char *s_env(void *ctx, const char *name)
{
    return ur_awscfg_table_env(((struct env *)ctx)->kv, name);
}

static void test_url(void)
{
    struct ur_s3_url u;
    const char *why;
    CHECK_EQ_INT(ur_s3_url_parse("http://169.254.170.2/v2/credentials?id=1", false, &u, &why), 0);
    CHECK(!u.tls);
    CHECK_EQ_INT(u.port, 80);
    CHECK_EQ_STR(u.host, "169.254.170.2");
    CHECK_EQ_STR(u.path, "/v2/credentials?id=1");
    CHECK_EQ_INT(ur_s3_url_parse("HTTPS://User:p%40ss@Proxy.Example:8443", false, &u, &why), 0);
    CHECK(u.tls);
    CHECK_EQ_INT(u.port, 8443);
    CHECK_EQ_STR(u.host, "proxy.example");
    CHECK_EQ_STR(u.userinfo, "User:p%40ss");
    CHECK_EQ_STR(u.path, "/");
    CHECK_EQ_INT(ur_s3_url_parse("[fd00:ec2::23]:80", true, &u, &why), 0);
    CHECK_EQ_STR(u.host, "fd00:ec2::23");
    CHECK_EQ_INT(ur_s3_url_parse("proxy:3128", true, &u, &why), 0);
    CHECK_EQ_STR(u.host, "proxy");
    CHECK_EQ_INT(u.port, 3128);
    static const char *const bad[] = {"ftp://x",         "http://",       "http://h:0",      "http://h:65536",
                                      "http://h:x",      "http://[::1",   "http://[zz::1]/", "http://h/a b",
                                      "http://h/\r\nX:", "http://h#frag", "http://ho$t/"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ur_s3_url_parse(bad[i], false, &u, &why) != -EINVAL || !why) {
            fprintf(stderr, "bad URL accepted: %s\n", bad[i]);
            check_failures++;
        }
    CHECK_EQ_INT(ur_s3_url_parse("proxy:3128", false, &u, &why), -EINVAL);

    uint8_t a[16];
    CHECK_EQ_INT(ur_s3_ip_parse("10.1.2.3", a), 4);
    CHECK_EQ_INT(ur_s3_ip_parse("::ffff:10.1.2.3", a), 4);
    CHECK_EQ_INT(a[0], 10);
    CHECK_EQ_INT(ur_s3_ip_parse("fe80::1%eth0", a), 0);
    CHECK_EQ_INT(ur_s3_ip_parse("127.1", a), 0);
    CHECK_EQ_INT(ur_s3_ip_parse("example.com", a), 0);
    CHECK(ur_s3_host_is_loopback("127.9.9.9"));
    CHECK(ur_s3_host_is_loopback("::1"));
    CHECK(ur_s3_host_is_loopback("LocalHost"));
    CHECK(!ur_s3_host_is_loopback("::2"));
    CHECK(!ur_s3_host_is_loopback("localhost.example"));
    char hp[64];
    CHECK_EQ_INT(ur_s3_hostport(hp, sizeof(hp), "::1", 443), 9);
    CHECK_EQ_STR(hp, "[::1]:443");
    CHECK_EQ_INT(ur_s3_hostport(hp, 4, "host", 80), -ENOSPC);
}

static void test_no_proxy(void)
{
    static const struct {
        const char *np, *host;
        unsigned port;
        bool match;
    } t[] = {
        {"*", "anything", 443, true},
        {"example.com", "example.com", 443, true},
        {"example.com", "s3.example.com", 443, true},
        {"example.com", "badexample.com", 443, false},
        {".example.com", "example.com", 443, false},
        {".example.com", "a.example.com", 443, true},
        {"*.example.com", "a.b.example.com", 443, true},
        {"*.example.com", "example.com", 443, false},
        {"EXAMPLE.com", "s3.Example.COM", 443, true},
        {"other, example.com:8080", "example.com", 8080, true},
        {"example.com:8080", "example.com", 443, false},
        {" a.test ,, b.test ", "b.test", 1, true},
        {"10.0.0.0/8", "10.200.3.4", 80, true},
        {"10.0.0.0/8", "11.0.0.1", 80, false},
        {"192.168.1.0/25", "192.168.1.127", 80, true},
        {"192.168.1.0/25", "192.168.1.128", 80, false},
        {"10.0.0.0/8", "ten.example", 80, false},
        {"fd00::/8", "fd12::1", 80, true},
        {"fd00::/8", "fe80::1", 80, false},
        {"2001:db8::/32", "10.0.0.1", 80, false},
        {"10.0.0.0/33", "10.0.0.1", 80, false},
        {"10.0.0.0/", "10.0.0.1", 80, false},
        {"127.0.0.1", "127.0.0.1", 7480, true},
        {"127.0.0.1:7480", "127.0.0.1", 7480, true},
        {"127.0.0.1:7480", "127.0.0.1", 7443, false},
        {"::1", "::1", 1, true},
        {"[::1]:9000", "::1", 9000, true},
        {"[::1]:9000", "::1", 9001, false},
        {"localhost", "127.0.0.1", 80, false}, /* no DNS here */
        {"", "example.com", 443, false},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (ur_s3_no_proxy_match(t[i].np, t[i].host, (uint16_t)t[i].port) != t[i].match) {
            fprintf(stderr, "NO_PROXY \"%s\" vs %s:%u: expected %s\n", t[i].np, t[i].host, t[i].port,
                    t[i].match ? "match" : "no match");
            check_failures++;
        }
    CHECK(!ur_s3_no_proxy_match(NULL, "h", 1));
}

static void test_select(void)
{
    struct ur_s3_proxy p;
    char err[256];
    struct env e = {{{"HTTPS_PROXY", "http://proxy.corp:3128"},
                     {"http_proxy", "plainproxy:8080"},
                     {"no_proxy", "internal.corp,10.0.0.0/8"}}};
    CHECK_EQ_INT(
        ur_s3_proxy_select(true, "s3.eu-west-1.amazonaws.com", 443, false, s_env, &e, &p, err, sizeof(err)),
        0);
    CHECK(p.use && !p.tls);
    CHECK_EQ_STR(p.host, "proxy.corp");
    CHECK_EQ_INT(p.port, 3128);
    CHECK_EQ_STR(p.from, "HTTPS_PROXY");
    CHECK_EQ_STR(p.authorization, "");
    CHECK_EQ_INT(ur_s3_proxy_select(false, "rgw.example", 80, false, s_env, &e, &p, err, sizeof(err)), 0);
    CHECK(p.use);
    CHECK_EQ_STR(p.host, "plainproxy");
    CHECK_EQ_STR(p.from, "http_proxy");
    CHECK_EQ_INT(ur_s3_proxy_select(true, "s3.internal.corp", 443, false, s_env, &e, &p, err, sizeof(err)),
                 0);
    CHECK(!p.use);
    CHECK_EQ_INT(ur_s3_proxy_select(true, "10.9.9.9", 443, false, s_env, &e, &p, err, sizeof(err)), 0);
    CHECK(!p.use);
    static const char *const meta[] = {"169.254.169.254", "fd00:ec2::254", "169.254.170.2", "169.254.170.23",
                                       "fd00:ec2::23"};
    for (size_t i = 0; i < 5; i++) {
        CHECK(ur_s3_host_is_metadata(meta[i]));
        CHECK_EQ_INT(ur_s3_proxy_select(false, meta[i], 80, false, s_env, &e, &p, err, sizeof(err)), 0);
        CHECK(!p.use);
    }
    CHECK(!ur_s3_host_is_metadata("169.254.169.253"));
    /* A credential endpoint on another host (AWS_EC2_METADATA_SERVICE_ENDPOINT, a FULL_URI): the engine says.
     */
    CHECK_EQ_INT(ur_s3_proxy_select(false, "127.0.0.1", 1338, true, s_env, &e, &p, err, sizeof(err)), 0);
    CHECK(!p.use);
    /* Loopback is proxied unless NO_PROXY says otherwise (as curl). */
    CHECK_EQ_INT(ur_s3_proxy_select(false, "127.0.0.1", 7480, false, s_env, &e, &p, err, sizeof(err)), 0);
    CHECK(p.use);

    struct env upper = {{{"HTTPS_PROXY", "https://u%3Ax:p%40ss@[::1]:8443/"},
                         {"https_proxy", "http://lower:1"},
                         {"NO_PROXY", "nothing.example"},
                         {"no_proxy", "*"}}};
    CHECK_EQ_INT(
        ur_s3_proxy_select(true, "s3.amazonaws.com", 443, false, s_env, &upper, &p, err, sizeof(err)), 0);
    CHECK(p.use && p.tls);
    CHECK_EQ_STR(p.host, "::1");
    CHECK_EQ_INT(p.port, 8443);
    CHECK_EQ_STR(p.authorization, "Basic dTp4OnBAc3M="); /* base64("u:x:p@ss") */
    char out[256];
    int n = ur_s3_proxy_connect(&p, "bucket.s3.amazonaws.com", 443, out, sizeof(out));
    CHECK_EQ_STR(out, "CONNECT bucket.s3.amazonaws.com:443 HTTP/1.1\r\nHost: bucket.s3.amazonaws.com:443\r\n"
                      "Proxy-Authorization: Basic dTp4OnBAc3M=\r\n\r\n");
    CHECK_EQ_INT(n, (int)strlen(out));
    struct ur_s3_proxy plain = {.use = true};
    ur_s3_proxy_connect(&plain, "2001:db8::1", 7443, out, sizeof(out));
    CHECK_EQ_STR(out, "CONNECT [2001:db8::1]:7443 HTTP/1.1\r\nHost: [2001:db8::1]:7443\r\n\r\n");
    CHECK_EQ_INT(ur_s3_proxy_connect(&plain, "h\r\nX: y", 1, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_s3_proxy_connect(&plain, "host", 1, out, 10), -ENOSPC);

    struct env bad = {{{"HTTPS_PROXY", "ftp://user:secretpw@proxy"}}};
    CHECK_EQ_INT(ur_s3_proxy_select(true, "s3.amazonaws.com", 443, false, s_env, &bad, &p, err, sizeof(err)),
                 -EINVAL);
    CHECK(strstr(err, "HTTPS_PROXY") != NULL && strstr(err, "secretpw") == NULL);
    CHECK(!p.use);
    struct env empty = {{{"HTTPS_PROXY", ""}, {"https_proxy", ""}}};
    CHECK_EQ_INT(
        ur_s3_proxy_select(true, "s3.amazonaws.com", 443, false, s_env, &empty, &p, err, sizeof(err)), 0);
    CHECK(!p.use);
}

/* Plain http through a proxy: the request line in absolute form, Proxy-Authorization after it, the rest
 * byte for byte (the body too); what is not a request in origin form is refused. */
static void test_absolute(void)
{
    static const char req[] = "POST /?x=1 HTTP/1.1\r\nHost: sts.example:8080\r\nContent-Length: 3\r\n\r\na=b";
    char out[512];
    struct ur_s3_proxy p = {.use = true, .authorization = "Basic YTpi"};
    int n = ur_s3_proxy_absolute(&p, "sts.example", 8080, req, sizeof(req) - 1, out, sizeof(out));
    static const char want[] = "POST http://sts.example:8080/?x=1 HTTP/1.1\r\nProxy-Authorization: Basic YTpi\r\n"
                               "Host: sts.example:8080\r\nContent-Length: 3\r\n\r\na=b";
    CHECK_EQ_INT(n, (int)sizeof(want) - 1);
    CHECK(n > 0 && memcmp(out, want, (size_t)n) == 0);
    struct ur_s3_proxy anon = {.use = true};
    n = ur_s3_proxy_absolute(&anon, "::1", 80, "GET /b/k HTTP/1.1\r\n\r\n", 21, out, sizeof(out));
    CHECK_EQ_INT(n, 36);
    CHECK(n > 0 && memcmp(out, "GET http://[::1]:80/b/k HTTP/1.1\r\n\r\n", 36) == 0);
    CHECK_EQ_INT(ur_s3_proxy_absolute(&anon, "h", 80, "GET http://h/ HTTP/1.1\r\n", 24, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_s3_proxy_absolute(&anon, "h", 80, "GET", 3, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_s3_proxy_absolute(&p, "h", 80, req, sizeof(req) - 1, out, 40), -ENOSPC);
}

/* The proxy's answer to CONNECT: more wanted, open, and each refusal in words (status line sanitised). */
static void test_answer(void)
{
    struct ur_s3_proxy p = {.use = true, .host = "10.0.0.1", .port = 3128, .from = "HTTPS_PROXY"};
    char msg[256], big[UR_S3_PROXY_ANSWER_MAX];
    static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
    CHECK_EQ_INT(ur_s3_proxy_answer(&p, "s3.example", 443, ok, sizeof(ok) - 3, msg, sizeof(msg)), 0);
    CHECK_EQ_INT(ur_s3_proxy_answer(&p, "s3.example", 443, ok, sizeof(ok) - 1, msg, sizeof(msg)), 1);
    static const char after[] = "HTTP/1.1 200 OK\r\n\r\nX";
    CHECK_EQ_INT(ur_s3_proxy_answer(&p, "s3.example", 443, after, sizeof(after) - 1, msg, sizeof(msg)), -EACCES);
    static const char auth[] = "HTTP/1.1 407 Proxy \x01" "Auth\r\nProxy-Authenticate: Basic\r\n\r\n";
    CHECK_EQ_INT(ur_s3_proxy_answer(&p, "s3.example", 443, auth, sizeof(auth) - 1, msg, sizeof(msg)), -EACCES);
    CHECK_EQ_STR(msg, "proxy 10.0.0.1:3128 (HTTPS_PROXY) refused the tunnel to s3.example:443: HTTP/1.1 407 Proxy ?Auth");
    static const char gw[] = "HTTP/1.0 502 Bad Gateway\r\n\r\n";
    CHECK_EQ_INT(ur_s3_proxy_answer(&p, "s3.example", 443, gw, sizeof(gw) - 1, msg, sizeof(msg)), -ECONNREFUSED);
    static const char junk[] = "SSH-2.0\r\n\r\n";
    CHECK_EQ_INT(ur_s3_proxy_answer(&p, "s3.example", 443, junk, sizeof(junk) - 1, msg, sizeof(msg)), -EACCES);
    CHECK(strstr(msg, ": not an HTTP answer") != NULL);
    memset(big, 'a', sizeof(big));
    CHECK_EQ_INT(ur_s3_proxy_answer(&p, "s3.example", 443, big, sizeof(big), msg, sizeof(msg)), -EPROTO);
    CHECK_EQ_STR(msg, "proxy for s3.example: an answer to CONNECT without an end");
}

int main(void)
{
    test_answer();
    test_url();
    test_no_proxy();
    test_select();
    test_absolute();
    return CHECK_DONE();
}
