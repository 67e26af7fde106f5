/* tx_transcode(): the public entry point. Runs probe -> scan -> plan ->
 * pipeline -> playlists -> poster for one job and fills the result. */
#include "tx_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libavutil/error.h>

static const char *const OUTPUT_NAMES[] = {"master.m3u8", "720p.m3u8",  "720p.mp4", "360p.m3u8",
					   "360p.mp4",    "poster.jpg", "thumb.jpg"};

struct tx_options tx_options_default(void)
{
	return (struct tx_options){
		.max_output_seconds = 180.0,
		.max_width = 7680,
		.max_height = 4320,
		.probesize = 5 * 1000 * 1000,
		.analyzeduration = 10 * 1000 * 1000,
		.max_streams = 32,
		.time_limit_seconds = 900.0,
		.keep_audio = true,
		.allow_fast_path = true,
		.x264_preset = "veryfast",
		.threads = 0,
		.decoder_threads = 0,
		.edits = {.poster_time = -1},
	};
}

const char *tx_error_string(enum tx_error code)
{
	switch (code) {
	case TX_OK: return "";
	case TX_ERR_INVALID_ARG: return "invalid transcode request";
	case TX_ERR_IO: return "cannot read the upload or write the output";
	case TX_ERR_UNSUPPORTED: return "unsupported or damaged file";
	case TX_ERR_NO_VIDEO: return "no video stream found";
	case TX_ERR_AUDIO_ONLY: return "audio-only file";
	case TX_ERR_PLAYLIST: return "playlists are not accepted";
	case TX_ERR_TOO_LARGE: return "resolution above 8K";
	case TX_ERR_TIME_LIMIT: return "time limit exceeded";
	case TX_ERR_CANCELLED: return "cancelled";
	case TX_ERR_INTERNAL: return "internal transcoding error";
	}
	return "unknown error";
}

const char *tx_error_code(const struct tx_result *r)
{
	switch (r->code) {
	case TX_OK: return "";
	case TX_ERR_IO: return "io";
	case TX_ERR_UNSUPPORTED:
		if (strcmp(r->error, TX_DETAIL_TRUNCATED) == 0)
			return "truncated";
		return strcmp(r->error, TX_DETAIL_TEXT) == 0 ? "not-a-video" : "unsupported";
	case TX_ERR_NO_VIDEO: return "no-video";
	case TX_ERR_AUDIO_ONLY: return "audio-only";
	case TX_ERR_PLAYLIST: return "playlist";
	case TX_ERR_TOO_LARGE: return "too-large";
	case TX_ERR_TIME_LIMIT: return "time-limit";
	case TX_ERR_CANCELLED: return "cancelled";
	case TX_ERR_INVALID_ARG: /* the caller's mistake, not the file's */
	case TX_ERR_INTERNAL: return "internal";
	}
	return "internal";
}

double tx_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int tx_fail(struct tx_job *job, enum tx_error code, const char *detail)
{
	struct tx_result *res = job->res;
	if (res->code == TX_OK) {
		res->code = code;
		snprintf(res->error, sizeof res->error, "%s",
			 detail ? detail : tx_error_string(code));
	}
	return -1;
}

static bool stop_requested(const struct tx_job *job)
{
	return (job->cancel && atomic_load(job->cancel) != 0) ||
	       (job->deadline > 0 && tx_now() > job->deadline);
}

int tx_check_stop(struct tx_job *job)
{
	if (job->cancel && atomic_load(job->cancel) != 0)
		return tx_fail(job, TX_ERR_CANCELLED, NULL);
	if (job->deadline > 0 && tx_now() > job->deadline)
		return tx_fail(job, TX_ERR_TIME_LIMIT, NULL);
	return 0;
}

int tx_interrupt_cb(void *opaque)
{
	return stop_requested(opaque) ? 1 : 0;
}

void tx_report_progress(struct tx_job *job, int percent)
{
	percent = percent < 0 ? 0 : percent > 100 ? 100 : percent;
	if (percent <= job->last_percent)
		return;
	job->last_percent = percent;
	if (job->progress)
		job->progress(job->progress_ctx, percent);
}

int tx_out_path(const struct tx_job *job, const char *name, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", job->out_dir, name);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static void remove_outputs(const struct tx_job *job)
{
	char path[4096];
	for (size_t i = 0; i < sizeof OUTPUT_NAMES / sizeof *OUTPUT_NAMES; i++)
		if (tx_out_path(job, OUTPUT_NAMES[i], path, sizeof path) == 0)
			unlink(path);
}

static void fill_renditions(struct tx_result *res, const struct tx_plan *plan)
{
	res->n_renditions = plan->n;
	for (int i = 0; i < plan->n; i++) {
		struct tx_rendition *r = &res->renditions[i];
		snprintf(r->name, sizeof r->name, "%s", plan->r[i].name);
		snprintf(r->mp4, sizeof r->mp4, "%s.mp4", plan->r[i].name);
		snprintf(r->playlist, sizeof r->playlist, "%s.m3u8", plan->r[i].name);
		r->width = plan->r[i].width;
		r->height = plan->r[i].height;
		r->fast_path = plan->r[i].copy;
	}
	res->width = plan->r[0].width;
	res->height = plan->r[0].height;
	res->has_audio = plan->audio != TX_AUDIO_NONE;
	res->audio_copied = plan->audio == TX_AUDIO_COPY;
	res->gain_db = plan->gain_db;
}

static int run(struct tx_job *job, struct tx_scan *scan, struct tx_plan *plan)
{
	struct tx_input in;
	struct tx_output *outs[TX_MAX_RENDITIONS] = {NULL};

	if (tx_open_input(job, &in) < 0)
		return -1;
	/* even audio fit to copy is measured: only its loudness decides */
	int ret = tx_scan(job, &in, in.ast && job->opt->keep_audio, scan);
	if (ret == 0)
		ret = tx_plan_make(job, &in, scan, plan);
	tx_close_input(&in);
	if (ret < 0)
		return -1;
	tx_plan_set_gain(plan, scan);
	tx_report_progress(job, 5);

	job->res->loudness_in = scan->measured ? scan->loudness : -70.0;
	job->res->source_duration = scan->duration;
	job->res->trimmed = plan->trimmed;
	if (tx_open_input(job, &in) < 0)
		return -1;
	double duration = 0;
	ret = tx_pipeline_run(job, &in, plan, scan, outs, &duration);
	tx_close_input(&in);
	if (ret == 0) {
		job->res->duration = duration;
		fill_renditions(job->res, plan);
		ret = tx_hls_write(job, plan, outs, job->res);
	}
	for (int i = 0; i < TX_MAX_RENDITIONS; i++)
		tx_output_free(&outs[i]);
	if (ret == 0)
		tx_report_progress(job, 100);
	return ret;
}

int tx_transcode(const char *input_path, const char *out_dir, const struct tx_options *opt,
		 tx_progress_fn progress, void *progress_ctx, const atomic_int *cancel,
		 struct tx_result *out)
{
	struct tx_options defaults = tx_options_default();
	if (!out)
		return -1;
	memset(out, 0, sizeof *out);
	out->loudness_in = -70.0;
	struct tx_job job = {
		.opt = opt ? opt : &defaults,
		.cancel = cancel,
		.progress = progress,
		.progress_ctx = progress_ctx,
		.last_percent = -1,
		.res = out,
		.in_path = input_path,
		.out_dir = out_dir,
	};
	if (!input_path || !out_dir || !*input_path || !*out_dir ||
	    job.opt->max_output_seconds <= 0)
		return tx_fail(&job, TX_ERR_INVALID_ARG, NULL);
	if (access(out_dir, W_OK) != 0)
		return tx_fail(&job, TX_ERR_IO, "output directory is not writable");
	if (job.opt->time_limit_seconds > 0)
		job.deadline = tx_now() + job.opt->time_limit_seconds;
	tx_report_progress(&job, 0);

	/* Both are large (keyframe and cut tables); keep them off worker stacks. */
	struct tx_scan *scan = av_mallocz(sizeof *scan);
	struct tx_plan *plan = av_mallocz(sizeof *plan);
	int ret;
	if (!scan || !plan)
		ret = tx_fail(&job, TX_ERR_INTERNAL, "out of memory");
	else
		ret = run(&job, scan, plan);
	av_free(scan);
	av_free(plan);
	if (ret < 0 || out->code != TX_OK) {
		if (out->code == TX_OK)
			tx_fail(&job, TX_ERR_INTERNAL, NULL);
		remove_outputs(&job);
		return -1;
	}
	return 0;
}
