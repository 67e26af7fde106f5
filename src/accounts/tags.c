/* Skill tags: listing, creation and updates. See include/casereel/tags.h. */
#include "casereel/tags.h"

#include <time.h>

#include "casereel/clock.h"
#include "casereel/store.h"

#define TAG_COLUMNS "id, name, label, onboarding, label_zh"

static json_t *tag_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:o*, s:b}", "id",
			 (json_int_t)sqlite3_column_int64(st, 0), "name",
			 (const char *)sqlite3_column_text(st, 1), "label",
			 (const char *)sqlite3_column_text(st, 2), "labels",
			 store_labels_json(st, 2, 4), "onboarding", sqlite3_column_int(st, 3));
}

cr_err tags_get_json(int64_t id, json_t **out)
{
	return store_row_json("SELECT " TAG_COLUMNS " FROM tags WHERE id = ?1", id, tag_json,
			      "get tag", out);
}

cr_err tags_list_json(json_t **out)
{
	return store_rows_json(store_stmt("SELECT " TAG_COLUMNS " FROM tags ORDER BY name"),
			       tag_json, "list tags", out);
}

cr_err tags_labels_json(const char *name, json_t **out)
{
	*out = NULL;
	sqlite3_stmt *st = store_stmt("SELECT label, label_zh FROM tags WHERE name = ?1");
	if (st)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	cr_err e = store_step_one(st, "tag labels");
	if (!e && !(*out = store_labels_json(st, 0, 1)))
		e = CR_ENOMEM;
	store_done(st);
	return e;
}

cr_err tags_save(int64_t id, const struct tag_fields *f, int64_t *saved)
{
	sqlite3_stmt *st = store_stmt(
		id ? "UPDATE tags SET name = COALESCE(?1, name), label = COALESCE(?2, label),"
		     " onboarding = CASE WHEN ?3 THEN ?4 ELSE onboarding END,"
		     " label_zh = CASE WHEN ?6 THEN NULL ELSE COALESCE(?7, label_zh) END"
		     " WHERE id = ?5"
		   : "INSERT INTO tags(name, label, onboarding, created_at, label_zh)"
		     " VALUES (?1, COALESCE(?2, ?1), ?4, ?5, CASE WHEN ?6 THEN NULL ELSE ?7 END)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->label, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f->has_onboarding);
	sqlite3_bind_int(st, 4, f->onboarding);
	sqlite3_bind_int64(st, 5, id ? id : cr_now());
	sqlite3_bind_int(st, 6, f->clear_label_zh);
	sqlite3_bind_text(st, 7, f->label_zh, -1, SQLITE_STATIC);
	return store_run_save(st, id, "save tag", saved);
}

cr_err tags_id_by_name(const char *name, int64_t *id)
{
	return store_id_by_text("SELECT id FROM tags WHERE name = ?1", name, "tag by name", id);
}
