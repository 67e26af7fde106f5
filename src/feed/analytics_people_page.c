/* The trainer's people list a page at a time in the clip list's orders,
 * with its cursors (analytics_page.c). Without a window the keys are
 * learner_totals' columns (or the account's creation) and a page is a walk
 * of their indexes from the cursor; with one they are counted from the
 * window's activity, a sort of the people active in it. See
 * include/casereel/analytics.h. */
#include "casereel/analytics.h"

#include <stdint.h>
#include <stdlib.h>

#include "casereel/store.h"

/* ?1 team (0: all), ?2/?3 the last row's key and id (or a bound past every
 * row), ?4 rows; in the order of `key` then id, `cmp` "<" descending. */
#define WALK(key, cmp, dir)                                                                        \
	"SELECT lt.user_id, " key                                                                  \
	" FROM learner_totals lt CROSS JOIN users u ON u.id = lt.user_id"                          \
	" WHERE (" key ", lt.user_id) " cmp                                                        \
	" (?2, ?3) AND u.active AND (?1 = 0 OR u.team_id = ?1)"                                    \
	" ORDER BY " key " " dir ", lt.user_id " dir " LIMIT ?4"
#define CREATED(cmp, dir)                                                                          \
	"SELECT u.id, u.created_at FROM users u WHERE (u.created_at, u.id) " cmp " (?2, ?3)"       \
	" AND u.active AND (?1 = 0 OR u.team_id = ?1)"                                             \
	" ORDER BY u.created_at " dir ", u.id " dir " LIMIT ?4"
#define RATE "lt.completions * 1.0 / max(lt.starts, 1)"

/* [sort][ascending] */
static const char *const walk_sql[ANALYTICS_SORTS][2] = {
	[ANALYTICS_BY_CREATED] = {CREATED("<", "DESC"), CREATED(">", "ASC")},
	[ANALYTICS_BY_STARTS] = {WALK("lt.starts", "<", "DESC"), WALK("lt.starts", ">", "ASC")},
	[ANALYTICS_BY_COMPLETIONS] = {WALK("lt.completions", "<", "DESC"),
				      WALK("lt.completions", ">", "ASC")},
	[ANALYTICS_BY_COMPLETION_RATE] = {WALK(RATE, "<", "DESC"), WALK(RATE, ">", "ASC")},
	[ANALYTICS_BY_LIKES] = {WALK("lt.likes", "<", "DESC"), WALK("lt.likes", ">", "ASC")},
};

/* The same page counted from a window: ?5/?6 its bounds (unix s), ?7 the
 * sort, ?8 direction (1 descending, -1 ascending). */
static const char window_sql[] =
	"WITH a AS (SELECT user_id AS uid, 1 AS s, 0 AS c, 0 AS l FROM watches"
	"   WHERE first_at >= ?5 * 1000 AND first_at < ?6 * 1000"
	" UNION ALL SELECT user_id, 0, 1, 0 FROM watches WHERE completed_at >= ?5 AND completed_at "
	"< ?6"
	" UNION ALL SELECT user_id, 0, 0, 1 FROM likes WHERE created_at >= ?5 AND created_at < ?6),"
	" k AS (SELECT a.uid, CASE ?7 WHEN 1 THEN sum(a.s) WHEN 2 THEN sum(a.c)"
	"   WHEN 3 THEN sum(a.c) * 1.0 / max(sum(a.s), 1) WHEN 4 THEN sum(a.l)"
	"   ELSE u.created_at END AS key"
	"   FROM a CROSS JOIN users u ON u.id = a.uid"
	"   WHERE u.active AND (?1 = 0 OR u.team_id = ?1) GROUP BY a.uid)"
	"SELECT uid, key FROM k WHERE (key * ?8, uid * ?8) < (?2 * ?8, ?3 * ?8)"
	" ORDER BY key * ?8 DESC, uid * ?8 DESC LIMIT ?4";

cr_err analytics_people_page(const struct analytics_page *p, int64_t team_id, json_t **rows,
			     char next[ANALYTICS_CURSOR_MAX])
{
	next[0] = '\0';
	*rows = NULL;
	bool window = p->from > 0 || p->to > 0;
	sqlite3_stmt *st = store_stmt(window ? window_sql : walk_sql[p->sort][p->ascending]);
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, team_id);
	if (p->after) {
		sqlite3_bind_double(st, 2, p->after_key);
		sqlite3_bind_int64(st, 3, p->after_id);
	} else { /* a bound before the first row in this order */
		sqlite3_bind_double(st, 2, p->ascending ? -1e308 : 1e308);
		sqlite3_bind_int64(st, 3, p->ascending ? 0 : INT64_MAX);
	}
	sqlite3_bind_int64(st, 4, p->limit + 1); /* one more says whether a next page exists */
	if (window) {
		sqlite3_bind_int64(st, 5, p->from);
		sqlite3_bind_int64(st, 6, p->to > 0 ? p->to : INT64_MAX / 1000);
		sqlite3_bind_int(st, 7, (int)p->sort);
		sqlite3_bind_int(st, 8, p->ascending ? -1 : 1);
	}
	int64_t *ids = malloc(((size_t)p->limit + 1) * sizeof *ids);
	double *keys = malloc(((size_t)p->limit + 1) * sizeof *keys);
	long n = 0;
	int rc = SQLITE_DONE;
	if (!ids || !keys) {
		store_done(st);
		free(ids);
		free(keys);
		return CR_ENOMEM;
	}
	while (n <= p->limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ids[n] = sqlite3_column_int64(st, 0);
		keys[n++] = sqlite3_column_double(st, 1);
	}
	store_done(st);
	if (n > p->limit) {
		n = p->limit;
		analytics_cursor_format(p, keys[n - 1], ids[n - 1], next);
	}
	free(keys);
	cr_err e = n <= p->limit && rc != SQLITE_ROW && rc != SQLITE_DONE ? CR_EDB : CR_OK;
	/* the profiles of this page's rows only */
	*rows = e ? NULL : json_array();
	for (long i = 0; *rows && i < n; i++) {
		json_t *one;
		if ((e = analytics_person_row(ids[i], &one))) {
			json_decref(*rows);
			*rows = NULL;
			break;
		}
		json_array_append_new(*rows, one);
	}
	free(ids);
	return e ? e : *rows ? CR_OK : CR_ENOMEM;
}
