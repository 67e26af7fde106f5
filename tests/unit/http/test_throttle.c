/* Unit tests for src/http/throttle.c: attempts counted per key in a fixed
 * window of a bounded table (check and count in one step), and the login
 * backoff computed from the count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>

#include "casereel/throttle.h"

#define WINDOW 900
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

static int take_n(struct throttle *t, const char *key, int64_t now, int n)
{
	int count = 0;
	for (int i = 0; i < n; i++)
		count = throttle_take(t, key, now, WINDOW);
	return count;
}

static void each_attempt_gets_the_next_count(void **state)
{
	struct throttle *t = *state;
	assert_int_equal(throttle_take(t, "alice", T0, WINDOW), 1);
	assert_int_equal(throttle_take(t, "alice", T0 + 1, WINDOW), 2);
	assert_int_equal(throttle_take(t, "alice", T0 + WINDOW - 1, WINDOW), 3);
}

static void the_window_starts_at_the_first_attempt_and_then_restarts(void **state)
{
	struct throttle *t = *state;
	take_n(t, "carol", T0, 5);
	assert_int_equal(throttle_take(t, "carol", T0 + WINDOW - 1, WINDOW), 6);
	assert_int_equal(throttle_take(t, "carol", T0 + WINDOW, WINDOW), 1);
}

static void give_back_undoes_one_attempt_in_the_window_only(void **state)
{
	struct throttle *t = *state;
	take_n(t, "dave", T0, 3);
	throttle_give_back(t, "dave", T0 + 10, WINDOW);
	assert_int_equal(throttle_take(t, "dave", T0 + 10, WINDOW), 3);
	/* a new window: nothing to give back, and never below zero */
	throttle_give_back(t, "dave", T0 + WINDOW, WINDOW);
	throttle_give_back(t, "never-seen", T0, WINDOW);
	assert_int_equal(throttle_take(t, "never-seen", T0, WINDOW), 1);
}

static void clear_forgets_the_key(void **state)
{
	struct throttle *t = *state;
	take_n(t, "erin", T0, 9);
	throttle_clear(t, "erin");
	assert_int_equal(throttle_take(t, "erin", T0, WINDOW), 1);
	throttle_clear(t, "never-seen"); /* harmless */
}

static void keys_are_independent(void **state)
{
	struct throttle *t = *state;
	take_n(t, "frank", T0, 5);
	take_n(t, "grace", T0, 2);
	assert_int_equal(throttle_take(t, "frank", T0, WINDOW), 6);
	assert_int_equal(throttle_take(t, "Frank", T0, WINDOW), 1); /* keys are exact bytes */
	assert_int_equal(throttle_take(t, "grace", T0, WINDOW), 3);
}

static void backoff_doubles_past_the_free_attempts_up_to_the_cap(void **state)
{
	(void)state;
	assert_int_equal(throttle_backoff_ms(0, 5, 4000), 0);
	assert_int_equal(throttle_backoff_ms(5, 5, 4000), 0);
	assert_int_equal(throttle_backoff_ms(6, 5, 4000), 1000);
	assert_int_equal(throttle_backoff_ms(7, 5, 4000), 2000);
	assert_int_equal(throttle_backoff_ms(8, 5, 4000), 4000);
	assert_int_equal(throttle_backoff_ms(9, 5, 4000), 4000);
	assert_int_equal(throttle_backoff_ms(1000000, 5, 4000), 4000);
	assert_int_equal(throttle_backoff_ms(7, 5, 1500), 1500);
}

static void small_table_stays_correct_after_many_keys(void **state)
{
	(void)state;
	struct throttle *t = throttle_new(4);
	assert_non_null(t);
	char key[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof key, "user%d", i);
		take_n(t, key, T0 + i / 100, 5);
	}
	/* the key under test counts from zero, not from someone else's entry */
	assert_int_equal(take_n(t, "target", T0 + 200, 5), 5);
	assert_int_equal(throttle_take(t, "fresh", T0 + 200, WINDOW), 1);
	throttle_free(&t);
	assert_null(t);
}

/* Regression: clearing another key in the same probe run must not let the
 * next attempt of `target` start a second entry that shadows its count (a
 * guesser would get fresh attempts). Two slots put both keys in one probe
 * run; the hash key is random per table, so try many tables. */
static void clear_of_other_key_keeps_count(void **state)
{
	(void)state;
	bool all_kept = true;
	char other[32];
	for (int i = 0; i < 64 && all_kept; i++) {
		struct throttle *t = throttle_new(2);
		assert_non_null(t);
		snprintf(other, sizeof other, "other%d", i);
		throttle_take(t, other, T0, WINDOW);
		take_n(t, "target", T0, 4);
		throttle_clear(t, other);
		all_kept = throttle_take(t, "target", T0, WINDOW) == 5;
		throttle_free(&t);
	}
	assert_true(all_kept);
}

#define RACERS 16
#define ROUNDS 500

struct racer {
	struct throttle *t;
	int seen[ROUNDS];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	for (int i = 0; i < ROUNDS; i++)
		r->seen[i] = throttle_take(r->t, "target", T0, WINDOW);
	return NULL;
}

/* The count is checked and taken in one step: parallel attempts never see
 * the same count, so no more of them get under a limit than the limit. */
static void parallel_attempts_each_see_a_different_count(void **state)
{
	struct throttle *t = *state;
	static struct racer racers[RACERS];
	pthread_t th[RACERS];
	for (int i = 0; i < RACERS; i++) {
		racers[i].t = t;
		assert_int_equal(pthread_create(&th[i], NULL, race, &racers[i]), 0);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(th[i], NULL);
	static bool seen[RACERS * ROUNDS + 1];
	for (int i = 0; i < RACERS; i++)
		for (int j = 0; j < ROUNDS; j++) {
			int c = racers[i].seen[j];
			assert_true(c >= 1 && c <= RACERS * ROUNDS);
			assert_false(seen[c]);
			seen[c] = true;
		}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(each_attempt_gets_the_next_count),
		T(the_window_starts_at_the_first_attempt_and_then_restarts),
		T(give_back_undoes_one_attempt_in_the_window_only),
		T(clear_forgets_the_key),
		T(keys_are_independent),
		cmocka_unit_test(backoff_doubles_past_the_free_attempts_up_to_the_cap),
		cmocka_unit_test(small_table_stays_correct_after_many_keys),
		cmocka_unit_test(clear_of_other_key_keeps_count),
		T(parallel_attempts_each_see_a_different_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
