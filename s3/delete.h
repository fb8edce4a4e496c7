/* s3/delete.h — DeleteObjects: the request body for a page of keys and the per-key errors of its answer.
 * Pure: no allocation, no I/O. */
#ifndef UR_S3_DELETE_H
#define UR_S3_DELETE_H

#include <stddef.h>

/* S3 takes at most this many keys in one DeleteObjects request. */
#define UR_S3_DELETE_MAX 1000

/* Writes <Delete><Quiet>true</Quiet><Object><Key>K</Key></Object>…</Delete> for keys[0..n) into out (XML
 * escaped; quiet: the answer names only the keys that failed). Returns the length, -ENOSPC when it does
 * not fit, or -EINVAL when n is 0 or above UR_S3_DELETE_MAX, or a key is empty or holds a character XML
 * 1.0 cannot carry (a control character other than tab, CR, LF): such a key cannot be deleted this way. */
int ur_s3_delete_body(char *out, size_t cap, const char *const *keys, size_t n);

/* Bytes ur_s3_delete_body needs at most for these keys (each character escaped at worst). */
size_t ur_s3_delete_body_max(const char *const *keys, size_t n);

/* One <Error> of a DeleteResult: key, code and message decoded, valid during the callback. */
typedef int (*ur_s3_delete_error_fn)(void *user, const char *key, const char *code, const char *message);

/* Parses a DeleteResult answer: calls fn for each <Error>. Returns the number of errors, the callback's
 * nonzero value (negated if positive), or -EINVAL when body is not a complete DeleteResult. */
int ur_s3_delete_parse(const char *body, size_t n, ur_s3_delete_error_fn fn, void *user);

#endif
