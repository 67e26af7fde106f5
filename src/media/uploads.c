/* tus upload state. See include/casereel/uploads.h. */
#include "casereel/uploads.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "casereel/clock.h"
#include "casereel/disk.h"
#include "casereel/jobs.h"
#include "casereel/log.h"
#include "casereel/media.h"
#include "casereel/store.h"
#include "casereel/upload_meta.h"
#include "casereel/videos.h"

void uploads_clear(struct upload *u)
{
	json_decref(u->metadata);
	free(u->raw_metadata);
	memset(u, 0, sizeof *u);
}

/* Local midnight today (configured zone), when the daily quotas restart. */
static int64_t today_start(void)
{
	time_t now = cr_now();
	struct tm tm;
	localtime_r(&now, &tm); /* TZ is the configured zone (set at start) */
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* What `owner_id` holds now: today's clips and open uploads (count), their
 * bytes (today's clips' sources, every open upload's declared length), and
 * open uploads that have not expired. */
struct holdings {
	int64_t today, bytes, open;
};

static cr_err holdings_of(int64_t owner_id, struct holdings *h)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT (SELECT count(*) FROM videos WHERE owner_id = ?1 AND created_at >= ?2)"
		" + (SELECT count(*) FROM uploads WHERE owner_id = ?1 AND created_at >= ?2"
		"    AND video_id IS NULL),"
		" (SELECT coalesce(sum(source_bytes), 0) FROM videos"
		"    WHERE owner_id = ?1 AND created_at >= ?2)"
		" + (SELECT coalesce(sum(length), 0) FROM uploads WHERE owner_id = ?1"
		"    AND video_id IS NULL AND expires_at >= ?3),"
		" (SELECT count(*) FROM uploads WHERE owner_id = ?1 AND video_id IS NULL"
		"    AND expires_at >= ?3)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, owner_id);
	sqlite3_bind_int64(st, 2, today_start());
	sqlite3_bind_int64(st, 3, cr_now());
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*h = (struct holdings){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
				       sqlite3_column_int64(st, 2)};
	store_done(st);
	return rc == SQLITE_ROW ? CR_OK : store_error(rc, "count uploads");
}

/* CR_ENOSPACE when `length` more bytes would leave the media file system
 * with less than cfg->min_free_disk free. */
static cr_err disk_has_room(const struct cr_config *cfg, int64_t length, struct cr_problem *why)
{
	uint64_t free_bytes = 0;
	if (disk_free_bytes(cfg->media_dir, &free_bytes))
		return CR_EIO;
	long double avail = (long double)free_bytes;
	if (avail - length >= (long double)cfg->min_free_disk)
		return CR_OK;
	log_warn("media disk: %.0Lf bytes free, keeping %lld: upload of %lld bytes refused", avail,
		 cfg->min_free_disk, (long long)length);
	return cr_refuse(why, CR_ENOSPACE, "insufficient-storage", NULL,
			 "the server's disk is too full to take this clip now; "
			 "try again later or tell an admin");
}

/* Whether `u` fits the owner's limits (cfg) and the disk; a refusal is
 * CR_ETHROTTLED (with *retry_at) or CR_ENOSPACE, explained in `why`. */
static cr_err within_limits(const struct cr_config *cfg, const struct upload *u, int64_t *retry_at,
			    struct cr_problem *why)
{
	struct holdings h = {0};
	cr_err e = holdings_of(u->owner_id, &h);
	if (e)
		return e;
	*retry_at = today_start() + 86400; /* near enough across a DST change */
	if (cfg->upload_daily_quota > 0 && h.today >= cfg->upload_daily_quota)
		return cr_refuse(why, CR_ETHROTTLED, "upload-quota", NULL,
				 "you reached today's limit of %d uploads; try again tomorrow",
				 cfg->upload_daily_quota);
	if (cfg->upload_bytes > 0 && u->length > cfg->upload_bytes)
		return cr_refuse(why, CR_ETOOBIG, "too-large", NULL,
				 "a clip may be at most %lld bytes here", cfg->upload_bytes);
	if (cfg->upload_bytes > 0 && h.bytes + u->length > cfg->upload_bytes)
		return cr_refuse(
			why, CR_ETHROTTLED, "upload-byte-quota", NULL,
			"this clip (%lld bytes) does not fit in what is left of your "
			"%lld bytes for today (%lld); finish or cancel an open upload, "
			"or try again tomorrow",
			(long long)u->length, cfg->upload_bytes,
			(long long)(h.bytes < cfg->upload_bytes ? cfg->upload_bytes - h.bytes : 0));
	int flying = 0;
	if (cfg->upload_queue_max > 0 && !(e = jobs_in_flight(u->owner_id, &flying)) &&
	    h.open + flying >= cfg->upload_queue_max) {
		*retry_at = cr_now() + 60; /* a clip takes about that to transcode */
		return cr_refuse(why, CR_ETHROTTLED, "upload-queue-full", NULL,
				 "%d of your clips are still uploading or being processed; "
				 "upload this one when one of them is ready",
				 cfg->upload_queue_max);
	}
	return e ? e : disk_has_room(cfg, u->length, why);
}

static cr_err insert_row(const struct upload *u)
{
	char *meta = json_dumps(u->metadata, JSON_COMPACT);
	sqlite3_stmt *st = store_stmt("INSERT INTO uploads(id, owner_id, length, offset, metadata, "
				      "raw_metadata, created_at,"
				      " expires_at) VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?7)");
	if (st) {
		sqlite3_bind_text(st, 1, u->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, u->owner_id);
		sqlite3_bind_int64(st, 3, u->length);
		sqlite3_bind_text(st, 4, meta ? meta : "{}", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, u->raw_metadata, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, u->created_at);
		sqlite3_bind_int64(st, 7, u->expires_at);
	}
	cr_err e = store_run(st, "insert upload");
	free(meta);
	return e;
}

/* Checks and inserts under one write lock, so that parallel creations
 * queue here and the last one sees the others' rows. */
static cr_err insert_within_limits(const struct cr_config *cfg, const struct upload *u,
				   int64_t *retry_at, struct cr_problem *why)
{
	cr_err e = store_begin();
	if (e)
		return e;
	e = within_limits(cfg, u, retry_at, why);
	if (!e)
		e = insert_row(u);
	return store_end(e);
}

cr_err uploads_create(const struct cr_config *cfg, struct upload *u, int64_t *retry_at,
		      struct cr_problem *why)
{
	/* A first look without the write lock, so that a refusal costs no file
	 * and no fsync; insert_within_limits() has the last word. */
	cr_err e = within_limits(cfg, u, retry_at, why);
	if (e)
		return e;
	char path[PATH_MAX];
	media_random_id(u->id);
	if ((e = media_upload_path(cfg, u->id, path, sizeof path)))
		return e;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		log_error("create %s: %s", path, strerror(errno));
		return CR_EIO;
	}
	bool ok = fsync(fd) == 0;
	close(fd);
	if (!ok || media_fsync_parent(path)) {
		unlink(path);
		return CR_EIO;
	}
	e = insert_within_limits(cfg, u, retry_at, why);
	if (e)
		unlink(path);
	return e;
}

cr_err uploads_get(const char *id, int64_t owner_id, struct upload *u)
{
	memset(u, 0, sizeof *u);
	sqlite3_stmt *st =
		store_stmt("SELECT id, owner_id, length, offset, created_at, expires_at, "
			   "COALESCE(video_id, 0),"
			   " metadata, raw_metadata FROM uploads WHERE id = ?1 AND owner_id = ?2");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, owner_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(u->id, sizeof u->id, "%s", sqlite3_column_text(st, 0));
		u->owner_id = sqlite3_column_int64(st, 1);
		u->length = sqlite3_column_int64(st, 2);
		u->offset = sqlite3_column_int64(st, 3);
		u->created_at = sqlite3_column_int64(st, 4);
		u->expires_at = sqlite3_column_int64(st, 5);
		u->video_id = sqlite3_column_int64(st, 6);
		u->metadata = json_loads((const char *)sqlite3_column_text(st, 7), 0, NULL);
		const unsigned char *raw = sqlite3_column_text(st, 8);
		u->raw_metadata = raw ? strdup((const char *)raw) : NULL;
	}
	store_done(st);
	if (rc == SQLITE_DONE)
		return CR_ENOTFOUND;
	return store_error(rc, "get upload");
}

cr_err uploads_set_offset(const char *id, int64_t offset)
{
	sqlite3_stmt *st = store_stmt("UPDATE uploads SET offset = ?2 WHERE id = ?1");
	if (st) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, offset);
	}
	return store_run(st, "upload offset");
}

cr_err uploads_delete(const struct cr_config *cfg, const char *id)
{
	char path[PATH_MAX];
	sqlite3_stmt *st = store_stmt("DELETE FROM uploads WHERE id = ?1 AND video_id IS NULL");
	if (st)
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	cr_err e = store_run(st, "delete upload");
	if (!e && sqlite3_changes(store_db()) && !media_upload_path(cfg, id, path, sizeof path))
		unlink(path);
	return e;
}

cr_err uploads_complete(struct upload *u, int64_t *video_id, struct cr_problem *why)
{
	char rel[64];
	json_t *tags = NULL;
	struct video_new v = {
		.owner_id = u->owner_id, .source_bytes = u->length, .source_rel = rel};
	cr_err e = media_upload_rel(u->id, rel, sizeof rel);
	if (!e)
		e = upload_meta_read(u->metadata, &v, &tags, why);
	if (!e)
		e = store_begin();
	if (e) {
		json_decref(tags);
		return e;
	}
	e = videos_create(&v, video_id, why);
	if (!e)
		e = jobs_enqueue(*video_id);
	if (!e) {
		sqlite3_stmt *st = store_stmt(
			"UPDATE uploads SET video_id = ?2, offset = ?3, length = ?3 WHERE id = ?1");
		if (st) {
			sqlite3_bind_text(st, 1, u->id, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, *video_id);
			sqlite3_bind_int64(st, 3, u->length);
		}
		e = store_run(st, "finish upload");
	}
	json_decref(tags);
	e = store_end(e);
	if (!e) {
		u->video_id = *video_id;
		jobs_wake();
	}
	return e;
}

cr_err uploads_expire(const struct cr_config *cfg, int *removed)
{
	*removed = 0;
	for (;;) {
		sqlite3_stmt *st = store_stmt("SELECT id FROM uploads WHERE video_id IS NULL"
					      " AND expires_at < ?1 LIMIT 1");
		if (!st)
			return CR_EDB;
		sqlite3_bind_int64(st, 1, cr_now());
		char id[33] = "";
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			snprintf(id, sizeof id, "%s", sqlite3_column_text(st, 0));
		store_done(st);
		if (rc != SQLITE_ROW)
			return rc == SQLITE_DONE ? CR_OK : store_error(rc, "expired uploads");
		if (!uploads_lock(id))
			return CR_OK; /* being written to right now: next round */
		cr_err e = uploads_delete(cfg, id);
		uploads_unlock(id);
		if (e)
			return e;
		(*removed)++;
	}
}

cr_err uploads_count_open(int64_t *open)
{
	sqlite3_stmt *st = store_stmt("SELECT count(*) FROM uploads"
				      " WHERE video_id IS NULL AND expires_at >= ?1");
	*open = 0;
	if (st)
		sqlite3_bind_int64(st, 1, cr_now());
	cr_err e = store_step_one(st, "count open uploads");
	if (!e)
		*open = sqlite3_column_int64(st, 0);
	store_done(st);
	return e;
}
