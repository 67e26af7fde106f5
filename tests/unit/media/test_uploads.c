/* Unit tests for the daily upload quota of uploads_create
 * (include/casereel/uploads.h): today's clips plus open uploads count, a
 * refusal leaves nothing behind, and parallel creations never pass the
 * quota together. One temp data directory for the whole group. */
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
	return store_exec(
		       "INSERT INTO users (id, username, display_name, role, password_hash,"
		       " created_at) VALUES (1, 'ann', 'Ann', 'agent', 'x', 0),"
		       " (2, 'bob', 'Bob', 'agent', 'x', 0), (3, 'cy', 'Cy', 'agent', 'x', 0);") ==
			       CR_OK
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

static cr_err create(int64_t owner, int quota, struct upload *u)
{
	memset(u, 0, sizeof *u);
	u->owner_id = owner;
	u->length = 1000;
	u->created_at = time(NULL);
	u->expires_at = u->created_at + 3600;
	return uploads_create(&cfg, u, quota);
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
		cmocka_unit_test(test_parallel_creations_never_pass_the_quota),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
