/* The shared in-memory catalogue of published clips. See catalog.h.
 *
 * Builds are serialised (one `building` at a time), each from `current`:
 * a full build reads every published clip; a patch copies the current
 * build under the lock (so no counter note is lost in between), re-reading
 * only the clips invalidated since. Invalidations count up in `asked`; a
 * build includes those counted when it started (`seq`), and an acquire
 * waits for a build that includes its own. */
#include "casereel/catalog.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/candidates.h"
#include "casereel/clock.h"
#include "casereel/log.h"
#include "casereel/store.h"
#include "casereel/videos.h"

/* The four strings of a clip, shared by the builds that copy it. */
struct catalog_strings {
	int refs; /* atomic: builds holding the clip */
	char *title, *tags, *creator_name, *team_name;
};

/* What the next build has to include (under `lock`). */
struct work {
	bool full; /* everything; else the clips in ids[] and the featurings */
	int64_t *ids;
	size_t n, cap;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t built = PTHREAD_COND_INITIALIZER;
static struct catalog *current;
static bool building;
static struct work pending;
static uint64_t asked = 1;           /* invalidations so far */
static _Atomic uint64_t epoch = 1;   /* invalidations and touches so far */
static _Atomic uint64_t serials = 1; /* the next build's serial */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- clips and their strings ------------------------------------------------ */

static void strings_unref(struct catalog_strings *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(s->title);
	free(s->tags);
	free(s->creator_name);
	free(s->team_name);
	free(s);
}

/* Points the clip's public string members at its strings. */
static void expose_strings(struct catalog_clip *k)
{
	k->title = k->strings->title;
	k->tags = k->strings->tags ? k->strings->tags : "";
	k->creator_name = k->strings->creator_name;
	k->team_name = k->strings->team_name;
}

static void destroy(struct catalog *c)
{
	for (size_t i = 0; i < c->n; i++)
		strings_unref(c->clips[i].strings);
	for (int i = 0; i < 64; i++)
		free((char *)c->tag_names[i]);
	cand_index_free(c->index);
	free(c->clips);
	free(c);
}

static char *dup_col(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? strdup((const char *)s) : NULL;
}

#define CLIP_SELECT                                                                                \
	"SELECT v.id, v.owner_id, COALESCE(u.team_id, 0), v.published_at, v.starts,"               \
	" v.completions, v.likes, v.impressions, v.title, v.duration, v.width, v.height,"          \
	" u.display_name, t.name, v.tips,"                                                         \
	" EXISTS (SELECT 1 FROM quiz_questions q WHERE q.video_id = v.id AND q.active)"            \
	" FROM videos v JOIN users u ON u.id = v.owner_id LEFT JOIN teams t ON t.id = u.team_id"   \
	" WHERE v.status = " VIDEO_SQL_PUBLISHED

/* Fills *k from a CLIP_SELECT row; false when out of memory. */
static bool read_clip(sqlite3_stmt *st, int64_t now, struct catalog_clip *k)
{
	memset(k, 0, sizeof *k);
	k->strings = calloc(1, sizeof *k->strings);
	if (!k->strings)
		return false;
	k->strings->refs = 1;
	k->rank.id = sqlite3_column_int64(st, 0);
	k->rank.creator_id = sqlite3_column_int64(st, 1);
	k->rank.creator_team = sqlite3_column_int64(st, 2);
	k->published_at = sqlite3_column_int64(st, 3);
	k->rank.age_hours = (double)(now - k->published_at) / 3600.0;
	k->rank.starts = (uint32_t)sqlite3_column_int(st, 4);
	k->rank.completions = (uint32_t)sqlite3_column_int(st, 5);
	k->rank.likes = (uint32_t)sqlite3_column_int(st, 6);
	k->rank.impressions = (uint32_t)sqlite3_column_int(st, 7);
	k->strings->title = dup_col(st, 8);
	k->duration = sqlite3_column_double(st, 9);
	k->width = sqlite3_column_int(st, 10);
	k->height = sqlite3_column_int(st, 11);
	k->strings->creator_name = dup_col(st, 12);
	k->strings->team_name = dup_col(st, 13);
	k->rank.tips = (uint32_t)sqlite3_column_int(st, 14);
	k->has_quiz = sqlite3_column_int(st, 15);
	return k->strings->title && k->strings->creator_name;
}

/* Appends ",name" to the clip's tag list and its bit to its tags. */
static bool add_tag(struct catalog_clip *k, int64_t tag_id, const char *name)
{
	struct catalog_strings *s = k->strings;
	size_t old = s->tags ? strlen(s->tags) : 0, add = strlen(name);
	char *t = realloc(s->tags, old + add + 2);
	if (!t)
		return false;
	if (old)
		t[old++] = ',';
	memcpy(t + old, name, add + 1);
	s->tags = t;
	k->rank.tags |= 1ULL << (tag_id % 64);
	return true;
}

/* Appends every published clip, in id order. */
static cr_err load_all_clips(struct catalog *c, int64_t now)
{
	sqlite3_stmt *st = store_stmt(CLIP_SELECT " ORDER BY v.id");
	if (!st)
		return CR_EDB;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->n == cap) {
			cap = cap ? cap * 2 : 1024;
			struct catalog_clip *nc = realloc(c->clips, cap * sizeof *nc);
			if (!nc)
				break;
			c->clips = nc;
		}
		bool ok = read_clip(st, now, &c->clips[c->n]);
		c->n++; /* counted even when incomplete, so destroy() frees it */
		if (!ok)
			break;
	}
	store_done(st);
	return rc == SQLITE_DONE  ? CR_OK
	       : rc == SQLITE_ROW ? CR_ENOMEM
				  : store_error(rc, "catalog");
}

static cr_err load_all_tags(struct catalog *c)
{
	sqlite3_stmt *st = store_stmt("SELECT vt.video_id, vt.tag_id, t.name FROM video_tags vt"
				      " JOIN videos v ON v.id = vt.video_id"
				      " JOIN tags t ON t.id = vt.tag_id"
				      " WHERE v.status = " VIDEO_SQL_PUBLISHED
				      " ORDER BY vt.video_id, t.name");
	if (!st)
		return CR_EDB;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct catalog_clip *k =
			(struct catalog_clip *)catalog_find(c, sqlite3_column_int64(st, 0));
		if (k && !add_tag(k, sqlite3_column_int64(st, 1),
				  (const char *)sqlite3_column_text(st, 2))) {
			store_done(st);
			return CR_ENOMEM;
		}
	}
	store_done(st);
	return rc == SQLITE_DONE ? CR_OK : store_error(rc, "catalog tags");
}

/* Reads clip `id` into *k when it is published (*found). */
static cr_err load_one_clip(int64_t id, int64_t now, struct catalog_clip *k, bool *found)
{
	sqlite3_stmt *st = store_stmt(CLIP_SELECT " AND v.id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	bool ok = !*found || read_clip(st, now, k);
	store_done(st);
	if (!ok) {
		strings_unref(k->strings);
		return CR_ENOMEM;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(rc, "catalog clip");
	if (!*found)
		return CR_OK;
	st = store_stmt(
		"SELECT vt.tag_id, t.name FROM video_tags vt JOIN tags t ON t.id = vt.tag_id"
		" WHERE vt.video_id = ?1 ORDER BY t.name");
	if (!st) {
		strings_unref(k->strings);
		return CR_EDB;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!add_tag(k, sqlite3_column_int64(st, 0),
			     (const char *)sqlite3_column_text(st, 1)))
			break;
	store_done(st);
	if (rc != SQLITE_DONE) {
		strings_unref(k->strings);
		return rc == SQLITE_ROW ? CR_ENOMEM : store_error(rc, "catalog clip tags");
	}
	return CR_OK;
}

/* --- what every build re-reads ---------------------------------------------- */

/* The tag names by bit, and the onboarding tags on every clip. */
static cr_err load_tag_names(struct catalog *c)
{
	sqlite3_stmt *st = store_stmt("SELECT id, name, onboarding FROM tags ORDER BY id");
	if (!st)
		return CR_EDB;
	uint64_t onboarding = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int bit = (int)(sqlite3_column_int64(st, 0) % 64);
		if (!c->tag_names[bit])
			c->tag_names[bit] = dup_col(st, 1);
		if (sqlite3_column_int(st, 2))
			onboarding |= 1ULL << bit;
	}
	store_done(st);
	for (size_t i = 0; i < c->n; i++)
		c->clips[i].rank.onboarding = onboarding;
	return rc == SQLITE_DONE ? CR_OK : store_error(rc, "catalog tag names");
}

/* Marks featured clips and clips by featured creators (active now), and
 * when the next featuring starts or ends. */
static cr_err load_features(struct catalog *c)
{
	for (size_t i = 0; i < c->n; i++)
		c->clips[i].rank.featured = c->clips[i].rank.creator_featured = false;
	sqlite3_stmt *st = store_stmt("SELECT video_id, user_id FROM features"
				      " WHERE starts_at <= ?1 AND ends_at > ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, cr_now());
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
			struct catalog_clip *k =
				(struct catalog_clip *)catalog_find(c, sqlite3_column_int64(st, 0));
			if (k)
				k->rank.featured = true;
			continue;
		}
		int64_t creator = sqlite3_column_int64(st, 1);
		for (size_t i = 0; i < c->n; i++)
			if (c->clips[i].rank.creator_id == creator)
				c->clips[i].rank.creator_featured = true;
	}
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_error(rc, "catalog features");
	st = store_stmt(
		"SELECT min(t) FROM (SELECT starts_at AS t FROM features WHERE starts_at > ?1"
		" UNION ALL SELECT ends_at FROM features WHERE ends_at > ?1)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, cr_now());
	rc = sqlite3_step(st);
	c->valid_until = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL
				 ? sqlite3_column_int64(st, 0)
				 : INT64_MAX;
	store_done(st);
	return rc == SQLITE_ROW ? CR_OK : store_error(rc, "catalog features");
}

/* The rest of a build: tag names, featurings, ages and the index. */
static cr_err finish(struct catalog *c, int64_t now)
{
	cr_err e = load_tag_names(c);
	if (!e)
		e = load_features(c);
	if (e)
		return e;
	struct rank_params p = rank_params_default();
	for (size_t i = 0; i < c->n; i++) {
		c->clips[i].rank.age_hours = (double)(now - c->clips[i].published_at) / 3600.0;
		c->clips[i].rank.quality = rank_quality(&p, &c->clips[i].rank);
		expose_strings(&c->clips[i]);
	}
	c->index = c->n > CAND_RANK_ALL
			   ? cand_index_build(&p, &c->clips[0].rank, sizeof *c->clips, c->n)
			   : NULL;
	return c->n > CAND_RANK_ALL && !c->index ? CR_ENOMEM : CR_OK;
}

static struct catalog *new_catalog(uint64_t seq)
{
	struct catalog *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->seq = seq;
	c->serial = atomic_fetch_add(&serials, 1);
	c->refs = 1; /* the `current` pointer's reference */
	c->built_ms = now_ms();
	return c;
}

/* Every published clip from SQLite. */
static cr_err build_full(struct catalog *c)
{
	int64_t now = cr_now();
	bool tx = store_read_begin(); /* one snapshot for clips, tags and features */
	cr_err e = load_all_clips(c, now);
	if (!e)
		e = load_all_tags(c);
	if (!e)
		e = finish(c, now);
	store_read_end(tx);
	return e;
}

static int by_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Copies `old` into c with the clips ids[0..n) (sorted, distinct) replaced
 * by fresh[0..nfresh) (sorted: those still published). Under `lock`, so no
 * counter note falls between the copy and the install. */
static cr_err merge_copy(struct catalog *c, const struct catalog *old, const int64_t *ids, size_t n,
			 struct catalog_clip *fresh, size_t nfresh)
{
	c->clips = malloc((old->n + nfresh + 1) * sizeof *c->clips);
	if (!c->clips)
		return CR_ENOMEM;
	size_t i = 0, f = 0;
	while (i < old->n || f < nfresh) {
		const struct catalog_clip *o = i < old->n ? &old->clips[i] : NULL;
		if (o && n && bsearch(&o->rank.id, ids, n, sizeof *ids, by_int64)) {
			i++; /* replaced or gone */
			continue;
		}
		if (!o || (f < nfresh && fresh[f].rank.id < o->rank.id)) {
			c->clips[c->n++] = fresh[f++];
			continue;
		}
		c->clips[c->n] = *o;
		__atomic_add_fetch(&c->clips[c->n++].strings->refs, 1, __ATOMIC_RELAXED);
		i++;
	}
	return CR_OK;
}

/* `old` with the clips ids[0..n) re-read, and the featurings. */
static cr_err build_patch(struct catalog *c, const struct catalog *old, int64_t *ids, size_t n)
{
	if (n) /* a patch of the featurings alone has no ids (and ids may be NULL) */
		qsort(ids, n, sizeof *ids, by_int64);
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++)
		if (!distinct || ids[distinct - 1] != ids[i])
			ids[distinct++] = ids[i];
	n = distinct;
	struct catalog_clip *fresh = calloc(n ? n : 1, sizeof *fresh);
	if (!fresh)
		return CR_ENOMEM;
	int64_t now = cr_now();
	size_t nfresh = 0;
	bool tx = store_read_begin();
	cr_err e = CR_OK;
	for (size_t i = 0; !e && i < n; i++) {
		bool found;
		e = load_one_clip(ids[i], now, &fresh[nfresh], &found);
		nfresh += !e && found;
	}
	if (!e) {
		pthread_mutex_lock(&lock);
		e = merge_copy(c, old, ids, n, fresh, nfresh);
		pthread_mutex_unlock(&lock);
	}
	if (e)
		for (size_t i = 0; i < nfresh; i++)
			strings_unref(fresh[i].strings);
	free(fresh);
	if (!e)
		e = finish(c, now);
	store_read_end(tx);
	return e;
}

/* --- building and installing ---------------------------------------------- */

/* Runs one build of the pending work and installs it. Called with `lock`
 * held and no build running; returns with it held. */
static void run_build(void)
{
	struct work w = pending;
	pending = (struct work){0};
	w.full |= !current;
	struct catalog *old = current;
	if (old)
		old->refs++;
	building = true;
	struct catalog *next = new_catalog(asked);
	pthread_mutex_unlock(&lock);

	/* for every request, so no one request's budget cuts it short */
	int64_t paused = store_deadline_pause();
	cr_err e = !next    ? CR_ENOMEM
		   : w.full ? build_full(next)
			    : build_patch(next, old, w.ids, w.n);
	store_deadline_resume(paused);
	free(w.ids);
	if (e) {
		log_error("catalog: cannot build: %s", cr_strerror(e));
		if (next)
			destroy(next);
		next = NULL;
	}

	pthread_mutex_lock(&lock);
	building = false;
	struct catalog *drop[2] = {NULL, NULL};
	if (next) {
		struct catalog *prev = current;
		current = next;
		if (prev && --prev->refs == 0)
			drop[0] = prev;
	} else {
		pending.full = true; /* try again, whole */
	}
	if (old && --old->refs == 0)
		drop[1] = old;
	pthread_cond_broadcast(&built);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < 2; i++)
		if (drop[i])
			destroy(drop[i]);
	pthread_mutex_lock(&lock);
}

/* Makes `current` include the invalidations up to `want`, building unless
 * another thread is. Caller holds the lock. False when a build failed. */
static bool catch_up(uint64_t want)
{
	while (!current || current->seq < want) {
		if (building) {
			pthread_cond_wait(&built, &lock);
			continue;
		}
		uint64_t before = current ? current->serial : 0;
		run_build();
		if (!current || current->serial == before)
			return false;
	}
	return true;
}

struct catalog *catalog_acquire(void)
{
	pthread_mutex_lock(&lock);
	catch_up(asked);
	struct catalog *c = current; /* after a failed build, the last good one */
	if (c)
		c->refs++;
	pthread_mutex_unlock(&lock);
	return c;
}

void catalog_release(struct catalog **cp)
{
	struct catalog *c = *cp;
	if (!c)
		return;
	pthread_mutex_lock(&lock);
	bool last = --c->refs == 0;
	pthread_mutex_unlock(&lock);
	if (last)
		destroy(c);
	*cp = NULL;
}

/* Records work for the next build; `id` 0 for none. */
static void ask(bool full, int64_t id)
{
	pthread_mutex_lock(&lock);
	pending.full |= full;
	if (id && !pending.full) {
		if (pending.n == pending.cap) {
			size_t cap = pending.cap ? pending.cap * 2 : 16;
			int64_t *ids = realloc(pending.ids, cap * sizeof *ids);
			if (ids)
				pending.ids = ids, pending.cap = cap;
		}
		if (pending.n < pending.cap)
			pending.ids[pending.n++] = id;
		else
			pending.full = true;
	}
	asked++;
	pthread_mutex_unlock(&lock);
	atomic_fetch_add(&epoch, 1);
}

void catalog_invalidate(void)
{
	ask(true, 0);
}

void catalog_invalidate_clip(int64_t id)
{
	ask(false, id);
}

void catalog_invalidate_features(void)
{
	ask(false, 0);
}

void catalog_touch(void)
{
	atomic_fetch_add(&epoch, 1);
}

uint64_t catalog_epoch(void)
{
	return atomic_load(&epoch);
}

const struct catalog_clip *catalog_find(const struct catalog *c, int64_t id)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->clips[mid].rank.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->clips[lo].rank.id == id ? &c->clips[lo] : NULL;
}

/* catalog_count's work, with `lock` held. */
static void count_locked(int64_t id, enum catalog_counter counter, int delta)
{
	struct catalog_clip *k = current ? (struct catalog_clip *)catalog_find(current, id) : NULL;
	uint32_t *field = !k                               ? NULL
			  : counter == CATALOG_STARTS      ? &k->rank.starts
			  : counter == CATALOG_COMPLETIONS ? &k->rank.completions
			  : counter == CATALOG_LIKES       ? &k->rank.likes
			  : counter == CATALOG_TIPS        ? &k->rank.tips
							   : &k->rank.impressions;
	if (field)
		__atomic_add_fetch(field, (uint32_t)delta, __ATOMIC_RELAXED);
	if (field && counter != CATALOG_IMPRESSIONS) {
		/* the notes are serialized by `lock`: this is the newest quality */
		struct rank_params p = rank_params_default();
		double quality = rank_quality(&p, &k->rank);
		__atomic_store(&k->rank.quality, &quality, __ATOMIC_RELAXED);
	}
}

void catalog_count(int64_t id, enum catalog_counter counter, int delta)
{
	pthread_mutex_lock(&lock);
	count_locked(id, counter, delta);
	pthread_mutex_unlock(&lock);
}

void catalog_count_each(const int64_t *ids, size_t n, enum catalog_counter counter, int delta)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n; i++)
		count_locked(ids[i], counter, delta);
	pthread_mutex_unlock(&lock);
}

static uint32_t load_count(const uint32_t *field)
{
	return __atomic_load_n(field, __ATOMIC_RELAXED);
}

static double load_quality(const double *field)
{
	double q;
	__atomic_load(field, &q, __ATOMIC_RELAXED);
	return q;
}

void catalog_rank_copy(const struct catalog_clip *c, int64_t now, struct rank_clip *out)
{
	const struct rank_clip *r = &c->rank;
	*out = (struct rank_clip){
		.id = r->id,
		.creator_id = r->creator_id,
		.creator_team = r->creator_team,
		.age_hours = (double)(now - c->published_at) / 3600.0,
		.starts = load_count(&r->starts),
		.completions = load_count(&r->completions),
		.likes = load_count(&r->likes),
		.tips = load_count(&r->tips),
		.impressions = load_count(&r->impressions),
		.tags = r->tags,
		.featured = r->featured,
		.creator_featured = r->creator_featured,
		.onboarding = r->onboarding,
		.quality = load_quality(&r->quality),
	};
}

/* store_change_mark when catalog_refresh last built (its thread only). */
static uint64_t refresh_mark;

void catalog_refresh(void)
{
	uint64_t mark = store_change_mark();
	pthread_mutex_lock(&lock);
	int64_t age = current ? now_ms() - current->built_ms : 0;
	bool featuring = current && cr_now() >= current->valid_until;
	/* the first build too (at start, before the first feed page asks) */
	bool due = !building && (!current || featuring || age >= CATALOG_IDLE_MAX_MS ||
				 (mark != refresh_mark && age >= CATALOG_REFRESH_MS));
	if (due) {
		/* requests keep the current build meanwhile: `asked` stays */
		pending.full = true;
		uint64_t before = current ? current->serial : 0;
		run_build();
		if (current && current->serial != before)
			refresh_mark = mark; /* only a build reads what the mark saw */
	}
	pthread_mutex_unlock(&lock);
	if (due && featuring)
		atomic_fetch_add(&epoch, 1); /* a featuring started or ended: re-rank */
}

cr_err catalog_rebuild(void)
{
	ask(true, 0);
	pthread_mutex_lock(&lock);
	bool ok = catch_up(asked);
	pthread_mutex_unlock(&lock);
	return ok ? CR_OK : CR_EDB;
}

void catalog_shutdown(void)
{
	pthread_mutex_lock(&lock);
	struct catalog *c = current;
	current = NULL;
	free(pending.ids);
	pending = (struct work){0};
	pthread_mutex_unlock(&lock);
	catalog_release(&c);
}
