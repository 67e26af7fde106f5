/* Transcode worker threads. See include/casereel/workers.h. */
#include "casereel/workers.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "casereel/jobs.h"
#include "casereel/log.h"
#include "casereel/media.h"
#include "casereel/ops_stats.h"
#include "casereel/store.h"
#include "casereel/transcode.h"
#include "casereel/transcode_child.h"
#include "casereel/video_edits.h"
#include "casereel/videos.h"

#define IDLE_POLL_SECONDS 2
#define PROGRESS_EVERY_MS 500

struct workers {
	const struct cr_config *cfg;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	atomic_int cancel; /* read by the pipeline: non-zero stops every transcode */
	int n;
	pthread_t threads[];
};

struct progress {
	int64_t video_id;
	int64_t media_version; /* > 1: a new rendering, whose edit shows the progress */
	int last_percent;
	struct timespec last;
};

static void on_progress(void *ctx, int percent)
{
	struct progress *p = ctx;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - p->last.tv_sec) * 1000 + (now.tv_nsec - p->last.tv_nsec) / 1000000;
	if (percent <= p->last_percent || (ms < PROGRESS_EVERY_MS && percent < 100))
		return;
	/* never report 100 before the job is recorded: readers take 100 as done */
	int shown = percent >= 100 ? 99 : percent;
	cr_err e = p->media_version > 1 ? video_edits_progress(p->video_id, p->media_version, shown)
					: videos_set_progress(p->video_id, shown);
	if (e == CR_OK) {
		p->last_percent = percent;
		p->last = now;
	}
}

/* Moves a finished output directory into place as its version (v/<id>/<n>)
 * in the clip's directory, replacing a leftover of a try that died. */
static cr_err publish_dir(const char *clip, const char *tmp, const char *final)
{
	if (mkdir(clip, 0750) != 0 && errno != EEXIST) {
		log_error("mkdir %s: %s", clip, strerror(errno));
		return CR_EIO;
	}
	media_remove_dir(final);
	if (rename(tmp, final) != 0) {
		log_error("rename %s -> %s: %s", tmp, final, strerror(errno));
		return CR_EIO;
	}
	return media_fsync_parent(final);
}

/* The job's duration into the histogram and, for a failure, its code
 * (the one videos.error_code records) into the failure counts. */
static void count_outcome(const struct timespec *t0, const struct tx_result *res, bool ok)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int64_t us =
		(int64_t)(t1.tv_sec - t0->tv_sec) * 1000000 + (t1.tv_nsec - t0->tv_nsec) / 1000;
	histogram_observe(&ops_transcode_seconds, us > 0 ? (uint64_t)us : 0);
	if (!ok)
		ops_transcode_failed(res->code ? tx_error_code(res) : "internal");
}

bool workers_run_job(const struct cr_config *cfg, const struct job *job, const atomic_int *cancel,
		     struct tx_result *res)
{
	char src[PATH_MAX], tmp[PATH_MAX], clip[PATH_MAX], final[PATH_MAX], input[PATH_MAX];
	struct tx_options opt = tx_options_default();
	bool from_rendition = false; /* the source is gone: the edit reads a rendition */
	memset(res, 0, sizeof *res);
	if (job->media_version > 1
		    ? video_edits_for_job(job->video_id, job->media_version, job->source_rel,
					  &opt.edits, input, sizeof input, &from_rendition)
		    : (snprintf(input, sizeof input, "%s", job->source_rel), CR_OK)) {
		jobs_requeue(job, true); /* the database failed: another attempt later */
		return false;
	}
	if (media_abs(cfg, input, src, sizeof src) ||
	    media_video_dir(cfg, job->video_id, MEDIA_DIR_SCRATCH, tmp, sizeof tmp) ||
	    media_video_dir(cfg, job->video_id, MEDIA_DIR_CLIP, clip, sizeof clip) ||
	    media_video_dir(cfg, job->video_id, job->media_version, final, sizeof final))
		return false;
	media_remove_dir(tmp); /* left over from a worker that died */
	if (mkdir(tmp, 0750) != 0) {
		log_error("mkdir %s: %s", tmp, strerror(errno));
		return false;
	}
	opt.time_limit_seconds = cfg->transcode_time_limit;
	struct progress prog = {.video_id = job->video_id, .media_version = job->media_version};
	clock_gettime(CLOCK_MONOTONIC, &prog.last);
	struct log_field ids[] = {LOG_INT("job", job->id), LOG_INT("clip", job->video_id)};
	log_fields(LOG_LEVEL_INFO, ids, "transcoding video %lld as media version %lld (attempt %d)",
		   (long long)job->video_id, (long long)job->media_version, job->attempts);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = transcode_in_child(src, tmp, &opt, job->id, job->video_id, on_progress, &prog,
				    cancel, res);
	bool ok = rc == 0;
	bool shutdown = !ok && cancel && atomic_load(cancel);
	bool retry = rc == TRANSCODE_CHILD_LOST && job->attempts < JOBS_MAX_ATTEMPTS;
	if (shutdown || retry) {
		media_remove_dir(tmp);
		jobs_requeue(job, !shutdown);
		if (retry)
			ops_count(OPS_TRANSCODE_RETRIES, 1);
		if (shutdown)
			log_fields(LOG_LEVEL_INFO, ids,
				   "video %lld: transcode interrupted by shutdown, requeued",
				   (long long)job->video_id);
		else
			log_fields(
				LOG_LEVEL_WARN, ids,
				"video %lld: the transcoder stopped without a result (attempt %d "
				"of %d), trying again",
				(long long)job->video_id, job->attempts, JOBS_MAX_ATTEMPTS);
		return false;
	}
	if (ok && publish_dir(clip, tmp, final)) {
		ok = false;
		res->code = TX_ERR_IO;
		snprintf(res->error, sizeof res->error, "could not store the transcoded files");
	}
	if (!ok)
		media_remove_dir(tmp);
	count_outcome(&t0, res, ok);
	cr_err e = jobs_finish(job, res, ok);
	if (e) {
		/* stays running: recovered at the next start */
		log_fields(LOG_LEVEL_ERROR, ids, "video %lld: cannot record the transcode: %s",
			   (long long)job->video_id, cr_strerror(e));
		return false;
	}
	log_fields(ok ? LOG_LEVEL_INFO : LOG_LEVEL_WARN, ids, "video %lld: %s%s",
		   (long long)job->video_id, ok ? "ready" : "failed: ", ok ? "" : res->error);
	if (ok && !from_rendition && !cfg->keep_source && unlink(src) == 0)
		videos_clear_source(job->video_id);
	return ok;
}

static void *worker_main(void *arg)
{
	struct workers *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->lock);
		bool stop = w->stopping;
		pthread_mutex_unlock(&w->lock);
		if (stop)
			break;
		struct job job;
		cr_err e = jobs_claim(&job);
		if (!e) {
			struct tx_result res;
			workers_run_job(w->cfg, &job, &w->cancel, &res);
			continue;
		}
		/* an idle timeout, not a time of day: monotonic, like the condition */
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += IDLE_POLL_SECONDS;
		pthread_mutex_lock(&w->lock);
		if (!w->stopping)
			pthread_cond_timedwait(&w->wake, &w->lock, &until);
		pthread_mutex_unlock(&w->lock);
	}
	return NULL; /* the thread's store connection closes with it */
}

cr_err workers_start(const struct cr_config *cfg, struct workers **out)
{
	int requeued = 0;
	cr_err e = jobs_recover(&requeued);
	if (e)
		return e;
	if (requeued)
		log_info("requeued %d transcode job(s) left by an earlier run", requeued);
	struct workers *w =
		calloc(1, sizeof *w + (size_t)cfg->transcode_workers * sizeof(pthread_t));
	if (!w)
		return CR_ENOMEM;
	w->cfg = cfg;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &attr);
	pthread_condattr_destroy(&attr);
	for (; w->n < cfg->transcode_workers; w->n++) {
		if (pthread_create(&w->threads[w->n], NULL, worker_main, w) != 0) {
			workers_stop(&w);
			return CR_ENOMEM;
		}
	}
	*out = w;
	return CR_OK;
}

void workers_notify(struct workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void workers_stop(struct workers **wp)
{
	struct workers *w = *wp;
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	atomic_store(&w->cancel, 1);
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w);
	*wp = NULL;
}
