/* Points: balance and history, daily check-in, tips, the gift catalogue and
 * the earning rules (issue 5). Every write that moves points goes through
 * http_idempotent, so it needs an Idempotency-Key. */
#include <string.h>
#include <time.h>

#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/idempotency.h"
#include "casereel/ledger.h"
#include "casereel/points.h"

static void my_points(struct cr_request *req, struct cr_response *res)
{
	long limit, before;
	if (!http_query_long(req, res, "limit", 20, 1, 100, &limit) ||
	    !http_query_long(req, res, "before", 0, 0, INT64_MAX, &before))
		return;
	json_t *out = NULL;
	int streak = 0;
	bool today = false;
	int64_t free_left = 0, given = 0, received = 0;
	time_t now = cr_now();
	cr_err e = ledger_history_json(req->user.id, before, limit, &out);
	if (!e)
		e = points_streak(req->user.id, now, &streak, &today);
	if (!e)
		e = points_tip_summary(req->user.id, now, &free_left, &given, &received);
	if (e) {
		json_decref(out);
		http_error(res, e, "points");
		return;
	}
	json_object_set_new(out, "streak", json_integer(streak));
	json_object_set_new(out, "checked_in_today", json_boolean(today));
	json_object_set_new(out, "free_tip_points_left", json_integer(free_left));
	json_object_set_new(out, "tips_given", json_integer(given));
	json_object_set_new(out, "tips_received", json_integer(received));
	http_json(res, 200, out);
}

static void checkin_inner(struct cr_request *req, struct cr_response *res)
{
	struct cr_problem why = {0};
	json_t *out = NULL;
	cr_err e = points_checkin(req->user.id, cr_now(), &out, &why);
	if (e)
		http_fail(res, e, &why, "check-in");
	else
		http_json(res, 201, out);
}

static void checkin(struct cr_request *req, struct cr_response *res)
{
	http_idempotent(req, res, checkin_inner);
}

static void tip_inner(struct cr_request *req, struct cr_response *res)
{
	int64_t id, count = 1;
	const char *gift;
	if (!http_path_id(req, res, 0, "video", &id) ||
	    !field_string(req, res, "gift", true, 1, 32, &gift, NULL) ||
	    !field_int(req, res, "count", false, 1, 100, false, &count, NULL))
		return;
	struct cr_problem why = {0};
	json_t *out = NULL;
	cr_err e = points_tip(id, req->user.id, gift, count, cr_now(), &out, &why);
	if (e)
		http_fail(res, e, &why, "tip");
	else
		http_json(res, 201, out);
}

static void tip(struct cr_request *req, struct cr_response *res)
{
	http_idempotent(req, res, tip_inner);
}

static void list_gifts(struct cr_request *req, struct cr_response *res)
{
	json_t *items = NULL;
	bool all = req->user.role >= CR_ROLE_ADMIN && http_query_present(req, "all");
	cr_err e = points_gifts_json(!all, &items);
	if (e)
		http_error(res, e, "gifts");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

#define GIFTS_MAX 50

/* Reads gift `i` of PUT /gifts into *g; answers 422 naming it. `label`
 * (the English name, as before labels) or labels.en is needed for a new
 * gift only. */
static bool read_gift(struct cr_response *res, size_t i, json_t *gj, struct points_gift *g)
{
	json_t *label = json_object_get(gj, "label");
	json_t *points = json_object_get(gj, "points"), *active = json_object_get(gj, "active");
	const char *n = json_string_value(json_object_get(gj, "name"));
	bool ok = json_is_object(gj) && n && strlen(n) >= 1 && strlen(n) <= 32;
	for (const char *p = n; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
	ok = ok &&
	     (!label || (json_is_string(label) && utf8_length(json_string_value(label)) >= 1 &&
			 utf8_length(json_string_value(label)) <= 40));
	ok = ok && json_is_integer(points) && json_integer_value(points) >= 1 &&
	     json_integer_value(points) <= 100000;
	ok = ok && (!active || json_is_boolean(active));
	if (!ok) {
		http_invalid_field(res, "gifts",
				   "gift %zu needs name (a-z, 0-9, - or _, up to 32), label (1-40"
				   " characters), points (1-100000) and optionally active",
				   i);
		return false;
	}
	*g = (struct points_gift){.name = n,
				  .labels.en = json_string_value(label),
				  .points = json_integer_value(points),
				  .active = !active || json_is_true(active)};
	return field_labels(res, gj, "labels", &g->labels);
}

static void put_gifts(struct cr_request *req, struct cr_response *res)
{
	json_t *gifts = json_object_get(req->json, "gifts"), *gj;
	struct points_gift g[GIFTS_MAX];
	size_t i;
	if (!json_is_array(gifts) || json_array_size(gifts) == 0 ||
	    json_array_size(gifts) > GIFTS_MAX) {
		http_invalid_field(res, "gifts", "gifts must be an array of 1 to 50 gifts");
		return;
	}
	json_array_foreach(gifts, i, gj)
	{
		if (!read_gift(res, i, gj, &g[i]))
			return;
	}
	struct cr_problem why = {0};
	cr_err e = points_gifts_put(g, json_array_size(gifts), &why);
	if (e) {
		http_fail(res, e, &why, "gifts");
		return;
	}
	list_gifts(req, res);
}

static void get_rules(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	json_t *out = NULL;
	cr_err e = points_rules_json(&out);
	if (e)
		http_error(res, e, "points rules");
	else
		http_json(res, 200, out);
}

static void put_rules(struct cr_request *req, struct cr_response *res)
{
	static const char *const ints[] = {"learn_points", "approve_points", "free_tip_points",
					   "tip_pair_cap"};
	int64_t v;
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		if (!field_int(req, res, ints[i], false, 0, 1000000, false, &v, NULL))
			return;
	json_t *bonus = json_object_get(req->json, "checkin_bonus"), *b;
	size_t i;
	bool ok = !bonus || (json_is_array(bonus) && json_array_size(bonus) >= 1 &&
			     json_array_size(bonus) <= POINTS_STREAK_MAX_DAYS);
	json_array_foreach(bonus, i, b)
	{
		json_int_t pts = json_integer_value(b);
		ok = ok && json_is_integer(b) && pts >= 0 && pts <= 100000;
	}
	if (!ok) {
		http_invalid_field(
			res, "checkin_bonus",
			"checkin_bonus is 1 to %d whole points (0-100000), one per streak day;"
			" later days get the last one",
			POINTS_STREAK_MAX_DAYS);
		return;
	}
	cr_err e = points_rules_update(req->json);
	if (e)
		http_error(res, e, "points rules");
	else
		get_rules(req, res);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/me/points", CR_ROLE_AGENT, CR_BODY_NONE, my_points, NULL},
	{"GET", "/api/v1/gifts", CR_ROLE_AGENT, CR_BODY_NONE, list_gifts, NULL},
	{"PUT", "/api/v1/gifts", CR_ROLE_ADMIN, CR_BODY_JSON, put_gifts, NULL},
	{"GET", "/api/v1/points/rules", CR_ROLE_AGENT, CR_BODY_NONE, get_rules, NULL},
	{"PUT", "/api/v1/points/rules", CR_ROLE_ADMIN, CR_BODY_JSON, put_rules, NULL},
};

/* Each request keeps an idempotency row: within the caller's budget. */
static const struct cr_route checkin_routes[] = {
	{"POST", "/api/v1/me/checkin", CR_ROLE_AGENT, CR_BODY_NONE, checkin, NULL},
};
static const struct cr_route_extra checkin_budget = {.rate = CR_RATE_CHECKINS};
static const struct cr_route tip_routes[] = {
	{"POST", "/api/v1/videos/{id}/tips", CR_ROLE_AGENT, CR_BODY_JSON, tip, NULL},
};
static const struct cr_route_extra tip_budget = {.rate = CR_RATE_TIPS};

cr_err api_points_register(struct router *r)
{
	cr_err e = router_add(r, routes, sizeof routes / sizeof routes[0]);
	if (!e)
		e = router_add_extra(r, checkin_routes,
				     sizeof checkin_routes / sizeof checkin_routes[0],
				     &checkin_budget);
	if (!e)
		e = router_add_extra(r, tip_routes, sizeof tip_routes / sizeof tip_routes[0],
				     &tip_budget);
	return e;
}
