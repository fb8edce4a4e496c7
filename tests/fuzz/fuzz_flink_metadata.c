/* tests/fuzz/fuzz_flink_metadata.c — flink/metadata.c (with flink/javaser.c) and flink/ckpath.c.
 *
 * Input: the bytes of a `_metadata` file (seeds: tests/fuzz/corpus/flink_metadata, written by
 * tests/unit/test_flink_roundtrip --write-seeds). Checks that a parse either succeeds — every reference
 * then points inside the input, the callback ran once per counted reference, and the file without its
 * last byte is refused — or fails with -EBADMSG, an offset inside the input, a message and no callback.
 * Every reference's path also goes through the S3 split, the relative resolution and the classifier. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flink/ckpath.h"
#include "flink/metadata.h"

struct ctx {
    const uint8_t *p;
    size_t n;
    uint64_t refs, calls;
};

static int s_inside(const struct ctx *c, const void *s, size_t len)
{
    const uint8_t *b = s;
    return b >= c->p && len <= c->n && b + len <= c->p + c->n;
}

static int s_ref(void *user, const struct ur_flink_ref *ref)
{
    struct ctx *c = user;
    c->calls++;
    if (ref->kind != UR_FLINK_REF_DIRECTORY) c->refs++;
    if (!ref->path_len || !s_inside(c, ref->path, ref->path_len)) abort();
    if (!s_inside(c, ref->operator_id, 16)) abort();
    if (ref->local_name && !s_inside(c, ref->local_name, ref->local_name_len)) abort();
    if (ref->handle_offset >= ref->handle_end || ref->handle_end > c->n) abort();
    struct ur_flink_s3loc loc;
    if (ur_flink_s3_split(ref->path, ref->path_len, &loc) == 0) {
        if (!loc.bucket_len || !loc.key_len || !s_inside(c, loc.key, loc.key_len)) abort();
        (void)ur_flink_classify(loc.key, loc.key_len, NULL);
    }
    char out[512];
    static const char meta[] = "s3://bucket/job/chk-1/_metadata";
    int k = ur_flink_resolve(out, sizeof out, meta, sizeof meta - 1, ref->path, ref->path_len);
    if (k >= 0 && ((size_t)k != strlen(out) || (size_t)k != sizeof meta - 10 + ref->path_len)) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    memcpy(p, data, size);
    struct ctx c = {p, size, 0, 0};
    struct ur_flink_metadata md;
    struct ur_flink_error err;
    int rc = ur_flink_metadata_parse(p, size, s_ref, &c, &md, &err);
    if (rc == 0) {
        if (md.refs != c.refs || md.version < UR_FLINK_VERSION_MIN || md.version > UR_FLINK_VERSION_MAX)
            abort();
        if (size && ur_flink_metadata_parse(p, size - 1, NULL, NULL, NULL, &err) != -EBADMSG) abort();
    } else {
        if (rc != -EBADMSG || c.calls || err.why == UR_FLINK_OK || err.offset > size) abort();
        if (strncmp(err.msg, "offset ", 7) != 0) abort();
    }
    free(p);
    return 0;
}
