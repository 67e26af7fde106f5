/* Unit tests for the service-metric store (src/loop/kpi_*.c) on a real
 * SQLite file: day numbers, the catalogue's checks, an import that names
 * every bad row and keeps nothing, replays that update instead of doubling,
 * undo, and the per-agent read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casereel/kpi.h"
#include "casereel/kpi_imports.h"
#include "casereel/store.h"
#include "../test_db.h"

static int group_setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	if (test_db_open(NULL))
		return -1;
	return store_exec("INSERT INTO teams(id, name, created_at) VALUES (1, 'Day', 0);"
			  "INSERT INTO tags(id, name, label, created_at) VALUES"
			  " (1, 'refunds', 'Refunds', 0), (2, 'billing', 'Billing', 0);"
			  "INSERT INTO users(id, username, display_name, role, team_id,"
			  " password_hash, created_at, employee_id) VALUES"
			  " (1, 'mei', 'Mei', 'agent', 1, 'x', 0, 'E001'),"
			  " (2, 'li', 'Li', 'agent', 1, 'x', 0, 'E002');") == CR_OK
		       ? 0
		       : -1;
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

static double value_of(const char *user, const char *day)
{
	char sql[256];
	int32_t d;
	assert_true(kpi_day_parse(day, &d));
	snprintf(sql, sizeof sql,
		 "SELECT v.value FROM metric_values v JOIN users u ON u.id = v.user_id"
		 " WHERE u.username = '%s' AND v.day = %d",
		 user, d);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL), SQLITE_OK);
	double v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_double(st, 0) : -1;
	sqlite3_finalize(st);
	return v;
}

static void test_days(void **state)
{
	(void)state;
	int32_t d;
	char back[11];
	assert_true(kpi_day_parse("1970-01-01", &d));
	assert_int_equal(d, 0);
	assert_true(kpi_day_parse("2024-02-29", &d));
	kpi_day_format(d, back);
	assert_string_equal(back, "2024-02-29");
	assert_true(kpi_day_parse("2024-03-01", &d));
	assert_int_equal(d, 19783);
	assert_false(kpi_day_parse("2023-02-29", &d));
	assert_false(kpi_day_parse("2024-13-01", &d));
	assert_false(kpi_day_parse("2024-1-01", &d));
	assert_false(kpi_day_parse("2024-01-01x", &d));
	assert_false(kpi_day_parse("1969-12-31", &d));
	assert_false(kpi_day_parse("", &d));
	assert_false(kpi_day_parse(NULL, &d));
	assert_true(kpi_today() > 20000);
}

static void test_catalogue(void **state)
{
	(void)state;
	int64_t qa, csat, id;
	struct kpi_metric_fields f = {.name = "qa_score",
				      .label_en = "QA score",
				      .label_zh = "质检分",
				      .direction = "higher",
				      .per_skill = true,
				      .target = 80,
				      .min_value = 0,
				      .max_value = 100};
	assert_int_equal(kpi_metric_create(&f, &qa, NULL), CR_OK);
	assert_int_equal(kpi_metric_create(&f, &id, NULL), CR_ECONFLICT);
	f = (struct kpi_metric_fields){.name = "csat",
				       .label_en = "CSAT",
				       .direction = "higher",
				       .target = 4.2,
				       .min_value = 1,
				       .max_value = 5};
	assert_int_equal(kpi_metric_create(&f, &csat, NULL), CR_OK);
	f.name = "bad_range";
	struct cr_problem why = {0};
	f.target = 9; /* outside 1..5 */
	assert_int_equal(kpi_metric_create(&f, &id, &why), CR_EINVAL);
	assert_string_equal(why.field, "target");
	f.target = 3;
	f.tag = "nope";
	assert_int_equal(kpi_metric_create(&f, &id, &why), CR_EINVAL);
	assert_string_equal(why.field, "tag");
	f.tag = "refunds";
	f.per_skill = true; /* a per-skill metric names no tag of its own */
	assert_int_equal(kpi_metric_create(&f, &id, NULL), CR_EINVAL);
	assert_int_equal(count("SELECT count(*) FROM metrics"), 2);

	struct kpi_metric_fields change = {.target = 4.5, .has_target = true};
	assert_int_equal(kpi_metric_update(csat, &change, NULL), CR_OK);
	struct kpi_metric m;
	assert_int_equal(kpi_metric_by_name("csat", &m), CR_OK);
	assert_true(m.target == 4.5 && !m.per_skill && m.max_value == 5);
	assert_int_equal(kpi_metric_update(9999, &change, NULL), CR_ENOTFOUND);
	change.target = 7;
	assert_int_equal(kpi_metric_update(csat, &change, NULL), CR_EINVAL);
}

/* Imports rows[0..n) as admin 1; returns the result and leaves *out. */
static cr_err import(const struct kpi_row *rows, size_t n, json_t **out)
{
	struct kpi_source src = {.user_id = 1, .format = "json", .sha256 = "00"};
	struct kpi_import *imp;
	assert_int_equal(kpi_import_begin(&src, &imp), CR_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(kpi_import_row(imp, &rows[i]), CR_OK);
	cr_err e = kpi_import_finish(&imp, false, out);
	assert_null(imp);
	return e;
}

static void test_import_all_or_nothing(void **state)
{
	(void)state;
	json_t *out;
	char future[11];
	kpi_day_format(kpi_today() + 1, future);
	const struct kpi_row bad[] = {
		{.row = 1,
		 .date = "2026-11-01",
		 .employee_id = "E001",
		 .metric = "qa_score",
		 .tag = "refunds",
		 .value_text = "70"}, /* good */
		{.row = 2,
		 .date = "2026-11-01",
		 .employee_id = "E999",
		 .metric = "qa_score",
		 .tag = "refunds",
		 .value_text = "70"},
		{.row = 3,
		 .date = "2026-11-01",
		 .username = "mei",
		 .metric = "aht",
		 .value_text = "70"},
		{.row = 4,
		 .date = "2026-11-01",
		 .username = "mei",
		 .metric = "qa_score",
		 .value_text = "70"},
		{.row = 5,
		 .date = "2026-11-01",
		 .username = "mei",
		 .metric = "csat",
		 .tag = "refunds",
		 .value_text = "4"},
		{.row = 6,
		 .date = "2026-11-01",
		 .username = "mei",
		 .metric = "qa_score",
		 .tag = "refunds",
		 .value_text = "170"},
		{.row = 7, .date = future, .username = "mei", .metric = "csat", .value_text = "4"},
		{.row = 8,
		 .date = "2026-11-01",
		 .username = "mei",
		 .metric = "csat",
		 .value_text = "4,5"},
		{.row = 9,
		 .date = "2026-11-01",
		 .username = "mei",
		 .metric = "qa_score",
		 .tag = "chargebacks",
		 .value_text = "50"},
		{.row = 10,
		 .date = "01/11/2026",
		 .username = "mei",
		 .metric = "csat",
		 .value_text = "4"},
		{.row = 11,
		 .date = "2026-11-01",
		 .username = "mei",
		 .metric = "csat",
		 .value_text = "nan"},
	};
	static const char *const codes[] = {
		"unknown-agent", "unknown-metric", "tag-missing", "tag-not-allowed", "out-of-range",
		"future-date",   "bad-number",     "unknown-tag", "bad-date",        "bad-number"};
	assert_int_equal(import(bad, 11, &out), CR_EINVAL);
	assert_int_equal(json_integer_value(json_object_get(out, "error_count")), 10);
	json_t *errors = json_object_get(out, "errors");
	assert_int_equal(json_array_size(errors), 10);
	for (size_t i = 0; i < 10; i++) {
		json_t *e = json_array_get(errors, i);
		assert_int_equal(json_integer_value(json_object_get(e, "row")), i + 2);
		assert_string_equal(json_string_value(json_object_get(e, "code")), codes[i]);
	}
	json_decref(out);
	assert_int_equal(count("SELECT count(*) FROM metric_values"), 0);
	assert_int_equal(count("SELECT count(*) FROM metric_imports"), 0);

	assert_int_equal(import(NULL, 0, &out), CR_EINVAL); /* nothing to import */
	json_decref(out);
}

static void test_replay_and_undo(void **state)
{
	(void)state;
	json_t *out;
	const struct kpi_row first[] = {
		{.row = 1,
		 .date = "2026-11-01",
		 .employee_id = "E001",
		 .metric = "qa_score",
		 .tag = "refunds",
		 .number = 62,
		 .has_number = true},
		{.row = 2,
		 .date = "2026-11-02",
		 .employee_id = "E001",
		 .metric = "qa_score",
		 .tag = "refunds",
		 .number = 64,
		 .has_number = true},
		{.row = 3,
		 .date = "2026-11-01",
		 .username = "LI",
		 .metric = "csat",
		 .value_text = "4.4"},
	};
	assert_int_equal(import(first, 3, &out), CR_OK);
	int64_t first_id = json_integer_value(json_object_get(out, "import_id"));
	assert_int_equal(json_integer_value(json_object_get(out, "rows")), 3);
	json_decref(out);
	assert_int_equal(count("SELECT count(*) FROM metric_values"), 3);
	assert_true(value_of("li", "2026-11-01") == 4.4);

	/* the nightly export again, one value corrected: no doubles */
	const struct kpi_row replay[] = {
		{.row = 1,
		 .date = "2026-11-01",
		 .employee_id = "E001",
		 .metric = "qa_score",
		 .tag = "refunds",
		 .number = 66,
		 .has_number = true},
		{.row = 2,
		 .date = "2026-11-02",
		 .employee_id = "E001",
		 .metric = "qa_score",
		 .tag = "refunds",
		 .number = 64,
		 .has_number = true},
	};
	assert_int_equal(import(replay, 2, &out), CR_OK);
	int64_t replay_id = json_integer_value(json_object_get(out, "import_id"));
	json_decref(out);
	assert_int_equal(count("SELECT count(*) FROM metric_values"), 3);
	assert_true(value_of("mei", "2026-11-01") == 66);

	json_t *days;
	int32_t from, to;
	assert_true(kpi_day_parse("2026-10-01", &from) && kpi_day_parse("2026-11-30", &to));
	assert_int_equal(kpi_daily_json(1, "qa_score", "refunds", from, to, &days), CR_OK);
	assert_int_equal(json_array_size(days), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(days, 0), "date")),
			    "2026-11-01");
	json_decref(days);
	assert_int_equal(kpi_daily_json(1, "nope", NULL, from, to, &days), CR_ENOTFOUND);

	/* undoing the replay brings the first values back */
	assert_int_equal(kpi_import_undo(replay_id, 1, NULL), CR_OK);
	assert_int_equal(kpi_import_undo(replay_id, 1, NULL), CR_ECONFLICT);
	assert_true(value_of("mei", "2026-11-01") == 62);
	assert_true(value_of("mei", "2026-11-02") == 64);
	assert_int_equal(count("SELECT count(*) FROM metric_values"), 3);
	/* undoing the first leaves nothing, not the undone replay's values */
	assert_int_equal(kpi_import_undo(first_id, 1, NULL), CR_OK);
	assert_int_equal(count("SELECT count(*) FROM metric_values"), 0);
	assert_int_equal(kpi_import_undo(12345, 1, NULL), CR_ENOTFOUND);
	assert_int_equal(kpi_imports_json(10, &days), CR_OK);
	assert_int_equal(json_array_size(days), 2);
	json_decref(days);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_import_all_or_nothing),
		cmocka_unit_test(test_replay_and_undo),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
