/* tests/unit/test_cli_glob.c — wildcard sources as s5cmd reads them: the literal prefix, whole-key
 * matching ('*' across '/', '?' one UTF-8 character, neither across a newline, regexp metacharacters
 * literal), and the file a matching key lands in (relative to the prefix's directory, --flatten, keys
 * refused because they would land outside the destination or name no file). */
#include <stdlib.h>

#include "cli/glob.h"
#include "tests/unit/check.h"

static void test_prefix(void)
{
    CHECK_EQ_INT(ur_cli_glob_prefix_len("dir/*"), 4);
    CHECK_EQ_INT(ur_cli_glob_prefix_len("a/b/test?/c/*.tsv"), 8);
    CHECK_EQ_INT(ur_cli_glob_prefix_len("*"), 0);
    CHECK_EQ_INT(ur_cli_glob_prefix_len("plain/key"), 9);
}

static void test_match(void)
{
    static const struct {
        const char *pattern, *key;
        bool want;
    } cases[] = {
        {"dir/*", "dir/a", true},
        {"dir/*", "dir/a/b/c", true}, /* '*' crosses '/' */
        {"dir/*", "dir/", true},
        {"dir/*", "dirx/a", false},
        {"dir/*", "other/dir/a", false}, /* anchored at the start */
        {"dir/*.sst", "dir/000123.sst", true},
        {"dir/*.sst", "dir/000123.sst.tmp", false}, /* anchored at the end */
        {"dir/*.sst", "dir/a/b.sst", true},
        {"dir/?", "dir/a", true},
        {"dir/?", "dir/ab", false},
        {"dir/?", "dir/", false},
        {"dir/?", "dir/\xc3\xa9", true},         /* one rune, two bytes */
        {"dir/??", "dir/\xc3\xa9", false},       /* not two */
        {"dir/?", "dir/\xf0\x9f\x98\x80", true}, /* four bytes */
        {"dir/?", "dir/\xff", true},             /* an invalid byte is one character */
        {"dir/*", "dir/a\nb", false},            /* Go's "." does not match a newline */
        {"dir/a?c", "dir/a\nc", false},
        {"dir/a\n*", "dir/a\nbc", true}, /* a literal newline still matches itself */
        {"*", "", true},
        {"*", "anything/at/all", true},
        {"a*b*c", "aXXbYYc", true},
        {"a*b*c", "abc", true},
        {"a*b*c", "aXbY", false},
        {"a*b?c", "abbbxc", true},
        {"dir/a.b*", "dir/aXb1", false}, /* regexp metacharacters are literal */
        {"dir/a.b*", "dir/a.b1", true},
        {"dir/[ab]+(x)|^$*", "dir/[ab]+(x)|^$1", true},
        {"dir/[ab]*", "dir/a1", false},
        {"**?**", "x", true},
        {"**?**", "", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = ur_cli_glob_match(cases[i].pattern, cases[i].key);
        if (got != cases[i].want)
            fprintf(stderr, "case %zu: match(\"%s\", \"%s\") = %d\n", i, cases[i].pattern, cases[i].key, got);
        CHECK(got == cases[i].want);
    }
    /* Long keys: linear enough, and right. */
    static char key[1025];
    memset(key, 'a', 1024);
    CHECK(ur_cli_glob_match("*a*a*a*a*a*a*a*a*", key));
    CHECK(!ur_cli_glob_match("*a*a*a*a*a*a*a*a*b", key));
}

static void s_dest(const char *dst, const char *pattern, const char *key, bool flatten, const char *want)
{
    const char *why = NULL;
    char *got = ur_cli_glob_dest(dst, pattern, key, flatten, &why);
    if (want) {
        CHECK(got != NULL);
        if (got) CHECK_EQ_STR(got, want);
        if (!got) fprintf(stderr, "  dest(%s, %s, %s): %s\n", dst, pattern, key, why);
    } else {
        if (got) fprintf(stderr, "  dest(%s, %s, %s) = %s, expected a refusal\n", dst, pattern, key, got);
        CHECK(got == NULL);
        CHECK(why != NULL);
    }
    free(got);
}

static void test_dest(void)
{
    /* Relative to the directory of the literal prefix, as s5cmd's parseBatch. */
    s_dest("out", "dir/*", "dir/a", false, "out/a");
    s_dest("out/", "dir/*", "dir/a/b", false, "out/a/b");
    s_dest("out", "dir/sub*", "dir/subx/y", false, "out/subx/y");
    s_dest("out", "di*", "dir/a", false, "out/dir/a"); /* no '/' in the prefix: the whole key */
    s_dest("out", "*", "a/b", false, "out/a/b");
    s_dest("/abs/out/", "a/b/c*/*.sst", "a/b/c1/x.sst", false, "/abs/out/c1/x.sst");
    s_dest(".", "dir/*", "dir/a/b", false, "a/b");
    s_dest("out", "dir/*", "dir/./x", false, "out/x");
    s_dest("out", "dir/*", "dir/a//b", false, "out/a/b");
    s_dest("out", "dir/*", "dir/a..b", false, "out/a..b");
    s_dest("out", "dir/*", "dir/..a/.b", false, "out/..a/.b");
    /* --flatten: the last element. */
    s_dest("out", "dir/*", "dir/a/b", true, "out/b");
    s_dest("out/", "*", "x/y/z.sst", true, "out/z.sst");
    /* Refused: outside the destination, or not a file. */
    s_dest("out", "dir/*", "dir/../evil", false, NULL);
    s_dest("out", "dir/*", "dir/a/../../evil", false, NULL);
    s_dest("out", "dir/*", "dir/a/../b", false, NULL); /* any ".." element, even one that stays inside */
    s_dest("out", "*", "../evil", false, NULL);
    s_dest("out", "*", "..", false, NULL);
    s_dest("out", "dir/*", "dir/..", true, NULL);
    s_dest("out", "dir/*", "dir//etc/passwd", false, NULL); /* an absolute remainder */
    s_dest("out", "*", "/etc/passwd", false, NULL);
    s_dest("out", "dir/*", "dir/.", false, NULL);
    s_dest("out", "dir/*", "dir/sub/", false, NULL); /* a directory marker */
    s_dest("out", "*", "", false, NULL);
}

/* A prefix source (PREFIX/ or the bucket): the key after PREFIX, refused as wildcard keys are. */
static void test_prefix_dest(void)
{
    static const struct {
        const char *prefix, *key;
        bool flatten;
        const char *want;
    } cases[] = {
        {"dir/", "dir/a", false, "out/a"},
        {"dir/", "dir/sub/b", false, "out/sub/b"},
        {"", "x/y", false, "out/x/y"},
        {"dir/", "dir/sub/b", true, "out/b"},
        {"dir/", "dir/../evil", false, NULL},
        {"dir/", "dir//etc/passwd", false, NULL},
        {"", "/etc/passwd", false, NULL},
        {"dir/", "dir/sub/", false, NULL},
        {"dir/", "dir/.", false, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *why = NULL;
        char *got = ur_cli_prefix_dest("out", cases[i].prefix, cases[i].key, cases[i].flatten, &why);
        if (cases[i].want) {
            CHECK(got != NULL);
            if (got) CHECK_EQ_STR(got, cases[i].want);
        } else {
            CHECK(got == NULL && why != NULL);
        }
        free(got);
    }
}

static struct ur_cli_strs s_strs(const char *a, const char *b)
{
    struct ur_cli_strs l = {.n = 0};
    if (a) l.v[l.n++] = a;
    if (b) l.v[l.n++] = b;
    return l;
}

/* --exclude / --include: relative to the source's literal prefix, exclude wins, '*' crosses newlines. */
static void test_filter(void)
{
    struct ur_cli_strs none = s_strs(NULL, NULL), logs = s_strs("*.log", NULL), a = s_strs("a*", NULL);
    CHECK(!ur_cli_glob_filtered("dir/*", true, "dir/x.log", &none, &none));
    CHECK(ur_cli_glob_filtered("dir/*", true, "dir/x.log", &logs, &none));
    CHECK(ur_cli_glob_filtered("dir/*", true, "dir/s/x.log", &logs, &none)); /* '*' crosses '/' */
    CHECK(!ur_cli_glob_filtered("dir/*", true, "dir/x.sst", &logs, &none));
    /* Relative to dir/: "a*" matches dir/ab, not dir/b/a. */
    CHECK(!ur_cli_glob_filtered("dir/", false, "dir/ab", &none, &a));
    CHECK(ur_cli_glob_filtered("dir/", false, "dir/b/a", &none, &a));
    /* Both match: exclude wins. */
    struct ur_cli_strs ax = s_strs("a.log", NULL);
    CHECK(ur_cli_glob_filtered("dir/", false, "dir/a.log", &logs, &a));
    CHECK(ur_cli_glob_filtered("dir/", false, "dir/a.log", &ax, &a));
    CHECK(!ur_cli_glob_filtered("dir/", false, "dir/ab", &logs, &a));
    /* A prefix that does not end at '/' (dir/a*): s5cmd appends one, so keys are matched whole. */
    CHECK(ur_cli_glob_filtered("dir/a*", true, "dir/ab", &none, &a));
    struct ur_cli_strs whole = s_strs("dir/a*", NULL);
    CHECK(!ur_cli_glob_filtered("dir/a*", true, "dir/ab", &none, &whole));
    /* A single object: its whole key. */
    CHECK(ur_cli_glob_filtered("dir/x.log", false, "dir/x.log", &logs, &none));
    /* '*' and '?' take newlines here (s5cmd's (?s)), unlike in the source wildcard. */
    CHECK(ur_cli_glob_filtered("", false, "a\nb.log", &logs, &none));
    struct ur_cli_strs q = s_strs("a?b", NULL);
    CHECK(!ur_cli_glob_filtered("", false, "a\nb", &none, &q));
    /* An empty pattern is ignored, as s5cmd does. */
    struct ur_cli_strs empty = s_strs("", NULL);
    CHECK(!ur_cli_glob_filtered("", false, "k", &empty, &none));
    CHECK(ur_cli_glob_valid("*.sst"));
    CHECK(ur_cli_glob_valid("\xc3\xa9*"));
    CHECK(!ur_cli_glob_valid("\xff*"));
}

int main(void)
{
    test_prefix();
    test_match();
    test_dest();
    test_prefix_dest();
    test_filter();
    return CHECK_DONE();
}
