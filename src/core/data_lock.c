/* The data directory's lock file. See include/casereel/data_lock.h. */
#include "casereel/data_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* The process id the holder wrote into the lock file, or 0. */
static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *end = NULL;
	long pid = strtol(buf, &end, 10);
	return end != buf && pid > 0 ? pid : 0;
}

cr_err data_lock_take(const char *data_dir, int *fd, char *err, size_t err_len)
{
	char path[PATH_MAX];
	*fd = -1;
	int n = snprintf(path, sizeof path, "%s/%s", data_dir, DATA_LOCK_FILE);
	if (n < 0 || (size_t)n >= sizeof path) {
		snprintf(err, err_len, "data directory path too long");
		return CR_EINVAL;
	}
	int lf = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lf < 0) {
		snprintf(err, err_len, "cannot open the lock file %s: %s", path, strerror(errno));
		return CR_EIO;
	}
	if (flock(lf, LOCK_EX | LOCK_NB) != 0) {
		int why = errno;
		long pid = holder_pid(lf);
		close(lf);
		if (why != EWOULDBLOCK) {
			snprintf(err, err_len, "cannot lock %s: %s", path, strerror(why));
			return CR_EIO;
		}
		if (pid)
			snprintf(err, err_len,
				 "%s is in use by another casereel process (pid %ld): stop it "
				 "first, or use another --data",
				 data_dir, pid);
		else
			snprintf(err, err_len,
				 "%s is in use by another casereel process: stop it first, or use "
				 "another --data",
				 data_dir);
		return CR_ECONFLICT;
	}
	/* the holder's id, for the message a refused process prints */
	char pid[32];
	int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(lf, 0) != 0 || pwrite(lf, pid, (size_t)len, 0) != len) {
		/* the lock holds without it: only the message loses the pid */
	}
	*fd = lf;
	return CR_OK;
}

void data_lock_release(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}
