/* An import's staging table, written to metric_values in key order. See
 * kpi_stage.h. */
#include "kpi_stage.h"

#include "casereel/store.h"
#include "kpi_import_state.h"

/* Page caches while an import runs, KiB: of the staging table (a million
 * rows fit), and of the database while the rows are written (their keys
 * come in order, but the (metric, tag, day) index takes them all over). */
#define STAGE_CACHE_KIB   "16384"
#define WRITING_CACHE_KIB "32768"
#define DEFAULT_CACHE_KIB "2000"

#define KEY "user_id, metric_id, tag_id, day"

cr_err kpi_stage_reset(void)
{
	return store_exec("PRAGMA temp.cache_size = -" STAGE_CACHE_KIB ";"
			  "CREATE TEMP TABLE IF NOT EXISTS import_stage (user_id INTEGER,"
			  " metric_id INTEGER, tag_id INTEGER, day INTEGER, value REAL,"
			  " PRIMARY KEY (" KEY ")) WITHOUT ROWID;"
			  "DELETE FROM temp.import_stage;");
}

cr_err kpi_stage_put(int64_t user_id, int64_t metric_id, int64_t tag_id, int32_t day, double value)
{
	sqlite3_stmt *st = store_stmt("INSERT OR REPLACE INTO temp.import_stage VALUES"
				      " (?1, ?2, ?3, ?4, ?5)");
	if (st) {
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_int64(st, 2, metric_id);
		sqlite3_bind_int64(st, 3, tag_id);
		sqlite3_bind_int(st, 4, day);
		sqlite3_bind_double(st, 5, value);
	}
	return store_run(st, "stage metric value");
}

/* The key of the last row of the next chunk after `after` (all zero: from
 * the start) into `last`; *found false when no row is left. */
static cr_err chunk_end(const int64_t after[4], size_t chunk_rows, int64_t last[4], bool *found)
{
	sqlite3_stmt *st = store_stmt("SELECT " KEY " FROM temp.import_stage"
				      " WHERE (" KEY ") > (?1, ?2, ?3, ?4) ORDER BY " KEY
				      " LIMIT 1 OFFSET ?5");
	if (!st)
		return CR_EDB;
	for (int i = 0; i < 4; i++)
		sqlite3_bind_int64(st, i + 1, after[i]);
	sqlite3_bind_int64(st, 5, (int64_t)chunk_rows - 1);
	int rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	for (int i = 0; *found && i < 4; i++)
		last[i] = sqlite3_column_int64(st, i);
	store_done(st);
	if (rc == SQLITE_DONE) /* a short last chunk: it runs to the end */
		for (int i = 0; i < 4; i++)
			last[i] = INT64_MAX;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "stage chunk");
}

/* Writes the staged rows with keys in (after, last]; *n receives how many. */
static cr_err write_chunk(int64_t import_id, const int64_t after[4], const int64_t last[4],
			  size_t *n)
{
	sqlite3_stmt *st =
		store_stmt("INSERT INTO metric_values(" KEY ", value, import_id)"
			   " SELECT " KEY ", value, ?9 FROM temp.import_stage"
			   " WHERE (" KEY ") > (?1, ?2, ?3, ?4) AND (" KEY ") <= (?5, ?6, ?7, ?8)"
			   " ON CONFLICT (" KEY ") DO UPDATE SET value = excluded.value,"
			   " import_id = excluded.import_id");
	if (st) {
		for (int i = 0; i < 4; i++) {
			sqlite3_bind_int64(st, i + 1, after[i]);
			sqlite3_bind_int64(st, i + 5, last[i]);
		}
		sqlite3_bind_int64(st, 9, import_id);
	}
	cr_err e = store_run(st, "write staged values");
	*n = e ? 0 : (size_t)sqlite3_changes(store_db());
	return e;
}

cr_err kpi_stage_apply(int64_t import_id, size_t chunk_rows, const atomic_int *cancel,
		       bool *stopped, size_t *written)
{
	int64_t after[4] = {INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN}, last[4];
	bool more = true;
	cr_err e = CR_OK;
	*stopped = false;
	*written = 0;
	store_exec("PRAGMA main.cache_size = -" WRITING_CACHE_KIB);
	while (!e && more && !(*stopped = cancel && atomic_load(cancel))) {
		size_t n = 0;
		if ((e = chunk_end(after, chunk_rows, last, &more)) || (e = store_begin()))
			break;
		e = write_chunk(import_id, after, last, &n);
		*written += n;
		if (!e)
			e = kpi_import_set_state(import_id, "applying", *written);
		e = store_end(e);
		for (int i = 0; i < 4; i++)
			after[i] = last[i];
	}
	store_exec("PRAGMA main.cache_size = -" DEFAULT_CACHE_KIB);
	return e;
}
