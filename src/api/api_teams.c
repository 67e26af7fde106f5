/* Teams (business units): admin-only listing, creation, renaming and
 * labelling; every employee reads the teams' labels (the web client shows
 * team names in its language). */
#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/teams.h"

static void answer_team(struct cr_response *res, unsigned status, int64_t id)
{
	json_t *team;
	cr_err e = teams_get_json(id, &team);
	if (e)
		http_error(res, e, "team");
	else
		http_json(res, status, team);
}

static void list_teams(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	json_t *items;
	if (teams_list_json(&items)) {
		http_error(res, CR_EDB, "team list");
		return;
	}
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

/* Inserts (id 0) or renames or relabels a team; answers 409 for a taken
 * name. */
static void save_team(struct cr_request *req, struct cr_response *res, int64_t id)
{
	const char *name = NULL;
	struct cr_labels labels = {0};
	if (!field_text(req, res, "name", !id, 1, 64, &name, NULL) ||
	    !field_labels(res, req->json, "labels", &labels))
		return;
	int64_t saved;
	cr_err e = teams_save(id, name, &labels, &saved);
	if (e == CR_ECONFLICT) {
		http_problem(res, 409, "conflict", "a team named '%s' already exists", name);
		return;
	}
	if (e)
		http_error(res, e, "team");
	else
		answer_team(res, id ? 200 : 201, saved);
}

static void create_team(struct cr_request *req, struct cr_response *res)
{
	save_team(req, res, 0);
}

static void update_team(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (http_path_id(req, res, 0, "team", &id))
		save_team(req, res, id);
}

static void list_team_labels(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	json_t *items;
	if (teams_labels_json(&items)) {
		http_error(res, CR_EDB, "team labels");
		return;
	}
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/teams/labels", CR_ROLE_AGENT, CR_BODY_NONE, list_team_labels, NULL},
	{"GET", "/api/v1/teams", CR_ROLE_ADMIN, CR_BODY_NONE, list_teams, NULL},
	{"POST", "/api/v1/teams", CR_ROLE_ADMIN, CR_BODY_JSON, create_team, NULL},
	{"PATCH", "/api/v1/teams/{id}", CR_ROLE_ADMIN, CR_BODY_JSON, update_team, NULL},
};

cr_err api_teams_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
