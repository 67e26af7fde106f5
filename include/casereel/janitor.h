/* The media janitor: deletes media files nothing will ever serve or
 * transcode again, and records in the database what it deleted. Run from
 * the maintenance loop, one call at a time. It never holds SQLite's write
 * lock while it touches the disk, never deletes a file a worker or an
 * upload request is using, and only deletes names the server itself makes
 * under the media root (never through a symlink). */
#ifndef CASEREEL_JANITOR_H
#define CASEREEL_JANITOR_H

#include <time.h>

#include "casereel/config.h"
#include "casereel/error.h"

/* A stray must be this old (mtime, seconds) before it is removed: a new
 * upload's file exists a moment before its row commits. */
#define JANITOR_STRAY_AGE 3600

/* How often (seconds) the maintenance loop looks for strays. Strays come
 * from crashes, so it also looks once at every start. */
#define JANITOR_STRAY_SCAN_SECONDS 3600

/* Deletes every file of the removed and failed clips whose last change is
 * at least cfg->purge_after seconds before `now` and whose job no worker is
 * running: the source in incoming/ (unless an upload request holds it),
 * v/<id>/ (every media version) and v/<id>.tmp/. Each clip done is recorded with
 * videos_record_purge, so a later round skips it and its source is never
 * read again. *purged counts the clips done; a clip that could not be
 * cleaned up is logged and tried again next round. CR_EDB when the
 * database fails. Costs one index probe when there is nothing to do. */
cr_err janitor_purge_clips(const struct cr_config *cfg, time_t now, int *purged);

/* Deletes the files of media versions replaced (media_versions_retire) at
 * least cfg->purge_after seconds before `now`: v/<id>/<version>/. Until
 * then their signed URLs keep serving the bytes they always served; after,
 * 404. *purged counts them; one that could not be removed is tried again
 * next round. CR_EDB when the database fails. */
cr_err janitor_purge_versions(const struct cr_config *cfg, time_t now, int *purged);

/* Deletes the originals nothing needs any more: of clips whose redaction a
 * trainer approved, and of every clip uploaded more than
 * cfg->source_retention seconds before `now` (when set), unless its job is
 * queued or running; the clip forgets its source (a new rendering then
 * reads its top rendition). *purged counts them. */
cr_err janitor_purge_sources(const struct cr_config *cfg, time_t now, int *purged);

/* Removes strays older than JANITOR_STRAY_AGE at `now`: files in incoming/
 * that no upload and no video names (left by a crash between creating a
 * file and committing its row), and v/<id>.tmp/ scratch directories of
 * transcodes that died and will never be retried (the clip's job is
 * neither running nor waiting to run). Reads the database, never writes it.
 * *removed counts them. CR_EIO when a directory cannot be read. */
cr_err janitor_remove_strays(const struct cr_config *cfg, time_t now, int *removed);

#endif
