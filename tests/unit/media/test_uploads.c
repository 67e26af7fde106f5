/* Unit tests for the limits of uploads_create (include/casereel/uploads.h):
 * the daily count and byte quotas (today's clips plus open uploads), the
 * clips an uploader may have in flight, the disk's free space; a refusal
 * leaves nothing behind, and parallel creations never pass the quota
 * together. One temp data directory for the whole group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "casereel/config.h"
#include "casereel/store.h"
#include "casereel/uploads.h"

#define CREATORS   8
#define EACH       4
#define RACE_QUOTA 5

static char dir[] = "/tmp/casereel-uploads-XXXXXX";
static struct cr_config cfg;

static int64_t count_for(const char *sql, int64_t owner)
{
	sqlite3_stmt *st = store_stmt(sql);
	assert_non_null(st);
	sqlite3_bind_int64(st, 1, owner);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	store_done(st);
	return v;
}

static int64_t open_uploads(int64_t owner)
{
	return count_for("SELECT count(*) FROM uploads WHERE owner_id = ?1 AND video_id IS NULL",
			 owner);
}

/* Files in incoming/: every upload row has one, a refusal leaves none. */
static int incoming_files(void)
{
	char path[sizeof cfg.media_dir + 16];
	snprintf(path, sizeof path, "%s/incoming", cfg.media_dir);
	DIR *d = opendir(path);
	assert_non_null(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int group_setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1); /* the quota's day starts at local midnight */
	tzset();
	if (!mkdtemp(dir))
		return -1;
	char err[256];
	config_defaults(&cfg);
	snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", dir);
	cfg.media_dir[0] = '\0';
	if (config_prepare_dirs(&cfg, err, sizeof err) != CR_OK)
		return -1;
	char incoming[sizeof cfg.media_dir + 16];
	snprintf(incoming, sizeof incoming, "%s/incoming", cfg.media_dir);
	if (mkdir(incoming, 0750) != 0 || store_init(cfg.db_path) != CR_OK)
		return -1;
	return store_exec("INSERT INTO users (id, username, display_name, role, password_hash,"
			  " created_at) VALUES (1, 'ann', 'Ann', 'agent', 'x', 0),"
			  " (2, 'bob', 'Bob', 'agent', 'x', 0), (3, 'cy', 'Cy', 'agent', 'x', 0),"
			  " (5, 'eve', 'Eve', 'agent', 'x', 0), (6, 'fay', 'Fay', 'agent', 'x', 0),"
			  " (7, 'gus', 'Gus', 'agent', 'x', 0), (8, 'hal', 'Hal', 'agent', 'x', "
			  "0);") == CR_OK
		       ? 0
		       : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	store_close_thread();
	char cmd[sizeof dir + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir); /* our own mkdtemp name */
	return system(cmd) == 0 ? 0 : -1;
}

/* Creates an upload of `length` bytes for `owner` under `limits`; the
 * refusal's type lands in *type (NULL when none). */
static cr_err create_with(const struct cr_config *limits, int64_t owner, int64_t length,
			  struct upload *u, const char **type)
{
	memset(u, 0, sizeof *u);
	u->owner_id = owner;
	u->length = length;
	u->created_at = time(NULL);
	u->expires_at = u->created_at + 3600;
	int64_t retry_at = 0;
	struct cr_problem why = {0};
	cr_err e = uploads_create(limits, u, &retry_at, &why);
	if (type)
		*type = cr_problem_explains(&why, e) ? why.type : NULL;
	if (e == CR_ETHROTTLED)
		assert_true(retry_at > u->created_at);
	return e;
}

/* The daily count quota alone: no byte, queue or disk limit. */
static cr_err create(int64_t owner, int quota, struct upload *u)
{
	struct cr_config limits = cfg;
	limits.upload_daily_quota = quota;
	limits.upload_bytes = 0;
	limits.upload_queue_max = 0;
	limits.min_free_disk = 0;
	return create_with(&limits, owner, 1000, u, NULL);
}

static void add_video(int64_t owner, int64_t created_at)
{
	sqlite3_stmt *st = store_stmt("INSERT INTO videos (owner_id, title, status, source_bytes,"
				      " created_at, updated_at) VALUES (?1, 'clip', 'published',"
				      " 10, ?2, ?2)");
	assert_non_null(st);
	sqlite3_bind_int64(st, 1, owner);
	sqlite3_bind_int64(st, 2, created_at);
	assert_int_equal(store_run(st, "test video"), CR_OK);
}

static void test_quota_counts_clips_and_open_uploads(void **state)
{
	(void)state;
	struct upload u[4];
	int files = incoming_files();
	add_video(1, time(NULL));             /* today: counts */
	add_video(1, time(NULL) - 86400 * 2); /* two days ago: does not */
	assert_int_equal(create(1, 3, &u[0]), CR_OK);
	assert_int_equal(create(1, 3, &u[1]), CR_OK);
	assert_int_equal(create(1, 3, &u[2]), CR_ETHROTTLED); /* 1 clip + 2 open uploads */
	assert_int_equal(open_uploads(1), 2);
	assert_int_equal(incoming_files(), files + 2); /* the refusal left no file */
	assert_int_equal(create(2, 3, &u[3]), CR_OK);  /* someone else's quota is their own */
	uploads_clear(&u[3]);

	/* a terminated upload gives its slot back */
	assert_int_equal(uploads_delete(&cfg, u[0].id), CR_OK);
	assert_int_equal(incoming_files(), files + 2);
	assert_int_equal(create(1, 3, &u[2]), CR_OK);
	assert_int_equal(create(1, 3, &u[0]), CR_ETHROTTLED);
	assert_int_equal(create(1, 0, &u[0]), CR_OK); /* 0: no quota */
	for (int i = 0; i < 3; i++)
		uploads_clear(&u[i]);
}

static void test_finished_upload_counts_once(void **state)
{
	(void)state;
	struct upload u;
	assert_int_equal(create(3, 2, &u), CR_OK);
	/* the upload became a clip: the clip counts, the upload no longer does */
	add_video(3, time(NULL));
	sqlite3_stmt *st =
		store_stmt("UPDATE uploads SET video_id ="
			   " (SELECT max(id) FROM videos WHERE owner_id = 3) WHERE id = ?1");
	assert_non_null(st);
	sqlite3_bind_text(st, 1, u.id, -1, SQLITE_STATIC);
	assert_int_equal(store_run(st, "finish upload"), CR_OK);
	uploads_clear(&u);
	assert_int_equal(create(3, 2, &u), CR_OK);
	uploads_clear(&u);
	assert_int_equal(create(3, 2, &u), CR_ETHROTTLED);
}

static void test_bytes_count_open_uploads_and_todays_clips(void **state)
{
	(void)state;
	struct cr_config limits = cfg;
	limits.upload_bytes = 10000;
	limits.upload_queue_max = 0;
	limits.min_free_disk = 0;
	struct upload a, b;
	const char *type = NULL;
	add_video(5, time(NULL));             /* today: its 10 source bytes count */
	add_video(5, time(NULL) - 86400 * 2); /* two days ago: they do not */
	assert_int_equal(create_with(&limits, 5, 6000, &a, &type), CR_OK);
	assert_int_equal(create_with(&limits, 5, 3991, &b, &type), CR_ETHROTTLED);
	assert_string_equal(type, "upload-byte-quota");
	assert_int_equal(open_uploads(5), 1); /* the refusal left no row */
	assert_int_equal(create_with(&limits, 5, 3990, &b, &type), CR_OK);
	uploads_clear(&b);
	assert_int_equal(create_with(&limits, 6, 10000, &b, &type), CR_OK); /* Fay's own */
	uploads_clear(&b);
	assert_int_equal(create_with(&limits, 6, 10001, &b, &type), CR_ETOOBIG);
	assert_string_equal(type, "too-large");

	/* cancelling an open upload gives its bytes back */
	assert_int_equal(uploads_delete(&cfg, a.id), CR_OK);
	uploads_clear(&a);
	assert_int_equal(create_with(&limits, 5, 6000, &a, &type), CR_OK);
	uploads_clear(&a);
}

static void test_queue_counts_open_uploads_and_waiting_clips(void **state)
{
	(void)state;
	struct cr_config limits = cfg;
	limits.upload_bytes = 0;
	limits.upload_queue_max = 3;
	limits.min_free_disk = 0;
	struct upload u;
	const char *type = NULL;
	/* a clip waiting for a worker, and one already transcoded */
	assert_int_equal(store_exec("INSERT INTO videos (id, owner_id, title, status, source_bytes,"
				    " created_at, updated_at) VALUES"
				    " (900, 7, 'w', 'processing', 10, 0, 0),"
				    " (901, 7, 'd', 'pending_review', 10, 0, 0);"
				    "INSERT INTO jobs (video_id, state, created_at)"
				    " VALUES (900, 'queued', 0), (901, 'done', 0);"),
			 CR_OK);
	assert_int_equal(create_with(&limits, 7, 100, &u, &type), CR_OK);
	uploads_clear(&u);
	assert_int_equal(create_with(&limits, 7, 100, &u, &type), CR_OK);
	uploads_clear(&u);
	assert_int_equal(create_with(&limits, 7, 100, &u, &type), CR_ETHROTTLED);
	assert_string_equal(type, "upload-queue-full");
	assert_int_equal(open_uploads(7), 2);
	/* the waiting clip is transcoded: room for one more */
	assert_int_equal(store_exec("UPDATE jobs SET state = 'done' WHERE video_id = 900"), CR_OK);
	assert_int_equal(create_with(&limits, 7, 100, &u, &type), CR_OK);
	uploads_clear(&u);
}

static void test_disk_keeps_its_free_space(void **state)
{
	(void)state;
	struct cr_config limits = cfg;
	limits.upload_bytes = 0;
	limits.upload_queue_max = 0;
	limits.min_free_disk = 1LL << 50; /* more than any test disk has */
	struct upload u;
	const char *type = NULL;
	int files = incoming_files();
	assert_int_equal(create_with(&limits, 8, 100, &u, &type), CR_ENOSPACE);
	assert_string_equal(type, "insufficient-storage");
	assert_int_equal(open_uploads(8), 0);
	assert_int_equal(incoming_files(), files);
	limits.min_free_disk = 0;
	assert_int_equal(create_with(&limits, 8, 100, &u, &type), CR_OK);
	uploads_clear(&u);
}

struct creator {
	int64_t owner;
	int ok, refused, errors;
};

static void *creator_main(void *arg)
{
	struct creator *c = arg;
	for (int i = 0; i < EACH; i++) {
		struct upload u;
		cr_err e = create(c->owner, RACE_QUOTA, &u);
		if (e == CR_OK)
			c->ok++;
		else if (e == CR_ETHROTTLED)
			c->refused++;
		else
			c->errors++;
		uploads_clear(&u);
	}
	return NULL;
}

static void test_parallel_creations_never_pass_the_quota(void **state)
{
	(void)state;
	assert_int_equal(store_exec("INSERT INTO users (id, username, display_name, role,"
				    " password_hash, created_at)"
				    " VALUES (4, 'dee', 'Dee', 'agent', 'x', 0);"),
			 CR_OK);
	int files = incoming_files();
	pthread_t threads[CREATORS];
	struct creator c[CREATORS];
	for (int i = 0; i < CREATORS; i++) {
		c[i] = (struct creator){.owner = 4};
		assert_int_equal(pthread_create(&threads[i], NULL, creator_main, &c[i]), 0);
	}
	int ok = 0, refused = 0;
	for (int i = 0; i < CREATORS; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(c[i].errors, 0);
		ok += c[i].ok;
		refused += c[i].refused;
	}
	assert_int_equal(ok, RACE_QUOTA);
	assert_int_equal(refused, CREATORS * EACH - RACE_QUOTA);
	assert_int_equal(open_uploads(4), RACE_QUOTA);
	assert_int_equal(incoming_files(), files + RACE_QUOTA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quota_counts_clips_and_open_uploads),
		cmocka_unit_test(test_finished_upload_counts_once),
		cmocka_unit_test(test_bytes_count_open_uploads_and_todays_clips),
		cmocka_unit_test(test_queue_counts_open_uploads_and_waiting_clips),
		cmocka_unit_test(test_disk_keeps_its_free_space),
		cmocka_unit_test(test_parallel_creations_never_pass_the_quota),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
