/* tus upload state. See include/casereel/uploads.h. */
#include "casereel/uploads.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "casereel/clock.h"
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

/* Local midnight today (configured zone), when the daily quota restarts. */
static int64_t today_start(void)
{
	time_t now = cr_now();
	struct tm tm;
	localtime_r(&now, &tm); /* TZ is the configured zone (set at start) */
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* Whether `owner_id` already has `quota` videos and open uploads today. */
static cr_err quota_used_up(int64_t owner_id, int quota, bool *used_up)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT (SELECT count(*) FROM videos WHERE owner_id = ?1 AND created_at >= ?2)"
		" + (SELECT count(*) FROM uploads WHERE owner_id = ?1 AND created_at >= ?2"
		"    AND video_id IS NULL)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, owner_id);
	sqlite3_bind_int64(st, 2, today_start());
	int rc = sqlite3_step(st);
	*used_up = rc == SQLITE_ROW && sqlite3_column_int64(st, 0) >= quota;
	store_done(st);
	return rc == SQLITE_ROW ? CR_OK : store_error(rc, "count uploads");
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

/* Counts and inserts under one write lock, so that parallel creations
 * queue here and the last one sees the others' rows. */
static cr_err insert_within_quota(const struct upload *u, int quota)
{
	cr_err e = store_begin();
	if (e)
		return e;
	bool used_up = false;
	if (quota > 0)
		e = quota_used_up(u->owner_id, quota, &used_up);
	if (!e && used_up)
		e = CR_ETHROTTLED;
	if (!e)
		e = insert_row(u);
	return e ? (store_rollback(), e) : store_commit();
}

cr_err uploads_create(const struct cr_config *cfg, struct upload *u, int quota)
{
	/* A first look without the write lock, so that a refusal costs no file
	 * and no fsync; insert_within_quota() has the last word. */
	bool used_up = false;
	cr_err e = quota > 0 ? quota_used_up(u->owner_id, quota, &used_up) : CR_OK;
	if (e || used_up)
		return e ? e : CR_ETHROTTLED;
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
	e = insert_within_quota(u, quota);
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

cr_err uploads_complete(struct upload *u, int64_t *video_id, char *why, size_t why_len)
{
	char rel[64];
	json_t *tags = NULL;
	struct video_new v = {
		.owner_id = u->owner_id, .source_bytes = u->length, .source_rel = rel};
	cr_err e = media_upload_rel(u->id, rel, sizeof rel);
	if (!e)
		e = upload_meta_read(u->metadata, &v, &tags, why, why_len);
	if (!e)
		e = store_begin();
	if (e) {
		json_decref(tags);
		return e;
	}
	e = videos_create(&v, video_id, why, why_len);
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
	e = e ? (store_rollback(), e) : store_commit();
	if (!e)
		u->video_id = *video_id;
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

/* Ids of uploads with a PATCH in progress. Few at once: a small array. */
#define MAX_LOCKED 1024
static pthread_mutex_t locks_mu = PTHREAD_MUTEX_INITIALIZER;
static char locked[MAX_LOCKED][33];

bool uploads_lock(const char *id)
{
	bool ok = false;
	int free_slot = -1;
	pthread_mutex_lock(&locks_mu);
	for (int i = 0; i < MAX_LOCKED; i++) {
		if (!strcmp(locked[i], id))
			goto out;
		if (free_slot < 0 && !locked[i][0])
			free_slot = i;
	}
	if (free_slot >= 0) {
		snprintf(locked[free_slot], sizeof locked[0], "%s", id);
		ok = true;
	}
out:
	pthread_mutex_unlock(&locks_mu);
	return ok;
}

void uploads_unlock(const char *id)
{
	pthread_mutex_lock(&locks_mu);
	for (int i = 0; i < MAX_LOCKED; i++)
		if (!strcmp(locked[i], id))
			locked[i][0] = '\0';
	pthread_mutex_unlock(&locks_mu);
}
