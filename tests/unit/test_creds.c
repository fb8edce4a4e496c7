/* tests/unit/test_creds.c — credentials from the environment and from shared credentials files
 * (profiles, comments, whitespace, CRLF, repeated sections, missing pieces, long values), and that no
 * error message ever carries a secret. Files are written under $TMPDIR. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "s3/creds.h"
#include "tests/unit/check.h"

static char s_dir[512];

static const char *s_write(const char *name, const char *text)
{
    static char path[1024];
    snprintf(path, sizeof(path), "%s/%s", s_dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_env(void)
{
    struct ur_creds c;
    char err[256];
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    CHECK_EQ_INT(ur_creds_from_env(&c, err, sizeof(err)), -ENOENT);
    CHECK_EQ_STR(err, "AWS_ACCESS_KEY_ID is not set");

    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    CHECK_EQ_INT(ur_creds_from_env(&c, err, sizeof(err)), -ENOENT);
    CHECK_EQ_STR(err, "AWS_SECRET_ACCESS_KEY is not set");
    setenv("AWS_SECRET_ACCESS_KEY", "", 1); /* empty is as good as unset */
    CHECK_EQ_INT(ur_creds_from_env(&c, err, sizeof(err)), -ENOENT);
    CHECK_EQ_STR(err, "AWS_SECRET_ACCESS_KEY is not set");

    setenv("AWS_SECRET_ACCESS_KEY", "envsecret/+=", 1);
    CHECK_EQ_INT(ur_creds_from_env(&c, err, sizeof(err)), 0);
    CHECK_EQ_STR(c.access_key, "AKIDENV");
    CHECK_EQ_STR(c.secret_key, "envsecret/+=");
    CHECK_EQ_STR(c.session_token, "");
    CHECK(!c.anonymous);

    setenv("AWS_SESSION_TOKEN", "envtoken", 1);
    CHECK_EQ_INT(ur_creds_from_env(&c, err, sizeof(err)), 0);
    CHECK_EQ_STR(c.session_token, "envtoken");

    char big[300];
    memset(big, 's', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    setenv("AWS_SECRET_ACCESS_KEY", big, 1);
    CHECK_EQ_INT(ur_creds_from_env(&c, err, sizeof(err)), -EINVAL);
    CHECK_EQ_STR(err, "AWS_SECRET_ACCESS_KEY is too long");
    CHECK(strstr(err, "sss") == NULL);
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
}

static void test_file(void)
{
    struct ur_creds c;
    char err[512], want[1200];
    char main_path[1024];
    const char *path = s_write("credentials", "# a comment\n"
                                              "; another comment\n"
                                              "\n"
                                              "[default]\n"
                                              "aws_access_key_id = AKIDDEFAULT\n"
                                              "aws_secret_access_key=defaultsecret\n"
                                              "\n"
                                              "  [ other ]  \r\n"
                                              "\taws_access_key_id\t=\tAKIDOTHER  \r\n"
                                              "AWS_SECRET_ACCESS_KEY = other/secret+with=signs\r\n"
                                              "aws_session_token = othertoken\r\n"
                                              "region = eu-west-1\r\n"
                                              "\n"
                                              "[nokey]\n"
                                              "aws_secret_access_key = s\n"
                                              "[nosecret]\n"
                                              "aws_access_key_id = AKID\n"
                                              "[split]\n"
                                              "aws_access_key_id = FIRST\n"
                                              "[default]\n"
                                              "aws_session_token = later-default-token\n"
                                              "[split]\n"
                                              "aws_secret_access_key = splitsecret\n"
                                              "aws_access_key_id = SECOND\n");
    snprintf(main_path, sizeof(main_path), "%s", path);
    path = main_path; /* s_write's buffer is reused below */
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");

    CHECK_EQ_INT(ur_creds_from_file(&c, path, NULL, err, sizeof(err)), 0);
    CHECK_EQ_STR(c.access_key, "AKIDDEFAULT");
    CHECK_EQ_STR(c.secret_key, "defaultsecret");
    CHECK_EQ_STR(c.session_token, "later-default-token");

    CHECK_EQ_INT(ur_creds_from_file(&c, path, "other", err, sizeof(err)), 0);
    CHECK_EQ_STR(c.access_key, "AKIDOTHER");
    CHECK_EQ_STR(c.secret_key, "other/secret+with=signs");
    CHECK_EQ_STR(c.session_token, "othertoken");

    CHECK_EQ_INT(ur_creds_from_file(&c, path, "split", err, sizeof(err)), 0);
    CHECK_EQ_STR(c.access_key, "SECOND");
    CHECK_EQ_STR(c.secret_key, "splitsecret");

    /* $AWS_PROFILE when profile is NULL; $AWS_SHARED_CREDENTIALS_FILE when path is NULL. */
    setenv("AWS_PROFILE", "other", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    CHECK_EQ_INT(ur_creds_from_file(&c, NULL, NULL, err, sizeof(err)), 0);
    CHECK_EQ_STR(c.access_key, "AKIDOTHER");
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");

    /* ~/.aws/credentials otherwise. */
    char home[600], awsdir[700];
    snprintf(home, sizeof(home), "%s/home", s_dir);
    snprintf(awsdir, sizeof(awsdir), "%s/.aws", home);
    mkdir(home, 0700);
    mkdir(awsdir, 0700);
    s_write("home/.aws/credentials",
            "[default]\naws_access_key_id=HOMEKEY\naws_secret_access_key=homesecret\n");
    const char *old_home = getenv("HOME");
    char saved[1024] = "";
    if (old_home) snprintf(saved, sizeof(saved), "%s", old_home);
    setenv("HOME", home, 1);
    CHECK_EQ_INT(ur_creds_from_file(&c, NULL, NULL, err, sizeof(err)), 0);
    CHECK_EQ_STR(c.access_key, "HOMEKEY");
    if (old_home)
        setenv("HOME", saved, 1);
    else
        unsetenv("HOME");

    /* What is missing, named; never a secret in the message. */
    CHECK_EQ_INT(ur_creds_from_file(&c, path, "absent", err, sizeof(err)), -ENOENT);
    snprintf(want, sizeof(want), "profile [absent] not found in %s", path);
    CHECK_EQ_STR(err, want);
    CHECK_EQ_INT(ur_creds_from_file(&c, path, "nokey", err, sizeof(err)), -ENOENT);
    CHECK_EQ_STR(err, "profile [nokey] has no aws_access_key_id");
    CHECK_EQ_INT(ur_creds_from_file(&c, path, "nosecret", err, sizeof(err)), -ENOENT);
    CHECK_EQ_STR(err, "profile [nosecret] has no aws_secret_access_key");
    CHECK_EQ_STR(c.access_key, ""); /* nothing half-filled is left behind */

    char missing[700];
    snprintf(missing, sizeof(missing), "%s/does-not-exist", s_dir);
    CHECK_EQ_INT(ur_creds_from_file(&c, missing, NULL, err, sizeof(err)), -ENOENT);
    CHECK(strstr(err, "does-not-exist") != NULL);

    /* A value too long to hold is an error, not a silent truncation; the value is not echoed. */
    char text[600];
    char sec[300];
    memset(sec, 'x', sizeof(sec) - 1);
    sec[sizeof(sec) - 1] = '\0';
    snprintf(text, sizeof(text), "[default]\naws_access_key_id=K\naws_secret_access_key=%s\n", sec);
    path = s_write("long", text);
    CHECK_EQ_INT(ur_creds_from_file(&c, path, NULL, err, sizeof(err)), -EINVAL);
    CHECK(strstr(err, "xxxx") == NULL);
    CHECK(strstr(err, "too long") != NULL);

    /* A file without a trailing newline, and a section header without ']' that must not match. */
    path = s_write("notrail",
                   "[broken\naws_access_key_id=BAD\n[p]\naws_access_key_id=K\naws_secret_access_key=S");
    CHECK_EQ_INT(ur_creds_from_file(&c, path, "p", err, sizeof(err)), 0);
    CHECK_EQ_STR(c.secret_key, "S");
    CHECK_EQ_INT(ur_creds_from_file(&c, path, "broken", err, sizeof(err)), -ENOENT);

    /* Secrets never appear in any error message above; check the last ones explicitly. */
    CHECK(strstr(err, "defaultsecret") == NULL && strstr(err, "S\n") == NULL);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(s_dir, sizeof(s_dir), "%s/test_creds.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s_dir)) {
        perror("mkdtemp");
        return 77;
    }
    test_env();
    test_file();
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", s_dir);
    return CHECK_DONE();
}
