/* Impact reports for trainers: GET /api/v1/impact?path_id=|video_id=|rule_id=
 * &metric=&tag=, as JSON or, with format=csv, one line per completer. */
#include <string.h>

#include "casereel/app.h"
#include "casereel/impact.h"
#include "casereel/report.h"

static const char *const pair_columns[] = {"user_id", "date", "treated_change", "control_change",
					   "comparisons"};

static void impact(struct cr_request *req, struct cr_response *res)
{
	static const struct {
		const char *param, *what;
		enum impact_kind kind;
	} kinds[] = {{"path_id", "path", IMPACT_PATH},
		     {"video_id", "video", IMPACT_VIDEO},
		     {"rule_id", "push rule", IMPACT_RULE}};
	struct impact_query q = {.metric = http_query(req, "metric"),
				 .tag = http_query(req, "tag")};
	size_t given = 0;
	const char *what = "";
	for (size_t i = 0; i < 3; i++) {
		long id;
		if (!http_query_long(req, res, kinds[i].param, 0, 0, INT64_MAX, &id))
			return;
		if (id) {
			q.kind = kinds[i].kind, q.id = id, what = kinds[i].what;
			given++;
		}
	}
	if (given != 1) {
		http_invalid_field(res, "path_id",
				   "name exactly one of path_id, video_id, rule_id");
		return;
	}
	if (!q.metric) {
		http_invalid_field(res, "metric", "name the metric to judge by");
		return;
	}
	long min_n;
	if (!http_query_long(req, res, "min_n", IMPACT_MIN_N, 2, 10000, &min_n))
		return;
	q.min_n = (size_t)min_n;
	json_t *report;
	struct cr_problem why = {0};
	cr_err e = impact_report(&q, &report, &why);
	if (e)
		http_fail(res, e, &why, what);
	else {
		json_t *pairs = json_incref(json_object_get(report, "pairs"));
		json_object_del(report, "pairs");
		report_answer(req, res, pairs, pair_columns, 5, report);
	}
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/impact", CR_ROLE_TRAINER, CR_BODY_NONE, impact, NULL},
};

/* a report over months of service metrics: --query-timeout-long */
static const struct cr_route_extra long_report = {.long_queries = true};

cr_err api_impact_register(struct router *r)
{
	return router_add_extra(r, routes, sizeof routes / sizeof routes[0], &long_report);
}
