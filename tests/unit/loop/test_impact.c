/* Unit tests for the impact report (src/loop/impact.c) on a generated world
 * of 80 agents in two teams with 60 days of refunds QA: finishing clip 1
 * adds a planted +7 points, finishing clip 2 does nothing, clip 3 has too
 * few completers. Every number is seeded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/impact.h"
#include "casereel/kpi.h"
#include "casereel/store.h"
#include "../test_db.h"

#define AGENTS_PER_TEAM 40
#define EFFECT          7.0

static uint64_t lcg = 42;
static double uniform(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double)(lcg >> 11) + 0.5) / 9007199254740992.0;
}
static double normal(double sd)
{
	return sd * sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

static void exec(const char *sql)
{
	assert_int_equal(store_exec(sql), CR_OK);
}

/* Agent k of a team (0-based): which clips they finish, and on which day. */
static int32_t finished(int k, int clip, int32_t today)
{
	switch (clip) {
	case 1: return k < 25 ? today - 45 - k % 5 : 0;
	case 2: return k >= 10 && k < 35 ? today - 20 - k % 3 : 0;
	default: return k < 3 ? today - 25 : 0;
	}
}

static void complete(int64_t user, int clip, int32_t day)
{
	sqlite3_stmt *st = store_stmt("INSERT INTO watches(user_id, video_id, started_at, last_at,"
				      " completed_at, first_at) VALUES (?1, ?2, 0, 0, ?3, 0)");
	sqlite3_bind_int64(st, 1, user);
	sqlite3_bind_int(st, 2, clip);
	sqlite3_bind_int64(st, 3, (int64_t)day * 86400 + 43200); /* noon UTC that day */
	assert_int_equal(store_run(st, "complete"), CR_OK);
}

static int group_setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	if (test_db_open(NULL))
		return -1;
	exec("INSERT INTO teams(id, name, created_at) VALUES (1, 'Day', 0), (2, 'Night', 0);"
	     "INSERT INTO tags(id, name, label, created_at) VALUES (1, 'refunds', 'R', 0);"
	     "INSERT INTO users(id, username, display_name, role, password_hash, created_at)"
	     " VALUES (1, 'lin', 'Lin', 'trainer', 'x', 0);"
	     "INSERT INTO videos(id, owner_id, title, status, source_bytes, created_at, updated_at)"
	     " VALUES (1, 1, 'Refund rule', 'published', 1, 0, 0),"
	     " (2, 1, 'Small talk', 'published', 1, 0, 0), (3, 1, 'Rare', 'published', 1, 0, 0);"
	     "INSERT INTO metrics(id, name, label_en, label_zh, direction, per_skill, target,"
	     " min_value, max_value, created_at) VALUES"
	     " (1, 'qa_score', 'QA', 'QA', 'higher', 1, 80, 0, 100, 0);"
	     "BEGIN;");
	int32_t today = kpi_today();
	sqlite3_stmt *user = store_stmt("INSERT INTO users(id, username, display_name, role,"
					" team_id, password_hash, created_at, hire_date)"
					" VALUES (?1, ?2, ?2, 'agent', ?3, 'x', 0, '2020-01-01')");
	sqlite3_stmt *value = store_stmt("INSERT INTO metric_values(user_id, metric_id, tag_id,"
					 " day, value, import_id) VALUES (?1, 1, 1, ?2, ?3, 1)");
	for (int team = 1; team <= 2; team++)
		for (int k = 0; k < AGENTS_PER_TEAM; k++) {
			int64_t id = 100 * team + k;
			char name[16];
			snprintf(name, sizeof name, "a%lld", (long long)id);
			sqlite3_bind_int64(user, 1, id);
			sqlite3_bind_text(user, 2, name, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(user, 3, team);
			assert_int_equal(store_run(user, "agent"), CR_OK);
			double level = 68 + normal(6) + (team == 2 ? 3 : 0);
			int32_t first = finished(k, 1, today);
			for (int32_t d = today - 60; d < today; d++) {
				double v = level + 0.05 * (d - today) + normal(4) +
					   (first && d > first ? EFFECT : 0);
				sqlite3_bind_int64(value, 1, id);
				sqlite3_bind_int(value, 2, d);
				sqlite3_bind_double(value, 3, fmin(100, fmax(0, v)));
				assert_int_equal(store_run(value, "value"), CR_OK);
			}
			for (int clip = 1; clip <= 3; clip++)
				if (finished(k, clip, today))
					complete(id, clip, finished(k, clip, today));
		}
	exec("COMMIT;");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return test_db_close();
}

static json_t *report(int64_t video, const char *tag)
{
	struct impact_query q = {
		.kind = IMPACT_VIDEO, .id = video, .metric = "qa_score", .tag = tag};
	json_t *out = NULL;
	assert_int_equal(impact_report(&q, &out, NULL), CR_OK);
	return json_object_get(out, "estimate") ? out : NULL;
}

static double num(json_t *est, const char *key)
{
	return json_number_value(json_object_get(est, key));
}

static void test_planted_effect_found(void **state)
{
	(void)state;
	json_t *r = report(1, "refunds");
	json_t *est = json_object_get(r, "estimate");
	print_message("clip 1: n %lld/%lld, %+.2f vs %+.2f, diff %.2f [%.2f, %.2f]\n",
		      json_integer_value(json_object_get(est, "n_treated")),
		      json_integer_value(json_object_get(est, "n_control")),
		      num(est, "treated_change"), num(est, "control_change"),
		      num(est, "difference"), num(est, "ci_low"), num(est, "ci_high"));
	assert_true(json_is_true(json_object_get(est, "enough")));
	assert_int_equal(json_integer_value(json_object_get(est, "n_treated")), 50);
	assert_int_equal(json_integer_value(json_object_get(est, "n_control")), 30);
	assert_true(num(est, "ci_low") <= EFFECT && EFFECT <= num(est, "ci_high"));
	assert_true(num(est, "ci_low") > 0);
	assert_int_equal(json_array_size(json_object_get(r, "pairs")), 50);
	json_decref(r);
}

static void test_no_effect_contains_zero(void **state)
{
	(void)state;
	json_t *r = report(2, "refunds");
	json_t *est = json_object_get(r, "estimate");
	print_message("clip 2: diff %.2f [%.2f, %.2f]\n", num(est, "difference"),
		      num(est, "ci_low"), num(est, "ci_high"));
	assert_true(json_is_true(json_object_get(est, "enough")));
	assert_true(num(est, "ci_low") <= 0 && 0 <= num(est, "ci_high"));
	json_decref(r);
}

static void test_too_few_and_refusals(void **state)
{
	(void)state;
	json_t *r = report(3, "refunds");
	json_t *est = json_object_get(r, "estimate");
	assert_false(json_is_true(json_object_get(est, "enough")));
	assert_int_equal(json_integer_value(json_object_get(est, "n_treated")), 6);
	assert_true(json_is_null(json_object_get(est, "difference")));
	json_decref(r);

	json_t *out;
	struct impact_query q = {.kind = IMPACT_VIDEO, .id = 1, .metric = "qa_score"};
	struct cr_problem why = {0};
	assert_int_equal(impact_report(&q, &out, &why), CR_EINVAL); /* per skill: needs its tag */
	assert_string_equal(why.field, "tag");
	q.tag = "nope";
	assert_int_equal(impact_report(&q, &out, &why), CR_EINVAL);
	assert_string_equal(why.field, "tag");
	q.tag = "refunds";
	q.metric = "nope";
	assert_int_equal(impact_report(&q, &out, &why), CR_EINVAL);
	assert_string_equal(why.field, "metric");
	q.metric = "qa_score";
	q.id = 99;
	assert_int_equal(impact_report(&q, &out, NULL), CR_ENOTFOUND);
	q.kind = IMPACT_PATH;
	q.id = 1;
	assert_int_equal(impact_report(&q, &out, NULL), CR_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planted_effect_found),
		cmocka_unit_test(test_no_effect_contains_zero),
		cmocka_unit_test(test_too_few_and_refusals),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
