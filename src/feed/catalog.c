/* The shared in-memory catalogue of published clips. See catalog.h. */
#include "casereel/catalog.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/log.h"
#include "casereel/store.h"
#include "casereel/videos.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t built = PTHREAD_COND_INITIALIZER;
static struct catalog *current;
static uint64_t version = 1;         /* bumped by catalog_invalidate */
static _Atomic uint64_t serials = 1; /* the next build's serial */
static bool building;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void destroy(struct catalog *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free((char *)c->clips[i].title);
		free((char *)c->clips[i].tags);
		free((char *)c->clips[i].creator_name);
		free((char *)c->clips[i].team_name);
	}
	for (int i = 0; i < 64; i++)
		free((char *)c->tag_names[i]);
	free(c->clips);
	free(c);
}

static char *dup_col(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? strdup((const char *)s) : NULL;
}

static cr_err load_clips(struct catalog *c, int64_t now)
{
	sqlite3_stmt *st = store_stmt("SELECT v.id, v.owner_id, COALESCE(u.team_id, 0), "
				      "v.published_at, v.starts, v.completions,"
				      " v.likes, v.impressions, v.title, v.duration, v.width, "
				      "v.height, u.display_name, t.name,"
				      " v.comments, EXISTS (SELECT 1 FROM quiz_questions q WHERE "
				      "q.video_id = v.id AND q.active),"
				      " v.tips"
				      " FROM videos v JOIN users u ON u.id = v.owner_id LEFT JOIN "
				      "teams t ON t.id = u.team_id"
				      " WHERE v.status = " VIDEO_SQL_PUBLISHED " ORDER BY v.id");
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
		struct catalog_clip *k = &c->clips[c->n++];
		memset(k, 0, sizeof *k);
		k->rank.id = sqlite3_column_int64(st, 0);
		k->rank.creator_id = sqlite3_column_int64(st, 1);
		k->rank.creator_team = sqlite3_column_int64(st, 2);
		k->published_at = sqlite3_column_int64(st, 3);
		k->rank.age_hours = (double)(now - k->published_at) / 3600.0;
		k->starts = sqlite3_column_int(st, 4);
		k->rank.starts = (uint32_t)k->starts;
		k->rank.completions = (uint32_t)sqlite3_column_int(st, 5);
		k->likes = sqlite3_column_int(st, 6);
		k->rank.likes = (uint32_t)k->likes;
		k->rank.impressions = (uint32_t)sqlite3_column_int(st, 7);
		k->title = dup_col(st, 8);
		k->duration = sqlite3_column_double(st, 9);
		k->width = sqlite3_column_int(st, 10);
		k->height = sqlite3_column_int(st, 11);
		k->creator_name = dup_col(st, 12);
		k->team_name = dup_col(st, 13);
		k->comments = sqlite3_column_int(st, 14);
		k->has_quiz = sqlite3_column_int(st, 15);
		k->rank.tips = (uint32_t)sqlite3_column_int(st, 16);
	}
	store_done(st);
	return rc == SQLITE_DONE  ? CR_OK
	       : rc == SQLITE_ROW ? CR_ENOMEM
				  : store_error(rc, "catalog");
}

/* Appends ",name" to the clip's tag list. */
static bool append_tag(struct catalog_clip *k, const char *name)
{
	size_t old = k->tags ? strlen(k->tags) : 0, add = strlen(name);
	char *t = realloc((char *)k->tags, old + add + 2);
	if (!t)
		return false;
	if (old)
		t[old++] = ',';
	memcpy(t + old, name, add + 1);
	k->tags = t;
	return true;
}

static cr_err load_tags(struct catalog *c)
{
	sqlite3_stmt *st = store_stmt("SELECT id, name, onboarding FROM tags ORDER BY id");
	if (!st)
		return CR_EDB;
	uint64_t onboarding = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int bit = (int)(sqlite3_column_int64(st, 0) % 64);
		if (!c->tag_names[bit])
			c->tag_names[bit] = dup_col(st, 1);
		if (sqlite3_column_int(st, 2))
			onboarding |= 1ULL << bit;
	}
	store_done(st);
	st = store_stmt("SELECT vt.video_id, vt.tag_id, t.name FROM video_tags vt"
			" JOIN videos v ON v.id = vt.video_id JOIN tags t ON t.id = vt.tag_id"
			" WHERE v.status = " VIDEO_SQL_PUBLISHED " ORDER BY vt.video_id, t.name");
	if (!st)
		return CR_EDB;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct catalog_clip *k =
			(struct catalog_clip *)catalog_find(c, sqlite3_column_int64(st, 0));
		if (!k)
			continue;
		k->rank.tags |= 1ULL << (sqlite3_column_int64(st, 1) % 64);
		k->rank.onboarding = onboarding;
		if (!append_tag(k, (const char *)sqlite3_column_text(st, 2))) {
			store_done(st);
			return CR_ENOMEM;
		}
	}
	store_done(st);
	for (size_t i = 0; i < c->n; i++)
		if (!c->clips[i].tags && !(c->clips[i].tags = strdup("")))
			return CR_ENOMEM;
	return rc == SQLITE_DONE ? CR_OK : store_error(rc, "catalog tags");
}

/* Marks featured clips and clips by featured creators (active now). */
static cr_err load_features(struct catalog *c)
{
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

static struct catalog *build(uint64_t v)
{
	struct catalog *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->version = v;
	c->serial = atomic_fetch_add(&serials, 1);
	c->refs = 1; /* the `current` pointer's reference */
	c->built_ms = now_ms();
	cr_err e = load_clips(c, cr_now());
	if (!e)
		e = load_tags(c);
	if (!e)
		e = load_features(c);
	if (e) {
		log_error("catalog: cannot build: %s", cr_strerror(e));
		destroy(c);
		return NULL;
	}
	return c;
}

static bool current_version(const struct catalog *c)
{
	return c && c->version == version;
}

static bool fresh(const struct catalog *c)
{
	return current_version(c) && now_ms() - c->built_ms < CATALOG_MAX_AGE_MS;
}

/* Makes `current` satisfy ok(), rebuilding it unless another thread is
 * already doing so and an older one exists. Caller holds the lock. */
static void ensure(bool (*ok)(const struct catalog *))
{
	while (!ok(current)) {
		if (building) {
			if (current)
				break; /* another thread is rebuilding: a slightly old one will do
					*/
			pthread_cond_wait(&built, &lock);
			continue;
		}
		building = true;
		uint64_t v = version;
		pthread_mutex_unlock(&lock);
		struct catalog *next = build(v);
		pthread_mutex_lock(&lock);
		building = false;
		pthread_cond_broadcast(&built);
		if (!next)
			break;
		struct catalog *old = current;
		current = next;
		if (old && --old->refs == 0)
			destroy(old);
		break;
	}
}

struct catalog *catalog_acquire(void)
{
	pthread_mutex_lock(&lock);
	/* requests rebuild only after a change of what is published; counters
	 * are refreshed by catalog_refresh() off the request path */
	ensure(current_version);
	struct catalog *c = current;
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

void catalog_invalidate(void)
{
	pthread_mutex_lock(&lock);
	version++;
	pthread_mutex_unlock(&lock);
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

/* store_change_mark when catalog_refresh last built (its thread only). */
static uint64_t refresh_mark;

void catalog_refresh(void)
{
	uint64_t mark = store_change_mark();
	pthread_mutex_lock(&lock);
	bool unchanged = current_version(current) && mark == refresh_mark &&
			 now_ms() - current->built_ms < CATALOG_IDLE_MAX_MS &&
			 cr_now() < current->valid_until;
	if (!unchanged) {
		uint64_t before = current ? current->serial : 0;
		ensure(fresh);
		/* only a build reads what the mark saw: a fresh catalogue from
		 * before it must not make a later change look seen */
		if (current && current->serial != before)
			refresh_mark = mark;
	}
	pthread_mutex_unlock(&lock);
}

cr_err catalog_rebuild(void)
{
	pthread_mutex_lock(&lock);
	uint64_t want = ++version;
	cr_err e = CR_OK;
	while (!current || current->version < want) {
		if (building) { /* it may be building an older version: wait, then look again */
			pthread_cond_wait(&built, &lock);
			continue;
		}
		ensure(current_version);
		if (!current || current->version < want) {
			e = CR_EDB; /* the build failed (and said why in the log) */
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return e;
}

void catalog_shutdown(void)
{
	pthread_mutex_lock(&lock);
	struct catalog *c = current;
	current = NULL;
	pthread_mutex_unlock(&lock);
	catalog_release(&c);
}
