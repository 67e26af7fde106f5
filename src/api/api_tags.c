/* Skill tags ("refunds", "de-escalation"), managed by admins.
 * `onboarding` tags are what new hires are shown first. */
#include <ctype.h>
#include <time.h>

#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/store.h"

static json_t *tag_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)sqlite3_column_int64(st, 0),
			 "name", (const char *)sqlite3_column_text(st, 1), "label",
			 (const char *)sqlite3_column_text(st, 2), "onboarding",
			 sqlite3_column_int(st, 3));
}

static void answer_tag(struct cr_response *res, unsigned status, int64_t id)
{
	json_t *tag;
	cr_err e = store_row_json("SELECT id, name, label, onboarding FROM tags WHERE id = ?1", id,
				  tag_json, "get tag", &tag);
	if (e)
		http_error(res, e, "tag");
	else
		http_json(res, status, tag);
}

static void list_tags(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	sqlite3_stmt *st = store_stmt("SELECT id, name, label, onboarding FROM tags ORDER BY name");
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		http_error(res, CR_EDB, "tag list");
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(items, tag_json(st));
	store_done(st);
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

/* Tag names are slugs so they read well in URLs (/feed/tags/{tag}). */
static bool slug_ok(const char *s)
{
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

static void save_tag(struct cr_request *req, struct cr_response *res, int64_t id)
{
	const char *name = NULL, *label = NULL;
	bool onboarding = false, has_onboarding = false;
	if (!field_string(req, res, "name", !id, 1, 32, &name, NULL) ||
	    !field_string(req, res, "label", false, 1, 64, &label, NULL) ||
	    !field_bool(req, res, "onboarding", false, &onboarding, &has_onboarding))
		return;
	if (name && !slug_ok(name)) {
		http_invalid_field(res, "name", "name must use only a-z, 0-9 and '-'");
		return;
	}
	sqlite3_stmt *st = store_stmt(
		id ? "UPDATE tags SET name = COALESCE(?1, name), label = COALESCE(?2, label),"
		     " onboarding = CASE WHEN ?3 THEN ?4 ELSE onboarding END WHERE id = ?5"
		   : "INSERT INTO tags(name, label, onboarding, created_at)"
		     " VALUES (?1, COALESCE(?2, ?1), ?4, ?5)");
	if (!st) {
		http_error(res, CR_EDB, "tag");
		return;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, has_onboarding);
	sqlite3_bind_int(st, 4, onboarding);
	sqlite3_bind_int64(st, 5, id ? id : cr_now());
	int rc = sqlite3_step(st);
	store_done(st);
	cr_err e = store_error(rc, "save tag");
	if (!e && id && sqlite3_changes(store_db()) == 0)
		e = CR_ENOTFOUND;
	if (e == CR_ECONFLICT)
		http_problem(res, 409, "conflict", "a tag named '%s' already exists", name);
	else if (e)
		http_error(res, e, "tag");
	else
		answer_tag(res, id ? 200 : 201, id ? id : sqlite3_last_insert_rowid(store_db()));
}

static void create_tag(struct cr_request *req, struct cr_response *res)
{
	save_tag(req, res, 0);
}

static void update_tag(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (http_path_id(req, res, 0, "tag", &id))
		save_tag(req, res, id);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/tags", CR_ROLE_ADMIN, CR_BODY_NONE, list_tags, NULL},
	{"POST", "/api/v1/tags", CR_ROLE_ADMIN, CR_BODY_JSON, create_tag, NULL},
	{"PATCH", "/api/v1/tags/{id}", CR_ROLE_ADMIN, CR_BODY_JSON, update_tag, NULL},
};

cr_err api_tags_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
