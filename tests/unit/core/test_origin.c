/* Unit tests for origins as settings (include/casereel/origin.h): only
 * what a browser sends in an Origin header is accepted, lists match
 * exactly, and "*" is refused for the API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "casereel/origin.h"

static bool valid(const char *s)
{
	return origin_valid(s, strlen(s));
}

static void browser_origins_are_valid(void **state)
{
	(void)state;
	const char *good[] = {"https://app.example.com", "http://127.0.0.1:8080",
			      "http://localhost:3000",   "https://a-b.c9.example",
			      "http://[::1]:8080",       "https://cdn.example.com:8443"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(valid(good[i]));
}

static void other_strings_are_not(void **state)
{
	(void)state;
	const char *bad[] = {"",
			     "*",
			     "null",
			     "app.example.com",
			     "ftp://app.example.com",
			     "https://",
			     "https://app.example.com/",
			     "https://app.example.com/app",
			     "https://app.example.com?x",
			     "https://APP.example.com",
			     "HTTPS://app.example.com",
			     "https://app.example.com:443",
			     "http://app.example.com:80",
			     "https://app.example.com:0",
			     "https://app.example.com:08080",
			     "https://app.example.com:65536",
			     "https://app.example.com:",
			     "https://-app.example.com",
			     "https://app-.example.com",
			     "https://app..example.com",
			     "https://.example.com",
			     "https://user@app.example.com",
			     "https://app example.com",
			     "http://[::1",
			     "http://[zz]:80"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (valid(bad[i]))
			fail_msg("accepted '%s'", bad[i]);
}

static void lists_match_exactly(void **state)
{
	(void)state;
	const char *list = "https://app.example.com, http://127.0.0.1:8080 ,https://b.example";
	assert_true(origin_listed(list, "https://app.example.com"));
	assert_true(origin_listed(list, "http://127.0.0.1:8080"));
	assert_true(origin_listed(list, "https://b.example"));
	assert_false(origin_listed(list, "https://app.example.co"));
	assert_false(origin_listed(list, "https://app.example.com.evil.example"));
	assert_false(origin_listed(list, "http://app.example.com"));
	assert_false(origin_listed(list, ""));
	assert_false(origin_listed(list, NULL));
	assert_false(origin_listed("", "https://app.example.com"));
}

static void settings_are_checked_at_start(void **state)
{
	(void)state;
	char err[512];
	assert_int_equal(origin_check_settings("", "", err, sizeof err), CR_OK);
	assert_int_equal(origin_check_settings("https://a.example, https://b.example",
					       "https://cdn.example.com", err, sizeof err),
			 CR_OK);
	assert_int_equal(origin_check_settings("*", "", err, sizeof err), CR_EINVAL);
	assert_non_null(strstr(err, "'*' is not allowed"));
	assert_int_equal(origin_check_settings("https://a.example,", "", err, sizeof err),
			 CR_EINVAL);
	assert_int_equal(
		origin_check_settings("https://a.example,,https://b.example", "", err, sizeof err),
		CR_EINVAL);
	assert_int_equal(origin_check_settings("https://a.example/x", "", err, sizeof err),
			 CR_EINVAL);
	assert_non_null(strstr(err, "'https://a.example/x'"));
	assert_int_equal(origin_check_settings("", "https://cdn.example.com/", err, sizeof err),
			 CR_EINVAL);
	assert_non_null(strstr(err, "--media-base-url"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(browser_origins_are_valid),
		cmocka_unit_test(other_strings_are_not),
		cmocka_unit_test(lists_match_exactly),
		cmocka_unit_test(settings_are_checked_at_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
