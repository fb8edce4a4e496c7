/* tests/unit/test_flink_ckpath.c — flink/ckpath.c: chk-N names, what an object under a job directory is
 * (metadata, exclusive, shared, ForSt, file merging, task-owned, unknown), relative-handle resolution
 * (and the names it refuses), and the split of s3/s3a/s3p URIs into bucket and key. */
#include <errno.h>

#include "flink/ckpath.h"
#include "tests/unit/check.h"

static int s_chk(const char *name, uint64_t *id)
{
    return ur_flink_chk_id(name, strlen(name), id);
}

static enum ur_flink_obj s_cls(const char *rel, uint64_t *id)
{
    return ur_flink_classify(rel, strlen(rel), id);
}

static void test_chk(void)
{
    uint64_t id = 99;
    CHECK_EQ_INT(s_chk("chk-0", &id), 0);
    CHECK_EQ_INT(id, 0);
    CHECK_EQ_INT(s_chk("chk-1234567", &id), 0);
    CHECK_EQ_INT(id, 1234567);
    CHECK_EQ_INT(s_chk("chk-9223372036854775807", &id), 0);
    CHECK(id == INT64_MAX);
    static const char *const bad[] = {
        "chk-",  "chk-01", "chk--1",     "chk-1a", "chk-9223372036854775808", "chk-99999999999999999999",
        "CHK-1", "chk1",   "savepoint-1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_EQ_INT(s_chk(bad[i], &id), -EINVAL);
}

static void test_classify(void)
{
    uint64_t id = 0;
    CHECK_EQ_INT(s_cls("chk-12/_metadata", &id), UR_FLINK_OBJ_METADATA);
    CHECK_EQ_INT(id, 12);
    CHECK_EQ_INT(s_cls("chk-3/1b797e8a-b107-474d-87d7-cab000000000", &id), UR_FLINK_OBJ_EXCLUSIVE);
    CHECK_EQ_INT(id, 3);
    CHECK_EQ_INT(s_cls("chk-3/_metadata.inprogress", NULL), UR_FLINK_OBJ_EXCLUSIVE);
    CHECK_EQ_INT(s_cls("chk-3/sub/x", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_INT(s_cls("chk-3/", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_INT(s_cls("chk-03/_metadata", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_INT(s_cls("shared/1b797e8a-b107-474d-87d7-cab000000000", NULL), UR_FLINK_OBJ_SHARED);
    CHECK_EQ_INT(s_cls("shared/op_abc123_attempt_0/db/000012.sst", NULL), UR_FLINK_OBJ_FORST);
    CHECK_EQ_INT(s_cls("shared/op_abc123_attempt_17/x", NULL), UR_FLINK_OBJ_FORST);
    CHECK_EQ_INT(s_cls("shared/op_attempt_1/x", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_INT(s_cls("shared/op_abc_attempt_/x", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_INT(s_cls("shared/op_abc_attempt_1x/x", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_INT(s_cls("shared/job_0000_op_abcd_0_4/uuid", NULL), UR_FLINK_OBJ_MERGED);
    CHECK_EQ_INT(s_cls("shared/job_0000/uuid", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_INT(s_cls("shared/other/uuid", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_INT(s_cls("shared/job_0_op_1_0_1/", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_INT(s_cls("taskowned/tm-1/uuid", NULL), UR_FLINK_OBJ_TASKOWNED);
    CHECK_EQ_INT(s_cls("taskowned/x", NULL), UR_FLINK_OBJ_TASKOWNED);
    CHECK_EQ_INT(s_cls("shared", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_INT(s_cls("shared/", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_INT(s_cls("README", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_INT(s_cls("", NULL), UR_FLINK_OBJ_UNKNOWN);
    CHECK_EQ_STR(ur_flink_obj_name(UR_FLINK_OBJ_FORST), "forst");
    CHECK_EQ_STR(ur_flink_obj_name((enum ur_flink_obj)99), "unknown");
}

static int s_res(char *out, size_t cap, const char *meta, const char *rel, size_t rlen)
{
    return ur_flink_resolve(out, cap, meta, strlen(meta), rel, rlen);
}

static void test_resolve(void)
{
    char out[128];
    const char *meta = "s3://b/cp/job/chk-5/_metadata";
    CHECK_EQ_INT(s_res(out, sizeof out, meta, "uuid-1", 6), (int)strlen("s3://b/cp/job/chk-5/uuid-1"));
    CHECK_EQ_STR(out, "s3://b/cp/job/chk-5/uuid-1");
    CHECK_EQ_INT(s_res(out, sizeof out, "cp/savepoint-abc/_metadata", "a/b", 3), 20);
    CHECK_EQ_STR(out, "cp/savepoint-abc/a/b");
    static const char *const bad[] = {"", "/abs", "..", "../x", "a/../b", ".", "a/./b", "a//b", "a/"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_EQ_INT(s_res(out, sizeof out, meta, bad[i], strlen(bad[i])), -EINVAL);
    CHECK_EQ_INT(s_res(out, sizeof out, meta, "a\0b", 3), -EINVAL);
    CHECK_EQ_INT(s_res(out, sizeof out, meta, "a\xc0\x80", 3), -EINVAL);
    CHECK_EQ_INT(s_res(out, sizeof out, "_metadata", "x", 1), -EINVAL);
    CHECK_EQ_INT(s_res(out, 26, meta, "uuid-1", 6), -ENOSPC);
    CHECK_EQ_INT(s_res(out, 27, meta, "uuid-1", 6), 26);
}

static void s_split(const char *uri, int want, const char *bucket, const char *key)
{
    struct ur_flink_s3loc loc;
    int rc = ur_flink_s3_split(uri, strlen(uri), &loc);
    CHECK_EQ_INT(rc, want);
    if (rc || want) return;
    char b[256], k[256];
    snprintf(b, sizeof b, "%.*s", (int)loc.bucket_len, loc.bucket);
    snprintf(k, sizeof k, "%.*s", (int)loc.key_len, loc.key);
    CHECK_EQ_STR(b, bucket);
    CHECK_EQ_STR(k, key);
}

static void test_split(void)
{
    s_split("s3://bucket/cp/job/shared/x", 0, "bucket", "cp/job/shared/x");
    s_split("s3a://bucket/cp/job/shared/x", 0, "bucket", "cp/job/shared/x");
    s_split("s3p://bucket/a", 0, "bucket", "a");
    s_split("S3A://bucket/a//b", 0, "bucket", "a//b");
    s_split("hdfs://nn:8020/x", -EPROTONOSUPPORT, NULL, NULL);
    s_split("file:/tmp/x", -EPROTONOSUPPORT, NULL, NULL);
    s_split("s3n://b/x", -EPROTONOSUPPORT, NULL, NULL);
    s_split("uuid-only", -EPROTONOSUPPORT, NULL, NULL);
    s_split("s3://bucket", -EINVAL, NULL, NULL);
    s_split("s3://bucket/", -EINVAL, NULL, NULL);
    s_split("s3:///key", -EINVAL, NULL, NULL);
}

int main(void)
{
    test_chk();
    test_classify();
    test_resolve();
    test_split();
    return CHECK_DONE();
}
