/* tests/unit/test_partial.c — what --resume keeps: ranges merge, the gaps between them are the pieces to
 * fetch (aligned where the ranges are), the sidecar round-trips, and any edit, truncation, other source or
 * disorder makes it refused (a refused sidecar means "start over"). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "engine/partial.h"
#include "tests/unit/check.h"

#define MIB (1024ull * 1024)
#define SRC "s3://bucket/state/big"

static void s_ranges(void)
{
    struct ur_partial p = {.size = 10 * MIB};
    CHECK_EQ_INT(ur_partial_add(&p, 4 * MIB, 2 * MIB), 0);
    CHECK_EQ_INT(ur_partial_add(&p, 0, 2 * MIB), 0);
    CHECK_EQ_INT(p.n, 2);
    CHECK_EQ_INT(ur_partial_add(&p, 2 * MIB, 2 * MIB), 0); /* fills the hole: one range */
    CHECK_EQ_INT(p.n, 1);
    CHECK_EQ_INT(p.r[0].off, 0);
    CHECK_EQ_INT(p.r[0].end, 6 * MIB);
    CHECK_EQ_INT(ur_partial_add(&p, 1 * MIB, 1 * MIB), 0); /* inside: nothing changes */
    CHECK_EQ_INT(p.n, 1);
    CHECK_EQ_INT(ur_partial_add(&p, 8 * MIB, 2 * MIB), 0);
    CHECK_EQ_INT(ur_partial_bytes(&p), 8 * MIB);

    /* The gaps: [6, 8) MiB in pieces of at most 1.5 MiB, then nothing. */
    uint64_t off, len;
    CHECK(ur_partial_gap(&p, 0, 3 * MIB / 2, &off, &len));
    CHECK_EQ_INT(off, 6 * MIB);
    CHECK_EQ_INT(len, 3 * MIB / 2);
    CHECK(ur_partial_gap(&p, off + len, 3 * MIB / 2, &off, &len));
    CHECK_EQ_INT(off, 6 * MIB + 3 * MIB / 2);
    CHECK_EQ_INT(len, MIB / 2); /* stops where the next range starts */
    CHECK(!ur_partial_gap(&p, off + len, 3 * MIB / 2, &off, &len));
    /* Nothing kept: the whole object, part by part, the last one short. */
    struct ur_partial e = {.size = 5 * MIB + 7};
    unsigned n = 0;
    for (uint64_t at = 0; ur_partial_gap(&e, at, 2 * MIB, &off, &len); at = off + len) n++;
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(len, MIB + 7);
    ur_partial_free(&p);
}

static void s_roundtrip(void)
{
    struct ur_partial p = {.size = 40 * MIB + 12345};
    strcpy(p.etag, "\"0123456789abcdef0123456789abcdef-5\"");
    ur_partial_add(&p, 0, 8 * MIB);
    ur_partial_add(&p, 16 * MIB, 4 * MIB);
    ur_partial_add(&p, 40 * MIB, 12345);
    size_t len;
    char *text = ur_partial_format(&p, SRC, &len);
    CHECK(text && len == strlen(text));
    struct ur_partial q;
    const char *why = NULL;
    CHECK_EQ_INT(ur_partial_parse(text, len, SRC, &q, &why), 0);
    CHECK_EQ_INT(q.size, p.size);
    CHECK_EQ_STR(q.etag, p.etag);
    CHECK_EQ_INT(q.n, 3);
    CHECK(q.n == 3 && q.r[1].off == 16 * MIB && q.r[1].end == 20 * MIB);
    ur_partial_free(&q);

    /* Another source, every one-byte edit, every truncation: refused. */
    CHECK_EQ_INT(ur_partial_parse(text, len, "s3://bucket/state/other", &q, &why), -EINVAL);
    ur_partial_free(&q);
    for (size_t i = 0; i < len; i++) {
        char *t = strdup(text);
        t[i] ^= 0x04;
        CHECK_EQ_INT(ur_partial_parse(t, len, SRC, &q, &why), -EINVAL);
        ur_partial_free(&q);
        CHECK_EQ_INT(ur_partial_parse(text, i, SRC, &q, &why), -EINVAL);
        ur_partial_free(&q);
        free(t);
    }
    free(text);
    ur_partial_free(&p);
}

/* A well-formed, correctly checksummed sidecar whose ranges are out of order or past the end: refused. */
static void s_disorder(void)
{
    static const char *bad[] = {
        "range 4096 4096\nrange 0 4096\n",    /* out of order */
        "range 0 8192\nrange 4096 4096\n",    /* overlapping */
        "range 0 0\n",                        /* empty */
        "range 8192 4096\n",                  /* past the end (size 10000) */
        "range 0 4096\nsize 20000\n",         /* a second size */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ur_partial p = {.size = 10000};
        strcpy(p.etag, "\"e\"");
        size_t len;
        char *head = ur_partial_format(&p, SRC, &len); /* magic, source, size, etag, crc */
        char *body;
        /* Rebuild: everything but the CRC line, the bad lines, then a correct CRC over it all. */
        head[len - 15] = 0;
        if (asprintf(&body, "%s%s", head, bad[i]) < 0) abort();
        struct ur_partial tmp = {0};
        size_t blen = strlen(body);
        char crc[32];
        snprintf(crc, sizeof(crc), "crc32 %08lx\n", crc32(0, (const Bytef *)body, (uInt)blen));
        char *all;
        if (asprintf(&all, "%s%s", body, crc) < 0) abort();
        const char *why = NULL;
        if (ur_partial_parse(all, strlen(all), SRC, &tmp, &why) != -EINVAL) {
            fprintf(stderr, "accepted: %s\n", bad[i]);
            check_failures++;
        }
        ur_partial_free(&tmp);
        free(all), free(body), free(head);
    }
}

int main(void)
{
    s_ranges();
    s_roundtrip();
    s_disorder();
    return CHECK_DONE();
}
