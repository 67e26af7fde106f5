/* Media root paths and careful file writing. See include/casereel/media.h. */
#include "casereel/media.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casereel/log.h"

/* CR_EINVAL when snprintf's result `n` did not fit in `size` bytes. */
static cr_err fmt(size_t size, int n)
{
	return n < 0 || (size_t)n >= size ? CR_EINVAL : CR_OK;
}

static cr_err make_dir(const char *path)
{
	if (mkdir(path, 0750) == 0 || errno == EEXIST)
		return CR_OK;
	log_error("mkdir %s: %s", path, strerror(errno));
	return CR_EIO;
}

cr_err media_prepare(const struct cr_config *cfg)
{
	char path[PATH_MAX];
	cr_err e = fmt(sizeof path, snprintf(path, sizeof path, "%s/incoming", cfg->media_dir));
	if (!e)
		e = make_dir(path);
	if (!e)
		e = fmt(sizeof path, snprintf(path, sizeof path, "%s/v", cfg->media_dir));
	if (!e)
		e = make_dir(path);
	int moved = 0;
	if (!e && !(e = media_layout_upgrade(cfg, &moved)) && moved)
		log_info("moved the files of %d clip(s) into media version 1", moved);
	return e;
}

cr_err media_upload_path(const struct cr_config *cfg, const char *upload_id, char *out, size_t size)
{
	return fmt(size, snprintf(out, size, "%s/incoming/%s", cfg->media_dir, upload_id));
}

cr_err media_upload_rel(const char *upload_id, char *out, size_t size)
{
	return fmt(size, snprintf(out, size, "incoming/%s", upload_id));
}

bool media_upload_id_valid(const char *id)
{
	return strlen(id) == MEDIA_ID_CHARS && strspn(id, "0123456789abcdef") == MEDIA_ID_CHARS;
}

cr_err media_upload_rel_parse(const char *rel, char id[MEDIA_ID_CHARS + 1])
{
	static const char prefix[] = "incoming/";
	if (strncmp(rel, prefix, sizeof prefix - 1) ||
	    !media_upload_id_valid(rel + sizeof prefix - 1))
		return CR_EINVAL;
	memcpy(id, rel + sizeof prefix - 1, MEDIA_ID_CHARS + 1);
	return CR_OK;
}

cr_err media_abs(const struct cr_config *cfg, const char *rel, char *out, size_t size)
{
	return fmt(size, snprintf(out, size, "%s/%s", cfg->media_dir, rel));
}

cr_err media_video_dir(const struct cr_config *cfg, int64_t video_id, int64_t version, char *out,
		       size_t size)
{
	if (version == MEDIA_DIR_CLIP || version == MEDIA_DIR_SCRATCH)
		return fmt(size,
			   snprintf(out, size, "%s/v/%lld%s", cfg->media_dir, (long long)video_id,
				    version == MEDIA_DIR_SCRATCH ? ".tmp" : ""));
	if (version < 1)
		return CR_EINVAL;
	return fmt(size, snprintf(out, size, "%s/v/%lld/%lld", cfg->media_dir, (long long)video_id,
				  (long long)version));
}

cr_err media_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("write: %s", strerror(errno));
			return CR_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return CR_OK;
}

cr_err media_fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return CR_EINVAL;
	*slash = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return CR_EIO;
	int rc = fsync(fd);
	close(fd);
	return rc ? CR_EIO : CR_OK;
}

/* Removes parent/name: a file, or a directory with what is inside it down
 * to `depth` more levels. Never follows a symlink. */
static cr_err remove_at(int parent, const char *name, int depth)
{
	/* O_NOFOLLOW: a symlink planted in place of a directory would lead the
	 * unlinks below out of the media root; it goes itself instead */
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return unlinkat(parent, name, 0) == 0 || errno == ENOENT ? CR_OK : CR_EIO;
	if (fd < 0)
		return errno == ENOENT ? CR_OK : CR_EIO;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return CR_EIO;
	}
	struct dirent *de;
	cr_err e = CR_OK;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			continue;
		if (errno != EISDIR || depth == 0 || remove_at(dirfd(d), de->d_name, depth - 1))
			e = CR_EIO;
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) != 0)
		e = CR_EIO;
	return e;
}

cr_err media_remove_dir(const char *dir)
{
	return remove_at(AT_FDCWD, dir, 1);
}

void media_random_id(char out[MEDIA_ID_CHARS + 1])
{
	unsigned char raw[MEDIA_ID_CHARS / 2];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(out, MEDIA_ID_CHARS + 1, raw, sizeof raw);
}
