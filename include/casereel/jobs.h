/* Durable transcode jobs in SQLite: queued with their video, claimed
 * atomically by workers, put back in the queue when a worker dies, finished
 * together with the video. The only module that writes the jobs table. */
#ifndef CASEREEL_JOBS_H
#define CASEREEL_JOBS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/transcode.h"

#define JOBS_MAX_ATTEMPTS 3

struct job {
	int64_t id;
	int64_t video_id;
	int attempts;              /* including this one */
	int64_t media_version;     /* the version it writes: 1 first, more re-rendering */
	char source_rel[PATH_MAX]; /* the upload, relative to the media root */
};

/* Queues the transcode job of `video_id` (a video just created, still
 * processing). In the caller's transaction, so that an acknowledged upload
 * always has both its video and its job; call jobs_wake() once it commits. */
cr_err jobs_enqueue(int64_t video_id);

/* Queues a new rendering of clip `video_id` (published or pending review)
 * as media version `version`; the clip keeps serving its current version
 * until the new one is done. In the caller's transaction; call jobs_wake()
 * once it commits. CR_ECONFLICT when its job is queued or running already. */
cr_err jobs_enqueue_render(int64_t video_id, int64_t version);

/* Tells the registered waker (jobs_set_waker) that a job is durable in the
 * queue; nothing when none is registered. Safe from any thread. */
void jobs_wake(void);

/* Who jobs_wake() tells: the worker pool registers itself at start with
 * its context; fn NULL unregisters, and returns only once no call to the
 * old waker is in progress (so its context may then be freed). */
void jobs_set_waker(void (*fn)(void *ctx), void *ctx);

/* At start: jobs left "running" by a process that died are queued again;
 * those that already used JOBS_MAX_ATTEMPTS fail their video instead.
 * *requeued receives how many were queued again. */
cr_err jobs_recover(int *requeued);

/* Claims a queued job whose video is still processing, or a rendering
 * whose clip still has media and an older version (a removed clip's job is
 * skipped): the oldest job of the uploader whose last claim is the
 * longest ago (never claimed first), so uploaders take turns. CR_ENOTFOUND
 * when there is none. */
cr_err jobs_claim(struct job *job);

/* Records the outcome: the video gets its transcode facts (or the error)
 * and the job is done (or failed), in one transaction. */
cr_err jobs_finish(const struct job *job, const struct tx_result *r, bool ok);

/* *count: jobs of `owner_id`'s clips that a worker runs or will claim. */
cr_err jobs_in_flight(int64_t owner_id, int *count);

/* *running: a worker is running the job of `video_id` right now (it may
 * be writing the clip's output). */
cr_err jobs_running(int64_t video_id, bool *running);

/* *pending: a worker runs the job of `video_id` or will claim it (queued
 * while the video is still processing); false when there is no job. */
cr_err jobs_pending(int64_t video_id, bool *pending);

/* The job states, in the order jobs_count_by_state fills its counts. */
enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_STATES };

/* The name of `state` as the jobs table spells it ("queued", ...). */
const char *jobs_state_name(enum job_state state);

/* counts[s] = how many jobs are in state s now (the queue depth is
 * counts[JOB_QUEUED]): for /metrics, read at scrape time. */
cr_err jobs_count_by_state(int64_t counts[JOB_STATES]);

/* Puts a claimed job back in the queue. `counted`: the attempt counts
 * toward JOBS_MAX_ATTEMPTS (its transcoder died); else it does not (an
 * orderly shutdown interrupted it). */
cr_err jobs_requeue(const struct job *job, bool counted);

#endif
