/* Buffered impressions. See include/casereel/impressions.h. */
#include "casereel/impressions.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/points.h"
#include "casereel/store.h"

/* Pending impressions, combined per (viewer, clip) in an open-addressing
 * table: a viewer reloading the feed costs a counter bump, not a row. */
struct pair {
	int64_t viewer, video;
	uint32_t count; /* 0 = empty slot */
};

#define SLOTS (IMPRESSIONS_BUFFER * 2)
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pair pending[SLOTS];
static size_t npending;
static uint64_t dropped;

static struct pair *slot_for(int64_t viewer, int64_t video)
{
	uint64_t h =
		(uint64_t)viewer * 0x9E3779B97F4A7C15ULL ^ (uint64_t)video * 0xC2B2AE3D27D4EB4FULL;
	for (size_t i = h % SLOTS;; i = (i + 1) % SLOTS)
		if (!pending[i].count || (pending[i].viewer == viewer && pending[i].video == video))
			return &pending[i];
}

void impressions_add(int64_t viewer_id, const int64_t *ids, size_t n)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n; i++) {
		struct pair *p = slot_for(viewer_id, ids[i]);
		if (!p->count) {
			if (npending ==
			    IMPRESSIONS_BUFFER) { /* half full at most: probes stay short */
				dropped++;
				continue;
			}
			npending++;
			*p = (struct pair){viewer_id, ids[i], 0};
		}
		p->count++;
	}
	pthread_mutex_unlock(&lock);
}

uint64_t impressions_dropped(void)
{
	pthread_mutex_lock(&lock);
	uint64_t d = dropped;
	pthread_mutex_unlock(&lock);
	return d;
}

/* Whether the viewer's last recorded impression of the clip was on the
 * calendar day of `now` (so it counted already). */
static cr_err seen_today(const struct pair *p, int64_t now, bool *seen)
{
	sqlite3_stmt *st =
		store_stmt("SELECT last_at FROM impressions WHERE user_id = ?1 AND video_id = ?2");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, p->viewer);
	sqlite3_bind_int64(st, 2, p->video);
	int rc = sqlite3_step(st);
	*seen = false;
	if (rc == SQLITE_ROW) {
		char last[POINTS_DAY_LEN], today[POINTS_DAY_LEN];
		points_day((time_t)sqlite3_column_int64(st, 0), last);
		points_day((time_t)now, today);
		*seen = !strcmp(last, today);
	}
	store_done(st);
	return rc == SQLITE_ROW ? CR_OK : store_error(rc, "last impression");
}

/* Records the pair's showings; the clip's counter (a ranking signal) counts
 * each viewer once a day, however often the feed is reloaded. */
static cr_err write_pair(const struct pair *p, int64_t now, bool *counted)
{
	*counted = false;
	bool seen;
	cr_err e = seen_today(p, now, &seen);
	if (e)
		return e;
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO impressions(user_id, video_id, count, last_at) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (user_id, video_id) DO UPDATE SET count = count + ?3, last_at = ?4");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, p->viewer);
	sqlite3_bind_int64(st, 2, p->video);
	sqlite3_bind_int64(st, 3, p->count);
	sqlite3_bind_int64(st, 4, now);
	int rc = sqlite3_step(st);
	store_done(st);
	if (rc != SQLITE_DONE || seen)
		return store_error(rc, "impression");
	st = store_stmt("UPDATE videos SET impressions = impressions + 1 WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, p->video);
	rc = sqlite3_step(st);
	store_done(st);
	*counted = rc == SQLITE_DONE;
	return store_error(rc, "impression count");
}

cr_err impressions_flush(void)
{
	/* only the housekeeping thread flushes */
	static struct pair batch[IMPRESSIONS_BUFFER];
	static bool counted[IMPRESSIONS_BUFFER]; /* the clip's counter moved */
	static int64_t ids[IMPRESSIONS_BUFFER];  /* the clips whose counter moved */
	size_t n = 0;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < SLOTS && n < npending; i++)
		if (pending[i].count)
			batch[n++] = pending[i];
	memset(pending, 0, sizeof pending);
	npending = 0;
	pthread_mutex_unlock(&lock);
	if (n == 0)
		return CR_OK;
	int64_t now = cr_now();
	cr_err e = store_begin();
	for (size_t i = 0; !e && i < n; i++)
		e = write_pair(&batch[i], now, &counted[i]);
	e = store_end(e);
	size_t moved = 0;
	for (size_t i = 0; !e && i < n; i++)
		if (counted[i])
			ids[moved++] = batch[i].video;
	catalog_count_each(ids, moved, CATALOG_IMPRESSIONS, 1);
	return e;
}
