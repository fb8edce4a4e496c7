/* tests/unit/test_credproc.c — running credential_process: JSON output that parses, garbage output, a
 * failing command, a signal, a command that hangs (killed at the deadline with the children it
 * started), one that prints too much, and no secret or command line in any message. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "s3/credjson.h"
#include "s3/credproc.h"
#include "tests/unit/check.h"

static long s_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(void)
{
    char out[4096], err[256];
    size_t n;
    struct ur_creds_temp t;
    const char *ok =
        "printf '%s' '{\"Version\": 1, \"AccessKeyId\": \"AKPROC\", \"SecretAccessKey\": \"s3cr3t\", "
        "\"SessionToken\": \"tok\", \"Expiration\": \"2030-01-01T00:00:00Z\"}'; echo oops >&2";
    CHECK_EQ_INT(ur_creds_run_process(ok, 5000, out, sizeof(out), &n, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_creds_parse_process(out, n, &t, err, sizeof(err)), 0);
    CHECK_EQ_STR(t.creds.access_key, "AKPROC");
    CHECK_EQ_STR(t.creds.session_token, "tok");

    /* Garbage runs fine and fails to parse. */
    CHECK_EQ_INT(ur_creds_run_process("echo 'Please log in first: https://sso.example/…'", 5000, out,
                                      sizeof(out), &n, err, sizeof(err)),
                 0);
    CHECK_EQ_INT(ur_creds_parse_process(out, n, &t, err, sizeof(err)), -EINVAL);
    CHECK(strncmp(err, "credential_process output: not a JSON object", 44) == 0);

    CHECK_EQ_INT(ur_creds_run_process("echo '{}'; exit 3", 5000, out, sizeof(out), &n, err, sizeof(err)),
                 -ECHILD);
    CHECK_EQ_STR(err, "credential_process: exited with status 3");
    CHECK_EQ_INT(ur_creds_run_process("kill -TERM $$", 5000, out, sizeof(out), &n, err, sizeof(err)),
                 -ECHILD);
    CHECK_EQ_STR(err, "credential_process: killed by signal 15");
    CHECK_EQ_INT(ur_creds_run_process("/nonexistent/helper --secret=hunter2", 5000, out, sizeof(out), &n, err,
                                      sizeof(err)),
                 -ECHILD);
    CHECK_EQ_STR(err, "credential_process: exited with status 127");
    CHECK(strstr(err, "hunter2") == NULL);

    /* Hangs: killed at the deadline, and so is the child it left holding stdout. */
    long t0 = s_ms();
    CHECK_EQ_INT(
        ur_creds_run_process("sleep 30 & echo partial; wait", 300, out, sizeof(out), &n, err, sizeof(err)),
        -ETIMEDOUT);
    long took = s_ms() - t0;
    CHECK(took >= 250 && took < 3000);
    CHECK_EQ_STR(err, "credential_process: did not finish in time (killed)");
    CHECK_EQ_INT(n, 0);

    /* Output closed early, process lingers: waited for up to the deadline, then killed. */
    t0 = s_ms();
    CHECK_EQ_INT(ur_creds_run_process("exec >&-; sleep 30", 300, out, sizeof(out), &n, err, sizeof(err)),
                 -ETIMEDOUT);
    CHECK(s_ms() - t0 < 3000);

    CHECK_EQ_INT(ur_creds_run_process("yes", 5000, out, sizeof(out), &n, err, sizeof(err)), -E2BIG);
    CHECK_EQ_INT(ur_creds_run_process("head -c 4096 /dev/zero | tr '\\0' x", 5000, out, sizeof(out), &n, err,
                                      sizeof(err)),
                 0);
    CHECK_EQ_INT(n, 4096); /* exactly full: no room for the NUL, still whole */
    CHECK_EQ_INT(ur_creds_run_process("cat", 5000, out, sizeof(out), &n, err, sizeof(err)),
                 0); /* stdin: /dev/null */
    CHECK_EQ_INT(n, 0);
    return CHECK_DONE();
}
