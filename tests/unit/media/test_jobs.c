/* Unit tests for src/media/jobs.c: a queued job is claimed once, uploaders
 * taking turns and each one's oldest first, only while its video is
 * processing; an uploader's clips in flight; recovery at start; what the
 * janitor asks (running, pending); the waker. One database in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "casereel/jobs.h"
#include "casereel/store.h"

static char dir[] = "/tmp/casereel-jobs-XXXXXX";

/* A video row of `owner` with `status` whose source is `source`. */
static int64_t add_video_of(int64_t owner, const char *status, const char *source)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(
		sqlite3_prepare_v2(store_db(),
				   "INSERT INTO videos(owner_id, title, status, source_path,"
				   " source_bytes, created_at, updated_at)"
				   " VALUES (?3, 't', ?1, ?2, 5, 0, 0)",
				   -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, owner);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	return sqlite3_last_insert_rowid(store_db());
}

static int64_t add_video(const char *status, const char *source)
{
	return add_video_of(1, status, source);
}

/* A processing video of `owner` with its job queued, as an upload makes them. */
static int64_t add_queued_by(int64_t owner, const char *source)
{
	int64_t id = add_video_of(owner, "processing", source);
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(jobs_enqueue(id), CR_OK);
	assert_int_equal(store_commit(), CR_OK);
	return id;
}

static int64_t add_queued(const char *source)
{
	return add_queued_by(1, source);
}

/* The text of `q`'s first column, with ?1 = id. */
static void sql_text(const char *q, int64_t id, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(store_db(), q, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static void assert_job_state(int64_t video_id, const char *want)
{
	char state[32];
	sql_text("SELECT state FROM jobs WHERE video_id = ?1", video_id, state, sizeof state);
	assert_string_equal(state, want);
}

static void queued_jobs_are_claimed_once_oldest_first(void **state)
{
	(void)state;
	int64_t a = add_queued("incoming/a"), b = add_queued("incoming/b");
	struct job j1, j2, j3;
	assert_int_equal(jobs_claim(&j1), CR_OK);
	assert_int_equal(j1.video_id, a);
	assert_int_equal(j1.attempts, 1);
	assert_string_equal(j1.source_rel, "incoming/a");
	assert_int_equal(jobs_claim(&j2), CR_OK);
	assert_int_equal(j2.video_id, b);
	assert_int_equal(jobs_claim(&j3), CR_ENOTFOUND);
	assert_job_state(a, "running");

	/* a shutdown's requeue does not count the attempt; a lost child's does */
	assert_int_equal(jobs_requeue(&j1, false), CR_OK);
	assert_int_equal(jobs_claim(&j3), CR_OK);
	assert_int_equal(j3.video_id, a);
	assert_int_equal(j3.attempts, 1);
	assert_int_equal(jobs_requeue(&j3, true), CR_OK);
	assert_int_equal(jobs_claim(&j3), CR_OK);
	assert_int_equal(j3.attempts, 2);
}

/* Claims one job and finishes it well; its video's id. */
static int64_t claim_and_finish(void)
{
	struct job j;
	struct tx_result good = {.width = 720, .height = 1280, .duration = 3};
	assert_int_equal(jobs_claim(&j), CR_OK);
	assert_int_equal(jobs_finish(&j, &good, true), CR_OK);
	return j.video_id;
}

static void uploaders_take_turns_whoever_queued_first(void **state)
{
	(void)state;
	/* Ann queues four clips, then Bob one and Cy two: with one worker Bob's
	 * clip runs second, not fifth, and Ann's later clips wait their turns. */
	int64_t a[4], b, c[2];
	for (int i = 0; i < 4; i++)
		a[i] = add_queued_by(1, "incoming/ann");
	b = add_queued_by(2, "incoming/bob");
	c[0] = add_queued_by(3, "incoming/cy");
	c[1] = add_queued_by(3, "incoming/cy");
	const int64_t want[] = {a[0], b, c[0], a[1], c[1], a[2], a[3]};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_int_equal(claim_and_finish(), want[i]);
	struct job none;
	assert_int_equal(jobs_claim(&none), CR_ENOTFOUND);

	/* a newcomer goes before the uploader who was served last */
	int64_t a5 = add_queued_by(1, "incoming/ann"), b2 = add_queued_by(2, "incoming/bob");
	assert_int_equal(claim_and_finish(), b2);
	assert_int_equal(claim_and_finish(), a5);
}

static void in_flight_counts_an_uploaders_waiting_and_running_clips(void **state)
{
	(void)state;
	add_queued_by(2, "incoming/b1");
	add_queued_by(2, "incoming/b2");
	int64_t gone = add_queued_by(2, "incoming/b3");
	add_queued_by(3, "incoming/c1");
	char sql[96];
	snprintf(sql, sizeof sql, "UPDATE videos SET status = 'removed' WHERE id = %lld",
		 (long long)gone);
	assert_int_equal(store_exec(sql), CR_OK);
	int n = -1;
	assert_int_equal(jobs_in_flight(2, &n), CR_OK);
	assert_int_equal(n, 2); /* a removed clip's job will never run */
	struct job j;
	assert_int_equal(jobs_claim(&j), CR_OK); /* running still counts... */
	assert_int_equal(jobs_in_flight(2, &n), CR_OK);
	assert_int_equal(n, 2);
	struct tx_result good = {.width = 720, .height = 1280, .duration = 3};
	assert_int_equal(jobs_finish(&j, &good, true), CR_OK); /* ...done does not */
	assert_int_equal(jobs_in_flight(2, &n), CR_OK);
	assert_int_equal(n, 1);
}

static void a_video_no_longer_processing_is_never_claimed(void **state)
{
	(void)state;
	int64_t id = add_queued("incoming/c");
	assert_int_equal(store_exec("UPDATE videos SET status = 'removed'"), CR_OK);
	struct job j;
	assert_int_equal(jobs_claim(&j), CR_ENOTFOUND);
	bool pending = true;
	assert_int_equal(jobs_pending(id, &pending), CR_OK);
	assert_false(pending);
}

static void finishing_records_the_video_and_the_job(void **state)
{
	(void)state;
	int64_t ok_id = add_queued("incoming/d"), bad_id = add_queued("incoming/e");
	struct job ok_job, bad_job;
	assert_int_equal(jobs_claim(&ok_job), CR_OK);
	assert_int_equal(jobs_claim(&bad_job), CR_OK);
	struct tx_result good = {.width = 1280, .height = 720, .duration = 3};
	struct tx_result bad = {.code = TX_ERR_NO_VIDEO, .error = "no video stream found"};
	assert_int_equal(jobs_finish(&ok_job, &good, true), CR_OK);
	assert_int_equal(jobs_finish(&bad_job, &bad, false), CR_OK);
	char status[32];
	assert_job_state(ok_id, "done");
	assert_job_state(bad_id, "failed");
	sql_text("SELECT status FROM videos WHERE id = ?1", ok_id, status, sizeof status);
	assert_string_equal(status, "pending_review");
	sql_text("SELECT status || ' ' || error_code FROM videos WHERE id = ?1", bad_id, status,
		 sizeof status);
	assert_string_equal(status, "failed no-video");
}

static void running_and_pending_say_who_may_still_write(void **state)
{
	(void)state;
	int64_t waiting = add_queued("incoming/f"), running = add_queued("incoming/g");
	int64_t nojob = add_video("failed", "incoming/h");
	assert_int_equal(store_exec("UPDATE jobs SET state = 'running' WHERE video_id = "
				    "(SELECT max(video_id) FROM jobs)"),
			 CR_OK);
	bool r = true, p = false;
	assert_int_equal(jobs_running(waiting, &r), CR_OK);
	assert_false(r);
	assert_int_equal(jobs_pending(waiting, &p), CR_OK);
	assert_true(p);
	assert_int_equal(jobs_running(running, &r), CR_OK);
	assert_true(r);
	assert_int_equal(jobs_pending(running, &p), CR_OK);
	assert_true(p);
	assert_int_equal(jobs_running(nojob, &r), CR_OK);
	assert_false(r);
	assert_int_equal(jobs_pending(nojob, &p), CR_OK);
	assert_false(p);
}

static void recovery_requeues_or_fails_what_a_dead_process_left(void **state)
{
	(void)state;
	int64_t again = add_queued("incoming/i"), spent = add_queued("incoming/j");
	int64_t removed = add_queued("incoming/k");
	struct job j;
	for (int i = 0; i < 3; i++)
		assert_int_equal(jobs_claim(&j), CR_OK);
	assert_int_equal(store_exec("UPDATE jobs SET attempts = 3 WHERE video_id <> (SELECT "
				    "min(video_id) FROM jobs)"),
			 CR_OK);
	char sql[96];
	snprintf(sql, sizeof sql, "UPDATE videos SET status = 'removed' WHERE id = %lld",
		 (long long)removed);
	assert_int_equal(store_exec(sql), CR_OK);

	int requeued = -1;
	assert_int_equal(jobs_recover(&requeued), CR_OK);
	assert_int_equal(requeued, 1);
	assert_job_state(again, "queued");
	assert_job_state(spent, "failed");
	assert_job_state(removed, "failed");
	char status[64];
	sql_text("SELECT status || ' ' || error_code FROM videos WHERE id = ?1", spent, status,
		 sizeof status);
	assert_string_equal(status, "failed internal");
	/* a clip removed meanwhile stays removed */
	sql_text("SELECT status FROM videos WHERE id = ?1", removed, status, sizeof status);
	assert_string_equal(status, "removed");
}

static void wake(void *ctx)
{
	(*(int *)ctx)++;
}

static void the_waker_is_told_until_unregistered(void **state)
{
	(void)state;
	int woken = 0;
	jobs_wake(); /* none registered: nothing happens */
	jobs_set_waker(wake, &woken);
	jobs_wake();
	jobs_wake();
	jobs_set_waker(NULL, NULL);
	jobs_wake();
	assert_int_equal(woken, 2);
}

static int clean(void **state)
{
	(void)state;
	return store_exec("DELETE FROM jobs; DELETE FROM videos;") == CR_OK ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static int group_setup(void **state)
{
	(void)state;
	char db[PATH_MAX];
	if (!mkdtemp(dir))
		return -1;
	snprintf(db, sizeof db, "%s/test.db", dir);
	if (store_init(db))
		return -1;
	return store_exec("INSERT INTO users(id, username, display_name, role, password_hash,"
			  " created_at) VALUES (1, 'a', 'a', 'agent', 'x', 0),"
			  " (2, 'b', 'b', 'agent', 'x', 0), (3, 'c', 'c', 'agent', 'x', 0)") ==
			       CR_OK
		       ? 0
		       : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	store_close_thread();
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* The queue depth /metrics shows: every state counted, moving as jobs do. */
static void counts_by_state_follow_the_jobs(void **state)
{
	(void)state;
	int64_t n[JOB_STATES];
	assert_int_equal(jobs_count_by_state(n), CR_OK);
	for (int i = 0; i < JOB_STATES; i++)
		assert_int_equal(n[i], 0);
	for (int i = 0; i < 3; i++)
		add_queued("incoming/x");
	struct job running, failing;
	assert_int_equal(jobs_claim(&running), CR_OK);
	assert_int_equal(jobs_count_by_state(n), CR_OK);
	assert_int_equal(n[JOB_QUEUED], 2);
	assert_int_equal(n[JOB_RUNNING], 1);
	claim_and_finish();
	assert_int_equal(jobs_claim(&failing), CR_OK);
	struct tx_result bad = {.code = TX_ERR_UNSUPPORTED, .error = "no"};
	assert_int_equal(jobs_finish(&failing, &bad, false), CR_OK);
	assert_int_equal(jobs_count_by_state(n), CR_OK);
	assert_int_equal(n[JOB_QUEUED], 0);
	assert_int_equal(n[JOB_RUNNING], 1);
	assert_int_equal(n[JOB_DONE], 1);
	assert_int_equal(n[JOB_FAILED], 1);
	assert_string_equal(jobs_state_name(JOB_QUEUED), "queued");
	assert_string_equal(jobs_state_name(JOB_FAILED), "failed");
}

#define T(fn) cmocka_unit_test_setup(fn, clean)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(queued_jobs_are_claimed_once_oldest_first),
		T(uploaders_take_turns_whoever_queued_first),
		T(in_flight_counts_an_uploaders_waiting_and_running_clips),
		T(a_video_no_longer_processing_is_never_claimed),
		T(finishing_records_the_video_and_the_job),
		T(running_and_pending_say_who_may_still_write),
		T(recovery_requeues_or_fails_what_a_dead_process_left),
		T(the_waker_is_told_until_unregistered),
		T(counts_by_state_follow_the_jobs),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
