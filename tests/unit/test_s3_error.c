/* tests/unit/test_s3_error.c — S3 XML error documents (entities, CDATA, truncation, non-documents) and
 * the user's message for a failed response ("CODE: MESSAGE (HTTP STATUS)" / "HTTP STATUS REASON"). */
#include <errno.h>
#include <string.h>

#include "s3/error.h"
#include "tests/unit/check.h"

static int s_parse(const char *body, char *code, size_t cc, char *msg, size_t mc)
{
    return ur_s3_error_parse(body, strlen(body), code, cc, msg, mc);
}

static void test_parse(void)
{
    char code[64], msg[256];
    const char *aws = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
                      "<Key>a/b c</Key><RequestId>4442587FB7D0A2F9</RequestId><HostId>x</HostId></Error>";
    CHECK_EQ_INT(s_parse(aws, code, sizeof(code), msg, sizeof(msg)), 0);
    CHECK_EQ_STR(code, "NoSuchKey");
    CHECK_EQ_STR(msg, "The specified key does not exist.");

    /* Entities, numeric references (decimal, hex, beyond the BMP), whitespace and newlines kept. */
    const char *ent = "<Error>\n  <Code>SignatureDoesNotMatch</Code>\n  <Message>a &amp; b &lt;c&gt; "
                      "&quot;d&quot; &apos;e&apos; &#65;&#x42;&#x1F600; &bogus; &#xZZ; &</Message>\n</Error>";
    CHECK_EQ_INT(s_parse(ent, code, sizeof(code), msg, sizeof(msg)), 0);
    CHECK_EQ_STR(code, "SignatureDoesNotMatch");
    CHECK_EQ_STR(msg, "a & b <c> \"d\" 'e' AB\xf0\x9f\x98\x80 &bogus; &#xZZ; &");

    /* CDATA, an empty message, a missing message. */
    CHECK_EQ_INT(s_parse("<Error><Code>X</Code><Message><![CDATA[a<b>&amp;]]></Message></Error>", code,
                         sizeof(code), msg, sizeof(msg)),
                 0);
    CHECK_EQ_STR(msg, "a<b>&amp;");
    CHECK_EQ_INT(
        s_parse("<Error><Code>SlowDown</Code><Message/></Error>", code, sizeof(code), msg, sizeof(msg)), 0);
    CHECK_EQ_STR(code, "SlowDown");
    CHECK_EQ_STR(msg, "");
    CHECK_EQ_INT(s_parse("<Error><Code>SlowDown</Code></Error>", code, sizeof(code), msg, sizeof(msg)), 0);
    CHECK_EQ_STR(msg, "");

    /* Only what is inside <Error> counts. */
    CHECK_EQ_INT(s_parse("<Error><Code>A</Code></Error><Message>outside</Message>", code, sizeof(code), msg,
                         sizeof(msg)),
                 0);
    CHECK_EQ_STR(msg, "");

    /* Truncated to fit, NUL-terminated. */
    char small[5];
    CHECK_EQ_INT(s_parse(aws, small, sizeof(small), msg, 8), 0);
    CHECK_EQ_STR(small, "NoSu");
    CHECK_EQ_STR(msg, "The spe");

    /* The length is honoured: a document cut before </Code> is not one. */
    CHECK_EQ_INT(ur_s3_error_parse(aws, 60, code, sizeof(code), msg, sizeof(msg)), -EINVAL);

    /* Not error documents. */
    static const char *const bad[] = {"",
                                      "Not Found",
                                      "<html><body>502 Bad Gateway</body></html>",
                                      "<Error><Message>no code</Message></Error>",
                                      "<ListBucketResult><Code>X</Code></ListBucketResult>",
                                      "<Error><Code>unterminated"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        strcpy(code, "junk");
        strcpy(msg, "junk");
        CHECK_EQ_INT(s_parse(bad[i], code, sizeof(code), msg, sizeof(msg)), -EINVAL);
        CHECK_EQ_STR(code, "");
        CHECK_EQ_STR(msg, "");
    }
    CHECK_EQ_INT(ur_s3_error_parse(NULL, 0, code, sizeof(code), msg, sizeof(msg)), -EINVAL);
}

static void test_message(void)
{
    char out[256];
    const char *nsk =
        "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>";
    int n = ur_s3_error_message(404, nsk, strlen(nsk), out, sizeof(out));
    CHECK_EQ_STR(out, "NoSuchKey: The specified key does not exist. (HTTP 404)");
    CHECK_EQ_INT(n, strlen(out));

    const char *slow = "<Error><Code>SlowDown</Code></Error>";
    ur_s3_error_message(503, slow, strlen(slow), out, sizeof(out));
    CHECK_EQ_STR(out, "SlowDown (HTTP 503)");

    static const struct {
        int status;
        const char *want;
    } plain[] = {
        {503, "HTTP 503 Service Unavailable"},
        {500, "HTTP 500 Internal Server Error"},
        {403, "HTTP 403 Forbidden"},
        {404, "HTTP 404 Not Found"},
        {400, "HTTP 400 Bad Request"},
        {412, "HTTP 412 Precondition Failed"},
        {416, "HTTP 416 Range Not Satisfiable"},
        {429, "HTTP 429 Too Many Requests"},
        {301, "HTTP 301 Moved Permanently"},
        {307, "HTTP 307 Temporary Redirect"},
        {502, "HTTP 502 Bad Gateway"},
        {504, "HTTP 504 Gateway Timeout"},
        {599, "HTTP 599"},
    };
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        n = ur_s3_error_message(plain[i].status, "", 0, out, sizeof(out));
        CHECK_EQ_STR(out, plain[i].want);
        CHECK_EQ_INT(n, strlen(plain[i].want));
    }
    ur_s3_error_message(502, "<html>bad gateway</html>", 24, out, sizeof(out));
    CHECK_EQ_STR(out, "HTTP 502 Bad Gateway");
    ur_s3_error_message(404, NULL, 0, out, sizeof(out));
    CHECK_EQ_STR(out, "HTTP 404 Not Found");

    /* Truncation keeps the NUL and returns what was written. */
    n = ur_s3_error_message(404, nsk, strlen(nsk), out, 10);
    CHECK_EQ_STR(out, "NoSuchKey");
    CHECK_EQ_INT(n, 9);
    CHECK_EQ_INT(ur_s3_error_message(404, nsk, strlen(nsk), out, 1), 0);
    CHECK_EQ_STR(out, "");
    CHECK_EQ_INT(ur_s3_error_message(404, nsk, strlen(nsk), out, 0), 0);

    /* Control characters from the server do not reach the terminal. */
    const char *esc = "<Error><Code>X</Code><Message>a\x1b[31mred\nline&#10;</Message></Error>";
    ur_s3_error_message(400, esc, strlen(esc), out, sizeof(out));
    CHECK_EQ_STR(out, "X: a [31mred line  (HTTP 400)");
}

int main(void)
{
    test_parse();
    test_message();
    return CHECK_DONE();
}
