/* engine/sched.h — the scheduler, as the client (above it) calls it. The layers below reach it only through struct ur_sched_up (engine.h). */
#ifndef UR_SCHED_H
#define UR_SCHED_H

#include "engine/engine.h"

void ur_sched_kick(struct urestore_client *cl);
void ur_sched_conn_idle(struct ur_conn *c);
/* The response for c->part has its headers. Returns 0: the body goes to the file; 1: an error document
 * follows; 2: the object is empty (416), drop the body; 3: the body goes to memory (t->mem); -1: the
 * task failed, close the connection. */
int ur_sched_headers(struct ur_conn *c);
/* How a failure may be retried: enum ur_retry (s3/retry.h). */
void ur_sched_part_error(struct ur_part *p, urestore_status st, int http_status, const char *msg,
                         enum ur_retry retry);
/* The request for p succeeded: refund the host's retry budget and let its prefix pace up. */
void ur_sched_part_ok(struct ur_part *p);
/* A connection to h failed before it carried a request: TLS failures (certificates do not heal) fail
 * every task for h; others are charged, as a retry, to the first part waiting for h. */
void ur_sched_host_failed(struct urestore_client *cl, struct ur_host *h, urestore_status st, const char *msg,
                          enum ur_retry retry);
void ur_sched_part_released(struct urestore_client *cl, struct ur_part *p);
void ur_sched_task_fail(struct ur_task *t, urestore_status st, int http_status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
