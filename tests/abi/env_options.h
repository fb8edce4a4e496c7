/* tests/abi/env_options.h — the options the ABI test programs take from the environment: S3_ENDPOINT_URL,
 * AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_CA_BUNDLE, and URESTORE_IO_BACKEND (auto, uring,
 * epoll: the backend under test, as the CLI reads it; a 0.1 header has no such option). */
#ifndef UR_TESTS_ENV_OPTIONS_H
#define UR_TESTS_ENV_OPTIONS_H

#include <stdlib.h>
#include <string.h>

#include <urestore.h>

static inline void env_options(struct urestore_options *o, unsigned max_connections)
{
    memset(o, 0, sizeof(*o));
    o->struct_size = sizeof(*o);
    o->endpoint_url = getenv("S3_ENDPOINT_URL");
    o->region = getenv("AWS_REGION");
    o->access_key_id = getenv("AWS_ACCESS_KEY_ID");
    o->secret_access_key = getenv("AWS_SECRET_ACCESS_KEY");
    o->ca_bundle = getenv("AWS_CA_BUNDLE");
    o->max_connections = max_connections;
#ifdef URESTORE_IO_AUTO
    const char *io = getenv("URESTORE_IO_BACKEND");
    o->io_backend = !io                    ? URESTORE_IO_AUTO
                    : !strcmp(io, "epoll") ? URESTORE_IO_EPOLL
                    : !strcmp(io, "uring") ? URESTORE_IO_URING
                                           : URESTORE_IO_AUTO;
#endif
}

#endif
