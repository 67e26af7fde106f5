/* Unit tests for push rules (src/loop/push_rules.c, push_history.c): a rule
 * fires once per agent while a push is open, counts days with data only,
 * follows the metric's direction, tracks the push until the metric has
 * recovered for N days (not until the clips are watched), and flags the
 * overdue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/paths.h"
#include "casereel/push_rules.h"
#include "casereel/store.h"
#include "../test_db.h"

#define TODAY 20000

static int group_setup(void **state)
{
	(void)state;
	if (test_db_open(NULL))
		return -1;
	return store_exec(
		       "INSERT INTO teams(id, name, created_at) VALUES (1, 'Day', 0);"
		       "INSERT INTO tags(id, name, label, created_at) VALUES (1, 'refunds', 'R', "
		       "0);"
		       "INSERT INTO users(id, username, display_name, role, team_id, password_hash,"
		       " created_at) VALUES (1, 'lin', 'Lin', 'trainer', 1, 'x', 0),"
		       " (2, 'a', 'A', 'agent', 1, 'x', 0), (3, 'b', 'B', 'agent', 1, 'x', 0),"
		       " (4, 'c', 'C', 'agent', 1, 'x', 0), (5, 'd', 'D', 'agent', 1, 'x', 0);"
		       "INSERT INTO metrics(id, name, label_en, label_zh, direction, per_skill,"
		       " target, min_value, max_value, created_at) VALUES"
		       " (1, 'qa_score', 'QA', 'QA', 'higher', 1, 80, 0, 100, 0),"
		       " (2, 'aht_seconds', 'AHT', 'AHT', 'lower', 0, 360, 0, 3600, 0);"
		       "INSERT INTO videos(id, owner_id, title, status, source_bytes, created_at,"
		       " updated_at) VALUES (1, 1, 'Refund rule', 'published', 1, 0, 0);") == CR_OK
		       ? 0
		       : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return test_db_close();
}

/* Writes values[i] for day TODAY - first + i (NaN-free; skip with -1). */
static void series(int user, int metric, int tag, int first, const double *values, size_t n)
{
	sqlite3_stmt *st =
		store_stmt("INSERT OR REPLACE INTO metric_values(user_id, metric_id,"
			   " tag_id, day, value, import_id) VALUES (?1, ?2, ?3, ?4, ?5, 1)");
	for (size_t i = 0; i < n; i++) {
		if (values[i] < 0)
			continue;
		sqlite3_bind_int(st, 1, user);
		sqlite3_bind_int(st, 2, metric);
		sqlite3_bind_int(st, 3, tag);
		sqlite3_bind_int(st, 4, TODAY - first + (int)i);
		sqlite3_bind_double(st, 5, values[i]);
		assert_int_equal(store_run(st, "series"), CR_OK);
	}
}

static int64_t count(const char *sql)
{
	sqlite3_stmt *st = store_stmt(sql);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	store_done(st);
	return n;
}

static void test_fire_track_qualify(void **state)
{
	(void)state;
	int64_t path_id, rule_id;
	struct path_step_in step = {1, false};
	struct cr_problem why = {0};
	assert_int_equal(paths_create("Refunds mastery", NULL, &step, 1, 1, &path_id, NULL), CR_OK);

	struct push_rule_fields f = {.name = "refunds QA under 70",
				     .metric = "qa_score",
				     .tag = "refunds",
				     .threshold = 70,
				     .window_days = 7,
				     .min_days = 5,
				     .path_id = path_id,
				     .due_days = 7,
				     .recover_days = 3,
				     .by = 1};
	struct push_rule_fields wrong = f;
	wrong.tag = NULL; /* a per-skill metric needs its tag */
	assert_int_equal(push_rule_create(&wrong, &rule_id, &why), CR_EINVAL);
	assert_string_equal(why.field, "tag");
	wrong = f;
	wrong.min_days = 8;
	assert_int_equal(push_rule_create(&wrong, &rule_id, &why), CR_EINVAL);
	assert_string_equal(why.field, "min_days");
	wrong = f;
	wrong.metric = "nope";
	assert_int_equal(push_rule_create(&wrong, &rule_id, &why), CR_EINVAL);
	assert_string_equal(why.field, "metric");
	wrong = f;
	wrong.path_id = 99;
	assert_int_equal(push_rule_create(&wrong, &rule_id, &why), CR_EINVAL);
	assert_string_equal(why.field, "path_id");
	assert_int_equal(push_rule_create(&f, &rule_id, NULL), CR_OK);

	/* the last 7 days (TODAY-6 .. TODAY) */
	const double a[] = {60, 65, 75, 62, 61, 80, 64}; /* 5 of 7 below 70: fires */
	const double b[] = {60, 65, 75, 62, 71, 80, 64}; /* 4 of 7: no */
	const double c[] = {60, -1, 61, -1, 62, -1, 63}; /* 4 days with data, all bad: no */
	const double old[] = {50, 50, 50, 50, 50};       /* long ago: outside the window */
	series(2, 1, 1, 6, a, 7);
	series(3, 1, 1, 6, b, 7);
	series(4, 1, 1, 6, c, 7);
	series(5, 1, 1, 30, old, 5);

	struct push_pass pass;
	assert_int_equal(push_rules_evaluate(TODAY, &pass), CR_OK);
	assert_int_equal(pass.rules, 1);
	assert_int_equal(pass.fired, 1);
	assert_int_equal(count("SELECT user_id FROM pushes"), 2);
	assert_int_equal(count("SELECT trigger_value * 10 FROM pushes"), 640);
	json_t *mine;
	assert_int_equal(paths_mine_json(2, 1, false, &mine), CR_OK);
	assert_int_equal(json_array_size(mine), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(mine, 0), "source")),
			    "rule");
	json_decref(mine);

	/* the next day: still on the wrong side, but one open push is enough */
	const double a2[] = {60};
	series(2, 1, 1, -1, a2, 1);
	assert_int_equal(push_rules_evaluate(TODAY + 1, &pass), CR_OK);
	assert_int_equal(pass.fired, 0);
	assert_int_equal(count("SELECT count(*) FROM pushes"), 1);

	/* watching the clips does not close it; three good days with data do */
	assert_int_equal(store_exec("INSERT INTO watches(user_id, video_id, started_at, last_at,"
				    " completed_at, first_at) VALUES (2, 1, 0, 0, 100, 0)"),
			 CR_OK);
	const double good[] = {72, -1, 75};
	series(2, 1, 1, -2, good, 3);
	assert_int_equal(push_rules_evaluate(TODAY + 3, &pass), CR_OK);
	assert_int_equal(pass.qualified, 0); /* two good days so far */
	const double good2[] = {78};
	series(2, 1, 1, -5, good2, 1);
	assert_int_equal(push_rules_evaluate(TODAY + 5, &pass), CR_OK);
	assert_int_equal(pass.qualified, 1);
	assert_int_equal(count("SELECT count(*) FROM pushes WHERE state = 'qualified'"), 1);
	assert_int_equal(paths_mine_json(2, 1, false, &mine), CR_OK);
	assert_int_equal(json_array_size(mine), 0); /* the path left the agent's list */
	json_decref(mine);

	/* the history says who, when, why and how it ended */
	json_t *rule;
	assert_int_equal(push_rule_json(rule_id, &rule), CR_OK);
	json_t *push = json_array_get(json_object_get(rule, "history"), 0);
	assert_string_equal(json_string_value(json_object_get(push, "state")), "qualified");
	assert_int_equal(json_integer_value(json_object_get(push, "bad_days")), 5);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(push, "path"), "steps_done")),
		1);
	json_decref(rule);
}

static void test_lower_is_better_and_overdue(void **state)
{
	(void)state;
	int64_t path_id = 1, rule_id;
	/* the first test's rule would see its old days again at TODAY */
	assert_int_equal(push_rule_set_active(1, false), CR_OK);
	struct push_rule_fields f = {.name = "slow calls",
				     .metric = "aht_seconds",
				     .threshold = 600,
				     .window_days = 3,
				     .min_days = 2,
				     .path_id = path_id,
				     .due_days = 1,
				     .recover_days = 2,
				     .by = 1};
	assert_int_equal(push_rule_create(&f, &rule_id, NULL), CR_OK);
	const double slow[] = {700, 650, 300}; /* above 600 on 2 of 3 days: wrong side */
	const double fast[] = {300, 320, 700};
	series(3, 2, 0, 2, slow, 3);
	series(4, 2, 0, 2, fast, 3);
	struct push_pass pass;
	assert_int_equal(push_rules_evaluate(TODAY, &pass), CR_OK);
	assert_int_equal(pass.fired, 1);
	assert_int_equal(count("SELECT user_id FROM pushes WHERE state = 'open'"), 3);

	assert_int_equal(store_exec("UPDATE pushes SET due_at = 1 WHERE state = 'open'"), CR_OK);
	json_t *rules;
	assert_int_equal(push_rules_json(&rules), CR_OK);
	json_t *r = json_array_get(rules, 0); /* newest first */
	assert_int_equal(json_integer_value(json_object_get(r, "id")), rule_id);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(r, "pushes"), "overdue")), 1);
	json_decref(rules);

	/* a rule turned off fires no more */
	assert_int_equal(push_rule_set_active(rule_id, false), CR_OK);
	const double slow5[] = {900, 900, 900};
	series(5, 2, 0, 2, slow5, 3);
	assert_int_equal(push_rules_evaluate(TODAY, &pass), CR_OK);
	assert_int_equal(pass.fired, 0);
	assert_int_equal(pass.rules, 0);
	assert_int_equal(push_rule_set_active(999, true), CR_ENOTFOUND);

	/* ...but its open push is still tracked, and qualifies once the agent is back */
	const double quick[] = {400, 420};
	series(3, 2, 0, -1, quick, 2);
	assert_int_equal(push_rules_evaluate(TODAY + 2, &pass), CR_OK);
	assert_int_equal(pass.fired, 0);
	assert_int_equal(pass.qualified, 1);
	assert_int_equal(
		count("SELECT count(*) FROM pushes WHERE user_id = 3 AND state = 'qualified'"), 1);
	assert_int_equal(count("SELECT count(*) FROM pushes WHERE user_id = 5"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fire_track_qualify),
		cmocka_unit_test(test_lower_is_better_and_overdue),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
