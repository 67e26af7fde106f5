/* The personal feed. Ranking runs over the shared in-memory catalogue
 * (src/catalog.c); each viewer's order is kept as a snapshot, in memory for
 * reuse and in SQLite so cursors survive a restart. See feed.h. */
#include "casereel/feed.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/candidates.h"
#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/feed_cursor.h"
#include "casereel/feed_items.h"
#include "casereel/impressions.h"
#include "casereel/media.h"
#include "casereel/paths.h"
#include "casereel/profile.h"
#include "casereel/rank.h"
#include "casereel/snapshot_items.h"
#include "casereel/store.h"

/* Learning paths (must-watch clips are one-clip paths) whose next step the
 * feed pins, earliest due first. */
#define FEED_MAX_PATHS 32

#define NEW_HIRE_DAYS     90
#define SNAPSHOT_REUSE_MS 60000 /* a reload within a minute keeps the order */
#define SNAPSHOT_SLOTS    8192  /* cached snapshots: the latest per viewer */

struct snapshot {
	char id[33];
	int64_t user_id;
	int64_t created_ms;
	uint64_t epoch; /* reused only while catalog_epoch() is unchanged */
	size_t n;
	struct snap_item items[];
};

static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *snaps[SNAPSHOT_SLOTS];

/* --- ranking a snapshot --------------------------------------------------- */

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct rank_clip *)a)->id, y = ((const struct rank_clip *)b)->id;
	return (x > y) - (x < y);
}

static int by_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The ids of the clips the viewer completed, ascending, in *ids (free it). */
static cr_err load_watched(int64_t viewer_id, int64_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *st = store_stmt("SELECT video_id FROM watches WHERE user_id = ?1"
				      " AND completed_at IS NOT NULL ORDER BY video_id");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, viewer_id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			int64_t *more = realloc(*ids, cap * sizeof *more);
			if (!more)
				break;
			*ids = more;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	store_done(st);
	return rc == SQLITE_DONE  ? CR_OK
	       : rc == SQLITE_ROW ? CR_ENOMEM
				  : store_error(rc, "load watched");
}

/* Sets `watched` on the clips the viewer completed. */
static cr_err mark_watched(struct rank_clip *clips, size_t n, int64_t viewer_id)
{
	int64_t *ids;
	size_t nids;
	cr_err e = load_watched(viewer_id, &ids, &nids);
	for (size_t i = 0; !e && nids && i < n; i++)
		clips[i].watched = bsearch(&clips[i].id, ids, nids, sizeof *ids, by_int64) != NULL;
	free(ids);
	return e;
}

/* Marks the next step of each learning path assigned to the viewer: a
 * one-clip path's clip is a must-watch, pinned first. A clip that is both
 * is one item, as a must-watch. */
static void mark_path_steps(struct rank_clip *clips, size_t n, const struct path_next *next,
			    size_t k)
{
	for (size_t i = 0; i < k; i++) {
		struct rank_clip key = {.id = next[i].video_id};
		struct rank_clip *c = bsearch(&key, clips, n, sizeof *clips, by_id);
		if (c && next[i].clip)
			c->must_watch = true;
		else if (c)
			c->path_step = true;
	}
}

/* The clips the viewer's feed is ranked from, in id order, without the
 * viewer's own (nobody is shown what they made): the candidates of a large
 * catalogue (include/casereel/candidates.h) plus the path steps, or every
 * clip of a small one. Counters as of now. */
static cr_err gather_clips(const struct catalog *cat, const struct rank_viewer *v,
			   const struct path_next *paths, size_t npaths, struct rank_clip **out,
			   size_t *n)
{
	size_t max = cat->index ? cand_budget(cat->n) : cat->n;
	uint32_t *pos = cat->index ? malloc((max ? max : 1) * sizeof *pos) : NULL;
	struct rank_clip *clips = malloc((max + npaths + 1) * sizeof *clips);
	if ((cat->index && !pos) || !clips) {
		free(pos);
		free(clips);
		return CR_ENOMEM;
	}
	size_t k = cat->index ? cand_select(cat->index, v, pos) : cat->n, kept = 0;
	int64_t now = cr_now();
	for (size_t i = 0; i < k; i++) {
		const struct catalog_clip *c = &cat->clips[pos ? pos[i] : i];
		if (c->rank.creator_id != v->id)
			catalog_rank_copy(c, now, &clips[kept++]);
	}
	free(pos);
	/* path steps and must-watch clips the candidates missed */
	size_t sorted = kept;
	for (size_t i = 0; i < npaths; i++) {
		const struct catalog_clip *c = catalog_find(cat, paths[i].video_id);
		struct rank_clip key = {.id = paths[i].video_id};
		if (c && c->rank.creator_id != v->id &&
		    !bsearch(&key, clips, sorted, sizeof *clips, by_id))
			catalog_rank_copy(c, now, &clips[kept++]);
	}
	if (kept > sorted) { /* in id order again, once each (two paths may share a step) */
		qsort(clips, kept, sizeof *clips, by_id);
		size_t d = 0;
		for (size_t i = 0; i < kept; i++)
			if (!d || clips[d - 1].id != clips[i].id)
				clips[d++] = clips[i];
		kept = d;
	}
	*out = clips;
	*n = kept;
	return CR_OK;
}

/* The path step `item` shows (for a must-watch, its one-clip path), or NULL. */
static const struct path_next *step_of(const struct snap_item *item, const struct path_next *paths,
				       size_t n)
{
	bool must_watch = item->reason == RANK_REASON_MUST_WATCH;
	if (!must_watch && item->reason != RANK_REASON_PATH)
		return NULL;
	for (size_t k = 0; k < n; k++)
		if (paths[k].video_id == item->id && paths[k].clip == must_watch)
			return &paths[k];
	return NULL;
}

/* The skill gaps computed from the viewer's service metrics weigh their
 * tags; a weak skill an admin typed in keeps its weight of 1 when larger. */
static cr_err add_computed_gaps(int64_t user_id, struct rank_viewer *v)
{
	struct profile_gap gaps[16];
	size_t n;
	cr_err e = profile_gaps(user_id, gaps, 16, &n);
	for (size_t i = 0; !e && i < n; i++) {
		unsigned bit = (unsigned)(gaps[i].tag_id % 64);
		float w = (float)gaps[i].score / 100, manual = v->weak >> bit & 1 ? 1.0f : 0.0f;
		v->weak |= 1ULL << bit;
		v->weak_weight[bit] = w > manual ? w : manual;
	}
	return e;
}

static cr_err load_viewer(const struct cr_user *u, struct rank_viewer *v)
{
	memset(v, 0, sizeof *v);
	v->id = u->id;
	v->team_id = u->team_id;
	sqlite3_stmt *st = store_stmt("SELECT kind, tag_id FROM user_tags WHERE user_id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, u->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		uint64_t bit = 1ULL << (sqlite3_column_int64(st, 1) % 64);
		if (!strcmp((const char *)sqlite3_column_text(st, 0), "weak"))
			v->weak |= bit;
		else
			v->interests |= bit;
	}
	store_done(st);
	st = store_stmt(
		"SELECT unixepoch(hire_date) FROM users WHERE id = ?1 AND hire_date IS NOT NULL");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, u->id);
	if (sqlite3_step(st) == SQLITE_ROW)
		v->new_hire = cr_now() - sqlite3_column_int64(st, 0) < NEW_HIRE_DAYS * 86400;
	store_done(st);
	return add_computed_gaps(u->id, v);
}

/* Ranks a new snapshot of the viewer's feed over `cat`, as of `epoch`;
 * the viewer's path steps it ranked with go to paths[] (FEED_MAX_PATHS),
 * their number to *npaths, for the page to show. */
static cr_err rank_snapshot(const struct cr_user *viewer, const struct catalog *cat, uint64_t epoch,
			    struct path_next *paths, size_t *npaths, struct snapshot **out)
{
	struct rank_viewer v;
	size_t n = 0;
	struct rank_clip *clips = NULL;
	cr_err e = load_viewer(viewer, &v);
	if (!e)
		e = paths_next_steps(viewer->id, viewer->team_id, paths, FEED_MAX_PATHS, npaths);
	if (!e)
		e = gather_clips(cat, &v, paths, *npaths, &clips, &n);
	if (!e)
		e = mark_watched(clips, n, viewer->id);
	size_t max = n < FEED_SNAPSHOT_MAX ? n : FEED_SNAPSHOT_MAX;
	struct rank_item *items = e ? NULL : malloc((max ? max : 1) * sizeof *items);
	struct snapshot *s = e ? NULL : calloc(1, sizeof *s + max * sizeof(struct snap_item));
	if (!e && (!items || !s))
		e = CR_ENOMEM;
	if (!e) {
		mark_path_steps(clips, n, paths, *npaths);
		struct rank_params p = rank_params_default();
		s->n = rank_feed(&p, &v, clips, n, items, max);
		for (size_t i = 0; i < s->n; i++)
			s->items[i] = (struct snap_item){items[i].clip_id, items[i].reason,
							 items[i].reason_tags};
		s->user_id = viewer->id;
		s->created_ms = cr_now_ms();
		s->epoch = epoch;
		media_random_id(s->id);
		*out = s;
		s = NULL;
	}
	free(clips);
	free(items);
	free(s);
	return e;
}

/* --- keeping snapshots ------------------------------------------------------ */

/* Snapshots ranked but not written yet, newest first: the housekeeping
 * round writes them in one transaction (feed_flush_snapshots), so a cold
 * feed page never waits for the database's write lock. */
struct unsaved {
	struct unsaved *next;
	char id[33];
	int64_t user_id, created; /* unix s */
	unsigned char *items;     /* what the row will hold (snapshot_items.h) */
	size_t len;
};

static pthread_mutex_t unsaved_lock = PTHREAD_MUTEX_INITIALIZER;
static struct unsaved *unsaved;

/* Queues the snapshot for writing. */
static cr_err save_snapshot(const struct snapshot *s)
{
	struct unsaved *u = calloc(1, sizeof *u);
	unsigned char *items = u ? malloc(1 + s->n * SNAP_ITEM_MAX_BYTES) : NULL;
	if (!items) {
		free(u);
		return CR_ENOMEM;
	}
	memcpy(u->id, s->id, sizeof u->id);
	u->user_id = s->user_id;
	u->created = s->created_ms / 1000;
	u->items = items;
	u->len = snap_items_encode(s->items, s->n, items);
	pthread_mutex_lock(&unsaved_lock);
	u->next = unsaved;
	unsaved = u;
	pthread_mutex_unlock(&unsaved_lock);
	return CR_OK;
}

static void free_unsaved(struct unsaved *u)
{
	while (u) {
		struct unsaved *next = u->next;
		free(u->items);
		free(u);
		u = next;
	}
}

cr_err feed_flush_snapshots(void)
{
	pthread_mutex_lock(&unsaved_lock);
	struct unsaved *list = unsaved;
	pthread_mutex_unlock(&unsaved_lock);
	if (!list)
		return CR_OK;
	cr_err e = store_begin();
	for (struct unsaved *u = list; !e && u; u = u->next) {
		sqlite3_stmt *st = store_stmt(
			"INSERT OR IGNORE INTO feed_snapshots(id, user_id, created_at, items)"
			" VALUES (?1, ?2, ?3, ?4)");
		if (st) {
			sqlite3_bind_text(st, 1, u->id, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, u->user_id);
			sqlite3_bind_int64(st, 3, u->created);
			sqlite3_bind_blob(st, 4, u->items, (int)u->len, SQLITE_STATIC);
		}
		e = store_run(st, "save feed snapshot");
	}
	e = store_end(e);
	if (e)
		return e; /* they stay queued: the next round tries again */
	/* written: unlink them (newer ones were pushed in front meanwhile) */
	pthread_mutex_lock(&unsaved_lock);
	struct unsaved **p = &unsaved;
	while (*p && *p != list)
		p = &(*p)->next;
	*p = NULL;
	pthread_mutex_unlock(&unsaved_lock);
	free_unsaved(list);
	return CR_OK;
}

/* The snapshot from its stored items (snapshot_items.h). */
static cr_err parse_snapshot(const void *items, size_t len, int64_t viewer_id, const char *id,
			     int64_t created, struct snapshot **out)
{
	struct snap_item *v;
	size_t n;
	cr_err e = snap_items_decode(items, len, &v, &n);
	struct snapshot *s = e ? NULL : calloc(1, sizeof *s + n * sizeof(struct snap_item));
	if (!e && !s)
		e = CR_ENOMEM;
	if (e) {
		free(v);
		return e;
	}
	memcpy(s->items, v, n * sizeof *v);
	free(v);
	s->n = n;
	s->user_id = viewer_id;
	s->created_ms = created * 1000;
	snprintf(s->id, sizeof s->id, "%s", id);
	*out = s;
	return CR_OK;
}

/* The viewer's snapshot `id` from the queue of unsaved ones; CR_ENOTFOUND
 * when it is not there. */
static cr_err load_unsaved(int64_t viewer_id, const char *id, struct snapshot **out)
{
	cr_err e = CR_ENOTFOUND;
	pthread_mutex_lock(&unsaved_lock);
	for (struct unsaved *u = unsaved; u; u = u->next)
		if (u->user_id == viewer_id && !strcmp(u->id, id)) {
			e = parse_snapshot(u->items, u->len, viewer_id, id, u->created, out);
			break;
		}
	pthread_mutex_unlock(&unsaved_lock);
	return e;
}

static cr_err load_snapshot(int64_t viewer_id, const char *id, struct snapshot **out)
{
	cr_err e = load_unsaved(viewer_id, id, out);
	if (e != CR_ENOTFOUND)
		return e;
	sqlite3_stmt *st = store_stmt("SELECT items, created_at FROM feed_snapshots WHERE id = ?1"
				      " AND user_id = ?2 AND created_at > ?3");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, viewer_id);
	sqlite3_bind_int64(st, 3, cr_now() - FEED_SNAPSHOT_TTL);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		e = parse_snapshot(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
				   viewer_id, id, sqlite3_column_int64(st, 1), out);
	store_done(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? CR_EINVAL : store_error(rc, "load feed snapshot");
	return e;
}

/* One page of a viewer's feed: what is asked, then what page_items found. */
struct page_query {
	const struct cr_user *viewer;
	const char *cursor; /* NULL for the first page */
	size_t limit;       /* at most FEED_ITEMS_MAX */
	const struct catalog *cat;
	uint64_t epoch; /* catalog_epoch() before the catalogue was acquired */
	struct snap_item items[FEED_ITEMS_MAX]; /* out: the page */
	size_t got;                             /* out: items on the page */
	size_t offset;                          /* out: the page's place in its snapshot */
	size_t total;                           /* out: items in the snapshot */
	char id[33];                            /* out: the snapshot's id */
	/* out: the path steps a fresh snapshot was ranked with (have_paths) */
	struct path_next paths[FEED_MAX_PATHS];
	size_t npaths;
	bool have_paths;
};

/* Copies the page q asks for out of snapshot `s`. */
static void take_page(struct page_query *q, const struct snapshot *s)
{
	q->got = 0;
	for (size_t i = q->offset; i < s->n && q->got < q->limit; i++)
		q->items[q->got++] = s->items[i];
	q->total = s->n;
	memcpy(q->id, s->id, 33);
}

/* Takes the page from the viewer's cached snapshot when its id is `id`
 * (or, with id NULL, when it is recent enough to reuse); false on a miss. */
static bool cached_page(struct page_query *q, const char *id)
{
	bool hit = false;
	pthread_mutex_lock(&snap_lock);
	struct snapshot *s = snaps[(uint64_t)q->viewer->id % SNAPSHOT_SLOTS];
	if (s && s->user_id == q->viewer->id &&
	    (id ? !strcmp(s->id, id)
		: cr_now_ms() - s->created_ms < SNAPSHOT_REUSE_MS && s->epoch == q->epoch)) {
		take_page(q, s);
		hit = true;
	}
	pthread_mutex_unlock(&snap_lock);
	return hit;
}

static void cache_snapshot(struct snapshot *s)
{
	pthread_mutex_lock(&snap_lock);
	struct snapshot **slot = &snaps[(uint64_t)s->user_id % SNAPSHOT_SLOTS];
	struct snapshot *old = *slot;
	*slot = s;
	pthread_mutex_unlock(&snap_lock);
	free(old);
}

void feed_forget_viewer(int64_t user_id)
{
	pthread_mutex_lock(&snap_lock);
	struct snapshot **slot = &snaps[(uint64_t)user_id % SNAPSHOT_SLOTS];
	struct snapshot *old = *slot && (*slot)->user_id == user_id ? *slot : NULL;
	if (old)
		*slot = NULL;
	pthread_mutex_unlock(&snap_lock);
	free(old);
}

void feed_shutdown(void)
{
	pthread_mutex_lock(&unsaved_lock);
	free_unsaved(unsaved); /* after feed_flush_snapshots: none is left */
	unsaved = NULL;
	pthread_mutex_unlock(&unsaved_lock);
	for (size_t i = 0; i < SNAPSHOT_SLOTS; i++) {
		free(snaps[i]);
		snaps[i] = NULL;
	}
}

/* Fills q->items with the viewer's items for this request. */
static cr_err page_items(struct page_query *q)
{
	char want[33];
	q->offset = 0;
	cr_err e = q->cursor ? feed_cursor_parse(q->cursor, want, &q->offset) : CR_OK;
	if (e)
		return e;
	if (cached_page(q, q->cursor ? want : NULL))
		return CR_OK;
	struct snapshot *s = NULL;
	e = q->cursor ? load_snapshot(q->viewer->id, want, &s)
		      : rank_snapshot(q->viewer, q->cat, q->epoch, q->paths, &q->npaths, &s);
	q->have_paths = !e && !q->cursor;
	if (!e && !q->cursor)
		e = save_snapshot(s);
	if (e) {
		free(s);
		return e;
	}
	take_page(q, s);
	cache_snapshot(s);
	return CR_OK;
}

/* --- items ------------------------------------------------------------------- */

/* The catalogue's names of the tag bits (at most 64); returns how many. */
static size_t tag_names(const struct catalog *cat, uint64_t tags, const char **names)
{
	size_t n = 0;
	for (int bit = 0; bit < 64; bit++)
		if ((tags >> bit & 1) && cat->tag_names[bit])
			names[n++] = cat->tag_names[bit];
	return n;
}

/* "you're working on: refunds, billing" from the reason and its tags (cut
 * at `size`: these are words for a person; the tags also go out whole). */
static void reason_words(enum rank_reason r, const char *const *tags, size_t ntags, char *out,
			 size_t size)
{
	int n = snprintf(out, size, "%s", rank_reason_text(r));
	for (size_t i = 0; i < ntags && n >= 0 && (size_t)n < size; i++)
		n += snprintf(out + n, size - (size_t)n, "%s%s", i ? ", " : ": ", tags[i]);
}

cr_err feed_page(const struct cr_user *viewer, const char *cursor, long limit, long url_ttl,
		 struct text_buf *out)
{
	/* the epoch first: a snapshot ranked on this catalogue is never filed
	 * under an epoch whose change it does not include */
	uint64_t epoch = catalog_epoch();
	struct catalog *cat = catalog_acquire();
	if (!cat)
		return CR_EDB;
	struct page_query q = {.viewer = viewer,
			       .cursor = cursor,
			       .limit = (size_t)limit < FEED_ITEMS_MAX ? (size_t)limit
								       : FEED_ITEMS_MAX,
			       .cat = cat,
			       .epoch = epoch};
	cr_err e = page_items(&q);
	const struct snap_item *page = q.items;
	size_t got = q.got;
	struct feed_entry entries[FEED_ITEMS_MAX];
	const struct path_next *paths = q.paths;
	/* one read transaction for the paths and the items: one WAL snapshot,
	 * one lock (page_items above may write a snapshot, so it stays out); a
	 * fresh snapshot's page shows the steps it was ranked with */
	bool read_tx = !e && store_read_begin();
	if (!e && !q.have_paths)
		e = paths_next_steps(viewer->id, viewer->team_id, q.paths, FEED_MAX_PATHS,
				     &q.npaths);
	size_t npaths = q.npaths;
	char words[FEED_ITEMS_MAX][256];
	const char *tags[FEED_ITEMS_MAX][64]; /* names owned by the catalogue, held below */
	for (size_t i = 0; !e && i < got; i++) {
		size_t ntags = tag_names(cat, page[i].reason_tags, tags[i]);
		reason_words(page[i].reason, tags[i], ntags, words[i], sizeof words[i]);
		entries[i] =
			(struct feed_entry){.id = page[i].id,
					    .reason = words[i],
					    .must_watch = page[i].reason == RANK_REASON_MUST_WATCH,
					    .reason_code = rank_reason_code(page[i].reason),
					    .reason_tags = tags[i],
					    .n_reason_tags = ntags,
					    .path = step_of(&page[i], paths, npaths)};
	}
	int64_t shown[FEED_ITEMS_MAX];
	size_t nshown = 0;
	if (!e) {
		tb_puts(out, "{\"items\":");
		e = feed_items_render(cat, viewer, entries, got, url_ttl, out, shown, &nshown);
	}
	store_read_end(read_tx);
	catalog_release(&cat);
	if (e)
		return e;
	impressions_add(viewer->id, shown, nshown);
	tb_puts(out, ",\"next_cursor\":");
	char next[FEED_CURSOR_MAX];
	if (q.offset + got < q.total && feed_cursor_format(q.id, q.offset + got, next) == CR_OK)
		tb_printf(out, "\"%s\"}", next);
	else
		tb_puts(out, "null}");
	return out->err;
}

cr_err feed_expire_snapshots(void)
{
	sqlite3_stmt *st = store_stmt("DELETE FROM feed_snapshots WHERE created_at < ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, cr_now() - FEED_SNAPSHOT_TTL);
	int rc = sqlite3_step(st);
	store_done(st);
	return store_error(rc, "expire snapshots");
}
