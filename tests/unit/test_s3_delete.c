/* tests/unit/test_s3_delete.c — DeleteObjects bodies (escaping, bounds, refused keys) and answers (per-key
 * errors, quiet and empty results, malformed documents). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "s3/delete.h"
#include "tests/unit/check.h"

struct errs {
    int n;
    char keys[4][64], codes[4][32], msgs[4][64];
};

static int s_err(void *user, const char *key, const char *code, const char *message)
{
    struct errs *e = user;
    if (e->n < 4) {
        snprintf(e->keys[e->n], sizeof(e->keys[0]), "%s", key);
        snprintf(e->codes[e->n], sizeof(e->codes[0]), "%s", code);
        snprintf(e->msgs[e->n], sizeof(e->msgs[0]), "%s", message);
    }
    e->n++;
    return 0;
}

static void test_body(void)
{
    char out[1024];
    const char *keys[] = {"job/shared/a b", "x&y<z>\"'", "tab\there"};
    int n = ur_s3_delete_body(out, sizeof(out), keys, 3);
    CHECK(n > 0);
    CHECK_EQ_INT(n, (int)strlen(out));
    CHECK(strstr(out, "<Quiet>true</Quiet>") != NULL);
    CHECK(strstr(out, "<Object><Key>job/shared/a b</Key></Object>") != NULL);
    CHECK(strstr(out, "<Object><Key>x&amp;y&lt;z&gt;&quot;&apos;</Key></Object>") != NULL);
    CHECK(strstr(out, "<Key>tab&#9;here</Key>") != NULL);
    CHECK(strncmp(out + n - 9, "</Delete>", 9) == 0);
    CHECK((size_t)n < ur_s3_delete_body_max(keys, 3));
    /* Every byte counts: one short of the length fails, the exact length plus NUL fits. */
    CHECK_EQ_INT(ur_s3_delete_body(out, (size_t)n, keys, 3), -ENOSPC);
    CHECK_EQ_INT(ur_s3_delete_body(out, (size_t)n + 1, keys, 3), n);
    /* Keys XML cannot carry, empty keys, no keys, too many keys. */
    const char *bad[] = {"ok", "bell\a"};
    CHECK_EQ_INT(ur_s3_delete_body(out, sizeof(out), bad, 2), -EINVAL);
    const char *empty[] = {""};
    CHECK_EQ_INT(ur_s3_delete_body(out, sizeof(out), empty, 1), -EINVAL);
    CHECK_EQ_INT(ur_s3_delete_body(out, sizeof(out), keys, 0), -EINVAL);
    CHECK_EQ_INT(ur_s3_delete_body(out, sizeof(out), keys, UR_S3_DELETE_MAX + 1), -EINVAL);
    /* The worst case bound holds for keys made only of characters that escape longest. */
    const char *worst[] = {"''''''''", "\t\t\t\t"};
    char big[512];
    int w = ur_s3_delete_body(big, sizeof(big), worst, 2);
    CHECK(w > 0 && (size_t)w < ur_s3_delete_body_max(worst, 2));
}

static void test_answer(void)
{
    struct errs e = {0};
    const char *ok = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></DeleteResult>";
    CHECK_EQ_INT(ur_s3_delete_parse(ok, strlen(ok), s_err, &e), 0);
    CHECK_EQ_INT(e.n, 0);
    const char *selfclosed = "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>";
    CHECK_EQ_INT(ur_s3_delete_parse(selfclosed, strlen(selfclosed), s_err, &e), 0);
    const char *mixed = "<DeleteResult><Deleted><Key>a</Key></Deleted>"
                        "<Error><Key>b&amp;c</Key><Code>SlowDown</Code><Message>Please reduce</Message></Error>"
                        "<Error><Key>d</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
                        "</DeleteResult>";
    CHECK_EQ_INT(ur_s3_delete_parse(mixed, strlen(mixed), s_err, &e), 2);
    CHECK_EQ_INT(e.n, 2);
    CHECK_EQ_STR(e.keys[0], "b&c");
    CHECK_EQ_STR(e.codes[0], "SlowDown");
    CHECK_EQ_STR(e.msgs[0], "Please reduce");
    CHECK_EQ_STR(e.keys[1], "d");
    CHECK_EQ_STR(e.codes[1], "AccessDenied");
    /* Not a DeleteResult, cut short, an Error without its end or key: refused, never "all deleted". */
    const char *bad[] = {"<Error><Code>InternalError</Code></Error>", "<DeleteResult><Error><Key>a</Key>",
                         "<DeleteResult><Error><Key>a</Key></DeleteResult>",
                         "<DeleteResult><Error><Code>X</Code></Error></DeleteResult>", "", "<DeleteResultX></DeleteResultX>"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_EQ_INT(ur_s3_delete_parse(bad[i], strlen(bad[i]), s_err, &e), -EINVAL);
    CHECK_EQ_INT(ur_s3_delete_parse(NULL, 0, s_err, &e), -EINVAL);
}

int main(void)
{
    test_body();
    test_answer();
    return CHECK_DONE();
}
