/* s3/error.h — S3's XML error documents, turned into what a user reads. Pure parsing, no allocation. */
#ifndef UR_S3_ERROR_H
#define UR_S3_ERROR_H

#include <stddef.h>

/* Parses <Error><Code>C</Code><Message>M</Message>…</Error> (entities such as &amp; decoded). Writes the
 * code and the message (each NUL-terminated, truncated to fit). Returns 0, or -EINVAL when body is not
 * such a document (then code and msg are ""). */
int ur_s3_error_parse(const char *body, size_t n, char *code, size_t code_cap, char *msg, size_t msg_cap);

/* The user's message for a failed response: "CODE: MESSAGE (HTTP STATUS)" from the XML when there is
 * one, else "HTTP STATUS REASON" (e.g. "NoSuchKey: The specified key does not exist. (HTTP 404)",
 * "HTTP 503 Service Unavailable"). Always NUL-terminates out. Returns the length written. */
int ur_s3_error_message(int status, const char *body, size_t n, char *out, size_t cap);

#endif
