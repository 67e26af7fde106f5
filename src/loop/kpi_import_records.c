/* The record of each metrics import: its states, reads of one or all, undo
 * and requeueing after a stop. See include/casereel/kpi_imports.h. */
#include "casereel/kpi_imports.h"

#include <stdlib.h>
#include <string.h>

#include "casereel/clock.h"
#include "casereel/store.h"
#include "kpi_import_state.h"

#define IMPORT_COLUMNS                                                                             \
	"id, format, state, bytes, rows, error_count, sha256, user_id, token_id, created_at,"      \
	" started_at, finished_at, undone_at, problem_type, problem_detail, errors"

cr_err kpi_import_record(const struct kpi_source *src, int64_t bytes, int64_t *id)
{
	sqlite3_stmt *st = store_stmt("INSERT INTO metric_imports(user_id, token_id, format, rows,"
				      " sha256, created_at, state, bytes) VALUES (nullif(?1, 0),"
				      " nullif(?2, 0), ?3, 0, ?4, ?5, 'queued', ?6)");
	if (st) {
		sqlite3_bind_int64(st, 1, src->user_id);
		sqlite3_bind_int64(st, 2, src->token_id);
		sqlite3_bind_text(st, 3, src->format, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, src->sha256 ? src->sha256 : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, cr_now());
		sqlite3_bind_int64(st, 6, bytes);
	}
	cr_err e = store_run(st, "record import");
	if (!e)
		*id = sqlite3_last_insert_rowid(store_db());
	return e;
}

cr_err kpi_import_set_state(int64_t id, const char *state, size_t rows)
{
	sqlite3_stmt *st = store_stmt(
		"UPDATE metric_imports SET state = ?2, rows = ?3, started_at ="
		" CASE WHEN ?2 = 'checking' THEN coalesce(started_at, ?4) ELSE started_at END"
		" WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (int64_t)rows);
		sqlite3_bind_int64(st, 4, cr_now());
	}
	return store_run(st, "import state");
}

cr_err kpi_import_conclude(int64_t id, const char *state, size_t rows, size_t error_count,
			   json_t *errors, const struct cr_problem *why)
{
	char *listed = errors && json_array_size(errors) ? json_dumps(errors, JSON_COMPACT) : NULL;
	sqlite3_stmt *st = store_stmt(
		"UPDATE metric_imports SET state = ?2, rows = ?3, error_count = ?4, errors = ?5,"
		" problem_type = ?6, problem_detail = nullif(?7, ''), finished_at = ?8 WHERE id = "
		"?1");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (int64_t)rows);
		sqlite3_bind_int64(st, 4, (int64_t)error_count);
		sqlite3_bind_text(st, 5, listed, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 6, why ? why->type : NULL, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, why ? why->detail : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, cr_now());
	}
	cr_err e = store_run(st, "conclude import");
	free(listed);
	return e;
}

cr_err kpi_import_take_back(int64_t id)
{
	/* what it had overwritten comes back where nothing newer stands now
	 * (and not from an import undone since) */
	static const char *const steps[] = {
		"DELETE FROM metric_values WHERE import_id = ?1",
		"INSERT INTO metric_values(user_id, metric_id, tag_id, day, value, import_id)"
		" SELECT o.user_id, o.metric_id, o.tag_id, o.day, o.old_value, o.old_import_id"
		" FROM metric_overwrites o WHERE o.import_id = ?1"
		" AND o.old_import_id NOT IN (SELECT id FROM metric_imports WHERE undone_at IS NOT "
		"NULL)"
		" AND NOT EXISTS (SELECT 1 FROM metric_values v WHERE v.user_id = o.user_id"
		"   AND v.metric_id = o.metric_id AND v.tag_id = o.tag_id AND v.day = o.day)",
		"DELETE FROM metric_overwrites WHERE import_id = ?1",
	};
	cr_err e = CR_OK;
	for (size_t i = 0; !e && i < sizeof steps / sizeof steps[0]; i++) {
		sqlite3_stmt *st = store_stmt(steps[i]);
		if (st)
			sqlite3_bind_int64(st, 1, id);
		e = store_run(st, "take back import");
	}
	return e;
}

static json_t *import_json(sqlite3_stmt *st, bool with_errors)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:I, s:I, s:s, s:I}", "id",
			      (json_int_t)sqlite3_column_int64(st, 0), "format",
			      (const char *)sqlite3_column_text(st, 1), "state",
			      (const char *)sqlite3_column_text(st, 2), "rows",
			      (json_int_t)sqlite3_column_int64(st, 4), "error_count",
			      (json_int_t)sqlite3_column_int64(st, 5), "sha256",
			      (const char *)sqlite3_column_text(st, 6), "created_at",
			      (json_int_t)sqlite3_column_int64(st, 9));
	if (!j)
		return NULL;
	json_object_set_new(j, "bytes", store_column_int_json(st, 3));
	json_object_set_new(j, "user_id", store_column_int_json(st, 7));
	json_object_set_new(j, "token_id", store_column_int_json(st, 8));
	json_object_set_new(j, "started_at", store_column_int_json(st, 10));
	json_object_set_new(j, "finished_at", store_column_int_json(st, 11));
	json_object_set_new(j, "undone_at", store_column_int_json(st, 12));
	if (sqlite3_column_type(st, 13) != SQLITE_NULL)
		json_object_set_new(j, "problem",
				    json_pack("{s:o, s:o}", "type", store_column_text_json(st, 13),
					      "detail", store_column_text_json(st, 14)));
	if (with_errors && sqlite3_column_type(st, 15) != SQLITE_NULL) {
		json_t *errors = json_loads((const char *)sqlite3_column_text(st, 15), 0, NULL);
		json_object_set_new(j, "errors", errors ? errors : json_array());
	}
	return j;
}

static json_t *listed_import_json(sqlite3_stmt *st)
{
	return import_json(st, false);
}

cr_err kpi_imports_json(long limit, json_t **out)
{
	sqlite3_stmt *st = store_stmt("SELECT " IMPORT_COLUMNS " FROM metric_imports"
				      " ORDER BY id DESC LIMIT ?1");
	if (st)
		sqlite3_bind_int64(st, 1, limit);
	return store_rows_json(st, listed_import_json, "list imports", out);
}

static json_t *status_json(sqlite3_stmt *st)
{
	return import_json(st, true);
}

cr_err kpi_import_status_json(int64_t id, json_t **out)
{
	return store_row_json("SELECT " IMPORT_COLUMNS " FROM metric_imports WHERE id = ?1", id,
			      status_json, "import status", out);
}

/* Whether import `id` can be undone; the refusal otherwise. */
static cr_err check_undoable(int64_t id, struct cr_problem *why)
{
	sqlite3_stmt *st =
		store_stmt("SELECT state, undone_at IS NOT NULL FROM metric_imports WHERE id = ?1");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_step_one(st, "undo import");
	if (!e && sqlite3_column_int(st, 1))
		e = cr_refuse(why, CR_ECONFLICT, "already-undone", NULL,
			      "import %lld was undone already", (long long)id);
	else if (!e && strcmp((const char *)sqlite3_column_text(st, 0), "done") != 0)
		e = cr_refuse(why, CR_ECONFLICT, "not-written", NULL,
			      "import %lld was not written (it is %s)", (long long)id,
			      (const char *)sqlite3_column_text(st, 0));
	store_done(st);
	return e;
}

cr_err kpi_import_undo(int64_t id, int64_t by_user, struct cr_problem *why)
{
	cr_err e = store_begin();
	if (e)
		return e;
	if (!(e = check_undoable(id, why)) && !(e = kpi_import_take_back(id))) {
		sqlite3_stmt *st = store_stmt("UPDATE metric_imports SET undone_at = ?2,"
					      " undone_by = ?3 WHERE id = ?1");
		if (st) {
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int64(st, 2, cr_now());
			sqlite3_bind_int64(st, 3, by_user);
		}
		e = store_run(st, "undo import");
	}
	return store_end(e);
}

static json_t *id_json(sqlite3_stmt *st)
{
	return json_integer(sqlite3_column_int64(st, 0));
}

cr_err kpi_imports_requeue(void)
{
	cr_err e = store_begin();
	if (e)
		return e;
	json_t *list = NULL;
	sqlite3_stmt *st = store_stmt("SELECT id FROM metric_imports WHERE state = 'applying'");
	e = store_rows_json(st, id_json, "unfinished imports", &list);
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		if (!e)
			e = kpi_import_take_back(json_integer_value(v));
	}
	json_decref(list);
	if (!e)
		e = store_run(store_stmt("UPDATE metric_imports SET state = 'queued', rows = 0"
					 " WHERE state IN ('checking', 'applying')"),
			      "requeue imports");
	return store_end(e);
}

cr_err kpi_import_next_queued(int64_t *id)
{
	return store_id_by_text("SELECT min(id) FROM metric_imports WHERE state = ?1"
				" HAVING min(id) IS NOT NULL",
				"queued", "next import", id);
}
