/* The transcode worker pool: threads that claim jobs from SQLite and run
 * the in-process pipeline, writing into <media>/v/<id>.tmp and renaming it
 * to <media>/v/<id> only when complete. */
#ifndef CASEREEL_WORKERS_H
#define CASEREEL_WORKERS_H

#include <stdatomic.h>
#include <stdbool.h>

#include "casereel/config.h"
#include "casereel/error.h"
#include "casereel/jobs.h"
#include "casereel/transcode.h"

struct workers;

/* Requeues jobs orphaned by a dead process, then starts cfg->transcode_workers
 * threads (none when 0: jobs then wait in the queue). */
cr_err workers_start(const struct cr_config *cfg, struct workers **out);

/* Runs one claimed job on the calling thread: transcodes its source into
 * <media>/v/<id>.tmp, renames that to <media>/v/<id> when complete and
 * records the outcome (jobs_finish). A job interrupted through `cancel`
 * (may be NULL) goes back to the queue. True when the clip is ready; *res
 * says what happened. */
bool workers_run_job(const struct cr_config *cfg, const struct job *job, const atomic_int *cancel,
		     struct tx_result *res);

/* Wakes an idle worker: a job was just queued. Safe on NULL. main registers
 * it with jobs_set_waker(), so the upload paths never hold the pool. */
void workers_notify(struct workers *w);

/* Cancels running transcodes (their jobs go back to the queue), joins the
 * threads and frees the pool. Sets *w to NULL. */
void workers_stop(struct workers **w);

#endif
