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

cr_err media_versions_block(int64_t video_id, int64_t version, int64_t now)
{
	sqlite3_stmt *st = store_stmt("INSERT INTO media_retired(video_id, version, retired_at,"
				      " blocked) VALUES (?1, ?2, ?3, 1) ON CONFLICT DO UPDATE"
				      " SET blocked = 1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int64(st, 2, version);
	sqlite3_bind_int64(st, 3, now);
	return store_run(st, "block media version");
}

bool media_versions_blocked(int64_t video_id, int64_t version)
{
	return store_exists("SELECT 1 FROM media_retired WHERE video_id = ?1 AND version = ?2"
			    " AND blocked",
			    video_id, version);
}

cr_err media_versions_due(int64_t cutoff, struct media_retired *out, size_t max, size_t *n)
{
	/* a blocked version goes as soon as it is no longer its clip's current one
	 * (until then a redaction may be reading it) */
	sqlite3_stmt *st = store_stmt(
		"SELECT r.video_id, r.version FROM media_retired r WHERE r.retired_at <= ?1"
		"  AND NOT r.blocked"
		" UNION ALL SELECT r.video_id, r.version FROM media_retired r"
		"  JOIN videos v ON v.id = r.video_id"
		"  WHERE r.blocked AND r.version < v.media_version"
		" LIMIT ?2");
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
