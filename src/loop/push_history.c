/* What push rules did, for trainers: each rule with its counts, and each
 * rule's pushes with their state and the path's progress. See
 * include/casereel/push_rules.h. */
#include "casereel/push_rules.h"

#include <string.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/kpi.h"
#include "casereel/paths.h"
#include "casereel/store.h"

#define RULE_COLUMNS                                                                               \
	"SELECT r.id, r.name, m.name, t.name, r.threshold, r.window_days, r.min_days,"             \
	" r.path_id, r.due_days, r.recover_days, r.team_id, r.active, r.created_at,"               \
	" (SELECT count(*) FROM pushes p WHERE p.rule_id = r.id AND p.state = 'open'),"            \
	" (SELECT count(*) FROM pushes p WHERE p.rule_id = r.id AND p.state = 'qualified'),"       \
	" (SELECT count(*) FROM pushes p WHERE p.rule_id = r.id AND p.state = 'open'"              \
	"   AND p.due_at < ?9)"                                                                    \
	" FROM push_rules r JOIN metrics m ON m.id = r.metric_id"                                  \
	" LEFT JOIN tags t ON t.id = r.tag_id"

static json_t *rule_json(sqlite3_stmt *st)
{
	return json_pack(
		"{s:I, s:s, s:s, s:o, s:f, s:i, s:i, s:I, s:i, s:i, s:o, s:b, s:I,"
		" s:{s:I, s:I, s:I}}",
		"id", (json_int_t)sqlite3_column_int64(st, 0), "name",
		(const char *)sqlite3_column_text(st, 1), "metric",
		(const char *)sqlite3_column_text(st, 2), "tag", store_column_text_json(st, 3),
		"threshold", sqlite3_column_double(st, 4), "window_days", sqlite3_column_int(st, 5),
		"min_days", sqlite3_column_int(st, 6), "path_id",
		(json_int_t)sqlite3_column_int64(st, 7), "due_days", sqlite3_column_int(st, 8),
		"recover_days", sqlite3_column_int(st, 9), "team_id", store_column_int_json(st, 10),
		"active", sqlite3_column_int(st, 11), "created_at",
		(json_int_t)sqlite3_column_int64(st, 12), "pushes", "open",
		(json_int_t)sqlite3_column_int64(st, 13), "qualified",
		(json_int_t)sqlite3_column_int64(st, 14), "overdue",
		(json_int_t)sqlite3_column_int64(st, 15));
}

cr_err push_rules_json(json_t **out)
{
	sqlite3_stmt *st = store_stmt(RULE_COLUMNS " WHERE ?9 IS NOT NULL ORDER BY r.id DESC");
	if (st)
		sqlite3_bind_int64(st, 9, cr_now());
	return store_rows_json(st, rule_json, "list push rules", out);
}

/* One push with who it is for and how far their path has come. */
static json_t *push_json(sqlite3_stmt *st, int64_t path_id, int64_t now)
{
	char day[11];
	kpi_day_format(sqlite3_column_int(st, 5), day);
	int64_t user_id = sqlite3_column_int64(st, 1), due = sqlite3_column_int64(st, 8);
	const char *state = (const char *)sqlite3_column_text(st, 3);
	struct path_progress p = {0};
	paths_progress(path_id, user_id, &p);
	return json_pack(
		"{s:I, s:I, s:s, s:s, s:f, s:s, s:i, s:I, s:I, s:o, s:b,"
		" s:{s:I, s:I, s:o}}",
		"id", (json_int_t)sqlite3_column_int64(st, 0), "user_id", (json_int_t)user_id,
		"display_name", (const char *)sqlite3_column_text(st, 2), "state", state,
		"trigger_value", sqlite3_column_double(st, 4), "trigger_date", day, "bad_days",
		sqlite3_column_int(st, 6), "opened_at", (json_int_t)sqlite3_column_int64(st, 7),
		"due_at", (json_int_t)due, "closed_at", store_column_int_json(st, 9), "overdue",
		strcmp(state, "open") == 0 && due < now, "path", "steps_done", (json_int_t)p.done,
		"step_count", (json_int_t)p.steps, "completed_at",
		p.completed_at ? json_integer(p.completed_at) : json_null());
}

cr_err push_rule_json(int64_t id, json_t **out)
{
	sqlite3_stmt *st = store_stmt(RULE_COLUMNS " WHERE r.id = ?1 AND ?9 IS NOT NULL");
	if (!st)
		return CR_EDB;
	int64_t now = cr_now();
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 9, now);
	int rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? rule_json(st) : NULL;
	int64_t path_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 7) : 0;
	store_done(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? CR_ENOTFOUND : store_error(rc, "push rule");
	if (!*out)
		return CR_ENOMEM;
	/* each push's progress runs other statements while this one steps:
	 * SQLite allows that, and the statement cache keys them apart */
	json_t *pushes = json_array();
	st = store_stmt("SELECT p.id, p.user_id, u.display_name, p.state, p.trigger_value,"
			" p.trigger_day, p.bad_days, p.opened_at, p.due_at, p.closed_at"
			" FROM pushes p JOIN users u ON u.id = p.user_id WHERE p.rule_id = ?1"
			" ORDER BY p.opened_at DESC, p.id DESC LIMIT 1000");
	if (st && pushes) {
		sqlite3_bind_int64(st, 1, id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			json_array_append_new(pushes, push_json(st, path_id, now));
		store_done(st);
	}
	if (!st || !pushes || rc != SQLITE_DONE) {
		json_decref(pushes);
		json_decref(*out);
		*out = NULL;
		return !st || rc != SQLITE_DONE
			       ? store_error(st ? rc : SQLITE_ERROR, "push history")
			       : CR_ENOMEM;
	}
	json_object_set_new(*out, "history", pushes);
	return CR_OK;
}
