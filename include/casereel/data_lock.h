/* One process at a time in a data directory: `serve` and `restore` hold an
 * exclusive flock on <data>/casereel.lock while they run, so a second
 * server, or a restore, on a directory in use is refused at once instead
 * of sharing (or overwriting) a live database. The kernel drops the lock
 * when the process ends, however it ends. */
#ifndef CASEREEL_DATA_LOCK_H
#define CASEREEL_DATA_LOCK_H

#include <stddef.h>

#include "casereel/error.h"

#define DATA_LOCK_FILE "casereel.lock"

/* Takes the lock of `data_dir` (an existing directory) without waiting and
 * writes this process's id into the lock file; *fd receives the open lock
 * file (close it to let go; never passed to children). CR_ECONFLICT when
 * another process holds it, `err` then naming that process and the
 * directory; CR_EIO when the file cannot be opened. */
cr_err data_lock_take(const char *data_dir, int *fd, char *err, size_t err_len);

/* Lets the lock go (closes *fd and sets it to -1); safe on -1. */
void data_lock_release(int *fd);

#endif
