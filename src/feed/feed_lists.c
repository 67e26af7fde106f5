/* Plain lists of published clips, newest first: by tag and by creator.
 * See include/casereel/feed.h. */
#include "casereel/feed.h"

#include "casereel/store.h"
#include "casereel/videos.h"

cr_err feed_list_published(const struct feed_filter *f, int64_t before, long limit, int64_t *ids,
			   size_t *n)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT v.id FROM videos v WHERE v.status = " VIDEO_SQL_PUBLISHED " AND v.id < ?1"
		" AND (?2 IS NULL OR EXISTS (SELECT 1 FROM video_tags vt JOIN tags t ON t.id = "
		"vt.tag_id"
		"   WHERE vt.video_id = v.id AND t.name = ?2))"
		" AND (?3 = 0 OR v.owner_id = ?3)"
		" ORDER BY v.id DESC LIMIT ?4");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_text(st, 2, f->tag, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f->owner_id);
	sqlite3_bind_int64(st, 4, limit);
	*n = 0;
	while (*n < (size_t)limit && sqlite3_step(st) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	store_done(st);
	return CR_OK;
}
