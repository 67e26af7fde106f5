/* Leaderboards: top creators and top learners. See
 * include/casereel/leaderboards.h. */
#include "casereel/leaderboards.h"

#include <string.h>

#include "casereel/clock.h"
#include "casereel/report_rows.h"
#include "casereel/store.h"
#include "casereel/videos.h"

/* One SQL per board: period start ?1 (unix s), team ?2 (0 = all), sort
 * column ?3, the period's first whole UTC day ?4 and its start ?5 (unix s).
 * Whole days are summed from the summaries kept as activity happens
 * (creator_days, learner_days), at most a row per person and day; the
 * first, partial day [?1, ?5) from the activity itself over its time
 * indexes. Summing a week of raw activity per request took a second at
 * 100k users and 5M watches (bench/scale.sh). */
static const char creators_sql[] =
	"WITH c AS (SELECT v.owner_id AS uid, count(*) AS n FROM watches w CROSS JOIN videos v"
	"   ON v.id = w.video_id WHERE w.completed_at >= ?1 AND w.completed_at < ?5"
	"   GROUP BY v.owner_id),"
	" l AS (SELECT v.owner_id AS uid, count(*) AS n FROM likes x CROSS JOIN videos v"
	"   ON v.id = x.video_id WHERE x.created_at >= ?1 AND x.created_at < ?5"
	"   GROUP BY v.owner_id),"
	" p AS (SELECT to_user AS uid, sum(amount) AS n FROM tips WHERE created_at >= ?1"
	"   AND created_at < ?5 GROUP BY to_user),"
	" d AS (SELECT user_id AS uid, sum(completions) AS c, sum(likes) AS l, sum(tips) AS t"
	"   FROM creator_days WHERE day >= ?4 GROUP BY user_id),"
	" cr AS (SELECT DISTINCT owner_id AS uid FROM videos WHERE status = " VIDEO_SQL_PUBLISHED
	")"
	"SELECT u.id, u.display_name, t.name, COALESCE(d.c, 0) + COALESCE(c.n, 0) AS completions,"
	" COALESCE(d.l, 0) + COALESCE(l.n, 0) AS likes, COALESCE(d.t, 0) + COALESCE(p.n, 0) AS tips"
	" FROM cr CROSS JOIN users u ON u.id = cr.uid LEFT JOIN teams t ON t.id = u.team_id"
	" LEFT JOIN d ON d.uid = u.id LEFT JOIN c ON c.uid = u.id LEFT JOIN l ON l.uid = u.id"
	" LEFT JOIN p ON p.uid = u.id"
	" WHERE u.active AND (?2 = 0 OR u.team_id = ?2)"
	" ORDER BY CASE ?3 WHEN 'likes' THEN likes WHEN 'tips' THEN tips ELSE completions END "
	"DESC, u.id"
	" LIMIT 20";

/* Account 2 is the shop: refunds are not earnings. The period's first,
 * partial day: points (p) and seconds (m) from the activity itself. */
#define PARTIAL_DAY                                                                                \
	"WITH p AS (SELECT a.user_id AS uid, sum(x.amount) AS n FROM point_transfers x"            \
	"   CROSS JOIN point_accounts a ON a.id = x.to_account"                                    \
	"   WHERE x.created_at >= ?1 AND x.created_at < ?5 AND x.from_account <> 2"                \
	"   GROUP BY a.user_id),"                                                                  \
	" m AS (SELECT user_id AS uid, sum(watched) AS n FROM watches"                             \
	"   WHERE last_at >= ?1 * 1000 AND last_at < ?5 * 1000 GROUP BY user_id),"

/* The slow way, for when learner_windows is not at today yet (the minutes
 * after midnight, a moved clock): the sort key is found for everyone (one
 * summary search per person), the other columns for the top rows only. */
#define LEARNER_POINTS                                                                             \
	"(COALESCE((SELECT sum(d.points) FROM learner_days d WHERE d.user_id = u.id"               \
	" AND d.day >= ?4), 0) + COALESCE(p.n, 0))"
#define LEARNER_MINUTES                                                                            \
	"(COALESCE((SELECT sum(d.watched) FROM learner_days d WHERE d.user_id = u.id"              \
	" AND d.day >= ?4), 0) + COALESCE(m.n, 0)) / 60.0"
#define LEARNER_STREAK                                                                             \
	"COALESCE((SELECT c.streak FROM checkins c WHERE c.user_id = u.id"                         \
	" ORDER BY c.day DESC LIMIT 1), 0)"
static const char learners_sql[] = PARTIAL_DAY
	" top AS (SELECT u.id, CASE ?3 WHEN 'minutes' THEN " LEARNER_MINUTES
	"   WHEN 'streak' THEN " LEARNER_STREAK " ELSE " LEARNER_POINTS " END AS key"
	"   FROM users u LEFT JOIN p ON p.uid = u.id LEFT JOIN m ON m.uid = u.id"
	"   WHERE u.active AND (?2 = 0 OR u.team_id = ?2) ORDER BY key DESC, u.id LIMIT 20)"
	"SELECT u.id, u.display_name, t.name, " LEARNER_POINTS ", " LEARNER_MINUTES
	", " LEARNER_STREAK " FROM top CROSS JOIN users u ON u.id = top.id"
	" LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN p ON p.uid = u.id"
	" LEFT JOIN m ON m.uid = u.id ORDER BY top.key DESC, u.id";

/* The fast way, from learner_windows at today (migration 33), sorted by
 * its column KEY (KEY_SQL: the board's key from w, p and m). The top 20
 * can only be among: the top 20 by KEY alone (the partial day only adds),
 * whoever has activity on the partial day, and, for the zero rows that
 * fill a board, the first 40 people by id. */
#define WINDOW_POINTS(col)  "(COALESCE(w." col "_points, 0) + COALESCE(p.n, 0))"
#define WINDOW_MINUTES(col) "(COALESCE(w." col "_watched, 0) + COALESCE(m.n, 0)) / 60.0"
#define WHO                 "u.active AND (?2 = 0 OR u.team_id = ?2)"
#define LEARNERS_FROM_WINDOWS(col, key, key_sql)                                                   \
	PARTIAL_DAY " cand AS (SELECT id FROM (SELECT w.user_id AS id FROM learner_windows w"      \
		    "   CROSS JOIN users u ON u.id = w.user_id WHERE " WHO "   ORDER BY w." key    \
		    " DESC, w.user_id LIMIT 20)"                                                   \
		    "  UNION SELECT uid FROM p UNION SELECT uid FROM m"                            \
		    "  UNION SELECT id FROM (SELECT id FROM users u WHERE " WHO " ORDER BY id"     \
		    "   LIMIT 40)),"                                                               \
		    " top AS (SELECT u.id, " key_sql " AS key FROM cand CROSS JOIN users u"        \
		    "   ON u.id = cand.id LEFT JOIN learner_windows w ON w.user_id = u.id"         \
		    "   LEFT JOIN p ON p.uid = u.id LEFT JOIN m ON m.uid = u.id WHERE " WHO        \
		    "   ORDER BY key DESC, u.id LIMIT 20)"                                         \
		    "SELECT u.id, u.display_name, t.name, " WINDOW_POINTS(                         \
			    col) ","                                                               \
				 " " WINDOW_MINUTES(                                               \
					 col) ", COALESCE(w.streak, 0)"                            \
					      " FROM top CROSS JOIN users u ON u.id = top.id"      \
					      " LEFT JOIN teams t ON t.id = u.team_id"             \
					      " LEFT JOIN learner_windows w ON w.user_id = u.id"   \
					      " LEFT JOIN p ON p.uid = u.id LEFT JOIN m ON m.uid " \
					      "= u.id"                                             \
					      " ORDER BY top.key DESC, u.id"
#define LEARNERS_PERIOD(col)                                                                       \
	{                                                                                          \
		LEARNERS_FROM_WINDOWS(col, col "_points", WINDOW_POINTS(col)),                     \
			LEARNERS_FROM_WINDOWS(col, col "_watched", WINDOW_MINUTES(col)),           \
			LEARNERS_FROM_WINDOWS(col, "streak", "COALESCE(w.streak, 0)")              \
	}

/* by period (week, month, all), then sort (points, minutes, streak) */
static const char *const learners_from_windows[3][3] = {
	LEARNERS_PERIOD("week"),
	LEARNERS_PERIOD("month"),
	LEARNERS_PERIOD("all"),
};

static const struct leaderboard boards[] = {
	{"creators",
	 {"completions", "likes", "tips"},
	 {"user_id", "display_name", "team", "completions", "likes", "tips_received"}},
	{"learners",
	 {"points", "minutes", "streak"},
	 {"user_id", "display_name", "team", "points_earned", "minutes_watched", "streak"}},
};

/* boards[i]'s statement */
static const char *const board_sql[] = {creators_sql, learners_sql};

const struct leaderboard *leaderboard_find(const char *name)
{
	for (size_t i = 0; i < sizeof boards / sizeof boards[0]; i++)
		if (!strcmp(name, boards[i].name))
			return &boards[i];
	return NULL;
}

static const char *const periods[] = {"week", "month", "all"};

/* The index of `name` in list[0..n), or n. */
static size_t index_of(const char *const *list, size_t n, const char *name)
{
	size_t i = 0;
	while (i < n && strcmp(list[i], name))
		i++;
	return i;
}

/* The day every learner_windows row is at; -1 when it cannot be read. */
static int64_t windows_day(void)
{
	sqlite3_stmt *st = store_stmt("SELECT day FROM learner_windows_day");
	if (!st)
		return -1;
	int64_t day = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	store_done(st);
	return day;
}

cr_err leaderboard_rows(const struct leaderboard *b, const char *period, int64_t team_id,
			const char *sort, json_t **rows)
{
	int64_t now = cr_now();
	size_t per = index_of(periods, 3, period);
	int64_t since = per == 0 ? now - 7 * 86400 : per == 1 ? now - 30 * 86400 : 0;
	const char *sql = board_sql[b - boards];
	if (b == &boards[1] && per < 3 && windows_day() == now / 86400)
		sql = learners_from_windows[per][index_of(b->sorts, 3, sort) % 3];
	sqlite3_stmt *st = store_stmt(sql);
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, team_id);
	sqlite3_bind_text(st, 3, sort, -1, SQLITE_STATIC);
	int64_t first_day = since / 86400 + 1; /* since >= 0 */
	sqlite3_bind_int64(st, 4, first_day);
	sqlite3_bind_int64(st, 5, first_day * 86400);
	*rows = report_rows(st, b->columns, 6, LEADERBOARD_TOP_N);
	store_done(st);
	return *rows ? CR_OK : CR_EDB;
}

/* How many learner_windows rows one round moves to today. */
#define ROLL_ROWS 5000

cr_err leaderboards_roll(void)
{
	static int64_t rolled_to = -1; /* the housekeeping thread's own */
	int64_t today = cr_now() / 86400;
	if (rolled_to == today)
		return CR_OK;
	cr_err e = store_begin();
	sqlite3_stmt *st =
		e ? NULL
		  : store_stmt(
			    "UPDATE learner_windows SET"
			    " week_points = coalesce((SELECT sum(points) FROM learner_days d"
			    "  WHERE d.user_id = learner_windows.user_id AND d.day >= ?1 - 6), 0),"
			    " week_watched = (SELECT total(watched) FROM learner_days d"
			    "  WHERE d.user_id = learner_windows.user_id AND d.day >= ?1 - 6),"
			    " month_points = coalesce((SELECT sum(points) FROM learner_days d"
			    "  WHERE d.user_id = learner_windows.user_id AND d.day >= ?1 - 29), 0),"
			    " month_watched = (SELECT total(watched) FROM learner_days d"
			    "  WHERE d.user_id = learner_windows.user_id AND d.day >= ?1 - 29),"
			    " day = ?1"
			    " WHERE user_id IN (SELECT user_id FROM learner_windows WHERE day <> ?1"
			    "  LIMIT ?2)");
	if (st) {
		sqlite3_bind_int64(st, 1, today);
		sqlite3_bind_int64(st, 2, ROLL_ROWS);
	}
	if (!e)
		e = store_run(st, "roll the learners' windows");
	bool more = !e && sqlite3_changes(store_db()) == ROLL_ROWS;
	if (!e && !more) {
		st = store_stmt("UPDATE learner_windows_day SET day = ?1");
		if (st)
			sqlite3_bind_int64(st, 1, today);
		e = store_run(st, "roll the learners' windows");
	}
	e = store_end(e);
	if (!e && !more)
		rolled_to = today;
	return e;
}
