/* tests/unit/test_s3_retry.c — retry classes: transport errors (certificates, timeouts, a reused connection
 * that died before answering) and S3 error responses (throttles, transient 5xx, final 4xx), and the budget
 * cost of each class. */
#include <errno.h>

#include "s3/retry.h"
#include "tests/unit/check.h"

static void test_transport(void)
{
    static const struct {
        int err;
        bool reused, got_bytes;
        enum ur_retry want;
    } cases[] = {
        /* Certificates refused never heal, whatever the connection's history. */
        {-EKEYREJECTED, false, false, UR_RETRY_NO},
        {-EKEYREJECTED, true, false, UR_RETRY_NO},
        {-EKEYREJECTED, true, true, UR_RETRY_NO},
        /* Watchdogs: a timeout is a timeout even on a reused connection that sent nothing. */
        {-ETIMEDOUT, false, false, UR_RETRY_TIMEOUT},
        {-ETIMEDOUT, true, false, UR_RETRY_TIMEOUT},
        {-ETIMEDOUT, true, true, UR_RETRY_TIMEOUT},
        /* A kept-alive connection closed by the server's idle timeout as our request went out: free. */
        {-ECONNRESET, true, false, UR_RETRY_FREE},
        {-EPIPE, true, false, UR_RETRY_FREE},
        {-EPROTO, true, false, UR_RETRY_FREE},
        /* Once the response started, or on a fresh connection, it is an ordinary failure. */
        {-ECONNRESET, true, true, UR_RETRY_TRANSIENT},
        {-ECONNRESET, false, false, UR_RETRY_TRANSIENT},
        {-ECONNREFUSED, false, false, UR_RETRY_TRANSIENT},
        {-EPROTO, false, true, UR_RETRY_TRANSIENT},
        {-EIO, false, false, UR_RETRY_TRANSIENT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum ur_retry got = ur_s3_retry_transport(cases[i].err, cases[i].reused, cases[i].got_bytes);
        if (got != cases[i].want) fprintf(stderr, "transport case %zu\n", i);
        CHECK_EQ_INT(got, cases[i].want);
    }
}

static void test_response(void)
{
    static const struct {
        int status;
        const char *code;
        enum ur_retry want;
    } cases[] = {
        /* Throttles: by status, or by code whatever the status. */
        {503, "SlowDown", UR_RETRY_THROTTLE},
        {503, "", UR_RETRY_THROTTLE},
        {503, NULL, UR_RETRY_THROTTLE},
        {503, "ServiceUnavailable", UR_RETRY_THROTTLE},
        {429, "", UR_RETRY_THROTTLE},
        {429, "TooManyRequests", UR_RETRY_THROTTLE},
        {400, "SlowDown", UR_RETRY_THROTTLE},
        {500, "SlowDown", UR_RETRY_THROTTLE},
        {503, "SlowDownRead", UR_RETRY_THROTTLE},
        {503, "SlowDownWrite", UR_RETRY_THROTTLE},
        /* Transient: other 5xx, 408, 400 RequestTimeout. */
        {500, "InternalError", UR_RETRY_TRANSIENT},
        {500, "", UR_RETRY_TRANSIENT},
        {502, NULL, UR_RETRY_TRANSIENT},
        {504, "", UR_RETRY_TRANSIENT},
        {501, "NotImplemented", UR_RETRY_TRANSIENT},
        {599, "", UR_RETRY_TRANSIENT},
        {408, "", UR_RETRY_TRANSIENT},
        {400, "RequestTimeout", UR_RETRY_TRANSIENT},
        /* Final: the rest of 4xx (RequestTimeout counts only with 400), and what is not an error. */
        {400, "", UR_RETRY_NO},
        {400, NULL, UR_RETRY_NO},
        {400, "InvalidArgument", UR_RETRY_NO},
        {400, "RequestTimeTooSkewed", UR_RETRY_NO},
        {403, "AccessDenied", UR_RETRY_NO},
        {403, "RequestTimeout", UR_RETRY_NO},
        {404, "NoSuchKey", UR_RETRY_NO},
        {404, "NoSuchBucket", UR_RETRY_NO},
        {405, "", UR_RETRY_NO},
        {409, "", UR_RETRY_NO},
        {411, "", UR_RETRY_NO},
        {412, "PreconditionFailed", UR_RETRY_NO},
        {416, "InvalidRange", UR_RETRY_NO},
        {301, "PermanentRedirect", UR_RETRY_NO},
        {307, "", UR_RETRY_NO},
        {200, "", UR_RETRY_NO},
        {0, "", UR_RETRY_NO},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum ur_retry got = ur_s3_retry_response(cases[i].status, cases[i].code);
        if (got != cases[i].want) fprintf(stderr, "response case %zu\n", i);
        CHECK_EQ_INT(got, cases[i].want);
    }
}

static void test_cost(void)
{
    CHECK_EQ_INT(ur_s3_retry_cost(UR_RETRY_NO), 0);
    CHECK_EQ_INT(ur_s3_retry_cost(UR_RETRY_FREE), 0);
    CHECK_EQ_INT(ur_s3_retry_cost(UR_RETRY_THROTTLE), 0);
    CHECK_EQ_INT(ur_s3_retry_cost(UR_RETRY_TRANSIENT), UR_RETRY_COST);
    CHECK_EQ_INT(ur_s3_retry_cost(UR_RETRY_TIMEOUT), UR_RETRY_COST_TIMEOUT);
    /* A full budget allows a hundred ordinary retries, half as many timeouts. */
    CHECK_EQ_INT(UR_RETRY_BUDGET / ur_s3_retry_cost(UR_RETRY_TRANSIENT), 100);
    CHECK_EQ_INT(UR_RETRY_BUDGET / ur_s3_retry_cost(UR_RETRY_TIMEOUT), 50);
}

int main(void)
{
    test_transport();
    test_response();
    test_cost();
    return CHECK_DONE();
}
