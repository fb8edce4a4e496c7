/* tests/unit/test_cli_run.c — the whole CLI without a server: ur_cli_main() on run files and cp argv in
 * --dry-run mode (output lines, line numbers, a last line without newline, destination naming, -n skips,
 * exit statuses), usage errors, and the missing-credentials error that must come before any request. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/run.h"
#include "tests/unit/check.h"

static char s_dir[] = "/tmp/test_cli_run.XXXXXX";
static char s_out[16384], s_err[4096]; /* s_out holds all of --help */

/* Runs ur_cli_main with stdout and stderr captured into s_out and s_err; returns its exit status. */
static int run(int argc, char **argv)
{
    char po[64], pe[64];
    snprintf(po, sizeof(po), "%s/.out", s_dir);
    snprintf(pe, sizeof(pe), "%s/.err", s_dir);
    int fo = open(po, O_RDWR | O_CREAT | O_TRUNC, 0600), fe = open(pe, O_RDWR | O_CREAT | O_TRUNC, 0600);
    int so = dup(1), se = dup(2);
    dup2(fo, 1);
    dup2(fe, 2);
    int rc = ur_cli_main(argc, argv);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    ssize_t n = pread(fo, s_out, sizeof(s_out) - 1, 0);
    s_out[n > 0 ? n : 0] = '\0';
    n = pread(fe, s_err, sizeof(s_err) - 1, 0);
    s_err[n > 0 ? n : 0] = '\0';
    close(fo);
    close(fe);
    return rc;
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    CHECK_EQ_INT(write(fd, text, strlen(text)), strlen(text));
    close(fd);
}

static void test_run_file_dry(void)
{
    char file[128], cmds[2048], want[2048];
    snprintf(file, sizeof(file), "%s/cmds", s_dir);
    /* Line 4 is malformed, line 6 a wildcard, the last line has no newline. */
    snprintf(cmds, sizeof(cmds),
             "cp s3://b/dir/a.sst %s/\n"
             "\n"
             "   # a comment\n"
             "cp 's3://b/x\n"
             "cp -n --part-size 8 s3a://b/k %s/k\r\n"
             "cp s3://b/w*.sst %s/\n"
             "cp s3://b/last %s",
             s_dir, s_dir, s_dir, s_dir);
    write_file(file, cmds);
    /* The wildcard on line 6 is listed even in --dry-run: here against a closed port, so it fails on its
     * own line and the others still run. */
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    char *argv[] = {"urestore",           "",    "--dry-run", "-r", "0", "--endpoint-url",
                    "http://127.0.0.1:9", "run", file};
    CHECK_EQ_INT(run(9, argv), 1);
    snprintf(want, sizeof(want), "cp s3://b/dir/a.sst %s/a.sst\ncp s3a://b/k %s/k\ncp s3://b/last %s/last\n",
             s_dir, s_dir, s_dir); /* s_dir is a directory: the key's base name goes under it */
    CHECK_EQ_STR(s_out, want);
    CHECK(strstr(s_err, "ERROR \"cp 's3://b/x\": Unterminated single-quoted string (line: 4)\n") != NULL);
    CHECK(strstr(s_err, "ERROR \"cp s3://b/w*.sst") != NULL);
    CHECK(strstr(s_err, "(line: 6)\n") != NULL);

    /* All good: status 0; --log error hides success lines; --json prints s5cmd's objects. */
    snprintf(cmds, sizeof(cmds), "cp s3://b/k1 %s/f1\ncp s3://b/k2 %s/f2\n", s_dir, s_dir);
    write_file(file, cmds);
    char *quiet[] = {"urestore", "--dry-run", "--log=error", "run", file};
    CHECK_EQ_INT(run(5, quiet), 0);
    CHECK_EQ_STR(s_out, "");
    CHECK_EQ_STR(s_err, "");
    char *json[] = {"urestore", "--dry-run", "--json", "run", file};
    CHECK_EQ_INT(run(5, json), 0);
    snprintf(want, sizeof(want),
             "{\"operation\":\"cp\",\"success\":true,\"source\":\"s3://b/k1\",\"destination\":\"%s/f1\","
             "\"object\":{\"type\":\"file\"}}\n",
             s_dir);
    CHECK(strncmp(s_out, want, strlen(want)) == 0);
}

static void test_no_clobber_skip(void)
{
    char existing[128], dst[160];
    snprintf(existing, sizeof(existing), "%s/exists", s_dir);
    write_file(existing, "x");
    snprintf(dst, sizeof(dst), "%s/", s_dir);
    /* -n and an existing destination: success, silent at info, a DEBUG line at debug. */
    char *argv[] = {"urestore", "--log", "debug", "cp", "-n", "s3://b/dir/exists", dst};
    CHECK_EQ_INT(run(7, argv), 0);
    char want[256];
    snprintf(want, sizeof(want), "DEBUG \"cp s3://b/dir/exists %s/exists\": object already exists\n", s_dir);
    CHECK_EQ_STR(s_out, want);
    char *info[] = {"urestore", "cp", "-n", "s3://b/dir/exists", dst};
    CHECK_EQ_INT(run(5, info), 0);
    CHECK_EQ_STR(s_out, "");
}

static void test_errors(void)
{
    char *unknown[] = {"urestore", "--frob", "run"};
    CHECK_EQ_INT(run(3, unknown), 1);
    CHECK_EQ_STR(s_err,
                 "Incorrect Usage: flag provided but not defined: -frob\nSee 'urestore --help' for usage\n");
    char *cmd[] = {"urestore", "ls", "s3://b"};
    CHECK_EQ_INT(run(3, cmd), 1);
    CHECK_EQ_STR(s_err, "ERROR \"ls\": command not found\n");
    char *args[] = {"urestore", "cp", "s3://b/k"};
    CHECK_EQ_INT(run(3, args), 1);
    CHECK_EQ_STR(s_err, "ERROR \"cp s3://b/k\": expected source and destination arguments\n");
    char *up[] = {"urestore", "cp", "/etc/hostname", "s3://b/k"};
    CHECK_EQ_INT(run(4, up), 1);
    CHECK(strstr(s_err, "uploads are not supported") != NULL);
    char *nofile[] = {"urestore", "run", "/nonexistent/cmds"};
    CHECK_EQ_INT(run(3, nofile), 1);
    CHECK_EQ_STR(s_err,
                 "ERROR \"run /nonexistent/cmds\": open /nonexistent/cmds: No such file or directory\n");
    char *neg[] = {"urestore", "-r", "-2", "run"};
    CHECK_EQ_INT(run(4, neg), 1);
    CHECK_EQ_STR(s_err, "ERROR \"run\": retry count cannot be a negative value\n");

    /* No credentials anywhere: a clear error before any request, naming no secret. */
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    unsetenv("AWS_PROFILE");
    setenv("HOME", "/nonexistent", 1);
    char dst[160];
    snprintf(dst, sizeof(dst), "%s/nocreds", s_dir);
    char *nocreds[] = {"urestore", "--endpoint-url", "http://127.0.0.1:9", "cp", "s3://b/k", dst};
    CHECK_EQ_INT(run(6, nocreds), 1);
    CHECK(strstr(s_err, "no credentials: AWS_ACCESS_KEY_ID is not set") != NULL);
    CHECK_EQ_STR(s_out, "");

    char *help[] = {"urestore", "--help"};
    CHECK_EQ_INT(run(2, help), 0);
    CHECK(strstr(s_out, "AWS_CA_BUNDLE") != NULL && strstr(s_out, "--numworkers") != NULL);
    char *cphelp[] = {"urestore", "cp", "--help"};
    CHECK_EQ_INT(run(3, cphelp), 0);
    CHECK(strstr(s_out, "--part-size") != NULL);
    char *ver[] = {"urestore", "--version"};
    CHECK_EQ_INT(run(2, ver), 0);
    CHECK(strncmp(s_out, "urestore ", 9) == 0);
}

int main(void)
{
    if (!mkdtemp(s_dir)) return 77;
    test_run_file_dry();
    test_no_clobber_skip();
    test_errors();
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s_dir);
    if (system(cmd) != 0) return 1;
    return CHECK_DONE();
}
