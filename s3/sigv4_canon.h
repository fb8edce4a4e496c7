/* s3/sigv4_canon.h — internal to s3/: the generic SigV4 layer under ur_sigv4_sign_headers. Canonical
 * request and canonical query for any method, headers and query (the AWS SigV4 test suite runs through
 * these), signing a canonical request with a ur_sigv4's cached key, and SHA-256 in hex. Not part of the
 * library's ABI. */
#ifndef UR_S3_SIGV4_CANON_H
#define UR_S3_SIGV4_CANON_H

#include <stddef.h>

#include "s3/sigv4.h"

/* SHA-256 of the empty string: the payload hash of every GET and HEAD we send. */
#define UR_SHA256_EMPTY_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define UR_SIGV4_MAX_HEADERS 64 /* headers one canonical request may carry; sorting happens on the stack */
#define UR_SIGV4_MAX_PARAMS 128 /* query parameters one canonical query may carry */

/* The canonical request:
 *   METHOD \n CANON_URI \n CANON_QUERY \n (name:value \n)* \n SIGNED_HEADERS \n PAYLOAD_HASH
 * Header names are lower-cased and sorted (stable: repeated names keep their order and are joined with
 * ','); values are trimmed and runs of spaces collapse to one. canon_uri is used as given ("" means "/"):
 * S3 wants it encoded once and never normalised, so nothing here touches it. Writes a NUL-terminated
 * string; *sh_off and *sh_len locate SignedHeaders inside it. Returns its length, -ENOSPC, or -E2BIG
 * (more than UR_SIGV4_MAX_HEADERS headers). */
int ur_sigv4_canon_request(char *out, size_t cap, const char *method, const char *canon_uri,
                           const char *canon_query, const char *const (*hdrs)[2], size_t nhdrs,
                           const char *payload_hash, size_t *sh_off, size_t *sh_len);

/* The canonical query string from a query as it appears in a request target (without '?'): each
 * name and value is percent-decoded then encoded as SigV4 wants ('+' is a plus sign, not a space), a
 * parameter without '=' gets an empty value, and pairs are sorted by name then value. Returns the
 * length, -ENOSPC or -E2BIG (more than UR_SIGV4_MAX_PARAMS parameters). */
int ur_sigv4_canon_query(char *out, size_t cap, const char *query);

/* Signs a canonical request with s's credentials, region and service at amz_date ("YYYYMMDDTHHMMSSZ"),
 * deriving the signing key only when the day changes. Writes the string to sign into sts (when not NULL)
 * and "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…" into authz. Returns authz's length,
 * -ENOSPC, or -EINVAL (amz_date malformed). */
int ur_sigv4_sign_canonical(struct ur_sigv4 *s, const char *amz_date, const char *creq, size_t creq_len,
                            const char *signed_headers, size_t sh_len, char *sts, size_t sts_cap, char *authz,
                            size_t authz_cap);

/* Lower-case hex SHA-256 of data[0..n) into hex (65 bytes with the NUL). */
void ur_sha256_hex(const void *data, size_t n, char hex[65]);

#endif
