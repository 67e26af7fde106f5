/* Learning paths: trainers build, assign and archive them; agents see
 * theirs with progress under /me/paths (series only; /me/assignments lists
 * must-watch clips with them) and retake a failed quiz gate after watching
 * the clip again. */
#include <string.h>
#include <time.h>

#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/paths.h"

#define MAX_TARGETS 500

static void answer_path(struct cr_response *res, unsigned status, int64_t id)
{
	json_t *p;
	cr_err e = paths_json(id, &p);
	if (e)
		http_error(res, e, "path");
	else
		http_json(res, status, p);
}

/* ?kind=series (the default: trainers' paths), clip (must-watch clips'
 * one-clip paths) or all. */
static void list_paths(struct cr_request *req, struct cr_response *res)
{
	const char *kind = http_query(req, "kind");
	if (!kind)
		kind = "series";
	if (strcmp(kind, "series") && strcmp(kind, "clip") && strcmp(kind, "all")) {
		http_invalid_field(res, "kind", "kind is series, clip or all");
		return;
	}
	json_t *items;
	cr_err e = paths_list_json(strcmp(kind, "all") ? kind : NULL, &items);
	if (e)
		http_error(res, e, "path list");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

/* Reads "steps": [{"video_id", "quiz_gate"}...] into steps[0..*n). */
static bool read_steps(struct cr_request *req, struct cr_response *res, bool required,
		       struct path_step_in *steps, size_t *n, bool *present)
{
	json_t *v = json_object_get(req->json, "steps"), *s;
	*present = v != NULL;
	*n = 0;
	if (!v && !required)
		return true;
	size_t i;
	bool ok = json_is_array(v) && json_array_size(v) >= 1 &&
		  json_array_size(v) <= PATHS_MAX_STEPS;
	json_array_foreach(v, i, s)
	{
		json_t *id = json_object_get(s, "video_id"),
		       *gate = json_object_get(s, "quiz_gate");
		ok = ok && json_is_integer(id) && json_integer_value(id) > 0 &&
		     (!gate || json_is_boolean(gate));
		if (ok)
			steps[(*n)++] =
				(struct path_step_in){json_integer_value(id), json_is_true(gate)};
	}
	if (!ok)
		http_invalid_field(res, "steps",
				   "steps must be 1-%d objects {\"video_id\": id, \"quiz_gate\": "
				   "true|false}",
				   PATHS_MAX_STEPS);
	return ok;
}

static void create_path(struct cr_request *req, struct cr_response *res)
{
	const char *name, *description = NULL;
	struct path_step_in steps[PATHS_MAX_STEPS];
	size_t n;
	bool present;
	struct cr_problem why = {0};
	if (!field_text(req, res, "name", true, 1, PATHS_NAME_MAX, &name, NULL) ||
	    !field_text(req, res, "description", false, 0, 500, &description, NULL) ||
	    !read_steps(req, res, true, steps, &n, &present))
		return;
	int64_t id;
	cr_err e = paths_create(name, description, steps, n, req->user.id, &id, &why);
	if (e)
		http_fail(res, e, &why, "path");
	else
		answer_path(res, 201, id);
}

static void get_path(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (http_path_id(req, res, 0, "path", &id))
		answer_path(res, 200, id);
}

static void update_path(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	const char *name = NULL, *description = NULL;
	struct path_step_in steps[PATHS_MAX_STEPS];
	size_t n;
	bool has_steps;
	struct cr_problem why = {0};
	if (!http_path_id(req, res, 0, "path", &id) ||
	    !field_text(req, res, "name", false, 1, PATHS_NAME_MAX, &name, NULL) ||
	    !field_text(req, res, "description", false, 0, 500, &description, NULL) ||
	    !read_steps(req, res, false, steps, &n, &has_steps))
		return;
	cr_err e = paths_update(id, name, description, has_steps ? steps : NULL, n, &why);
	if (e)
		http_fail(res, e, &why, "path");
	else
		answer_path(res, 200, id);
}

static void archive_path(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "path", &id))
		return;
	cr_err e = paths_archive(id);
	if (e == CR_ECONFLICT)
		http_problem(res, 409, "archived", "path %lld is archived already", (long long)id);
	else if (e)
		http_error(res, e, "path");
	else
		answer_path(res, 200, id);
}

static void list_assignments(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	json_t *items;
	if (!http_path_id(req, res, 0, "path", &id))
		return;
	cr_err e = paths_json(id, &items); /* 404 for no such path */
	json_decref(items);
	if (!e)
		e = paths_assignments_json(id, &items);
	if (e)
		http_error(res, e, "path");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

/* Assigns to every listed person and team, all or none. */
static void assign_path(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	const char *due = NULL, *note = NULL;
	struct cr_problem why = {0};
	json_t *teams, *people, *made = json_array();
	if (!made || !http_path_id(req, res, 0, "path", &id) ||
	    !field_date(req, res, "due_date", &due, NULL) ||
	    !field_text(req, res, "note", false, 0, 200, &note, NULL) ||
	    !field_id_array(req, res, "team_ids", MAX_TARGETS, &teams) ||
	    !field_id_array(req, res, "user_ids", MAX_TARGETS, &people))
		goto out;
	if (json_array_size(teams) + json_array_size(people) == 0) {
		http_invalid_field(res, "team_ids",
				   "assign the path to at least one team or person");
		goto out;
	}
	cr_err e = paths_assign_many(id, teams, people, due ? date_end_of_day(due) : 0, note,
				     req->user.id, made, &why);
	if (e)
		http_fail(res, e, &why, "path");
	else
		http_json(res, 201, json_pack("{s:O}", "assignment_ids", made));
out:
	json_decref(made);
}

static void unassign(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "assignment", &id))
		return;
	cr_err e = paths_unassign(id);
	if (e)
		http_error(res, e, "assignment");
	else
		http_no_content(res);
}

static void my_paths(struct cr_request *req, struct cr_response *res)
{
	json_t *items;
	cr_err e = paths_mine_json(req->user.id, req->user.team_id, false, &items);
	if (e)
		http_error(res, e, "paths");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

static void retake_gate(struct cr_request *req, struct cr_response *res)
{
	int64_t id, position;
	if (!http_path_id(req, res, 0, "path", &id) ||
	    !http_path_id(req, res, 1, "step", &position))
		return;
	struct gate_result r;
	struct cr_problem why = {0};
	cr_err e = paths_gate_retake(id, (size_t)position, req->user.id,
				     json_object_get(req->json, "answers"), cr_now_ms(), &r, &why);
	if (e)
		http_fail(res, e, &why, "quiz gate");
	else
		http_json(res, 200,
			  json_pack("{s:b, s:I, s:I}", "passed", r.passed, "questions",
				    (json_int_t)r.questions, "right", (json_int_t)r.right));
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/paths", CR_ROLE_TRAINER, CR_BODY_NONE, list_paths, NULL},
	{"POST", "/api/v1/paths", CR_ROLE_TRAINER, CR_BODY_JSON, create_path, NULL},
	{"GET", "/api/v1/paths/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, get_path, NULL},
	{"PATCH", "/api/v1/paths/{id}", CR_ROLE_TRAINER, CR_BODY_JSON, update_path, NULL},
	{"POST", "/api/v1/paths/{id}/archive", CR_ROLE_TRAINER, CR_BODY_NONE, archive_path, NULL},
	{"GET", "/api/v1/paths/{id}/assignments", CR_ROLE_TRAINER, CR_BODY_NONE, list_assignments,
	 NULL},
	{"POST", "/api/v1/paths/{id}/assignments", CR_ROLE_TRAINER, CR_BODY_JSON, assign_path,
	 NULL},
	{"DELETE", "/api/v1/path-assignments/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, unassign, NULL},
	{"GET", "/api/v1/me/paths", CR_ROLE_AGENT, CR_BODY_NONE, my_paths, NULL},
	{"POST", "/api/v1/paths/{id}/steps/{position}/quiz", CR_ROLE_AGENT, CR_BODY_JSON,
	 retake_gate, NULL},
};

cr_err api_paths_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
