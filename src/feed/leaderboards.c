/* Leaderboards: top creators and top learners. See
 * include/casereel/leaderboards.h. */
#include "casereel/leaderboards.h"

#include <string.h>

#include "casereel/report_rows.h"
#include "casereel/store.h"
#include "casereel/videos.h"

/* One SQL per board: period start ?1, team ?2 (0 = all), sort column ?3.
 * Each total is summed once from the activity of the period (the
 * *_created and watches_completed indexes of migration 27), then joined to
 * the people: asking every user for their history took minutes with 100k
 * users and 5M watches (bench/scale.sh). */
static const char creators_sql[] =
	"WITH c AS (SELECT v.owner_id AS uid, count(*) AS n FROM watches w CROSS JOIN videos v"
	"   ON v.id = w.video_id WHERE w.completed_at >= ?1 GROUP BY v.owner_id),"
	" l AS (SELECT v.owner_id AS uid, count(*) AS n FROM likes x CROSS JOIN videos v"
	"   ON v.id = x.video_id WHERE x.created_at >= ?1 GROUP BY v.owner_id),"
	" p AS (SELECT to_user AS uid, sum(amount) AS n FROM tips WHERE created_at >= ?1"
	"   GROUP BY to_user),"
	" cr AS (SELECT DISTINCT owner_id AS uid FROM videos WHERE status = " VIDEO_SQL_PUBLISHED
	")"
	"SELECT u.id, u.display_name, t.name, COALESCE(c.n, 0) AS completions,"
	" COALESCE(l.n, 0) AS likes, COALESCE(p.n, 0) AS tips"
	" FROM cr CROSS JOIN users u ON u.id = cr.uid LEFT JOIN teams t ON t.id = u.team_id"
	" LEFT JOIN c ON c.uid = u.id LEFT JOIN l ON l.uid = u.id LEFT JOIN p ON p.uid = u.id"
	" WHERE u.active AND (?2 = 0 OR u.team_id = ?2)"
	" ORDER BY CASE ?3 WHEN 'likes' THEN likes WHEN 'tips' THEN tips ELSE completions END "
	"DESC, u.id"
	" LIMIT 20";

/* Account 2 is the shop: refunds are not earnings. */
static const char learners_sql[] =
	"WITH p AS (SELECT a.user_id AS uid, sum(x.amount) AS n FROM point_transfers x"
	"   CROSS JOIN point_accounts a ON a.id = x.to_account"
	"   WHERE x.created_at >= ?1 AND x.from_account <> 2 GROUP BY a.user_id),"
	" m AS (SELECT user_id AS uid, sum(watched) / 60.0 AS n FROM watches"
	"   WHERE last_at >= ?1 * 1000 GROUP BY user_id)"
	"SELECT u.id, u.display_name, t.name, COALESCE(p.n, 0) AS points,"
	" COALESCE(m.n, 0) AS minutes,"
	" COALESCE((SELECT c.streak FROM checkins c WHERE c.user_id = u.id"
	"   ORDER BY c.day DESC LIMIT 1), 0) AS streak"
	" FROM users u LEFT JOIN teams t ON t.id = u.team_id"
	" LEFT JOIN p ON p.uid = u.id LEFT JOIN m ON m.uid = u.id"
	" WHERE u.active AND (?2 = 0 OR u.team_id = ?2)"
	" ORDER BY CASE ?3 WHEN 'minutes' THEN minutes WHEN 'streak' THEN streak ELSE points END "
	"DESC, u.id"
	" LIMIT 20";

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
	*rows = report_rows(st, b->columns, 6, LEADERBOARD_TOP_N);
	store_done(st);
	return CR_OK;
}
