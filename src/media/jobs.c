/* The durable job queue. See include/casereel/jobs.h. */
#include "casereel/jobs.h"

#include <stdio.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/store.h"
#include "casereel/videos.h"

cr_err jobs_recover(int *requeued)
{
	cr_err e = store_begin();
	if (e)
		return e;
	sqlite3_stmt *st = store_stmt(
		"UPDATE videos SET status = 'failed', progress = 0, updated_at = ?2,"
		" error = 'transcoding stopped unexpectedly several times; upload the clip again',"
		" error_code = 'internal'"
		" WHERE id IN (SELECT video_id FROM jobs WHERE state = 'running' AND attempts >= "
		"?1)");
	if (st) {
		sqlite3_bind_int(st, 1, JOBS_MAX_ATTEMPTS);
		sqlite3_bind_int64(st, 2, cr_now());
	}
	e = store_run(st, "fail stuck videos");
	if (!e) {
		st = store_stmt("UPDATE jobs SET state = 'failed', finished_at = ?2"
				" WHERE state = 'running' AND attempts >= ?1");
		if (st) {
			sqlite3_bind_int(st, 1, JOBS_MAX_ATTEMPTS);
			sqlite3_bind_int64(st, 2, cr_now());
		}
		e = store_run(st, "fail stuck jobs");
	}
	if (!e) {
		e = store_run(
			store_stmt("UPDATE jobs SET state = 'queued' WHERE state = 'running'"),
			"requeue jobs");
		*requeued = sqlite3_changes(store_db());
	}
	return e ? (store_rollback(), e) : store_commit();
}

cr_err jobs_claim(struct job *job)
{
	/* one statement: two workers can never claim the same row */
	sqlite3_stmt *st = store_stmt(
		"UPDATE jobs SET state = 'running', attempts = attempts + 1, claimed_at = ?1"
		" WHERE id = (SELECT j.id FROM jobs j JOIN videos v ON v.id = j.video_id"
		"  WHERE j.state = 'queued' AND v.status = 'processing' ORDER BY j.id LIMIT 1)"
		" RETURNING id, video_id, attempts,"
		" (SELECT source_path FROM videos WHERE videos.id = jobs.video_id)");
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
	e = videos_record_transcode(job->video_id, r, ok);
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
	return e ? (store_rollback(), e) : store_commit();
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
