/* tests/unit/test_s3_list.c — ListObjectsV2 pages (entities in keys and ETags, truncation and the next
 * token, a callback that stops, keys at and over S3's 1024-byte limit, documents that are not a page) and
 * the canonical query of a ListObjectsV2 request (checked against the SigV4 canonicaliser). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "s3/list.h"
#include "s3/sigv4_canon.h"
#include "tests/unit/check.h"

struct seen {
    int n, stop_at;
    char keys[4][1100];
    char etags[4][64];
    uint64_t sizes[4];
    int64_t modified[4];
};

static int s_collect(void *user, const struct ur_s3_list_entry *e)
{
    struct seen *s = user;
    if (s->n < 4) {
        snprintf(s->keys[s->n], sizeof(s->keys[0]), "%s", e->key);
        snprintf(s->etags[s->n], sizeof(s->etags[0]), "%s", e->etag);
        s->sizes[s->n] = e->size;
        s->modified[s->n] = e->last_modified;
    }
    s->n++;
    return s->stop_at && s->n == s->stop_at ? 42 : 0;
}

static int s_parse(const char *body, struct seen *s, bool *tr, char *tok, size_t cap)
{
    return ur_s3_list_parse(body, strlen(body), s_collect, s, tr, tok, cap);
}

static void test_page(void)
{
    const char *aws =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
        "<Prefix>dir/</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>"
        "<Contents><Key>dir/a &amp; b&lt;c&gt;</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
        "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1234</Size>"
        "<StorageClass>STANDARD</StorageClass></Contents>"
        "<Contents><Key>dir/\xc3\xa9t\xc3\xa9 "
        "&#x1F600;.sst</Key><ETag>\"abc-2\"</ETag><Size>18446744073709551615"
        "</Size></Contents>"
        "<Contents><Key>dir/empty</Key><Size>0</Size></Contents>"
        "<NextContinuationToken>1/ab+c=&amp;d</NextContinuationToken></ListBucketResult>";
    struct seen s = {0};
    bool tr = false;
    char tok[64];
    CHECK_EQ_INT(s_parse(aws, &s, &tr, tok, sizeof(tok)), 0);
    CHECK_EQ_INT(s.n, 3);
    CHECK_EQ_STR(s.keys[0], "dir/a & b<c>");
    CHECK_EQ_STR(s.etags[0], "\"9b2cf535f27731c974343645a3985328\"");
    CHECK_EQ_INT(s.sizes[0], 1234);
    CHECK(s.modified[0] == 1704067200); /* 2024-01-01T00:00:00.000Z */
    CHECK(s.modified[2] == -1);         /* no LastModified */
    CHECK_EQ_STR(s.keys[1], "dir/\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80.sst");
    CHECK_EQ_STR(s.etags[1], "\"abc-2\"");
    CHECK(s.sizes[1] == UINT64_MAX);
    CHECK_EQ_STR(s.keys[2], "dir/empty");
    CHECK_EQ_STR(s.etags[2], "");
    CHECK(tr);
    CHECK_EQ_STR(tok, "1/ab+c=&d");

    /* The callback's nonzero value stops the parse and is returned. */
    struct seen st = {.stop_at = 2};
    CHECK_EQ_INT(s_parse(aws, &st, &tr, tok, sizeof(tok)), 42);
    CHECK_EQ_INT(st.n, 2);

    /* The last page: no token, not truncated; an empty page calls nothing. */
    struct seen last = {0};
    strcpy(tok, "junk");
    CHECK_EQ_INT(s_parse("<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>1"
                         "</Size></Contents></ListBucketResult>",
                         &last, &tr, tok, sizeof(tok)),
                 0);
    CHECK(!tr);
    CHECK_EQ_STR(tok, "");
    CHECK_EQ_INT(last.n, 1);
    struct seen none = {0};
    CHECK_EQ_INT(s_parse("<ListBucketResult>\n  <KeyCount>0</KeyCount>\n</ListBucketResult>\n", &none, &tr,
                         tok, sizeof(tok)),
                 0);
    CHECK_EQ_INT(none.n, 0);

    /* The length is honoured: a page cut anywhere before its end tag is refused, not half-read. */
    struct seen cut = {0};
    CHECK_EQ_INT(ur_s3_list_parse(aws, strlen(aws) - 5, s_collect, &cut, &tr, tok, sizeof(tok)), -EINVAL);
    CHECK_EQ_INT(cut.n, 0);
}

static void test_limits(void)
{
    static char body[4096], key[1100];
    struct seen s = {0};
    bool tr;
    char tok[16];
    memset(key, 'k', 1024);
    key[1024] = '\0';
    snprintf(body, sizeof(body), "<ListBucketResult><Contents><Key>%s</Key></Contents></ListBucketResult>",
             key);
    CHECK_EQ_INT(s_parse(body, &s, &tr, tok, sizeof(tok)), 0);
    CHECK_EQ_INT(s.n, 1);
    CHECK_EQ_INT(strlen(s.keys[0]), 1024);
    key[1024] = 'k';
    key[1025] = '\0';
    snprintf(body, sizeof(body), "<ListBucketResult><Contents><Key>%s</Key></Contents></ListBucketResult>",
             key);
    CHECK_EQ_INT(s_parse(body, &s, &tr, tok, sizeof(tok)), -ENOSPC);
    /* 1024 bytes once decoded fit, whatever the encoded length. */
    char *w = key;
    for (int i = 0; i < 204; i++)
        w += sprintf(w, "&amp;");
    memset(w, 'x', 4);
    w[4] = '\0';
    snprintf(body, sizeof(body), "<ListBucketResult><Contents><Key>%s</Key></Contents></ListBucketResult>",
             key);
    struct seen amp = {0};
    CHECK_EQ_INT(s_parse(body, &amp, &tr, tok, sizeof(tok)), 0);
    CHECK_EQ_INT(strlen(amp.keys[0]), 208);

    const char *long_tok = "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>"
                           "0123456789abcdefXYZ</NextContinuationToken></ListBucketResult>";
    CHECK_EQ_INT(s_parse(long_tok, &s, &tr, tok, sizeof(tok)), -ENOSPC);
}

static void test_not_pages(void)
{
    static const char *const bad[] = {
        "",
        "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>",
        "<html><body>502 Bad Gateway</body></html>",
        "<ListBucketResultX></ListBucketResultX>",
        "<ListBucketResult><Contents><Key>a</Key></ListBucketResult>",
        "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>a</Key><Size>99999999999999999999</Size></Contents></"
        "ListBucketResult>",
        "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct seen s = {0};
        bool tr = true;
        char tok[16];
        int rc = s_parse(bad[i], &s, &tr, tok, sizeof(tok));
        if (rc != -EINVAL) fprintf(stderr, "bad[%zu]: %d\n", i, rc);
        CHECK_EQ_INT(rc, -EINVAL);
        CHECK_EQ_INT(s.n, 0);
    }
    bool tr;
    char tok[4];
    CHECK_EQ_INT(ur_s3_list_parse(NULL, 0, s_collect, NULL, &tr, tok, sizeof(tok)), -EINVAL);
}

/* q is canonical: SigV4's canonicaliser leaves it as it is. */
static void s_check_canonical(const char *q)
{
    char c[512];
    CHECK(ur_sigv4_canon_query(c, sizeof(c), q) >= 0);
    CHECK_EQ_STR(c, q);
}

static void test_query(void)
{
    char q[256];
    CHECK_EQ_INT(ur_s3_list_query(q, sizeof(q), "dir/", NULL, NULL), (int)strlen("list-type=2&prefix=dir%2F"));
    CHECK_EQ_STR(q, "list-type=2&prefix=dir%2F");
    s_check_canonical(q);
    ur_s3_list_query(q, sizeof(q), "", "", "");
    CHECK_EQ_STR(q, "list-type=2&prefix=");
    s_check_canonical(q);
    ur_s3_list_query(q, sizeof(q), "a b+c/\xc3\xa9~_-.", "1/ab+c=&d", NULL);
    CHECK_EQ_STR(q, "continuation-token=1%2Fab%2Bc%3D%26d&list-type=2&prefix=a%20b%2Bc%2F%C3%A9~_-.");
    s_check_canonical(q);
    /* start-after sorts last, encoded like the prefix. */
    ur_s3_list_query(q, sizeof(q), "job/shared/", NULL, "job/shared/8 f+");
    CHECK_EQ_STR(q, "list-type=2&prefix=job%2Fshared%2F&start-after=job%2Fshared%2F8%20f%2B");
    s_check_canonical(q);
    ur_s3_list_query(q, sizeof(q), "p", "tok", "p/a");
    CHECK_EQ_STR(q, "continuation-token=tok&list-type=2&prefix=p&start-after=p%2Fa");
    s_check_canonical(q);
    CHECK_EQ_INT(ur_s3_list_query(q, 20, "dir/", NULL, NULL), -ENOSPC);
    CHECK_EQ_INT(ur_s3_list_query(q, 25, "dir/", NULL, NULL), -ENOSPC);
    CHECK_EQ_INT(ur_s3_list_query(q, 26, "dir/", NULL, NULL), 25);
    CHECK_EQ_INT(ur_s3_list_query(q, 30, "dir/", "tokentoken", NULL), -ENOSPC);
    CHECK_EQ_INT(ur_s3_list_query(q, 30, "dir/", NULL, "startafter"), -ENOSPC);
    CHECK_EQ_INT(ur_s3_list_query(q, 0, "", NULL, NULL), -ENOSPC);
}

int main(void)
{
    test_page();
    test_limits();
    test_not_pages();
    test_query();
    return CHECK_DONE();
}
