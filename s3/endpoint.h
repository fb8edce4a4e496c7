/* s3/endpoint.h — where requests for a bucket go: scheme, host, port, addressing style, region.
 * Pure string work: no DNS, no sockets. */
#ifndef UR_S3_ENDPOINT_H
#define UR_S3_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ur_endpoint {
    bool tls;        /* https */
    bool path_style; /* /BUCKET/KEY on host; else BUCKET.host/KEY (virtual-host style) */
    bool aws;        /* AWS's own endpoint (no URL given): the host follows the region */
    uint16_t port;   /* 443 / 80 unless the URL says */
    char host[256];  /* connect host, without port; IPv6 without brackets. For AWS: s3.REGION.amazonaws.com */
    char region[64];
};

/* url: "http[s]://HOST[:PORT][/]" — a custom endpoint, addressed path-style. NULL or "": AWS S3 in
 * region, virtual-host style over https. region NULL or "": us-east-1. Returns 0, or -EINVAL with a
 * message in err ("endpoint URL must start with http:// or https://", "bad port" ...). */
int ur_endpoint_init(struct ur_endpoint *ep, const char *url, const char *region, char *err, size_t errlen);

/* The endpoint for a bucket in region (a redirect said so): on AWS's own endpoint, the same in that
 * region (s3.REGION.amazonaws.com, virtual-host style); a custom endpoint stays as it is, signed for
 * region. Returns 0, or -EINVAL (a bad region name). */
int ur_endpoint_in_region(const struct ur_endpoint *ep, const char *region, struct ur_endpoint *out);

/* The host to connect to and send in the Host header for bucket. Virtual-host style gives
 * "BUCKET.s3.REGION.amazonaws.com"; a bucket with dots falls back to path style (its name would not
 * match the wildcard certificate). The Host header value carries ":PORT" when the port is not the
 * scheme's default. Buckets that are not valid DNS labels (upper case, '_', legacy us-east-1 names) go
 * path style too. Returns 0 or -ENOSPC. */
int ur_endpoint_host(const struct ur_endpoint *ep, const char *bucket, char *conn_host, size_t conn_cap,
                     char *host_header, size_t header_cap);

/* The request target and SigV4 canonical URI for an object: "/BUCKET/ENCODED-KEY" (path style) or
 * "/ENCODED-KEY" (virtual-host style), the key URI-encoded once with '/' kept and never normalised.
 * key may be "" (bucket-level requests such as ListObjectsV2): "/BUCKET" path style, "/" virtual-host
 * style. Returns the length or -ENOSPC. */
int ur_endpoint_target(const struct ur_endpoint *ep, const char *bucket, const char *key, char *out,
                       size_t cap);

#endif
