/* s3/endpoint.c — where requests for a bucket go: parsing an endpoint URL, choosing virtual-host or path
 * style, and building the Host header value and the request target. Pure string work: no DNS, no
 * sockets, no allocation. */
#include "s3/endpoint.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "s3/uri.h"

static int s_fail(char *err, size_t errlen, const char *msg)
{
    if (err && errlen) snprintf(err, errlen, "%s", msg);
    return -EINVAL;
}

/* A region ends up inside a host name: allow only what AWS region names are made of. */
static bool s_region_ok(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n >= sizeof(((struct ur_endpoint *)0)->region)) return false;
    for (size_t i = 0; i < n; i++) {
        char c = r[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return true;
}

/* Host name characters: letters, digits, '-', '.', and '_' (seen in some private DNS names). IPv6
 * literals are checked separately. */
static bool s_host_ok(const char *h, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '.' || c == '_'))
            return false;
    }
    return true;
}

static bool s_ipv6_ok(const char *h, size_t n)
{
    if (n < 2) return false;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        /* hex digits, ':', '.' (an embedded IPv4 tail); a zone id ("%25eth0") is not supported. */
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
              c == '.'))
            return false;
    }
    return true;
}

int ur_endpoint_init(struct ur_endpoint *ep, const char *url, const char *region, char *err, size_t errlen)
{
    memset(ep, 0, sizeof(*ep));
    if (err && errlen) err[0] = '\0';
    if (!region || !*region) region = "us-east-1";
    if (!s_region_ok(region))
        return s_fail(err, errlen, "bad region name (expected something like us-east-1)");
    snprintf(ep->region, sizeof(ep->region), "%s", region);

    if (!url || !*url) {
        /* AWS S3: virtual-host style is what AWS recommends (path style is deprecated for new buckets);
         * China regions live under amazonaws.com.cn. */
        const char *suffix = strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
        snprintf(ep->host, sizeof(ep->host), "s3.%s.%s", region, suffix);
        ep->tls = true;
        ep->port = 443;
        ep->path_style = false;
        ep->aws = true;
        return 0;
    }

    const char *p;
    if (strncasecmp(url, "https://", 8) == 0) {
        ep->tls = true;
        ep->port = 443;
        p = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        ep->tls = false;
        ep->port = 80;
        p = url + 7;
    } else {
        return s_fail(err, errlen, "endpoint URL must start with http:// or https://");
    }
    ep->path_style = true;
    if (memchr(p, '@', strcspn(p, "/?#")))
        return s_fail(err, errlen, "endpoint URL must not carry a user name or password");

    const char *host, *after;
    size_t hlen;
    if (*p == '[') {
        const char *close = strchr(p, ']');
        if (!close) return s_fail(err, errlen, "endpoint URL has an IPv6 address without its closing ']'");
        host = p + 1;
        hlen = (size_t)(close - host);
        after = close + 1;
        if (!s_ipv6_ok(host, hlen)) return s_fail(err, errlen, "endpoint URL has a bad IPv6 address");
    } else {
        host = p;
        hlen = strcspn(p, ":/?#@");
        after = p + hlen;
        if (hlen == 0) return s_fail(err, errlen, "endpoint URL has no host");
        if (!s_host_ok(host, hlen)) return s_fail(err, errlen, "endpoint URL has a bad host name");
    }
    if (hlen >= sizeof(ep->host)) return s_fail(err, errlen, "endpoint host name is too long");

    if (*after == ':') {
        const char *d = after + 1;
        unsigned long port = 0;
        size_t nd = 0;
        while (d[nd] >= '0' && d[nd] <= '9' && nd < 6)
            port = port * 10 + (unsigned long)(d[nd++] - '0');
        if (nd == 0 || port == 0 || port > 65535 || (d[nd] != '\0' && d[nd] != '/'))
            return s_fail(err, errlen, "bad port in endpoint URL (expected 1 to 65535)");
        ep->port = (uint16_t)port;
        after = d + nd;
    }
    /* One trailing slash is tolerated; a path prefix is not, because every request target and every
     * signature would have to carry it. */
    if (*after == '/') after++;
    if (*after != '\0')
        return s_fail(err, errlen, "endpoint URL must be just http[s]://HOST[:PORT] (no path or query)");

    memcpy(ep->host, host, hlen);
    ep->host[hlen] = '\0';
    return 0;
}

/* Whether a bucket can be a DNS label under the endpoint's wildcard certificate: lower-case letters,
 * digits and '-' only. Dots would need a certificate for a deeper name; upper case and '_' (legacy
 * us-east-1 buckets) are not valid host names at all. Such buckets go path style. */
static bool s_virtual_host(const struct ur_endpoint *ep, const char *bucket)
{
    if (ep->path_style || !*bucket) return false;
    for (const char *c = bucket; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-')) return false;
    }
    return true;
}

int ur_endpoint_host(const struct ur_endpoint *ep, const char *bucket, char *conn_host, size_t conn_cap,
                     char *host_header, size_t header_cap)
{
    int n;
    if (s_virtual_host(ep, bucket))
        n = snprintf(conn_host, conn_cap, "%s.%s", bucket, ep->host);
    else
        n = snprintf(conn_host, conn_cap, "%s", ep->host);
    if (n < 0 || (size_t)n >= conn_cap) return -ENOSPC;

    /* The Host header needs brackets around an IPv6 literal, and the port when it is not the
     * scheme's default (RFC 9110 7.2). What we sign must be exactly what we send. */
    bool v6 = strchr(conn_host, ':') != NULL;
    bool dflt = ep->port == (ep->tls ? 443 : 80);
    if (dflt)
        n = snprintf(host_header, header_cap, v6 ? "[%s]" : "%s", conn_host);
    else
        n = snprintf(host_header, header_cap, v6 ? "[%s]:%u" : "%s:%u", conn_host, (unsigned)ep->port);
    if (n < 0 || (size_t)n >= header_cap) return -ENOSPC;
    return 0;
}

int ur_endpoint_target(const struct ur_endpoint *ep, const char *bucket, const char *key, char *out,
                       size_t cap)
{
    size_t o = 0;
    int n;
    if (cap < 2) return -ENOSPC;
    out[o++] = '/';
    if (!s_virtual_host(ep, bucket)) {
        n = ur_uri_encode(out + o, cap - o, bucket, strlen(bucket), false);
        if (n < 0) return -ENOSPC;
        o += (size_t)n;
        if (!*key) {
            /* Bucket-level request: "/BUCKET", as the AWS SDKs send it. */
            out[o] = '\0';
            return (int)o;
        }
        if (o + 1 >= cap) return -ENOSPC;
        out[o++] = '/';
    }
    /* Encoded once, '/' kept, nothing normalised: "a//b", "./x" and "%2F" are distinct S3 keys, and S3
     * signs the path exactly as received. */
    n = ur_uri_encode(out + o, cap - o, key, strlen(key), true);
    if (n < 0) return -ENOSPC;
    return (int)(o + (size_t)n);
}

int ur_endpoint_in_region(const struct ur_endpoint *ep, const char *region, struct ur_endpoint *out)
{
    if (ep->aws) return ur_endpoint_init(out, NULL, region, NULL, 0);
    if (!s_region_ok(region)) return -EINVAL;
    *out = *ep;
    snprintf(out->region, sizeof(out->region), "%s", region);
    return 0;
}
