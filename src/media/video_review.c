/* Review, editing and removal of clips. See include/casereel/videos.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/points.h"
#include "casereel/store.h"
#include "casereel/videos.h"

cr_err videos_review(int64_t id, int64_t reviewer_id, bool approve, const char *reason)
{
	/* One transaction: the approval and the creator's reward commit together. */
	cr_err e = store_begin();
	if (e)
		return e;
	sqlite3_stmt *st = store_stmt(
		"UPDATE videos SET status = ?2, reviewed_by = ?3, review_reason = ?4, updated_at = "
		"?5,"
		" published_at = CASE WHEN ?2 = 'published' THEN ?5 ELSE published_at END"
		" WHERE id = ?1 AND status = 'pending_review'");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, approve ? "published" : "rejected", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, reviewer_id);
		sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, cr_now());
	}
	e = store_run(st, "review video");
	bool changed = !e && sqlite3_changes(store_db()) > 0;
	if (changed && approve)
		e = points_reward_approval(id);
	e = e ? (store_rollback(), e) : store_commit();
	if (!e && changed)
		catalog_invalidate();
	if (e || changed)
		return e;
	st = store_stmt("SELECT 1 FROM videos WHERE id = ?1 AND status <> 'removed'");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	store_done(st);
	return rc == SQLITE_ROW ? CR_ECONFLICT : CR_ENOTFOUND;
}

cr_err videos_review_queue_json(const struct cr_user *viewer, int64_t after, long limit,
				long url_ttl, json_t **out)
{
	sqlite3_stmt *st = store_stmt("SELECT id FROM videos WHERE status = 'pending_review'"
				      " AND id > ?1 ORDER BY id LIMIT ?2");
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		return CR_EDB;
	}
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, limit);
	int64_t ids[200];
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < sizeof ids / sizeof ids[0])
		ids[n++] = sqlite3_column_int64(st, 0);
	store_done(st);
	for (size_t i = 0; i < n; i++) {
		json_t *v = NULL;
		if (videos_get_json(ids[i], viewer, url_ttl, &v) == CR_OK)
			json_array_append_new(items, v);
	}
	*out = items;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CR_OK : store_error(rc, "review queue");
}

static cr_err retag(int64_t id, json_t *tags, char *why, size_t why_len)
{
	cr_err e = videos_check_tags(tags, why, why_len);
	sqlite3_stmt *st = e ? NULL : store_stmt("DELETE FROM video_tags WHERE video_id = ?1");
	if (e)
		return e;
	if (st)
		sqlite3_bind_int64(st, 1, id);
	e = store_run(st, "clear video tags");
	size_t i;
	json_t *t;
	json_array_foreach(tags, i, t)
	{
		if (e)
			return e;
		st = store_stmt("INSERT OR IGNORE INTO video_tags(video_id, tag_id)"
				" SELECT ?1, id FROM tags WHERE name = ?2");
		if (st) {
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_text(st, 2, json_string_value(t), -1, SQLITE_STATIC);
		}
		e = store_run(st, "tag video");
	}
	return e;
}

cr_err videos_edit(int64_t id, int64_t owner_id, const char *title, const char *description,
		   json_t *tags, char *why, size_t why_len)
{
	cr_err e = store_begin();
	if (e)
		return e;
	sqlite3_stmt *st = store_stmt(
		"UPDATE videos SET title = COALESCE(?3, title), description = COALESCE(?4, "
		"description),"
		" updated_at = ?5 WHERE id = ?1 AND owner_id = ?2 AND status <> 'removed'");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, owner_id);
		sqlite3_bind_text(st, 3, title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, description, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, cr_now());
	}
	e = store_run(st, "edit video");
	if (!e && sqlite3_changes(store_db()) == 0)
		e = CR_ENOTFOUND;
	if (!e && tags)
		e = retag(id, tags, why, why_len);
	e = e ? (store_rollback(), e) : store_commit();
	if (!e)
		catalog_invalidate();
	return e;
}

cr_err videos_remove(int64_t id, const struct cr_user *by)
{
	sqlite3_stmt *st =
		store_stmt("UPDATE videos SET status = 'removed', updated_at = ?3"
			   " WHERE id = ?1 AND status <> 'removed' AND (owner_id = ?2 OR ?4)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, by->id);
	sqlite3_bind_int64(st, 3, cr_now());
	sqlite3_bind_int(st, 4, by->role >= CR_ROLE_TRAINER);
	cr_err e = store_run(st, "remove video");
	if (e)
		return e;
	if (!sqlite3_changes(store_db()))
		return CR_ENOTFOUND;
	catalog_invalidate();
	return CR_OK;
}
