/* tests/unit/test_http_date.c — IMF-fixdate both ways (Last-Modified in, If-Modified-Since out) and the
 * Last-Modified header as the response parser keeps it. */
#include <string.h>

#include "http/date.h"
#include "http/response.h"
#include "tests/unit/check.h"

static void test_parse(void)
{
    CHECK(ur_http_date_parse("Thu, 01 Jan 1970 00:00:00 GMT", 29) == 0);
    CHECK(ur_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", 29) == 784111777);
    CHECK(ur_http_date_parse("Tue, 29 Feb 2028 23:59:59 GMT", 29) == 1835481599);
    CHECK(ur_http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", 29) == -1);
    CHECK(ur_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", 30) == -1); /* RFC 850: refused */
    CHECK(ur_http_date_parse("Sun, 06 Xyz 1994 08:49:37 GMT", 29) == -1);
    CHECK(ur_http_date_parse("Sun, 6 Nov 1994 08:49:37 GMT", 28) == -1);
    CHECK(ur_http_date_parse("Sun, 06 Nov 1994 24:49:37 GMT", 29) == -1);
}

static void test_format(void)
{
    char b[32];
    CHECK(ur_http_date_format(784111777, b, sizeof(b)) == 0);
    CHECK_EQ_STR(b, "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(ur_http_date_format(1835481599, b, sizeof(b)) == 0);
    CHECK_EQ_STR(b, "Tue, 29 Feb 2028 23:59:59 GMT");
    CHECK(ur_http_date_format(-1, b, sizeof(b)) == -1);
    for (int64_t t = 0; t < 4102444800LL; t += 86400 * 37 + 3671) { /* round trip to 2100 */
        CHECK(ur_http_date_format(t, b, sizeof(b)) == 0);
        if (ur_http_date_parse(b, strlen(b)) != t) {
            CHECK_EQ_STR(b, "a date that parses back");
            break;
        }
    }
}

static void test_header(void)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nLast-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                               "Content-Length: 0\r\n\r\n";
    struct ur_http_resp r = {0};
    ur_http_resp_init(&r);
    size_t used = 0;
    CHECK(ur_http_resp_feed(&r, resp, sizeof(resp) - 1, &used) == UR_HTTP_HEADERS);
    CHECK(r.last_modified == 784111777);
    ur_http_resp_init(&r);
    static const char bad[] = "HTTP/1.1 200 OK\r\nLast-Modified: yesterday\r\nContent-Length: 0\r\n\r\n";
    CHECK(ur_http_resp_feed(&r, bad, sizeof(bad) - 1, &used) == UR_HTTP_HEADERS);
    CHECK(r.last_modified == -1);
}

int main(void)
{
    test_parse();
    test_format();
    test_header();
    return CHECK_DONE();
}
