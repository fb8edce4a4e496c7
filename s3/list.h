/* s3/list.h — ListObjectsV2 result pages (XML), parsed in place. No allocation, no I/O. */
#ifndef UR_S3_LIST_H
#define UR_S3_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One <Contents> entry. key and etag are decoded (XML entities) into buffers owned by the parser and
 * valid only during the callback. */
struct ur_s3_list_entry {
    const char *key;
    uint64_t size;
    const char *etag; /* quotes included, as S3 sends it; "" when absent */
    int64_t last_modified; /* <LastModified>, seconds since the epoch (UTC); -1 when absent */
};

/* Return 0 to go on, nonzero to stop the parse (ur_s3_list_parse then returns that value). */
typedef int (*ur_s3_list_fn)(void *user, const struct ur_s3_list_entry *e);

/* Parses one ListBucketResult page of n bytes: calls fn for each <Contents> in document order, sets
 * *truncated from <IsTruncated>, and copies <NextContinuationToken> (decoded, "" when absent) into
 * next_token. Returns 0, the callback's nonzero value, -EINVAL when body is not a ListBucketResult, or
 * -ENOSPC when a key (> 1024 bytes) or the token does not fit. */
int ur_s3_list_parse(const char *body, size_t n, ur_s3_list_fn fn, void *user, bool *truncated, char *next_token,
                     size_t token_cap);

/* The canonical (sorted, encoded) query string of a ListObjectsV2 request:
 * "continuation-token=T&list-type=2&prefix=P&start-after=S" (the token part only when token is non-empty,
 * start-after only when start_after is; S3 ignores start-after once a token is sent). Returns the length,
 * or -ENOSPC. */
int ur_s3_list_query(char *out, size_t cap, const char *prefix, const char *token, const char *start_after);

#endif
