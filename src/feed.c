/* The personal feed. See include/casereel/feed.h. */
#include "casereel/feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/media.h"
#include "casereel/rank.h"
#include "casereel/store.h"
#include "casereel/videos.h"

#define NEW_HIRE_DAYS 90

/* Features of every published clip, in one pass per table. */
struct catalog {
	struct rank_clip *clips;
	size_t n, cap;
};

static int64_t find_clip(const struct catalog *c, int64_t id)
{
	size_t lo = 0, hi = c->n; /* clips are loaded in id order */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c->clips[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->clips[lo].id == id ? (int64_t)lo : -1;
}

static cr_err load_clips(struct catalog *c, int64_t now)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT v.id, v.owner_id, COALESCE(u.team_id, 0), v.published_at, v.starts,"
		" v.completions, v.likes, v.impressions FROM videos v JOIN users u ON u.id = v.owner_id"
		" WHERE v.status = 'published' ORDER BY v.id");
	if (!st)
		return CR_EDB;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 256;
			struct rank_clip *nc = realloc(c->clips, cap * sizeof *nc);
			if (!nc) {
				store_done(st);
				return CR_ENOMEM;
			}
			c->clips = nc;
			c->cap = cap;
		}
		struct rank_clip *k = &c->clips[c->n++];
		memset(k, 0, sizeof *k);
		k->id = sqlite3_column_int64(st, 0);
		k->creator_id = sqlite3_column_int64(st, 1);
		k->creator_team = sqlite3_column_int64(st, 2);
		k->age_hours = (double)(now - sqlite3_column_int64(st, 3)) / 3600.0;
		k->starts = (uint32_t)sqlite3_column_int(st, 4);
		k->completions = (uint32_t)sqlite3_column_int(st, 5);
		k->likes = (uint32_t)sqlite3_column_int(st, 6);
		k->impressions = (uint32_t)sqlite3_column_int(st, 7);
	}
	store_done(st);
	return rc == SQLITE_DONE ? CR_OK : store_error(rc, "load catalog");
}

static cr_err load_tags(struct catalog *c)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT vt.video_id, vt.tag_id, t.onboarding FROM video_tags vt"
		" JOIN videos v ON v.id = vt.video_id JOIN tags t ON t.id = vt.tag_id"
		" WHERE v.status = 'published'");
	if (!st)
		return CR_EDB;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t i = find_clip(c, sqlite3_column_int64(st, 0));
		if (i < 0)
			continue;
		uint64_t bit = 1ULL << (sqlite3_column_int64(st, 1) % 64);
		c->clips[i].tags |= bit;
		if (sqlite3_column_int(st, 2))
			c->clips[i].onboarding |= bit;
	}
	store_done(st);
	return rc == SQLITE_DONE ? CR_OK : store_error(rc, "load clip tags");
}

static cr_err load_watched(struct catalog *c, int64_t viewer_id)
{
	sqlite3_stmt *st = store_stmt("SELECT video_id FROM watches WHERE user_id = ?1"
				      " AND completed_at IS NOT NULL");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, viewer_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t i = find_clip(c, sqlite3_column_int64(st, 0));
		if (i >= 0)
			c->clips[i].watched = true;
	}
	store_done(st);
	return rc == SQLITE_DONE ? CR_OK : store_error(rc, "load watched");
}

static cr_err load_viewer(const struct cr_user *u, struct rank_viewer *v, int64_t now)
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
	st = store_stmt("SELECT unixepoch(hire_date) FROM users WHERE id = ?1 AND hire_date IS NOT NULL");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, u->id);
	if (sqlite3_step(st) == SQLITE_ROW)
		v->new_hire = now - sqlite3_column_int64(st, 0) < NEW_HIRE_DAYS * 86400;
	store_done(st);
	return CR_OK;
}

/* "you're working on: refunds" — names the tags behind a weak-skill reason. */
static void reason_words(const struct rank_item *it, char *out, size_t size)
{
	const char *base = rank_reason_text(it->reason);
	if (!it->reason_tags) {
		snprintf(out, size, "%s", base);
		return;
	}
	sqlite3_stmt *st = store_stmt("SELECT name FROM tags WHERE ((1 << (id % 64)) & ?1) != 0"
				      " ORDER BY name LIMIT 2");
	int n = snprintf(out, size, "%s: ", base);
	bool first = true;
	if (st) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)it->reason_tags);
		while (sqlite3_step(st) == SQLITE_ROW && n > 0 && (size_t)n < size) {
			n += snprintf(out + n, size - (size_t)n, "%s%s", first ? "" : ", ",
				      sqlite3_column_text(st, 0));
			first = false;
		}
		store_done(st);
	}
}

/* Ranks the catalogue for the viewer into a JSON [[id, reason], ...]. */
static cr_err rank_snapshot(const struct cr_user *viewer, json_t **order)
{
	int64_t now = time(NULL);
	struct catalog c = {0};
	struct rank_viewer v;
	struct rank_item *items = NULL;
	cr_err e = load_clips(&c, now);
	if (!e)
		e = load_tags(&c);
	if (!e)
		e = load_watched(&c, viewer->id);
	if (!e)
		e = load_viewer(viewer, &v, now);
	size_t max = c.n < FEED_SNAPSHOT_MAX ? c.n : FEED_SNAPSHOT_MAX;
	if (!e && !(items = calloc(max ? max : 1, sizeof *items)))
		e = CR_ENOMEM;
	if (!e) {
		struct rank_params p = rank_params_default();
		size_t got = rank_feed(&p, &v, c.clips, c.n, items, max);
		*order = json_array();
		for (size_t i = 0; *order && i < got; i++) {
			char why[96];
			reason_words(&items[i], why, sizeof why);
			json_array_append_new(*order, json_pack("[I, s]", (json_int_t)items[i].clip_id, why));
		}
		if (!*order)
			e = CR_ENOMEM;
	}
	free(items);
	free(c.clips);
	return e;
}

static cr_err save_snapshot(int64_t viewer_id, json_t *order, char id[33])
{
	media_random_id(id);
	char *text = json_dumps(order, JSON_COMPACT);
	sqlite3_stmt *st = store_stmt("INSERT INTO feed_snapshots(id, user_id, created_at, items)"
				      " VALUES (?1, ?2, ?3, ?4)");
	if (!st || !text) {
		free(text);
		return st ? CR_ENOMEM : CR_EDB;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, viewer_id);
	sqlite3_bind_int64(st, 3, time(NULL));
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	store_done(st);
	free(text);
	return store_error(rc, "save feed snapshot");
}

/* Cursor "<32 hex snapshot id>.<offset>": parsed strictly (untrusted). */
static cr_err parse_cursor(const char *cursor, char id[33], long *offset)
{
	if (strlen(cursor) < 34 || strlen(cursor) > 40 || cursor[32] != '.')
		return CR_EINVAL;
	for (int i = 0; i < 32; i++)
		if (!strchr("0123456789abcdef", cursor[i]) || !cursor[i])
			return CR_EINVAL;
	long v = 0;
	for (const char *p = cursor + 33; *p; p++) {
		if (*p < '0' || *p > '9' || v > FEED_SNAPSHOT_MAX)
			return CR_EINVAL;
		v = v * 10 + (*p - '0');
	}
	memcpy(id, cursor, 32);
	id[32] = '\0';
	*offset = v;
	return v <= FEED_SNAPSHOT_MAX ? CR_OK : CR_EINVAL;
}

static cr_err load_snapshot(int64_t viewer_id, const char *id, json_t **order)
{
	sqlite3_stmt *st = store_stmt("SELECT items FROM feed_snapshots WHERE id = ?1 AND user_id = ?2"
				      " AND created_at > ?3");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, viewer_id);
	sqlite3_bind_int64(st, 3, time(NULL) - FEED_SNAPSHOT_TTL);
	int rc = sqlite3_step(st);
	*order = rc == SQLITE_ROW ? json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL) : NULL;
	store_done(st);
	if (rc == SQLITE_DONE)
		return CR_EINVAL;
	if (rc != SQLITE_ROW)
		return store_error(rc, "load feed snapshot");
	return *order ? CR_OK : CR_ENOMEM;
}

cr_err feed_page(const struct cr_user *viewer, const char *cursor, long limit, long url_ttl,
		 json_t **items, char next_cursor[FEED_CURSOR_CHARS])
{
	char id[33];
	long offset = 0;
	json_t *order = NULL;
	cr_err e = cursor ? parse_cursor(cursor, id, &offset) : CR_OK;
	if (!e)
		e = cursor ? load_snapshot(viewer->id, id, &order) : rank_snapshot(viewer, &order);
	if (!e && !cursor)
		e = save_snapshot(viewer->id, order, id);
	if (e) {
		json_decref(order);
		return e;
	}
	*items = json_array();
	size_t total = json_array_size(order), i = (size_t)offset;
	for (; *items && i < total && json_array_size(*items) < (size_t)limit; i++) {
		json_t *entry = json_array_get(order, i);
		/* a clip removed since the snapshot is skipped, not an error */
		json_t *item = feed_item_json(json_integer_value(json_array_get(entry, 0)), viewer,
					      json_string_value(json_array_get(entry, 1)), url_ttl);
		if (item)
			json_array_append_new(*items, item);
	}
	json_decref(order);
	next_cursor[0] = '\0';
	if (i < total)
		snprintf(next_cursor, FEED_CURSOR_CHARS, "%s.%zu", id, i);
	return *items ? CR_OK : CR_ENOMEM;
}

json_t *feed_item_json(int64_t video_id, const struct cr_user *viewer, const char *reason,
		       long url_ttl)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT v.id, v.title, v.duration, v.width, v.height, v.starts, v.likes, v.comments,"
		" v.owner_id, u.display_name, t.name, v.published_at,"
		" EXISTS (SELECT 1 FROM likes l WHERE l.video_id = v.id AND l.user_id = ?2),"
		" w.completed_at IS NOT NULL, COALESCE(w.max_position, 0),"
		" (SELECT json_group_array(tg.name) FROM video_tags vt JOIN tags tg ON tg.id = vt.tag_id"
		"   WHERE vt.video_id = v.id)"
		" FROM videos v JOIN users u ON u.id = v.owner_id LEFT JOIN teams t ON t.id = u.team_id"
		" LEFT JOIN watches w ON w.video_id = v.id AND w.user_id = ?2"
		" WHERE v.id = ?1 AND v.status = 'published'");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_int64(st, 2, viewer->id);
	json_t *item = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		double duration = sqlite3_column_double(st, 2);
		double pos = sqlite3_column_double(st, 14);
		const unsigned char *team = sqlite3_column_text(st, 10);
		item = json_pack(
			"{s:I, s:s, s:o, s:f, s:i, s:i, s:o, s:I,"
			" s:{s:I, s:s, s:o, s:b},"
			" s:{s:i, s:i, s:i, s:i},"
			" s:{s:b, s:b, s:f}, s:o}",
			"id", (json_int_t)video_id, "title", (const char *)sqlite3_column_text(st, 1),
			"tags", json_loads((const char *)sqlite3_column_text(st, 15), 0, NULL),
			"duration", duration, "width", sqlite3_column_int(st, 3), "height",
			sqlite3_column_int(st, 4), "urls", videos_signed_urls(video_id, url_ttl),
			"published_at", (json_int_t)sqlite3_column_int64(st, 11),
			"creator", "id", (json_int_t)sqlite3_column_int64(st, 8), "display_name",
			(const char *)sqlite3_column_text(st, 9), "team",
			team ? json_string((const char *)team) : json_null(), "featured", 0,
			"counts", "views", sqlite3_column_int(st, 5), "likes", sqlite3_column_int(st, 6),
			"comments", sqlite3_column_int(st, 7), "tips", 0,
			"viewer", "liked", sqlite3_column_int(st, 12), "watched",
			sqlite3_column_int(st, 13), "progress", duration > 0 ? pos / duration : 0.0,
			"reason", reason ? json_string(reason) : json_null());
	}
	store_done(st);
	return item;
}

cr_err feed_record_impressions(int64_t viewer_id, json_t *items)
{
	if (json_array_size(items) == 0)
		return CR_OK;
	cr_err e = store_begin();
	size_t i;
	json_t *item;
	int64_t now = time(NULL);
	json_array_foreach(items, i, item) {
		if (e)
			break;
		int64_t id = json_integer_value(json_object_get(item, "id"));
		sqlite3_stmt *st = store_stmt(
			"INSERT INTO impressions(user_id, video_id, count, last_at) VALUES (?1, ?2, 1, ?3)"
			" ON CONFLICT (user_id, video_id) DO UPDATE SET count = count + 1, last_at = ?3");
		if (!st)
			return store_rollback(), CR_EDB;
		sqlite3_bind_int64(st, 1, viewer_id);
		sqlite3_bind_int64(st, 2, id);
		sqlite3_bind_int64(st, 3, now);
		int rc = sqlite3_step(st);
		store_done(st);
		e = store_error(rc, "impression");
		st = store_stmt("UPDATE videos SET impressions = impressions + 1 WHERE id = ?1");
		if (!e && st) {
			sqlite3_bind_int64(st, 1, id);
			rc = sqlite3_step(st);
			store_done(st);
			e = store_error(rc, "impression count");
		}
	}
	return e ? (store_rollback(), e) : store_commit();
}

cr_err feed_expire_snapshots(void)
{
	sqlite3_stmt *st = store_stmt("DELETE FROM feed_snapshots WHERE created_at < ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, time(NULL) - FEED_SNAPSHOT_TTL);
	int rc = sqlite3_step(st);
	store_done(st);
	return store_error(rc, "expire snapshots");
}
