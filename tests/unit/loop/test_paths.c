/* Unit tests for learning paths (src/loop/paths.c, path_progress.c): only
 * published clips make steps, assignments by person and by team, progress
 * derived from watches, quiz gates passed on first answers or on a retake,
 * the feed's next steps, archiving. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/paths.h"
#include "casereel/store.h"
#include "../test_db.h"

static int group_setup(void **state)
{
	(void)state;
	if (test_db_open(NULL))
		return -1;
	return store_exec(
		       "INSERT INTO teams(id, name, created_at) VALUES (1, 'Day', 0), (2, 'Night', "
		       "0);"
		       "INSERT INTO users(id, username, display_name, role, team_id, password_hash,"
		       " created_at) VALUES (1, 'lin', 'Lin', 'trainer', 1, 'x', 0),"
		       " (2, 'mei', 'Mei', 'agent', 1, 'x', 0), (3, 'li', 'Li', 'agent', 2, 'x', "
		       "0);"
		       "INSERT INTO videos(id, owner_id, title, status, source_bytes, created_at,"
		       " updated_at) VALUES (1, 1, 'Refund rule', 'published', 1, 0, 0),"
		       " (2, 1, 'Refund calls', 'published', 1, 0, 0),"
		       " (3, 1, 'Refund quiz', 'published', 1, 0, 0),"
		       " (4, 1, 'Draft', 'pending_review', 1, 0, 0);"
		       "INSERT INTO quiz_questions(id, video_id, position, text, choices, answer,"
		       " created_by, created_at) VALUES (1, 3, 1, 'Q1', '[\"a\",\"b\"]', 1, 1, 0),"
		       " (2, 3, 2, 'Q2', '[\"a\",\"b\"]', 0, 1, 0);") == CR_OK
		       ? 0
		       : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return test_db_close();
}

static void exec(const char *sql)
{
	assert_int_equal(store_exec(sql), CR_OK);
}

static int64_t path_id;

static void test_steps_must_be_published_once(void **state)
{
	(void)state;
	struct cr_problem why = {0};
	int64_t id;
	struct path_step_in draft[] = {{1, false}, {4, false}};
	assert_int_equal(paths_create("x", NULL, draft, 2, 1, &id, &why), CR_EINVAL);
	assert_string_equal(why.field, "steps");
	assert_non_null(strstr(why.detail, "step 2:"));
	struct path_step_in twice[] = {{1, false}, {2, false}, {1, false}};
	assert_int_equal(paths_create("x", NULL, twice, 3, 1, &id, &why), CR_EINVAL);
	assert_non_null(strstr(why.detail, "step 3:"));
	assert_int_equal(paths_create("x", NULL, twice, 0, 1, &id, &why), CR_EINVAL);
	assert_false(store_exists("SELECT 1 FROM paths", 0, 0));

	struct path_step_in steps[] = {{1, false}, {2, false}, {3, true}};
	assert_int_equal(
		paths_create("Refunds mastery", "three steps", steps, 3, 1, &path_id, NULL), CR_OK);
	json_t *p;
	assert_int_equal(paths_json(path_id, &p), CR_OK);
	json_t *s = json_object_get(p, "steps");
	assert_int_equal(json_array_size(s), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(s, 2), "title")),
			    "Refund quiz");
	assert_true(json_is_true(json_object_get(json_array_get(s, 2), "quiz_gate")));
	assert_int_equal(
		json_integer_value(json_object_get(json_array_get(s, 2), "quiz_questions")), 2);
	json_decref(p);
}

static void test_progress_and_gates(void **state)
{
	(void)state;
	int64_t a1, a2;
	struct path_assign to_team = {
		.path_id = path_id, .team_id = 1, .due_at = 2000000000, .by = 1};
	assert_int_equal(paths_assign(&to_team, &a1), CR_OK);
	struct path_assign nobody = {.path_id = path_id, .user_id = 99, .by = 1};
	assert_int_equal(paths_assign(&nobody, &a2), CR_ENOTFOUND);

	struct path_progress p;
	assert_int_equal(paths_progress(path_id, 2, &p), CR_OK);
	assert_int_equal(p.steps, 3);
	assert_int_equal(p.done, 0);
	assert_int_equal(p.next_position, 1);
	struct path_next next[4];
	size_t n;
	assert_int_equal(paths_next_steps(2, 1, next, 4, &n), CR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(next[0].video_id, 1);
	assert_int_equal(paths_next_steps(3, 2, next, 4, &n), CR_OK); /* the other team */
	assert_int_equal(n, 0);

	/* step 2 done first: the next step is still the first one */
	exec("INSERT INTO watches(user_id, video_id, started_at, last_at, completed_at, first_at)"
	     " VALUES (2, 2, 0, 0, 1000, 0)");
	assert_int_equal(paths_progress(path_id, 2, &p), CR_OK);
	assert_int_equal(p.done, 1);
	assert_int_equal(p.next_video_id, 1);
	exec("INSERT INTO watches(user_id, video_id, started_at, last_at, completed_at, first_at)"
	     " VALUES (2, 1, 0, 0, 1100, 0), (2, 3, 0, 0, 1200, 0)");
	/* the gated clip is watched but its quiz is not passed */
	assert_int_equal(paths_progress(path_id, 2, &p), CR_OK);
	assert_int_equal(p.done, 2);
	assert_int_equal(p.next_position, 3);
	assert_true(p.next_needs_quiz);
	assert_int_equal(p.completed_at, 0);

	/* one wrong first answer fails the gate; a passed retake opens it */
	exec("INSERT INTO quiz_answers(question_id, user_id, choice, correct, created_at)"
	     " VALUES (1, 2, 1, 1, 1300), (2, 2, 1, 0, 1300)");
	assert_int_equal(paths_progress(path_id, 2, &p), CR_OK);
	assert_int_equal(p.done, 2);
	exec("INSERT INTO quiz_gate_attempts(user_id, video_id, attempted_at, passed)"
	     " VALUES (2, 3, 1400000, 0), (2, 3, 1500000, 1)");
	assert_int_equal(paths_progress(path_id, 2, &p), CR_OK);
	assert_int_equal(p.done, 3);
	assert_int_equal(p.next_position, 0);
	assert_int_equal(p.completed_at, 1500);
	assert_int_equal(paths_next_steps(2, 1, next, 4, &n), CR_OK);
	assert_int_equal(n, 0);

	json_t *mine;
	assert_int_equal(paths_mine_json(2, 1, false, &mine), CR_OK);
	assert_int_equal(json_array_size(mine), 1);
	json_t *m = json_array_get(mine, 0);
	assert_int_equal(json_integer_value(json_object_get(m, "steps_done")), 3);
	assert_int_equal(json_integer_value(json_object_get(m, "completed_at")), 1500);
	assert_false(json_is_true(json_object_get(m, "overdue")));
	json_decref(mine);

	/* first answers all right pass a gate without a retake */
	exec("INSERT INTO users(id, username, display_name, role, team_id, password_hash,"
	     " created_at) VALUES (4, 'wu', 'Wu', 'agent', 1, 'x', 0);"
	     "INSERT INTO watches(user_id, video_id, started_at, last_at, completed_at, first_at)"
	     " VALUES (4, 1, 0, 0, 10, 0), (4, 2, 0, 0, 10, 0), (4, 3, 0, 0, 10, 0);"
	     "INSERT INTO quiz_answers(question_id, user_id, choice, correct, created_at)"
	     " VALUES (1, 4, 1, 1, 20), (2, 4, 0, 1, 30);");
	assert_int_equal(paths_progress(path_id, 4, &p), CR_OK);
	assert_int_equal(p.completed_at, 30);

	/* an overdue path says so; archiving takes it out of the agent's list */
	struct path_assign late = {.path_id = path_id, .user_id = 3, .due_at = 1000, .by = 1};
	assert_int_equal(paths_assign(&late, &a2), CR_OK);
	assert_int_equal(paths_mine_json(3, 2, false, &mine), CR_OK);
	assert_true(json_is_true(json_object_get(json_array_get(mine, 0), "overdue")));
	json_decref(mine);
	assert_int_equal(paths_unassign(a2), CR_OK);
	assert_int_equal(paths_unassign(a2), CR_ENOTFOUND);
	assert_int_equal(paths_archive(path_id), CR_OK);
	assert_int_equal(paths_archive(path_id), CR_ECONFLICT);
	assert_int_equal(paths_mine_json(2, 1, false, &mine), CR_OK);
	assert_int_equal(json_array_size(mine), 0);
	json_decref(mine);
	assert_int_equal(paths_assign(&to_team, &a1), CR_ECONFLICT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps_must_be_published_once),
		cmocka_unit_test(test_progress_and_gates),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
