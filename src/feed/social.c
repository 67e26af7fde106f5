/* Likes and comments. See include/casereel/social.h. */
#include "casereel/social.h"

#include <time.h>

#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/store.h"
#include "casereel/videos.h"

bool social_video_published(int64_t video_id)
{
	return store_exists("SELECT 1 FROM videos WHERE id = ?1 AND status = " VIDEO_SQL_PUBLISHED,
			    video_id, 0);
}

static cr_err like_count(int64_t video_id, int64_t *likes)
{
	sqlite3_stmt *st = store_stmt("SELECT likes FROM videos WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	int rc = sqlite3_step(st);
	*likes = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	return rc == SQLITE_ROW ? CR_OK : store_error(rc, "like count");
}

cr_err social_set_like(int64_t video_id, int64_t user_id, bool like, int64_t *likes)
{
	cr_err e = store_begin();
	if (e)
		return e;
	if (!social_video_published(video_id))
		return store_end(CR_ENOTFOUND);
	sqlite3_stmt *st = store_stmt(
		like ? "INSERT OR IGNORE INTO likes(video_id, user_id, created_at)"
		       " VALUES (?1, ?2, ?3)"
		     : "DELETE FROM likes WHERE video_id = ?1 AND user_id = ?2 AND ?3 > 0");
	if (st) {
		sqlite3_bind_int64(st, 1, video_id);
		sqlite3_bind_int64(st, 2, user_id);
		sqlite3_bind_int64(st, 3, cr_now());
	}
	e = store_run(st, "like");
	bool changed = !e && sqlite3_changes(store_db());
	if (changed) {
		st = store_stmt("UPDATE videos SET likes = likes + ?2 WHERE id = ?1");
		if (st) {
			sqlite3_bind_int64(st, 1, video_id);
			sqlite3_bind_int(st, 2, like ? 1 : -1);
		}
		e = store_run(st, "like count");
	}
	if (!e)
		e = like_count(video_id, likes);
	e = store_end(e);
	if (!e && changed)
		catalog_count(video_id, CATALOG_LIKES, like ? 1 : -1);
	return e;
}

#define COMMENT_SELECT                                                                             \
	"SELECT c.id, c.video_id, c.user_id, u.display_name, c.body, c.created_at FROM comments c" \
	" JOIN users u ON u.id = c.user_id"

static json_t *comment_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:I, s:{s:I, s:s}, s:s, s:I}", "id",
			 (json_int_t)sqlite3_column_int64(st, 0), "video_id",
			 (json_int_t)sqlite3_column_int64(st, 1), "author", "id",
			 (json_int_t)sqlite3_column_int64(st, 2), "display_name",
			 (const char *)sqlite3_column_text(st, 3), "body",
			 (const char *)sqlite3_column_text(st, 4), "created_at",
			 (json_int_t)sqlite3_column_int64(st, 5));
}

cr_err social_add_comment(int64_t video_id, const struct cr_user *author, const char *body,
			  json_t **out)
{
	cr_err e = store_begin();
	if (e)
		return e;
	if (!social_video_published(video_id))
		return store_end(CR_ENOTFOUND);
	sqlite3_stmt *st = store_stmt("INSERT INTO comments(video_id, user_id, body, created_at)"
				      " VALUES (?1, ?2, ?3, ?4)");
	if (st) {
		sqlite3_bind_int64(st, 1, video_id);
		sqlite3_bind_int64(st, 2, author->id);
		sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, cr_now());
	}
	e = store_run(st, "add comment");
	int64_t id = sqlite3_last_insert_rowid(store_db());
	if (!e) {
		st = store_stmt("UPDATE videos SET comments = comments + 1 WHERE id = ?1");
		if (st)
			sqlite3_bind_int64(st, 1, video_id);
		e = store_run(st, "comment count");
	}
	if (!e && !(st = store_stmt(COMMENT_SELECT " WHERE c.id = ?1")))
		e = CR_EDB;
	if (!e) {
		sqlite3_bind_int64(st, 1, id);
		*out = sqlite3_step(st) == SQLITE_ROW ? comment_json(st) : NULL;
		store_done(st);
		e = *out ? CR_OK : CR_EDB;
	}
	return store_end(e);
}

cr_err social_list_comments(int64_t video_id, bool newest_first, int64_t after, long limit,
			    json_t **out)
{
	if (!social_video_published(video_id))
		return CR_ENOTFOUND;
	sqlite3_stmt *st =
		newest_first ? store_stmt(COMMENT_SELECT
					  " WHERE c.video_id = ?1 AND c.id < ?2"
					  " AND c.removed_by IS NULL ORDER BY c.id DESC LIMIT ?3")
			     : store_stmt(COMMENT_SELECT
					  " WHERE c.video_id = ?1 AND c.id > ?2"
					  " AND c.removed_by IS NULL ORDER BY c.id LIMIT ?3");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int64(st, 2, newest_first && after == 0 ? INT64_MAX : after);
	sqlite3_bind_int64(st, 3, limit);
	return store_rows_json(st, comment_json, "list comments", out);
}

cr_err social_remove_comment(int64_t comment_id, const struct cr_user *by)
{
	cr_err e = store_begin();
	if (e)
		return e;
	sqlite3_stmt *st = store_stmt("UPDATE comments SET removed_by = ?2 WHERE id = ?1"
				      " AND removed_by IS NULL AND (user_id = ?2 OR ?3)"
				      " RETURNING video_id");
	int64_t video_id = 0;
	if (st) {
		sqlite3_bind_int64(st, 1, comment_id);
		sqlite3_bind_int64(st, 2, by->id);
		sqlite3_bind_int(st, 3, by->role >= CR_ROLE_TRAINER);
		if (sqlite3_step(st) == SQLITE_ROW)
			video_id = sqlite3_column_int64(st, 0);
		store_done(st);
	}
	e = !st ? CR_EDB : video_id ? CR_OK : CR_ENOTFOUND;
	if (!e) {
		st = store_stmt("UPDATE videos SET comments = comments - 1 WHERE id = ?1");
		if (st)
			sqlite3_bind_int64(st, 1, video_id);
		e = store_run(st, "comment count");
	}
	return store_end(e);
}
