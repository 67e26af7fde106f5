/* Unit tests for the agent profile (src/loop/profile*.c) on a fixture with
 * known numbers: a team of five on refunds QA, one overall metric that
 * speaks for a skill and one that does not, a manual weak skill. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/kpi.h"
#include "casereel/profile.h"
#include "casereel/store.h"
#include "../test_db.h"

/* Writes `value` for user, metric, tag on each of the last `days` days. */
static void fill(int user, int metric, int tag, int days, double value)
{
	sqlite3_stmt *st = store_stmt("INSERT INTO metric_values(user_id, metric_id, tag_id, day,"
				      " value, import_id) VALUES (?1, ?2, ?3, ?4, ?5, 1)");
	assert_non_null(st);
	for (int d = 0; d < days; d++) {
		sqlite3_bind_int(st, 1, user);
		sqlite3_bind_int(st, 2, metric);
		sqlite3_bind_int(st, 3, tag);
		sqlite3_bind_int(st, 4, kpi_today() - d);
		sqlite3_bind_double(st, 5, value);
		assert_int_equal(store_run(st, "fill"), CR_OK);
	}
}

static int group_setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	if (test_db_open(NULL))
		return -1;
	char sql[2048];
	char hired[11];
	kpi_day_format(kpi_today() - 100, hired);
	snprintf(sql, sizeof sql,
		 "INSERT INTO teams(id, name, created_at) VALUES (1, 'Day', 0);"
		 "INSERT INTO tags(id, name, label, label_zh, created_at) VALUES"
		 " (1, 'refunds', 'R', '退款', 0), (2, 'de-escalation', 'D', NULL, 0),"
		 " (3, 'billing', 'B', NULL, 0);"
		 "INSERT INTO users(id, username, display_name, role, team_id, password_hash,"
		 " created_at, hire_date) VALUES (1, 'mei', 'Mei', 'agent', 1, 'x', 0, '%s'),"
		 " (2, 'a2', 'A2', 'agent', 1, 'x', 0, NULL), (3, 'a3', 'A3', 'agent', 1, 'x', 0, "
		 "NULL),"
		 " (4, 'a4', 'A4', 'agent', 1, 'x', 0, NULL), (5, 'a5', 'A5', 'agent', 1, 'x', 0, "
		 "NULL);"
		 "INSERT INTO user_tags(user_id, tag_id, kind) VALUES (1, 3, 'weak');"
		 "INSERT INTO metrics(id, name, label_en, label_zh, direction, per_skill, tag_id,"
		 " target, min_value, max_value, created_at) VALUES"
		 " (1, 'qa_score', 'QA', 'QA', 'higher', 1, NULL, 80, 0, 100, 0),"
		 " (2, 'csat', 'CSAT', 'CSAT', 'higher', 0, 2, 4.2, 1, 5, 0),"
		 " (3, 'aht_seconds', 'AHT', 'AHT', 'lower', 0, NULL, 360, 0, 1200, 0);",
		 hired);
	if (store_exec(sql) != CR_OK)
		return -1;
	fill(1, 1, 1, 14, 62); /* Mei: refunds QA 62 for 14 days, the team's lowest */
	fill(2, 1, 1, 14, 85);
	fill(3, 1, 1, 14, 90);
	fill(4, 1, 1, 14, 70);
	fill(5, 1, 1, 14, 75);
	fill(1, 2, 0, 10, 4.5); /* CSAT above target: no de-escalation gap */
	fill(1, 3, 0, 10, 480); /* handle time above target: an overall score only */
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return test_db_close();
}

static json_t *find(json_t *array, const char *key, const char *value)
{
	size_t i;
	json_t *item;
	json_array_foreach(array, i, item)
	{
		json_t *v = json_object_get(item, key);
		if (json_is_string(v) && strcmp(json_string_value(v), value) == 0)
			return item;
	}
	return NULL;
}

static void test_profile_numbers(void **state)
{
	(void)state;
	json_t *p;
	assert_int_equal(profile_json(1, &p), CR_OK);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(p, "user"), "tenure_days")),
		100);

	json_t *service = json_object_get(p, "service");
	assert_int_equal(json_array_size(service), 3);
	json_t *qa = find(service, "metric", "qa_score");
	assert_non_null(qa);
	assert_true(json_real_value(json_object_get(qa, "mean_7d")) == 62);
	assert_int_equal(json_integer_value(json_object_get(qa, "days_30d")), 14);
	assert_int_equal(json_integer_value(json_object_get(qa, "team_percentile")), 0);
	assert_true(fabs(json_real_value(json_object_get(qa, "trend_per_week"))) < 1e-9);
	json_t *aht = find(service, "metric", "aht_seconds");
	assert_true(json_is_true(json_object_get(aht, "overall")));
	assert_true(json_integer_value(json_object_get(aht, "score")) > 0);

	/* one computed gap (refunds), then the manual one (billing) */
	json_t *gaps = json_object_get(p, "gaps");
	assert_int_equal(json_array_size(gaps), 2);
	json_t *refunds = json_array_get(gaps, 0);
	assert_string_equal(json_string_value(json_object_get(refunds, "tag")), "refunds");
	/* the skill's names, so the client says it in either language */
	json_t *labels = json_object_get(refunds, "tag_labels");
	assert_string_equal(json_string_value(json_object_get(labels, "en")), "R");
	assert_string_equal(json_string_value(json_object_get(labels, "zh")), "退款");
	/* 100 x (0.5 x 18/80 + 0.3 x 14/14 + 0.2 x 4/4) */
	assert_int_equal(json_integer_value(json_object_get(refunds, "score")), 61);
	json_t *ev = json_array_get(json_object_get(refunds, "evidence"), 0);
	assert_string_equal(json_string_value(json_object_get(ev, "code")),
			    "below-target-team-bottom");
	assert_true(json_real_value(json_object_get(ev, "value")) == 62);
	assert_true(json_real_value(json_object_get(ev, "target")) == 80);
	assert_int_equal(json_integer_value(json_object_get(ev, "days")), 14);
	assert_int_equal(json_integer_value(json_object_get(ev, "percentile")), 0);
	json_t *billing = json_array_get(gaps, 1);
	assert_string_equal(json_string_value(json_object_get(billing, "tag")), "billing");
	assert_string_equal(json_string_value(json_object_get(billing, "source")), "manual");
	labels = json_object_get(billing, "tag_labels");
	assert_string_equal(json_string_value(json_object_get(labels, "en")), "B");
	assert_true(json_is_null(json_object_get(labels, "zh")));
	assert_null(find(gaps, "tag", "de-escalation"));
	json_decref(p);

	struct profile_gap g[8];
	size_t n;
	assert_int_equal(profile_gaps(1, g, 8, &n), CR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(g[0].tag_id, 1);
	assert_int_equal(g[0].score, 61);
	assert_int_equal(profile_gaps(99, g, 8, &n), CR_ENOTFOUND);

	/* the best of the team has no gap at all */
	assert_int_equal(profile_gaps(3, g, 8, &n), CR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(profile_json(99, &p), CR_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile_numbers),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
