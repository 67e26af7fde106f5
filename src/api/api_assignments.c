/* Must-watch: trainers assign a published clip to teams or people with a
 * due date; it is pinned near the top of their feed until watched
 * (src/feed.c), and trainers see who has and hasn't watched. */
#include <stdio.h>
#include <time.h>

#include "casereel/app.h"
#include "casereel/assignments.h"
#include "casereel/feed.h"
#include "casereel/feed_items.h"
#include "casereel/fields.h"

#define URL_TTL     3600
#define MAX_TARGETS 200

static bool read_targets(struct cr_request *req, struct cr_response *res, const char *name,
			 json_t **out)
{
	json_t *v = json_object_get(req->json, name);
	*out = v;
	if (!v)
		return true;
	size_t i;
	json_t *x;
	bool ok = json_is_array(v) && json_array_size(v) <= MAX_TARGETS;
	json_array_foreach(v, i, x) ok = ok && json_is_integer(x) && json_integer_value(x) > 0;
	if (!ok)
		http_invalid_field(res, name, "%s must be a list of at most %d ids", name,
				   MAX_TARGETS);
	return ok;
}

static void assign(struct cr_request *req, struct cr_response *res)
{
	int64_t video_id;
	const char *due = NULL, *note = "";
	json_t *teams, *people;
	if (!field_int(req, res, "video_id", true, 1, INT64_MAX, false, &video_id, NULL) ||
	    !field_date(req, res, "due_date", &due, NULL) ||
	    !field_string(req, res, "note", false, 0, 200, &note, NULL) ||
	    !read_targets(req, res, "team_ids", &teams) ||
	    !read_targets(req, res, "user_ids", &people))
		return;
	if (json_array_size(teams) + json_array_size(people) == 0) {
		http_invalid_field(res, "team_ids",
				   "assign the clip to at least one team or person");
		return;
	}
	int64_t due_at = 0;
	if (due) { /* due at the end of that day in the configured zone */
		struct tm tm = {.tm_isdst = -1, .tm_hour = 23, .tm_min = 59, .tm_sec = 59};
		strptime(due, "%Y-%m-%d", &tm);
		due_at = mktime(&tm);
	}
	json_t *ids = json_array();
	const char *bad = NULL;
	size_t i;
	json_t *x;
	cr_err e =
		assignments_create(video_id, teams, people, due_at, note, req->user.id, ids, &bad);
	if (bad) {
		http_invalid_field(
			res, bad,
			"%s names something that does not exist (or a clip not published)", bad);
	} else if (e) {
		http_error(res, e, "assignment");
	} else {
		json_t *items = json_array();
		json_array_foreach(ids, i, x) json_array_append_new(
			items, assignments_get_json(json_integer_value(x), false));
		http_json(res, 201, json_pack("{s:o}", "items", items));
	}
	json_decref(ids);
}

static void list_assignments(struct cr_request *req, struct cr_response *res)
{
	long limit, before;
	if (!http_query_long(req, res, "limit", 50, 1, 200, &limit) ||
	    !http_query_long(req, res, "before", INT64_MAX, 1, INT64_MAX, &before))
		return;
	int64_t ids[200];
	size_t n;
	json_t *items = json_array();
	if (!items || assignments_list_ids(before, limit, ids, &n)) {
		json_decref(items);
		http_error(res, CR_EDB, "assignments");
		return;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, assignments_get_json(ids[i], false));
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

static void get_assignment(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "assignment", &id))
		return;
	json_t *j = assignments_get_json(id, true);
	if (j)
		http_json(res, 200, j);
	else
		http_error(res, CR_ENOTFOUND, "assignment");
}

static void my_assignments(struct cr_request *req, struct cr_response *res)
{
	int64_t ids[ASSIGNMENTS_MINE_MAX], due[ASSIGNMENTS_MINE_MAX];
	size_t n;
	json_t *items = json_array();
	if (!items || assignments_of_user(req->user.id, req->user.team_id, ids, due, &n)) {
		json_decref(items);
		http_error(res, CR_EDB, "assignments");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct feed_entry entry = {.id = ids[i],
					   .reason = rank_reason_text(RANK_REASON_MUST_WATCH),
					   .must_watch = true,
					   .reason_code = rank_reason_code(RANK_REASON_MUST_WATCH)};
		json_t *item = feed_item_json(&entry, &req->user, URL_TTL);
		if (!item)
			continue;
		json_object_set_new(item, "due_at", due[i] ? json_integer(due[i]) : json_null());
		json_array_append_new(items, item);
	}
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/assignments", CR_ROLE_TRAINER, CR_BODY_JSON, assign, NULL},
	{"GET", "/api/v1/assignments", CR_ROLE_TRAINER, CR_BODY_NONE, list_assignments, NULL},
	{"GET", "/api/v1/assignments/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, get_assignment, NULL},
	{"GET", "/api/v1/me/assignments", CR_ROLE_AGENT, CR_BODY_NONE, my_assignments, NULL},
};

cr_err api_assignments_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
