/* Unit tests for src/janitor.c: which files of removed and failed clips
 * go and when, what counts as a stray, and what is never touched (running
 * transcodes, uploads being written, fresh files, names and paths the
 * server does not make, anything behind a symlink). One database and one
 * media root in a temp dir for the whole group; each test starts empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "casereel/config.h"
#include "casereel/janitor.h"
#include "casereel/media.h"
#include "casereel/media_versions.h"
#include "casereel/store.h"
#include "casereel/uploads.h"

#define HOUR 3600

static char dir[] = "/tmp/casereel-janitor-XXXXXX";
static struct cr_config cfg;

/* <media>/<sub>/<name>. */
static void path_in(char *out, size_t size, const char *sub, const char *name)
{
	int n = snprintf(out, size, "%s/%s/%s", cfg.media_dir, sub, name);
	assert_true(n > 0 && (size_t)n < size);
}

static bool exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0;
}

static bool in_media(const char *sub, const char *name)
{
	char path[PATH_MAX];
	path_in(path, sizeof path, sub, name);
	return exists(path);
}

static void write_file(const char *path)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("bytes", f);
	fclose(f);
}

static void put(const char *sub, const char *name)
{
	char path[PATH_MAX];
	path_in(path, sizeof path, sub, name);
	write_file(path);
}

/* v/<id>/1/ (with v/<id>/) or v/<id>.tmp/ with a file in it. */
static void put_dir(int64_t id, bool tmp)
{
	char d[PATH_MAX], f[PATH_MAX + 16];
	if (!tmp) {
		assert_int_equal(media_video_dir(&cfg, id, MEDIA_DIR_CLIP, d, sizeof d), CR_OK);
		assert_int_equal(mkdir(d, 0750), 0);
	}
	assert_int_equal(media_video_dir(&cfg, id, tmp ? MEDIA_DIR_SCRATCH : 1, d, sizeof d),
			 CR_OK);
	assert_int_equal(mkdir(d, 0750), 0);
	snprintf(f, sizeof f, "%s/720p.mp4", d);
	write_file(f);
}

static bool has_dir(int64_t id, bool tmp)
{
	char d[PATH_MAX];
	assert_int_equal(
		media_video_dir(&cfg, id, tmp ? MEDIA_DIR_SCRATCH : MEDIA_DIR_CLIP, d, sizeof d),
		CR_OK);
	return exists(d);
}

static void sql(const char *q)
{
	assert_int_equal(store_exec(q), CR_OK);
}

/* The first column of `q`'s first row, with ?1 = id when it has one. */
static int64_t sql_int(const char *q, int64_t id)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(store_db(), q, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_bind_parameter_count(st))
		sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A video row with `status`, last changed at `updated_at`, whose source
 * is incoming/<source_id> (NULL: none; a '/' in it: stored as given), and a
 * job in `job_state` (NULL: none). */
static int64_t add_video(const char *status, int64_t updated_at, const char *source_id,
			 const char *job_state)
{
	char rel[PATH_MAX] = "";
	if (source_id && strchr(source_id, '/'))
		snprintf(rel, sizeof rel, "%s", source_id);
	else if (source_id)
		assert_int_equal(media_upload_rel(source_id, rel, sizeof rel), CR_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(
		sqlite3_prepare_v2(store_db(),
				   "INSERT INTO videos(owner_id, title, status, source_path,"
				   " source_bytes, created_at, updated_at)"
				   " VALUES (1, 't', ?1, ?2, 5, ?3, ?3)",
				   -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	if (source_id)
		sqlite3_bind_text(st, 2, rel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, updated_at);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	int64_t id = sqlite3_last_insert_rowid(store_db());
	if (job_state) {
		assert_int_equal(sqlite3_prepare_v2(store_db(),
						    "INSERT INTO jobs(video_id, state, created_at)"
						    " VALUES (?1, ?2, 0)",
						    -1, &st, NULL),
				 SQLITE_OK);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, job_state, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
	}
	return id;
}

static void add_upload(const char *id, int64_t video_id)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(store_db(),
					    "INSERT INTO uploads(id, owner_id, length, created_at,"
					    " expires_at, video_id) VALUES (?1, 1, 5, 0, 0, ?2)",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (video_id)
		sqlite3_bind_int64(st, 2, video_id);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void new_id(char id[MEDIA_ID_CHARS + 1])
{
	media_random_id(id);
}

static int purge(time_t now)
{
	int n = -1;
	assert_int_equal(janitor_purge_clips(&cfg, now, &n), CR_OK);
	return n;
}

static int strays(time_t now)
{
	int n = -1;
	assert_int_equal(janitor_remove_strays(&cfg, now, &n), CR_OK);
	return n;
}

static bool purged(int64_t id)
{
	return sql_int("SELECT media_purged_at IS NOT NULL FROM videos WHERE id = ?1", id);
}

static bool source_forgotten(int64_t id)
{
	return sql_int("SELECT source_path IS NULL FROM videos WHERE id = ?1", id);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	return ftw->level == 0 ? 0 : remove(path);
}

/* Empties incoming/ and v/ (never following symlinks) and the tables. */
static int clean(void **state)
{
	(void)state;
	char path[PATH_MAX];
	cfg.purge_after = 0;
	for (int i = 0; i < 2; i++) {
		path_in(path, sizeof path, i ? "v" : "incoming", "");
		nftw(path, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	}
	return store_exec("DELETE FROM uploads; DELETE FROM jobs; DELETE FROM media_retired;"
			  " DELETE FROM videos;") == CR_OK
		       ? 0
		       : -1;
}

static int group_setup(void **state)
{
	(void)state;
	char db[PATH_MAX];
	if (!mkdtemp(dir))
		return -1;
	config_defaults(&cfg);
	snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", dir);
	snprintf(cfg.media_dir, sizeof cfg.media_dir, "%s/media", dir);
	snprintf(db, sizeof db, "%s/test.db", dir);
	if (mkdir(cfg.media_dir, 0750) || media_prepare(&cfg) || store_init(db))
		return -1;
	return store_exec("INSERT INTO users(id, username, display_name, role, password_hash,"
			  " created_at) VALUES (1, 'a', 'a', 'agent', 'x', 0)") == CR_OK
		       ? 0
		       : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	store_close_thread();
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	rmdir(dir);
	return 0;
}

static void failed_and_removed_clips_lose_every_file(void **state)
{
	(void)state;
	time_t now = time(NULL);
	char s1[33], s2[33], s3[33];
	new_id(s1), new_id(s2), new_id(s3);
	int64_t failed = add_video("failed", now, s1, "failed");
	int64_t removed = add_video("removed", now, s2, "done");
	int64_t published = add_video("published", now, s3, "done");
	put("incoming", s1), put("incoming", s2), put("incoming", s3);
	put_dir(failed, true); /* a scratch directory left by a crash */
	put_dir(removed, false), put_dir(removed, true), put_dir(published, false);

	assert_int_equal(purge(now), 2);
	assert_false(in_media("incoming", s1));
	assert_false(in_media("incoming", s2));
	assert_false(has_dir(failed, true));
	assert_false(has_dir(removed, false));
	assert_false(has_dir(removed, true));
	assert_true(purged(failed) && source_forgotten(failed));
	assert_true(purged(removed) && source_forgotten(removed));
	/* the published clip keeps its files and its row */
	assert_true(in_media("incoming", s3));
	assert_true(has_dir(published, false));
	assert_false(purged(published) || source_forgotten(published));
	assert_int_equal(purge(now), 0); /* recorded: the next round has nothing to do */
}

static void a_running_transcode_is_waited_for(void **state)
{
	(void)state;
	time_t now = time(NULL);
	char src[33];
	new_id(src);
	int64_t id = add_video("removed", now, src, "running");
	put("incoming", src);
	put_dir(id, true);
	assert_int_equal(purge(now), 0);
	assert_true(in_media("incoming", src));
	assert_true(has_dir(id, true));
	/* the worker finishes, publishing its output after the removal */
	sql("UPDATE jobs SET state = 'done'");
	put_dir(id, false);
	assert_int_equal(purge(now), 1);
	assert_false(in_media("incoming", src));
	assert_false(has_dir(id, true) || has_dir(id, false));
}

static void purge_after_counts_from_the_last_change(void **state)
{
	(void)state;
	time_t now = time(NULL);
	char src[33];
	new_id(src);
	cfg.purge_after = HOUR;
	int64_t id = add_video("removed", now - 10, src, "queued");
	put("incoming", src);
	assert_int_equal(purge(now), 0);
	assert_true(in_media("incoming", src));
	assert_int_equal(purge(now + HOUR), 1);
	assert_false(in_media("incoming", src));
	assert_true(purged(id));
}

static void an_upload_being_written_is_left_for_later(void **state)
{
	(void)state;
	time_t now = time(NULL);
	char src[33];
	new_id(src);
	int64_t id = add_video("failed", now, src, "failed");
	put("incoming", src);
	assert_true(uploads_lock(src));
	assert_int_equal(purge(now), 0);
	assert_true(in_media("incoming", src));
	assert_false(purged(id));
	uploads_unlock(src);
	assert_int_equal(purge(now), 1);
	assert_false(in_media("incoming", src));
}

static void stored_paths_the_server_does_not_make_are_never_deleted(void **state)
{
	(void)state;
	time_t now = time(NULL);
	char id[33], out[33];
	new_id(id);
	assert_int_equal(media_upload_rel_parse("incoming/0123456789abcdef0123456789abcdef", out),
			 CR_OK);
	assert_string_equal(out, "0123456789abcdef0123456789abcdef");
	static const char *const bad[] = {
		"../test.db",
		"incoming/../../test.db",
		"/etc/hostname",
		"incoming/ABCDEF0123456789abcdef0123456789",
		"incoming/0123456789abcdef0123456789abcdef/x",
		"incoming/0123456789abcdef0123456789abcde",
		"v/1/720p.mp4",
		"incoming/",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(media_upload_rel_parse(bad[i], out), CR_EINVAL);
		add_video("removed", now, bad[i], "queued");
	}
	char db[PATH_MAX];
	snprintf(db, sizeof db, "%s/test.db", dir);
	assert_int_equal(purge(now), (int)(sizeof bad / sizeof bad[0]));
	assert_true(exists(db));
	assert_true(exists("/etc/hostname"));
	/* recorded as done, the stored path kept: the row still says where it is */
	assert_int_equal(sql_int("SELECT count(*) FROM videos WHERE media_purged_at IS NOT NULL"
				 " AND source_path IS NOT NULL",
				 0),
			 (int64_t)(sizeof bad / sizeof bad[0]));
}

static void a_symlink_for_an_output_directory_is_not_followed(void **state)
{
	(void)state;
	time_t now = time(NULL);
	char outside[PATH_MAX], kept[PATH_MAX + 16], link[PATH_MAX];
	snprintf(outside, sizeof outside, "%s/outside", dir);
	assert_int_equal(mkdir(outside, 0750), 0);
	snprintf(kept, sizeof kept, "%s/keep.txt", outside);
	write_file(kept);
	int64_t id = add_video("removed", now, NULL, "queued");
	assert_int_equal(media_video_dir(&cfg, id, MEDIA_DIR_CLIP, link, sizeof link), CR_OK);
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(purge(now), 1);
	assert_true(exists(kept));
	assert_false(exists(link)); /* the link itself goes */
	remove(kept), rmdir(outside);
}

static void a_large_backlog_goes_in_one_round(void **state)
{
	(void)state;
	time_t now = time(NULL);
	enum { N = 150 }; /* more than two batches */
	char ids[N][33];
	assert_int_equal(store_begin(), CR_OK);
	for (int i = 0; i < N; i++) {
		new_id(ids[i]);
		add_video(i % 2 ? "failed" : "removed", now, ids[i], "failed");
		put("incoming", ids[i]);
	}
	assert_int_equal(store_commit(), CR_OK);
	assert_int_equal(purge(now), N);
	for (int i = 0; i < N; i++)
		assert_false(in_media("incoming", ids[i]));
	assert_int_equal(sql_int("SELECT count(*) FROM videos WHERE media_purged_at IS NULL", 0),
			 0);
}

static void orphans_go_only_when_old_unnamed_and_unlocked(void **state)
{
	(void)state;
	time_t now = time(NULL);
	char orphan[33], open_upload[33], done_upload[33], seeded[33], locked[33], link[33];
	new_id(orphan), new_id(open_upload), new_id(done_upload), new_id(seeded), new_id(locked);
	new_id(link);
	add_upload(open_upload, 0);
	add_upload(done_upload, add_video("published", now, done_upload, "done"));
	add_video("processing", now, seeded, "queued"); /* the demo seed makes no upload row */
	const char *files[] = {orphan,
			       open_upload,
			       done_upload,
			       seeded,
			       locked,
			       "notes.txt",
			       "0123456789ABCDEF0123456789ABCDEF"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		put("incoming", files[i]);
	char target[PATH_MAX], lpath[PATH_MAX];
	snprintf(target, sizeof target, "%s/test.db", dir);
	path_in(lpath, sizeof lpath, "incoming", link);
	assert_int_equal(symlink(target, lpath), 0);

	assert_int_equal(strays(now), 0); /* everything is fresh */
	assert_true(in_media("incoming", orphan));
	assert_true(uploads_lock(locked));
	assert_int_equal(strays(now + 2 * HOUR), 1);
	assert_false(in_media("incoming", orphan));
	for (size_t i = 1; i < sizeof files / sizeof files[0]; i++)
		assert_true(in_media("incoming", files[i]));
	assert_true(exists(lpath) && exists(target));
	uploads_unlock(locked);
	assert_int_equal(strays(now + 2 * HOUR), 1);
	assert_false(in_media("incoming", locked));
}

static void scratch_dirs_go_only_when_their_job_never_runs_again(void **state)
{
	(void)state;
	time_t now = time(NULL);
	int64_t done = add_video("pending_review", now, NULL, "done");
	int64_t failed = add_video("failed", now, NULL, "failed");
	int64_t gone = add_video("removed", now, NULL, "queued"); /* never claimed */
	int64_t waiting = add_video("processing", now, NULL, "queued");
	int64_t running = add_video("processing", now, NULL, "running");
	int64_t leaving = add_video("removed", now, NULL, "running");
	const int64_t dead[] = {done, failed, gone}, live[] = {waiting, running, leaving};
	for (int i = 0; i < 3; i++)
		put_dir(dead[i], true), put_dir(live[i], true);
	put_dir(done, false);
	put_dir(987654, true); /* no such video yet: its id may still come */
	char odd[PATH_MAX];
	path_in(odd, sizeof odd, "v", "01.tmp"); /* not a name the server makes */
	assert_int_equal(mkdir(odd, 0750), 0);

	assert_int_equal(strays(now), 0);
	assert_int_equal(strays(now + 2 * HOUR), 3);
	for (int i = 0; i < 3; i++) {
		assert_false(has_dir(dead[i], true));
		assert_true(has_dir(live[i], true));
	}
	assert_true(has_dir(done, false));
	assert_true(has_dir(987654, true));
	assert_true(in_media("v", "01.tmp"));
}

/* Whether v/<id>/<version>/ exists. */
static bool has_version(int64_t id, int64_t version)
{
	char d[PATH_MAX];
	assert_int_equal(media_video_dir(&cfg, id, version, d, sizeof d), CR_OK);
	return exists(d);
}

static void replaced_versions_go_after_purge_after_and_only_they(void **state)
{
	(void)state;
	time_t now = time(NULL);
	cfg.purge_after = HOUR;
	int64_t id = add_video("published", now, NULL, "done");
	char d[PATH_MAX], f[PATH_MAX + 16];
	put_dir(id, false); /* version 1 */
	for (int64_t v = 2; v <= 3; v++) {
		assert_int_equal(media_video_dir(&cfg, id, v, d, sizeof d), CR_OK);
		assert_int_equal(mkdir(d, 0750), 0);
		snprintf(f, sizeof f, "%s/720p.mp4", d);
		write_file(f);
	}
	assert_int_equal(media_versions_retire(id, 1, now - 2 * HOUR), CR_OK);
	assert_int_equal(media_versions_retire(id, 2, now - 10), CR_OK);
	int n = -1;
	assert_int_equal(janitor_purge_versions(&cfg, now, &n), CR_OK);
	assert_int_equal(n, 1);
	assert_false(has_version(id, 1));
	assert_true(has_version(id, 2)); /* retired, but not --purge-after ago */
	assert_true(has_version(id, 3)); /* the live one */
	assert_int_equal(janitor_purge_versions(&cfg, now + HOUR, &n), CR_OK);
	assert_int_equal(n, 1);
	assert_false(has_version(id, 2));
	assert_true(has_version(id, 3));
	assert_int_equal(sql_int("SELECT count(*) FROM media_retired", 0), 0);
	assert_int_equal(janitor_purge_versions(&cfg, now + HOUR, &n), CR_OK);
	assert_int_equal(n, 0);
	cfg.purge_after = 0;
}

static void a_removed_clip_loses_every_version(void **state)
{
	(void)state;
	time_t now = time(NULL);
	int64_t id = add_video("removed", now - 10, NULL, "done");
	char d[PATH_MAX], f[PATH_MAX + 16];
	put_dir(id, false);
	assert_int_equal(media_video_dir(&cfg, id, 2, d, sizeof d), CR_OK);
	assert_int_equal(mkdir(d, 0750), 0);
	snprintf(f, sizeof f, "%s/poster.jpg", d);
	write_file(f);
	assert_int_equal(purge(now), 1);
	assert_false(has_dir(id, false));
}

static void the_layout_before_versions_moves_into_version_one(void **state)
{
	(void)state;
	char d[PATH_MAX], f[PATH_MAX + 16];
	int64_t id = 4242;
	assert_int_equal(media_video_dir(&cfg, id, MEDIA_DIR_CLIP, d, sizeof d), CR_OK);
	assert_int_equal(mkdir(d, 0750), 0);
	for (const char *const *name = (const char *const[]){"master.m3u8", "720p.mp4", NULL};
	     *name; name++) {
		snprintf(f, sizeof f, "%s/%s", d, *name);
		write_file(f);
	}
	put_dir(77, true); /* a scratch directory is no clip directory */
	int moved = -1;
	assert_int_equal(media_layout_upgrade(&cfg, &moved), CR_OK);
	assert_int_equal(moved, 1);
	snprintf(f, sizeof f, "%s/720p.mp4", d);
	assert_false(exists(f));
	assert_int_equal(media_video_dir(&cfg, id, 1, d, sizeof d), CR_OK);
	snprintf(f, sizeof f, "%s/master.m3u8", d);
	assert_true(exists(f));
	assert_true(has_dir(77, true));
	/* a second start finds nothing to move */
	assert_int_equal(media_layout_upgrade(&cfg, &moved), CR_OK);
	assert_int_equal(moved, 0);
}

#define T(fn) cmocka_unit_test_setup(fn, clean)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(failed_and_removed_clips_lose_every_file),
		T(a_running_transcode_is_waited_for),
		T(purge_after_counts_from_the_last_change),
		T(an_upload_being_written_is_left_for_later),
		T(stored_paths_the_server_does_not_make_are_never_deleted),
		T(a_symlink_for_an_output_directory_is_not_followed),
		T(a_large_backlog_goes_in_one_round),
		T(orphans_go_only_when_old_unnamed_and_unlocked),
		T(scratch_dirs_go_only_when_their_job_never_runs_again),
		T(replaced_versions_go_after_purge_after_and_only_they),
		T(a_removed_clip_loses_every_version),
		T(the_layout_before_versions_moves_into_version_one),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
