/* Must-watch as trainers see it: the assignments of one-clip paths, each
 * with the people it covers and whether they finished the clip (a one-clip
 * path is complete when its clip is). See include/casereel/paths.h. */
#include "casereel/paths.h"

#include "casereel/store.h"

/* The people an assignment covers, with when they finished the clip. */
#define PEOPLE_SQL                                                                                 \
	"SELECT u.id, u.display_name, t.name, w.completed_at FROM path_assignments a"              \
	" JOIN path_steps s ON s.path_id = a.path_id AND s.position = 1"                           \
	" JOIN users u ON (u.id = a.user_id OR u.team_id = a.team_id) AND u.active"                \
	" LEFT JOIN teams t ON t.id = u.team_id"                                                   \
	" LEFT JOIN watches w ON w.user_id = u.id AND w.video_id = s.video_id"                     \
	" WHERE a.id = ?1 ORDER BY w.completed_at IS NOT NULL, u.display_name"

static json_t *assignment_json(sqlite3_stmt *st)
{
	bool team = sqlite3_column_type(st, 3) != SQLITE_NULL;
	json_t *target = json_pack("{s:s, s:I, s:o}", "kind", team ? "team" : "person", "id",
				   (json_int_t)sqlite3_column_int64(st, team ? 3 : 5), "name",
				   store_column_text_json(st, team ? 4 : 6));
	return json_pack("{s:I, s:I, s:{s:I, s:s}, s:o, s:o, s:s, s:I}", "id",
			 (json_int_t)sqlite3_column_int64(st, 0), "path_id",
			 (json_int_t)sqlite3_column_int64(st, 10), "video", "id",
			 (json_int_t)sqlite3_column_int64(st, 1), "title",
			 (const char *)sqlite3_column_text(st, 2), "target", target, "due_at",
			 store_column_int_json(st, 7), "note",
			 (const char *)sqlite3_column_text(st, 8), "created_at",
			 (json_int_t)sqlite3_column_int64(st, 9));
}

/* Adds "assigned" and "watched" (and "people" when with_people) to `j`. */
static cr_err add_people(json_t *j, int64_t id, bool with_people)
{
	sqlite3_stmt *st = store_stmt(PEOPLE_SQL);
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	json_t *people = json_array();
	int64_t assigned = 0, watched = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool done = sqlite3_column_type(st, 3) != SQLITE_NULL;
		assigned++;
		watched += done;
		if (with_people)
			json_array_append_new(
				people,
				json_pack("{s:I, s:s, s:o, s:b}", "id",
					  (json_int_t)sqlite3_column_int64(st, 0), "display_name",
					  (const char *)sqlite3_column_text(st, 1), "team",
					  store_column_text_json(st, 2), "watched", done));
	}
	store_done(st);
	json_object_set_new(j, "assigned", json_integer(assigned));
	json_object_set_new(j, "watched", json_integer(watched));
	if (with_people)
		json_object_set(j, "people", people);
	json_decref(people);
	return rc == SQLITE_DONE ? CR_OK : store_error(rc, "must-watch people");
}

cr_err paths_clip_assignment_json(int64_t id, bool with_people, json_t **out)
{
	cr_err e = store_row_json(
		"SELECT a.id, s.video_id, v.title, a.team_id, t.name, a.user_id, u.display_name,"
		" a.due_at, a.note, a.created_at, a.path_id FROM path_assignments a"
		" JOIN paths p ON p.id = a.path_id AND p.kind = 'clip'"
		" JOIN path_steps s ON s.path_id = a.path_id AND s.position = 1"
		" JOIN videos v ON v.id = s.video_id LEFT JOIN teams t ON t.id = a.team_id"
		" LEFT JOIN users u ON u.id = a.user_id WHERE a.id = ?1 AND a.removed_at IS NULL",
		id, assignment_json, "must-watch", out);
	if (!e)
		e = add_people(*out, id, with_people);
	if (e && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

cr_err paths_clip_assignment_ids(int64_t before, long limit, int64_t *ids, size_t *n)
{
	sqlite3_stmt *st = store_stmt("SELECT a.id FROM path_assignments a"
				      " JOIN paths p ON p.id = a.path_id AND p.kind = 'clip'"
				      " AND p.archived_at IS NULL WHERE a.removed_at IS NULL"
				      " AND a.id < ?1 ORDER BY a.id DESC LIMIT ?2");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int64(st, 2, limit);
	int rc = SQLITE_DONE;
	*n = 0;
	while (*n < (size_t)limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	store_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "must-watch list");
}
