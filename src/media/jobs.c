/* The durable job queue. See include/casereel/jobs.h. */
#include "casereel/jobs.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/store.h"
#include "casereel/video_edits.h"
#include "casereel/videos.h"

static pthread_mutex_t waker_mu = PTHREAD_MUTEX_INITIALIZER;
static void (*waker_fn)(void *ctx);
static void *waker_ctx;

void jobs_set_waker(void (*fn)(void *ctx), void *ctx)
{
	pthread_mutex_lock(&waker_mu);
	waker_fn = fn;
	waker_ctx = ctx;
	pthread_mutex_unlock(&waker_mu);
}

void jobs_wake(void)
{
	/* held across the call, so that unregistering waits for it */
	pthread_mutex_lock(&waker_mu);
	if (waker_fn)
		waker_fn(waker_ctx);
	pthread_mutex_unlock(&waker_mu);
}

cr_err jobs_enqueue(int64_t video_id)
{
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO jobs(video_id, state, created_at) VALUES (?1, 'queued', ?2)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int64(st, 2, cr_now());
	return store_run(st, "queue job");
}

cr_err jobs_enqueue_render(int64_t video_id, int64_t version)
{
	/* one job row per clip: a rendering reuses the finished one */
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO jobs(video_id, state, created_at, media_version)"
		" VALUES (?1, 'queued', ?2, ?3) ON CONFLICT(video_id) DO UPDATE"
		" SET state = 'queued', attempts = 0, claimed_at = NULL, finished_at = NULL,"
		" created_at = ?2, media_version = ?3 WHERE jobs.state IN ('done', 'failed')");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int64(st, 2, cr_now());
	sqlite3_bind_int64(st, 3, version);
	cr_err e = store_run(st, "queue rendering");
	return !e && sqlite3_changes(store_db()) == 0 ? CR_ECONFLICT : e;
}

/* Fails the jobs that already used every attempt, and their videos. */
static cr_err fail_exhausted(void)
{
	static const struct tx_result stuck = {
		.code = TX_ERR_INTERNAL,
		.error = "transcoding stopped unexpectedly several times; upload the clip again",
	};
	sqlite3_stmt *st = store_stmt("UPDATE jobs SET state = 'failed', finished_at = ?2"
				      " WHERE state = 'running' AND attempts >= ?1"
				      " RETURNING video_id");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int(st, 1, JOBS_MAX_ATTEMPTS);
	sqlite3_bind_int64(st, 2, cr_now());
	cr_err e = CR_OK;
	int rc = SQLITE_DONE;
	/* RETURNING rows are computed at the first step: updating videos
	 * between steps cannot disturb them */
	while (!e && (rc = sqlite3_step(st)) == SQLITE_ROW)
		e = videos_record_transcode(sqlite3_column_int64(st, 0), &stuck, false);
	store_done(st);
	return e ? e : rc == SQLITE_DONE ? CR_OK : store_error(rc, "fail stuck jobs");
}

cr_err jobs_recover(int *requeued)
{
	*requeued = 0;
	cr_err e = store_begin();
	if (e)
		return e;
	e = fail_exhausted();
	if (!e) {
		e = store_run(
			store_stmt("UPDATE jobs SET state = 'queued' WHERE state = 'running'"),
			"requeue jobs");
		*requeued = sqlite3_changes(store_db());
	}
	return store_end(e);
}

cr_err jobs_claim(struct job *job)
{
	/* One statement: two workers can never claim the same row. Round robin
	 * by uploader: the uploader served longest ago (or never) goes first,
	 * then their oldest job. */
	sqlite3_stmt *st = store_stmt(
		"UPDATE jobs SET state = 'running', attempts = attempts + 1, claimed_at = ?1,"
		" turn = (SELECT coalesce(max(turn), 0) + 1 FROM jobs)"
		" WHERE id = (SELECT j.id FROM jobs j JOIN videos v ON v.id = j.video_id"
		"  WHERE j.state = 'queued' AND (v.status = " VIDEO_SQL_PROCESSING
		"   OR (j.media_version > v.media_version AND v.status IN (" VIDEO_SQL_PUBLISHED
		",    " VIDEO_SQL_PENDING_REVIEW ")))"
		"  ORDER BY (SELECT coalesce(max(o.turn), 0) FROM videos ov"
		"   JOIN jobs o ON o.video_id = ov.id WHERE ov.owner_id = v.owner_id), j.id"
		"  LIMIT 1)"
		" RETURNING id, video_id, attempts,"
		" (SELECT source_path FROM videos WHERE videos.id = jobs.video_id), media_version");
	if (!st)
		return CR_EDB;
	job->id = 0;
	sqlite3_bind_int64(st, 1, cr_now());
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		job->id = sqlite3_column_int64(st, 0);
		job->video_id = sqlite3_column_int64(st, 1);
		job->attempts = sqlite3_column_int(st, 2);
		const unsigned char *src = sqlite3_column_text(st, 3);
		snprintf(job->source_rel, sizeof job->source_rel, "%s",
			 src ? (const char *)src : "");
		job->media_version = sqlite3_column_int64(st, 4);
		rc = sqlite3_step(st); /* finish the statement so the write commits */
	}
	store_done(st);
	if (rc == SQLITE_DONE && job->id == 0)
		return CR_ENOTFOUND;
	return store_error(rc, "claim job");
}

cr_err jobs_finish(const struct job *job, const struct tx_result *r, bool ok)
{
	cr_err e = store_begin();
	if (e)
		return e;
	e = job->media_version > 1 ? videos_record_render(job->video_id, job->media_version, r, ok)
				   : videos_record_transcode(job->video_id, r, ok);
	if (!e && job->media_version > 1)
		e = video_edits_finish(job->video_id, job->media_version, ok, r->error);
	if (!e) {
		sqlite3_stmt *st =
			store_stmt("UPDATE jobs SET state = ?2, finished_at = ?3 WHERE id = ?1");
		if (st) {
			sqlite3_bind_int64(st, 1, job->id);
			sqlite3_bind_text(st, 2, ok ? "done" : "failed", -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, cr_now());
		}
		e = store_run(st, "finish job");
	}
	e = store_end(e);
	if (!e && job->media_version > 1) /* a live clip's new rendering: duration, size */
		catalog_invalidate_clip(job->video_id);
	return e;
}

cr_err jobs_requeue(const struct job *job, bool counted)
{
	sqlite3_stmt *st = store_stmt("UPDATE jobs SET state = 'queued', attempts = attempts - ?2"
				      " WHERE id = ?1 AND state = 'running'");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, job->id);
	sqlite3_bind_int(st, 2, counted ? 0 : 1);
	return store_run(st, "requeue job");
}

/* Whether `sql` (?1 = video id) gives a row; *found false on an error. */
static cr_err job_exists(const char *sql, int64_t video_id, bool *found)
{
	sqlite3_stmt *st = store_stmt(sql);
	*found = false;
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	int rc = sqlite3_step(st);
	store_done(st);
	*found = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "job lookup");
}

cr_err jobs_in_flight(int64_t owner_id, int *count)
{
	sqlite3_stmt *st =
		store_stmt("SELECT count(*) FROM jobs j JOIN videos v ON v.id = j.video_id"
			   " WHERE v.owner_id = ?1 AND (j.state = 'running'"
			   "  OR (j.state = 'queued' AND v.status = " VIDEO_SQL_PROCESSING "))");
	*count = 0;
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, owner_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int(st, 0);
	store_done(st);
	return rc == SQLITE_ROW ? CR_OK : store_error(rc, "jobs in flight");
}

cr_err jobs_running(int64_t video_id, bool *running)
{
	return job_exists("SELECT 1 FROM jobs WHERE video_id = ?1 AND state = 'running'", video_id,
			  running);
}

cr_err jobs_pending(int64_t video_id, bool *pending)
{
	return job_exists("SELECT 1 FROM jobs j JOIN videos v ON v.id = j.video_id"
			  " WHERE j.video_id = ?1 AND (j.state = 'running'"
			  "  OR (j.state = 'queued' AND v.status = " VIDEO_SQL_PROCESSING "))",
			  video_id, pending);
}

static const char *const state_names[JOB_STATES] = {
	[JOB_QUEUED] = "queued",
	[JOB_RUNNING] = "running",
	[JOB_DONE] = "done",
	[JOB_FAILED] = "failed",
};

const char *jobs_state_name(enum job_state state)
{
	return state < JOB_STATES ? state_names[state] : "unknown";
}

cr_err jobs_count_by_state(int64_t counts[JOB_STATES])
{
	for (int i = 0; i < JOB_STATES; i++)
		counts[i] = 0;
	/* one index scan (jobs_state) per state rather than a GROUP BY over rows */
	sqlite3_stmt *st = store_stmt("SELECT count(*) FROM jobs WHERE state = ?1");
	if (!st)
		return CR_EDB;
	cr_err e = CR_OK;
	for (int i = 0; !e && i < JOB_STATES; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, state_names[i], -1, SQLITE_STATIC);
		e = store_step_one(st, "count jobs");
		if (!e)
			counts[i] = sqlite3_column_int64(st, 0);
	}
	store_done(st);
	return e;
}
