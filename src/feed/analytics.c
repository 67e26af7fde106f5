/* Learning analytics for trainers: per clip (funnel, average watch, a
 * 10-bucket retention curve, how many questions its quiz has), per person
 * (the learning profile) and per team. See include/casereel/analytics.h. */
#include "casereel/analytics.h"

#include <math.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/report_rows.h"
#include "casereel/store.h"
#include "casereel/videos.h"

#define MAX_ROWS 5000

const char *const analytics_clip_columns[ANALYTICS_CLIP_NCOLS] = {
	"video_id", "title",   "creator",       "published_at",          "impressions",
	"starts",   "viewers", "completions",   "average_watch_percent", "likes",
	"comments", "tips",    "quiz_questions"};

/* Share of a clip's viewers who reached each tenth of it. */
static json_t *retention(int64_t id, double duration, int *viewers)
{
	int reached[10] = {0};
	*viewers = 0;
	sqlite3_stmt *st = store_stmt("SELECT max_position FROM watches WHERE video_id = ?1");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		double share = duration > 0 ? sqlite3_column_double(st, 0) / duration : 0;
		(*viewers)++;
		for (int b = 0; b < 10; b++)
			reached[b] += share >= b / 10.0;
	}
	store_done(st);
	json_t *curve = json_array();
	for (int b = 0; curve && b < 10; b++)
		json_array_append_new(
			curve,
			json_real(*viewers ? round(1000.0 * reached[b] / *viewers) / 1000 : 0));
	return curve;
}

/* Share of correct answers (0..1), or null when nobody answered. */
static json_t *quiz_accuracy(const char *sql, int64_t id)
{
	sqlite3_stmt *st = store_stmt(sql);
	json_t *v = NULL;
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 1) > 0)
			v = json_real(round(1000.0 * sqlite3_column_double(st, 0)) / 1000);
		store_done(st);
	}
	return v ? v : json_null();
}

cr_err analytics_clip_json(int64_t id, json_t **out)
{
	sqlite3_stmt *st =
		store_stmt("SELECT title, duration, impressions, starts, completions, likes,"
			   " comments, tips, watch_seconds FROM videos WHERE id = ?1"
			   " AND status IN (" VIDEO_SQL_PUBLISHED ", " VIDEO_SQL_PENDING_REVIEW
			   ", " VIDEO_SQL_REJECTED ")");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_done(st);
		return CR_ENOTFOUND;
	}
	double duration = sqlite3_column_double(st, 1);
	json_t *j = json_pack(
		"{s:I, s:s, s:f, s:i, s:i, s:i, s:i, s:i, s:i, s:f}", "video_id", (json_int_t)id,
		"title", (const char *)sqlite3_column_text(st, 0), "duration", duration,
		"impressions", sqlite3_column_int(st, 2), "starts", sqlite3_column_int(st, 3),
		"completions", sqlite3_column_int(st, 4), "likes", sqlite3_column_int(st, 5),
		"comments", sqlite3_column_int(st, 6), "tips", sqlite3_column_int(st, 7),
		"minutes_watched", sqlite3_column_double(st, 8) / 60.0);
	store_done(st);
	int viewers = 0;
	json_t *curve = retention(id, duration, &viewers);
	/* the average share watched is the area under the retention curve */
	double area = 0;
	for (size_t b = 0; b < json_array_size(curve); b++)
		area += json_real_value(json_array_get(curve, b)) / 10.0;
	json_object_set_new(j, "viewers", json_integer(viewers));
	json_object_set_new(j, "average_watch_percent", json_real(round(1000.0 * area) / 10.0));
	json_object_set_new(j, "retention", curve);
	json_object_set_new(j, "quiz_accuracy",
			    quiz_accuracy("SELECT avg(a.correct), count(*) FROM quiz_answers a"
					  " JOIN quiz_questions q ON q.id = a.question_id"
					  " WHERE q.video_id = ?1",
					  id));
	*out = j;
	return CR_OK;
}

const char *const analytics_person_columns[ANALYTICS_PERSON_NCOLS] = {
	"user_id",     "display_name", "team",          "minutes_watched", "clips_started",
	"completions", "streak",       "points_earned", "skills_covered",  "activity_score"};

/* The learning profile; activity score = 3 x completions + minutes + 2 x streak. */
#define PERSON_SQL                                                                                 \
	"SELECT u.id, u.display_name, t.name,"                                                     \
	" round(COALESCE((SELECT sum(w.watched) FROM watches w WHERE w.user_id = u.id), 0) / "     \
	"60.0, 1) AS minutes,"                                                                     \
	" (SELECT count(*) FROM watches w WHERE w.user_id = u.id),"                                \
	" (SELECT count(*) FROM watches w WHERE w.user_id = u.id AND w.completed_at IS NOT NULL) " \
	"AS completions,"                                                                          \
	" COALESCE((SELECT c.streak FROM checkins c WHERE c.user_id = u.id ORDER BY c.day DESC "   \
	"LIMIT 1), 0) AS streak,"                                                                  \
	" COALESCE((SELECT sum(x.amount) FROM point_transfers x JOIN point_accounts a ON a.id = "  \
	"x.to_account"                                                                             \
	"   WHERE a.user_id = u.id AND x.from_account <> 2), 0),"                                  \
	" (SELECT group_concat(name, ';') FROM (SELECT DISTINCT tg.name FROM watches w"            \
	"   JOIN video_tags vt ON vt.video_id = w.video_id JOIN tags tg ON tg.id = vt.tag_id"      \
	"   WHERE w.user_id = u.id AND w.completed_at IS NOT NULL ORDER BY tg.name)),"             \
	" 0 FROM users u LEFT JOIN teams t ON t.id = u.team_id"

/* A page read with one row more than `want` (NULL: out of memory): drops
 * that row and sets *next_id to the last kept row's `id_column` when it
 * was there (0 otherwise). */
static cr_err trim_page(json_t *rows, size_t want, const char *id_column, int64_t *next_id)
{
	*next_id = 0;
	if (!rows)
		return CR_ENOMEM;
	if (json_array_size(rows) > want) {
		json_array_remove(rows, want);
		*next_id = json_integer_value(
			json_object_get(json_array_get(rows, want - 1), id_column));
	}
	return CR_OK;
}

static json_t *people_rows(sqlite3_stmt *st, size_t max_rows)
{
	json_t *rows = report_rows(st, analytics_person_columns, ANALYTICS_PERSON_NCOLS, max_rows);
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		double score = 3.0 * (double)json_integer_value(json_object_get(r, "completions")) +
			       json_number_value(json_object_get(r, "minutes_watched")) +
			       2.0 * (double)json_integer_value(json_object_get(r, "streak"));
		json_object_set_new(r, "activity_score", json_real(round(10 * score) / 10));
	}
	return rows;
}

cr_err analytics_people(int64_t team_id, int64_t after_id, long limit, json_t **rows,
			int64_t *next_id)
{
	/* keyset: (name, id) after the row of after_id (0: from the start) */
	sqlite3_stmt *st =
		store_stmt(PERSON_SQL " WHERE u.active AND (?1 = 0 OR u.team_id = ?1)"
				      " AND (?2 = 0 OR (u.display_name, u.id) >"
				      " ((SELECT display_name FROM users WHERE id = ?2), ?2))"
				      " ORDER BY u.display_name, u.id LIMIT ?3");
	if (!st)
		return CR_EDB;
	size_t want = limit > 0 && limit < MAX_ROWS ? (size_t)limit : MAX_ROWS;
	sqlite3_bind_int64(st, 1, team_id);
	sqlite3_bind_int64(st, 2, after_id);
	sqlite3_bind_int64(st, 3, (int64_t)want + 1); /* one more says whether more follow */
	*rows = people_rows(st, want + 1);
	store_done(st);
	return trim_page(*rows, want, "user_id", next_id);
}

cr_err analytics_person_row(int64_t id, json_t **out)
{
	sqlite3_stmt *st = store_stmt(PERSON_SQL " WHERE u.id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	json_t *rows = people_rows(st, 1);
	store_done(st);
	json_t *one = json_array_get(rows, 0);
	if (!one) {
		json_decref(rows);
		return rows ? CR_ENOTFOUND : CR_ENOMEM;
	}
	json_incref(one);
	json_decref(rows);
	*out = one;
	return CR_OK;
}

cr_err analytics_person_json(int64_t id, json_t **out)
{
	json_t *one;
	cr_err e = analytics_person_row(id, &one);
	if (e)
		return e;
	json_object_set_new(
		one, "quiz_accuracy",
		quiz_accuracy("SELECT avg(correct), count(*) FROM quiz_answers WHERE user_id = ?1",
			      id));
	*out = one;
	return CR_OK;
}

const char *const analytics_team_columns[ANALYTICS_TEAM_NCOLS] = {"team_id",
								  "team",
								  "members",
								  "active_last_7_days",
								  "minutes_watched",
								  "completions",
								  "completions_per_member",
								  "clips_published"};

/* Per person from the totals kept as activity happens (learner_totals),
 * then per team, for the page's teams only: summing 5M watches per request
 * took a second at enterprise scale. Keyset by name (unique) after the
 * team ?2 (0: from the first), ?3 teams. */
cr_err analytics_teams(int64_t after_id, long limit, json_t **rows, int64_t *next_id)
{
	sqlite3_stmt *st = store_stmt(
		"WITH page AS (SELECT id, name FROM teams"
		"   WHERE ?2 = 0 OR name > (SELECT name FROM teams WHERE id = ?2) ORDER BY name "
		"LIMIT ?3),"
		" pt AS (SELECT u.team_id AS tid, sum(lt.last_at >= ?1 * 1000) AS recent,"
		"   sum(lt.watched) AS seconds, sum(lt.completions) AS done FROM page"
		"   CROSS JOIN users u ON u.team_id = page.id"
		"   CROSS JOIN learner_totals lt ON lt.user_id = u.id WHERE lt.starts > 0"
		"   GROUP BY u.team_id),"
		" mt AS (SELECT u.team_id AS tid, count(*) AS n FROM page"
		"   CROSS JOIN users u ON u.team_id = page.id WHERE u.active GROUP BY u.team_id),"
		" vt AS (SELECT u.team_id AS tid, count(*) AS n FROM page"
		"   CROSS JOIN users u ON u.team_id = page.id CROSS JOIN videos v ON v.owner_id = "
		"u.id"
		"   WHERE v.status = " VIDEO_SQL_PUBLISHED " GROUP BY u.team_id)"
		"SELECT t.id, t.name, COALESCE(mt.n, 0), COALESCE(pt.recent, 0),"
		" round(COALESCE(pt.seconds, 0) / 60.0, 1), COALESCE(pt.done, 0),"
		" round(CAST(COALESCE(pt.done, 0) AS REAL) / max(1, COALESCE(mt.n, 0)), 2),"
		" COALESCE(vt.n, 0)"
		" FROM page t LEFT JOIN mt ON mt.tid = t.id LEFT JOIN pt ON pt.tid = t.id"
		" LEFT JOIN vt ON vt.tid = t.id ORDER BY t.name");
	if (!st)
		return CR_EDB;
	size_t want = limit > 0 && limit < MAX_ROWS ? (size_t)limit : MAX_ROWS;
	sqlite3_bind_int64(st, 1, cr_now() - 7 * 86400);
	sqlite3_bind_int64(st, 2, after_id);
	sqlite3_bind_int64(st, 3, (int64_t)want + 1); /* one more says whether more follow */
	*rows = report_rows(st, analytics_team_columns, ANALYTICS_TEAM_NCOLS, want + 1);
	store_done(st);
	return trim_page(*rows, want, "team_id", next_id);
}
