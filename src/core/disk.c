/* Free space on a file system. See include/casereel/disk.h. */
#include "casereel/disk.h"

#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>

#include "casereel/log.h"

cr_err disk_free_bytes(const char *path, uint64_t *free_bytes)
{
	struct statvfs fs;
	if (statvfs(path, &fs) != 0) {
		log_error("statvfs %s: %s", path, strerror(errno));
		return CR_EIO;
	}
	*free_bytes = (uint64_t)fs.f_bavail * fs.f_frsize;
	return CR_OK;
}
