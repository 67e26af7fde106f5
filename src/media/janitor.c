/* The media janitor. See include/casereel/janitor.h. */
#include "casereel/janitor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casereel/jobs.h"
#include "casereel/log.h"
#include "casereel/media.h"
#include "casereel/media_versions.h"
#include "casereel/store.h"
#include "casereel/uploads.h"
#include "casereel/videos.h"

/* Clips read per query: the disk work between two short transactions. */
#define PURGE_BATCH 64

/* A removed or failed clip whose files may remain. */
struct doomed {
	int64_t id;
	bool has_source;                    /* source_path is set */
	char upload_id[MEDIA_ID_CHARS + 1]; /* the source's name; "" unless the
					       stored path is one the server makes */
};

/* Steps a one-row lookup and resets it: 1 for a row, 0 for none, -1 when
 * the statement is NULL or fails (callers treat that as the safe answer). */
static int lookup(sqlite3_stmt *st)
{
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	store_done(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc == SQLITE_ROW;
	store_error(rc, "janitor lookup");
	return -1;
}

/* Whether an upload row or a video's source path names incoming/<id>;
 * true on a database error, so a failing database never makes a file look
 * unowned. */
static bool upload_file_named(const char *id)
{
	char rel[64];
	sqlite3_stmt *st =
		media_upload_rel(id, rel, sizeof rel)
			? NULL
			: store_stmt("SELECT 1 FROM uploads WHERE id = ?1 UNION ALL"
				     " SELECT 1 FROM videos WHERE source_path = ?2 LIMIT 1");
	if (st) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, rel, -1, SQLITE_STATIC);
	}
	return lookup(st) != 0;
}

/* Whether video `id` exists and its scratch directory will never be used
 * again: no worker runs its job and none will (a queued job of a clip no
 * longer processing is never claimed). False on a database error. */
static bool scratch_is_dead(int64_t id)
{
	bool pending = true;
	sqlite3_stmt *st = store_stmt("SELECT 1 FROM videos WHERE id = ?1");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	return lookup(st) == 1 && jobs_pending(id, &pending) == CR_OK && !pending;
}

/* Unlinks incoming/<id> under the upload's lock, so never while a request
 * writes to it (CR_ECONFLICT: next time). With `orphan_only`, only when no
 * upload or video names the file, asked under the lock. A file already
 * gone is not an error. */
static cr_err remove_upload_file(const struct cr_config *cfg, const char *id, bool orphan_only)
{
	char path[PATH_MAX];
	cr_err e = media_upload_path(cfg, id, path, sizeof path);
	if (e)
		return e;
	if (!uploads_lock(id))
		return CR_ECONFLICT;
	if (orphan_only && upload_file_named(id)) {
		e = CR_ECONFLICT;
	} else if (unlink(path) != 0 && errno != ENOENT) {
		log_error("janitor: unlink %s: %s", path, strerror(errno));
		e = CR_EIO;
	}
	uploads_unlock(id);
	return e;
}

/* Removes v/<id>/ (every version), v/<id>.tmp/ or one version v/<id>/<n>/
 * (`which`, as media_video_dir takes it; missing is fine). */
static cr_err remove_video_dir(const struct cr_config *cfg, int64_t id, int64_t which)
{
	char dir[PATH_MAX];
	cr_err e = media_video_dir(cfg, id, which, dir, sizeof dir);
	if (!e && (e = media_remove_dir(dir)))
		log_error("janitor: cannot remove %s", dir);
	return e;
}

/* Up to PURGE_BATCH removed or failed clips not purged yet, last changed
 * at `cutoff` or before, whose job no worker is running (a worker may be
 * writing their output right now; the next round takes them, and so does
 * this one on a database error). The partial index holds only clips still
 * to purge, in updated_at order: the scan stops when the batch is full.
 * Without INDEXED BY the planner walks videos_status, which keeps every
 * clip ever purged. */
static cr_err doomed_clips(time_t cutoff, struct doomed *out, int *n)
{
	sqlite3_stmt *st =
		store_stmt("SELECT v.id, v.source_path FROM videos v INDEXED BY videos_unpurged"
			   " WHERE v.status IN (" VIDEO_SQL_REMOVED ", " VIDEO_SQL_FAILED
			   ") AND v.media_purged_at IS NULL"
			   " AND v.updated_at <= ?1 ORDER BY v.updated_at");
	*n = 0;
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, cutoff);
	int rc = SQLITE_DONE;
	while (*n < PURGE_BATCH && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool running = true;
		int64_t id = sqlite3_column_int64(st, 0);
		if (jobs_running(id, &running) || running)
			continue;
		struct doomed *d = &out[(*n)++];
		const char *src = (const char *)sqlite3_column_text(st, 1);
		d->id = id;
		d->has_source = src != NULL;
		if (!src || media_upload_rel_parse(src, d->upload_id))
			d->upload_id[0] = '\0';
	}
	store_done(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CR_OK : store_error(rc, "clips to purge");
}

/* Deletes every file of one clip; CR_OK only when none is left. */
static cr_err purge_clip(const struct cr_config *cfg, const struct doomed *d)
{
	cr_err e = CR_OK;
	if (d->upload_id[0])
		e = remove_upload_file(cfg, d->upload_id, false);
	else if (d->has_source) /* never trust a path the server could not have written */
		log_warn("janitor: video %lld: its source path is not one the server makes;"
			 " left alone",
			 (long long)d->id);
	if (!e)
		e = remove_video_dir(cfg, d->id, MEDIA_DIR_SCRATCH);
	if (!e)
		e = remove_video_dir(cfg, d->id, MEDIA_DIR_CLIP);
	return e;
}

/* One short write transaction for a batch whose files are gone. */
static cr_err record_purged(const struct doomed *done, int n, time_t now)
{
	cr_err e = store_begin();
	for (int i = 0; !e && i < n; i++)
		e = videos_record_purge(done[i].id, done[i].upload_id[0] != '\0', now);
	return store_end(e);
}

cr_err janitor_purge_clips(const struct cr_config *cfg, time_t now, int *purged)
{
	struct doomed batch[PURGE_BATCH];
	int n = 0, done = 0;
	cr_err e;
	*purged = 0;
	do { /* a full batch all done may have more behind it */
		e = doomed_clips(now - cfg->purge_after, batch, &n);
		done = 0;
		for (int i = 0; !e && i < n; i++)
			if (purge_clip(cfg, &batch[i]) == CR_OK)
				batch[done++] = batch[i];
		if (!e && done)
			e = record_purged(batch, done, now);
		if (!e)
			*purged += done;
	} while (!e && n == PURGE_BATCH && done == n);
	return e;
}

cr_err janitor_purge_versions(const struct cr_config *cfg, time_t now, int *purged)
{
	struct media_retired batch[PURGE_BATCH];
	size_t n = 0, done;
	cr_err e;
	*purged = 0;
	do { /* the database is read and written between disk work, never during */
		e = media_versions_due(now - cfg->purge_after, batch, PURGE_BATCH, &n);
		done = 0;
		for (size_t i = 0; !e && i < n; i++)
			if (remove_video_dir(cfg, batch[i].video_id, batch[i].version) == CR_OK)
				batch[done++] = batch[i];
		if (!e && done)
			e = media_versions_forget(batch, done);
		if (!e)
			*purged += (int)done;
	} while (!e && n == PURGE_BATCH && done == n);
	return e;
}

/* Up to PURGE_BATCH clips whose original may go (janitor_purge_sources). */
static cr_err spent_sources(const struct cr_config *cfg, time_t now, struct doomed *out, int *n)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT v.id, v.source_path FROM videos v WHERE v.source_path IS NOT NULL"
		" AND v.status NOT IN (" VIDEO_SQL_REMOVED ", " VIDEO_SQL_FAILED ")"
		" AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.video_id = v.id"
		"  AND j.state IN ('queued', 'running'))"
		" AND (EXISTS (SELECT 1 FROM video_edits e WHERE e.video_id = v.id"
		"  AND e.state = 'published' AND e.redaction)"
		"  OR (?2 > 0 AND v.created_at <= ?1 - ?2)) LIMIT ?3");
	*n = 0;
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, cfg->source_retention);
	sqlite3_bind_int(st, 3, PURGE_BATCH);
	int rc = SQLITE_DONE;
	while (*n < PURGE_BATCH && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct doomed *d = &out[*n];
		d->id = sqlite3_column_int64(st, 0);
		d->has_source = true;
		if (!media_upload_rel_parse((const char *)sqlite3_column_text(st, 1), d->upload_id))
			(*n)++;
	}
	store_done(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CR_OK : store_error(rc, "spent sources");
}

cr_err janitor_purge_sources(const struct cr_config *cfg, time_t now, int *purged)
{
	struct doomed batch[PURGE_BATCH];
	int n = 0;
	*purged = 0;
	cr_err e = spent_sources(cfg, now, batch, &n);
	int done = 0;
	for (int i = 0; !e && i < n; i++)
		if (remove_upload_file(cfg, batch[i].upload_id, false) == CR_OK)
			batch[done++] = batch[i];
	if (!e && done) {
		e = store_begin();
		for (int i = 0; !e && i < done; i++)
			e = videos_clear_source(batch[i].id);
		e = store_end(e);
	}
	if (!e)
		*purged = done;
	return e;
}

/* "<id>.tmp" with a canonical positive id: a transcode's scratch directory. */
static bool scratch_dir_id(const char *name, int64_t *id)
{
	char *end = NULL;
	errno = 0;
	long long v = name[0] >= '1' && name[0] <= '9' ? strtoll(name, &end, 10) : 0;
	if (v <= 0 || errno || strcmp(end, ".tmp") != 0)
		return false;
	*id = v;
	return true;
}

static bool is_scratch_dir(const char *name)
{
	int64_t id;
	return scratch_dir_id(name, &id);
}

/* Nearly every old file is a clip's source: asking first spares those the
 * lock table; an unnamed one is asked again under the lock. */
static bool remove_orphan_upload(const struct cr_config *cfg, const char *name)
{
	return !upload_file_named(name) && remove_upload_file(cfg, name, true) == CR_OK;
}

static bool remove_dead_scratch(const struct cr_config *cfg, const char *name)
{
	int64_t id;
	return scratch_dir_id(name, &id) && scratch_is_dead(id) &&
	       remove_video_dir(cfg, id, MEDIA_DIR_SCRATCH) == CR_OK;
}

/* What a stray looks like in one directory of the media root. */
struct stray_kind {
	const char *subdir;
	mode_t type; /* S_IFREG or S_IFDIR; a symlink is never either */
	bool (*name_ok)(const char *name);
	bool (*remove)(const struct cr_config *cfg, const char *name); /* true: removed */
};

static const struct stray_kind stray_kinds[] = {
	{"incoming", S_IFREG, media_upload_id_valid, remove_orphan_upload},
	{"v", S_IFDIR, is_scratch_dir, remove_dead_scratch},
};

/* Offers every entry of k->subdir with a stray's name and type, last
 * modified before `cutoff`, to k->remove. */
static cr_err scan(const struct cr_config *cfg, const struct stray_kind *k, time_t cutoff,
		   int *removed)
{
	char path[PATH_MAX];
	if (media_abs(cfg, k->subdir, path, sizeof path))
		return CR_EINVAL;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		log_error("janitor: cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return CR_EIO;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat sb;
		if (!k->name_ok(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    (sb.st_mode & S_IFMT) != k->type || sb.st_mtime >= cutoff)
			continue;
		if (k->remove(cfg, de->d_name))
			(*removed)++;
	}
	closedir(d);
	return CR_OK;
}

cr_err janitor_remove_strays(const struct cr_config *cfg, time_t now, int *removed)
{
	cr_err first = CR_OK;
	*removed = 0;
	for (size_t i = 0; i < sizeof stray_kinds / sizeof stray_kinds[0]; i++) {
		cr_err e = scan(cfg, &stray_kinds[i], now - JANITOR_STRAY_AGE, removed);
		if (!first)
			first = e;
	}
	return first;
}
