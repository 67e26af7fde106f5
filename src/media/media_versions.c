/* Retired media versions. See include/casereel/media_versions.h. */
#include "casereel/media_versions.h"

#include "casereel/store.h"

cr_err media_versions_retire(int64_t video_id, int64_t version, int64_t now)
{
	sqlite3_stmt *st = store_stmt("INSERT OR IGNORE INTO media_retired(video_id, version,"
				      " retired_at) VALUES (?1, ?2, ?3)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_int64(st, 3, now);
	return store_run(st, "retire media version");
}

cr_err media_versions_due(int64_t cutoff, struct media_retired *out, size_t max, size_t *n)
{
	sqlite3_stmt *st = store_stmt("SELECT video_id, version FROM media_retired"
				      " WHERE retired_at <= ?1 ORDER BY retired_at LIMIT ?2");
	*n = 0;
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, cutoff);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		out[*n].video_id = sqlite3_column_int64(st, 0);
		out[(*n)++].version = sqlite3_column_int64(st, 1);
	}
	store_done(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CR_OK : store_error(rc, "retired versions");
}

cr_err media_versions_forget(const struct media_retired *done, size_t n)
{
	cr_err e = store_begin();
	for (size_t i = 0; !e && i < n; i++) {
		sqlite3_stmt *st = store_stmt(
			"DELETE FROM media_retired WHERE video_id = ?1 AND version = ?2");
		if (st) {
			sqlite3_bind_int64(st, 1, done[i].video_id);
			sqlite3_bind_int64(st, 2, done[i].version);
		}
		e = store_run(st, "forget retired version");
	}
	return store_end(e);
}
