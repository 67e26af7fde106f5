/* Online backups of a data directory, and restores into a new one. The
 * database is copied page by page with SQLite's backup API from one read
 * snapshot, so writers go on meanwhile and the copy holds every write
 * committed before it began; the media signing key goes beside it, with a
 * manifest of the media tree. Media files never change once written, so an
 * rsync of the tree after the database copy completes the backup. */
#ifndef CASEREEL_BACKUP_H
#define CASEREEL_BACKUP_H

#include <stddef.h>

#include "casereel/config.h"
#include "casereel/error.h"

/* What a backup or restore did, for the operator. */
struct backup_report {
	long long db_bytes;
	long long media_files, media_bytes;
	long long media_missing; /* restore: manifest files absent from the media root */
	int schema_version;
};

/* Backs up cfg's data directory into `dest`, a directory that must not
 * exist or be empty: dest/casereel.db (checked with integrity_check),
 * dest/media.key and dest/media-manifest.tsv (size, mtime, path per media
 * file). CR_ECONFLICT when dest holds anything; CR_EIO or CR_EDB with
 * `err` saying what failed. */
cr_err backup_make(const struct cr_config *cfg, const char *dest, struct backup_report *rep,
		   char *err, size_t err_len);

/* Restores the backup in `src` into cfg's data directory, which must hold
 * no database (a live or old one is never overwritten: CR_ECONFLICT) and
 * no running server (its lock, data_lock.h: CR_ECONFLICT, `err` saying a
 * server runs there); the lock is held while the restore runs. The
 * restored database must pass integrity_check (CR_EDB otherwise, and it
 * is removed again); CR_ENOTFOUND when `src` is not a backup.
 * rep->media_missing counts the manifest's files not (yet) under the media
 * root: the operator rsyncs them back. */
cr_err backup_restore(const struct cr_config *cfg, const char *src, struct backup_report *rep,
		      char *err, size_t err_len);

#endif
