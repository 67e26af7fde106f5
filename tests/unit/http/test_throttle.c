/* Unit tests for src/throttle.c: fixed-window failure counting per key in
 * a bounded table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "casereel/throttle.h"

#define WINDOW 900
#define MAX    5
#define T0     1700000000

static int setup(void **state)
{
	struct throttle *t = throttle_new(1024);
	if (!t)
		return -1;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct throttle *t = *state;
	throttle_free(&t);
	return 0;
}

static bool blocked(struct throttle *t, const char *key, int64_t now, int *retry_after)
{
	return throttle_blocked(t, key, now, WINDOW, MAX, retry_after);
}

static void fail_n(struct throttle *t, const char *key, int64_t now, int n)
{
	for (int i = 0; i < n; i++)
		throttle_fail(t, key, now, WINDOW);
}

static void unknown_key_is_not_blocked(void **state)
{
	struct throttle *t = *state;
	int retry = -1;
	assert_false(blocked(t, "alice", T0, &retry));
	assert_int_equal(retry, -1); /* untouched */
}

static void blocks_at_max_failures_not_before(void **state)
{
	struct throttle *t = *state;
	int retry = -1;
	fail_n(t, "alice", T0, MAX - 1);
	assert_false(blocked(t, "alice", T0, &retry));
	throttle_fail(t, "alice", T0, WINDOW);
	assert_true(blocked(t, "alice", T0, &retry));
	assert_int_equal(retry, WINDOW);
}

static void retry_after_is_the_rest_of_the_window(void **state)
{
	struct throttle *t = *state;
	int retry = -1;
	/* the window starts at the first failure, later ones do not move it */
	throttle_fail(t, "bob", T0, WINDOW);
	fail_n(t, "bob", T0 + 100, MAX - 1);
	assert_true(blocked(t, "bob", T0 + 100, &retry));
	assert_int_equal(retry, WINDOW - 100);
	assert_true(blocked(t, "bob", T0 + WINDOW - 1, &retry));
	assert_int_equal(retry, 1);
}

static void window_expiry_unblocks_and_restarts_the_count(void **state)
{
	struct throttle *t = *state;
	int retry = -1;
	fail_n(t, "carol", T0, MAX);
	assert_true(blocked(t, "carol", T0 + WINDOW - 1, &retry));
	assert_false(blocked(t, "carol", T0 + WINDOW, &retry));

	/* a failure after the window opens a new one with a count of 1 */
	throttle_fail(t, "carol", T0 + WINDOW, WINDOW);
	assert_false(throttle_blocked(t, "carol", T0 + WINDOW, WINDOW, 2, &retry));
	throttle_fail(t, "carol", T0 + WINDOW + 10, WINDOW);
	assert_true(throttle_blocked(t, "carol", T0 + WINDOW + 10, WINDOW, 2, &retry));
	assert_int_equal(retry, WINDOW - 10);
}

static void failures_in_old_window_do_not_carry_over(void **state)
{
	struct throttle *t = *state;
	int retry = -1;
	fail_n(t, "dave", T0, MAX - 1);
	fail_n(t, "dave", T0 + WINDOW + 1, MAX - 1);
	assert_false(blocked(t, "dave", T0 + WINDOW + 1, &retry));
}

static void clear_forgets_the_key(void **state)
{
	struct throttle *t = *state;
	int retry = -1;
	fail_n(t, "erin", T0, MAX);
	assert_true(blocked(t, "erin", T0, &retry));
	throttle_clear(t, "erin");
	assert_false(blocked(t, "erin", T0, &retry));
	/* counting starts over from zero */
	fail_n(t, "erin", T0, MAX - 1);
	assert_false(blocked(t, "erin", T0, &retry));
	throttle_clear(t, "never-seen"); /* harmless */
}

static void keys_are_independent(void **state)
{
	struct throttle *t = *state;
	int retry = -1;
	fail_n(t, "frank", T0, MAX);
	fail_n(t, "grace", T0, MAX - 1);
	assert_true(blocked(t, "frank", T0, &retry));
	assert_false(blocked(t, "grace", T0, &retry));
	assert_false(blocked(t, "frank2", T0, &retry));
	assert_false(blocked(t, "Frank", T0, &retry)); /* keys are exact bytes */
	throttle_clear(t, "grace");
	assert_true(blocked(t, "frank", T0, &retry));
}

static void small_table_stays_correct_after_many_keys(void **state)
{
	(void)state;
	struct throttle *t = throttle_new(4);
	assert_non_null(t);
	int retry = -1;
	char key[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof key, "user%d", i);
		fail_n(t, key, T0 + i / 100, MAX);
	}
	/* the key under test counts from zero and blocks at exactly MAX */
	fail_n(t, "target", T0 + 200, MAX - 1);
	assert_false(blocked(t, "target", T0 + 200, &retry));
	throttle_fail(t, "target", T0 + 200, WINDOW);
	assert_true(blocked(t, "target", T0 + 200, &retry));
	assert_int_equal(retry, WINDOW);
	/* keys never failed are not blocked by someone else's entry */
	assert_false(blocked(t, "fresh", T0 + 200, &retry));
	throttle_free(&t);
	assert_null(t);
}

static void newest_key_survives_in_a_full_table(void **state)
{
	(void)state;
	/* the stalest entry is overwritten, so a key failing now keeps its
	 * count while older keys come and go */
	struct throttle *t = throttle_new(8);
	assert_non_null(t);
	int retry = -1;
	char key[32];
	for (int i = 0; i < 64; i++) {
		snprintf(key, sizeof key, "old%d", i);
		throttle_fail(t, key, T0 + i, WINDOW);
	}
	for (int i = 0; i < MAX; i++) {
		throttle_fail(t, "target", T0 + 100 + i, WINDOW);
		snprintf(key, sizeof key, "other%d", i);
		throttle_fail(t, key, T0 + 100 + i, WINDOW);
	}
	assert_true(blocked(t, "target", T0 + 100 + MAX, &retry));
	assert_int_equal(retry, WINDOW - MAX);
	throttle_free(&t);
}

/* Regression: clearing another key in the same probe run must not let the
 * next failure of `target` start a second entry that shadows its count
 * (a guesser would get fresh attempts). Two slots put both keys in one probe run;
 * the hash key is random per table, so try many tables: the keys share a
 * home slot in half of them. */
static void clear_of_other_key_keeps_count(void **state)
{
	(void)state;
	int retry = -1;
	bool all_blocked = true;
	char other[32];
	for (int i = 0; i < 64 && all_blocked; i++) {
		struct throttle *t = throttle_new(2);
		assert_non_null(t);
		snprintf(other, sizeof other, "other%d", i);
		throttle_fail(t, other, T0, WINDOW);
		fail_n(t, "target", T0, MAX - 1);
		throttle_clear(t, other);
		throttle_fail(t, "target", T0, WINDOW);
		all_blocked = blocked(t, "target", T0, &retry);
		throttle_free(&t);
	}
	assert_true(all_blocked);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(unknown_key_is_not_blocked),
		T(blocks_at_max_failures_not_before),
		T(retry_after_is_the_rest_of_the_window),
		T(window_expiry_unblocks_and_restarts_the_count),
		T(failures_in_old_window_do_not_carry_over),
		T(clear_forgets_the_key),
		T(keys_are_independent),
		cmocka_unit_test(small_table_stays_correct_after_many_keys),
		cmocka_unit_test(newest_key_survives_in_a_full_table),
		cmocka_unit_test(clear_of_other_key_keeps_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
