/* s3/sigv4.h — AWS Signature Version 4 for S3 requests: with an empty payload (GET, HEAD), or a small
 * body whose SHA-256 the caller computed (POST: DeleteObjects, STS).
 *
 * Hot path: signing runs once per request, so the derived signing key is cached per day and the digests
 * reuse pre-fetched OpenSSL objects; nothing is allocated per request. Secrets never leave this module
 * except inside the Authorization signature. */
#ifndef UR_S3_SIGV4_H
#define UR_S3_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct ur_creds {
    char access_key[128];
    char secret_key[128];
    char session_token[4096]; /* "" when none */
    bool anonymous;           /* --no-sign-request: send no signature at all */
};

struct ur_sigv4; /* opaque: credentials, region, service, cached signing key, digest contexts */

/* NULL on out of memory. region e.g. "us-east-1", service "s3". Copies what it needs. */
struct ur_sigv4 *ur_sigv4_new(const struct ur_creds *c, const char *region, const char *service);
void ur_sigv4_free(struct ur_sigv4 *s);

/* Writes the header lines of a signed request — "host: …\r\n", extra headers, "x-amz-content-sha256:
 * <sha256 of empty>\r\n", "x-amz-date: …\r\n", "x-amz-security-token: …\r\n" (when a token is set),
 * "authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…\r\n" — into out, without
 * the blank line that ends the header block. When anonymous, only host and the extra headers.
 *   method      "GET"
 *   host        the Host header value (with ":port" when not default)
 *   canon_uri   the request path exactly as sent (already URI-encoded once; see ur_endpoint_target)
 *   canon_query the canonical query string (sorted, encoded; "" for none)
 *   extra       nextra pairs {lower-case name, value}, e.g. {"range", "bytes=0-8388607"}, all signed
 *   now         the request time (seconds since the epoch, UTC)
 * Returns the bytes written, or -ENOSPC (also for more than 32 extra headers), or -EINVAL when host or
 * an extra header carries CR or LF (or a name carries ':'), which would inject headers. */
int ur_sigv4_sign_headers(struct ur_sigv4 *s, char *out, size_t cap, const char *method, const char *host,
                          const char *canon_uri, const char *canon_query, const char *const (*extra)[2],
                          size_t nextra, time_t now);

/* The same for a request with a body (POST): payload_sha256_hex is the body's SHA-256 in lower-case hex,
 * sent as x-amz-content-sha256 and signed. */
int ur_sigv4_sign_headers_payload(struct ur_sigv4 *s, char *out, size_t cap, const char *method, const char *host,
                                  const char *canon_uri, const char *canon_query, const char *const (*extra)[2],
                                  size_t nextra, time_t now, const char *payload_sha256_hex);

#endif
