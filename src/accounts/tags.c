/* Skill tags: listing, creation and updates. See include/casereel/tags.h. */
#include "casereel/tags.h"

#include <time.h>

#include "casereel/clock.h"
#include "casereel/store.h"

static json_t *tag_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)sqlite3_column_int64(st, 0),
			 "name", (const char *)sqlite3_column_text(st, 1), "label",
			 (const char *)sqlite3_column_text(st, 2), "onboarding",
			 sqlite3_column_int(st, 3));
}

cr_err tags_get_json(int64_t id, json_t **out)
{
	return store_row_json("SELECT id, name, label, onboarding FROM tags WHERE id = ?1", id,
			      tag_json, "get tag", out);
}

cr_err tags_list_json(json_t **out)
{
	sqlite3_stmt *st = store_stmt("SELECT id, name, label, onboarding FROM tags ORDER BY name");
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		return CR_EDB;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(items, tag_json(st));
	store_done(st);
	*out = items;
	return CR_OK;
}

cr_err tags_save(int64_t id, const char *name, const char *label, bool has_onboarding,
		 bool onboarding, int64_t *saved)
{
	sqlite3_stmt *st = store_stmt(
		id ? "UPDATE tags SET name = COALESCE(?1, name), label = COALESCE(?2, label),"
		     " onboarding = CASE WHEN ?3 THEN ?4 ELSE onboarding END WHERE id = ?5"
		   : "INSERT INTO tags(name, label, onboarding, created_at)"
		     " VALUES (?1, COALESCE(?2, ?1), ?4, ?5)");
	if (!st)
		return CR_EDB;
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
	if (!e)
		*saved = id ? id : sqlite3_last_insert_rowid(store_db());
	return e;
}

cr_err tags_id_by_name(const char *name, int64_t *id)
{
	return store_id_by_text("SELECT id FROM tags WHERE name = ?1", name, "tag by name", id);
}
