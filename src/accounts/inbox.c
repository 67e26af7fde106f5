/* The in-app inbox. See include/casereel/inbox.h. */
#include "casereel/inbox.h"

#include <stdlib.h>

#include "casereel/clock.h"
#include "casereel/store.h"

static const char *const kind_names[] = {
	[INBOX_APPROVED] = "approved",
	[INBOX_REJECTED] = "rejected",
	[INBOX_EDIT_APPROVED] = "edit_approved",
	[INBOX_EDIT_REJECTED] = "edit_rejected",
	[INBOX_FEATURED] = "featured",
	[INBOX_CREATOR_FEATURED] = "creator_featured",
	[INBOX_TIP] = "tip",
};

/* Runs an INSERT … SELECT whose ?1 is the target, ?2 the kind, ?3 the
 * actor, ?4 the detail JSON and ?5 the time. */
static cr_err add(const char *sql, int64_t target, enum inbox_kind kind, int64_t actor_id,
		  json_t *detail)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	if (detail && !text)
		return CR_ENOMEM;
	sqlite3_stmt *st = store_stmt(sql);
	if (st) {
		sqlite3_bind_int64(st, 1, target);
		sqlite3_bind_text(st, 2, kind_names[kind], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, actor_id);
		sqlite3_bind_text(st, 4, text ? text : "{}", -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 5, cr_now());
	}
	cr_err e = store_run(st, "inbox entry");
	free(text);
	return e;
}

cr_err inbox_add_for_owner(int64_t video_id, enum inbox_kind kind, int64_t actor_id, json_t *detail)
{
	return add("INSERT INTO inbox(user_id, kind, video_id, actor_id, detail, created_at)"
		   " SELECT owner_id, ?2, id, nullif(?3, 0), ?4, ?5 FROM videos WHERE id = ?1",
		   video_id, kind, actor_id, detail);
}

cr_err inbox_add_for_user(int64_t user_id, enum inbox_kind kind, int64_t actor_id, json_t *detail)
{
	return add("INSERT INTO inbox(user_id, kind, actor_id, detail, created_at)"
		   " VALUES (?1, ?2, nullif(?3, 0), ?4, ?5)",
		   user_id, kind, actor_id, detail);
}

cr_err inbox_add_assignment(int64_t assignment_id)
{
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO inbox(user_id, kind, video_id, actor_id, detail, created_at)"
		" SELECT u.id, CASE a.source WHEN 'rule' THEN 'pushed' ELSE 'assigned' END,"
		"  CASE p.kind WHEN 'clip' THEN (SELECT s.video_id FROM path_steps s"
		"   WHERE s.path_id = p.id ORDER BY s.position LIMIT 1) END,"
		"  a.created_by, json_object('path_id', p.id, 'path', p.name, 'path_kind', p.kind,"
		"   'due_at', a.due_at, 'note', a.note), a.created_at"
		" FROM path_assignments a JOIN paths p ON p.id = a.path_id"
		" JOIN users u ON u.active AND (u.id = a.user_id OR u.team_id = a.team_id)"
		" WHERE a.id = ?1 AND NOT (p.kind = 'clip' AND EXISTS (SELECT 1 FROM path_steps s"
		"  JOIN videos v ON v.id = s.video_id WHERE s.path_id = p.id AND v.owner_id = "
		"u.id))");
	if (st)
		sqlite3_bind_int64(st, 1, assignment_id);
	return store_run(st, "inbox assignment");
}

static json_t *entry_json(sqlite3_stmt *st)
{
	json_t *video = sqlite3_column_type(st, 4) == SQLITE_NULL
				? json_null()
				: json_pack("{s:I, s:s, s:s}", "id",
					    (json_int_t)sqlite3_column_int64(st, 4), "title",
					    (const char *)sqlite3_column_text(st, 5), "status",
					    (const char *)sqlite3_column_text(st, 6));
	json_t *actor =
		sqlite3_column_type(st, 7) == SQLITE_NULL
			? json_null()
			: json_pack("{s:I, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 7),
				    "display_name", (const char *)sqlite3_column_text(st, 8));
	json_t *detail = json_loads((const char *)sqlite3_column_text(st, 9), 0, NULL);
	return json_pack("{s:I, s:s, s:I, s:b, s:o, s:o, s:o}", "id",
			 (json_int_t)sqlite3_column_int64(st, 0), "kind",
			 (const char *)sqlite3_column_text(st, 1), "created_at",
			 (json_int_t)sqlite3_column_int64(st, 2), "read",
			 sqlite3_column_type(st, 3) != SQLITE_NULL, "video",
			 video ? video : json_null(), "actor", actor ? actor : json_null(),
			 "detail", json_is_object(detail) ? detail : json_object());
}

static cr_err count_unread(int64_t user_id, int64_t *unread)
{
	sqlite3_stmt *st =
		store_stmt("SELECT count(*) FROM inbox WHERE user_id = ?1 AND read_at IS NULL");
	if (st)
		sqlite3_bind_int64(st, 1, user_id);
	cr_err e = store_step_one(st, "inbox unread");
	*unread = e ? 0 : sqlite3_column_int64(st, 0);
	store_done(st);
	return e;
}

cr_err inbox_list_json(int64_t user_id, int64_t before, long limit, json_t **items, int64_t *unread)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT i.id, i.kind, i.created_at, i.read_at, i.video_id, v.title, v.status,"
		" i.actor_id, u.display_name, i.detail FROM inbox i"
		" LEFT JOIN videos v ON v.id = i.video_id LEFT JOIN users u ON u.id = i.actor_id"
		" WHERE i.user_id = ?1 AND i.id < ?2 ORDER BY i.id DESC LIMIT ?3");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, before ? before : INT64_MAX);
	sqlite3_bind_int64(st, 3, limit);
	cr_err e = store_rows_json(st, entry_json, "inbox", items);
	if (!e && (e = count_unread(user_id, unread))) {
		json_decref(*items);
		*items = NULL;
	}
	return e;
}

cr_err inbox_mark_read(int64_t user_id, int64_t up_to, int64_t *unread)
{
	sqlite3_stmt *st = store_stmt("UPDATE inbox SET read_at = ?3 WHERE user_id = ?1"
				      " AND id <= ?2 AND read_at IS NULL");
	if (st) {
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_int64(st, 2, up_to ? up_to : INT64_MAX);
		sqlite3_bind_int64(st, 3, cr_now());
	}
	cr_err e = store_run(st, "inbox read");
	return e ? e : count_unread(user_id, unread);
}
