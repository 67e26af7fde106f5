/* The demo's progress, recorded so an interrupted demo start resumes.
 * See demo_progress.h. */
#include "demo_progress.h"

#include "casereel/store.h"

cr_err demo_progress_read(enum demo_stage *stage, int *planned)
{
	*planned = 0;
	sqlite3_stmt *st = store_stmt("SELECT clips_planned, completed_at IS NOT NULL"
				      " FROM demo_state WHERE id = 1");
	cr_err e = store_step_one(st, "demo state");
	if (!e) {
		*planned = sqlite3_column_int(st, 0);
		*stage = sqlite3_column_int(st, 1) ? DEMO_DONE : DEMO_RESUME;
	}
	store_done(st);
	if (e == CR_ENOTFOUND) {
		e = CR_OK;
		*stage = store_exists("SELECT 1 FROM videos LIMIT 1", 0, 0) ? DEMO_FOREIGN
									    : DEMO_FRESH;
	}
	return e;
}

cr_err demo_progress_plan(int planned)
{
	sqlite3_stmt *st = store_stmt("INSERT INTO demo_state (id, clips_planned) VALUES (1, ?1)"
				      " ON CONFLICT (id) DO NOTHING");
	if (st)
		sqlite3_bind_int(st, 1, planned);
	return store_run(st, "record the demo's plan");
}

cr_err demo_progress_add_clip(int seed_index, int64_t video_id)
{
	sqlite3_stmt *st =
		store_stmt("INSERT INTO demo_clips (seed_index, video_id) VALUES (?1, ?2)");
	if (st) {
		sqlite3_bind_int(st, 1, seed_index);
		sqlite3_bind_int64(st, 2, video_id);
	}
	return store_run(st, "record a demo clip");
}

cr_err demo_progress_clips(int64_t *video_ids, bool *published, int n)
{
	sqlite3_stmt *st = store_stmt("SELECT seed_index, video_id, published FROM demo_clips"
				      " WHERE seed_index < ?1 ORDER BY seed_index");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int(st, 1, n);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int i = sqlite3_column_int(st, 0);
		video_ids[i] = sqlite3_column_int64(st, 1);
		published[i] = sqlite3_column_int(st, 2);
	}
	store_done(st);
	return rc == SQLITE_DONE ? CR_OK : store_error(rc, "demo clips");
}

cr_err demo_progress_published_count(int *count)
{
	sqlite3_stmt *st = store_stmt("SELECT count(*) FROM demo_clips WHERE published");
	cr_err e = store_step_one(st, "demo clips published");
	*count = e ? 0 : sqlite3_column_int(st, 0);
	store_done(st);
	return e;
}

cr_err demo_progress_published(int seed_index)
{
	sqlite3_stmt *st = store_stmt("UPDATE demo_clips SET published = 1 WHERE seed_index = ?1");
	if (st)
		sqlite3_bind_int(st, 1, seed_index);
	return store_run(st, "record a demo clip published");
}

cr_err demo_progress_complete(int64_t now)
{
	sqlite3_stmt *st = store_stmt("UPDATE demo_state SET completed_at = ?1"
				      " WHERE id = 1 AND completed_at IS NULL");
	if (st)
		sqlite3_bind_int64(st, 1, now);
	return store_run(st, "record the demo complete");
}
