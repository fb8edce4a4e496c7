/* engine/creds.h — the network steps of a credential plan (s3/credplan.h) carried out on the client's
 * loop with engine/fetch.c: IMDSv2 (token PUT, role GET, credentials GET), the container endpoint, STS
 * AssumeRoleWithWebIdentity, and the AssumeRole steps of a profile chain, each signed with the
 * credentials the step before produced. Token files are re-read on every run (they rotate). Local bases
 * (keys, credential_process) are taken as they are: the process runs here too, blocking, so call this
 * where blocking is allowed (before a batch's first request). Messages name the source and the reason,
 * never a secret. Calls fetch.c and the loop only. */
#ifndef UR_ENGINE_CREDS_H
#define UR_ENGINE_CREDS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "s3/awscfg.h"
#include "s3/credplan.h"
#include "s3/credtime.h"

struct ur_loop;
struct ur_tls_ctx;

/* Where and how to fetch: the plan, the region STS requests are signed for, the environment and files
 * that name the STS endpoint (AWS_ENDPOINT_URL_STS …) and the IMDS limits. */
struct ur_creds_ctx {
    const struct ur_creds_plan *plan;
    const char *region;
    ur_getenv_fn env;
    void *env_ctx;
    const struct ur_awscfg *cfg; /* may be NULL */
    struct ur_tls_ctx *tls_ctx;  /* for https endpoints (STS); NULL refuses them */
    /* Not NULL: when the credentials come from instance metadata, the instance's region
     * (/latest/meta-data/placement/region, with the same session token) goes here, "" when it gave none
     * (not an error: the region then stays what it was). */
    char *imds_region;
    size_t imds_region_cap;
};

/* Runs the plan to the end on loop l (turning it until done: no other work of the caller's may be in
 * flight that expects to be left alone). Returns 0 with out filled, or a negative errno with "SOURCE:
 * WHY" in err: -ETIMEDOUT / -ECONNREFUSED … (the endpoint did not answer), -EACCES (it refused), -EINVAL
 * (it answered garbage, a token file is missing or empty). */
int ur_creds_fetch(struct ur_loop *l, const struct ur_creds_ctx *c, struct ur_creds_temp *out, char *err,
                   size_t errlen);

/* A refresh during a call, off the call's loop: ur_creds_fetch runs on a thread of its own with a loop
 * of its own (so transfers never wait for it; a credential_process may block there too), then writes 1
 * to efd, which the call's loop reads and then calls ur_creds_bg_join. The context c and what it points
 * to must stay unchanged until the join. */
struct ur_creds_bg {
    pthread_t thread;
    bool running;
    struct ur_creds_ctx c;
    int efd;
    int rc;
    struct ur_creds_temp out;
    char err[512];
};

/* Starts the thread. 0, or -errno (nothing started). */
int ur_creds_bg_start(struct ur_creds_bg *b, const struct ur_creds_ctx *c, int efd);

/* Waits for the thread (at once when it wrote efd already) and returns its result: 0 with b->out, or
 * -errno with b->err. */
int ur_creds_bg_join(struct ur_creds_bg *b);

#endif
