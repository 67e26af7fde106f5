/* Feed items as JSON text. See include/casereel/feed_items.h. */
#include "casereel/feed_items.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/store.h"
#include "casereel/videos.h"

/* The fixed part of one clip's item: `{"id":..,...,"has_quiz":false`
 * without the closing brace, with media URLs signed until `expires`, as
 * rendered from the catalogue build `catalog_serial`. */
struct clip_text {
	int64_t clip_id;
	uint64_t catalog_serial;
	int64_t expires;
	int refs; /* the cache's and each reader's; under texts_lock */
	size_t len;
	char text[];
};

/* The cache of fixed texts, one slot per clip id modulo TEXT_SLOTS: a
 * rendering is reused while its clip, catalogue build and URL expiry
 * stay the same, and replaced by the next one otherwise. The slot count
 * bounds its memory (a slot holds about 1 KiB). */
#define TEXT_SLOTS 16384
static pthread_mutex_t texts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct clip_text *texts[TEXT_SLOTS];

/* What is read live for one item. */
struct live {
	int64_t id;
	int views, likes, comments, tips;
	bool liked, watched;
	double position;
};

static json_t *tag_array(const char *csv)
{
	json_t *arr = json_array();
	while (arr && *csv) {
		size_t len = strcspn(csv, ",");
		json_array_append_new(arr, json_stringn(csv, len));
		csv += len + (csv[len] == ',');
	}
	return arr;
}

static struct clip_text *render_fixed(const struct catalog_clip *c, int64_t expires)
{
	json_t *o = json_pack(
		"{s:I, s:s, s:o, s:f, s:i, s:i, s:o, s:I, s:{s:I, s:s, s:s?, s:b}, s:b, s:b}", "id",
		(json_int_t)c->rank.id, "title", c->title, "tags", tag_array(c->tags), "duration",
		c->duration, "width", c->width, "height", c->height, "urls",
		videos_signed_urls_at(c->rank.id, expires), "published_at",
		(json_int_t)c->published_at, "creator", "id", (json_int_t)c->rank.creator_id,
		"display_name", c->creator_name, "team", c->team_name, "featured",
		c->rank.creator_featured, "featured", c->rank.featured, "has_quiz", c->has_quiz);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	size_t len = text ? strlen(text) : 0;
	struct clip_text *t = len > 2 ? malloc(sizeof *t + len) : NULL;
	if (t) {
		t->clip_id = c->rank.id;
		t->expires = expires;
		t->len = len - 1; /* without the closing brace: live members follow */
		memcpy(t->text, text, len - 1);
	}
	free(text);
	return t;
}

/* Drops a reference to `*tp` and sets it to NULL. */
static void text_unref(struct clip_text **tp)
{
	struct clip_text *t = *tp;
	if (!t)
		return;
	pthread_mutex_lock(&texts_lock);
	bool last = --t->refs == 0;
	pthread_mutex_unlock(&texts_lock);
	if (last)
		free(t);
	*tp = NULL;
}

/* The clip's fixed text with a reference for the caller (text_unref), from
 * the cache or rendered and cached; NULL when it cannot be rendered. */
static struct clip_text *fixed_text(const struct catalog *cat, const struct catalog_clip *c,
				    int64_t expires)
{
	struct clip_text **slot = &texts[(uint64_t)c->rank.id % TEXT_SLOTS];
	pthread_mutex_lock(&texts_lock);
	struct clip_text *t = *slot;
	bool hit = t && t->clip_id == c->rank.id && t->catalog_serial == cat->serial &&
		   t->expires == expires;
	if (hit)
		t->refs++;
	pthread_mutex_unlock(&texts_lock);
	if (hit)
		return t;
	struct clip_text *fresh = render_fixed(c, expires);
	if (!fresh)
		return NULL;
	fresh->catalog_serial = cat->serial;
	fresh->refs = 2; /* the cache's and the caller's */
	pthread_mutex_lock(&texts_lock);
	struct clip_text *old = *slot;
	*slot = fresh;
	pthread_mutex_unlock(&texts_lock);
	text_unref(&old);
	return fresh;
}

void feed_items_shutdown(void)
{
	for (size_t i = 0; i < TEXT_SLOTS; i++) {
		pthread_mutex_lock(&texts_lock);
		struct clip_text *t = texts[i];
		texts[i] = NULL;
		pthread_mutex_unlock(&texts_lock);
		text_unref(&t);
	}
}

/* Reads counts and the viewer's state of the entries' clips, one query.
 * Clips not published are missing from live[]; returns how many were read. */
static cr_err load_live(const struct cr_user *viewer, const struct feed_entry *entries, size_t n,
			struct live *live, size_t *nlive)
{
	struct text_buf ids = {.max = FEED_ITEMS_MAX * 21 + 2};
	tb_append(&ids, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			tb_append(&ids, ",", 1);
		tb_int(&ids, entries[i].id);
	}
	tb_append(&ids, "]", 1);
	if (ids.err) {
		cr_err e = ids.err;
		tb_free(&ids);
		return e;
	}
	sqlite3_stmt *st = store_stmt(
		"SELECT v.id, v.starts, v.likes, v.comments, v.tips,"
		" EXISTS (SELECT 1 FROM likes l WHERE l.video_id = v.id AND l.user_id = ?2),"
		" w.completed_at IS NOT NULL, COALESCE(w.max_position, 0)"
		/* CROSS JOIN: the page's ids drive the lookups, never a scan */
		" FROM json_each(?1) j CROSS JOIN videos v ON v.id = j.value"
		" LEFT JOIN watches w ON w.video_id = v.id AND w.user_id = ?2"
		" WHERE v.status = " VIDEO_SQL_PUBLISHED);
	if (!st) {
		tb_free(&ids);
		return CR_EDB;
	}
	sqlite3_bind_text(st, 1, ids.data, (int)ids.len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, viewer->id);
	int rc;
	*nlive = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *nlive < n)
		live[(*nlive)++] = (struct live){
			.id = sqlite3_column_int64(st, 0),
			.views = sqlite3_column_int(st, 1),
			.likes = sqlite3_column_int(st, 2),
			.comments = sqlite3_column_int(st, 3),
			.tips = sqlite3_column_int(st, 4),
			.liked = sqlite3_column_int(st, 5),
			.watched = sqlite3_column_int(st, 6),
			.position = sqlite3_column_double(st, 7),
		};
	store_done(st);
	tb_free(&ids);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CR_OK : store_error(rc, "feed counts");
}

static const struct live *find_live(const struct live *live, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (live[i].id == id)
			return &live[i];
	return NULL;
}

static void render_item(struct text_buf *out, const struct clip_text *fixed,
			const struct catalog_clip *c, const struct live *l,
			const struct feed_entry *e)
{
	/* piece by piece, not one printf: this runs for every item of every page */
	double progress = c->duration > 0 ? l->position / c->duration : 0.0;
	tb_append(out, fixed->text, fixed->len);
	tb_puts(out, ",\"counts\":{\"views\":");
	tb_int(out, l->views);
	tb_puts(out, ",\"likes\":");
	tb_int(out, l->likes);
	tb_puts(out, ",\"comments\":");
	tb_int(out, l->comments);
	tb_puts(out, ",\"tips\":");
	tb_int(out, l->tips);
	tb_puts(out, l->liked ? "},\"viewer\":{\"liked\":true" : "},\"viewer\":{\"liked\":false");
	tb_puts(out, l->watched ? ",\"watched\":true,\"progress\":"
				: ",\"watched\":false,\"progress\":");
	if (progress == 0.0 && !signbit(progress)) /* not started: "%.6g" writes "0" */
		tb_append(out, "0", 1);
	else
		tb_printf(out, "%.6g", progress);
	tb_puts(out, "},\"reason\":");
	tb_json_string(out, e->reason);
	if (e->reason_code) {
		tb_puts(out, ",\"reason_code\":");
		tb_json_string(out, e->reason_code);
		tb_puts(out, ",\"reason_tags\":[");
		for (size_t i = 0; i < e->n_reason_tags; i++) {
			if (i)
				tb_puts(out, ",");
			tb_json_string(out, e->reason_tags[i]);
		}
		tb_puts(out, "]");
	}
	if (e->path)
		tb_printf(out, ",\"path\":{\"id\":%lld,\"position\":%zu,\"steps\":%zu}",
			  (long long)e->path->path_id, e->path->position, e->path->steps);
	if (e->has_cue)
		tb_printf(out, ",\"cue_start\":%.3f", (double)e->cue_start_ms / 1000.0);
	tb_puts(out, e->must_watch ? ",\"must_watch\":true}" : ",\"must_watch\":false}");
}

cr_err feed_items_render(const struct catalog *cat, const struct cr_user *viewer,
			 const struct feed_entry *entries, size_t n, long url_ttl,
			 struct text_buf *out, int64_t *shown, size_t *nshown)
{
	struct live live[FEED_ITEMS_MAX];
	size_t nlive = 0;
	*nshown = 0;
	if (n > FEED_ITEMS_MAX)
		return CR_EINVAL;
	cr_err e = n ? load_live(viewer, entries, n, live, &nlive) : CR_OK;
	if (e)
		return e;
	int64_t expires = videos_url_expiry(url_ttl);
	tb_append(out, "[", 1);
	for (size_t i = 0; i < n; i++) {
		/* a clip unpublished since it was listed is skipped, not an error */
		const struct catalog_clip *c = catalog_find(cat, entries[i].id);
		const struct live *l = c ? find_live(live, nlive, entries[i].id) : NULL;
		struct clip_text *fixed = l ? fixed_text(cat, c, expires) : NULL;
		if (!fixed)
			continue;
		if (*nshown)
			tb_append(out, ",", 1);
		render_item(out, fixed, c, l, &entries[i]);
		text_unref(&fixed);
		shown[(*nshown)++] = entries[i].id;
	}
	tb_append(out, "]", 1);
	return out->err;
}
