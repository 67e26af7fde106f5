/* Unit tests for the schema migrations (src/store/schema.c) that move
 * data: a database left at version 16 with must-watch assignments comes up
 * with them as one-clip paths, the same targets, due dates, notes and
 * creators, and what people watched still done. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/schema.h"
#include "casereel/paths.h"
#include "casereel/store.h"
#include "../test_db.h"

/* The version whose migration turns must-watch assignments into paths. */
#define BEFORE_CLIP_PATHS 16

/* What version 16 held: two teams, a trainer and three agents, three
 * published clips, a series path, must-watch assignments (clip 1 to the Day
 * team and to Li of the Night team, clip 2 to Mei with no date) and Mei's
 * finished watch of clip 1. */
static const char old_rows[] =
	"INSERT INTO teams(id, name, created_at) VALUES (1, 'Day', 0), (2, 'Night', 0);"
	"INSERT INTO users(id, username, display_name, role, team_id, password_hash, created_at)"
	" VALUES (1, 'lin', 'Lin', 'trainer', 1, 'x', 0), (2, 'mei', 'Mei', 'agent', 1, 'x', 0),"
	" (3, 'li', 'Li', 'agent', 2, 'x', 0), (4, 'wu', 'Wu', 'agent', 1, 'x', 0);"
	"INSERT INTO videos(id, owner_id, title, status, source_bytes, created_at, updated_at)"
	" VALUES (1, 1, 'New refund policy', 'published', 1, 0, 0),"
	" (2, 1, 'Audit checklist', 'published', 1, 0, 0), (3, 1, 'Greeting', 'published', 1, 0, "
	"0);"
	"INSERT INTO paths(id, name, created_by, created_at) VALUES (7, 'Week one', 1, 5);"
	"INSERT INTO path_steps(path_id, position, video_id) VALUES (7, 1, 3);"
	"INSERT INTO assignments(id, video_id, team_id, user_id, due_at, note, created_by,"
	" created_at) VALUES (1, 1, 1, NULL, 2000000000, 'Before the audit', 1, 100),"
	" (2, 2, NULL, 2, NULL, '', 1, 200), (3, 1, NULL, 3, 1000, 'Late', 1, 300);"
	"INSERT INTO watches(user_id, video_id, started_at, last_at, completed_at, first_at)"
	" VALUES (2, 1, 0, 0, 150, 0);";

/* Builds a database at version BEFORE_CLIP_PATHS holding old_rows, then
 * opens it through store_init, which migrates it. */
static int group_setup(void **state)
{
	(void)state;
	char path[sizeof test_db_dir + 16];
	sqlite3 *db = NULL;
	if (!mkdtemp(test_db_dir))
		return -1;
	snprintf(path, sizeof path, "%s/test.db", test_db_dir);
	int rc = sqlite3_open(path, &db);
	for (size_t i = 0; rc == SQLITE_OK && i < BEFORE_CLIP_PATHS; i++)
		rc = sqlite3_exec(db, schema_migrations[i], NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, old_rows, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA user_version = 16", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK && store_init(path) == CR_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return test_db_close();
}

static int64_t count(const char *sql)
{
	sqlite3_stmt *st = store_stmt(sql);
	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	store_done(st);
	return n;
}

static void test_assignments_become_clip_paths(void **state)
{
	(void)state;
	assert_int_equal(store_schema_version(), (int)schema_migration_count);
	assert_int_equal(count("SELECT count(*) FROM sqlite_master WHERE name = 'assignments'"), 0);
	/* one path per clip, one step each, after the series path's id */
	assert_int_equal(count("SELECT count(*) FROM paths WHERE kind = 'clip'"), 2);
	assert_int_equal(count("SELECT count(*) FROM paths WHERE kind = 'series' AND id = 7"), 1);
	assert_int_equal(count("SELECT count(*) FROM paths p JOIN path_steps s ON s.path_id = p.id"
			       " WHERE p.kind = 'clip' AND p.id > 7 AND s.position = 1"
			       " AND s.quiz_gate = 0 AND p.name = (SELECT title FROM videos"
			       " WHERE id = s.video_id) AND p.created_by = 1"),
			 2);
	/* every assignment, with its target, date, note, creator and time */
	assert_int_equal(
		count("SELECT count(*) FROM path_assignments a JOIN path_steps s"
		      " ON s.path_id = a.path_id WHERE a.source = 'trainer' AND a.created_by = 1"
		      " AND a.removed_at IS NULL AND ((s.video_id = 1 AND a.team_id = 1"
		      "  AND a.due_at = 2000000000 AND a.note = 'Before the audit'"
		      "  AND a.created_at = 100) OR (s.video_id = 2 AND a.user_id = 2"
		      "  AND a.due_at IS NULL AND a.note = '' AND a.created_at = 200)"
		      " OR (s.video_id = 1 AND a.user_id = 3 AND a.due_at = 1000"
		      "  AND a.note = 'Late' AND a.created_at = 300))"),
		3);
	assert_int_equal(count("SELECT count(DISTINCT path_id) FROM path_assignments"), 2);
}

/* The item of the one-clip path of `video_id` in `mine`, or NULL. */
static json_t *item_of(json_t *mine, int64_t video_id)
{
	size_t i;
	json_t *m;
	json_array_foreach(mine, i, m)
	{
		json_t *steps = json_object_get(m, "steps");
		if (json_integer_value(json_object_get(json_array_get(steps, 0), "video_id")) ==
		    video_id)
			return m;
	}
	return NULL;
}

static const char *text(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void test_what_people_watched_stays_done(void **state)
{
	(void)state;
	json_t *mine;
	/* Mei (Day team): clip 1 through her team, finished; clip 2 to her, not yet */
	assert_int_equal(paths_mine_json(2, 1, true, &mine), CR_OK);
	assert_int_equal(json_array_size(mine), 2);
	json_t *done = item_of(mine, 1), *todo = item_of(mine, 2);
	assert_non_null(done);
	assert_non_null(todo);
	assert_string_equal(text(done, "kind"), "clip");
	assert_string_equal(text(done, "state"), "complete");
	assert_string_equal(text(done, "title"), "New refund policy");
	assert_string_equal(text(done, "note"), "Before the audit");
	assert_int_equal(json_integer_value(json_object_get(done, "completed_at")), 150);
	assert_int_equal(json_integer_value(json_object_get(done, "steps_done")), 1);
	assert_string_equal(text(todo, "state"), "not_started");
	assert_true(json_is_null(json_object_get(todo, "due_at")));
	assert_ptr_equal(json_array_get(mine, 1), done); /* the finished after the unfinished */
	json_decref(mine);
	/* Li (Night team): clip 1 to him, overdue; the series path is nobody's */
	assert_int_equal(paths_mine_json(3, 2, true, &mine), CR_OK);
	assert_int_equal(json_array_size(mine), 1);
	assert_true(json_is_true(json_object_get(json_array_get(mine, 0), "overdue")));
	json_decref(mine);
	/* one-clip paths stay out of the series-only list */
	assert_int_equal(paths_mine_json(2, 1, false, &mine), CR_OK);
	assert_int_equal(json_array_size(mine), 0);
	json_decref(mine);
}

static void test_trainers_still_see_who_watched(void **state)
{
	(void)state;
	int64_t ids[8];
	size_t n;
	assert_int_equal(paths_clip_assignment_ids(INT64_MAX, 8, ids, &n), CR_OK);
	assert_int_equal(n, 3);
	json_t *a = NULL;
	for (size_t i = 0; i < n && !a; i++) {
		json_t *x;
		assert_int_equal(paths_clip_assignment_json(ids[i], true, &x), CR_OK);
		if (!strcmp(text(json_object_get(x, "target"), "kind"), "team"))
			a = x;
		else
			json_decref(x);
	}
	assert_non_null(a);
	assert_string_equal(text(json_object_get(a, "video"), "title"), "New refund policy");
	assert_string_equal(text(a, "note"), "Before the audit");
	assert_int_equal(json_integer_value(json_object_get(a, "assigned")), 3); /* Lin, Mei, Wu */
	assert_int_equal(json_integer_value(json_object_get(a, "watched")), 1);
	json_t *people = json_object_get(a, "people");
	json_t *last = json_array_get(people, json_array_size(people) - 1);
	assert_string_equal(text(last, "display_name"), "Mei"); /* who has not watched first */
	assert_true(json_is_true(json_object_get(last, "watched")));
	json_decref(a);
}

/* A must-watch made now reuses its clip's path and keeps the clip a step. */
static void test_new_must_watch_reuses_the_clip_path(void **state)
{
	(void)state;
	json_t *users = json_pack("[I]", (json_int_t)4), *made = json_array();
	struct cr_problem why = {0};
	assert_int_equal(paths_assign_clip(2, NULL, users, 0, "again", 1, made, &why), CR_OK);
	assert_int_equal(count("SELECT count(*) FROM paths WHERE kind = 'clip'"), 2);
	assert_int_equal(paths_assign_clip(99, NULL, users, 0, NULL, 1, made, &why), CR_EINVAL);
	assert_string_equal(why.field, "video_id");
	assert_int_equal(json_array_size(made), 1);
	json_decref(users);
	json_decref(made);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assignments_become_clip_paths),
		cmocka_unit_test(test_what_people_watched_stays_done),
		cmocka_unit_test(test_trainers_still_see_who_watched),
		cmocka_unit_test(test_new_must_watch_reuses_the_clip_path),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
