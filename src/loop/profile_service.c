/* Service features and skill gaps of one agent. See profile_service.h. */
#include "profile_service.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "casereel/store.h"

/* Starts a line from the metric columns of the agent's row query. */
static void line_start(struct service_line *l, sqlite3_stmt *st)
{
	memset(l, 0, sizeof *l);
	struct kpi_metric *m = &l->metric;
	m->id = sqlite3_column_int64(st, 0);
	l->tag_id = sqlite3_column_int64(st, 1);
	snprintf(m->name, sizeof m->name, "%s", (const char *)sqlite3_column_text(st, 4));
	m->lower_is_better = strcmp((const char *)sqlite3_column_text(st, 5), "lower") == 0;
	m->per_skill = sqlite3_column_int(st, 6);
	m->tag_id = sqlite3_column_int64(st, 7);
	m->target = sqlite3_column_double(st, 8);
	m->min_value = sqlite3_column_double(st, 9);
	m->max_value = sqlite3_column_double(st, 10);
	const char *tag = (const char *)sqlite3_column_text(st, 11);
	const char *own = (const char *)sqlite3_column_text(st, 12);
	snprintf(l->tag, sizeof l->tag, "%s", tag ? tag : "");
	l->gap_tag_id = l->tag_id ? l->tag_id : m->tag_id;
	snprintf(l->gap_tag, sizeof l->gap_tag, "%s", l->tag_id ? l->tag : own ? own : "");
}

/* Least-squares slope of value over day, per 7 days. */
static double weekly_slope(double sx, double sy, double sxx, double sxy, size_t n)
{
	double den = (double)n * sxx - sx * sx;
	return n >= 2 && den > 0 ? 7.0 * ((double)n * sxy - sx * sy) / den : 0;
}

/* Reads the agent's rows of the last SERVICE_DAYS days into lines. */
static cr_err read_lines(int64_t user_id, int32_t today, struct service_line *lines, size_t *n)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT v.metric_id, v.tag_id, v.day, v.value, m.name, m.direction, m.per_skill,"
		" coalesce(m.tag_id, 0), m.target, m.min_value, m.max_value, t.name, mt.name"
		" FROM metric_values v JOIN metrics m ON m.id = v.metric_id"
		" LEFT JOIN tags t ON t.id = v.tag_id LEFT JOIN tags mt ON mt.id = m.tag_id"
		" WHERE v.user_id = ?1 AND v.day > ?2 AND v.day <= ?3"
		" ORDER BY v.metric_id, v.tag_id, v.day");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int(st, 2, today - SERVICE_DAYS);
	sqlite3_bind_int(st, 3, today);
	struct service_line *l = NULL;
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int rc = SQLITE_DONE;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t metric = sqlite3_column_int64(st, 0), tag = sqlite3_column_int64(st, 1);
		if (!l || l->metric.id != metric || l->tag_id != tag) {
			if (l)
				l->trend_per_week = weekly_slope(sx, sy, sxx, sxy, l->n30);
			if (*n == SERVICE_MAX_LINES)
				break;
			l = &lines[(*n)++];
			line_start(l, st);
			sx = sy = sxx = sxy = 0;
		}
		int32_t day = sqlite3_column_int(st, 2);
		double v = sqlite3_column_double(st, 3), x = day - today;
		l->last_value = v;
		l->last_day = day;
		l->sum30 += v;
		l->n30++;
		sx += x, sy += v, sxx += x * x, sxy += x * v;
		if (day > today - 7)
			l->sum7 += v, l->n7++;
		if (day > today - GAP_WINDOW_DAYS) {
			l->window[l->nwindow++] = v;
			l->days_below +=
				gap_below_target(v, l->metric.target, l->metric.lower_is_better);
		}
	}
	if (l)
		l->trend_per_week = weekly_slope(sx, sy, sxx, sxy, l->n30);
	store_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "profile service");
}

/* How the agent's 7-day mean stands among the team's. */
static cr_err team_standing(struct service_line *l, int64_t user_id, int64_t team_id, int32_t today)
{
	if (!team_id || !l->n7)
		return CR_OK;
	sqlite3_stmt *st = store_stmt(
		/* team first (CROSS JOIN keeps the order): a seek per member, not a scan
		 * of every agent's week through the (metric, tag, day) index */
		"SELECT u.id, avg(v.value) FROM users u CROSS JOIN metric_values v ON v.user_id = "
		"u.id"
		" AND v.metric_id = ?2 AND v.tag_id = ?3 AND v.day > ?4 AND v.day <= ?5"
		" WHERE u.team_id = ?1 AND u.active = 1 GROUP BY u.id");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, team_id);
	sqlite3_bind_int64(st, 2, l->metric.id);
	sqlite3_bind_int64(st, 3, l->tag_id);
	sqlite3_bind_int(st, 4, today - 7);
	sqlite3_bind_int(st, 5, today);
	double mine = l->sum7 / (double)l->n7;
	size_t others = 0, better = 0;
	int rc = SQLITE_DONE;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l->team_n++;
		if (sqlite3_column_int64(st, 0) == user_id)
			continue;
		double theirs = sqlite3_column_double(st, 1);
		others++;
		better += l->metric.lower_is_better ? theirs < mine : theirs > mine;
	}
	store_done(st);
	l->team_better = others ? (double)better / (double)others : 0;
	return rc == SQLITE_DONE ? CR_OK : store_error(rc, "profile team");
}

cr_err service_collect(int64_t user_id, int64_t team_id, int32_t today, struct service_line *lines,
		       size_t *n)
{
	cr_err e = read_lines(user_id, today, lines, n);
	for (size_t i = 0; !e && i < *n; i++) {
		struct service_line *l = &lines[i];
		e = team_standing(l, user_id, team_id, today);
		const struct kpi_metric *m = &l->metric;
		struct gap_series s = {
			.target = m->target,
			.worst = m->lower_is_better ? m->max_value : m->min_value,
			.lower_is_better = m->lower_is_better,
			.values = l->window,
			.nvalues = l->nwindow,
			.mean7 = l->n7 ? l->sum7 / (double)l->n7 : NAN,
			.ndays7 = l->n7,
			.team_better = l->team_better,
		};
		l->judged = gap_score(&s, &l->gap);
	}
	return e;
}
