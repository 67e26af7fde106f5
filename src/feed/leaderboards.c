/* Leaderboards: top creators and top learners. See
 * include/casereel/leaderboards.h. */
#include "casereel/leaderboards.h"

#include <string.h>

#include "casereel/report_rows.h"
#include "casereel/store.h"
#include "casereel/videos.h"

/* One SQL per board: period start ?1, team ?2 (0 = all), sort column ?3. */
static const char creators_sql[] =
	"SELECT u.id, u.display_name, t.name,"
	" (SELECT count(*) FROM watches w JOIN videos v ON v.id = w.video_id"
	"   WHERE v.owner_id = u.id AND w.completed_at >= ?1) AS completions,"
	" (SELECT count(*) FROM likes l JOIN videos v ON v.id = l.video_id"
	"   WHERE v.owner_id = u.id AND l.created_at >= ?1) AS likes,"
	" (SELECT COALESCE(sum(amount), 0) FROM tips p WHERE p.to_user = u.id AND p.created_at >= "
	"?1) AS tips"
	" FROM users u LEFT JOIN teams t ON t.id = u.team_id"
	" WHERE u.active AND (?2 = 0 OR u.team_id = ?2)"
	"   AND EXISTS (SELECT 1 FROM videos v WHERE v.owner_id = u.id AND v.status "
	"= " VIDEO_SQL_PUBLISHED ")"
	" ORDER BY CASE ?3 WHEN 'likes' THEN likes WHEN 'tips' THEN tips ELSE completions END "
	"DESC, u.id"
	" LIMIT 20";

static const char learners_sql[] =
	"SELECT u.id, u.display_name, t.name,"
	" (SELECT COALESCE(sum(x.amount), 0) FROM point_transfers x JOIN point_accounts a"
	"   ON a.id = x.to_account WHERE a.user_id = u.id AND x.created_at >= ?1"
	"   AND x.from_account <> 2) AS points," /* account 2 is the shop: refunds are not earnings
						  */
	" (SELECT COALESCE(sum(w.watched), 0) / 60.0 FROM watches w"
	"   WHERE w.user_id = u.id AND w.last_at >= ?1 * 1000) AS minutes,"
	" COALESCE((SELECT c.streak FROM checkins c WHERE c.user_id = u.id"
	"   ORDER BY c.day DESC LIMIT 1), 0) AS streak"
	" FROM users u LEFT JOIN teams t ON t.id = u.team_id"
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
