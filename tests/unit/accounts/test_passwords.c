/* Unit tests for src/accounts/passwords.c: the policy for new passwords
 * (length, libcrack2's dictionary, the username) and its refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "casereel/passwords.h"

static struct cr_config cfg;

static int setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	char err[256];
	return passwords_init(&cfg, err, sizeof err) == CR_OK ? 0 : -1;
}

static void refused(const char *password, const char *username)
{
	struct cr_problem why = {0};
	assert_int_equal(passwords_check(&cfg, password, username, "password", &why), CR_EINVAL);
	assert_string_equal(why.type, "weak-password");
	assert_string_equal(why.field, "password");
	assert_non_null(strstr(why.detail, "password: "));
}

static void accepted(const char *password, const char *username)
{
	struct cr_problem why = {0};
	assert_int_equal(passwords_check(&cfg, password, username, "password", &why), CR_OK);
}

static void shorter_than_ten_characters_is_refused(void **state)
{
	(void)state;
	refused("demo1234", NULL); /* the demo seed's: fine to log in with, not to set */
	refused("kX9#mP2v", NULL);
	refused("猫狗鸟鱼虎龙蛇马羊", NULL); /* 9 characters, 27 bytes */
	accepted("猫狗鸟鱼虎龙蛇马羊猴", NULL);
}

static void dictionary_words_and_patterns_are_refused(void **state)
{
	(void)state;
	refused("password123", NULL);
	refused("qwertyuiop1", NULL);
	refused("1234567890", NULL);
	refused("aaaaaaaaaaaa", NULL);
}

static void the_username_is_refused(void **state)
{
	(void)state;
	refused("agent1agent1", "agent1");
	accepted("agent1agent1", "trainer1");
}

static void long_unrelated_words_pass(void **state)
{
	(void)state;
	accepted("kX9#mP2vLq", NULL);
	accepted("violet-ferry-42-lamp", "agent1");
}

static void too_long_or_not_utf8_is_refused(void **state)
{
	(void)state;
	char big[PASSWORD_MAX_BYTES + 2];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	refused(big, NULL);
	refused("kX9#mP2vLq\xff", NULL);
}

static void an_unreadable_dictionary_stops_the_server(void **state)
{
	(void)state;
	struct cr_config bad = cfg;
	strcpy(bad.password_dict, "/nonexistent/cracklib_dict");
	char err[256] = "";
	assert_int_equal(passwords_init(&bad, err, sizeof err), CR_EIO);
	assert_non_null(strstr(err, "/nonexistent/cracklib_dict.pwd"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shorter_than_ten_characters_is_refused),
		cmocka_unit_test(dictionary_words_and_patterns_are_refused),
		cmocka_unit_test(the_username_is_refused),
		cmocka_unit_test(long_unrelated_words_pass),
		cmocka_unit_test(too_long_or_not_utf8_is_refused),
		cmocka_unit_test(an_unreadable_dictionary_stops_the_server),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
