/* Edits of a clip's media, takedowns and their trail (table video_edits).
 * See include/casereel/video_edits.h. */
#include "casereel/video_edits.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/captions.h"
#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/edit_spec.h"
#include "casereel/jobs.h"
#include "casereel/media_versions.h"
#include "casereel/store.h"
#include "casereel/video_audit.h"
#include "casereel/videos.h"

/* What an edit request needs to know about its clip. */
struct clip {
	enum video_status status;
	int64_t owner_id, version;
	double duration;
	int width, height;
	bool has_source;
};

static cr_err load_clip(int64_t id, struct clip *c)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT status, owner_id, media_version, coalesce(duration, 0), coalesce(width, 0),"
		" coalesce(height, 0), source_path IS NOT NULL FROM videos"
		" WHERE id = ?1 AND status <> " VIDEO_SQL_REMOVED);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_step_one(st, "clip to edit");
	if (!e && video_status_parse((const char *)sqlite3_column_text(st, 0), &c->status))
		e = CR_ENOTFOUND;
	if (!e) {
		c->owner_id = sqlite3_column_int64(st, 1);
		c->version = sqlite3_column_int64(st, 2);
		c->duration = sqlite3_column_double(st, 3);
		c->width = sqlite3_column_int(st, 4);
		c->height = sqlite3_column_int(st, 5);
		c->has_source = sqlite3_column_int(st, 6);
	}
	store_done(st);
	return e;
}

/* Who may edit the clip in its state. */
static cr_err may_edit(const struct clip *c, const struct cr_user *by, struct cr_problem *why)
{
	bool trainer = by->role >= CR_ROLE_TRAINER;
	if (!trainer && c->owner_id != by->id)
		return CR_ENOTFOUND;
	if (!trainer && c->status != VIDEO_PENDING_REVIEW && c->status != VIDEO_REJECTED)
		return cr_refuse(why, CR_ECONFLICT, "not-editable", NULL,
				 "the creator may edit a clip while it is pending review or "
				 "rejected; this one is %s: ask a trainer",
				 video_status_name(c->status));
	if (c->status != VIDEO_PENDING_REVIEW && c->status != VIDEO_PUBLISHED &&
	    c->status != VIDEO_REJECTED)
		return cr_refuse(why, CR_ECONFLICT, "no-media", NULL,
				 "only a clip with rendered media can be edited; this one is %s",
				 video_status_name(c->status));
	return CR_OK;
}

/* The newest rendered edit's spec (input times) and whether it read the
 * source; *found false when there is none. */
static cr_err newest_rendered(int64_t id, struct tx_edits *spec, bool *from_source, bool *found)
{
	sqlite3_stmt *st = store_stmt("SELECT render, input FROM video_edits WHERE video_id = ?1"
				      " AND kind = 'edit' AND state IN ('done', 'published')"
				      " ORDER BY id DESC LIMIT 1");
	*found = false;
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	cr_err e = CR_OK;
	if (rc == SQLITE_ROW) {
		*found = edit_spec_load((const char *)sqlite3_column_text(st, 0), spec) == 0;
		*from_source = !strcmp((const char *)sqlite3_column_text(st, 1), "source");
	} else if (rc != SQLITE_DONE) {
		e = store_error(rc, "newest edit");
	}
	store_done(st);
	return e;
}

struct edit_row {
	int64_t video_id, user_id, from_version, media_version;
	const char *kind, *spec, *render, *input, *input_path, *state;
	bool redaction;
};

static cr_err insert_row(const struct edit_row *r, int64_t now, int64_t *edit_id)
{
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO video_edits(video_id, user_id, created_at, kind, spec, redaction,"
		" render, input, input_path, from_version, media_version, state)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, r->video_id);
	sqlite3_bind_int64(st, 2, r->user_id);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->spec, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, r->redaction);
	sqlite3_bind_text(st, 7, r->render, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r->input, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, r->input_path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, r->from_version);
	if (r->media_version)
		sqlite3_bind_int64(st, 11, r->media_version);
	sqlite3_bind_text(st, 12, r->state, -1, SQLITE_STATIC);
	cr_err e = store_run(st, "record edit");
	*edit_id = sqlite3_last_insert_rowid(store_db());
	return e;
}

#define ROW_COLUMNS                                                                                \
	"SELECT e.id, e.kind, e.created_at, e.user_id, u.display_name, e.spec, e.redaction,"       \
	" e.input, e.from_version, e.media_version, e.state, e.progress, e.error,"                 \
	" e.finished_at FROM video_edits e JOIN users u ON u.id = e.user_id"

static json_t *text_or_null(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? json_string((const char *)s) : json_null();
}

static json_t *row_json(sqlite3_stmt *st)
{
	json_t *spec = json_loads((const char *)sqlite3_column_text(st, 5), 0, NULL);
	return json_pack(
		"{s:I, s:s, s:I, s:{s:I, s:s}, s:o, s:b, s:o, s:I, s:o, s:s, s:i, s:o,"
		" s:o}",
		"id", (json_int_t)sqlite3_column_int64(st, 0), "kind",
		(const char *)sqlite3_column_text(st, 1), "created_at",
		(json_int_t)sqlite3_column_int64(st, 2), "by", "id",
		(json_int_t)sqlite3_column_int64(st, 3), "display_name",
		(const char *)sqlite3_column_text(st, 4), "spec", spec ? spec : json_object(),
		"redaction", sqlite3_column_int(st, 6), "input", text_or_null(st, 7),
		"from_version", (json_int_t)sqlite3_column_int64(st, 8), "media_version",
		store_column_int_json(st, 9), "state", (const char *)sqlite3_column_text(st, 10),
		"progress", sqlite3_column_int(st, 11), "error", text_or_null(st, 12),
		"finished_at", store_column_int_json(st, 13));
}

static cr_err one_row_json(int64_t edit_id, json_t **out)
{
	sqlite3_stmt *st = store_stmt(ROW_COLUMNS " WHERE e.id = ?1");
	if (st)
		sqlite3_bind_int64(st, 1, edit_id);
	cr_err e = store_step_one(st, "edit");
	*out = e ? NULL : row_json(st);
	store_done(st);
	return e ? e : *out ? CR_OK : CR_ENOMEM;
}

/* The edit in input times, and the input: composed on the newest rendered
 * edit from the source while the source is kept; the current version's top
 * rendition (already carrying every earlier edit) once it is gone. */
static cr_err plan_input(int64_t id, const struct clip *c, const struct tx_edits *asked,
			 struct tx_edits *render, char *input_path, size_t size,
			 struct cr_problem *why)
{
	if (!c->has_source) {
		*render = *asked;
		snprintf(input_path, size, "v/%lld/%lld/720p.mp4", (long long)id,
			 (long long)c->version);
		return CR_OK;
	}
	input_path[0] = '\0';
	struct tx_edits base = {.poster_time = -1};
	bool from_source = false, found = false;
	cr_err e = newest_rendered(id, &base, &from_source, &found);
	if (e)
		return e;
	if (!found || !from_source)
		memset(&base, 0, sizeof base), base.poster_time = -1;
	return edit_spec_compose(&base, asked, render, why);
}

/* Queues the rendering and records the edit, in the open transaction. */
static cr_err request(int64_t id, const struct cr_user *by, const json_t *body, bool *left_feed,
		      int64_t *edit_id, struct cr_problem *why)
{
	struct clip c;
	cr_err e = load_clip(id, &c);
	if (!e)
		e = may_edit(&c, by, why);
	struct tx_edits asked, render;
	if (!e)
		e = edit_spec_parse(body, c.duration, c.width, c.height, &asked, why);
	char input_path[128];
	if (!e)
		e = plan_input(id, &c, &asked, &render, input_path, sizeof input_path, why);
	if (!e && (e = jobs_enqueue_render(id, c.version + 1)) == CR_ECONFLICT)
		return cr_refuse(why, CR_ECONFLICT, "render-pending", NULL,
				 "this clip is being transcoded already; wait for it to finish");
	if (e)
		return e;
	int64_t now = cr_now();
	bool redaction = edit_spec_redacts(&asked);
	/* a redaction hides the version it replaces from now on; the creator's
	 * edit and a redaction send the clip (back) to review */
	if (redaction)
		e = media_versions_block(id, c.version, now);
	bool to_review = redaction || c.status == VIDEO_REJECTED;
	if (!e && to_review && c.status != VIDEO_PENDING_REVIEW)
		e = videos_send_to_review(id, now);
	*left_feed = to_review && c.status == VIDEO_PUBLISHED;
	json_t *spec = edit_spec_json(&asked), *rendered = edit_spec_json(&render);
	char *spec_text = spec ? json_dumps(spec, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
	char *render_text =
		rendered ? json_dumps(rendered, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
	struct edit_row row = {
		.video_id = id,
		.user_id = by->id,
		.from_version = c.version,
		.media_version = c.version + 1,
		.kind = "edit",
		.spec = spec_text,
		.render = render_text,
		.input = input_path[0] ? "rendition" : "source",
		.input_path = input_path[0] ? input_path : NULL,
		.state = "rendering",
		.redaction = redaction,
	};
	if (!e)
		e = spec_text && render_text ? insert_row(&row, now, edit_id) : CR_ENOMEM;
	if (!e) /* the clip's one audit trail has every edit too */
		e = video_audit_add(id, now, by->id, redaction ? "media.redact" : "media.edit",
				    spec);
	free(spec_text);
	free(render_text);
	json_decref(spec);
	json_decref(rendered);
	return e;
}

cr_err video_edits_request(int64_t id, const struct cr_user *by, const json_t *body, json_t **out,
			   struct cr_problem *why)
{
	bool left_feed = false;
	int64_t edit_id = 0;
	*out = NULL;
	cr_err e = store_begin();
	if (e)
		return e;
	e = store_end(request(id, by, body, &left_feed, &edit_id, why));
	if (e)
		return e;
	jobs_wake();
	if (left_feed)
		catalog_invalidate_clip(id);
	return one_row_json(edit_id, out);
}

static cr_err takedown(int64_t id, const struct cr_user *by, const char *reason, int64_t *edit_id,
		       struct cr_problem *why)
{
	struct clip c;
	cr_err e = load_clip(id, &c);
	if (!e && c.status != VIDEO_PUBLISHED)
		return cr_refuse(why, CR_ECONFLICT, "not-published", NULL,
				 "only a published clip can be taken down; this one is %s",
				 video_status_name(c.status));
	int64_t now = cr_now();
	if (!e)
		e = videos_send_to_review(id, now);
	json_t *spec = json_pack("{s:s}", "reason", reason);
	char *text = spec ? json_dumps(spec, JSON_COMPACT) : NULL;
	struct edit_row row = {
		.video_id = id,
		.user_id = by->id,
		.from_version = c.version,
		.kind = "takedown",
		.spec = text,
		.state = "recorded",
	};
	if (!e)
		e = text ? insert_row(&row, now, edit_id) : CR_ENOMEM;
	if (!e)
		e = video_audit_add(id, now, by->id, "media.takedown", spec);
	free(text);
	json_decref(spec);
	return e;
}

cr_err video_edits_takedown(int64_t id, const struct cr_user *by, const char *reason, json_t **out,
			    struct cr_problem *why)
{
	int64_t edit_id = 0;
	*out = NULL;
	cr_err e = store_begin();
	if (e)
		return e;
	e = store_end(takedown(id, by, reason, &edit_id, why));
	if (e)
		return e;
	catalog_invalidate_clip(id);
	return one_row_json(edit_id, out);
}

cr_err video_edits_list_json(int64_t id, const struct cr_user *viewer, json_t **out)
{
	*out = NULL;
	if (viewer->role < CR_ROLE_TRAINER && !videos_owned_by(id, viewer->id))
		return CR_ENOTFOUND;
	if (!store_exists("SELECT 1 FROM videos WHERE id = ?1 AND status <> " VIDEO_SQL_REMOVED, id,
			  0))
		return CR_ENOTFOUND;
	sqlite3_stmt *st = store_stmt(ROW_COLUMNS " WHERE e.video_id = ?1 ORDER BY e.id");
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		return CR_EDB;
	}
	sqlite3_bind_int64(st, 1, id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(items, row_json(st));
	store_done(st);
	if (rc != SQLITE_DONE) {
		json_decref(items);
		return store_error(rc, "list edits");
	}
	*out = items;
	return CR_OK;
}

json_t *video_edits_latest_json(int64_t id)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT id, state, progress, input, media_version, redaction FROM video_edits"
		" WHERE video_id = ?1 AND kind = 'edit' ORDER BY id DESC LIMIT 1");
	if (!st)
		return json_null();
	sqlite3_bind_int64(st, 1, id);
	json_t *j = sqlite3_step(st) == SQLITE_ROW
			    ? json_pack("{s:I, s:s, s:i, s:s, s:I, s:b}", "id",
					(json_int_t)sqlite3_column_int64(st, 0), "state",
					(const char *)sqlite3_column_text(st, 1), "progress",
					sqlite3_column_int(st, 2), "input",
					(const char *)sqlite3_column_text(st, 3), "media_version",
					(json_int_t)sqlite3_column_int64(st, 4), "redaction",
					sqlite3_column_int(st, 5))
			    : json_null();
	store_done(st);
	return j ? j : json_null();
}

cr_err video_edits_for_job(int64_t video_id, int64_t version, const char *source_rel,
			   struct tx_edits *edits, char *input_rel, size_t size,
			   bool *from_rendition)
{
	memset(edits, 0, sizeof *edits);
	edits->poster_time = -1;
	*from_rendition = false;
	snprintf(input_rel, size, "%s", source_rel);
	sqlite3_stmt *st =
		store_stmt("SELECT render, input_path FROM video_edits"
			   " WHERE video_id = ?1 AND kind = 'edit' AND media_version = ?2"
			   " ORDER BY id DESC LIMIT 1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int64(st, 2, version);
	int rc = sqlite3_step(st);
	cr_err e = CR_OK;
	if (rc == SQLITE_ROW) {
		if (edit_spec_load((const char *)sqlite3_column_text(st, 0), edits) < 0)
			e = CR_EINVAL;
		const unsigned char *path = sqlite3_column_text(st, 1);
		if (path) {
			snprintf(input_rel, size, "%s", (const char *)path);
			*from_rendition = true;
		}
	} else if (rc != SQLITE_DONE) {
		e = store_error(rc, "edit of job");
	}
	store_done(st);
	if (e || rc == SQLITE_ROW)
		return e;
	bool from_source = false, found = false; /* a plain rendering keeps the edits */
	struct tx_edits base;
	e = newest_rendered(video_id, &base, &from_source, &found);
	if (!e && found && from_source)
		*edits = base;
	return e;
}

cr_err video_edits_progress(int64_t video_id, int64_t version, int percent)
{
	sqlite3_stmt *st = store_stmt("UPDATE video_edits SET progress = ?3 WHERE video_id = ?1"
				      " AND media_version = ?2 AND state = 'rendering'");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_int(st, 3, percent < 0 ? 0 : percent > 99 ? 99 : percent);
	return store_run(st, "edit progress");
}

/* A rendered trim cuts the clip's timeline: its captions follow, so they
 * say the same words at the same pictures (the edit's own spec is in the
 * timeline it was asked of). */
static cr_err trim_captions(int64_t video_id, int64_t version)
{
	sqlite3_stmt *st =
		store_stmt("SELECT user_id, json_extract(spec, '$.trim.start'),"
			   " json_extract(spec, '$.trim.end') FROM video_edits"
			   " WHERE video_id = ?1 AND kind = 'edit' AND media_version = ?2"
			   " ORDER BY id DESC LIMIT 1");
	if (st) {
		sqlite3_bind_int64(st, 1, video_id);
		sqlite3_bind_int64(st, 2, version);
	}
	cr_err e = store_step_one(st, "edit trim");
	bool trimmed = !e && sqlite3_column_type(st, 2) != SQLITE_NULL;
	int64_t by = trimmed ? sqlite3_column_int64(st, 0) : 0;
	int64_t from_ms = trimmed ? (int64_t)(sqlite3_column_double(st, 1) * 1000 + 0.5) : 0;
	int64_t to_ms = trimmed ? (int64_t)(sqlite3_column_double(st, 2) * 1000 + 0.5) : 0;
	store_done(st);
	if (e == CR_ENOTFOUND) /* a plain re-render: no edit */
		return CR_OK;
	return e || !trimmed ? e : captions_trim_clip(video_id, by, from_ms, to_ms);
}

cr_err video_edits_finish(int64_t video_id, int64_t version, bool ok, const char *error)
{
	sqlite3_stmt *st = store_stmt(
		"UPDATE video_edits SET state = ?3, progress = CASE WHEN ?3 = 'done' THEN 100"
		" ELSE progress END, error = ?4, finished_at = ?5 WHERE video_id = ?1"
		" AND media_version = ?2 AND state = 'rendering'");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_text(st, 3, ok ? "done" : "failed", -1, SQLITE_STATIC);
	if (!ok)
		sqlite3_bind_text(st, 4, error && *error ? error : "rendering failed", -1,
				  SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, cr_now());
	cr_err e = store_run(st, "finish edit");
	return !e && ok ? trim_captions(video_id, version) : e;
}

cr_err video_edits_blocking(int64_t id, bool *blocking)
{
	*blocking = store_exists("SELECT 1 FROM video_edits WHERE video_id = ?1"
				 " AND state = 'rendering'",
				 id, 0) ||
		    store_exists("SELECT 1 FROM videos v JOIN media_retired r ON r.video_id = v.id"
				 " AND r.version = v.media_version WHERE v.id = ?1 AND r.blocked",
				 id, 0);
	return CR_OK;
}

cr_err video_edits_failed_redaction(int64_t id, bool *failed)
{
	sqlite3_stmt *st =
		store_stmt("SELECT redaction AND state = 'failed' FROM video_edits"
			   " WHERE video_id = ?1 AND kind = 'edit' ORDER BY id DESC LIMIT 1");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_step_one(st, "newest edit");
	*failed = !e && sqlite3_column_int(st, 0);
	store_done(st);
	return e == CR_ENOTFOUND ? CR_OK : e;
}

cr_err video_edits_published(int64_t id, int64_t version)
{
	sqlite3_stmt *st = store_stmt("UPDATE video_edits SET state = 'published'"
				      " WHERE video_id = ?1 AND media_version <= ?2"
				      " AND state = 'done'");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, version);
	return store_run(st, "publish edit");
}
