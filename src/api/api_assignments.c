/* Must-watch: trainers assign a published clip to teams or people with a
 * due date, as a one-clip learning path (src/loop/paths.c), and see who has
 * watched it; agents get one list of everything assigned to them, clips and
 * paths alike, with due dates and progress. */
#include "casereel/app.h"
#include "casereel/catalog.h"
#include "casereel/fields.h"
#include "casereel/paths.h"

#define LIST_MAX    200
#define MAX_TARGETS 200

static void assign(struct cr_request *req, struct cr_response *res)
{
	int64_t video_id;
	const char *due = NULL, *note = "";
	json_t *teams, *people, *made = json_array(), *items = json_array(), *x;
	struct cr_problem why = {0};
	if (!made || !items ||
	    !field_int(req, res, "video_id", true, 1, INT64_MAX, false, &video_id, NULL) ||
	    !field_date(req, res, "due_date", &due, NULL) ||
	    !field_text(req, res, "note", false, 0, 200, &note, NULL) ||
	    !field_id_array(req, res, "team_ids", MAX_TARGETS, &teams) ||
	    !field_id_array(req, res, "user_ids", MAX_TARGETS, &people))
		goto out;
	if (json_array_size(teams) + json_array_size(people) == 0) {
		http_invalid_field(res, "team_ids",
				   "assign the clip to at least one team or person");
		goto out;
	}
	cr_err e = paths_assign_clip(video_id, teams, people, due ? date_end_of_day(due) : 0, note,
				     req->user.id, made, &why);
	if (e) {
		http_fail(res, e, &why, "assignment");
		goto out;
	}
	catalog_touch(); /* assigned viewers re-rank on their next reload */
	size_t i;
	json_array_foreach(made, i, x)
	{
		json_t *a;
		if (!paths_clip_assignment_json(json_integer_value(x), false, &a))
			json_array_append_new(items, a);
	}
	http_json(res, 201, json_pack("{s:O}", "items", items));
out:
	json_decref(made);
	json_decref(items);
}

static void list_assignments(struct cr_request *req, struct cr_response *res)
{
	long limit, before;
	if (!http_query_long(req, res, "limit", 50, 1, LIST_MAX, &limit) ||
	    !http_query_long(req, res, "before", INT64_MAX, 1, INT64_MAX, &before))
		return;
	int64_t ids[LIST_MAX];
	size_t n;
	json_t *items = json_array();
	if (!items || paths_clip_assignment_ids(before, limit, ids, &n)) {
		json_decref(items);
		http_error(res, CR_EDB, "assignments");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *a;
		if (!paths_clip_assignment_json(ids[i], false, &a))
			json_array_append_new(items, a);
	}
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

static void get_assignment(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	json_t *a;
	if (!http_path_id(req, res, 0, "assignment", &id))
		return;
	cr_err e = paths_clip_assignment_json(id, true, &a);
	if (e)
		http_error(res, e, "assignment");
	else
		http_json(res, 200, a);
}

/* Takes a must-watch assignment back: the clip leaves its people's
 * must-watch lists and their feeds' pins. Another path's assignment is not
 * one (404): those go through /path-assignments. */
static void unassign_clip(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	json_t *a = NULL;
	if (!http_path_id(req, res, 0, "assignment", &id))
		return;
	cr_err e = paths_clip_assignment_json(id, false, &a);
	json_decref(a);
	if (!e)
		e = paths_unassign(id);
	if (e) {
		http_error(res, e, "assignment");
		return;
	}
	catalog_invalidate(); /* its viewers re-rank without the pin on their next reload */
	http_no_content(res);
}

/* Everything assigned to the caller: must-watch clips and learning paths,
 * unfinished first by due date (the overdue lead), finished after. */
static void my_assignments(struct cr_request *req, struct cr_response *res)
{
	json_t *items;
	cr_err e = paths_mine_json(req->user.id, req->user.team_id, true, &items);
	if (e)
		http_error(res, e, "assignments");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/assignments", CR_ROLE_TRAINER, CR_BODY_JSON, assign, NULL},
	{"GET", "/api/v1/assignments", CR_ROLE_TRAINER, CR_BODY_NONE, list_assignments, NULL},
	{"GET", "/api/v1/assignments/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, get_assignment, NULL},
	{"DELETE", "/api/v1/assignments/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, unassign_clip, NULL},
	{"GET", "/api/v1/me/assignments", CR_ROLE_AGENT, CR_BODY_NONE, my_assignments, NULL},
};

cr_err api_assignments_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
