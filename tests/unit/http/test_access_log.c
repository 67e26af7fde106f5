/* Unit tests for src/http/access_log.c: what a logged path may contain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "http/access_log.h"

static const char *clean(const char *path)
{
	static char out[256];
	access_log_clean(path, out, sizeof out);
	return out;
}

static void control_bytes_cannot_start_a_line(void **state)
{
	(void)state;
	assert_string_equal(clean("/api/v1/x\n2026-01-01T00:00:00Z access forged"),
			    "/api/v1/x\\x0a2026-01-01T00:00:00Z\\x20access\\x20forged");
	assert_string_equal(clean("/a\r\t\x7f\\\"b"), "/a\\x0d\\x09\\x7f\\x5c\\x22b");
	assert_string_equal(clean("/ordinary/path-1.js"), "/ordinary/path-1.js");
	assert_string_equal(clean("/caf\xc3\xa9"), "/caf\xc3\xa9"); /* UTF-8 stays */
}

static void media_signatures_are_left_out(void **state)
{
	(void)state;
	assert_string_equal(clean("/media/v/12/1800000000/AbCdEfGhIjKlMnOpQrStUv/master.m3u8"),
			    "/media/v/12/1800000000/-/master.m3u8");
	assert_string_equal(clean("/media/v/12/1800000000/AbCdEf"), "/media/v/12/1800000000/-");
	assert_string_equal(clean("/media/v/12/3/1800000000/AbCdEfGh-_IjKlMnOpQrStUv/thumb.jpg"),
			    "/media/v/12/3/1800000000/-/thumb.jpg");
	assert_string_equal(clean("/media/v/12/3/1800000000/0123456789abcdefghijkl/"),
			    "/media/v/12/3/1800000000/-/");
	assert_string_equal(clean("/api/v1/videos/12/1800000000/keep"),
			    "/api/v1/videos/12/1800000000/keep");
}

static void long_paths_are_cut_and_terminated(void **state)
{
	(void)state;
	char path[600], out[32];
	memset(path, '\n', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	access_log_clean(path, out, sizeof out);
	assert_true(strlen(out) < sizeof out);
	assert_null(strchr(out, '\n'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(control_bytes_cannot_start_a_line),
		cmocka_unit_test(media_signatures_are_left_out),
		cmocka_unit_test(long_paths_are_cut_and_terminated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
