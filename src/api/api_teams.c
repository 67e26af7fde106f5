/* Teams (business units): admin-only listing, creation and renaming. */
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

/* Inserts or renames (id > 0) a team; answers 409 for a taken name. */
static void save_team(struct cr_response *res, int64_t id, const char *name)
{
	int64_t saved;
	cr_err e = teams_save(id, name, &saved);
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
	const char *name;
	if (field_text(req, res, "name", true, 1, 64, &name, NULL))
		save_team(res, 0, name);
}

static void update_team(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	const char *name;
	if (http_path_id(req, res, 0, "team", &id) &&
	    field_text(req, res, "name", true, 1, 64, &name, NULL))
		save_team(res, id, name);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/teams", CR_ROLE_ADMIN, CR_BODY_NONE, list_teams, NULL},
	{"POST", "/api/v1/teams", CR_ROLE_ADMIN, CR_BODY_JSON, create_team, NULL},
	{"PATCH", "/api/v1/teams/{id}", CR_ROLE_ADMIN, CR_BODY_JSON, update_team, NULL},
};

cr_err api_teams_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
