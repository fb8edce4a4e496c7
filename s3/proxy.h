/* s3/proxy.h — HTTP proxies from the environment as the Go SDK's (s5cmd's) net/http finds them: which
 * proxy a request goes through, NO_PROXY's host, suffix, port and CIDR rules, and the CONNECT request
 * that opens a tunnel for https. Pure: no sockets, no DNS (NO_PROXY CIDRs match IP literals only, as Go's
 * do). Instance-metadata and container-credential hosts are never proxied. */
#ifndef UR_S3_PROXY_H
#define UR_S3_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s3/awscfg.h"

struct ur_s3_proxy {
    bool use;                /* false: connect directly */
    bool tls;                /* the proxy URL is https:// (TLS to the proxy itself) */
    uint16_t port;           /* default 80 (443 for https://) */
    char host[256];          /* IPv6 without brackets */
    char authorization[512]; /* "Basic …" for Proxy-Authorization from the URL's user:password; "" none */
    const char *from;        /* the variable it came from ("HTTPS_PROXY", …); "" when not used */
};

/* The proxy for a request to host:port (target_tls: https). https requests use HTTPS_PROXY, then
 * https_proxy; http requests HTTP_PROXY, then http_proxy (upper case first, as Go). No proxy when the
 * variable is unset or empty, when NO_PROXY (or no_proxy) matches, when host is an instance-metadata or
 * container-credentials host, or when credential_endpoint is true (the engine sets it for IMDS and the
 * container endpoint whatever their host). Loopback hosts are proxied unless NO_PROXY says otherwise (as
 * curl; Go never proxies them). Returns 0, or -EINVAL with the variable's name and why in err (the
 * value is not quoted: it may hold a password). */
int ur_s3_proxy_select(bool target_tls, const char *host, uint16_t port, bool credential_endpoint,
                       ur_getenv_fn env, void *ctx, struct ur_s3_proxy *p, char *err, size_t errlen);

/* Whether a NO_PROXY value matches host:port. Entries are separated by ',' (blanks trimmed), compared
 * without case: "*" matches everything; "a.example" matches a.example and its subdomains; ".a.example"
 * and "*.a.example" only its subdomains; "HOST:PORT" (or "[V6]:PORT") only that port; an IP literal
 * matches that address; "10.0.0.0/8" or "fd00::/8" any IP literal host inside. */
bool ur_s3_no_proxy_match(const char *no_proxy, const char *host, uint16_t port);

/* Whether host is one of the link-local credential hosts: 169.254.169.254 and fd00:ec2::254 (IMDS),
 * 169.254.170.2 (ECS), 169.254.170.23 and fd00:ec2::23 (EKS Pod Identity). */
bool ur_s3_host_is_metadata(const char *host);

/* The request that opens a tunnel to host:port through p:
 * "CONNECT host:port HTTP/1.1\r\nHost: host:port\r\n[Proxy-Authorization: …\r\n]\r\n". Returns the
 * length, -ENOSPC, or -EINVAL (a CR, LF or space in host). */
int ur_s3_proxy_connect(const struct ur_s3_proxy *p, const char *host, uint16_t port, char *out, size_t cap);

/* The proxy's answer to CONNECT is at most this long (a status line and a few headers). */
#define UR_S3_PROXY_ANSWER_MAX 8192

/* Reads the proxy p's answer to "CONNECT host:port", buf[0..n) so far. Returns 0 when its header block has
 * not ended yet (and n < UR_S3_PROXY_ANSWER_MAX); 1 when it is a 2xx ending exactly at n (the tunnel is
 * open); otherwise, with why in msg (the proxy's address and status line, never its credentials):
 * -ECONNREFUSED for 502, 503 and 504 (the proxy could not reach the server: worth a retry), -EPROTO for an
 * answer without an end, -EACCES for any other refusal. */
int ur_s3_proxy_answer(const struct ur_s3_proxy *p, const char *host, uint16_t port, const char *buf, size_t n,
                       char *msg, size_t cap);

/* A plain-http request req[0..n) ("METHOD /target HTTP/1.1\r\n…", origin form) rewritten for a proxy as
 * the SDKs send it, without a tunnel: the target in absolute form ("METHOD http://host:port/target
 * HTTP/1.1\r\n", RFC 9112 3.2.2) and, when p has credentials, "Proxy-Authorization: …\r\n" right after the
 * request line; the rest (Host and every other header, the body) unchanged. Returns the length written
 * to out, -ENOSPC, or -EINVAL (req does not start with a request line in origin form). */
int ur_s3_proxy_absolute(const struct ur_s3_proxy *p, const char *host, uint16_t port, const char *req, size_t n,
                         char *out, size_t cap);

#endif
