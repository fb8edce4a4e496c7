/* s3/json.h — a small strict JSON reader for the credential sources' answers (credential_process output,
 * the container endpoint, instance metadata): validate a document, find a member of the top-level object,
 * decode a string or an integer. Pure: no allocation, no I/O, bounded nesting. Not a general JSON library:
 * nothing builds a tree, members are found by scanning. */
#ifndef UR_S3_JSON_H
#define UR_S3_JSON_H

#include <stddef.h>

#define UR_S3_JSON_MAX_DEPTH 32 /* deeper nesting is refused: no answer we read nests more than 2 */

enum ur_s3_json_type {
    UR_S3_JSON_STRING,
    UR_S3_JSON_NUMBER,
    UR_S3_JSON_OBJECT,
    UR_S3_JSON_ARRAY,
    UR_S3_JSON_TRUE,
    UR_S3_JSON_FALSE,
    UR_S3_JSON_NULL
};

struct ur_s3_json_val {
    enum ur_s3_json_type type;
    const char *p; /* the value's text in the document (a string with its quotes) */
    size_t n;
};

/* Whether doc[0..n) is exactly one JSON object (RFC 8259, strict: no comments, no trailing commas, no
 * leading zeros, control characters escaped, valid escapes and UTF-8 surrogate pairs in \u escapes,
 * whitespace around it allowed, a UTF-8 BOM not). Returns 0, or -EINVAL (-E2BIG: nested too deeply). */
int ur_s3_json_check_object(const char *doc, size_t n);

/* The member key of the top-level object of a checked document (the last one when a key repeats, as Go's
 * and Python's decoders do). Keys are compared after decoding their escapes. Returns 0 or -ENOENT. */
int ur_s3_json_member(const char *doc, size_t n, const char *key, struct ur_s3_json_val *v);

/* Decodes a string value into out (UTF-8, NUL-terminated). Returns its length, -EINVAL when v is not a
 * string or holds "\u0000" (a NUL would cut it silently), or -ENOSPC. */
int ur_s3_json_string(const struct ur_s3_json_val *v, char *out, size_t cap);

/* An integer value (no fraction or exponent) into *out. Returns 0, -EINVAL or -ERANGE. */
int ur_s3_json_int(const struct ur_s3_json_val *v, long long *out);

#endif
