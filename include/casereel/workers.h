/* The transcode worker pool: threads that claim jobs from SQLite and run
 * the in-process pipeline, writing into <media>/v/<id>.tmp and renaming it
 * to <media>/v/<id> only when complete. */
#ifndef CASEREEL_WORKERS_H
#define CASEREEL_WORKERS_H

#include "casereel/config.h"
#include "casereel/error.h"

struct workers;

/* Requeues jobs orphaned by a dead process, then starts cfg->transcode_workers
 * threads (none when 0: jobs then wait in the queue). */
cr_err workers_start(const struct cr_config *cfg, struct workers **out);

/* Wakes an idle worker: a job was just queued. Safe on NULL. */
void workers_notify(struct workers *w);

/* Cancels running transcodes (their jobs go back to the queue), joins the
 * threads and frees the pool. Sets *w to NULL. */
void workers_stop(struct workers **w);

#endif
