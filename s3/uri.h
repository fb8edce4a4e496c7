/* s3/uri.h — S3 object URIs (s3://, s3a://, s3p://) and S3's percent-encoding.
 * Pure string work: no allocation, no I/O. */
#ifndef UR_S3_URI_H
#define UR_S3_URI_H

#include <stdbool.h>
#include <stddef.h>

#define UR_S3_BUCKET_MAX 63 /* S3's limit on bucket names */
#define UR_S3_KEY_MAX 1024  /* S3's limit on keys, in bytes */

struct ur_s3_uri {
    char bucket[UR_S3_BUCKET_MAX + 1];
    const char *key; /* points into the parsed string; "" when the URI names only a bucket */
};

/* Parses "s3://BUCKET/KEY" (also s3a:// and s3p://, as in Flink checkpoint URIs). The key is taken
 * verbatim: "//", "..", spaces, '+', '%' and unicode are part of it. Returns 0, or -EINVAL with *why set
 * to a static message ("not an s3:// URI", "bucket name is empty", "bucket name is too long", "key is too
 * long", "bucket name has a character S3 does not allow" — anything but A-Z a-z 0-9 . - _). why may be
 * NULL. */
int ur_s3_uri_parse(const char *s, struct ur_s3_uri *out, const char **why);

/* Percent-encodes src[0..n) as SigV4 and S3 want it: A–Z a–z 0–9 - _ . ~ stay, every other byte becomes
 * %XX (upper-case hex); '/' stays when keep_slash. Writes a NUL-terminated string; returns its length,
 * or -ENOSPC when it does not fit in cap. */
int ur_uri_encode(char *dst, size_t cap, const char *src, size_t n, bool keep_slash);

#endif
