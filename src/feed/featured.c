/* Featuring: trainers feature a clip or a creator for a period with a
 * note. See include/casereel/featured.h. */
#include "casereel/featured.h"

#include <time.h>

#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/inbox.h"
#include "casereel/store.h"
#include "casereel/videos.h"

#define FEATURE_JSON_SELECT                                                                        \
	"SELECT f.id, f.video_id, v.title, COALESCE(f.user_id, v.owner_id), u.display_name,"       \
	" f.note, f.starts_at, f.ends_at FROM features f"                                          \
	" LEFT JOIN videos v ON v.id = f.video_id"                                                 \
	" JOIN users u ON u.id = COALESCE(f.user_id, v.owner_id)"

static json_t *feature_json(sqlite3_stmt *st)
{
	bool clip = sqlite3_column_type(st, 1) != SQLITE_NULL;
	json_t *video =
		clip ? json_pack("{s:I, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 1),
				 "title", (const char *)sqlite3_column_text(st, 2))
		     : json_null();
	return json_pack("{s:I, s:s, s:o, s:{s:I, s:s}, s:s, s:I, s:I}", "id",
			 (json_int_t)sqlite3_column_int64(st, 0), "kind", clip ? "clip" : "creator",
			 "video", video, "creator", "id", (json_int_t)sqlite3_column_int64(st, 3),
			 "display_name", (const char *)sqlite3_column_text(st, 4), "note",
			 (const char *)sqlite3_column_text(st, 5), "starts_at",
			 (json_int_t)sqlite3_column_int64(st, 6), "ends_at",
			 (json_int_t)sqlite3_column_int64(st, 7));
}

bool featured_target_exists(int64_t video_id, int64_t user_id)
{
	return store_exists(
		"SELECT 1 WHERE (?1 > 0 AND EXISTS (SELECT 1 FROM videos WHERE id = ?1 AND status "
		"= " VIDEO_SQL_PUBLISHED "))"
		" OR (?2 > 0 AND EXISTS (SELECT 1 FROM users WHERE id = ?2 AND active))",
		video_id, user_id);
}

cr_err featured_add(int64_t video_id, int64_t user_id, const char *note, int64_t days, int64_t by,
		    json_t **out)
{
	int64_t now = cr_now();
	int64_t id = 0;
	/* Open the transaction first: the insert is prepared and bound inside it, so it can
	   neither run outside it nor be reset by a failed BEGIN. */
	cr_err e = store_begin();
	if (!e) {
		sqlite3_stmt *st =
			store_stmt("INSERT INTO features(video_id, user_id, note, "
				   "starts_at, ends_at, created_by, created_at)"
				   " VALUES (NULLIF(?1, 0), NULLIF(?2, 0), ?3, ?4, ?5, ?6, ?4)");
		if (st) {
			sqlite3_bind_int64(st, 1, video_id);
			sqlite3_bind_int64(st, 2, user_id);
			sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 4, now);
			sqlite3_bind_int64(st, 5, now + days * 86400);
			sqlite3_bind_int64(st, 6, by);
		}
		e = store_run(st, "feature");
		id = sqlite3_last_insert_rowid(store_db());
		int64_t until = now + days * 86400;
		json_t *detail = json_pack("{s:s, s:I}", "note", note ? note : "", "until",
					   (json_int_t)until);
		if (!e)
			e = video_id ? inbox_add_for_owner(video_id, INBOX_FEATURED, by, detail)
				     : inbox_add_for_user(user_id, INBOX_CREATOR_FEATURED, by,
							  detail);
		json_decref(detail);
		e = store_end(e);
	}
	sqlite3_stmt *st = e ? NULL : store_stmt(FEATURE_JSON_SELECT " WHERE f.id = ?1");
	if (!st)
		return e ? e : CR_EDB;
	catalog_invalidate_features();
	sqlite3_bind_int64(st, 1, id);
	*out = sqlite3_step(st) == SQLITE_ROW ? feature_json(st) : NULL;
	store_done(st);
	return *out ? CR_OK : CR_EDB;
}

cr_err featured_list_json(json_t **out)
{
	/* a clip deleted or a creator deactivated since is not shown */
	sqlite3_stmt *st =
		store_stmt(FEATURE_JSON_SELECT
			   " WHERE f.starts_at <= ?1 AND f.ends_at > ?1"
			   " AND (f.video_id IS NULL OR v.status = " VIDEO_SQL_PUBLISHED ")"
			   " AND u.active ORDER BY f.id DESC LIMIT 100");
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		return CR_EDB;
	}
	sqlite3_bind_int64(st, 1, cr_now());
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(items, feature_json(st));
	store_done(st);
	*out = items;
	return CR_OK;
}

cr_err featured_end(int64_t id)
{
	sqlite3_stmt *st = store_stmt("UPDATE features SET starts_at = min(starts_at, ?2 - 1),"
				      " ends_at = ?2 WHERE id = ?1 AND ends_at > ?2");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, cr_now());
	}
	cr_err e = store_run(st, "end feature");
	if (!e && !sqlite3_changes(store_db()))
		e = CR_ENOTFOUND;
	if (!e)
		catalog_invalidate_features();
	return e;
}
