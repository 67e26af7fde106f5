/* Positions and their labels. See include/casereel/positions.h. */
#include "casereel/positions.h"

#include "casereel/store.h"

#define POSITION_SELECT "SELECT p.id, p.name, " LABEL_EN_SQL("p") ", p.label_zh FROM positions p"

static json_t *position_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:s, s:o*}", "id", (json_int_t)sqlite3_column_int64(st, 0), "name",
			 (const char *)sqlite3_column_text(st, 1), "labels",
			 store_labels_json(st, 2, 3));
}

cr_err positions_list_json(json_t **out)
{
	return store_rows_json(store_stmt(POSITION_SELECT " ORDER BY p.name"), position_json,
			       "list positions", out);
}

cr_err positions_get_json(int64_t id, json_t **out)
{
	return store_row_json(POSITION_SELECT " WHERE p.id = ?1", id, position_json, "get position",
			      out);
}

cr_err positions_save(int64_t id, const char *name, const struct cr_labels *labels, int64_t *saved)
{
	/* a rename rewrites users.position (trigger positions_rename) within
	 * this one statement, so a failure leaves both as they were */
	sqlite3_stmt *st = store_stmt(
		id ? "UPDATE positions SET name = COALESCE(?1, name)," LABELS_SET_SQL(
			     "?1", "?3", "?4", "?5") " WHERE id = ?2"
		   : "INSERT INTO positions(name, label, label_zh) VALUES (?1, " LABEL_NEW_SQL(
			     "?1", "?3") ", " LABEL_ZH_NEW_SQL("?4", "?5") ")");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (id)
		sqlite3_bind_int64(st, 2, id);
	store_bind_labels(st, 3, labels);
	return store_run_save(st, id, "save position", saved);
}

cr_err positions_delete(int64_t id)
{
	sqlite3_stmt *st = store_stmt("DELETE FROM positions WHERE id = ?1 AND NOT EXISTS"
				      " (SELECT 1 FROM users u WHERE u.position = positions.name)");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_run(st, "delete position");
	if (e || sqlite3_changes(store_db()) > 0)
		return e;
	return store_exists("SELECT 1 FROM positions WHERE id = ?1", id, 0) ? CR_ECONFLICT
									    : CR_ENOTFOUND;
}
