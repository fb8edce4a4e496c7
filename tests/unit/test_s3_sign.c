/* tests/unit/test_s3_sign.c — ur_sigv4_sign_headers as the engine uses it for S3: AWS's GET Object
 * known-answer vector, keys that must be encoded once and never normalised, a session token, range and
 * if-match headers, the cached key across a day boundary, anonymous requests, bad input; then the cost
 * per signature (printed) and the allocations per signature (must be none). Reference signatures are
 * computed here from hand-written canonical requests with OpenSSL's one-shot HMAC, not with the code
 * under test. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "s3/endpoint.h"
#include "s3/sigv4.h"
#include "tests/unit/check.h"

#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static long s_allocs;

static void *s_malloc(size_t n, const char *f, int l)
{
    (void)f, (void)l;
    s_allocs++;
    return malloc(n);
}

static void *s_realloc(void *p, size_t n, const char *f, int l)
{
    (void)f, (void)l;
    s_allocs++;
    return realloc(p, n);
}

static void s_free(void *p, const char *f, int l)
{
    (void)f, (void)l;
    free(p);
}

static void s_hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

/* The reference: SigV4 computed step by step from a canonical request written out by the test. */
static void s_ref_sig(const char *secret, const char *amz_date, const char *region, const char *creq,
                      char sig_hex[65])
{
    unsigned char k[32], h[32];
    unsigned int kl = 32;
    char key0[160], date8[9], sts[512], creq_hex[65];
    snprintf(key0, sizeof(key0), "AWS4%s", secret);
    snprintf(date8, sizeof(date8), "%.8s", amz_date);
    HMAC(EVP_sha256(), key0, (int)strlen(key0), (const unsigned char *)date8, 8, k, &kl);
    HMAC(EVP_sha256(), k, 32, (const unsigned char *)region, strlen(region), k, &kl);
    HMAC(EVP_sha256(), k, 32, (const unsigned char *)"s3", 2, k, &kl);
    HMAC(EVP_sha256(), k, 32, (const unsigned char *)"aws4_request", 12, k, &kl);
    EVP_Digest(creq, strlen(creq), h, NULL, EVP_sha256(), NULL);
    s_hex(h, 32, creq_hex);
    snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256\n%s\n%s/%s/s3/aws4_request\n%s", amz_date, date8, region,
             creq_hex);
    HMAC(EVP_sha256(), k, 32, (const unsigned char *)sts, strlen(sts), h, &kl);
    s_hex(h, 32, sig_hex);
}

/* The value of "name: " in a header block, copied into out; "" when absent. */
static const char *s_header(const char *block, const char *name, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "%s: ", name);
    out[0] = '\0';
    for (const char *l = block; l && *l;) {
        if (strncmp(l, pat, strlen(pat)) == 0) {
            const char *v = l + strlen(pat), *e = strstr(v, "\r\n");
            snprintf(out, cap, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
            return out;
        }
        l = strstr(l, "\r\n");
        if (l) l += 2;
    }
    return out;
}

static const char *s_sig(const char *block)
{
    const char *s = strstr(block, "Signature=");
    return s ? s + 10 : "";
}

static const char *const AK = "AKIAIOSFODNN7EXAMPLE";
static const char *const SK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

static struct ur_sigv4 *s_signer(const char *token, bool anonymous)
{
    struct ur_creds c = {0};
    snprintf(c.access_key, sizeof(c.access_key), "%s", AK);
    snprintf(c.secret_key, sizeof(c.secret_key), "%s", SK);
    snprintf(c.session_token, sizeof(c.session_token), "%s", token ? token : "");
    c.anonymous = anonymous;
    return ur_sigv4_new(&c, "us-east-1", "s3");
}

static void test_known_answer(void)
{
    /* AWS S3 docs, "Signature Calculations for the Authorization Header", GET Object example. */
    struct ur_sigv4 *s = s_signer(NULL, false);
    const char *extra[][2] = {{"range", "bytes=0-9"}};
    char out[2048];
    int n = ur_sigv4_sign_headers(s, out, sizeof(out), "GET", "examplebucket.s3.amazonaws.com", "/test.txt",
                                  "", (const char *const(*)[2])extra, 1, 1369353600 /* 20130524T000000Z */);
    const char *want = "host: examplebucket.s3.amazonaws.com\r\n"
                       "range: bytes=0-9\r\n"
                       "x-amz-content-sha256: " EMPTY_SHA "\r\n"
                       "x-amz-date: 20130524T000000Z\r\n"
                       "authorization: AWS4-HMAC-SHA256 "
                       "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                       "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                       "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\r\n";
    CHECK_EQ_STR(out, want);
    CHECK_EQ_INT(n, strlen(want));
    /* The secret never appears in what goes on the wire. */
    CHECK(strstr(out, SK) == NULL);
    ur_sigv4_free(s);
}

/* Keys that must reach S3 byte for byte: encoded once, '/' kept, nothing normalised. */
static void test_keys(void)
{
    static const struct {
        const char *key, *path; /* path: the canonical URI, virtual-host style */
    } cases[] = {
        {"a//b", "/a//b"},
        {"x/../y", "/x/../y"},
        {"./z", "/./z"},
        {"/leading", "//leading"},
        {"trailing/", "/trailing/"},
        {"with space", "/with%20space"},
        {"plus+sign", "/plus%2Bsign"},
        {"eq=ual", "/eq%3Dual"},
        {"tilde~ok", "/tilde~ok"},
        {"per%cent", "/per%25cent"},
        {"already%20encoded", "/already%2520encoded"},
        {"bang!quote'paren(close)", "/bang%21quote%27paren%28close%29"},
        {"star*comma,semi;colon:at@", "/star%2Acomma%2Csemi%3Bcolon%3Aat%40"},
        {"q?hash#amp&", "/q%3Fhash%23amp%26"},
        {"unicode/\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80", "/unicode/%C3%BC%E2%82%AC%F0%9F%98%80"},
        {"ctl\x01\x7f", "/ctl%01%7F"},
        {"-_.~AZaz09", "/-_.~AZaz09"},
    };
    struct ur_endpoint aws, custom;
    char err[128];
    CHECK_EQ_INT(ur_endpoint_init(&aws, NULL, "us-east-1", err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_endpoint_init(&custom, "http://127.0.0.1:9000", "us-east-1", err, sizeof(err)), 0);
    struct ur_sigv4 *s = s_signer(NULL, false);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char target[4096], conn[300], host[300], out[8192], creq[8192], ref[65], got_path[4096];
        CHECK_EQ_INT(ur_endpoint_target(&aws, "bucket", cases[i].key, target, sizeof(target)),
                     strlen(cases[i].path));
        CHECK_EQ_STR(target, cases[i].path);
        CHECK_EQ_INT(ur_endpoint_host(&aws, "bucket", conn, sizeof(conn), host, sizeof(host)), 0);
        CHECK_EQ_STR(host, "bucket.s3.us-east-1.amazonaws.com");
        int n = ur_sigv4_sign_headers(s, out, sizeof(out), "GET", host, target, "", NULL, 0, 1700000000);
        CHECK(n > 0);
        snprintf(creq, sizeof(creq),
                 "GET\n%s\n\nhost:%s\nx-amz-content-sha256:" EMPTY_SHA "\nx-amz-date:20231114T221320Z\n\n"
                 "host;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA,
                 cases[i].path, host);
        s_ref_sig(SK, "20231114T221320Z", "us-east-1", creq, ref);
        if (!*s_sig(out) || strncmp(s_sig(out), ref, 64) != 0) {
            fprintf(stderr, "key \"%s\": signature differs from the reference\n", cases[i].key);
            check_failures++;
        }
        /* Path style on a custom endpoint: the same encoding after "/bucket". */
        snprintf(got_path, sizeof(got_path), "/bucket%s", cases[i].path);
        CHECK(ur_endpoint_target(&custom, "bucket", cases[i].key, target, sizeof(target)) > 0);
        CHECK_EQ_STR(target, got_path);
    }
    ur_sigv4_free(s);
}

static void test_session_token(void)
{
    const char *token = "FwoGZXIvYXdzEJr//////////wEaDOPa+token/with=odd+chars";
    struct ur_sigv4 *s = s_signer(token, false);
    char out[8192], v[4096], creq[8192], ref[65];
    int n = ur_sigv4_sign_headers(s, out, sizeof(out), "GET", "b.s3.us-east-1.amazonaws.com", "/k", "", NULL,
                                  0, 1369353600);
    CHECK(n > 0);
    CHECK_EQ_STR(s_header(out, "x-amz-security-token", v, sizeof(v)), token);
    CHECK(strstr(out, "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") != NULL);
    snprintf(creq, sizeof(creq),
             "GET\n/k\n\nhost:b.s3.us-east-1.amazonaws.com\nx-amz-content-sha256:" EMPTY_SHA
             "\nx-amz-date:20130524T000000Z\nx-amz-security-token:%s\n\n"
             "host;x-amz-content-sha256;x-amz-date;x-amz-security-token\n" EMPTY_SHA,
             token);
    s_ref_sig(SK, "20130524T000000Z", "us-east-1", creq, ref);
    CHECK(strncmp(s_sig(out), ref, 64) == 0);
    /* Header order on the wire: host first, authorization last. */
    CHECK(strncmp(out, "host: ", 6) == 0);
    CHECK(strstr(out, "authorization: ") > strstr(out, "x-amz-security-token: "));
    ur_sigv4_free(s);
}

static void test_range_if_match(void)
{
    struct ur_sigv4 *s = s_signer(NULL, false);
    const char *extra[][2] = {{"range", "bytes=8388608-16777215"},
                              {"if-match", "\"9b2cf535f27731c974343645a3985328\""}};
    char out[4096], v[256], creq[4096], ref[65];
    int n = ur_sigv4_sign_headers(s, out, sizeof(out), "GET", "127.0.0.1:9000", "/bkt/big%20file", "",
                                  (const char *const(*)[2])extra, 2, 1369353600);
    CHECK(n > 0);
    CHECK_EQ_STR(s_header(out, "range", v, sizeof(v)), "bytes=8388608-16777215");
    CHECK_EQ_STR(s_header(out, "if-match", v, sizeof(v)), "\"9b2cf535f27731c974343645a3985328\"");
    CHECK_EQ_STR(s_header(out, "host", v, sizeof(v)), "127.0.0.1:9000");
    CHECK(strstr(out, "SignedHeaders=host;if-match;range;x-amz-content-sha256;x-amz-date,") != NULL);
    snprintf(creq, sizeof(creq), "%s",
             "GET\n/bkt/big%20file\n\nhost:127.0.0.1:9000\nif-match:\"9b2cf535f27731c974343645a3985328\"\n"
             "range:bytes=8388608-16777215\nx-amz-content-sha256:" EMPTY_SHA
             "\nx-amz-date:20130524T000000Z\n\n"
             "host;if-match;range;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA);
    s_ref_sig(SK, "20130524T000000Z", "us-east-1", creq, ref);
    CHECK(strncmp(s_sig(out), ref, 64) == 0);

    /* A query (ListObjectsV2) is signed as given. */
    n = ur_sigv4_sign_headers(s, out, sizeof(out), "GET", "127.0.0.1:9000", "/bkt",
                              "list-type=2&prefix=a%2Fb", NULL, 0, 1369353600);
    CHECK(n > 0);
    snprintf(creq, sizeof(creq), "%s",
             "GET\n/bkt\nlist-type=2&prefix=a%2Fb\nhost:127.0.0.1:9000\nx-amz-content-sha256:" EMPTY_SHA
             "\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA);
    s_ref_sig(SK, "20130524T000000Z", "us-east-1", creq, ref);
    CHECK(strncmp(s_sig(out), ref, 64) == 0);
    ur_sigv4_free(s);
}

/* The signing key is cached per day: crossing midnight must re-derive it, going back must too. */
static void test_day_boundary(void)
{
    struct ur_sigv4 *s = s_signer(NULL, false);
    const time_t day1_last = 1369439999;  /* 20130524T235959Z */
    const time_t day2_first = 1369440000; /* 20130525T000000Z */
    const time_t times[] = {day1_last, day1_last, day2_first, day2_first + 1, day1_last, day2_first};
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        char out[4096], date[32], creq[4096], ref[65], cred[128];
        CHECK(ur_sigv4_sign_headers(s, out, sizeof(out), "GET", "h", "/k", "", NULL, 0, times[i]) > 0);
        s_header(out, "x-amz-date", date, sizeof(date));
        struct tm tm;
        char want_date[32];
        gmtime_r(&times[i], &tm);
        strftime(want_date, sizeof(want_date), "%Y%m%dT%H%M%SZ", &tm);
        CHECK_EQ_STR(date, want_date);
        snprintf(cred, sizeof(cred), "Credential=%s/%.8s/us-east-1/s3/aws4_request,", AK, want_date);
        CHECK(strstr(out, cred) != NULL);
        snprintf(creq, sizeof(creq),
                 "GET\n/k\n\nhost:h\nx-amz-content-sha256:" EMPTY_SHA "\nx-amz-date:%s\n\n"
                 "host;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA,
                 want_date);
        s_ref_sig(SK, want_date, "us-east-1", creq, ref);
        if (strncmp(s_sig(out), ref, 64) != 0) {
            fprintf(stderr, "signature at %s differs from the reference\n", want_date);
            check_failures++;
        }
    }
    ur_sigv4_free(s);
}

static void test_anonymous_and_errors(void)
{
    struct ur_sigv4 *a = s_signer(NULL, true);
    const char *extra[][2] = {{"range", "bytes=0-9"}};
    char out[4096];
    int n = ur_sigv4_sign_headers(a, out, sizeof(out), "GET", "h:8080", "/k", "",
                                  (const char *const(*)[2])extra, 1, 1369353600);
    CHECK_EQ_STR(out, "host: h:8080\r\nrange: bytes=0-9\r\n");
    CHECK_EQ_INT(n, strlen(out));
    ur_sigv4_free(a);

    struct ur_sigv4 *s = s_signer("tok", false);
    n = ur_sigv4_sign_headers(s, out, sizeof(out), "GET", "h", "/k", "", NULL, 0, 1369353600);
    CHECK(n > 0);
    /* Every size short of the full length fails cleanly with -ENOSPC; the full length plus NUL fits. */
    for (int cap = 0; cap <= n; cap++) {
        char small[4096];
        CHECK_EQ_INT(ur_sigv4_sign_headers(s, small, (size_t)cap, "GET", "h", "/k", "", NULL, 0, 1369353600),
                     -ENOSPC);
    }
    char exact[4096];
    CHECK_EQ_INT(ur_sigv4_sign_headers(s, exact, (size_t)n + 1, "GET", "h", "/k", "", NULL, 0, 1369353600),
                 n);
    CHECK_EQ_STR(exact, out);
    /* Header injection through a value is refused. */
    const char *bad[][2] = {{"if-match", "\"x\"\r\nx-evil: 1"}};
    CHECK_EQ_INT(ur_sigv4_sign_headers(s, out, sizeof(out), "GET", "h", "/k", "",
                                       (const char *const(*)[2])bad, 1, 1369353600),
                 -EINVAL);
    CHECK_EQ_INT(
        ur_sigv4_sign_headers(s, out, sizeof(out), "GET", "h\r\nx: y", "/k", "", NULL, 0, 1369353600),
        -EINVAL);
    ur_sigv4_free(s);
}

static double s_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A typical ranged GET of a part, virtual-host style: what the engine signs per request. */
static void test_speed(void)
{
    struct ur_sigv4 *s = s_signer(NULL, false);
    const char *extra[][2] = {{"range", "bytes=67108864-75497471"}};
    char out[4096];
    time_t t0 = 1700000000;
    ur_sigv4_sign_headers(s, out, sizeof(out), "GET", "my-bucket.s3.us-east-1.amazonaws.com",
                          "/checkpoints/job-42/chk-1234/part-00017-7f3a.sst", "",
                          (const char *const(*)[2])extra, 1, t0);
    const int iters = 200000;
    long allocs0 = s_allocs;
    double a = s_now();
    for (int i = 0; i < iters; i++) {
        /* A new second every 1000 requests, as at ~1000 requests/s; the day stays. */
        ur_sigv4_sign_headers(s, out, sizeof(out), "GET", "my-bucket.s3.us-east-1.amazonaws.com",
                              "/checkpoints/job-42/chk-1234/part-00017-7f3a.sst", "",
                              (const char *const(*)[2])extra, 1, t0 + i / 1000);
    }
    double us = (s_now() - a) / iters * 1e6;
    printf("sigv4: %.2f us per signature (%d signatures), %ld OpenSSL allocations in the loop\n", us, iters,
           s_allocs - allocs0);
    CHECK_EQ_INT(s_allocs - allocs0, 0);
    if (us > 5.0)
        fprintf(stderr, "warning: %.2f us per signature is above the 5 us target (sanitizer build?)\n", us);
    ur_sigv4_free(s);
}

int main(void)
{
    /* Before OpenSSL allocates anything: count its allocations to prove the hot path makes none. */
    CRYPTO_set_mem_functions(s_malloc, s_realloc, s_free);
    test_known_answer();
    test_keys();
    test_session_token();
    test_range_if_match();
    test_day_boundary();
    test_anonymous_and_errors();
    test_speed();
    return CHECK_DONE();
}
