/* A clip's audit trail. See include/casereel/video_audit.h. */
#include "casereel/video_audit.h"

#include <stdlib.h>
#include <string.h>

#include "casereel/store.h"

cr_err video_audit_add(int64_t video_id, int64_t at, int64_t actor_id, const char *action,
		       const json_t *detail)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	if (!text)
		return CR_ENOMEM;
	sqlite3_stmt *st = store_stmt("INSERT INTO video_audit(video_id, at, actor_id, action,"
				      " detail) VALUES (?1, ?2, nullif(?3, 0), ?4, ?5)");
	if (st) {
		sqlite3_bind_int64(st, 1, video_id);
		sqlite3_bind_int64(st, 2, at);
		sqlite3_bind_int64(st, 3, actor_id);
		sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
	}
	cr_err e = store_run(st, "audit entry");
	free(text);
	return e;
}

static json_t *entry_json(sqlite3_stmt *st)
{
	json_t *actor =
		sqlite3_column_type(st, 2) == SQLITE_NULL
			? json_null()
			: json_pack("{s:I, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 2),
				    "display_name", (const char *)sqlite3_column_text(st, 3));
	json_t *detail = json_loads((const char *)sqlite3_column_text(st, 5), 0, NULL);
	return json_pack("{s:I, s:I, s:o, s:s, s:o}", "id", (json_int_t)sqlite3_column_int64(st, 0),
			 "at", (json_int_t)sqlite3_column_int64(st, 1), "actor", actor, "action",
			 (const char *)sqlite3_column_text(st, 4), "detail",
			 detail ? detail : json_object());
}

cr_err video_audit_list_json(int64_t video_id, json_t **out)
{
	if (!store_exists("SELECT 1 FROM videos WHERE id = ?1", video_id, 0))
		return CR_ENOTFOUND;
	sqlite3_stmt *st =
		store_stmt("SELECT a.id, a.at, a.actor_id, u.display_name, a.action, a.detail"
			   " FROM video_audit a LEFT JOIN users u ON u.id = a.actor_id"
			   " WHERE a.video_id = ?1 ORDER BY a.id");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	return store_rows_json(st, entry_json, "audit trail", out);
}
