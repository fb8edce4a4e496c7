/* tests/unit/test_cli_progress.c — the progress line's flags (--progress, --no-progress, --progress-interval and
 * what each makes of the mode), and its text: byte counts for people, a total that is exact or still growing
 * ("+"), the rate over a window and the ETA from the bytes or, with sizes unknown, from the files ("~"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "cli/progress.h"
#include "tests/unit/check.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void test_flags(void)
{
    struct ur_cli_global g;
    struct ur_cli_progress p;
    char err[256];
    unsetenv("URESTORE_NO_PROGRESS");
    char *lines[] = {"urestore", "--progress=lines", "--progress-interval", "2", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(lines), lines, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), 0);
    CHECK_EQ_INT(g.progress, UR_CLI_PROGRESS_ARG_LINES);
    ur_cli_progress_init(&p, &g, false);
    CHECK_EQ_INT(p.mode, UR_CLI_PROGRESS_LINES); /* whatever stderr is */
    CHECK_EQ_INT(p.interval_ms, 2000);
    ur_cli_progress_end(&p);

    /* --no-progress wins over --progress=lines. */
    char *off[] = {"urestore", "--progress", "lines", "--no-progress", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(off), off, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), 0);
    ur_cli_progress_init(&p, &g, false);
    CHECK_EQ_INT(p.mode, UR_CLI_PROGRESS_OFF);
    ur_cli_progress_end(&p);

    /* auto: never a line when stderr is not a terminal (here: a file), which is Flink's case. */
    char *dflt[] = {"urestore", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(dflt), dflt, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), 0);
    CHECK_EQ_INT(g.progress, UR_CLI_PROGRESS_ARG_AUTO);
    FILE *f = freopen("/dev/null", "w", stderr);
    CHECK(f != NULL);
    ur_cli_progress_init(&p, &g, false);
    CHECK_EQ_INT(p.mode, UR_CLI_PROGRESS_OFF);
    ur_cli_progress_end(&p);

    char *bad[] = {"urestore", "--progress=bar", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(bad), bad, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), -EINVAL);
    CHECK_EQ_STR(err, "invalid value \"bar\" for flag -progress: allowed values: [auto lines off]");
    char *neg[] = {"urestore", "--progress-interval=-1", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(neg), neg, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), -EINVAL);
}

static void test_bytes(void)
{
    char s[24];
    ur_cli_progress_fmt_bytes(s, sizeof(s), 0);
    CHECK_EQ_STR(s, "0 B");
    ur_cli_progress_fmt_bytes(s, sizeof(s), 1023);
    CHECK_EQ_STR(s, "1023 B");
    ur_cli_progress_fmt_bytes(s, sizeof(s), 1536);
    CHECK_EQ_STR(s, "1.50 KiB");
    ur_cli_progress_fmt_bytes(s, sizeof(s), 3u << 20);
    CHECK_EQ_STR(s, "3.00 MiB");
    ur_cli_progress_fmt_bytes(s, sizeof(s), 250ull << 20);
    CHECK_EQ_STR(s, "250 MiB");
    ur_cli_progress_fmt_bytes(s, sizeof(s), 12ull << 30);
    CHECK_EQ_STR(s, "12.0 GiB");
    ur_cli_progress_fmt_bytes(s, sizeof(s), 5ull << 40);
    CHECK_EQ_STR(s, "5.00 TiB");
}

static void s_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void test_line(void)
{
    struct ur_cli_global g;
    struct ur_cli_progress p;
    char err[256], line[256];
    char *argv[] = {"urestore", "--no-progress", "run"};
    CHECK_EQ_INT(ur_cli_args_parse(ARGC(argv), argv, &g, err, sizeof(err)), 0);
    CHECK_EQ_INT(ur_cli_args_resolve(&g, err, sizeof(err)), 0);
    ur_cli_progress_init(&p, &g, false);

    /* No rate yet: no ETA. */
    ur_cli_progress_fmt_copy(&p, line, sizeof(line), 0, 1, 0, 3u << 20, true);
    CHECK_EQ_STR(line, "0/1 files, 0 B of 3.00 MiB, 0 B/s, elapsed 0:00");
    /* 1 MiB in ~0.4 s (more on a busy machine): 2 MiB left take a few seconds at that rate. */
    s_sleep_ms(400);
    ur_cli_progress_fmt_copy(&p, line, sizeof(line), 0, 1, 1u << 20, 3u << 20, true);
    CHECK(strncmp(line, "0/1 files, 1.00 MiB of 3.00 MiB, ", 33) == 0);
    CHECK(strstr(line, " MiB/s, elapsed 0:0") != NULL);
    CHECK(strstr(line, ", ETA 0:0") != NULL);
    /* Sizes still unknown: "+" on the total, and the ETA from the files' pace, marked "~". */
    ur_cli_progress_fmt_copy(&p, line, sizeof(line), 2, 4, 1u << 20, 3u << 20, false);
    CHECK(strncmp(line, "2/4 files, 1.00 MiB of 3.00+ MiB, ", 34) == 0);
    CHECK(strstr(line, ", ETA ~0:0") != NULL); /* as long again as the 2 files took */
    ur_cli_progress_end(&p);
}

int main(void)
{
    test_flags();
    test_bytes();
    test_line();
    return CHECK_DONE();
}
