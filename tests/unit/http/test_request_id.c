/* Unit tests for src/http/request_id.c: which client ids are kept, and what
 * a made one looks like. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "http/request_id.h"

static void sane_ids_are_kept_as_sent(void **state)
{
	(void)state;
	char out[REQUEST_ID_CHARS], longest[REQUEST_ID_MAX + 1];
	request_id_pick("abc-123", out);
	assert_string_equal(out, "abc-123");
	request_id_pick("Az09._:-", out);
	assert_string_equal(out, "Az09._:-");
	memset(longest, 'x', REQUEST_ID_MAX);
	longest[REQUEST_ID_MAX] = '\0';
	request_id_pick(longest, out);
	assert_string_equal(out, longest);
}

static void other_ids_are_replaced(void **state)
{
	(void)state;
	char too_long[REQUEST_ID_MAX + 2];
	memset(too_long, 'x', REQUEST_ID_MAX + 1);
	too_long[REQUEST_ID_MAX + 1] = '\0';
	const char *bad[] = {"", "a b", "a\nb", "a\"b", "a/b", "caf\xc3\xa9", "x\x7f", too_long};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(request_id_sane(bad[i]));
		char out[REQUEST_ID_CHARS];
		request_id_pick(bad[i], out);
		assert_string_not_equal(out, bad[i]);
		assert_int_equal(strlen(out), 32);
		assert_int_equal(strspn(out, "0123456789abcdef"), 32);
	}
}

static void made_ids_are_random_hex(void **state)
{
	(void)state;
	char a[REQUEST_ID_CHARS], b[REQUEST_ID_CHARS];
	request_id_pick(NULL, a);
	request_id_pick(NULL, b);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "0123456789abcdef"), 32);
	assert_true(request_id_sane(a)); /* what is made would be kept if sent back */
	assert_string_not_equal(a, b);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sane_ids_are_kept_as_sent),
		cmocka_unit_test(other_ids_are_replaced),
		cmocka_unit_test(made_ids_are_random_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
