/* Must-watch assignments: a published clip assigned to teams or people
 * with a due date. See include/casereel/assignments.h. */
#include "casereel/assignments.h"

#include <time.h>

#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/store.h"
#include "casereel/videos.h"

/* People an assignment covers, with whether they completed the clip. */
#define PEOPLE_SQL                                                                                 \
	"SELECT u.id, u.display_name, t.name, w.completed_at FROM assignments a"                   \
	" JOIN users u ON (u.id = a.user_id OR u.team_id = a.team_id) AND u.active"                \
	" LEFT JOIN teams t ON t.id = u.team_id"                                                   \
	" LEFT JOIN watches w ON w.user_id = u.id AND w.video_id = a.video_id"                     \
	" WHERE a.id = ?1 ORDER BY w.completed_at IS NOT NULL, u.display_name"

json_t *assignments_get_json(int64_t id, bool with_people)
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

cr_err assignments_create(int64_t video_id, const json_t *team_ids, const json_t *user_ids,
			  int64_t due_at, const char *note, int64_t by, json_t *ids,
			  const char **bad)
{
	cr_err e = store_begin();
	sqlite3_stmt *st =
		e ? NULL
		  : store_stmt(
			    "SELECT 1 FROM videos WHERE id = ?1 AND status = " VIDEO_SQL_PUBLISHED);
	if (st) {
		sqlite3_bind_int64(st, 1, video_id);
		e = sqlite3_step(st) == SQLITE_ROW ? CR_OK : CR_EINVAL;
		store_done(st);
	}
	*bad = e == CR_EINVAL ? "video_id" : NULL;
	size_t i;
	json_t *x;
	const struct {
		const char *column, *field;
		const json_t *ids;
	} groups[] = {{"team", "team_ids", team_ids}, {"user", "user_ids", user_ids}};
	for (size_t g = 0; g < 2 && !e; g++) {
		json_array_foreach(groups[g].ids, i, x)
		{
			e = insert_one(video_id, groups[g].column, json_integer_value(x), due_at,
				       note, by, ids);
			if (e == CR_ENOTFOUND)
				*bad = groups[g].field;
			if (e)
				break;
		}
	}
	e = store_end(e);
	if (!e)
		catalog_invalidate(); /* assigned viewers re-rank on their next reload */
	return e;
}

cr_err assignments_list_ids(int64_t before, long limit, int64_t *ids, size_t *n)
{
	sqlite3_stmt *st =
		store_stmt("SELECT id FROM assignments WHERE id < ?1 ORDER BY id DESC LIMIT ?2");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, limit);
	*n = 0;
	while (*n < (size_t)limit && sqlite3_step(st) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	store_done(st);
	return CR_OK;
}

cr_err assignments_of_user(int64_t user_id, int64_t team_id, int64_t *ids, int64_t *due, size_t *n)
{
	sqlite3_stmt *st =
		store_stmt("SELECT a.video_id, min(a.due_at), max(w.completed_at IS NOT NULL) FROM "
			   "assignments a"
			   " JOIN videos v ON v.id = a.video_id AND v.status = " VIDEO_SQL_PUBLISHED
			   " LEFT JOIN watches w ON w.user_id = ?1 AND w.video_id = a.video_id"
			   " WHERE a.user_id = ?1 OR a.team_id = ?2 GROUP BY a.video_id ORDER BY "
			   "min(a.due_at) LIMIT 100");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, team_id);
	*n = 0;
	while (*n < ASSIGNMENTS_MINE_MAX && sqlite3_step(st) == SQLITE_ROW) {
		ids[*n] = sqlite3_column_int64(st, 0);
		due[(*n)++] = sqlite3_column_int64(st, 1);
	}
	store_done(st);
	return CR_OK;
}
