/* The life of a metrics import: a CSV read a block at a time (records that
 * straddle blocks, quoted line ends), the check and write passes, a stop
 * midway taken back, an interrupted write taken back at the next start, and
 * the import thread picking up what was queued. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casereel/import_queue.h"
#include "casereel/kpi.h"
#include "casereel/kpi_imports.h"
#include "casereel/kpi_rows.h"
#include "casereel/store.h"
#include "../test_db.h"

static int group_setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	if (test_db_open(NULL))
		return -1;
	return store_exec("INSERT INTO teams(id, name, created_at) VALUES (1, 'Day', 0);"
			  "INSERT INTO users(id, username, display_name, role, team_id,"
			  " password_hash, created_at) VALUES"
			  " (1, 'mei', 'Mei', 'admin', 1, 'x', 0),"
			  " (2, 'li', 'Li', 'agent', 1, 'x', 0);"
			  "INSERT INTO metrics(id, name, label_en, label_zh, direction, per_skill,"
			  " target, min_value, max_value, created_at) VALUES"
			  " (1, 'csat', 'CSAT', '满意度', 'higher', 0, 4, 1, 5, 0);") == CR_OK
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

/* Days a test file covers: its rows go round them (later rows replace). */
#define FILE_DAYS 15000

/* Writes a metrics CSV of `n` rows for agent li, each valued `value`, to
 * `path`, going back a day a row (round FILE_DAYS days); `extra_line` (may
 * be NULL) goes after the first half. */
static void write_file(const char *path, int n, double value, const char *extra_line)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "\xEF\xBB\xBF"
		   "date,username,metric,value\r\n");
	int32_t today = kpi_today();
	for (int d = 1; d <= n; d++) {
		char date[11];
		kpi_day_format(today - 1 - d % FILE_DAYS, date);
		fprintf(f, "%s,li,csat,%g\n", date, value);
		if (d == n / 2 && extra_line)
			fputs(extra_line, f);
	}
	fclose(f);
}

static char file_path[256];

static int64_t new_import(void)
{
	struct kpi_source src = {.user_id = 1, .format = "csv", .sha256 = "00"};
	int64_t id;
	assert_int_equal(kpi_import_record(&src, 0, &id), CR_OK);
	return id;
}

static const char *state_of(int64_t id)
{
	static char state[16];
	json_t *j;
	assert_int_equal(kpi_import_status_json(id, &j), CR_OK);
	snprintf(state, sizeof state, "%s", json_string_value(json_object_get(j, "state")));
	json_decref(j);
	return state;
}

static void test_blocks_and_quoted_line_ends(void **state)
{
	(void)state;
	/* 60,000 rows: about 1.3 MiB, over one read block; a blank line and a
	 * bad row whose quoted field holds a line end sit in the middle */
	snprintf(file_path, sizeof file_path, "%s/blocks.csv", test_db_dir);
	write_file(file_path, 60000, 4.5, "\n2020-01-01,\"l\ni\",csat,4\n");
	struct kpi_rows *rows;
	struct cr_problem why = {0};
	assert_int_equal(kpi_rows_open_csv(file_path, &rows, &why), CR_OK);
	struct kpi_row row;
	bool got;
	size_t n = 0, last_line = 0;
	const char *odd_name = NULL;
	size_t odd_line = 0;
	char odd[8] = "";
	while (kpi_rows_next(rows, &row, &got, &why) == CR_OK && got) {
		n++;
		assert_true(row.row > last_line);
		last_line = row.row;
		if (strcmp(row.username, "li") != 0) {
			odd_name = row.username;
			snprintf(odd, sizeof odd, "%s", odd_name);
			odd_line = row.row;
		}
	}
	assert_int_equal(n, 60001);
	assert_string_equal(odd, "l\ni");
	/* header on 1, 30,000 rows on 2..30001, a blank line, then the odd row */
	assert_int_equal(odd_line, 30003);
	assert_int_equal(last_line, 60004); /* the quoted line end counts */
	kpi_rows_close(&rows);
	assert_null(rows);
}

static void test_check_then_write(void **state)
{
	(void)state;
	snprintf(file_path, sizeof file_path, "%s/good.csv", test_db_dir);
	write_file(file_path, 45000, 4.0, NULL);
	int64_t id = new_import();
	struct kpi_rows *rows;
	json_t *status;
	assert_int_equal(kpi_rows_open_csv(file_path, &rows, NULL), CR_OK);
	assert_int_equal(kpi_import_run(id, rows, NULL, &status, NULL), CR_OK);
	kpi_rows_close(&rows);
	assert_string_equal(json_string_value(json_object_get(status, "state")), "done");
	assert_int_equal(json_integer_value(json_object_get(status, "rows")), 45000);
	json_decref(status);
	assert_int_equal(count("SELECT count(*) FROM metric_values WHERE value = 4.0"), FILE_DAYS);

	/* a bad row: the whole file is refused, nothing changes */
	snprintf(file_path, sizeof file_path, "%s/bad.csv", test_db_dir);
	write_file(file_path, 45000, 5.0, "2020-01-01,nobody,csat,4\n");
	int64_t bad = new_import();
	struct cr_problem why = {0};
	assert_int_equal(kpi_rows_open_csv(file_path, &rows, NULL), CR_OK);
	assert_int_equal(kpi_import_run(bad, rows, NULL, &status, &why), CR_EINVAL);
	kpi_rows_close(&rows);
	assert_string_equal(why.type, "invalid-rows");
	assert_int_equal(json_integer_value(json_object_get(status, "error_count")), 1);
	json_decref(status);
	assert_string_equal(state_of(bad), "refused");
	assert_int_equal(count("SELECT count(*) FROM metric_values WHERE value = 5.0"), 0);
}

static void test_a_stop_leaves_it_queued_and_writes_nothing(void **state)
{
	(void)state;
	snprintf(file_path, sizeof file_path, "%s/stop.csv", test_db_dir);
	write_file(file_path, 45000, 2.0, NULL);
	int64_t id = new_import();
	struct kpi_rows *rows;
	json_t *status;
	atomic_int cancel = 1;
	assert_int_equal(kpi_rows_open_csv(file_path, &rows, NULL), CR_OK);
	assert_int_equal(kpi_import_run(id, rows, &cancel, &status, NULL), CR_OK);
	kpi_rows_close(&rows);
	json_decref(status);
	assert_string_equal(state_of(id), "queued");
	assert_int_equal(count("SELECT count(*) FROM metric_values WHERE value = 2.0"), 0);
	assert_int_equal(count("SELECT count(*) FROM metric_values WHERE value = 4.0"), FILE_DAYS);
	assert_int_equal(kpi_import_unreadable(id, CR_EIO, NULL), CR_OK); /* out of the queue */
	assert_string_equal(state_of(id), "failed");
}

static void test_interrupted_write_is_taken_back_and_run_again(void **state)
{
	(void)state;
	/* a server died after committing the first chunk of a replay: 1,000 of
	 * its rows stand, over values an earlier import wrote */
	snprintf(file_path, sizeof file_path, "%s/replay.csv", test_db_dir);
	write_file(file_path, 12000, 3.0, NULL);
	int64_t id = new_import();
	char sql[256];
	snprintf(sql, sizeof sql,
		 "UPDATE metric_values SET value = 3.0, import_id = %lld WHERE day IN"
		 " (SELECT day FROM metric_values ORDER BY day DESC LIMIT 1000);"
		 "UPDATE metric_imports SET state = 'applying' WHERE id = %lld",
		 (long long)id, (long long)id);
	assert_int_equal(store_exec(sql), CR_OK);
	assert_int_equal(count("SELECT count(*) FROM metric_values WHERE value = 3.0"), 1000);

	/* the next start takes it back (the old values return), then runs it */
	struct cr_config cfg = {0};
	snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", test_db_dir);
	char final[512];
	assert_int_equal(import_queue_path(&cfg, 0, final, sizeof final), CR_OK);
	assert_int_equal(import_queue_path(&cfg, id, final, sizeof final), CR_OK);
	assert_int_equal(rename(file_path, final), 0);
	assert_int_equal(kpi_imports_requeue(), CR_OK);
	assert_string_equal(state_of(id), "queued");
	assert_int_equal(count("SELECT count(*) FROM metric_values WHERE value = 3.0"), 0);
	assert_int_equal(count("SELECT count(*) FROM metric_values WHERE value = 4.0"), FILE_DAYS);

	struct import_queue *q;
	assert_int_equal(import_queue_start(&cfg, &q), CR_OK);
	for (int i = 0; i < 600 && strcmp(state_of(id), "done") != 0; i++)
		usleep(50 * 1000);
	import_queue_stop(&q);
	assert_null(q);
	assert_string_equal(state_of(id), "done");
	assert_int_equal(count("SELECT count(*) FROM metric_values WHERE value = 3.0"), 12000);
	assert_int_equal(count("SELECT count(*) FROM metric_values"), FILE_DAYS);
	assert_int_equal(access(final, F_OK), -1); /* the file went with it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks_and_quoted_line_ends),
		cmocka_unit_test(test_check_then_write),
		cmocka_unit_test(test_a_stop_leaves_it_queued_and_writes_nothing),
		cmocka_unit_test(test_interrupted_write_is_taken_back_and_run_again),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
