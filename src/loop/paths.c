/* Learning paths: the series, their assignments and each agent's progress.
 * See include/casereel/paths.h. */
#include "casereel/paths.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/inbox.h"
#include "casereel/store.h"

/* --- the series ----------------------------------------------------------- */

/* Every step's clip is published and appears once. */
static cr_err check_steps(const struct path_step_in *steps, size_t n, struct cr_problem *why)
{
	if (n < 1 || n > PATHS_MAX_STEPS)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "steps",
				 "a path has 1 to %d steps", PATHS_MAX_STEPS);
	for (size_t i = 0; i < n; i++) {
		bool repeated = false;
		for (size_t k = 0; k < i; k++)
			repeated |= steps[k].video_id == steps[i].video_id;
		if (repeated ||
		    !store_exists("SELECT 1 FROM videos WHERE id = ?1 AND status = 'published'",
				  steps[i].video_id, 0)) {
			return cr_refuse(why, CR_EINVAL, "invalid-field", "steps",
					 "step %zu: the clip is not published or is already a step",
					 i + 1);
		}
	}
	return CR_OK;
}

static cr_err write_steps(int64_t path_id, const struct path_step_in *steps, size_t n)
{
	sqlite3_stmt *st = store_stmt("DELETE FROM path_steps WHERE path_id = ?1");
	if (st)
		sqlite3_bind_int64(st, 1, path_id);
	cr_err e = store_run(st, "clear path steps");
	for (size_t i = 0; !e && i < n; i++) {
		st = store_stmt("INSERT INTO path_steps(path_id, position, video_id, quiz_gate)"
				" VALUES (?1, ?2, ?3, ?4)");
		if (st) {
			sqlite3_bind_int64(st, 1, path_id);
			sqlite3_bind_int64(st, 2, (int64_t)i + 1);
			sqlite3_bind_int64(st, 3, steps[i].video_id);
			sqlite3_bind_int(st, 4, steps[i].quiz_gate);
		}
		e = store_run(st, "path step");
	}
	return e;
}

cr_err paths_create(const char *name, const char *description, const struct path_step_in *steps,
		    size_t n, int64_t by, int64_t *id, struct cr_problem *why)
{
	cr_err e = store_begin();
	if (e)
		return e;
	e = check_steps(steps, n, why);
	sqlite3_stmt *st = e ? NULL
			     : store_stmt("INSERT INTO paths(name, description, created_by,"
					  " created_at) VALUES (?1, coalesce(?2, ''), ?3, ?4)");
	if (st) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, description, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, by);
		sqlite3_bind_int64(st, 4, cr_now());
	}
	if (!e)
		e = store_run(st, "create path");
	if (!e) {
		*id = sqlite3_last_insert_rowid(store_db());
		e = write_steps(*id, steps, n);
	}
	return store_end(e);
}

cr_err paths_update(int64_t id, const char *name, const char *description,
		    const struct path_step_in *steps, size_t n, struct cr_problem *why)
{
	cr_err e = store_begin();
	if (e)
		return e;
	if (!store_exists("SELECT 1 FROM paths WHERE id = ?1", id, 0))
		e = CR_ENOTFOUND;
	else if (steps &&
		 store_exists("SELECT 1 FROM paths WHERE id = ?1 AND kind = 'clip'", id, 0))
		e = cr_refuse(why, CR_ECONFLICT, "clip-path", "steps",
			      "a must-watch clip's path has its one step");
	if (!e && steps)
		e = check_steps(steps, n, why);
	sqlite3_stmt *st = e ? NULL
			     : store_stmt("UPDATE paths SET name = coalesce(?2, name),"
					  " description = coalesce(?3, description) WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, description, -1, SQLITE_STATIC);
	}
	if (!e)
		e = store_run(st, "update path");
	if (!e && steps)
		e = write_steps(id, steps, n);
	return store_end(e);
}

cr_err paths_archive(int64_t id)
{
	sqlite3_stmt *st = store_stmt(
		"UPDATE paths SET archived_at = ?2 WHERE id = ?1 AND archived_at IS NULL");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, cr_now());
	}
	cr_err e = store_run(st, "archive path");
	if (e || sqlite3_changes(store_db()) == 1)
		return e;
	return store_exists("SELECT 1 FROM paths WHERE id = ?1", id, 0) ? CR_ECONFLICT
									: CR_ENOTFOUND;
}

static json_t *step_json(sqlite3_stmt *st)
{
	return json_pack(
		"{s:I, s:I, s:s, s:b, s:I}", "position", (json_int_t)sqlite3_column_int64(st, 0),
		"video_id", (json_int_t)sqlite3_column_int64(st, 1), "title",
		(const char *)sqlite3_column_text(st, 2), "quiz_gate", sqlite3_column_int(st, 3),
		"quiz_questions", (json_int_t)sqlite3_column_int64(st, 4));
}

static json_t *path_row_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:b, s:I, s:I}", "id",
			 (json_int_t)sqlite3_column_int64(st, 0), "name",
			 (const char *)sqlite3_column_text(st, 1), "description",
			 (const char *)sqlite3_column_text(st, 2), "kind",
			 (const char *)sqlite3_column_text(st, 7), "created_at",
			 (json_int_t)sqlite3_column_int64(st, 3), "archived",
			 sqlite3_column_int(st, 4), "step_count",
			 (json_int_t)sqlite3_column_int64(st, 5), "assigned",
			 (json_int_t)sqlite3_column_int64(st, 6));
}

#define PATH_COLUMNS                                                                               \
	"SELECT p.id, p.name, p.description, p.created_at, p.archived_at IS NOT NULL,"             \
	" (SELECT count(*) FROM path_steps s WHERE s.path_id = p.id),"                             \
	" (SELECT count(*) FROM path_assignments a WHERE a.path_id = p.id"                         \
	"   AND a.removed_at IS NULL), p.kind FROM paths p"

cr_err paths_json(int64_t id, json_t **out)
{
	cr_err e =
		store_row_json(PATH_COLUMNS " WHERE p.id = ?1", id, path_row_json, "get path", out);
	json_t *steps = NULL;
	sqlite3_stmt *st =
		e ? NULL
		  : store_stmt(
			    "SELECT s.position, s.video_id, v.title, s.quiz_gate,"
			    " (SELECT count(*) FROM quiz_questions q WHERE q.video_id = s.video_id"
			    "  AND q.active = 1) FROM path_steps s JOIN videos v ON v.id = "
			    "s.video_id"
			    " WHERE s.path_id = ?1 ORDER BY s.position");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	if (!e)
		e = store_rows_json(st, step_json, "path steps", &steps);
	if (!e)
		json_object_set_new(*out, "steps", steps);
	else if (*out) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

cr_err paths_list_json(const char *kind, json_t **out)
{
	sqlite3_stmt *st =
		store_stmt(PATH_COLUMNS " WHERE ?1 IS NULL OR p.kind = ?1 ORDER BY p.id DESC");
	if (st)
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	return store_rows_json(st, path_row_json, "list paths", out);
}

/* --- assignments ---------------------------------------------------------- */

cr_err paths_assign(const struct path_assign *a, int64_t *id)
{
	sqlite3_stmt *st = store_stmt("SELECT archived_at IS NOT NULL FROM paths WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, a->path_id);
	int rc = sqlite3_step(st);
	bool archived = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	store_done(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? CR_ENOTFOUND : store_error(rc, "assign path");
	if (archived)
		return CR_ECONFLICT;
	if ((a->user_id &&
	     !store_exists("SELECT 1 FROM users WHERE id = ?1 AND active = 1", a->user_id, 0)) ||
	    (a->team_id && !store_exists("SELECT 1 FROM teams WHERE id = ?1", a->team_id, 0)) ||
	    !a->user_id == !a->team_id)
		return CR_ENOTFOUND;
	st = store_stmt(
		"INSERT INTO path_assignments(path_id, user_id, team_id, due_at, source,"
		" push_id, created_by, created_at, note) VALUES (?1, nullif(?2, 0), nullif(?3, 0),"
		" nullif(?4, 0), ?5, nullif(?6, 0), nullif(?7, 0), ?8, coalesce(?9, ''))");
	if (st) {
		sqlite3_bind_int64(st, 1, a->path_id);
		sqlite3_bind_int64(st, 2, a->user_id);
		sqlite3_bind_int64(st, 3, a->team_id);
		sqlite3_bind_int64(st, 4, a->due_at);
		sqlite3_bind_text(st, 5, a->by_rule ? "rule" : "trainer", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, a->push_id);
		sqlite3_bind_int64(st, 7, a->by);
		sqlite3_bind_int64(st, 8, cr_now());
		sqlite3_bind_text(st, 9, a->note, -1, SQLITE_STATIC);
	}
	cr_err e = store_run(st, "assign path");
	if (!e) {
		*id = sqlite3_last_insert_rowid(store_db());
		e = inbox_add_assignment(*id); /* the people assigned hear of it */
	}
	return e;
}

/* paths_assign_many's work, inside the caller's transaction. */
static cr_err assign_targets(int64_t path_id, json_t *team_ids, json_t *user_ids, int64_t due_at,
			     const char *note, int64_t by, json_t *made, struct cr_problem *why)
{
	struct {
		json_t *ids;
		const char *field;
		bool team;
	} groups[] = {{team_ids, "team_ids", true}, {user_ids, "user_ids", false}};
	cr_err e = CR_OK;
	for (size_t g = 0; !e && g < 2; g++) {
		size_t i;
		json_t *x;
		json_array_foreach(groups[g].ids, i, x)
		{
			int64_t id = json_integer_value(x), made_id;
			struct path_assign a = {.path_id = path_id,
						.team_id = groups[g].team ? id : 0,
						.user_id = groups[g].team ? 0 : id,
						.due_at = due_at,
						.by = by,
						.note = note};
			e = paths_assign(&a, &made_id);
			if (e == CR_ENOTFOUND &&
			    store_exists("SELECT 1 FROM paths WHERE id = ?1", path_id, 0))
				e = cr_refuse(why, CR_EINVAL, "invalid-field", groups[g].field,
					      "no such %s: %lld",
					      groups[g].team ? "team" : "active person",
					      (long long)id);
			else if (e == CR_ECONFLICT)
				e = cr_refuse(why, CR_ECONFLICT, "archived", NULL,
					      "an archived path cannot be assigned");
			if (e)
				break;
			json_array_append_new(made, json_integer(made_id));
		}
	}
	return e;
}

cr_err paths_assign_many(int64_t path_id, json_t *team_ids, json_t *user_ids, int64_t due_at,
			 const char *note, int64_t by, json_t *made, struct cr_problem *why)
{
	cr_err e = store_begin();
	if (e)
		return e;
	return store_end(assign_targets(path_id, team_ids, user_ids, due_at, note, by, made, why));
}

/* The live one-clip path of published clip `video_id`, made when missing. */
static cr_err clip_path(int64_t video_id, int64_t by, int64_t *path_id, struct cr_problem *why)
{
	if (!store_exists("SELECT 1 FROM videos WHERE id = ?1 AND status = 'published'", video_id,
			  0))
		return cr_refuse(why, CR_EINVAL, "invalid-field", "video_id",
				 "video_id names no published clip");
	sqlite3_stmt *st =
		store_stmt("SELECT p.id FROM path_steps s JOIN paths p ON p.id = s.path_id"
			   " WHERE s.video_id = ?1 AND p.kind = 'clip'"
			   " AND p.archived_at IS NULL ORDER BY p.id LIMIT 1");
	if (st)
		sqlite3_bind_int64(st, 1, video_id);
	cr_err e = store_step_one(st, "clip path");
	if (!e)
		*path_id = sqlite3_column_int64(st, 0);
	store_done(st);
	if (e != CR_ENOTFOUND)
		return e;
	st = store_stmt("INSERT INTO paths(name, created_by, created_at, kind)"
			" SELECT title, ?2, ?3, 'clip' FROM videos WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, video_id);
		sqlite3_bind_int64(st, 2, by);
		sqlite3_bind_int64(st, 3, cr_now());
	}
	if ((e = store_run(st, "clip path")))
		return e;
	*path_id = sqlite3_last_insert_rowid(store_db());
	struct path_step_in step = {video_id, false};
	return write_steps(*path_id, &step, 1);
}

cr_err paths_assign_clip(int64_t video_id, json_t *team_ids, json_t *user_ids, int64_t due_at,
			 const char *note, int64_t by, json_t *made, struct cr_problem *why)
{
	int64_t path_id = 0;
	cr_err e = store_begin();
	if (e)
		return e;
	e = clip_path(video_id, by, &path_id, why);
	if (!e)
		e = assign_targets(path_id, team_ids, user_ids, due_at, note, by, made, why);
	return store_end(e);
}

cr_err paths_unassign(int64_t id)
{
	sqlite3_stmt *st = store_stmt("UPDATE path_assignments SET removed_at = ?2"
				      " WHERE id = ?1 AND removed_at IS NULL");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, cr_now());
	}
	cr_err e = store_run(st, "unassign path");
	return e ? e : sqlite3_changes(store_db()) == 1 ? CR_OK : CR_ENOTFOUND;
}

static json_t *assignment_json(sqlite3_stmt *st)
{
	return json_pack(
		"{s:I, s:o, s:o, s:o, s:s, s:o, s:I, s:s}", "id",
		(json_int_t)sqlite3_column_int64(st, 0), "user_id", store_column_int_json(st, 1),
		"team_id", store_column_int_json(st, 2), "due_at", store_column_int_json(st, 3),
		"source", (const char *)sqlite3_column_text(st, 4), "push_id",
		store_column_int_json(st, 5), "created_at", (json_int_t)sqlite3_column_int64(st, 6),
		"note", (const char *)sqlite3_column_text(st, 7));
}

cr_err paths_assignments_json(int64_t path_id, json_t **out)
{
	sqlite3_stmt *st = store_stmt("SELECT id, user_id, team_id, due_at, source, push_id,"
				      " created_at, note FROM path_assignments"
				      " WHERE path_id = ?1 AND removed_at IS NULL ORDER BY id");
	if (st)
		sqlite3_bind_int64(st, 1, path_id);
	return store_rows_json(st, assignment_json, "path assignments", out);
}
