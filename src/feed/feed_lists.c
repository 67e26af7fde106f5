/* Plain lists of published clips, newest first: by tag, by creator, and
 * title/tag search. See include/casereel/feed.h. */
#include "casereel/feed.h"

#include "casereel/store.h"
#include "casereel/videos.h"

cr_err feed_list_published(const struct feed_filter *f, int64_t before, long limit, int64_t *ids,
			   size_t *n)
{
	char like[200] = "";
	if (f->query) { /* escape LIKE's wildcards: the words are literal */
		size_t k = 0;
		like[k++] = '%';
		for (const char *p = f->query; *p && k + 3 < sizeof like; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				like[k++] = '\\';
			like[k++] = *p;
		}
		like[k++] = '%';
		like[k] = '\0';
	}
	sqlite3_stmt *st = store_stmt(
		"SELECT v.id FROM videos v WHERE v.status = " VIDEO_SQL_PUBLISHED " AND v.id < ?1"
		" AND (?2 IS NULL OR EXISTS (SELECT 1 FROM video_tags vt JOIN tags t ON t.id = "
		"vt.tag_id"
		"   WHERE vt.video_id = v.id AND t.name = ?2))"
		" AND (?3 = 0 OR v.owner_id = ?3)"
		" AND (?4 IS NULL OR v.title LIKE ?4 ESCAPE '\\' OR EXISTS (SELECT 1 FROM "
		"video_tags vt"
		"   JOIN tags t ON t.id = vt.tag_id WHERE vt.video_id = v.id AND t.name = ?5))"
		" ORDER BY v.id DESC LIMIT ?6");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_text(st, 2, f->tag, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f->owner_id);
	if (f->query) {
		sqlite3_bind_text(st, 4, like, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, f->query, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(st, 6, limit);
	*n = 0;
	while (*n < (size_t)limit && sqlite3_step(st) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	store_done(st);
	return CR_OK;
}
