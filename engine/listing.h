/* engine/listing.h — listing a prefix through a client's loop (ListObjectsV2, every page), for
 * wildcard sources. Internal to urestore (not in the public ABI): the CLI calls it before a copy. */
#ifndef UR_LISTING_H
#define UR_LISTING_H

#include <stddef.h>

#include "include/urestore.h"
#include "s3/list.h"

/* Calls fn for every object in bucket whose key starts with prefix, page after page, in S3's order
 * (UTF-8 binary order of keys). Runs its own loop on the calling thread; not while urestore_copy() runs
 * on the same client. fn returning nonzero stops the listing (the call then returns URESTORE_OK).
 * On failure returns a status and writes a message (S3's code and text, or the network cause) to msg. */
urestore_status ur_client_list(urestore_client *c, const char *bucket, const char *prefix, ur_s3_list_fn fn,
                               void *user, char *msg, size_t msg_cap);

#endif
