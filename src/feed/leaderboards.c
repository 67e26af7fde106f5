/* Leaderboards: top creators and top learners. See
 * include/casereel/leaderboards.h. */
#include "casereel/leaderboards.h"

#include <string.h>

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

/* Account 2 is the shop: refunds are not earnings. The sort key is found
 * for everyone first (one summary search per person), the other columns
 * for the top rows only. */
#define LEARNER_POINTS                                                                             \
	"(COALESCE((SELECT sum(d.points) FROM learner_days d WHERE d.user_id = u.id"               \
	" AND d.day >= ?4), 0) + COALESCE(p.n, 0))"
#define LEARNER_MINUTES                                                                            \
	"(COALESCE((SELECT sum(d.watched) FROM learner_days d WHERE d.user_id = u.id"              \
	" AND d.day >= ?4), 0) + COALESCE(m.n, 0)) / 60.0"
#define LEARNER_STREAK                                                                             \
	"COALESCE((SELECT c.streak FROM checkins c WHERE c.user_id = u.id"                         \
	" ORDER BY c.day DESC LIMIT 1), 0)"
static const char learners_sql[] =
	"WITH p AS (SELECT a.user_id AS uid, sum(x.amount) AS n FROM point_transfers x"
	"   CROSS JOIN point_accounts a ON a.id = x.to_account"
	"   WHERE x.created_at >= ?1 AND x.created_at < ?5 AND x.from_account <> 2"
	"   GROUP BY a.user_id),"
	" m AS (SELECT user_id AS uid, sum(watched) AS n FROM watches"
	"   WHERE last_at >= ?1 * 1000 AND last_at < ?5 * 1000 GROUP BY user_id),"
	" top AS (SELECT u.id, CASE ?3 WHEN 'minutes' THEN " LEARNER_MINUTES
	"   WHEN 'streak' THEN " LEARNER_STREAK " ELSE " LEARNER_POINTS " END AS key"
	"   FROM users u LEFT JOIN p ON p.uid = u.id LEFT JOIN m ON m.uid = u.id"
	"   WHERE u.active AND (?2 = 0 OR u.team_id = ?2) ORDER BY key DESC, u.id LIMIT 20)"
	"SELECT u.id, u.display_name, t.name, " LEARNER_POINTS ", " LEARNER_MINUTES
	", " LEARNER_STREAK " FROM top CROSS JOIN users u ON u.id = top.id"
	" LEFT JOIN teams t ON t.id = u.team_id LEFT JOIN p ON p.uid = u.id"
	" LEFT JOIN m ON m.uid = u.id ORDER BY top.key DESC, u.id";

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

cr_err leaderboard_rows(const struct leaderboard *b, int64_t since, int64_t team_id,
			const char *sort, json_t **rows)
{
	sqlite3_stmt *st = store_stmt(board_sql[b - boards]);
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
	return CR_OK;
}
