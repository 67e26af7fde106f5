/* Unit tests for src/core/clock.c: the real time by default; set, advance
 * and reset move it for every thread at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "casereel/clock.h"

/* Milliseconds of real time a test step may take on a loaded machine. */
#define SLACK_MS 2000

static int reset(void **state)
{
	(void)state;
	cr_clock_reset();
	return 0;
}

static void test_real_time_by_default(void **state)
{
	(void)state;
	int64_t before = (int64_t)time(NULL);
	int64_t now = cr_now();
	int64_t after = (int64_t)time(NULL);
	assert_true(now >= before && now <= after);
	assert_int_equal(cr_clock_offset_ms(), 0);
	int64_t ms = cr_now_ms();
	assert_true(ms / 1000 >= before && ms / 1000 <= after + 1);
}

static void test_set_then_runs_on(void **state)
{
	(void)state;
	cr_clock_set(1700000000000);
	int64_t ms = cr_now_ms();
	assert_true(ms >= 1700000000000 && ms < 1700000000000 + SLACK_MS);
	assert_true(cr_now() >= 1700000000 && cr_now() < 1700000000 + SLACK_MS / 1000 + 1);
	/* the seconds are the milliseconds, floored */
	cr_clock_set(1700000000999);
	int64_t s = cr_now();
	assert_true(s == 1700000000 || s == 1700000001);
}

static void test_advance_adds_up(void **state)
{
	(void)state;
	cr_clock_set(1000000000000);
	cr_clock_advance(2500);
	cr_clock_advance(86400 * 1000LL);
	int64_t want = 1000000000000 + 2500 + 86400 * 1000LL;
	assert_true(cr_now_ms() >= want && cr_now_ms() < want + SLACK_MS);
	cr_clock_advance(-86400 * 1000LL);
	assert_true(cr_now_ms() >= want - 86400 * 1000LL && cr_now_ms() < want);
}

static void test_times_before_1970_floor(void **state)
{
	(void)state;
	cr_clock_set(-1500);
	int64_t s = cr_now();
	/* floored, not truncated towards zero: -1.5 s is second -2 */
	assert_true(s * 1000 <= cr_now_ms());
	assert_true(s >= -2 && s <= SLACK_MS / 1000);
}

static void test_reset_returns_to_real_time(void **state)
{
	(void)state;
	cr_clock_advance(3600 * 1000LL);
	assert_true(cr_now() >= (int64_t)time(NULL) + 3599);
	cr_clock_reset();
	assert_int_equal(cr_clock_offset_ms(), 0);
	int64_t d = cr_now() - (int64_t)time(NULL);
	assert_true(d >= -1 && d <= 1);
}

static void *read_clock(void *arg)
{
	*(int64_t *)arg = cr_now();
	return NULL;
}

static void test_other_threads_see_the_moved_clock(void **state)
{
	(void)state;
	cr_clock_set(2000000000000);
	int64_t seen = 0;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, read_clock, &seen), 0);
	pthread_join(t, NULL);
	assert_true(seen >= 2000000000 && seen < 2000000000 + SLACK_MS / 1000 + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_real_time_by_default, reset),
		cmocka_unit_test_teardown(test_set_then_runs_on, reset),
		cmocka_unit_test_teardown(test_advance_adds_up, reset),
		cmocka_unit_test_teardown(test_times_before_1970_floor, reset),
		cmocka_unit_test_teardown(test_reset_returns_to_real_time, reset),
		cmocka_unit_test_teardown(test_other_threads_see_the_moved_clock, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
