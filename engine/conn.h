/* engine/conn.h — one keep-alive connection, as the scheduler calls it. */
#ifndef UR_CONN_H
#define UR_CONN_H

#include "engine/engine.h"

void ur_conn_init(struct urestore_client *cl, struct ur_conn *c);
void ur_conn_start(struct urestore_client *cl, struct ur_conn *c, struct ur_host *h);
/* Writes p's request on c, which is idle (p becomes c->part; < 0: the request failed and c is closing)
 * or was just given its part by the same dispatch (p is pipelined behind it; -ENOSPC: the request does
 * not fit, and nothing changed). Nothing goes out until ur_conn_flush. */
int ur_conn_request(struct ur_conn *c, struct ur_part *p);
void ur_conn_flush(struct ur_conn *c);
void ur_conn_close(struct ur_conn *c, int err, const char *msg);
/* Between batches nothing may be in flight (the next call may come from another thread, whose new ring
 * cannot wait for this one's requests): park stops an idle connection's RECV, unpark re-arms it. */
void ur_conn_park(struct ur_conn *c);
void ur_conn_unpark(struct ur_conn *c);
/* Space to write body bytes into for c->part: 0 when the connection must wait for a buffer. */
size_t ur_conn_body_space(struct ur_conn *c, char **dst);
void ur_conn_body_got(struct ur_conn *c, size_t n);

#endif
