/* Unit tests for the user JSON (src/accounts/users.c) and the /me summary
 * (src/accounts/me.c): skill tags come out in the order SQLite collates
 * tags.name, however many there are, and the check-in streak follows the
 * clock from one call to the next. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/me.h"
#include "casereel/store.h"
#include "casereel/users.h"

static char dir[] = "/tmp/casereel-users-XXXXXX";
static char db_path[sizeof dir + 32];

/* Tag names chosen so that a byte order, a case-folded order and the
 * insertion order all differ; one is not ASCII. */
static const char *const names[] = {"billing", "Apple", "zeta", "Refunds", "\xc3\x89mile",
				    "apricot", "B2B",   "_x",   "Zulu"};
#define NNAMES (sizeof names / sizeof names[0])

static int group_setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	if (!mkdtemp(dir))
		return -1;
	snprintf(db_path, sizeof db_path, "%s/test.db", dir);
	if (store_init(db_path))
		return -1;
	if (store_exec("INSERT INTO teams(id, name, created_at) VALUES (1, 'Billing', 0);"
		       "INSERT INTO users(id, username, display_name, role, team_id, password_hash,"
		       " created_at) VALUES (1, 'agent1', 'Agent One', 'agent', 1, 'x', 0),"
		       " (2, 'agent2', 'Agent Two', 'agent', NULL, 'x', 0),"
		       " (3, 'agent3', 'Agent Three', 'agent', NULL, 'x', 0)"))
		return -1;
	sqlite3_stmt *st =
		store_stmt("INSERT INTO tags(name, label, created_at) VALUES (?1, ?1, 0)");
	for (size_t i = 0; st && i < NNAMES; i++) {
		sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
		if (store_run(st, "tag"))
			return -1;
	}
	/* 150 more, for a user with more tags than a small list holds */
	return !st || store_exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
				 " WHERE i < 150) INSERT INTO tags(name, label, created_at)"
				 " SELECT printf('t%03d', (i * 37) % 151), 'x', 0 FROM n")
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

/* The names of user `id`'s tags of `kind` as SQLite orders them, as JSON text. */
static char *expected(int64_t id, const char *kind)
{
	sqlite3_stmt *st = store_stmt("SELECT json_group_array(name) FROM (SELECT t.name"
				      " FROM user_tags ut JOIN tags t ON t.id = ut.tag_id"
				      " WHERE ut.user_id = ?1 AND ut.kind = ?2 ORDER BY t.name)");
	assert_non_null(st);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	char *text = strdup((const char *)sqlite3_column_text(st, 0));
	store_done(st);
	return text;
}

static void assert_tags_in_sql_order(const json_t *user, int64_t id)
{
	static const struct {
		const char *kind, *member;
	} lists[] = {{"interest", "interests"}, {"weak", "weak_skills"}};
	for (size_t i = 0; i < 2; i++) {
		char *want = expected(id, lists[i].kind);
		char *got = json_dumps(json_object_get(user, lists[i].member), JSON_COMPACT);
		assert_non_null(got);
		assert_string_equal(got, want);
		free(want);
		free(got);
	}
}

static void test_tags_come_in_collation_order(void **state)
{
	(void)state;
	/* every name as an interest; every other one also as a weak skill */
	assert_int_equal(store_exec("INSERT INTO user_tags(user_id, tag_id, kind)"
				    " SELECT 1, id, 'interest' FROM tags WHERE id <= 9;"
				    "INSERT INTO user_tags(user_id, tag_id, kind)"
				    " SELECT 1, id, 'weak' FROM tags WHERE id <= 9 AND id % 2 = 1"),
			 CR_OK);
	json_t *user = NULL;
	assert_int_equal(users_get_json(1, &user), CR_OK);
	assert_int_equal(json_array_size(json_object_get(user, "interests")), NNAMES);
	assert_int_equal(json_array_size(json_object_get(user, "weak_skills")), 5);
	assert_string_equal(
		json_string_value(json_array_get(json_object_get(user, "interests"), 0)), "_x");
	assert_tags_in_sql_order(user, 1);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(user, "team"), "name")),
		"Billing");
	json_decref(user);
}

static void test_many_tags_and_none(void **state)
{
	(void)state;
	assert_int_equal(
		store_exec("INSERT INTO user_tags(user_id, tag_id, kind)"
			   " SELECT 2, id, CASE WHEN id % 3 THEN 'interest' ELSE 'weak' END"
			   " FROM tags"),
		CR_OK);
	json_t *list = NULL;
	assert_int_equal(users_list_json(0, 10, 0, NULL, &list), CR_OK);
	assert_int_equal(json_array_size(list), 3);
	json_t *two = json_array_get(list, 1), *three = json_array_get(list, 2);
	assert_int_equal(json_array_size(json_object_get(two, "interests")) +
				 json_array_size(json_object_get(two, "weak_skills")),
			 NNAMES + 150);
	assert_tags_in_sql_order(two, 2);
	assert_int_equal(json_array_size(json_object_get(three, "interests")), 0);
	assert_int_equal(json_array_size(json_object_get(three, "weak_skills")), 0);
	assert_true(json_is_null(json_object_get(three, "team")));
	json_decref(list);
}

static void assert_streak(time_t now, int streak, bool today)
{
	json_t *me = NULL;
	assert_int_equal(me_json(3, now, &me), CR_OK);
	assert_int_equal(json_integer_value(json_object_get(me, "streak")), streak);
	assert_true(json_is_boolean(json_object_get(me, "checked_in_today")));
	assert_int_equal(json_is_true(json_object_get(me, "checked_in_today")), today);
	assert_string_equal(json_string_value(json_object_get(me, "username")), "agent3");
	json_decref(me);
}

static void test_me_streak_follows_the_clock(void **state)
{
	(void)state;
	/* checked in on 2026-03-01 (UTC), third day of a streak */
	assert_int_equal(store_exec("INSERT INTO checkins(user_id, day, streak, points,"
				    " created_at) VALUES (3, '2026-03-01', 3, 5, 0)"),
			 CR_OK);
	time_t noon = 1772366400; /* 2026-03-01 12:00 UTC */
	assert_streak(noon, 3, true);
	assert_streak(noon, 3, true);                    /* the same second again */
	assert_streak(noon + 11 * 3600 + 3599, 3, true); /* 23:59:59 */
	assert_streak(noon + 12 * 3600, 3, false);       /* the next day: still a streak */
	assert_streak(noon + 86400 + 12 * 3600 - 1, 3, false);
	assert_streak(noon + 86400 + 12 * 3600, 0, false); /* two days on: broken */
	assert_streak(noon, 3, true);                      /* and back */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags_come_in_collation_order),
		cmocka_unit_test(test_many_tags_and_none),
		cmocka_unit_test(test_me_streak_follows_the_clock),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
