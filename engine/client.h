/* engine/client.h — a batch through the client's loop, for the requests built on it (listing.c, objects.c). */
#ifndef UR_CLIENT_H
#define UR_CLIENT_H

#include "engine/engine.h"

/* One batch through the loop. req: NULL for copies, else the request every task makes (see
 * client.c). */
urestore_status ur_client_run(struct urestore_client *cl, const struct urestore_task *tasks, size_t n,
                              struct urestore_result *results, const struct urestore_callbacks *cb,
                              const struct ur_request *req);

#endif
