/* Teams (business units): admin-only listing, creation and renaming. */
#include <time.h>

#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/store.h"

static json_t *team_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:s, s:i}", "id", (json_int_t)sqlite3_column_int64(st, 0), "name",
			 (const char *)sqlite3_column_text(st, 1), "members",
			 sqlite3_column_int(st, 2));
}

#define TEAM_SELECT                                                                                \
	"SELECT t.id, t.name, (SELECT count(*) FROM users u WHERE u.team_id = t.id AND u.active) " \
	"FROM teams t"

static void answer_team(struct cr_response *res, unsigned status, int64_t id)
{
	json_t *team;
	cr_err e = store_row_json(TEAM_SELECT " WHERE t.id = ?1", id, team_json, "get team", &team);
	if (e)
		http_error(res, e, "team");
	else
		http_json(res, status, team);
}

static void list_teams(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	sqlite3_stmt *st = store_stmt(TEAM_SELECT " ORDER BY t.name");
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		http_error(res, CR_EDB, "team list");
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(items, team_json(st));
	store_done(st);
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

/* Inserts or renames (id > 0) a team; answers 409 for a taken name. */
static void save_team(struct cr_response *res, int64_t id, const char *name)
{
	sqlite3_stmt *st = store_stmt(id ? "UPDATE teams SET name = ?1 WHERE id = ?2"
					 : "INSERT INTO teams(name, created_at) VALUES (?1, ?2)");
	if (!st) {
		http_error(res, CR_EDB, "team");
		return;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id ? id : cr_now());
	int rc = sqlite3_step(st);
	store_done(st);
	cr_err e = store_error(rc, "save team");
	if (e == CR_ECONFLICT) {
		http_problem(res, 409, "conflict", "a team named '%s' already exists", name);
		return;
	}
	if (!e && id && sqlite3_changes(store_db()) == 0)
		e = CR_ENOTFOUND;
	if (e)
		http_error(res, e, "team");
	else
		answer_team(res, id ? 200 : 201, id ? id : sqlite3_last_insert_rowid(store_db()));
}

static void create_team(struct cr_request *req, struct cr_response *res)
{
	const char *name;
	if (field_string(req, res, "name", true, 1, 64, &name, NULL))
		save_team(res, 0, name);
}

static void update_team(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	const char *name;
	if (http_path_id(req, res, 0, "team", &id) &&
	    field_string(req, res, "name", true, 1, 64, &name, NULL))
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
