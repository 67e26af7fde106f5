/* Must-watch: trainers assign a published clip to teams or people with a
 * due date; it is pinned near the top of their feed until watched
 * (src/feed.c), and trainers see who has and hasn't watched. */
#include <stdio.h>
#include <time.h>

#include "casereel/app.h"
#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/feed.h"
#include "casereel/feed_items.h"
#include "casereel/fields.h"
#include "casereel/store.h"

#define URL_TTL     3600
#define MAX_TARGETS 200

/* People an assignment covers, with whether they completed the clip. */
#define PEOPLE_SQL                                                                                 \
	"SELECT u.id, u.display_name, t.name, w.completed_at FROM assignments a"                   \
	" JOIN users u ON (u.id = a.user_id OR u.team_id = a.team_id) AND u.active"                \
	" LEFT JOIN teams t ON t.id = u.team_id"                                                   \
	" LEFT JOIN watches w ON w.user_id = u.id AND w.video_id = a.video_id"                     \
	" WHERE a.id = ?1 ORDER BY w.completed_at IS NOT NULL, u.display_name"

static json_t *assignment_json(int64_t id, bool with_people)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT a.id, a.video_id, v.title, a.team_id, t.name, a.user_id, u.display_name, "
		"a.due_at,"
		" a.note, a.created_at FROM assignments a JOIN videos v ON v.id = a.video_id"
		" LEFT JOIN teams t ON t.id = a.team_id LEFT JOIN users u ON u.id = a.user_id "
		"WHERE a.id = ?1");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	json_t *j = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		json_t *target =
			sqlite3_column_type(st, 3) != SQLITE_NULL
				? json_pack("{s:s, s:I, s:s}", "kind", "team", "id",
					    (json_int_t)sqlite3_column_int64(st, 3), "name",
					    (const char *)sqlite3_column_text(st, 4))
				: json_pack("{s:s, s:I, s:s}", "kind", "person", "id",
					    (json_int_t)sqlite3_column_int64(st, 5), "name",
					    (const char *)sqlite3_column_text(st, 6));
		j = json_pack("{s:I, s:{s:I, s:s}, s:o, s:o, s:s, s:I}", "id",
			      (json_int_t)sqlite3_column_int64(st, 0), "video", "id",
			      (json_int_t)sqlite3_column_int64(st, 1), "title",
			      (const char *)sqlite3_column_text(st, 2), "target", target, "due_at",
			      sqlite3_column_type(st, 7) == SQLITE_NULL
				      ? json_null()
				      : json_integer(sqlite3_column_int64(st, 7)),
			      "note", (const char *)sqlite3_column_text(st, 8), "created_at",
			      (json_int_t)sqlite3_column_int64(st, 9));
	}
	store_done(st);
	if (!j)
		return NULL;
	json_t *people = json_array();
	int assigned = 0, watched = 0;
	st = store_stmt(PEOPLE_SQL);
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			bool done = sqlite3_column_type(st, 3) != SQLITE_NULL;
			assigned++;
			watched += done;
			if (with_people)
				json_array_append_new(
					people,
					json_pack("{s:I, s:s, s:s?, s:b}", "id",
						  (json_int_t)sqlite3_column_int64(st, 0),
						  "display_name",
						  (const char *)sqlite3_column_text(st, 1), "team",
						  (const char *)sqlite3_column_text(st, 2),
						  "watched", done));
		}
		store_done(st);
	}
	json_object_set_new(j, "assigned", json_integer(assigned));
	json_object_set_new(j, "watched", json_integer(watched));
	if (with_people)
		json_object_set_new(j, "people", people);
	else
		json_decref(people);
	return j;
}

static cr_err insert_one(int64_t video_id, const char *column, int64_t target, int64_t due_at,
			 const char *note, int64_t by, json_t *out)
{
	/* column is one of two literals: the statement text is fixed per branch */
	sqlite3_stmt *st =
		store_stmt(column[0] == 't' ? "INSERT INTO assignments(video_id, team_id, due_at, "
					      "note, created_by, created_at)"
					      " SELECT ?1, ?2, NULLIF(?3, 0), ?4, ?5, ?6 WHERE "
					      "EXISTS (SELECT 1 FROM teams WHERE id = ?2)"
					    : "INSERT INTO assignments(video_id, user_id, due_at, "
					      "note, created_by, created_at)"
					      " SELECT ?1, ?2, NULLIF(?3, 0), ?4, ?5, ?6 WHERE "
					      "EXISTS (SELECT 1 FROM users WHERE id = ?2)");
	if (st) {
		sqlite3_bind_int64(st, 1, video_id);
		sqlite3_bind_int64(st, 2, target);
		sqlite3_bind_int64(st, 3, due_at);
		sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, by);
		sqlite3_bind_int64(st, 6, cr_now());
	}
	cr_err e = store_run(st, "assign");
	if (!e && !sqlite3_changes(store_db()))
		return CR_ENOTFOUND;
	if (!e)
		json_array_append_new(out, json_integer(sqlite3_last_insert_rowid(store_db())));
	return e;
}

static bool read_targets(struct cr_request *req, struct cr_response *res, const char *name,
			 json_t **out)
{
	json_t *v = json_object_get(req->json, name);
	*out = v;
	if (!v)
		return true;
	size_t i;
	json_t *x;
	bool ok = json_is_array(v) && json_array_size(v) <= MAX_TARGETS;
	json_array_foreach(v, i, x) ok = ok && json_is_integer(x) && json_integer_value(x) > 0;
	if (!ok)
		http_invalid_field(res, name, "%s must be a list of at most %d ids", name,
				   MAX_TARGETS);
	return ok;
}

static void assign(struct cr_request *req, struct cr_response *res)
{
	int64_t video_id;
	const char *due = NULL, *note = "";
	json_t *teams, *people;
	if (!field_int(req, res, "video_id", true, 1, INT64_MAX, false, &video_id, NULL) ||
	    !field_date(req, res, "due_date", &due, NULL) ||
	    !field_string(req, res, "note", false, 0, 200, &note, NULL) ||
	    !read_targets(req, res, "team_ids", &teams) ||
	    !read_targets(req, res, "user_ids", &people))
		return;
	if (json_array_size(teams) + json_array_size(people) == 0) {
		http_invalid_field(res, "team_ids",
				   "assign the clip to at least one team or person");
		return;
	}
	int64_t due_at = 0;
	if (due) { /* due at the end of that day in the configured zone */
		struct tm tm = {.tm_isdst = -1, .tm_hour = 23, .tm_min = 59, .tm_sec = 59};
		strptime(due, "%Y-%m-%d", &tm);
		due_at = mktime(&tm);
	}
	json_t *ids = json_array();
	cr_err e = store_begin();
	sqlite3_stmt *st =
		e ? NULL
		  : store_stmt("SELECT 1 FROM videos WHERE id = ?1 AND status = 'published'");
	if (st) {
		sqlite3_bind_int64(st, 1, video_id);
		e = sqlite3_step(st) == SQLITE_ROW ? CR_OK : CR_EINVAL;
		store_done(st);
	}
	const char *bad = e == CR_EINVAL ? "video_id" : NULL;
	size_t i;
	json_t *x;
	const struct {
		const char *column, *field;
		json_t *ids;
	} groups[] = {{"team", "team_ids", teams}, {"user", "user_ids", people}};
	for (size_t g = 0; g < 2 && !e; g++) {
		json_array_foreach(groups[g].ids, i, x)
		{
			e = insert_one(video_id, groups[g].column, json_integer_value(x), due_at,
				       note, req->user.id, ids);
			if (e == CR_ENOTFOUND)
				bad = groups[g].field;
			if (e)
				break;
		}
	}
	e = e ? (store_rollback(), e) : store_commit();
	if (bad) {
		http_invalid_field(
			res, bad,
			"%s names something that does not exist (or a clip not published)", bad);
	} else if (e) {
		http_error(res, e, "assignment");
	} else {
		catalog_invalidate(); /* assigned viewers re-rank on their next reload */
		json_t *items = json_array();
		json_array_foreach(ids, i, x)
			json_array_append_new(items, assignment_json(json_integer_value(x), false));
		http_json(res, 201, json_pack("{s:o}", "items", items));
	}
	json_decref(ids);
}

static void list_assignments(struct cr_request *req, struct cr_response *res)
{
	long limit, before;
	if (!http_query_long(req, res, "limit", 50, 1, 200, &limit) ||
	    !http_query_long(req, res, "before", INT64_MAX, 1, INT64_MAX, &before))
		return;
	sqlite3_stmt *st =
		store_stmt("SELECT id FROM assignments WHERE id < ?1 ORDER BY id DESC LIMIT ?2");
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		http_error(res, CR_EDB, "assignments");
		return;
	}
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, limit);
	int64_t ids[200];
	size_t n = 0;
	while (n < (size_t)limit && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	store_done(st);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, assignment_json(ids[i], false));
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

static void get_assignment(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "assignment", &id))
		return;
	json_t *j = assignment_json(id, true);
	if (j)
		http_json(res, 200, j);
	else
		http_error(res, CR_ENOTFOUND, "assignment");
}

static void my_assignments(struct cr_request *req, struct cr_response *res)
{
	sqlite3_stmt *st =
		store_stmt("SELECT a.video_id, min(a.due_at), max(w.completed_at IS NOT NULL) FROM "
			   "assignments a"
			   " JOIN videos v ON v.id = a.video_id AND v.status = 'published'"
			   " LEFT JOIN watches w ON w.user_id = ?1 AND w.video_id = a.video_id"
			   " WHERE a.user_id = ?1 OR a.team_id = ?2 GROUP BY a.video_id ORDER BY "
			   "min(a.due_at) LIMIT 100");
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		http_error(res, CR_EDB, "assignments");
		return;
	}
	sqlite3_bind_int64(st, 1, req->user.id);
	sqlite3_bind_int64(st, 2, req->user.team_id);
	int64_t ids[100], due[100];
	size_t n = 0;
	while (n < 100 && sqlite3_step(st) == SQLITE_ROW) {
		ids[n] = sqlite3_column_int64(st, 0);
		due[n++] = sqlite3_column_int64(st, 1);
	}
	store_done(st);
	for (size_t i = 0; i < n; i++) {
		struct feed_entry entry = {.id = ids[i],
					   .reason = rank_reason_text(RANK_REASON_MUST_WATCH),
					   .must_watch = true,
					   .reason_code = rank_reason_code(RANK_REASON_MUST_WATCH)};
		json_t *item = feed_item_json(&entry, &req->user, URL_TTL);
		if (!item)
			continue;
		json_object_set_new(item, "due_at", due[i] ? json_integer(due[i]) : json_null());
		json_array_append_new(items, item);
	}
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/assignments", CR_ROLE_TRAINER, CR_BODY_JSON, assign, NULL},
	{"GET", "/api/v1/assignments", CR_ROLE_TRAINER, CR_BODY_NONE, list_assignments, NULL},
	{"GET", "/api/v1/assignments/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, get_assignment, NULL},
	{"GET", "/api/v1/me/assignments", CR_ROLE_AGENT, CR_BODY_NONE, my_assignments, NULL},
};

cr_err api_assignments_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
