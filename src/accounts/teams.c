/* Teams: lookups, listing, creation and renaming. See
 * include/casereel/teams.h. */
#include "casereel/teams.h"

#include <time.h>

#include "casereel/clock.h"
#include "casereel/store.h"

static json_t *team_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:s, s:o*, s:i}", "id", (json_int_t)sqlite3_column_int64(st, 0),
			 "name", (const char *)sqlite3_column_text(st, 1), "labels",
			 store_labels_json(st, 3, 4), "members", sqlite3_column_int(st, 2));
}

#define TEAM_SELECT                                                                                \
	"SELECT t.id, t.name, (SELECT count(*) FROM users u WHERE u.team_id = t.id AND "           \
	"u.active), " LABEL_EN_SQL("t") ", t.label_zh FROM teams t"

cr_err teams_id_by_name(const char *name, bool create, int64_t *id)
{
	if (create) {
		sqlite3_stmt *ins =
			store_stmt("INSERT OR IGNORE INTO teams(name, created_at) VALUES (?1, ?2)");
		if (!ins)
			return CR_EDB;
		sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, cr_now());
		cr_err e = store_run(ins, "create team");
		if (e)
			return e;
	}
	return store_id_by_text("SELECT id FROM teams WHERE name = ?1", name, "team by name", id);
}

cr_err teams_get_json(int64_t id, json_t **out)
{
	return store_row_json(TEAM_SELECT " WHERE t.id = ?1", id, team_json, "get team", out);
}

cr_err teams_list_json(json_t **out)
{
	sqlite3_stmt *st = store_stmt(TEAM_SELECT " ORDER BY t.name");
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		return CR_EDB;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(items, team_json(st));
	store_done(st);
	*out = items;
	return CR_OK;
}

cr_err teams_save(int64_t id, const char *name, const struct cr_labels *labels, int64_t *saved)
{
	sqlite3_stmt *st = store_stmt(
		id ? "UPDATE teams SET name = COALESCE(?1, name)," LABELS_SET_SQL(
			     "?1", "?3", "?4", "?5") " WHERE id = ?2"
		   : "INSERT INTO teams(name, created_at, label, label_zh) VALUES (?1, "
		     "?2, " LABEL_NEW_SQL("?1", "?3") ", " LABEL_ZH_NEW_SQL("?4", "?5") ")");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id ? id : cr_now());
	store_bind_labels(st, 3, labels);
	return store_run_save(st, id, "save team", saved);
}

static json_t *team_labels_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:s, s:o*}", "id", (json_int_t)sqlite3_column_int64(st, 0), "name",
			 (const char *)sqlite3_column_text(st, 1), "labels",
			 store_labels_json(st, 2, 3));
}

cr_err teams_labels_json(json_t **out)
{
	return store_rows_json(store_stmt("SELECT t.id, t.name, " LABEL_EN_SQL(
				       "t") ", t.label_zh"
					    " FROM teams t ORDER BY t.name"),
			       team_labels_json, "team labels", out);
}
