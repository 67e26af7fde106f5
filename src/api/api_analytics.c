/* Learning analytics for trainers (src/feed/analytics.c), each list also
 * as a CSV export (?format=csv). */
#include "casereel/analytics.h"
#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/report.h"

static void clips(struct cr_request *req, struct cr_response *res)
{
	json_t *rows;
	if (analytics_clips(&rows)) {
		http_error(res, CR_EDB, "analytics");
		return;
	}
	report_answer(req, res, rows, analytics_clip_columns, ANALYTICS_CLIP_NCOLS, NULL);
}

static void clip_detail(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	json_t *j;
	cr_err e = analytics_clip_json(id, &j);
	if (e)
		http_error(res, e, e == CR_ENOTFOUND ? "transcoded video" : "analytics");
	else
		http_json(res, 200, j);
}

static void people(struct cr_request *req, struct cr_response *res)
{
	long team;
	if (!http_query_long(req, res, "team_id", 0, 0, INT64_MAX, &team))
		return;
	json_t *rows;
	if (analytics_people(team, &rows)) {
		http_error(res, CR_EDB, "analytics");
		return;
	}
	report_answer(req, res, rows, analytics_person_columns, ANALYTICS_PERSON_NCOLS, NULL);
}

static void person(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "user", &id))
		return;
	json_t *one;
	cr_err e = analytics_person_json(id, &one);
	if (e)
		http_error(res, e, e == CR_ENOTFOUND ? "user" : "analytics");
	else
		http_json(res, 200, one);
}

static void teams(struct cr_request *req, struct cr_response *res)
{
	json_t *rows;
	if (analytics_teams(&rows)) {
		http_error(res, CR_EDB, "analytics");
		return;
	}
	report_answer(req, res, rows, analytics_team_columns, ANALYTICS_TEAM_NCOLS, NULL);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/analytics/videos", CR_ROLE_TRAINER, CR_BODY_NONE, clips, NULL},
	{"GET", "/api/v1/analytics/videos/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, clip_detail, NULL},
	{"GET", "/api/v1/analytics/users", CR_ROLE_TRAINER, CR_BODY_NONE, people, NULL},
	{"GET", "/api/v1/analytics/users/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, person, NULL},
	{"GET", "/api/v1/analytics/teams", CR_ROLE_TRAINER, CR_BODY_NONE, teams, NULL},
};

cr_err api_analytics_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
