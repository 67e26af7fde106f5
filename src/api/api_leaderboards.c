/* Leaderboards for trainers: top creators (completions, likes, tips
 * received) and top learners (points earned, minutes watched, streak),
 * for a week, a month or all time, company-wide or per team. */
#include <string.h>

#include "casereel/app.h"
#include "casereel/leaderboards.h"
#include "casereel/report.h"

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
	const struct leaderboard *b = leaderboard_find(req->params[0]);
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
	json_t *rows;
	if (leaderboard_rows(b, period, team, sort, &rows)) {
		http_error(res, CR_EDB, "leaderboard");
		return;
	}
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
