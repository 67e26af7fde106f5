/* Review, editing and removal of clips: new clips and edits of published
 * ones go live only through a trainer. See include/casereel/videos.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/inbox.h"
#include "casereel/points.h"
#include "casereel/search.h"
#include "casereel/store.h"
#include "casereel/video_edits.h"
#include "casereel/videos.h"
#include "video_revisions.h"

/* What a review decision or an edit needs to know about a clip. */
struct clip_text_state {
	enum video_status status;
	int64_t owner_id;
	int64_t revision; /* of the text in videos */
	int64_t pending;  /* the pending edit's revision, 0 when none */
	int64_t highest;  /* the highest revision number it has had */
	int64_t media_version;
};

/* Clip `id` unless removed; CR_ENOTFOUND when there is none. */
static cr_err load_state(int64_t id, struct clip_text_state *c)
{
	sqlite3_stmt *st = store_stmt("SELECT status, owner_id, revision, media_version FROM videos"
				      " WHERE id = ?1 AND status <> " VIDEO_SQL_REMOVED);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_step_one(st, "clip state");
	if (!e && video_status_parse((const char *)sqlite3_column_text(st, 0), &c->status))
		e = CR_ENOTFOUND;
	if (!e) {
		c->owner_id = sqlite3_column_int64(st, 1);
		c->revision = sqlite3_column_int64(st, 2);
		c->media_version = sqlite3_column_int64(st, 3);
	}
	store_done(st);
	if (!e)
		e = revisions_pending(id, &c->pending, &c->highest);
	if (!e && c->highest < c->revision)
		c->highest = c->revision;
	return e;
}

/* Replaces the clip's tags with `tags` (names; unknown ones are skipped). */
static cr_err set_tags(int64_t id, json_t *tags)
{
	sqlite3_stmt *st = store_stmt("DELETE FROM video_tags WHERE video_id = ?1");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_run(st, "clear video tags");
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

/* Puts `text` (NULL fields unchanged) in the clip's row as revision `revision`. */
static cr_err set_text(int64_t id, const struct revision_text *text, int64_t revision, int64_t now)
{
	sqlite3_stmt *st = store_stmt(
		"UPDATE videos SET title = coalesce(?2, title), description = coalesce(?3,"
		" description), revision = ?4, updated_at = ?5 WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, text->title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, text->description, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, revision);
		sqlite3_bind_int64(st, 5, now);
	}
	cr_err e = store_run(st, "set clip text");
	if (!e && text->tags)
		e = set_tags(id, text->tags);
	return e ? e : search_index_video(id);
}

/* The clip's owner hears of a review decision, with a rejection's reason. */
static cr_err tell_owner(int64_t id, enum inbox_kind kind, int64_t reviewer_id, const char *reason)
{
	json_t *detail = reason && *reason ? json_pack("{s:s}", "reason", reason) : NULL;
	cr_err e = inbox_add_for_owner(id, kind, reviewer_id, detail);
	json_decref(detail);
	return e;
}

/* A new clip's decision: published (paying its creator) or rejected. */
static cr_err decide_clip(int64_t id, int64_t reviewer_id, bool approve, const char *reason,
			  int64_t now)
{
	sqlite3_stmt *st =
		store_stmt("UPDATE videos SET status = ?2, reviewed_by = ?3, review_reason = ?4,"
			   " updated_at = ?5, published_at = CASE WHEN ?2 = " VIDEO_SQL_PUBLISHED
			   " THEN ?5 ELSE published_at END"
			   " WHERE id = ?1 AND status = " VIDEO_SQL_PENDING_REVIEW);
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2,
				  video_status_name(approve ? VIDEO_PUBLISHED : VIDEO_REJECTED), -1,
				  SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, reviewer_id);
		sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, now);
	}
	cr_err e = store_run(st, "review video");
	if (!e)
		e = tell_owner(id, approve ? INBOX_APPROVED : INBOX_REJECTED, reviewer_id, reason);
	return !e && approve ? points_reward_approval(id) : e;
}

/* A published clip's edit: approved, its text goes live; rejected, the
 * live text stays and the owner sees why. */
static cr_err decide_edit(int64_t id, int64_t revision, int64_t reviewer_id, bool approve,
			  const char *reason, int64_t now)
{
	json_t *text = NULL;
	cr_err e = revisions_decide(id, revision, reviewer_id, approve, reason, now, &text);
	if (!e)
		e = tell_owner(id, approve ? INBOX_EDIT_APPROVED : INBOX_EDIT_REJECTED, reviewer_id,
			       reason);
	if (!e && approve) {
		struct revision_text t = {json_string_value(json_object_get(text, "title")),
					  json_string_value(json_object_get(text, "description")),
					  json_object_get(text, "tags")};
		e = set_text(id, &t, revision, now);
	}
	json_decref(text);
	return e;
}

cr_err videos_review(int64_t id, int64_t reviewer_id, bool approve, const char *reason,
		     int64_t revision, struct cr_problem *why)
{
	/* One transaction: the decision, and for a new clip its creator's reward. */
	struct clip_text_state c = {0};
	int64_t now = cr_now();
	cr_err e = store_begin();
	if (!e)
		e = load_state(id, &c);
	bool edit = !e && c.status == VIDEO_PUBLISHED && c.pending;
	int64_t current = edit ? c.pending : c.revision;
	if (!e && c.status != VIDEO_PENDING_REVIEW && !edit)
		e = cr_refuse(why, CR_ECONFLICT, "not-pending", NULL,
			      "only clips and edits pending review can be approved or rejected");
	else if (!e && revision && revision != current)
		e = cr_refuse(why, CR_ECONFLICT, "revision-changed", "revision",
			      "the clip's text changed after revision %lld: review revision %lld",
			      (long long)revision, (long long)current);
	bool rendering = false;
	if (!e && !edit && approve && !(e = video_edits_blocking(id, &rendering)) && rendering)
		e = cr_refuse(
			why, CR_ECONFLICT, "render-pending", NULL,
			"the clip's edited version is not rendered yet: approve it once it is");
	if (!e)
		e = edit ? decide_edit(id, current, reviewer_id, approve, reason, now)
			 : decide_clip(id, reviewer_id, approve, reason, now);
	if (!e && !edit && approve)
		e = video_edits_published(id, c.media_version);
	e = store_end(e);
	if (!e && (approve || !edit)) /* the feed shows published clips' live text */
		catalog_invalidate_clip(id);
	return e;
}

/* A queue item shows what an approval puts live: for an edit of a
 * published clip, the edit's text, with the live text beside it. */
static json_t *review_item(json_t *v)
{
	json_t *edit = json_object_get(v, "edit");
	bool is_edit = json_is_object(edit) &&
		       !strcmp(json_string_value(json_object_get(v, "status")), "published");
	if (is_edit) {
		json_object_set_new(v, "live",
				    json_pack("{s:O, s:O, s:O}", "title",
					      json_object_get(v, "title"), "description",
					      json_object_get(v, "description"), "tags",
					      json_object_get(v, "tags")));
		static const char *const keys[] = {"title", "description", "tags", "revision"};
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			json_object_set(v, keys[i], json_object_get(edit, keys[i]));
	}
	json_object_set_new(v, "review_kind", json_string(is_edit ? "edit" : "clip"));
	return v;
}

cr_err videos_review_queue_json(const struct cr_user *viewer, int64_t after, long limit,
				long url_ttl, json_t **out)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT id FROM videos WHERE status = " VIDEO_SQL_PENDING_REVIEW " AND id > ?1"
		" AND owner_id <> ?3"
		" UNION SELECT r.video_id FROM video_revisions r JOIN videos v ON v.id = r.video_id"
		" WHERE r.state = 'pending' AND v.status = " VIDEO_SQL_PUBLISHED
		" AND r.video_id > ?1 AND v.owner_id <> ?3 ORDER BY 1 LIMIT ?2");
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		return CR_EDB;
	}
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, limit);
	sqlite3_bind_int64(st, 3, viewer->id);
	int64_t ids[200];
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < sizeof ids / sizeof ids[0])
		ids[n++] = sqlite3_column_int64(st, 0);
	store_done(st);
	for (size_t i = 0; i < n; i++) {
		json_t *v = NULL;
		if (videos_get_json(ids[i], viewer, url_ttl, &v) == CR_OK)
			json_array_append_new(items, review_item(v));
	}
	*out = items;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CR_OK : store_error(rc, "review queue");
}

cr_err videos_edit(int64_t id, int64_t owner_id, const char *title, const char *description,
		   json_t *tags, bool *waits, struct cr_problem *why)
{
	struct revision_text text = {title, description, tags};
	struct clip_text_state c = {0};
	int64_t now = cr_now();
	cr_err e = store_begin();
	if (!e)
		e = load_state(id, &c);
	if (!e && c.owner_id != owner_id)
		e = CR_ENOTFOUND;
	if (!e && tags)
		e = videos_check_tags(tags, why);
	/* what is live changes only through review: a published clip's edit
	 * waits; before that the text under review changes, with its number */
	*waits = !e && c.status == VIDEO_PUBLISHED;
	if (!e)
		e = *waits ? revisions_propose(id, c.highest + 1, &text, now)
			   : set_text(id, &text, c.highest + 1, now);
	return store_end(e);
}

cr_err videos_remove(int64_t id, const struct cr_user *by)
{
	sqlite3_stmt *st = store_stmt(
		"UPDATE videos SET status = " VIDEO_SQL_REMOVED ", updated_at = ?3"
		" WHERE id = ?1 AND status <> " VIDEO_SQL_REMOVED " AND (owner_id = ?2 OR ?4)");
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
	catalog_invalidate_clip(id);
	return CR_OK;
}

cr_err videos_send_to_review(int64_t id, int64_t now)
{
	sqlite3_stmt *st = store_stmt("UPDATE videos SET status = " VIDEO_SQL_PENDING_REVIEW
				      ", updated_at = ?2 WHERE id = ?1 AND status IN"
				      " (" VIDEO_SQL_PUBLISHED ", " VIDEO_SQL_REJECTED ")");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return store_run(st, "send to review");
}
