/* Unit tests for src/accounts/integration_tokens.c: a token works only with
 * its scope, only until revoked, is stored only as a hash, and is listed
 * without its secret. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/integration_tokens.h"
#include "casereel/store.h"
#include "../test_db.h"

static int group_setup(void **state)
{
	(void)state;
	if (test_db_open(NULL))
		return -1;
	return store_exec("INSERT INTO users(id, username, display_name, role, password_hash,"
			  " created_at) VALUES (1, 'boss', 'Boss', 'admin', 'x', 0);") == CR_OK
		       ? 0
		       : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return test_db_close();
}

static void test_token_lifecycle(void **state)
{
	(void)state;
	char token[INTEGRATION_TOKEN_CHARS];
	int64_t id, seen = 0;
	assert_int_equal(
		integration_token_create("wfm nightly", INTEGRATION_SCOPE_METRICS, 1, &id, token),
		CR_OK);
	assert_true(integration_token_shaped(token));
	assert_int_equal(strlen(token), INTEGRATION_TOKEN_CHARS - 1);
	assert_int_equal(integration_token_check(token, INTEGRATION_SCOPE_METRICS, &seen), CR_OK);
	assert_int_equal(seen, id);
	assert_int_equal(integration_token_check(token, "users:write", &seen), CR_EAUTH);

	char forged[INTEGRATION_TOKEN_CHARS];
	memcpy(forged, token, sizeof forged);
	forged[10] = forged[10] == 'A' ? 'B' : 'A';
	assert_int_equal(integration_token_check(forged, INTEGRATION_SCOPE_METRICS, &seen),
			 CR_EAUTH);
	assert_int_equal(integration_token_check("cri_short", INTEGRATION_SCOPE_METRICS, &seen),
			 CR_EAUTH);
	assert_int_equal(integration_token_check(NULL, INTEGRATION_SCOPE_METRICS, &seen), CR_EAUTH);

	/* the list never shows the secret */
	json_t *list;
	assert_int_equal(integration_tokens_json(&list), CR_OK);
	assert_int_equal(json_array_size(list), 1);
	char *text = json_dumps(list, 0);
	assert_null(strstr(text, token + 4));
	free(text);
	json_t *first = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(first, "name")), "wfm nightly");
	assert_true(json_is_integer(json_object_get(first, "last_used_at")));
	json_decref(list);

	assert_int_equal(integration_token_revoke(id), CR_OK);
	assert_int_equal(integration_token_revoke(id), CR_ECONFLICT);
	assert_int_equal(integration_token_revoke(999), CR_ENOTFOUND);
	assert_int_equal(integration_token_check(token, INTEGRATION_SCOPE_METRICS, &seen),
			 CR_EAUTH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_lifecycle),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
