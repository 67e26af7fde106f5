/* Unit tests for src/http/rate_limit.c: per-user token buckets with a
 * burst, a steady refill, an honest Retry-After, and threads sharing them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "casereel/rate_limit.h"

#define T0 1700000000000LL /* ms */

static const struct cr_rate ten_per_minute = {.burst = 5, .per_minute = 10};

static int setup(void **state)
{
	struct rate_limits *rl = rate_limits_new();
	*state = rl;
	return rl ? 0 : -1;
}

static int teardown(void **state)
{
	struct rate_limits *rl = *state;
	rate_limits_free(&rl);
	return 0;
}

static int take(struct rate_limits *rl, int64_t user, int64_t now_ms)
{
	return rate_limits_take(rl, user, CR_RATE_COMMENTS, ten_per_minute, now_ms);
}

static void a_burst_passes_then_the_next_waits_for_one_token(void **state)
{
	struct rate_limits *rl = *state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(take(rl, 7, T0), 0);
	/* one token every 6 s */
	assert_int_equal(take(rl, 7, T0), 6);
	assert_int_equal(take(rl, 7, T0 + 1500), 5);
	assert_int_equal(take(rl, 7, T0 + 6000), 0);
	assert_int_equal(take(rl, 7, T0 + 6000), 6);
}

static void a_refused_take_spends_nothing(void **state)
{
	struct rate_limits *rl = *state;
	for (int i = 0; i < 5; i++)
		take(rl, 7, T0);
	for (int i = 0; i < 100; i++)
		assert_int_not_equal(take(rl, 7, T0 + 1000), 0);
	assert_int_equal(take(rl, 7, T0 + 6000), 0);
}

static void the_steady_rate_is_never_refused(void **state)
{
	struct rate_limits *rl = *state;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(take(rl, 7, T0 + (int64_t)i * 6000), 0);
}

static void an_idle_bucket_fills_to_the_burst_and_no_more(void **state)
{
	struct rate_limits *rl = *state;
	for (int i = 0; i < 5; i++)
		take(rl, 7, T0);
	int64_t later = T0 + 3600 * 1000;
	for (int i = 0; i < 5; i++)
		assert_int_equal(take(rl, 7, later), 0);
	assert_int_not_equal(take(rl, 7, later), 0);
}

static void users_and_kinds_have_their_own_buckets(void **state)
{
	struct rate_limits *rl = *state;
	for (int i = 0; i < 5; i++)
		take(rl, 7, T0);
	assert_int_not_equal(take(rl, 7, T0), 0);
	assert_int_equal(take(rl, 8, T0), 0);
	assert_int_equal(rate_limits_take(rl, 7, CR_RATE_LIKES, ten_per_minute, T0), 0);
}

static void no_limit_when_the_rate_is_zero(void **state)
{
	struct rate_limits *rl = *state;
	for (int i = 0; i < 10000; i++)
		assert_int_equal(rate_limits_take(rl, 7, CR_RATE_VIEWS, (struct cr_rate){0, 0}, T0),
				 0);
}

/* 100,000 users in a table of 65,536 slots: the newest keep their state. */
static void a_full_table_keeps_limiting_recent_users(void **state)
{
	struct rate_limits *rl = *state;
	for (int64_t u = 1; u <= 100000; u++)
		take(rl, u, T0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(take(rl, 100000, T0), 0);
	assert_int_not_equal(take(rl, 100000, T0), 0);
}

struct racer {
	struct rate_limits *rl;
	int allowed;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	for (int i = 0; i < 1000; i++)
		if (take(r->rl, 42, T0) == 0)
			r->allowed++;
	return NULL;
}

static void threads_together_get_the_burst_and_no_more(void **state)
{
	struct racer racers[8];
	pthread_t th[8];
	for (int i = 0; i < 8; i++) {
		racers[i] = (struct racer){.rl = *state};
		pthread_create(&th[i], NULL, race, &racers[i]);
	}
	int allowed = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		allowed += racers[i].allowed;
	}
	assert_int_equal(allowed, 5);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(a_burst_passes_then_the_next_waits_for_one_token),
		T(a_refused_take_spends_nothing),
		T(the_steady_rate_is_never_refused),
		T(an_idle_bucket_fills_to_the_burst_and_no_more),
		T(users_and_kinds_have_their_own_buckets),
		T(no_limit_when_the_rate_is_zero),
		T(a_full_table_keeps_limiting_recent_users),
		T(threads_together_get_the_burst_and_no_more),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
