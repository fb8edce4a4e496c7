/* engine/sink.h — the file side of a task, as the scheduler and a connection's body call it. */
#ifndef UR_SINK_H
#define UR_SINK_H

#include "engine/engine.h"

/* (Re)names t's temporary file ".NAME.urestore-PID-N" beside the destination, N fresh. 0 or -ENOMEM. */
int ur_sink_tmp_name(struct urestore_client *cl, struct ur_task *t);
/* --resume: names t's partial file and sidecar, and loads the sidecar into t->done when it can be trusted
 * and the partial fits it (t->done.n > 0); an untrusted sidecar is removed (URESTORE_RESULT_RESTARTED).
 * Synchronous: called while planning. 0 or -ENOMEM. */
int ur_sink_resume_load(struct ur_task *t);
/* The object is not the one the partial holds (412): remove the sidecar, keep nothing of t->done. */
void ur_sink_resume_forget(struct ur_task *t);
void ur_sink_open(struct urestore_client *cl, struct ur_task *t);
void ur_sink_size_known(struct urestore_client *cl, struct ur_task *t);
/* A part's buffer is ready to write (full, or the part's last). Takes ownership of b. */
void ur_sink_write(struct urestore_client *cl, struct ur_task *t, struct ur_buf *b);
/* Nothing of t is in flight on the network: commit or abort once the file side is idle. */
void ur_sink_settle(struct urestore_client *cl, struct ur_task *t);

#endif
