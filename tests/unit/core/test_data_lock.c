/* Unit tests for src/core/data_lock.c: one holder at a time per data
 * directory, the refusal names the holder, and letting go frees it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casereel/data_lock.h"

static char dir[] = "/tmp/casereel-lock-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char path[sizeof dir + 32];
	snprintf(path, sizeof path, "%s/%s", dir, DATA_LOCK_FILE);
	unlink(path);
	return rmdir(dir);
}

static void second_holder_is_refused_with_the_first_ones_pid(void **state)
{
	(void)state;
	char err[512] = "", want[64];
	int first = -1, second = -1;
	assert_int_equal(data_lock_take(dir, &first, err, sizeof err), CR_OK);
	assert_true(first >= 0);
	/* flock locks belong to open files: a second open is refused even here */
	assert_int_equal(data_lock_take(dir, &second, err, sizeof err), CR_ECONFLICT);
	assert_int_equal(second, -1);
	snprintf(want, sizeof want, "(pid %ld)", (long)getpid());
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, dir));
	data_lock_release(&first);
	assert_int_equal(first, -1);
	assert_int_equal(data_lock_take(dir, &second, err, sizeof err), CR_OK);
	data_lock_release(&second);
	data_lock_release(&second); /* safe twice */
}

static void missing_directory_is_an_io_error(void **state)
{
	(void)state;
	char err[512] = "";
	int fd = -1;
	assert_int_equal(data_lock_take("/nonexistent/casereel-data", &fd, err, sizeof err),
			 CR_EIO);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(err, "/nonexistent/casereel-data/" DATA_LOCK_FILE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(second_holder_is_refused_with_the_first_ones_pid),
		cmocka_unit_test(missing_directory_is_an_io_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
