/* tests/unit/test_credreq.c — the request bytes of the network credential sources: IMDSv2's token PUT and
 * GETs (endpoint prefixes, IPv6, header injection refused), the container GET with and without
 * Authorization, STS POSTs signed and unsigned with their bodies, and the IMDS timeout settings. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "s3/credreq.h"
#include "tests/unit/check.h"

static void test_imds(void)
{
    struct ur_s3_url c;
    char out[1024];
    int n =
        ur_creds_imds_token_req("http://169.254.169.254", UR_CREDS_IMDS_TOKEN_TTL_S, &c, out, sizeof(out));
    CHECK_EQ_STR(
        out, "PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n"
             "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    CHECK_EQ_INT(n, (int)strlen(out));
    CHECK_EQ_STR(c.host, "169.254.169.254");
    CHECK_EQ_INT(c.port, 80);
    CHECK(!c.tls);
    ur_creds_imds_token_req("http://[fd00:ec2::254]", 60, &c, out, sizeof(out));
    CHECK(strstr(out, "Host: [fd00:ec2::254]\r\n") != NULL);
    CHECK_EQ_STR(c.host, "fd00:ec2::254");
    CHECK_EQ_INT(ur_creds_imds_token_req("http://169.254.169.254", 0, &c, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_creds_imds_token_req("http://169.254.169.254", 21601, &c, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_creds_imds_token_req("169.254.169.254", 60, &c, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_creds_imds_token_req("http://169.254.169.254", 60, &c, out, 40), -ENOSPC);

    n = ur_creds_imds_get_req("http://127.0.0.1:1338/", UR_CREDS_IMDS_ROLE_PATH "my-role", "TOKEN==", &c, out,
                              sizeof(out));
    CHECK_EQ_STR(out,
                 "GET /latest/meta-data/iam/security-credentials/my-role HTTP/1.1\r\nHost: 127.0.0.1:1338\r\n"
                 "X-aws-ec2-metadata-token: TOKEN==\r\nConnection: close\r\n\r\n");
    CHECK_EQ_INT(c.port, 1338);
    ur_creds_imds_get_req("http://imds.local/prefix/", UR_CREDS_IMDS_REGION_PATH, "t", &c, out, sizeof(out));
    CHECK(strncmp(out, "GET /prefix/latest/meta-data/placement/region HTTP/1.1\r\nHost: imds.local\r\n",
                  73) == 0);
    CHECK_EQ_INT(ur_creds_imds_get_req("http://h", "/x y", "t", &c, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_creds_imds_get_req("http://h", "x", "t", &c, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_creds_imds_get_req("http://h", "/x", "t\r\nX: y", &c, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_creds_imds_get_req("http://h", "/x", "", &c, out, sizeof(out)), -EINVAL);

    unsigned ms, att;
    ur_creds_imds_limits(NULL, NULL, &ms, &att);
    CHECK_EQ_INT(ms, UR_CREDS_IMDS_ATTEMPT_MS);
    CHECK_EQ_INT(att, UR_CREDS_IMDS_ATTEMPTS);
    ur_creds_imds_limits("0.25", "3", &ms, &att);
    CHECK_EQ_INT(ms, 250);
    CHECK_EQ_INT(att, 3);
    ur_creds_imds_limits("x", "0", &ms, &att);
    CHECK_EQ_INT(ms, UR_CREDS_IMDS_ATTEMPT_MS);
    CHECK_EQ_INT(att, UR_CREDS_IMDS_ATTEMPTS);
}

static void test_container(void)
{
    struct ur_s3_url c;
    char out[1024];
    ur_creds_container_req("http://169.254.170.2/v2/credentials/abc?x=1", NULL, &c, out, sizeof(out));
    CHECK_EQ_STR(out,
                 "GET /v2/credentials/abc?x=1 HTTP/1.1\r\nHost: 169.254.170.2\r\nConnection: close\r\n\r\n");
    ur_creds_container_req("https://creds.example:8443/c", "Bearer abc", &c, out, sizeof(out));
    CHECK_EQ_STR(
        out, "GET /c HTTP/1.1\r\nHost: creds.example:8443\r\nAuthorization: Bearer abc\r\nConnection: close"
             "\r\n\r\n");
    CHECK(c.tls);
    CHECK_EQ_INT(ur_creds_container_req("http://h/c", "a\nb", &c, out, sizeof(out)), -EINVAL);
    CHECK_EQ_INT(ur_creds_container_req("http://user:pw@h/c", NULL, &c, out, sizeof(out)), -EINVAL);
}

static void test_sts(void)
{
    struct ur_s3_url c;
    char out[4096];
    const char *body = "Action=AssumeRoleWithWebIdentity&RoleArn=arn&RoleSessionName=s&Version=2011-06-15"
                       "&WebIdentityToken=t";
    int n = ur_creds_sts_req("https://sts.eu-west-1.amazonaws.com", NULL, NULL, body, strlen(body), 0, &c,
                             out, sizeof(out));
    char want[1024];
    snprintf(want, sizeof(want),
             "POST / HTTP/1.1\r\nhost: sts.eu-west-1.amazonaws.com\r\n"
             "content-type: application/x-www-form-urlencoded; charset=utf-8\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n%s",
             strlen(body), body);
    CHECK_EQ_STR(out, want);
    CHECK_EQ_INT(n, (int)strlen(want));
    CHECK(c.tls && c.port == 443);

    struct ur_creds k = {.access_key = "AKID", .secret_key = "secret", .session_token = "tok"};
    struct ur_sigv4 *s = ur_sigv4_new(&k, "us-east-1", "sts");
    const char *ar = "Action=AssumeRole&RoleArn=arn&RoleSessionName=s&Version=2011-06-15";
    n = ur_creds_sts_req("http://127.0.0.1:7480/", s, k.session_token, ar, strlen(ar), 1700000000, &c, out,
                         sizeof(out));
    CHECK(n > 0 && (size_t)n == strlen(out));
    const char *head = "POST / HTTP/1.1\r\nhost: 127.0.0.1:7480\r\ncontent-type: ";
    CHECK(strncmp(out, head, strlen(head)) == 0);
    CHECK(strstr(out, "x-amz-security-token: tok\r\nauthorization: AWS4-HMAC-SHA256 Credential=AKID/20231114/"
                      "us-east-1/sts/aws4_request, ") != NULL);
    snprintf(want, sizeof(want), "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(ar), ar);
    CHECK(strstr(out, want) != NULL && strcmp(strstr(out, want), want) == 0);
    CHECK(strstr(out, "secret") == NULL);
    CHECK_EQ_INT(
        ur_creds_sts_req("http://127.0.0.1:7480/sts", s, "", ar, strlen(ar), 0, &c, out, sizeof(out)),
        -EINVAL);
    CHECK_EQ_INT(ur_creds_sts_req("http://127.0.0.1:7480", s, "", ar, strlen(ar), 0, &c, out, 300), -ENOSPC);
    ur_sigv4_free(s);
}

int main(void)
{
    test_imds();
    test_container();
    test_sts();
    return CHECK_DONE();
}
