/* cli/checkpoint_scan.h — reading a Flink checkpoint tree on S3 through the public ABI: finding the job
 * directories, `_metadata` files and chk-N/ directories under a root without listing the (huge) shared/ and
 * taskowned/ trees, expanding an entropy-injection component, listing job directories in parallel key ranges
 * with one client per thread, and reading a `_metadata` whole. No decisions about deleting. */
#ifndef UR_CLI_CHECKPOINT_SCAN_H
#define UR_CLI_CHECKPOINT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/urestore.h"

/* A chk-N/ (or savepoint-…/) directory seen while scanning. */
struct ur_ck_dir {
    char *prefix; /* key prefix ending in '/' */
    bool has_metadata;
    uint64_t objects, bytes;
    int64_t newest; /* newest LastModified in it */
};

/* A _metadata file. */
struct ur_ck_md {
    char *key;
    uint64_t size;
};

/* What a scan of one root found (bucket shared by all). Arrays grow; ur_ck_found_free frees them. */
struct ur_ck_found {
    char *bucket;
    char **jobs; /* job directory prefixes ending in '/' (deduplicated, in listing order) */
    size_t njobs;
    struct ur_ck_md *mds;
    size_t nmds;
    struct ur_ck_dir *dirs;
    size_t ndirs;
    uint64_t listed; /* objects the scan saw */
};

void ur_ck_found_free(struct ur_ck_found *f);

/* Scans s3://bucket/prefix (prefix "" or ending in '/'): every key is seen except those under a job
 * directory's shared/ and taskowned/, which are skipped with start-after (a job directory is the root or a
 * directory right below it that holds chk-N/, shared/ or taskowned/). Records job directories, every key
 * ending in _metadata, and every chk-N/ directory with its counts. progress (may be NULL) is added to as
 * objects are seen. Returns URESTORE_OK or the listing's status with its message in err. */
urestore_status ur_ck_scan(urestore_client *c, const char *bucket, const char *prefix, struct ur_ck_found *f,
                           uint64_t *progress, char *err, size_t errlen);

/* The distinct first path components below s3://bucket/prefix (each listed once, then skipped), for entropy
 * expansion. *out gets a malloc'd array of malloc'd names. */
urestore_status ur_ck_components(urestore_client *c, const char *bucket, const char *prefix, char ***out,
                                 size_t *n, char *err, size_t errlen);

/* Reads s3://bucket/key whole (at most max bytes). On failure err gets the reason. */
urestore_status ur_ck_read(urestore_client *c, const char *bucket, const char *key, size_t max,
                           uint8_t **data, size_t *len, char *err, size_t errlen);

/* One listed object handed to a parallel listing's callback, with the job directory it lies in. The callback
 * runs on the listing threads, concurrently: it must lock what it shares. Nonzero stops. */
typedef int (*ur_ck_each_fn)(void *user, const char *bucket, const char *job,
                             const struct urestore_object *o);

/* Lists every object of every job directory jobs[0..njobs) of bucket, each split into 17 key ranges (before
 * shared/0, between the 16 hex digits UUID names start with, after shared/f) with start-after, over `threads`
 * threads each with its own client from new_client. Returns URESTORE_OK or the first failure (err). */
typedef urestore_client *(*ur_ck_client_fn)(void *user, char *err, size_t errlen);
urestore_status ur_ck_list_parallel(ur_ck_client_fn new_client, void *client_user, unsigned threads,
                                    const char *bucket, char *const *jobs, size_t njobs, ur_ck_each_fn fn,
                                    void *user, char *err, size_t errlen);

/* Lists s3://bucket/prefix sequentially, every object to fn (bucket, job = jobdir). */
urestore_status ur_ck_list_prefix(urestore_client *c, const char *bucket, const char *jobdir,
                                  const char *prefix, ur_ck_each_fn fn, void *user, char *err, size_t errlen);

#endif
