/* tests/fuzz/fuzz_awscfg.c — s3/awscfg.c, s3/credplan.c and s3/region.c on arbitrary shared files.
 *
 * Input: byte 0 = which file the text is (bit 0: credentials file) and whether a second copy goes into the
 * other file (bit 1); the rest = the file's text. Checks that parsing never crashes or leaks, that
 * messages fit, and that every profile lookup, plan and region/endpoint resolution over what was parsed
 * returns NUL-terminated results within their buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3/awscfg.h"
#include "s3/credplan.h"
#include "s3/region.h"

static struct ur_creds_plan s_plan;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    enum ur_awscfg_file kind = (data[0] & 1) ? UR_AWSCFG_CREDENTIALS : UR_AWSCFG_CONFIG;
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    struct ur_awscfg *cfg = ur_awscfg_new();
    if (!cfg) return 0;
    char err[200];
    int rc = ur_awscfg_parse(cfg, kind, text, n, "fuzz", err, sizeof(err));
    if (strnlen(err, sizeof(err)) >= sizeof(err) || (rc != 0 && !err[0])) abort();
    if (data[0] & 2)
        (void)ur_awscfg_parse(cfg, (enum ur_awscfg_file) !kind, text, n, "fuzz2", err, sizeof(err));

    static const char *const profiles[] = {"default", "a", "b", "dev", "profile a"};
    static const char *const env[][2] = {{"AWS_EC2_METADATA_DISABLED", "true"}, {NULL, NULL}};
    for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
        const char *p = profiles[i];
        const char *v = ur_awscfg_get(cfg, p, "region");
        if (v) (void)strlen(v);
        v = ur_awscfg_get_sub(cfg, p, "s3", "endpoint_url");
        if (v) (void)strlen(v);
        char where[600];
        ur_awscfg_where(cfg, p, where, sizeof(where));
        rc = ur_creds_profile_plan(cfg, p, ur_awscfg_table_env, (void *)env, &s_plan, err, sizeof(err));
        if (strnlen(err, sizeof(err)) >= sizeof(err)) abort();
        if (rc == 0 && (s_plan.source == UR_CREDS_SRC_NONE || s_plan.nroles > UR_CREDS_MAX_ROLES)) abort();
        struct ur_creds_chain_in in = {false, NULL, p, ur_awscfg_table_env, (void *)env, cfg};
        (void)ur_creds_chain_plan(&in, &s_plan, err, sizeof(err));
        char out[64];
        if (ur_awscfg_region(NULL, ur_awscfg_table_env, (void *)env, cfg, p, out, sizeof(out), NULL) == 0 &&
            !ur_s3_region_ok(out))
            abort();
        (void)ur_awscfg_endpoint_url("s3", NULL, ur_awscfg_table_env, (void *)env, cfg, p, out, sizeof(out),
                                     NULL);
        if (strnlen(out, sizeof(out)) >= sizeof(out)) abort();
        (void)ur_awscfg_sts_endpoint("us-east-1", ur_awscfg_table_env, (void *)env, cfg, p, out, sizeof(out));
        if (strnlen(out, sizeof(out)) >= sizeof(out)) abort();
    }
    ur_awscfg_free(cfg);
    return 0;
}
