/* Positions (job titles) with their names in English and Chinese: every
 * employee reads them (the web client shows a person's position in its
 * language); admins create, rename, relabel and delete unused ones. */
#include "casereel/app.h"
#include "casereel/fields.h"
#include "casereel/positions.h"

static void answer_position(struct cr_response *res, unsigned status, int64_t id)
{
	json_t *p;
	cr_err e = positions_get_json(id, &p);
	if (e)
		http_error(res, e, "position");
	else
		http_json(res, status, p);
}

static void list_positions(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	json_t *items;
	if (positions_list_json(&items)) {
		http_error(res, CR_EDB, "position list");
		return;
	}
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

static void save_position(struct cr_request *req, struct cr_response *res, int64_t id)
{
	const char *name = NULL;
	struct cr_labels labels = {0};
	if (!field_text(req, res, "name", !id, 1, POSITION_NAME_MAX, &name, NULL) ||
	    !field_labels(res, req->json, "labels", &labels))
		return;
	int64_t saved;
	cr_err e = positions_save(id, name, &labels, &saved);
	if (e == CR_ECONFLICT)
		http_problem(res, 409, "conflict", "a position named '%s' already exists", name);
	else if (e)
		http_error(res, e, "position");
	else
		answer_position(res, id ? 200 : 201, saved);
}

static void create_position(struct cr_request *req, struct cr_response *res)
{
	save_position(req, res, 0);
}

static void update_position(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (http_path_id(req, res, 0, "position", &id))
		save_position(req, res, id);
}

static void delete_position(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "position", &id))
		return;
	cr_err e = positions_delete(id);
	if (e == CR_ECONFLICT)
		http_problem(res, 409, "position-in-use",
			     "people hold this position; give them another one first");
	else if (e)
		http_error(res, e, "position");
	else
		http_no_content(res);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/positions", CR_ROLE_AGENT, CR_BODY_NONE, list_positions, NULL},
	{"POST", "/api/v1/positions", CR_ROLE_ADMIN, CR_BODY_JSON, create_position, NULL},
	{"PATCH", "/api/v1/positions/{id}", CR_ROLE_ADMIN, CR_BODY_JSON, update_position, NULL},
	{"DELETE", "/api/v1/positions/{id}", CR_ROLE_ADMIN, CR_BODY_NONE, delete_position, NULL},
};

cr_err api_positions_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
