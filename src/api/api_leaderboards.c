/* Leaderboards for trainers: top creators (completions, likes, tips
 * received) and top learners (points earned, minutes watched, streak),
 * for a week, a month or all time, company-wide or per team. */
#include <string.h>
#include <time.h>

#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/report.h"
#include "casereel/store.h"

#define TOP_N 20

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
	"   AND EXISTS (SELECT 1 FROM videos v WHERE v.owner_id = u.id AND v.status = 'published')"
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

struct board {
	const char *name;
	const char *sql;
	const char *sorts[3];   /* allowed ?sort= values; the first is the default */
	const char *columns[6]; /* output names of the six selected columns */
};

static const struct board boards[] = {
	{"creators",
	 creators_sql,
	 {"completions", "likes", "tips"},
	 {"user_id", "display_name", "team", "completions", "likes", "tips_received"}},
	{"learners",
	 learners_sql,
	 {"points", "minutes", "streak"},
	 {"user_id", "display_name", "team", "points_earned", "minutes_watched", "streak"}},
};

static int64_t period_start(const char *period)
{
	time_t now = cr_now();
	if (!strcmp(period, "week"))
		return now - 7 * 86400;
	if (!strcmp(period, "month"))
		return now - 30 * 86400;
	return 0;
}

static const char *pick(const char *value, const char *const *allowed, size_t n)
{
	if (!value)
		return allowed[0];
	for (size_t i = 0; i < n; i++)
		if (allowed[i] && !strcmp(value, allowed[i]))
			return allowed[i];
	return NULL;
}

static void leaderboard(struct cr_request *req, struct cr_response *res)
{
	static const char *const periods[] = {"week", "month", "all"};
	const struct board *b = !strcmp(req->params[0], "creators")   ? &boards[0]
				: !strcmp(req->params[0], "learners") ? &boards[1]
								      : NULL;
	if (!b) {
		http_problem(res, 404, "not-found", "boards are 'creators' and 'learners'");
		return;
	}
	const char *period = pick(http_query(req, "period"), periods, 3);
	const char *sort = pick(http_query(req, "sort"), b->sorts, 3);
	long team;
	if (!period || !sort) {
		http_invalid_field(res, period ? "sort" : "period",
				   "period is week, month or all; sort is %s, %s or %s",
				   b->sorts[0], b->sorts[1], b->sorts[2]);
		return;
	}
	if (!http_query_long(req, res, "team_id", 0, 0, INT64_MAX, &team))
		return;
	sqlite3_stmt *st = store_stmt(b->sql);
	if (!st) {
		http_error(res, CR_EDB, "leaderboard");
		return;
	}
	sqlite3_bind_int64(st, 1, period_start(period));
	sqlite3_bind_int64(st, 2, team);
	sqlite3_bind_text(st, 3, sort, -1, SQLITE_STATIC);
	json_t *rows = report_rows(st, b->columns, 6, TOP_N);
	store_done(st);
	report_answer(
		req, res, rows, b->columns, 6,
		json_pack("{s:s, s:s, s:s}", "board", b->name, "period", period, "sort", sort));
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/leaderboards/{board}", CR_ROLE_TRAINER, CR_BODY_NONE, leaderboard, NULL},
};

cr_err api_leaderboards_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
