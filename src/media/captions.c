/* A clip's captions: stored, checked, audited, indexed, and served as HLS
 * subtitles. See include/casereel/captions.h. */
#include "casereel/captions.h"

#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/media.h"
#include "casereel/search.h"
#include "casereel/store.h"
#include "casereel/video_audit.h"
#include "casereel/videos.h"

#define MASTER_MAX (64 * 1024)

static const struct {
	const char *lang, *name;
} langs[] = {{"zh", "中文"}, {"en", "English"}};

bool captions_lang_valid(const char *lang)
{
	return lang && (!strcmp(lang, "zh") || !strcmp(lang, "en"));
}

/* What deciding a caption change needs to know of the clip. */
struct clip {
	enum video_status status;
	int64_t owner_id;
	int64_t duration_ms; /* 0 while unknown */
};

static cr_err load_clip(int64_t id, struct clip *c)
{
	sqlite3_stmt *st = store_stmt("SELECT status, owner_id, duration FROM videos"
				      " WHERE id = ?1 AND status <> " VIDEO_SQL_REMOVED);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_step_one(st, "clip");
	if (!e && video_status_parse((const char *)sqlite3_column_text(st, 0), &c->status))
		e = CR_ENOTFOUND;
	if (!e) {
		c->owner_id = sqlite3_column_int64(st, 1);
		c->duration_ms = llround(sqlite3_column_double(st, 2) * 1000);
	}
	store_done(st);
	return e;
}

/* Whether `by` may change the captions of clip `c`. */
static cr_err may_change(const struct clip *c, const struct cr_user *by, struct cr_problem *why)
{
	if (by->role >= CR_ROLE_TRAINER)
		return CR_OK;
	if (c->owner_id == by->id)
		return c->status == VIDEO_PENDING_REVIEW || c->status == VIDEO_REJECTED
			       ? CR_OK
			       : cr_refuse(why, CR_EFORBIDDEN, "captions-locked", NULL,
					   "a creator captions a clip while it is pending review "
					   "or rejected; ask a trainer to change a %s clip's",
					   video_status_name(c->status));
	if (c->status == VIDEO_PUBLISHED)
		return cr_refuse(why, CR_EFORBIDDEN, "forbidden", NULL,
				 "only the clip's creator and trainers change its captions");
	return CR_ENOTFOUND;
}

/* A creator who fixes a rejected clip's captions sends it back to review,
 * as a media edit does. In the open transaction. */
static cr_err resubmit(int64_t id, const struct clip *c, const struct cr_user *by, int64_t now)
{
	return c->status == VIDEO_REJECTED && c->owner_id == by->id ? videos_send_to_review(id, now)
								    : CR_OK;
}

/* The cue count of the stored captions, 0 when there are none. */
static cr_err stored_cues(int64_t id, const char *lang, int64_t *cues)
{
	sqlite3_stmt *st =
		store_stmt("SELECT cues FROM video_captions WHERE video_id = ?1 AND lang = ?2");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	*cues = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "captions");
}

/* Stores `c` as the clip's `lang` captions and counts the clip's caption
 * revision up. */
static cr_err store_captions(int64_t id, const char *lang, const struct captions *c, int64_t by,
			     int64_t now)
{
	size_t len;
	char *vtt = captions_to_vtt(c, &len);
	if (!vtt)
		return CR_ENOMEM;
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO video_captions(video_id, lang, vtt, cues, updated_at, updated_by)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (video_id, lang) DO UPDATE SET"
		" vtt = excluded.vtt, cues = excluded.cues, updated_at = excluded.updated_at,"
		" updated_by = coalesce(nullif(excluded.updated_by, 0), updated_by)");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, vtt, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (int64_t)c->n);
		sqlite3_bind_int64(st, 5, now);
		sqlite3_bind_int64(st, 6, by);
	}
	cr_err e = store_run(st, "store captions");
	free(vtt);
	return e;
}

static cr_err bump_revision(int64_t id)
{
	sqlite3_stmt *st = store_stmt("INSERT INTO video_caption_revs(video_id, rev) VALUES (?1, 1)"
				      " ON CONFLICT (video_id) DO UPDATE SET rev = rev + 1");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	return store_run(st, "caption revision");
}

static cr_err drop_captions(int64_t id, const char *lang)
{
	sqlite3_stmt *st =
		store_stmt("DELETE FROM video_captions WHERE video_id = ?1 AND lang = ?2");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
	}
	return store_run(st, "remove captions");
}

/* After a change: its audit entry, the caption revision, the index. */
static cr_err record_change(int64_t id, int64_t actor, const char *action, json_t *detail,
			    int64_t now)
{
	cr_err e = detail ? video_audit_add(id, now, actor, action, detail) : CR_ENOMEM;
	json_decref(detail);
	if (!e)
		e = bump_revision(id);
	return e ? e : search_index_video(id);
}

/* The start of a caption change, in a transaction it opens: the clip, the
 * caller's right to change it, and the cues stored now in *before (0: none).
 * The caller ends the transaction (store_end) whatever this returns. */
static cr_err begin_change(int64_t id, const char *lang, const struct cr_user *by,
			   struct clip *clip, int64_t *before, struct cr_problem *why)
{
	cr_err e = store_begin();
	if (!e)
		e = load_clip(id, clip);
	if (!e)
		e = may_change(clip, by, why);
	return e ? e : stored_cues(id, lang, before);
}

/* The end of a caption change, in its transaction: a creator's fix of a
 * rejected clip resubmits it; the trail records `action` with `detail`. */
static cr_err end_change(int64_t id, const struct clip *clip, const struct cr_user *by,
			 const char *action, json_t *detail, int64_t now)
{
	cr_err e = resubmit(id, clip, by, now);
	if (e) {
		json_decref(detail);
		return e;
	}
	return record_change(id, by->id, action, detail, now);
}

cr_err captions_put(int64_t video_id, const char *lang, const struct cr_user *by, const char *body,
		    size_t len, const json_t *cues, json_t **out, struct cr_problem *why)
{
	struct clip clip;
	struct captions c = {0};
	int64_t before = 0, now = cr_now();
	cr_err e = begin_change(video_id, lang, by, &clip, &before, why);
	if (!e)
		e = cues ? captions_from_json(cues, clip.duration_ms, &c, why)
			 : captions_parse(body, len, clip.duration_ms, &c, why);
	if (!e)
		e = store_captions(video_id, lang, &c, by->id, now);
	if (!e)
		e = end_change(video_id, &clip, by, "captions.put",
			       json_pack("{s:s, s:I, s:o, s:s}", "lang", lang, "cues",
					 (json_int_t)c.n, "replaced",
					 before ? json_integer(before) : json_null(), "source",
					 cues ? "editor" : "file"),
			       now);
	captions_free(&c);
	e = store_end(e);
	if (e)
		return e;
	catalog_invalidate_clip(video_id); /* feed items list the captions */
	return captions_get_json(video_id, lang, by, out);
}

cr_err captions_delete(int64_t video_id, const char *lang, const struct cr_user *by,
		       struct cr_problem *why)
{
	struct clip clip;
	int64_t before = 0, now = cr_now();
	cr_err e = begin_change(video_id, lang, by, &clip, &before, why);
	if (!e && !before)
		e = cr_refuse(why, CR_ENOTFOUND, "not-found", NULL, "the clip has no %s captions",
			      lang);
	if (!e)
		e = drop_captions(video_id, lang);
	if (!e)
		e = end_change(video_id, &clip, by, "captions.delete",
			       json_pack("{s:s, s:I}", "lang", lang, "cues", (json_int_t)before),
			       now);
	e = store_end(e);
	if (!e)
		catalog_invalidate_clip(video_id);
	return e;
}

cr_err captions_get_json(int64_t video_id, const char *lang, const struct cr_user *viewer,
			 json_t **out)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT c.vtt, c.updated_at, c.updated_by, u.display_name FROM video_captions c"
		" JOIN videos v ON v.id = c.video_id JOIN users u ON u.id = c.updated_by"
		" WHERE c.video_id = ?1 AND c.lang = ?2 AND v.status <> " VIDEO_SQL_REMOVED
		" AND (v.status = " VIDEO_SQL_PUBLISHED " OR v.owner_id = ?3 OR ?4)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, video_id);
	sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, viewer->id);
	sqlite3_bind_int(st, 4, viewer->role >= CR_ROLE_TRAINER);
	cr_err e = store_step_one(st, "captions");
	struct captions c = {0};
	if (!e)
		e = captions_parse((const char *)sqlite3_column_text(st, 0),
				   (size_t)sqlite3_column_bytes(st, 0), 0, &c, NULL);
	if (!e)
		*out = json_pack("{s:s, s:o, s:I, s:{s:I, s:s}}", "lang", lang, "cues",
				 captions_to_json(&c), "updated_at",
				 (json_int_t)sqlite3_column_int64(st, 1), "updated_by", "id",
				 (json_int_t)sqlite3_column_int64(st, 2), "display_name",
				 (const char *)sqlite3_column_text(st, 3));
	store_done(st);
	captions_free(&c);
	return e ? e : *out ? CR_OK : CR_ENOMEM;
}

/* The clip's caption revision and languages (mask: bit i for langs[i]). */
static cr_err caption_state(int64_t id, int64_t *rev, unsigned *mask)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT r.rev, (SELECT group_concat(lang) FROM video_captions WHERE video_id = ?1)"
		" FROM video_caption_revs r WHERE r.video_id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	*rev = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	*mask = 0;
	const char *list = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 1) : NULL;
	for (size_t i = 0; list && i < sizeof langs / sizeof langs[0]; i++)
		*mask |= strstr(list, langs[i].lang) ? 1u << i : 0;
	store_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "caption state");
}

void captions_add_urls(json_t *urls, int64_t video_id, const char *prefix)
{
	int64_t rev;
	unsigned mask;
	json_t *list = json_array();
	if (!list || caption_state(video_id, &rev, &mask)) {
		json_decref(list);
		return;
	}
	char url[600];
	for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
		if (!(mask & 1u << i))
			continue;
		snprintf(url, sizeof url, "%sc%lld%s.vtt", prefix, (long long)rev, langs[i].lang);
		json_array_append_new(list,
				      json_pack("{s:s, s:s}", "lang", langs[i].lang, "url", url));
	}
	if (mask) {
		snprintf(url, sizeof url, "%sc%lld.m3u8", prefix, (long long)rev);
		json_object_set_new(urls, "hls", json_string(url));
	}
	json_object_set_new(urls, "captions", list);
}

/* A caption file name: "c" <rev> [<lang>] "." ("m3u8" | "vtt"); *lang is
 * the index in langs[] or -1 for the master. */
static bool parse_name(const char *name, int64_t *rev, int *lang, bool *vtt)
{
	if (name[0] != 'c' || name[1] < '1' || name[1] > '9')
		return false;
	char *end;
	long long r = strtoll(name + 1, &end, 10);
	*rev = r;
	*lang = -1;
	for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
		if (!strncmp(end, langs[i].lang, 2)) {
			*lang = (int)i;
			end += 2;
		}
	*vtt = !strcmp(end, ".vtt");
	return r > 0 && r < INT64_MAX && (*vtt ? *lang >= 0 : !strcmp(end, ".m3u8"));
}

/* Version `version`'s master.m3u8 (NUL-terminated), or NULL. */
static char *read_master(const struct cr_config *cfg, int64_t id, int64_t version)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	if (media_video_dir(cfg, id, version, dir, sizeof dir))
		return NULL;
	snprintf(path, sizeof path, "%s/master.m3u8", dir);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char *buf = fd >= 0 ? malloc(MASTER_MAX + 1) : NULL;
	ssize_t n = buf ? read(fd, buf, MASTER_MAX) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0 || n == MASTER_MAX) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* The master with a SUBTITLES group of the languages in `mask`: the
 * EXT-X-MEDIA lines before the first variant, which names the group. */
static char *master_with_subtitles(const char *master, int64_t rev, unsigned mask, size_t *len)
{
	size_t size = strlen(master) + 1024;
	char *out = malloc(size);
	if (!out)
		return NULL;
	size_t k = 0;
	bool media_written = false;
	for (const char *line = master; *line;) {
		size_t n = strcspn(line, "\n");
		bool variant = !strncmp(line, "#EXT-X-STREAM-INF:", 18);
		for (size_t i = 0; variant && !media_written && i < sizeof langs / sizeof langs[0];
		     i++)
			if (mask & 1u << i)
				k += (size_t)snprintf(
					out + k, size - k,
					"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"%s\","
					"LANGUAGE=\"%s\",DEFAULT=%s,AUTOSELECT=YES,"
					"URI=\"c%lld%s.m3u8\"\n",
					langs[i].name, langs[i].lang,
					(mask & ((1u << i) - 1)) ? "NO" : "YES", (long long)rev,
					langs[i].lang);
		media_written |= variant;
		if (k + n + 24 >= size)
			break;
		memcpy(out + k, line, n);
		k += n;
		if (variant)
			k += (size_t)snprintf(out + k, size - k, ",SUBTITLES=\"subs\"");
		out[k++] = '\n';
		line += n + (line[n] == '\n');
	}
	out[k] = '\0';
	*len = k;
	return out;
}

/* One segment: the whole WebVTT file, as long as the clip. */
static char *subtitle_playlist(int64_t rev, const char *lang, double duration, size_t *len)
{
	char *out = NULL;
	int n = asprintf(&out,
			 "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%d\n"
			 "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:%.3f,\n"
			 "c%lld%s.vtt\n#EXT-X-ENDLIST\n",
			 (int)ceil(duration), duration, (long long)rev, lang);
	*len = n > 0 ? (size_t)n : 0;
	return n > 0 ? out : NULL;
}

/* The stored WebVTT of `lang` and the clip's duration. */
static cr_err load_vtt(int64_t id, const char *lang, char **vtt, size_t *len, double *duration)
{
	sqlite3_stmt *st = store_stmt("SELECT c.vtt, v.duration FROM video_captions c JOIN"
				      " videos v ON v.id = c.video_id"
				      " WHERE c.video_id = ?1 AND c.lang = ?2");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
	}
	cr_err e = store_step_one(st, "captions");
	if (!e) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		*vtt = strndup((const char *)sqlite3_column_text(st, 0), *len);
		*duration = sqlite3_column_double(st, 1);
		e = *vtt ? CR_OK : CR_ENOMEM;
	}
	store_done(st);
	return e;
}

bool captions_media_file(const struct cr_config *cfg, int64_t video_id, int64_t version,
			 const char *name, char **body, size_t *len, const char **type, cr_err *e)
{
	int64_t rev, current;
	int lang;
	bool vtt;
	unsigned mask;
	*body = NULL;
	*e = CR_OK;
	if (!parse_name(name, &rev, &lang, &vtt))
		return false;
	*e = caption_state(video_id, &current, &mask);
	if (*e || rev != current || (lang >= 0 && !(mask & 1u << lang)) || !mask)
		return true;
	*type = vtt ? "text/vtt; charset=utf-8" : "application/vnd.apple.mpegurl";
	if (lang < 0) {
		char *master = read_master(cfg, video_id, version);
		*body = master ? master_with_subtitles(master, rev, mask, len) : NULL;
		free(master);
		return true;
	}
	char *text = NULL;
	size_t text_len = 0;
	double duration = 0;
	*e = load_vtt(video_id, langs[lang].lang, &text, &text_len, &duration);
	if (*e == CR_ENOTFOUND)
		*e = CR_OK;
	if (!text)
		return true;
	if (vtt) {
		*body = text;
		*len = text_len;
		return true;
	}
	*body = subtitle_playlist(rev, langs[lang].lang, duration, len);
	free(text);
	return true;
}

cr_err captions_trim_clip(int64_t video_id, int64_t actor_id, int64_t cut_start_ms,
			  int64_t cut_end_ms)
{
	int64_t now = cr_now();
	cr_err e = CR_OK;
	bool changed = false;
	for (size_t i = 0; !e && i < sizeof langs / sizeof langs[0]; i++) {
		char *vtt = NULL;
		size_t len;
		double duration;
		struct captions c = {0};
		e = load_vtt(video_id, langs[i].lang, &vtt, &len, &duration);
		if (e == CR_ENOTFOUND) {
			e = CR_OK;
			continue;
		}
		if (!e)
			e = captions_parse(vtt, len, 0, &c, NULL);
		free(vtt);
		size_t before = c.n;
		if (!e)
			captions_trim(&c, cut_start_ms, cut_end_ms);
		if (!e)
			e = c.n ? store_captions(video_id, langs[i].lang, &c, actor_id, now)
				: drop_captions(video_id, langs[i].lang);
		json_t *detail = e ? NULL
				   : json_pack("{s:s, s:I, s:I, s:I, s:I}", "lang", langs[i].lang,
					       "cut_start_ms", (json_int_t)cut_start_ms,
					       "cut_end_ms", (json_int_t)cut_end_ms, "cues_before",
					       (json_int_t)before, "cues", (json_int_t)c.n);
		if (!e)
			e = detail ? video_audit_add(video_id, now, actor_id, "captions.trim",
						     detail)
				   : CR_ENOMEM;
		json_decref(detail);
		captions_free(&c);
		changed |= !e;
	}
	if (!e && changed)
		e = bump_revision(video_id);
	return !e && changed ? search_index_video(video_id) : e;
}
