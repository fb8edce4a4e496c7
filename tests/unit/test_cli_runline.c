/* tests/unit/test_cli_runline.c — s5cmd command lines: word splitting (quotes, escapes), skipped lines,
 * `cp` flags and arguments with their error messages, s3a/s3p, wildcard detection, destination names,
 * and the Go-style flag parser they share with the global flags. */
#include <errno.h>

#include "cli/flag.h"
#include "cli/runline.h"
#include "tests/unit/check.h"

static int split(const char *line, struct ur_cli_words *w, const char **why)
{
    *why = "";
    return ur_cli_split_words(line, strlen(line), w, why);
}

static void test_split(void)
{
    struct ur_cli_words w;
    const char *why;

    CHECK_EQ_INT(split("cp  s3://b/k\t/tmp/x", &w, &why), 0);
    CHECK_EQ_INT(w.n, 3);
    CHECK_EQ_STR(w.v[0], "cp");
    CHECK_EQ_STR(w.v[1], "s3://b/k");
    CHECK_EQ_STR(w.v[2], "/tmp/x");
    ur_cli_words_free(&w);

    /* Single quotes are literal, double quotes let \ escape only $ ` " \ and newline. */
    CHECK_EQ_INT(split("cp 's3://b/a b\\n' \"/tmp/x \\\"y\\\" \\$z \\q\"", &w, &why), 0);
    CHECK_EQ_INT(w.n, 3);
    CHECK_EQ_STR(w.v[1], "s3://b/a b\\n");
    CHECK_EQ_STR(w.v[2], "/tmp/x \"y\" $z \\q");
    ur_cli_words_free(&w);

    /* Backslash outside quotes takes the next byte; adjacent pieces join into one word. */
    CHECK_EQ_INT(split("a\\ b c'd'\"e\" \\'", &w, &why), 0);
    CHECK_EQ_INT(w.n, 3);
    CHECK_EQ_STR(w.v[0], "a b");
    CHECK_EQ_STR(w.v[1], "cde");
    CHECK_EQ_STR(w.v[2], "'");
    ur_cli_words_free(&w);

    /* Empty quoted words count; backslash-newline is a continuation. */
    CHECK_EQ_INT(split("'' \"\" x\\\ny", &w, &why), 0);
    CHECK_EQ_INT(w.n, 3);
    CHECK_EQ_STR(w.v[0], "");
    CHECK_EQ_STR(w.v[1], "");
    CHECK_EQ_STR(w.v[2], "xy");
    ur_cli_words_free(&w);

    /* UTF-8 and '#' inside a line are plain bytes. */
    CHECK_EQ_INT(split("cp s3://b/ü#1 /t/ü", &w, &why), 0);
    CHECK_EQ_STR(w.v[1], "s3://b/ü#1");
    ur_cli_words_free(&w);

    CHECK_EQ_INT(split("cp 's3://b/k /x", &w, &why), -EINVAL);
    CHECK_EQ_STR(why, "Unterminated single-quoted string");
    CHECK_EQ_INT(split("cp \"s3://b/k /x", &w, &why), -EINVAL);
    CHECK_EQ_STR(why, "Unterminated double-quoted string");
    CHECK_EQ_INT(split("cp \"s3://b/k\\\"", &w, &why), -EINVAL);
    CHECK_EQ_STR(why, "Unterminated double-quoted string");
    CHECK_EQ_INT(split("cp x\\", &w, &why), -EINVAL);
    CHECK_EQ_STR(why, "Unterminated backslash-escape");
    CHECK_EQ_INT(ur_cli_split_words("a\0b", 3, &w, &why), -EINVAL);
    CHECK_EQ_STR(why, "line contains a NUL byte");

    /* Only the given length is read: no NUL terminator needed (lines come from one big buffer). */
    CHECK_EQ_INT(ur_cli_split_words("cp a bXXXX", 6, &w, &why), 0);
    CHECK_EQ_INT(w.n, 3);
    CHECK_EQ_STR(w.v[2], "b");
    ur_cli_words_free(&w);

    /* Many one-byte words: the worst case for the word array. */
    CHECK_EQ_INT(split("a b c d e f g h i j k l m n o p q r s t u v w x y z", &w, &why), 0);
    CHECK_EQ_INT(w.n, 26);
    CHECK_EQ_STR(w.v[25], "z");
    ur_cli_words_free(&w);
    CHECK_EQ_INT(split("'' '' '' '' ''", &w, &why), 0);
    CHECK_EQ_INT(w.n, 5);
    ur_cli_words_free(&w);
}

static void test_skipped_and_trim(void)
{
    CHECK(ur_cli_line_is_skipped("", 0));
    CHECK(ur_cli_line_is_skipped("   \t\r", 5));
    CHECK(ur_cli_line_is_skipped("# cp a b", 8));
    CHECK(ur_cli_line_is_skipped("   # cp a b", 11));
    CHECK(!ur_cli_line_is_skipped("cp a b # no comment here", 24));
    const char *s = " \tcp a b\r\n";
    size_t n = strlen(s);
    ur_cli_trim(&s, &n);
    CHECK_EQ_INT(n, 6);
    CHECK(!memcmp(s, "cp a b", 6));
}

/* Parses a line; returns the code and leaves the message in err. */
static int line(const char *l, struct ur_cli_words *w, struct ur_cli_cp *cp, char *err)
{
    err[0] = '\0';
    return ur_cli_parse_line(l, strlen(l), w, cp, err, 256);
}

static void test_cp_ok(void)
{
    struct ur_cli_words w;
    struct ur_cli_cp cp;
    char err[256];

    CHECK_EQ_INT(line("cp s3://bucket/dir/file.sst /tmp/x/file.sst", &w, &cp, err), 0);
    CHECK_EQ_STR(cp.src, "s3://bucket/dir/file.sst");
    CHECK_EQ_STR(cp.dst, "/tmp/x/file.sst");
    CHECK_EQ_STR(cp.src_key, "dir/file.sst");
    CHECK(!cp.no_clobber && !cp.wildcard && cp.part_size_bytes == 0 && !cp.resume);
    ur_cli_words_free(&w);

    /* Flink's checkpoint URIs. */
    CHECK_EQ_INT(line("cp s3a://b/k /t", &w, &cp, err), 0);
    CHECK_EQ_STR(cp.src_key, "k");
    ur_cli_words_free(&w);
    CHECK_EQ_INT(line("cp s3p://b/a/b/c /t", &w, &cp, err), 0);
    CHECK_EQ_STR(cp.src_key, "a/b/c");
    ur_cli_words_free(&w);

    /* Every flag, Go style: -x, --x, --x=v, --x v. */
    CHECK_EQ_INT(line("cp -n -s --if-source-newer --raw --resume --part-size=64 -c 8 s3://b/k* /t", &w, &cp, err), 0);
    CHECK(cp.no_clobber && cp.if_size_differ && cp.if_source_newer && cp.raw && cp.resume);
    CHECK_EQ_INT(cp.part_size_bytes, 64ull << 20);
    CHECK_EQ_INT(cp.concurrency, 8);
    CHECK(!cp.wildcard); /* --raw: '*' is part of the key */
    ur_cli_words_free(&w);
    CHECK_EQ_INT(line("cp -p 0x10 --no-clobber=false -- s3://b/k /t", &w, &cp, err), 0);
    CHECK_EQ_INT(cp.part_size_bytes, 16ull << 20);
    CHECK(!cp.no_clobber);
    ur_cli_words_free(&w);

    /* Wildcards are detected in the key (and kept parsed for a later listing). */
    CHECK_EQ_INT(line("cp --flatten s3://b/dir/*.sst /t/", &w, &cp, err), 0);
    CHECK(cp.wildcard && cp.flatten);
    ur_cli_words_free(&w);
    CHECK_EQ_INT(line("cp s3://b/f?le /t/", &w, &cp, err), 0);
    CHECK(cp.wildcard);
    ur_cli_words_free(&w);

    /* Quoted arguments with spaces. */
    CHECK_EQ_INT(line("cp 's3://b/a key' \"/tmp/a file\"", &w, &cp, err), 0);
    CHECK_EQ_STR(cp.src_key, "a key");
    CHECK_EQ_STR(cp.dst, "/tmp/a file");
    ur_cli_words_free(&w);
}

static void test_cp_errors(void)
{
    struct ur_cli_words w;
    struct ur_cli_cp cp;
    char err[256];

    CHECK_EQ_INT(line("cp s3://b/k", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "expected source and destination arguments");
    CHECK_EQ_INT(line("cp", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "expected source and destination arguments");
    CHECK_EQ_INT(line("cp s3://b/k /t extra", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "expected source and destination arguments");
    /* Go's flag package stops at the first argument: a flag after it is an argument. */
    CHECK_EQ_INT(line("cp s3://b/k /t -n", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "expected source and destination arguments");

    CHECK_EQ_INT(line("cp --bogus s3://b/k /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "flag provided but not defined: -bogus");
    CHECK_EQ_INT(line("cp -x=1 s3://b/k /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "flag provided but not defined: -x");
    CHECK_EQ_INT(line("cp --part-size", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "flag needs an argument: -part-size");
    CHECK_EQ_INT(line("cp --part-size abc s3://b/k /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "invalid value \"abc\" for flag -part-size: parse error");
    CHECK_EQ_INT(line("cp --part-size= s3://b/k /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "invalid value \"\" for flag -part-size: parse error");
    CHECK_EQ_INT(line("cp -p 99999999999999999999 s3://b/k /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "invalid value \"99999999999999999999\" for flag -p: value out of range");
    CHECK_EQ_INT(line("cp --part-size=-1 s3://b/k /t", &w, &cp, err), -EINVAL);
    CHECK(strstr(err, "must be between 0 and") != NULL);
    CHECK_EQ_INT(line("cp -n=maybe s3://b/k /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "invalid boolean value \"maybe\" for -n: parse error");
    CHECK_EQ_INT(line("cp ---n s3://b/k /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "bad flag syntax: ---n");

    CHECK_EQ_INT(line("cp s3:///k /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "s3 url should have a bucket");
    CHECK_EQ_INT(line("cp s3://b*/k /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "bucket name cannot contain wildcards");
    /* A prefix (or the bucket) without a wildcard: every object under it, where s5cmd refuses. */
    CHECK_EQ_INT(line("cp s3://b /t", &w, &cp, err), 0);
    CHECK(cp.prefix && !cp.wildcard && !strcmp(cp.src_key, ""));
    ur_cli_words_free(&w);
    CHECK_EQ_INT(line("cp s3://b/dir/ /t", &w, &cp, err), 0);
    CHECK(cp.prefix && !strcmp(cp.src_key, "dir/"));
    ur_cli_words_free(&w);
    CHECK_EQ_INT(line("cp s3://b/dir/* /t", &w, &cp, err), 0);
    CHECK(!cp.prefix && cp.wildcard);
    ur_cli_words_free(&w);
    /* --exclude / --include repeat and keep their order; --no-preserve-timestamps. */
    CHECK_EQ_INT(line("cp --exclude '*.log' --include=a* --exclude b --no-preserve-timestamps s3://b/d/ /t", &w,
                      &cp, err),
                 0);
    CHECK_EQ_INT((int)cp.exclude.n, 2);
    CHECK_EQ_STR(cp.exclude.v[0], "*.log");
    CHECK_EQ_STR(cp.exclude.v[1], "b");
    CHECK_EQ_INT((int)cp.include.n, 1);
    CHECK_EQ_STR(cp.include.v[0], "a*");
    CHECK(cp.no_mtime);
    ur_cli_words_free(&w);
    CHECK_EQ_INT(line("cp --include \"\xff*\" s3://b/d/ /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "--include pattern \"\xff*\" is not valid UTF-8");
    CHECK_EQ_INT(line("cp --exclude s3://b/d/ /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "expected source and destination arguments");
    CHECK_EQ_INT(line("cp gs://b/k /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "unsupported URL scheme in source: use s3://, s3a:// or s3p://");
    CHECK_EQ_INT(line("cp s3://b/k /t/*", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "target \"/t/*\" can not contain glob characters");
    CHECK_EQ_INT(line("cp s3://b/k ''", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "destination is empty");

    CHECK_EQ_INT(line("cp /local/file s3://b/k", &w, &cp, err), -ENOTSUP);
    CHECK(strstr(err, "uploads are not supported") != NULL);
    CHECK_EQ_INT(line("cp s3://a/k s3a://b/k", &w, &cp, err), -ENOTSUP);
    CHECK(strstr(err, "S3 to S3") != NULL);
    CHECK_EQ_INT(line("cp /a /b", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "local->local copy operations are not permitted");

    CHECK_EQ_INT(line("rm s3://b/k", &w, &cp, err), -ENOTSUP);
    CHECK_EQ_STR(err, "\"rm\" command is not supported by urestore (only \"cp\" is)");
    CHECK_EQ_INT(line("frobnicate x", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "\"frobnicate\" command not found");
    CHECK_EQ_INT(line("run x", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "\"run\" command is not permitted in run-mode");
    CHECK_EQ_INT(line("cp 's3://b/k /t", &w, &cp, err), -EINVAL);
    CHECK_EQ_STR(err, "Unterminated single-quoted string");
    CHECK_EQ_INT(line("cp --help", &w, &cp, err), -EINVAL);
}

static void test_long_line(void)
{
    /* A 1 MiB key: the parser has no line-length limit (S3's key limit is checked later). */
    size_t n = 1u << 20;
    char *l = malloc(n + 64);
    CHECK(l != NULL);
    if (!l) return;
    strcpy(l, "cp s3://b/");
    size_t o = strlen(l);
    memset(l + o, 'k', n);
    strcpy(l + o + n, " /tmp/out");
    struct ur_cli_words w;
    struct ur_cli_cp cp;
    char err[256];
    CHECK_EQ_INT(ur_cli_parse_line(l, strlen(l), &w, &cp, err, sizeof(err)), 0);
    CHECK_EQ_INT(strlen(cp.src_key), n);
    CHECK_EQ_STR(cp.dst, "/tmp/out");
    ur_cli_words_free(&w);
    free(l);
}

static void test_dest_path(void)
{
    const char *why = NULL;
    char *p;
#define DEST(dst, key, isdir, want)                                                                          \
    do {                                                                                                     \
        p = ur_cli_dest_path(dst, key, isdir, &why);                                                         \
        CHECK(p != NULL);                                                                                    \
        if (p) CHECK_EQ_STR(p, want);                                                                        \
        free(p);                                                                                             \
    } while (0)
    DEST("/tmp/x/file", "a/b/c", false, "/tmp/x/file");
    DEST("rel//file", "a/b/c", false, "rel//file"); /* a plain file name is kept as written */
    DEST("/tmp/x/", "a/b/c.sst", false, "/tmp/x/c.sst");
    DEST("/tmp//x/./", "c", false, "/tmp/x/c");
    DEST("/tmp/x", "a/b/c.sst", true, "/tmp/x/c.sst");
    DEST(".", "a/b/c.sst", true, "c.sst");
    DEST("./", "a/b/c.sst", false, "c.sst");
    DEST("../d/", "c", false, "../d/c");
    DEST("/", "x", true, "/x");
    CHECK(ur_cli_dest_path("/t/", "a/..", false, &why) == NULL);
    CHECK(ur_cli_dest_path("/t/", "a/.", false, &why) == NULL);
#undef DEST

    char c[64];
#define CLEAN(in, want)                                                                                      \
    do {                                                                                                     \
        strcpy(c, in);                                                                                       \
        ur_cli_path_clean(c);                                                                                \
        CHECK_EQ_STR(c, want);                                                                               \
    } while (0)
    CLEAN("", ".");
    CLEAN("a/../..", "..");
    CLEAN("../../a/b/../c", "../../a/c");
    CLEAN("/../a", "/a");
    CLEAN("//a//b/", "/a/b");
    CLEAN("a/./b/.", "a/b");
    CLEAN("/", "/");
#undef CLEAN
}

static void test_flags(void)
{
    bool b = false, seen = false;
    long long n = 0;
    const char *s = NULL;
    const struct ur_cli_flag spec[] = {
        {"bool", "b", UR_CLI_FLAG_BOOL, &b, &seen},
        {"num", NULL, UR_CLI_FLAG_INT, &n, NULL},
        {"str", NULL, UR_CLI_FLAG_STR, &s, NULL},
    };
    char *words[] = {"-b", "--num", "010", "-str=a=b", "rest", "-b"};
    size_t i = 0;
    char err[128];
    CHECK_EQ_INT(ur_cli_flags_parse(spec, 3, words, 6, &i, err, sizeof(err)), 0);
    CHECK_EQ_INT(i, 4);
    CHECK(b && seen);
    CHECK_EQ_INT(n, 8); /* Go's base 0: a leading 0 is octal */
    CHECK_EQ_STR(s, "a=b");

    char *w2[] = {"--num", " 5"};
    i = 0;
    CHECK_EQ_INT(ur_cli_flags_parse(spec, 3, w2, 2, &i, err, sizeof(err)), -EINVAL);
    char *w3[] = {"-", "x"};
    i = 0;
    CHECK_EQ_INT(ur_cli_flags_parse(spec, 3, w3, 2, &i, err, sizeof(err)), 0);
    CHECK_EQ_INT(i, 0); /* "-" is an argument */
}

int main(void)
{
    test_split();
    test_skipped_and_trim();
    test_cp_ok();
    test_cp_errors();
    test_long_line();
    test_dest_path();
    test_flags();
    return CHECK_DONE();
}
