/* Featuring ("make stars"): trainers feature a clip or a creator for a
 * period with a note; featured clips and creators get the feed boost and a
 * badge (src/catalog.c reads the active ones). */
#include <time.h>

#include "casereel/app.h"
#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/store.h"

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

static bool target_exists(int64_t video_id, int64_t user_id)
{
	return store_exists(
		"SELECT 1 WHERE (?1 > 0 AND EXISTS (SELECT 1 FROM videos WHERE id = ?1 AND status "
		"= 'published'))"
		" OR (?2 > 0 AND EXISTS (SELECT 1 FROM users WHERE id = ?2 AND active))",
		video_id, user_id);
}

static void feature(struct cr_request *req, struct cr_response *res)
{
	int64_t video_id = 0, user_id = 0, days = 7;
	bool has_video = false, has_user = false;
	const char *note = "";
	if (!field_int(req, res, "video_id", false, 1, INT64_MAX, false, &video_id, &has_video) ||
	    !field_int(req, res, "user_id", false, 1, INT64_MAX, false, &user_id, &has_user) ||
	    !field_int(req, res, "days", false, 1, 90, false, &days, NULL) ||
	    !field_string(req, res, "note", false, 0, 200, &note, NULL))
		return;
	if (has_video == has_user) {
		http_invalid_field(res, "video_id",
				   "feature either a clip (video_id) or a creator (user_id)");
		return;
	}
	if (!target_exists(video_id, user_id)) {
		http_invalid_field(res, has_video ? "video_id" : "user_id",
				   has_video ? "no published clip with that id"
					     : "no active user with that id");
		return;
	}
	int64_t now = cr_now();
	sqlite3_stmt *st = store_stmt("INSERT INTO features(video_id, user_id, note, starts_at, "
				      "ends_at, created_by, created_at)"
				      " VALUES (NULLIF(?1, 0), NULLIF(?2, 0), ?3, ?4, ?5, ?6, ?4)");
	if (st) {
		sqlite3_bind_int64(st, 1, video_id);
		sqlite3_bind_int64(st, 2, user_id);
		sqlite3_bind_text(st, 3, note, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now);
		sqlite3_bind_int64(st, 5, now + days * 86400);
		sqlite3_bind_int64(st, 6, req->user.id);
	}
	cr_err e = store_run(st, "feature");
	int64_t id = sqlite3_last_insert_rowid(store_db());
	st = e ? NULL : store_stmt(FEATURE_JSON_SELECT " WHERE f.id = ?1");
	if (!st) {
		http_error(res, e ? e : CR_EDB, "feature");
		return;
	}
	catalog_invalidate();
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		http_json(res, 201, feature_json(st));
	else
		http_error(res, CR_EDB, "feature");
	store_done(st);
}

static void list_featured(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	/* a clip deleted or a creator deactivated since is not shown */
	sqlite3_stmt *st =
		store_stmt(FEATURE_JSON_SELECT " WHERE f.starts_at <= ?1 AND f.ends_at > ?1"
					       " AND (f.video_id IS NULL OR v.status = 'published')"
					       " AND u.active ORDER BY f.id DESC LIMIT 100");
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		http_error(res, CR_EDB, "featured list");
		return;
	}
	sqlite3_bind_int64(st, 1, cr_now());
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(items, feature_json(st));
	store_done(st);
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

static void unfeature(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "feature", &id))
		return;
	sqlite3_stmt *st = store_stmt("UPDATE features SET starts_at = min(starts_at, ?2 - 1),"
				      " ends_at = ?2 WHERE id = ?1 AND ends_at > ?2");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, cr_now());
	}
	cr_err e = store_run(st, "end feature");
	if (!e && !sqlite3_changes(store_db()))
		e = CR_ENOTFOUND;
	if (e) {
		http_error(res, e, "active feature");
		return;
	}
	catalog_invalidate();
	http_no_content(res);
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/featured", CR_ROLE_TRAINER, CR_BODY_JSON, feature, NULL},
	{"GET", "/api/v1/featured", CR_ROLE_AGENT, CR_BODY_NONE, list_featured, NULL},
	{"DELETE", "/api/v1/featured/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, unfeature, NULL},
};

cr_err api_featured_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
