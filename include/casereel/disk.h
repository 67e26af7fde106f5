/* Free space on a file system, as an unprivileged process may use it. */
#ifndef CASEREEL_DISK_H
#define CASEREEL_DISK_H

#include <stdint.h>

#include "casereel/error.h"

/* *free_bytes = the bytes available to this process on the file system
 * holding `path` (statvfs f_bavail × f_frsize). CR_EIO (logged) when
 * statvfs fails. */
cr_err disk_free_bytes(const char *path, uint64_t *free_bytes);

#endif
