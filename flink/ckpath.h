/* flink/ckpath.h — the names in a Flink checkpoint directory (FLINK-METADATA.md §1): what an object key
 * under a job directory is (chk-N/_metadata, exclusive, shared, ForSt, file merging, task-owned), how a
 * relative handle resolves against the directory of its _metadata, and the split of an s3://, s3a:// or
 * s3p:// URI into bucket and key. Pure string work on caller buffers: no I/O, no allocation, no S3 calls,
 * and no decision about deleting anything. */
#ifndef UR_FLINK_CKPATH_H
#define UR_FLINK_CKPATH_H

#include <stddef.h>
#include <stdint.h>

/* What an object below <checkpoint-dir>/<job-id>/ is, by its name relative to the job directory. */
enum ur_flink_obj {
    UR_FLINK_OBJ_UNKNOWN,   /* a name Flink does not write: hands off */
    UR_FLINK_OBJ_METADATA,  /* chk-N/_metadata */
    UR_FLINK_OBJ_EXCLUSIVE, /* chk-N/<file>: exclusive state of checkpoint N */
    UR_FLINK_OBJ_SHARED,    /* shared/<file>: incremental state any retained checkpoint may use */
    UR_FLINK_OBJ_FORST,     /* shared/op_<id>_attempt_<n>/…: a ForSt live database (2.0+) */
    UR_FLINK_OBJ_MERGED,    /* shared/job_<job>_op_<vertex>_<i>_<p>/…: file-merging physical files */
    UR_FLINK_OBJ_TASKOWNED, /* taskowned/…: state the JobManager never deletes */
};

/* Parses a directory name "chk-N" (decimal, no sign, no padding beyond "0", fits in int64). Returns 0
 * with *id set, or -EINVAL. */
int ur_flink_chk_id(const char *name, size_t len, uint64_t *id);

/* Classifies rel (a key relative to the job directory, no leading '/'); *chk_id is set for METADATA and
 * EXCLUSIVE (may be NULL). */
enum ur_flink_obj ur_flink_classify(const char *rel, size_t len, uint64_t *chk_id);

const char *ur_flink_obj_name(enum ur_flink_obj o);

/* Writes the location of a relative handle's file: the directory of metadata (everything up to and
 * including its last '/'; metadata is the _metadata's URI or key) followed by rel, NUL-terminated.
 * rel must be a relative name: not empty, no leading '/', no empty, "." or ".." segment, no NUL byte
 * (raw or modified UTF-8's C0 80). Returns the length written, -EINVAL for a rel that is not such a name
 * or a metadata without '/', or -ENOSPC. */
int ur_flink_resolve(char *out, size_t cap, const char *metadata, size_t mlen, const char *rel, size_t rlen);

/* Bucket and key of an S3 URI, pointing into uri. */
struct ur_flink_s3loc {
    const char *bucket;
    size_t bucket_len;
    const char *key;
    size_t key_len;
};

/* Splits "s3://bucket/key" (scheme s3, s3a or s3p, any case) into bucket and key; the key is kept byte
 * for byte. Returns 0, -EPROTONOSUPPORT for another scheme (hdfs://, file:/, …) or -EINVAL for an S3
 * URI without a bucket or key. */
int ur_flink_s3_split(const char *uri, size_t len, struct ur_flink_s3loc *out);

#endif
