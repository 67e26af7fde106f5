/* Unit tests for src/core/histogram.c and src/core/ops_stats.c: bucket
 * boundaries and cumulative reads, counts from many threads, failure
 * codes with their overflow slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "casereel/histogram.h"
#include "casereel/ops_stats.h"

static const double le[] = {0.001, 0.1, 1};

static void histogram_places_on_inclusive_upper_bounds(void **state)
{
	(void)state;
	struct histogram h = {.le = le, .n = 3};
	histogram_observe(&h, 1000);    /* 0.001 s: le="0.001" (bounds are inclusive) */
	histogram_observe(&h, 1001);    /* just over: le="0.1" */
	histogram_observe(&h, 1000000); /* 1 s */
	histogram_observe(&h, 5000000); /* 5 s: +Inf only */
	struct histogram_read r;
	histogram_read(&h, &r);
	assert_int_equal(r.cumulative[0], 1);
	assert_int_equal(r.cumulative[1], 2);
	assert_int_equal(r.cumulative[2], 3);
	assert_int_equal(r.cumulative[3], 4);
	assert_int_equal(r.count, 4);
	assert_true(r.sum > 6.001999 && r.sum < 6.002003);
}

static void *count_a_lot(void *arg)
{
	struct histogram *h = arg;
	for (int i = 0; i < 100000; i++) {
		ops_count(OPS_MEDIA_BYTES, 3);
		histogram_observe(h, 50000);
	}
	return NULL;
}

static void counts_from_threads_add_up(void **state)
{
	(void)state;
	struct histogram h = {.le = le, .n = 3};
	uint64_t before = ops_counter_value(OPS_MEDIA_BYTES);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, count_a_lot, &h), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(ops_counter_value(OPS_MEDIA_BYTES) - before, 4 * 100000 * 3);
	struct histogram_read r;
	histogram_read(&h, &r);
	assert_int_equal(r.count, 400000);
	assert_int_equal(r.cumulative[1] - r.cumulative[0], 400000); /* 0.05 s */
}

static uint64_t failures_of(const char *code)
{
	struct ops_failure f[OPS_FAILURE_CODES];
	size_t n = ops_transcode_failures(f, OPS_FAILURE_CODES);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].code, code))
			return f[i].count;
	return 0;
}

static void failures_count_by_code_and_overflow_into_other(void **state)
{
	(void)state;
	ops_transcode_failed("unsupported");
	ops_transcode_failed("unsupported");
	ops_transcode_failed("time-limit");
	ops_transcode_failed(NULL); /* no code: internal */
	assert_int_equal(failures_of("unsupported"), 2);
	assert_int_equal(failures_of("time-limit"), 1);
	assert_int_equal(failures_of("internal"), 1);
	char code[OPS_CODE_CHARS];
	for (int i = 0; i < 2 * OPS_FAILURE_CODES; i++) {
		snprintf(code, sizeof code, "code-%d", i);
		ops_transcode_failed(code);
	}
	struct ops_failure f[OPS_FAILURE_CODES];
	assert_int_equal(ops_transcode_failures(f, OPS_FAILURE_CODES), OPS_FAILURE_CODES);
	uint64_t total = 0;
	for (size_t i = 0; i < OPS_FAILURE_CODES; i++)
		total += f[i].count;
	assert_int_equal(total, 4 + 2 * OPS_FAILURE_CODES); /* nothing lost */
	assert_true(failures_of("other") > 0);
	ops_transcode_failed("unsupported"); /* known codes keep their own line */
	assert_int_equal(failures_of("unsupported"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(histogram_places_on_inclusive_upper_bounds),
		cmocka_unit_test(counts_from_threads_add_up),
		cmocka_unit_test(failures_count_by_code_and_overflow_into_other),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
