/* Unit tests for the durable transcode jobs (include/casereel/jobs.h) seen by
 * claiming in order, a job whose worker died claimed again after
 * recovery (up to JOBS_MAX_ATTEMPTS), and concurrent claimers never
 * getting the same job. One temp database for the whole group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "casereel/jobs.h"
#include "casereel/store.h"

#define CLAIMERS  4
#define MANY_JOBS 60

static char dir[] = "/tmp/casereel-jobs-XXXXXX";
static char db_path[sizeof dir + 32];

static int64_t query_int64(const char *sql, int64_t a)
{
	sqlite3_stmt *st = store_stmt(sql);
	assert_non_null(st);
	sqlite3_bind_int64(st, 1, a);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	store_done(st);
	return v;
}

static int group_setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(db_path, sizeof db_path, "%s/test.db", dir);
	if (store_init(db_path) != CR_OK)
		return -1;
	return store_exec("INSERT INTO users (id, username, display_name, role, password_hash,"
			  " created_at) VALUES (1, 'ann', 'Ann', 'agent', 'x', 0);") == CR_OK
		       ? 0
		       : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	store_close_thread();
	const char *names[] = {"test.db", "test.db-wal", "test.db-shm"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[sizeof db_path + 8];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

static int clean_tables(void **state)
{
	(void)state;
	return store_exec("DELETE FROM jobs; DELETE FROM videos;") == CR_OK ? 0 : -1;
}

/* A processing video with its queued job, as a finished upload leaves
 * them; returns the video id. */
static int64_t add_video_with_job(void)
{
	sqlite3_stmt *st =
		store_stmt("INSERT INTO videos (owner_id, title, status, source_path,"
			   " source_bytes, created_at, updated_at)"
			   " VALUES (1, 'clip', 'processing', 'incoming/x', 10, ?1, ?1)");
	assert_non_null(st);
	sqlite3_bind_int64(st, 1, time(NULL));
	assert_int_equal(store_run(st, "test video"), CR_OK);
	int64_t video = sqlite3_last_insert_rowid(store_db());
	st = store_stmt("INSERT INTO jobs (video_id, state, created_at) VALUES (?1, 'queued', 0)");
	assert_non_null(st);
	sqlite3_bind_int64(st, 1, video);
	assert_int_equal(store_run(st, "test job"), CR_OK);
	return video;
}

static void test_claim_oldest_processing_first(void **state)
{
	(void)state;
	int64_t removed = add_video_with_job();
	int64_t first = add_video_with_job();
	int64_t second = add_video_with_job();
	sqlite3_stmt *st = store_stmt("UPDATE videos SET status = 'removed' WHERE id = ?1");
	assert_non_null(st);
	sqlite3_bind_int64(st, 1, removed);
	assert_int_equal(store_run(st, "remove clip"), CR_OK);

	struct job job;
	assert_int_equal(jobs_claim(&job), CR_OK);
	assert_int_equal(job.video_id, first);
	assert_int_equal(job.attempts, 1);
	assert_string_equal(job.source_rel, "incoming/x");
	assert_int_equal(jobs_claim(&job), CR_OK);
	assert_int_equal(job.video_id, second);
	assert_int_equal(jobs_claim(&job), CR_ENOTFOUND); /* the removed clip's job is skipped */
}

static void test_dead_worker_job_claimed_again_after_recovery(void **state)
{
	(void)state;
	int64_t video = add_video_with_job();
	struct job job, again;
	int requeued = -1;
	assert_int_equal(jobs_claim(&job), CR_OK);
	assert_int_equal(job.video_id, video);
	/* the worker dies here: the job stays "running", nobody else takes it */
	assert_int_equal(jobs_claim(&again), CR_ENOTFOUND);
	for (int attempt = 2; attempt <= JOBS_MAX_ATTEMPTS; attempt++) {
		assert_int_equal(jobs_recover(&requeued), CR_OK); /* the next start */
		assert_int_equal(requeued, 1);
		assert_int_equal(jobs_claim(&again), CR_OK);
		assert_int_equal(again.id, job.id);
		assert_int_equal(again.attempts, attempt);
	}
	/* it died on every attempt: the clip fails instead of looping forever */
	assert_int_equal(jobs_recover(&requeued), CR_OK);
	assert_int_equal(requeued, 0);
	assert_int_equal(jobs_claim(&again), CR_ENOTFOUND);
	assert_int_equal(query_int64("SELECT state = 'failed' FROM jobs WHERE id = ?1", job.id), 1);
	assert_int_equal(query_int64("SELECT status = 'failed' AND error_code = 'internal'"
				     " FROM videos WHERE id = ?1",
				     video),
			 1);
}

static void test_requeue_after_shutdown_does_not_count(void **state)
{
	(void)state;
	add_video_with_job();
	struct job job, again;
	assert_int_equal(jobs_claim(&job), CR_OK);
	assert_int_equal(jobs_requeue(&job, false), CR_OK); /* orderly shutdown */
	assert_int_equal(jobs_claim(&again), CR_OK);
	assert_int_equal(again.id, job.id);
	assert_int_equal(again.attempts, 1);
	assert_int_equal(jobs_requeue(&again, true), CR_OK); /* its transcoder died */
	assert_int_equal(jobs_claim(&again), CR_OK);
	assert_int_equal(again.attempts, 2);
	int requeued = -1;
	assert_int_equal(jobs_recover(&requeued), CR_OK);
	assert_int_equal(requeued, 1);
}

struct claimer {
	int64_t ids[MANY_JOBS];
	int n;
	int errors;
};

static void *claimer_main(void *arg)
{
	struct claimer *c = arg;
	for (;;) {
		struct job job;
		cr_err e = jobs_claim(&job);
		if (e == CR_ENOTFOUND)
			break;
		if (e != CR_OK || c->n == MANY_JOBS) {
			c->errors++;
			break;
		}
		c->ids[c->n++] = job.id;
	}
	return NULL;
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void test_two_claimers_never_share_a_job(void **state)
{
	(void)state;
	for (int i = 0; i < MANY_JOBS; i++)
		add_video_with_job();
	pthread_t threads[CLAIMERS];
	static struct claimer c[CLAIMERS];
	memset(c, 0, sizeof c);
	for (int i = 0; i < CLAIMERS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, claimer_main, &c[i]), 0);
	int64_t all[MANY_JOBS * CLAIMERS];
	int n = 0;
	for (int i = 0; i < CLAIMERS; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(c[i].errors, 0);
		memcpy(all + n, c[i].ids, (size_t)c[i].n * sizeof all[0]);
		n += c[i].n;
	}
	assert_int_equal(n, MANY_JOBS); /* every job claimed ... */
	qsort(all, (size_t)n, sizeof all[0], by_value);
	for (int i = 1; i < n; i++)
		assert_true(all[i] != all[i - 1]); /* ... by exactly one claimer */
	assert_int_equal(query_int64("SELECT count(*) FROM jobs WHERE state = 'running'"
				     " AND attempts = ?1",
				     1),
			 MANY_JOBS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_claim_oldest_processing_first, clean_tables),
		cmocka_unit_test_setup(test_dead_worker_job_claimed_again_after_recovery,
				       clean_tables),
		cmocka_unit_test_setup(test_requeue_after_shutdown_does_not_count, clean_tables),
		cmocka_unit_test_setup(test_two_claimers_never_share_a_job, clean_tables),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
