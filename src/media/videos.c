/* Video rows and their JSON. See include/casereel/videos.h. */
#include "casereel/videos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/captions.h"
#include "casereel/clock.h"
#include "casereel/media_sign.h"
#include "casereel/media_versions.h"
#include "casereel/search.h"
#include "casereel/store.h"
#include "casereel/video_edits.h"
#include "video_revisions.h"

cr_err videos_check_tags(json_t *tags, struct cr_problem *why)
{
	size_t i;
	json_t *t;
	json_array_foreach(tags, i, t)
	{
		sqlite3_stmt *st = store_stmt("SELECT 1 FROM tags WHERE name = ?1");
		if (!st)
			return CR_EDB;
		sqlite3_bind_text(st, 1, json_string_value(t), -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		store_done(st);
		if (rc == SQLITE_DONE)
			return cr_refuse(why, CR_EINVAL, "invalid-field", "tags",
					 "tags: unknown tag '%s'", json_string_value(t));
		if (rc != SQLITE_ROW)
			return store_error(rc, "check tag");
	}
	return CR_OK;
}

cr_err videos_create(const struct video_new *v, int64_t *video_id, struct cr_problem *why)
{
	cr_err e = videos_check_tags(v->tags, why);
	if (e)
		return e;
	int64_t now = cr_now();
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO videos(owner_id, title, description, status, filename, source_path,"
		" source_bytes, created_at, updated_at) VALUES (?1, ?2, ?3, " VIDEO_SQL_PROCESSING
		", ?4, ?5, "
		"?6, ?7, ?7)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, v->owner_id);
	sqlite3_bind_text(st, 2, v->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, v->description ? v->description : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, v->filename ? v->filename : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, v->source_rel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, v->source_bytes);
	sqlite3_bind_int64(st, 7, now);
	if ((e = store_run(st, "insert video")))
		return e;
	*video_id = sqlite3_last_insert_rowid(store_db());
	size_t i;
	json_t *t;
	json_array_foreach(v->tags, i, t)
	{
		st = store_stmt("INSERT OR IGNORE INTO video_tags(video_id, tag_id)"
				" SELECT ?1, id FROM tags WHERE name = ?2");
		if (!st)
			return CR_EDB;
		sqlite3_bind_int64(st, 1, *video_id);
		sqlite3_bind_text(st, 2, json_string_value(t), -1, SQLITE_STATIC);
		if ((e = store_run(st, "tag video")))
			return e;
	}
	return search_index_video(*video_id);
}

static const char *const status_names[] = {
	[VIDEO_PROCESSING] = "processing", [VIDEO_PENDING_REVIEW] = "pending_review",
	[VIDEO_PUBLISHED] = "published",   [VIDEO_REJECTED] = "rejected",
	[VIDEO_FAILED] = "failed",         [VIDEO_REMOVED] = "removed",
};

const char *video_status_name(enum video_status status)
{
	return (unsigned)status < sizeof status_names / sizeof status_names[0]
		       ? status_names[status]
		       : "";
}

cr_err video_status_parse(const char *name, enum video_status *out)
{
	for (size_t i = 0; name && i < sizeof status_names / sizeof status_names[0]; i++) {
		if (!strcmp(name, status_names[i])) {
			*out = (enum video_status)i;
			return CR_OK;
		}
	}
	return CR_EINVAL;
}

bool videos_status_has_media(enum video_status status)
{
	return status == VIDEO_PUBLISHED || status == VIDEO_PENDING_REVIEW;
}

cr_err videos_media_servable(int64_t id, int64_t version, bool *published)
{
	if (media_versions_blocked(id, version)) /* replaced by a redaction: never again */
		return CR_ENOTFOUND;
	sqlite3_stmt *st = store_stmt("SELECT status FROM videos WHERE id = ?1");
	*published = false;
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	cr_err e = CR_ENOTFOUND;
	enum video_status status;
	if (rc == SQLITE_ROW) {
		if (!video_status_parse((const char *)sqlite3_column_text(st, 0), &status) &&
		    videos_status_has_media(status)) {
			e = CR_OK;
			*published = status == VIDEO_PUBLISHED;
		}
	} else if (rc != SQLITE_DONE) {
		e = store_error(rc, "media video lookup");
	}
	store_done(st);
	return e;
}

bool videos_owned_by(int64_t id, int64_t user_id)
{
	return store_exists("SELECT 1 FROM videos WHERE id = ?1 AND owner_id = ?2", id, user_id);
}

static json_t *video_tags(int64_t id)
{
	json_t *arr = json_array();
	sqlite3_stmt *st =
		store_stmt("SELECT t.name FROM video_tags vt JOIN tags t ON t.id = vt.tag_id"
			   " WHERE vt.video_id = ?1 ORDER BY t.name");
	if (!st || !arr)
		return arr;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(arr, json_string((const char *)sqlite3_column_text(st, 0)));
	store_done(st);
	return arr;
}

int64_t videos_url_expiry(long ttl)
{
	return (cr_now() + ttl + 3599) / 3600 * 3600;
}

/* The URLs of version `version` of clip `id`. */
static json_t *signed_urls(int64_t id, int64_t version, int64_t expires)
{
	static const char *const files[][2] = {{"hls", "master.m3u8"},
					       {"mp4", "720p.mp4"},
					       {"poster", "poster.jpg"},
					       {"thumbnail", "thumb.jpg"}};
	char prefix[512]; /* one signature covers every file of the version */
	json_t *urls = media_sign_url(id, version, expires, "", prefix, sizeof prefix)
			       ? NULL
			       : json_object();
	for (size_t i = 0; urls && i < sizeof files / sizeof files[0]; i++) {
		char url[600];
		snprintf(url, sizeof url, "%s%s", prefix, files[i][1]);
		json_object_set_new(urls, files[i][0], json_string(url));
	}
	if (urls) {
		json_object_set_new(urls, "version", json_integer(version));
		captions_add_urls(urls, id, prefix);
	}
	return urls;
}

json_t *videos_signed_urls_at(int64_t id, int64_t expires)
{
	sqlite3_stmt *st = store_stmt("SELECT media_version FROM videos WHERE id = ?1");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	json_t *urls = store_step_one(st, "media version")
			       ? NULL
			       : signed_urls(id, sqlite3_column_int64(st, 0), expires);
	store_done(st);
	return urls;
}

static json_t *real_or_null(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL
		       ? json_null()
		       : json_real(sqlite3_column_double(st, col));
}

#define VIDEO_COLUMNS                                                                              \
	"SELECT v.id, v.title, v.description, v.status, v.progress, v.error, v.duration,"          \
	" v.source_duration, v.trimmed, v.width, v.height, v.has_audio, v.created_at,"             \
	" v.updated_at, v.owner_id, u.display_name, v.renditions, v.filename, v.review_reason,"    \
	" v.starts, v.likes, v.comments, v.tips, v.error_code, v.revision, v.media_version,"       \
	" v.completions"                                                                           \
	" FROM videos v JOIN users u ON u.id = v.owner_id"

/* The row's JSON for `viewer` (NULL: its owner). The owner and trainers
 * also see the clip's edit waiting for review, or the reason it was not
 * approved. */
static json_t *video_row_json(sqlite3_stmt *st, long url_ttl, const struct cr_user *viewer)
{
	int64_t id = sqlite3_column_int64(st, 0);
	const char *status = (const char *)sqlite3_column_text(st, 3);
	enum video_status known;
	/* a version a redaction replaced has no URLs, even while its clip waits */
	bool ready = !video_status_parse(status, &known) && videos_status_has_media(known) &&
		     (known == VIDEO_PUBLISHED ||
		      !media_versions_blocked(id, sqlite3_column_int64(st, 25)));
	json_t *has_audio = sqlite3_column_type(st, 11) == SQLITE_NULL
				    ? json_null()
				    : json_boolean(sqlite3_column_int(st, 11));
	json_t *renditions =
		sqlite3_column_type(st, 16) == SQLITE_NULL
			? json_array()
			: json_loads((const char *)sqlite3_column_text(st, 16), 0, NULL);
	const char *error = (const char *)sqlite3_column_text(st, 5);
	const char *review_reason = (const char *)sqlite3_column_text(st, 18);
	json_t *v = json_pack(
		"{s:I, s:s, s:s, s:s, s:i, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:I, s:I,"
		" s:{s:I, s:s}, s:o, s:o*, s:s, s:o}",
		"id", (json_int_t)id, "title", (const char *)sqlite3_column_text(st, 1),
		"description", (const char *)sqlite3_column_text(st, 2), "status", status,
		"progress", sqlite3_column_int(st, 4), "error",
		error ? json_string(error) : json_null(), "duration", real_or_null(st, 6),
		"source_duration", real_or_null(st, 7), "trimmed", sqlite3_column_int(st, 8),
		"width", store_column_int_json(st, 9), "height", store_column_int_json(st, 10),
		"has_audio", has_audio, "created_at", (json_int_t)sqlite3_column_int64(st, 12),
		"updated_at", (json_int_t)sqlite3_column_int64(st, 13), "owner", "id",
		(json_int_t)sqlite3_column_int64(st, 14), "display_name",
		(const char *)sqlite3_column_text(st, 15), "urls",
		ready ? signed_urls(id, sqlite3_column_int64(st, 25), videos_url_expiry(url_ttl))
		      : json_null(),
		"renditions", renditions, "filename", (const char *)sqlite3_column_text(st, 17),
		"tags", video_tags(id));
	if (v) { /* why it failed, as a code; why a trainer rejected it; what it earned */
		const char *error_code = (const char *)sqlite3_column_text(st, 23);
		json_object_set_new(v, "error_code",
				    error_code ? json_string(error_code) : json_null());
		json_object_set_new(v, "review_reason",
				    review_reason ? json_string(review_reason) : json_null());
		json_object_set_new(
			v, "counts",
			json_pack("{s:i, s:i, s:i, s:i, s:i}", "views", sqlite3_column_int(st, 19),
				  "completions", sqlite3_column_int(st, 26), "likes",
				  sqlite3_column_int(st, 20), "comments",
				  sqlite3_column_int(st, 21), "tips", sqlite3_column_int(st, 22)));
		int64_t revision = sqlite3_column_int64(st, 24);
		json_object_set_new(v, "revision", json_integer(revision));
		if (!viewer || viewer->role >= CR_ROLE_TRAINER ||
		    viewer->id == sqlite3_column_int64(st, 14)) {
			json_t *edit = revisions_edit_json(id, revision);
			json_object_set_new(v, "edit", edit ? edit : json_null());
			json_object_set_new(v, "media_edit", video_edits_latest_json(id));
		}
	}
	return v;
}

cr_err videos_get_json(int64_t id, const struct cr_user *viewer, long url_ttl, json_t **out)
{
	sqlite3_stmt *st = store_stmt(
		VIDEO_COLUMNS " WHERE v.id = ?1 AND v.status <> " VIDEO_SQL_REMOVED
			      " AND (v.status = " VIDEO_SQL_PUBLISHED " OR v.owner_id = ?2 OR ?3)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, viewer->id);
	sqlite3_bind_int(st, 3, viewer->role >= CR_ROLE_TRAINER);
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? video_row_json(st, url_ttl, viewer) : NULL;
	store_done(st);
	if (rc == SQLITE_DONE)
		return CR_ENOTFOUND;
	if (rc != SQLITE_ROW)
		return store_error(rc, "get video");
	return *out ? CR_OK : CR_ENOMEM;
}

cr_err videos_list_own_json(int64_t owner_id, long url_ttl, json_t **out)
{
	sqlite3_stmt *st =
		store_stmt(VIDEO_COLUMNS " WHERE v.owner_id = ?1 AND v.status <> " VIDEO_SQL_REMOVED
					 " ORDER BY v.id DESC LIMIT 200");
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		return CR_EDB;
	}
	sqlite3_bind_int64(st, 1, owner_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(items, video_row_json(st, url_ttl, NULL));
	store_done(st);
	if (rc != SQLITE_DONE) {
		json_decref(items);
		return store_error(rc, "list videos");
	}
	*out = items;
	return CR_OK;
}

cr_err videos_set_progress(int64_t id, int percent)
{
	sqlite3_stmt *st = store_stmt(
		"UPDATE videos SET progress = ?2 WHERE id = ?1 AND status = " VIDEO_SQL_PROCESSING);
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, percent < 0 ? 0 : percent > 100 ? 100 : percent);
	return store_run(st, "video progress");
}

static char *renditions_json(const struct tx_result *r)
{
	json_t *arr = json_array();
	for (int i = 0; arr && i < r->n_renditions; i++) {
		const struct tx_rendition *x = &r->renditions[i];
		json_array_append_new(arr, json_pack("{s:s, s:i, s:i, s:I, s:b}", "name", x->name,
						     "width", x->width, "height", x->height,
						     "bandwidth", (json_int_t)x->bandwidth,
						     "fast_path", x->fast_path));
	}
	char *s = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
	json_decref(arr);
	return s;
}

/* Binds what a transcode made to the parameters `first` .. `first` + 6:
 * duration, source_duration, trimmed, width, height, has_audio, renditions. */
static void bind_media_facts(sqlite3_stmt *st, int first, const struct tx_result *r,
			     const char *renditions)
{
	sqlite3_bind_double(st, first, r->duration);
	sqlite3_bind_double(st, first + 1, r->source_duration);
	sqlite3_bind_int(st, first + 2, r->trimmed);
	sqlite3_bind_int(st, first + 3, r->width);
	sqlite3_bind_int(st, first + 4, r->height);
	sqlite3_bind_int(st, first + 5, r->has_audio);
	sqlite3_bind_text(st, first + 6, renditions, -1, SQLITE_TRANSIENT);
}

cr_err videos_record_transcode(int64_t id, const struct tx_result *r, bool ok)
{
	sqlite3_stmt *st = store_stmt(
		"UPDATE videos SET status = ?2, progress = ?3, error = ?4, duration = ?5,"
		" source_duration = ?6, trimmed = ?7, width = ?8, height = ?9, has_audio = ?10,"
		" renditions = ?11, updated_at = ?12, error_code = ?13 WHERE id = ?1"
		" AND status = " VIDEO_SQL_PROCESSING); /* a clip removed meanwhile stays removed */
	if (!st)
		return CR_EDB;
	char *renditions = ok ? renditions_json(r) : NULL;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, video_status_name(ok ? VIDEO_PENDING_REVIEW : VIDEO_FAILED), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(st, 3, ok ? 100 : 0);
	sqlite3_bind_int(st, 7, ok && r->trimmed); /* NOT NULL column */
	if (!ok) {
		sqlite3_bind_text(st, 4, r->error[0] ? r->error : "transcoding failed", -1,
				  SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 13, r->code ? tx_error_code(r) : "internal", -1,
				  SQLITE_STATIC);
	}
	if (ok)
		bind_media_facts(st, 5, r, renditions);
	sqlite3_bind_int64(st, 12, cr_now());
	cr_err e = store_run(st, "record transcode");
	free(renditions);
	return e;
}

/* The current media version of a clip that still serves media; 0 when it
 * does not. */
static cr_err live_version(int64_t id, int64_t *version)
{
	sqlite3_stmt *st = store_stmt("SELECT media_version FROM videos WHERE id = ?1 AND status IN"
				      " (" VIDEO_SQL_PUBLISHED ", " VIDEO_SQL_PENDING_REVIEW ")");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_step_one(st, "live media version");
	*version = e ? 0 : sqlite3_column_int64(st, 0);
	store_done(st);
	return e == CR_ENOTFOUND ? CR_OK : e;
}

cr_err videos_record_render(int64_t id, int64_t version, const struct tx_result *r, bool ok)
{
	int64_t live = 0;
	cr_err e = ok ? live_version(id, &live) : CR_OK;
	if (e || !ok)
		return e; /* a failed rendering: the clip keeps serving what it has */
	if (live == 0 || live >= version) /* nothing will serve this one */
		return media_versions_retire(id, version, cr_now());
	sqlite3_stmt *st = store_stmt(
		"UPDATE videos SET media_version = ?2, duration = ?3, source_duration = ?4,"
		" trimmed = ?5, width = ?6, height = ?7, has_audio = ?8, renditions = ?9"
		" WHERE id = ?1");
	if (!st)
		return CR_EDB;
	char *renditions = renditions_json(r);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, version);
	bind_media_facts(st, 3, r, renditions);
	e = store_run(st, "record rendering");
	free(renditions);
	return e ? e : media_versions_retire(id, live, cr_now());
}

cr_err videos_clear_source(int64_t id)
{
	sqlite3_stmt *st = store_stmt("UPDATE videos SET source_path = NULL WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	return store_run(st, "clear source");
}

cr_err videos_record_purge(int64_t id, bool source_deleted, int64_t now)
{
	sqlite3_stmt *st = store_stmt("UPDATE videos SET media_purged_at = ?3,"
				      " source_path = CASE WHEN ?2 THEN NULL ELSE source_path END"
				      " WHERE id = ?1 AND status IN (" VIDEO_SQL_REMOVED
				      ", " VIDEO_SQL_FAILED ")");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, source_deleted);
	sqlite3_bind_int64(st, 3, now);
	return store_run(st, "record purge");
}
