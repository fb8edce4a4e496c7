/* s3/url.h — the small URL and IP-address work that credential endpoints and proxies need: splitting
 * "scheme://[user@]host[:port][/path]" and classifying IP literals. Pure: no DNS, no sockets. Unlike
 * s3/endpoint.h (S3 endpoints, no path allowed), a path and query are kept here. */
#ifndef UR_S3_URL_H
#define UR_S3_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ur_s3_url {
    bool tls;           /* https */
    uint16_t port;      /* from the URL, else 443 / 80 */
    char host[256];     /* lower-cased; an IPv6 literal without brackets */
    char userinfo[256]; /* "user:password" still percent-encoded; "" when none (may be a secret) */
    char path[2048];    /* path and query as given, "/" when none */
};

/* Parses url. With default_http, a URL without "scheme://" is taken as http (proxy variables are often
 * just "host:port"); otherwise only http:// and https:// are accepted. Returns 0 or -EINVAL with *why set
 * to a static reason ("not an http:// or https:// URL", "no host", "bad port", "bad IPv6 literal", "too
 * long", "control character"); why may be NULL. */
int ur_s3_url_parse(const char *url, bool default_http, struct ur_s3_url *u, const char **why);

/* An IP literal: 4 (IPv4) or 6 (IPv6, written without brackets) with its 16 bytes in addr (IPv4 in the
 * first 4), or 0 when host is not one. An IPv4-mapped IPv6 address ("::ffff:127.0.0.1") counts as IPv4. */
int ur_s3_ip_parse(const char *host, uint8_t addr[16]);

/* Whether host is a loopback address or name: 127.0.0.0/8, ::1, "localhost". */
bool ur_s3_host_is_loopback(const char *host);

/* "host:port" for a Host header or CONNECT line: IPv6 in brackets. Returns the length or -ENOSPC. */
int ur_s3_hostport(char *out, size_t cap, const char *host, uint16_t port);

#endif
