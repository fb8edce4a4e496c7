/* tests/unit/test_cli_out.c — the CLI's output lines byte for byte as s5cmd prints them: "cp SRC DST",
 * ERROR "CMD": MSG with Go's %q quoting, the --json shapes with Go's escaping, and one write per line. */
#include <fcntl.h>
#include <unistd.h>

#include "cli/out.h"
#include "tests/unit/check.h"

static void test_text(void)
{
    struct ur_cli_buf b = {0};
    ur_cli_fmt_ok(&b, false, "cp", "s3a://b/k", "/tmp/x/k", 5, 1);
    CHECK_EQ_STR(b.p, "cp s3a://b/k /tmp/x/k\n");
    ur_cli_fmt_error(&b, false, "cp", "cp s3://b/k /t", "NoSuchKey: gone\n\tstatus  code: 404 ");
    CHECK_EQ_STR(b.p, "ERROR \"cp s3://b/k /t\": NoSuchKey: gone status code: 404\n");
    ur_cli_fmt_error(&b, false, "cp", "cp \"a\\b\" \x01\xff é", "x");
    CHECK_EQ_STR(b.p, "ERROR \"cp \\\"a\\\\b\\\" \\x01\\xff é\": x\n");
    ur_cli_fmt_error(&b, false, NULL, "", "no command");
    CHECK_EQ_STR(b.p, "ERROR no command\n");
    ur_cli_fmt_debug(&b, false, "cp", "cp s3://b/k /t", "object already exists");
    CHECK_EQ_STR(b.p, "DEBUG \"cp s3://b/k /t\": object already exists\n");
    ur_cli_buf_free(&b);
}

static void test_json(void)
{
    struct ur_cli_buf b = {0};
    ur_cli_fmt_ok(&b, true, "cp", "s3://b/k", "/t/k", 12, -1);
    CHECK_EQ_STR(b.p,
                 "{\"operation\":\"cp\",\"success\":true,\"source\":\"s3://b/k\",\"destination\":\"/t/k\","
                 "\"object\":{\"type\":\"file\",\"size\":12}}\n");
    /* Whether the bytes matched the object's checksum: after s5cmd's fields. */
    ur_cli_fmt_ok(&b, true, "cp", "s3://b/k", "/t/k", 12, 1);
    CHECK_EQ_STR(b.p,
                 "{\"operation\":\"cp\",\"success\":true,\"source\":\"s3://b/k\",\"destination\":\"/t/k\","
                 "\"object\":{\"type\":\"file\",\"size\":12},\"checksum_verified\":true}\n");
    ur_cli_fmt_ok(&b, true, "cp", "s3://b/k", "/t/k", 12, 0);
    CHECK(strstr(b.p, "\"size\":12},\"checksum_verified\":false}\n") != NULL);
    ur_cli_fmt_ok(&b, true, "cp", "s3://b/<&>\"", "/t/\n\x01\xfe", 0, -1);
    CHECK_EQ_STR(b.p,
                 "{\"operation\":\"cp\",\"success\":true,\"source\":\"s3://b/\\u003c\\u0026\\u003e\\\"\","
                 "\"destination\":\"/t/\\n\\u0001\\ufffd\",\"object\":{\"type\":\"file\"}}\n");
    ur_cli_fmt_error(&b, true, "cp", "cp s3://b/k /t", "boom");
    CHECK_EQ_STR(b.p, "{\"operation\":\"cp\",\"command\":\"cp s3://b/k /t\",\"error\":\"boom\"}\n");
    ur_cli_fmt_error(&b, true, NULL, NULL, "boom");
    CHECK_EQ_STR(b.p, "{\"error\":\"boom\"}\n");
    ur_cli_fmt_debug(&b, true, "cp", "cp a b", "object already exists");
    CHECK_EQ_STR(b.p, "{\"operation\":\"cp\",\"job\":\"cp a b\",\"error\":\"object already exists\"}\n");
    ur_cli_buf_free(&b);
}

static void test_emit(void)
{
    char path[] = "/tmp/test_cli_out.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    unlink(path);
    struct ur_cli_buf b = {0};
    for (int k = 0; k < 1000; k++)
        ur_cli_buf_puts(&b, "0123456789"); /* a 10 kB line */
    ur_cli_buf_put(&b, "\n", 1);
    CHECK_EQ_INT(ur_cli_emit(fd, &b), 0);
    CHECK_EQ_INT(lseek(fd, 0, SEEK_CUR), 10001);
    ur_cli_buf_free(&b);
    close(fd);
    ur_cli_buf_putu(&b, 18446744073709551615ull);
    CHECK_EQ_STR(b.p, "18446744073709551615");
    ur_cli_buf_free(&b);
}

int main(void)
{
    test_text();
    test_json();
    test_emit();
    return CHECK_DONE();
}
