/* Unit tests for src/auth.c's session cache: a logout is final at once,
 * also against lookups that were reading the session while it happened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "casereel/auth.h"
#include "casereel/config.h"
#include "casereel/store.h"

static char dir[] = "/tmp/casereel-auth-XXXXXX";
static char db_path[sizeof dir + 32];
static struct cr_config cfg;

static int group_setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	if (!mkdtemp(dir))
		return -1;
	snprintf(db_path, sizeof db_path, "%s/test.db", dir);
	if (store_init(db_path) || auth_init())
		return -1;
	return store_exec("INSERT INTO users(id, username, display_name, role, password_hash, "
			  "created_at)"
			  " VALUES (1, 'agent1', 'Agent One', 'agent', 'x', 0)")
		       ? -1
		       : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	store_close_thread();
	char cmd[sizeof dir + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct looker {
	const char *token;
	atomic_bool stop;
};

/* Resolves the token over and over, as other requests of the same phone
 * would while its owner logs out. */
static void *look_up_until_stopped(void *arg)
{
	struct looker *l = arg;
	struct cr_user user;
	while (!atomic_load(&l->stop))
		(void)auth_session_user(l->token, &user);
	store_close_thread();
	return NULL;
}

static void test_logout_is_final_despite_lookups_in_flight(void **state)
{
	(void)state;
	int stale = 0;
	for (int round = 0; round < 300; round++) {
		char token[AUTH_TOKEN_CHARS];
		int64_t expires_at;
		struct cr_user user;
		assert_int_equal(auth_session_create(&cfg, 1, token, &expires_at), CR_OK);
		assert_int_equal(auth_session_user(token, &user), CR_OK);
		struct looker l = {.token = token};
		pthread_t t[2];
		for (int i = 0; i < 2; i++)
			assert_int_equal(pthread_create(&t[i], NULL, look_up_until_stopped, &l), 0);
		usleep(200);
		assert_int_equal(auth_session_revoke(token), CR_OK);
		usleep(500); /* let the lookups that read the row before the delete finish */
		if (auth_session_user(token, &user) == CR_OK)
			stale++;
		atomic_store(&l.stop, true);
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		if (auth_session_user(token, &user) == CR_OK)
			stale++;
	}
	assert_int_equal(stale, 0);
}

static void test_revoking_a_user_ends_every_session(void **state)
{
	(void)state;
	char a[AUTH_TOKEN_CHARS], b[AUTH_TOKEN_CHARS];
	int64_t expires_at;
	struct cr_user user;
	assert_int_equal(auth_session_create(&cfg, 1, a, &expires_at), CR_OK);
	assert_int_equal(auth_session_create(&cfg, 1, b, &expires_at), CR_OK);
	assert_int_equal(auth_session_user(a, &user), CR_OK);
	assert_int_equal(user.id, 1);
	assert_int_equal(auth_sessions_revoke_user(1), CR_OK);
	assert_int_equal(auth_session_user(a, &user), CR_EAUTH);
	assert_int_equal(auth_session_user(b, &user), CR_EAUTH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logout_is_final_despite_lookups_in_flight),
		cmocka_unit_test(test_revoking_a_user_ends_every_session),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
