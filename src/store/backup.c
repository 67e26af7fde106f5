/* Backups and restores of a data directory. See include/casereel/backup.h. */
#include "casereel/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casereel/data_lock.h"

#define DB_FILE       "casereel.db"
#define KEY_FILE      "media.key"
#define MANIFEST_FILE "media-manifest.tsv"

static cr_err fail(cr_err e, char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static cr_err fail(cr_err e, char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return e;
}

static bool join(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);
	return n > 0 && (size_t)n < size;
}

/* Makes `dest` if missing; CR_ECONFLICT when it holds anything. */
static cr_err empty_dir(const char *dest, char *err, size_t err_len)
{
	if (mkdir(dest, 0700) == 0)
		return CR_OK;
	if (errno != EEXIST)
		return fail(CR_EIO, err, err_len, "cannot make %s: %s", dest, strerror(errno));
	DIR *d = opendir(dest);
	if (!d)
		return fail(CR_EIO, err, err_len, "cannot read %s: %s", dest, strerror(errno));
	struct dirent *ent;
	bool empty = true;
	while (empty && (ent = readdir(d)))
		empty = !strcmp(ent->d_name, ".") || !strcmp(ent->d_name, "..");
	closedir(d);
	return empty ? CR_OK
		     : fail(CR_ECONFLICT, err, err_len,
			    "%s is not empty: back up into a new directory", dest);
}

/* "ok" from PRAGMA integrity_check on `db`, and its schema version. */
static bool intact(sqlite3 *db, int *version)
{
	sqlite3_stmt *st = NULL;
	bool ok = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
		  sqlite3_step(st) == SQLITE_ROW &&
		  !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	if (ok && sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return ok;
}

/* Copies database file `from` into `to` (created) in one step from one read
 * snapshot, then checks the copy. */
static cr_err copy_db(const char *from, const char *to, struct backup_report *rep, char *err,
		      size_t err_len)
{
	sqlite3 *src = NULL, *dst = NULL;
	cr_err e = CR_OK;
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
		    SQLITE_OK) {
		e = fail(CR_EDB, err, err_len, "cannot open %s or %s: %s", from, to,
			 sqlite3_errmsg(src ? src : dst));
		goto out;
	}
	sqlite3_busy_timeout(src, 10000);
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		e = fail(CR_EDB, err, err_len, "copying %s: %s", from, sqlite3_errmsg(dst));
		goto out;
	}
	if (!intact(dst, &rep->schema_version))
		e = fail(CR_EDB, err, err_len, "the copy %s fails integrity_check", to);
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	struct stat st;
	if (!e && stat(to, &st) == 0)
		rep->db_bytes = st.st_size;
	return e;
}

/* Copies file `from` to `to` (mode 0600, made durable). */
static cr_err copy_file(const char *from, const char *to, char *err, size_t err_len)
{
	char buf[1 << 16];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ssize_t n = 0;
	while (out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	bool ok = out >= 0 && n == 0 && fsync(out) == 0;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ok ? CR_OK
		  : fail(CR_EIO, err, err_len, "cannot copy %s to %s: %s", from, to,
			 strerror(errno));
}

/* The manifest being written by nftw's callback (no context argument). */
static FILE *manifest;
static size_t media_root_len;
static struct backup_report *manifest_rep;

static int list_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F)
		return 0;
	manifest_rep->media_files++;
	manifest_rep->media_bytes += st->st_size;
	return fprintf(manifest, "%lld\t%lld\t%s\n", (long long)st->st_size,
		       (long long)st->st_mtime, path + media_root_len + 1) < 0;
}

static cr_err write_manifest(const struct cr_config *cfg, const char *to, struct backup_report *rep,
			     char *err, size_t err_len)
{
	manifest = fopen(to, "wx");
	if (!manifest)
		return fail(CR_EIO, err, err_len, "cannot write %s: %s", to, strerror(errno));
	media_root_len = strlen(cfg->media_dir);
	manifest_rep = rep;
	int rc = nftw(cfg->media_dir, list_file, 32, FTW_PHYS);
	bool ok = rc == 0 && fflush(manifest) == 0 && fsync(fileno(manifest)) == 0;
	ok = fclose(manifest) == 0 && ok;
	manifest = NULL;
	return ok ? CR_OK
		  : fail(CR_EIO, err, err_len, "cannot list the media under %s", cfg->media_dir);
}

/* The files of a backup in `dir`, and the data directory's key. */
struct backup_files {
	char db[PATH_MAX], key[PATH_MAX], manifest[PATH_MAX], data_key[PATH_MAX];
};

static bool backup_files(const char *dir, const struct cr_config *cfg, struct backup_files *f)
{
	return join(f->db, sizeof f->db, dir, DB_FILE) &&
	       join(f->key, sizeof f->key, dir, KEY_FILE) &&
	       join(f->manifest, sizeof f->manifest, dir, MANIFEST_FILE) &&
	       join(f->data_key, sizeof f->data_key, cfg->data_dir, KEY_FILE);
}

cr_err backup_make(const struct cr_config *cfg, const char *dest, struct backup_report *rep,
		   char *err, size_t err_len)
{
	struct backup_files f;
	*rep = (struct backup_report){0};
	if (!backup_files(dest, cfg, &f))
		return fail(CR_EINVAL, err, err_len, "the backup path is too long");
	if (access(cfg->db_path, R_OK) != 0)
		return fail(CR_ENOTFOUND, err, err_len, "there is no database at %s", cfg->db_path);
	cr_err e = empty_dir(dest, err, err_len);
	if (!e)
		e = copy_db(cfg->db_path, f.db, rep, err, err_len);
	if (!e)
		e = copy_file(f.data_key, f.key, err, err_len);
	if (!e)
		e = write_manifest(cfg, f.manifest, rep, err, err_len);
	return e;
}

/* Counts the manifest's files missing under the media root. */
static void count_missing(const struct cr_config *cfg, const char *list, struct backup_report *rep)
{
	FILE *f = fopen(list, "r");
	char line[PATH_MAX + 64], path[PATH_MAX];
	while (f && fgets(line, sizeof line, f)) {
		char *name = strchr(line, '\t');
		name = name ? strchr(name + 1, '\t') : NULL;
		if (!name)
			continue;
		name[strcspn(name, "\n")] = '\0';
		rep->media_files++;
		if (!join(path, sizeof path, cfg->media_dir, name + 1) || access(path, F_OK) != 0)
			rep->media_missing++;
	}
	if (f)
		fclose(f);
}

/* The restore itself, under the data directory's lock. */
static cr_err restore_locked(const struct cr_config *cfg, const char *src,
			     const struct backup_files *f, struct backup_report *rep, char *err,
			     size_t err_len)
{
	if (access(cfg->db_path, F_OK) == 0 || access(f->data_key, F_OK) == 0)
		return fail(CR_ECONFLICT, err, err_len,
			    "%s already holds a database: restore into a new data directory (move "
			    "this one aside first; a running server's is never overwritten)",
			    cfg->data_dir);
	if (access(f->db, R_OK) != 0 || access(f->key, R_OK) != 0)
		return fail(CR_ENOTFOUND, err, err_len, "%s is not a casereel backup (no %s or %s)",
			    src, DB_FILE, KEY_FILE);
	cr_err e = copy_db(f->db, cfg->db_path, rep, err, err_len);
	if (e == CR_EDB && access(cfg->db_path, F_OK) == 0)
		unlink(cfg->db_path); /* never leave a half-restored database */
	if (!e)
		e = copy_file(f->key, f->data_key, err, err_len);
	if (!e)
		count_missing(cfg, f->manifest, rep);
	return e;
}

cr_err backup_restore(const struct cr_config *cfg, const char *src, struct backup_report *rep,
		      char *err, size_t err_len)
{
	struct backup_files f;
	*rep = (struct backup_report){0};
	if (!backup_files(src, cfg, &f))
		return fail(CR_EINVAL, err, err_len, "the backup path is too long");
	/* a server on the directory would hold the lock; holding it ourselves
	 * keeps one from starting on a half-restored database */
	int lock = -1;
	cr_err e = data_lock_take(cfg->data_dir, &lock, err, err_len);
	if (e == CR_ECONFLICT)
		return fail(e, err, err_len,
			    "a casereel server is running on %s: restore into a new data directory "
			    "(a live database is never overwritten)",
			    cfg->data_dir);
	if (!e)
		e = restore_locked(cfg, src, &f, rep, err, err_len);
	data_lock_release(&lock);
	return e;
}
