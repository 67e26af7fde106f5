/* Pending edits of published clips. See video_revisions.h. */
#include "video_revisions.h"

#include <stdlib.h>

#include "casereel/store.h"

/* The clip's tags as stored in a revision: a JSON array of names, sorted. */
#define LIVE_TAGS_SQL                                                                              \
	"(SELECT json_group_array(name) FROM (SELECT t.name AS name FROM video_tags vt"            \
	" JOIN tags t ON t.id = vt.tag_id WHERE vt.video_id = v.id ORDER BY t.name))"

cr_err revisions_pending(int64_t id, int64_t *pending, int64_t *highest)
{
	sqlite3_stmt *st =
		store_stmt("SELECT coalesce(max(CASE WHEN state = 'pending' THEN revision END), 0),"
			   " coalesce(max(revision), 0) FROM video_revisions WHERE video_id = ?1");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_step_one(st, "pending revision"); /* an aggregate: always a row */
	if (!e) {
		*pending = sqlite3_column_int64(st, 0);
		if (highest)
			*highest = sqlite3_column_int64(st, 1);
	}
	store_done(st);
	return e;
}

cr_err revisions_propose(int64_t id, int64_t revision, const struct revision_text *edit,
			 int64_t now)
{
	int64_t pending = 0;
	cr_err e = revisions_pending(id, &pending, NULL);
	sqlite3_stmt *st = e ? NULL
			     : store_stmt("UPDATE video_revisions SET state = 'replaced'"
					  " WHERE video_id = ?1 AND state = 'pending'");
	if (e)
		return e;
	if (st)
		sqlite3_bind_int64(st, 1, id);
	if ((e = store_run(st, "replace revision")))
		return e;
	/* the fields not edited come from the pending revision, else the live text */
	st = store_stmt("INSERT INTO video_revisions(video_id, revision, title, description, tags,"
			" created_at) SELECT v.id, ?2, coalesce(?4, r.title, v.title),"
			" coalesce(?5, r.description, v.description), CASE WHEN ?6 IS NULL"
			" THEN coalesce(r.tags, " LIVE_TAGS_SQL
			") ELSE (SELECT json_group_array(value)"
			" FROM (SELECT DISTINCT value FROM json_each(?6) ORDER BY value)) END, ?7"
			" FROM videos v LEFT JOIN video_revisions r ON r.video_id = v.id AND "
			"r.revision = ?3"
			" WHERE v.id = ?1");
	char *tags = edit->tags ? json_dumps(edit->tags, JSON_COMPACT) : NULL;
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, revision);
		sqlite3_bind_int64(st, 3, pending);
		sqlite3_bind_text(st, 4, edit->title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, edit->description, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, tags, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 7, now);
	}
	e = edit->tags && !tags ? CR_ENOMEM : store_run(st, "propose revision");
	free(tags);
	return e;
}

cr_err revisions_decide(int64_t id, int64_t revision, int64_t reviewer, bool approve,
			const char *reason, int64_t now, json_t **text)
{
	sqlite3_stmt *st = store_stmt(
		"UPDATE video_revisions SET state = ?3, reviewed_by = ?4, reviewed_at = ?5,"
		" review_reason = ?6 WHERE video_id = ?1 AND revision = ?2 AND state = 'pending'");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, revision);
	sqlite3_bind_text(st, 3, approve ? "approved" : "rejected", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, reviewer);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_text(st, 6, reason, -1, SQLITE_STATIC);
	cr_err e = store_run(st, "decide revision");
	if (!e && sqlite3_changes(store_db()) == 0)
		e = CR_ENOTFOUND;
	if (e || !approve)
		return e;
	st = store_stmt("SELECT title, description, tags FROM video_revisions"
			" WHERE video_id = ?1 AND revision = ?2");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, revision);
	int rc = sqlite3_step(st);
	*text = rc != SQLITE_ROW
			? NULL
			: json_pack("{s:s, s:s, s:o}", "title",
				    (const char *)sqlite3_column_text(st, 0), "description",
				    (const char *)sqlite3_column_text(st, 1), "tags",
				    json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL));
	store_done(st);
	if (rc != SQLITE_ROW)
		return store_error(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "approved revision");
	return *text ? CR_OK : CR_ENOMEM;
}

json_t *revisions_edit_json(int64_t id, int64_t live_revision)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT revision, state, title, description, tags, created_at, review_reason"
		" FROM video_revisions WHERE video_id = ?1 AND revision > ?2"
		" AND state IN ('pending', 'rejected') ORDER BY revision DESC LIMIT 1");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, live_revision);
	json_t *edit = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		edit = json_pack("{s:I, s:s, s:s, s:s, s:o, s:I, s:o}", "revision",
				 (json_int_t)sqlite3_column_int64(st, 0), "state",
				 (const char *)sqlite3_column_text(st, 1), "title",
				 (const char *)sqlite3_column_text(st, 2), "description",
				 (const char *)sqlite3_column_text(st, 3), "tags",
				 json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL),
				 "created_at", (json_int_t)sqlite3_column_int64(st, 5),
				 "review_reason", store_column_text_json(st, 6));
	store_done(st);
	return edit;
}
