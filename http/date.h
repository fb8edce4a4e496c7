/* http/date.h — HTTP dates (RFC 9110 §5.6.7, IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"), the form S3
 * sends Last-Modified in and the one If-Modified-Since takes. Pure: no I/O, no locale, no time zone. */
#ifndef UR_HTTP_DATE_H
#define UR_HTTP_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Parses an IMF-fixdate from s[0..n). Returns seconds since 1970-01-01 UTC, or -1 when malformed. The
 * obsolete RFC 850 and asctime forms are refused: S3 and the servers urestore talks to send IMF-fixdate. */
int64_t ur_http_date_parse(const char *s, size_t n);

/* Writes the IMF-fixdate of t (seconds since 1970, UTC) to out (at least 30 bytes), NUL-terminated.
 * Returns 0, or -1 when t is out of range (before 1970 or after 9999). */
int ur_http_date_format(int64_t t, char *out, size_t cap);

#endif
