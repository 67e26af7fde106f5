/* The query plans a large database gets: every statement the exercised
 * code prepares (store_set_prepare_hook) is planned with EXPLAIN QUERY PLAN
 * against the statistics of bench/scale.sh's data set (100k users, 100k
 * clips, 5M watches: tests/fixtures/scale_stat1.sql, loaded into this empty
 * schema), and fails when it reads much of a large table once per row of
 * an outer loop (inside a correlated subquery, or nested under another SCAN
 * or SEARCH of the same query): a SCAN, or a SEARCH whose index keys match
 * FANOUT_MAX rows or more by the statistics (the creators board's EXISTS
 * that searched videos_status for every user). Run from the repository
 * root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "casereel/analytics.h"
#include "casereel/catalog.h"
#include "casereel/feed.h"
#include "casereel/leaderboards.h"
#include "casereel/points.h"
#include "casereel/store.h"
#include "casereel/text_buf.h"
#include "casereel/user.h"
#include "../test_db.h"

#define STATS_FIXTURE "tests/fixtures/scale_stat1.sql"
#define LARGE_ROWS    10000 /* a table this large is never scanned per outer row */
#define FANOUT_MAX    1000  /* rows one index search in a loop may visit */
#define MAX_NODES     256

/* A viewer, a trainer and a published clip, so every path runs. */
static const char seed_rows[] =
	"INSERT INTO teams(id, name, created_at) VALUES (1, 'Day', 0);"
	"INSERT INTO users(id, username, display_name, role, team_id, password_hash, created_at)"
	" VALUES (1, 'lin', 'Lin', 'trainer', 1, 'x', 0), (2, 'mei', 'Mei', 'agent', 1, 'x', 0);"
	"INSERT INTO videos(id, owner_id, title, status, source_bytes, duration, created_at,"
	" updated_at, published_at) VALUES (1, 1, 'Refunds', 'published', 1, 60, 0, 0, 0);"
	"INSERT INTO watches(user_id, video_id, started_at, last_at, completed_at, first_at)"
	" VALUES (2, 1, 0, 0, 10, 0);";

static int checked;    /* statements planned */
static char bad[4096]; /* the first bad plans, for the failure message */

/* The table a FROM/JOIN name or alias in `sql` stands for, into `table`. */
static void table_of(const char *sql, const char *name, char *table, size_t size)
{
	snprintf(table, size, "%s", name);
	const char *p = sql;
	while ((p = strpbrk(p, "FJfj"))) {
		bool kw = (!strncasecmp(p, "FROM", 4) || !strncasecmp(p, "JOIN", 4)) &&
			  (p == sql || !isalnum((unsigned char)p[-1])) &&
			  isspace((unsigned char)p[4]);
		p++;
		if (!kw)
			continue;
		const char *q = p + 3;
		for (;;) {
			char t[64] = "", a[64] = "";
			while (isspace((unsigned char)*q))
				q++;
			if (sscanf(q, "%63[A-Za-z0-9_]", t) != 1)
				break;
			q += strlen(t);
			while (isspace((unsigned char)*q))
				q++;
			if (sscanf(q, "%63[A-Za-z0-9_]", a) == 1 && !strcasecmp(a, "AS")) {
				q += 2;
				while (isspace((unsigned char)*q))
					q++;
				sscanf(q, "%63[A-Za-z0-9_]", a);
			}
			if (!strcmp(a, name) || !strcmp(t, name)) {
				snprintf(table, size, "%s", t);
				return;
			}
			q += strlen(a);
			while (isspace((unsigned char)*q))
				q++;
			if (*q != ',')
				break;
			q++;
		}
	}
}

/* Rows of `table` by the statistics (0 when it has none). */
static long long table_rows(sqlite3 *db, const char *table)
{
	sqlite3_stmt *st = NULL;
	long long n = 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = ?1",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return n;
}

/* Rows one search of index `idx` with `keys` equality terms matches, by
 * its statistics (0 when it has none). */
static long long index_fanout(sqlite3 *db, const char *idx, int keys)
{
	sqlite3_stmt *st = NULL;
	long long n = 0;
	if (sqlite3_prepare_v2(db, "SELECT stat FROM sqlite_stat1 WHERE idx = ?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(st, 1, idx, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *p = (const char *)sqlite3_column_text(st, 0);
			for (int k = 0; p && k <= keys; k++) {
				char *end;
				long long v = strtoll(p, &end, 10);
				if (end == p)
					break;
				n = v;
				p = end;
			}
		}
	}
	sqlite3_finalize(st);
	return n;
}

/* How many rows the SEARCH or SCAN `d` of a large table visits each time
 * it runs (0: a small table or a one-row lookup); `table` gets its name. */
static long long visits(sqlite3 *db, const char *sql, const char *d, char *table, size_t size)
{
	char name[64] = "", idx[64] = "";
	bool scan = sscanf(d, "SCAN %63[A-Za-z0-9_]", name) == 1;
	if (!scan && sscanf(d, "SEARCH %63[A-Za-z0-9_]", name) != 1)
		return 0;
	table_of(sql, name, table, size);
	long long rows = table_rows(db, table);
	if (rows < LARGE_ROWS || strstr(d, "(rowid=?)") || strstr(d, "AUTOMATIC"))
		return 0;
	if (scan)
		return rows;
	const char *u = strstr(d, " INDEX ");
	if (u)
		sscanf(u + 7, "%63[A-Za-z0-9_]", idx);
	else if (strstr(d, "PRIMARY KEY"))
		snprintf(idx, sizeof idx, "%s", table); /* WITHOUT ROWID: the table's own */
	int keys = 0;
	for (const char *p = strchr(d, '('); p && (p = strstr(p, "=?")); p += 2)
		keys++;
	return idx[0] ? index_fanout(db, idx, keys) : 0;
}

struct node {
	int id, parent;
	char detail[200];
};

/* A loop per outer row: a scan, or a search that is not a one-row lookup. */
static bool is_loop(const char *d)
{
	return !strncmp(d, "SCAN ", 5) || (!strncmp(d, "SEARCH ", 7) && !strstr(d, "(rowid=?)") &&
					   !strstr(d, "LIST SUBQUERY"));
}

/* Why the plan of `sql` scans a large table per outer row, or "" when it
 * does not. */
static void judge(sqlite3 *db, const char *sql, char *why, size_t size)
{
	why[0] = '\0';
	struct node nodes[MAX_NODES];
	int n = 0;
	char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, eqp, -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, size, "cannot plan: %s", sqlite3_errmsg(db));
		sqlite3_free(eqp);
		return;
	}
	sqlite3_free(eqp);
	while (n < MAX_NODES && sqlite3_step(st) == SQLITE_ROW) {
		nodes[n].id = sqlite3_column_int(st, 0);
		nodes[n].parent = sqlite3_column_int(st, 1);
		snprintf(nodes[n].detail, sizeof nodes[n].detail, "%s", sqlite3_column_text(st, 3));
		n++;
	}
	sqlite3_finalize(st);
	for (int i = 0; i < n && !why[0]; i++) {
		char table[64];
		long long rows = visits(db, sql, nodes[i].detail, table, sizeof table);
		if (rows < FANOUT_MAX)
			continue;
		/* an earlier loop of the same query block, or a correlated ancestor */
		for (int j = 0; j < i && !why[0]; j++)
			if (nodes[j].parent == nodes[i].parent && is_loop(nodes[j].detail))
				snprintf(why, size, "%s: %lld rows read for each row of \"%s\"",
					 table, rows, nodes[j].detail);
		for (int p = nodes[i].parent; p && !why[0];) {
			int k = 0;
			while (k < n && nodes[k].id != p)
				k++;
			if (k == n)
				break;
			if (!strncmp(nodes[k].detail, "CORRELATED", 10))
				snprintf(why, size, "%s: %lld rows read in \"%s\"", table, rows,
					 nodes[k].detail);
			p = nodes[k].parent;
		}
	}
}

static void on_prepare(sqlite3 *db, const char *sql)
{
	char why[400];
	if (!strncasecmp(sql, "PRAGMA", 6) || !strncasecmp(sql, "BEGIN", 5) ||
	    !strncasecmp(sql, "COMMIT", 6) || !strncasecmp(sql, "ROLLBACK", 8))
		return;
	checked++;
	judge(db, sql, why, sizeof why);
	if (why[0] && strlen(bad) < sizeof bad - 300)
		snprintf(bad + strlen(bad), sizeof bad - strlen(bad), "\n  %s\n    in: %.160s", why,
			 sql);
}

static int group_setup(void **state)
{
	(void)state;
	if (test_db_open(seed_rows))
		return -1;
	FILE *f = fopen(STATS_FIXTURE, "r");
	if (!f) {
		fprintf(stderr, "%s: run from the repository root\n", STATS_FIXTURE);
		return -1;
	}
	char sql[16384];
	size_t len = fread(sql, 1, sizeof sql - 1, f);
	fclose(f);
	sql[len] = '\0';
	/* ANALYZE makes sqlite_stat1; the fixture replaces its rows; ANALYZE
	 * sqlite_schema makes the planner read them */
	if (store_exec("ANALYZE; DELETE FROM sqlite_stat1;") || store_exec(sql) ||
	    store_exec("ANALYZE sqlite_schema;"))
		return -1;
	store_set_prepare_hook(on_prepare);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	store_set_prepare_hook(NULL);
	return test_db_close();
}

/* The judge itself: what issue 18 found (every published clip searched
 * per user through videos_status), a scan per outer row in a correlated
 * subquery and a nested scan are caught; a one-off range read is not.
 * (INDEXED BY gives the plan the issue saw, chosen without statistics.) */
static void test_judge_catches_scans_in_loops(void **state)
{
	(void)state;
	char why[400];
	judge(store_db(),
	      "SELECT u.id FROM users u WHERE u.active AND EXISTS (SELECT 1 FROM videos v INDEXED "
	      "BY"
	      " videos_status"
	      " WHERE v.owner_id = u.id AND v.status = 'published')",
	      why, sizeof why);
	assert_non_null(strstr(why, "videos"));
	judge(store_db(),
	      "SELECT u.id, (SELECT count(*) FROM likes l WHERE l.created_at > u.created_at)"
	      " FROM users u",
	      why, sizeof why);
	assert_non_null(strstr(why, "likes"));
	judge(store_db(), "SELECT u.id FROM users u CROSS JOIN watches w ON w.position = u.id", why,
	      sizeof why);
	assert_non_null(strstr(why, "watches"));
	judge(store_db(), "SELECT count(*) FROM watches w WHERE w.completed_at >= 5", why,
	      sizeof why);
	assert_string_equal(why, "");
}

/* The trainer's reports and boards, the feed, the catalogue, the start-up
 * pass over unpaid credits. */
static void test_hot_and_trainer_statements(void **state)
{
	(void)state;
	json_t *out = NULL;
	/* every board, period and sort: the learners' from their windows (at
	 * today after the migration), then summed per person (the windows a
	 * day behind, as just after midnight) */
	static const char *const boards[] = {"creators", "learners"};
	static const char *const periods[] = {"week", "month", "all"};
	for (int behind = 0; behind < 2; behind++) {
		if (behind)
			assert_int_equal(store_exec("UPDATE learner_windows_day SET day = day - 1"),
					 CR_OK);
		for (size_t i = 0; i < 2; i++)
			for (size_t k = 0; k < 9; k++) {
				const struct leaderboard *b = leaderboard_find(boards[i]);
				assert_int_equal(leaderboard_rows(b, periods[k / 3], 0,
								  b->sorts[k % 3], &out),
						 CR_OK);
				json_decref(out);
			}
	}
	/* the CSV exports' pagers, a first and a following page */
	struct report_pager pager;
	struct analytics_page by_likes = {.sort = ANALYTICS_BY_LIKES};
	for (int list = 0; list < 4; list++) {
		assert_int_equal(list == 0   ? analytics_export_clips(&by_likes, &pager)
				 : list == 1 ? analytics_export_people(0, NULL, &pager)
				 : list == 2 ? analytics_export_people(0, &by_likes, &pager)
					     : analytics_export_teams(&pager),
				 CR_OK);
		for (int page = 0; page < 2; page++) {
			assert_int_equal(pager.next(pager.state, 2, &out), CR_OK);
			json_decref(out);
		}
		pager.release(pager.state);
	}
	assert_int_equal(analytics_clip_json(1, &out), CR_OK);
	json_decref(out);
	int64_t next = 0;
	assert_int_equal(analytics_people(0, 0, 100, &out, &next), CR_OK);
	json_decref(out);
	assert_int_equal(analytics_people(0, 2, 100, &out, &next), CR_OK);
	json_decref(out);
	assert_int_equal(analytics_person_json(2, &out), CR_OK);
	json_decref(out);
	/* the people list in every order, all time (index walks) and in a window */
	char cursor[ANALYTICS_CURSOR_MAX];
	for (int sort = 0; sort < ANALYTICS_SORTS; sort++)
		for (int k = 0; k < 4; k++) {
			struct analytics_page p = {.sort = (enum analytics_sort)sort,
						   .ascending = k & 1,
						   .to = k & 2 ? time(NULL) : 0,
						   .limit = 100};
			assert_int_equal(analytics_people_page(&p, 0, &out, cursor), CR_OK);
			json_decref(out);
		}
	assert_int_equal(analytics_teams(0, 100, &out, &next), CR_OK);
	json_decref(out);
	assert_int_equal(analytics_teams(1, 100, &out, &next), CR_OK);
	json_decref(out);
	int paid = 0;
	assert_int_equal(points_pay_missing_credits(0, &paid), CR_OK);
	assert_int_equal(catalog_rebuild(), CR_OK);
	struct cr_user mei = {.id = 2, .role = CR_ROLE_AGENT, .team_id = 1, .username = "mei"};
	struct text_buf page = {0};
	assert_int_equal(feed_page(&mei, NULL, 10, 3600, &page), CR_OK);
	tb_free(&page);
	assert_true(checked >= 15);
	if (bad[0])
		fail_msg("%d statement(s) planned, bad plans:%s", checked, bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_catches_scans_in_loops),
		cmocka_unit_test(test_hot_and_trainer_statements),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
