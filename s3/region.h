/* s3/region.h — region and endpoint found the way the AWS SDKs find them (options, environment, the
 * profile, defaults), the STS endpoint, and the bucket-region redirects S3 answers with. Pure: inputs are
 * an environment lookup and parsed shared files. */
#ifndef UR_S3_REGION_H
#define UR_S3_REGION_H

#include <stdbool.h>
#include <stddef.h>

#include "s3/awscfg.h"

/* The region: opt (--region) → $AWS_REGION → $AWS_DEFAULT_REGION → the profile's region → "us-east-1".
 * (Instance metadata comes before the default in the SDKs; the engine asks it when credentials came from
 * IMDS and *from says "default".) *from (may be NULL) gets "option", "AWS_REGION", "AWS_DEFAULT_REGION",
 * "profile" or "default". Returns 0, or -EINVAL when the region found has characters no region has (it
 * ends up in host names), or -ENOSPC. */
int ur_awscfg_region(const char *opt, ur_getenv_fn env, void *ctx, const struct ur_awscfg *cfg,
                     const char *profile, char *out, size_t cap, const char **from);

/* The endpoint URL configured for service ("s3" or "sts"; the SDKs' service id in lower case):
 *   opt → S3_ENDPOINT_URL (s5cmd's; for s3 only) → AWS_ENDPOINT_URL_<SERVICE> → AWS_ENDPOINT_URL →
 *   the profile's "services" section's "<service> = endpoint_url = …" → the profile's endpoint_url.
 * $AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's ignore_configured_endpoint_urls) skips all
 * but opt and S3_ENDPOINT_URL. out is "" when nothing is configured (use AWS's own endpoint). *from (may
 * be NULL) names the variable or "profile"/"services section"/"option". Returns 0 or -ENOSPC. */
int ur_awscfg_endpoint_url(const char *service, const char *opt, ur_getenv_fn env, void *ctx,
                           const struct ur_awscfg *cfg, const char *profile, char *out, size_t cap,
                           const char **from);

/* The STS endpoint for region: a configured one (ur_awscfg_endpoint_url("sts")), else the regional
 * "https://sts.REGION.amazonaws.com" (".amazonaws.com.cn" for cn- regions), the SDKs' default since 2022;
 * AWS_STS_REGIONAL_ENDPOINTS=legacy (or sts_regional_endpoints in the profile) gives the global
 * "https://sts.amazonaws.com" for the regions that had it. Returns 0, -EINVAL (bad region) or -ENOSPC. */
int ur_awscfg_sts_endpoint(const char *region, ur_getenv_fn env, void *ctx, const struct ur_awscfg *cfg,
                           const char *profile, char *out, size_t cap);

/* Whether a failed S3 answer says the bucket lives in another region, and which. It does when the status
 * is not 2xx and either the x-amz-bucket-region header (bucket_region_hdr, NULL when absent) names a
 * region, or the error body is AuthorizationHeaderMalformed / PermanentRedirect / IllegalLocationConstraint
 * with a <Region>. A region equal to current does not count (retrying would change nothing). Returns 1
 * with the region in out, 0 when this is not such an answer, -ENOSPC. */
int ur_s3_region_redirect(int status, const char *bucket_region_hdr, const char *body, size_t n,
                          const char *current, char *out, size_t cap);

/* Whether r could be a region name: 1..63 of a-z 0-9 '-'. */
bool ur_s3_region_ok(const char *r);

#endif
