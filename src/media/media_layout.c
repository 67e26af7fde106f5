/* The media layout before versions (v/<id>/<files>) moved to version 1
 * (v/<id>/1/<files>) at start. See media_layout_upgrade in
 * include/casereel/media.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casereel/log.h"
#include "casereel/media.h"

/* A canonical positive decimal: the name of a clip's directory. */
static bool clip_dir_name(const char *name)
{
	return name[0] >= '1' && name[0] <= '9' && strspn(name, "0123456789") == strlen(name);
}

/* Moves the regular files right inside the clip directory `fd` into its
 * "1/"; *moved is true when there were any. Each rename is atomic, so a
 * crash leaves every file in one place or the other and the next start
 * moves the rest. */
static cr_err move_into_version_one(int fd, const char *clip, bool *moved)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return CR_EIO;
	}
	cr_err e = CR_OK;
	int v1 = -1;
	struct dirent *de;
	*moved = false;
	while (!e && (de = readdir(d))) {
		struct stat sb;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if (v1 < 0 && mkdirat(dirfd(d), "1", 0750) != 0 && errno != EEXIST)
			e = CR_EIO;
		if (!e && v1 < 0 &&
		    (v1 = openat(dirfd(d), "1", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) <
			    0)
			e = CR_EIO;
		if (!e && renameat(dirfd(d), de->d_name, v1, de->d_name) != 0)
			e = CR_EIO;
		*moved |= !e;
	}
	if (e)
		log_error("media layout: clip %s: %s", clip, strerror(errno));
	if (v1 >= 0) {
		if (fsync(v1) != 0 || fsync(dirfd(d)) != 0)
			e = CR_EIO;
		close(v1);
	}
	closedir(d);
	return e;
}

cr_err media_layout_upgrade(const struct cr_config *cfg, int *moved)
{
	char path[PATH_MAX];
	*moved = 0;
	if (media_abs(cfg, "v", path, sizeof path))
		return CR_EINVAL;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		log_error("media layout: cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return CR_EIO;
	}
	cr_err e = CR_OK;
	struct dirent *de;
	while (!e && (de = readdir(d))) {
		if (!clip_dir_name(de->d_name))
			continue;
		int clip = openat(dirfd(d), de->d_name,
				  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		bool any = false;
		if (clip >= 0)
			e = move_into_version_one(clip, de->d_name, &any);
		*moved += any;
	}
	closedir(d);
	return e;
}
