/* Unit tests for the calendar rules of src/points.c: the day of an instant
 * in the configured zone, the day before (across month, year and DST
 * changes), streak continuation and the capped bonus table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <time.h>

#include "casereel/points.h"

static void use_zone(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
}

static void test_day_boundary_in_zone(void **state)
{
	(void)state;
	char day[POINTS_DAY_LEN];
	const time_t shanghai_midnight = 1699977600; /* 2023-11-15 00:00 +08 = 11-14 16:00 UTC */
	use_zone("Asia/Shanghai");
	points_day(shanghai_midnight - 1, day);
	assert_string_equal(day, "2023-11-14");
	points_day(shanghai_midnight, day);
	assert_string_equal(day, "2023-11-15");
	use_zone("UTC");
	points_day(shanghai_midnight, day);
	assert_string_equal(day, "2023-11-14");
	points_day(shanghai_midnight + 8 * 3600 - 1, day);
	assert_string_equal(day, "2023-11-14");
	points_day(shanghai_midnight + 8 * 3600, day);
	assert_string_equal(day, "2023-11-15");
}

static void test_prev_day(void **state)
{
	(void)state;
	char day[POINTS_DAY_LEN];
	use_zone("America/New_York");
	points_prev_day("2024-03-11", day); /* the day after the spring DST change */
	assert_string_equal(day, "2024-03-10");
	points_prev_day("2024-11-04", day); /* the day after the autumn change */
	assert_string_equal(day, "2024-11-03");
	points_prev_day("2024-03-01", day);
	assert_string_equal(day, "2024-02-29");
	points_prev_day("2024-01-01", day);
	assert_string_equal(day, "2023-12-31");
}

static void test_streaks(void **state)
{
	(void)state;
	use_zone("Asia/Shanghai");
	assert_int_equal(points_next_streak(NULL, 0, "2024-03-01"), 1);
	assert_int_equal(points_next_streak("", 0, "2024-03-01"), 1);
	assert_int_equal(points_next_streak("2024-02-29", 3, "2024-03-01"), 4);
	assert_int_equal(points_next_streak("2024-02-28", 3, "2024-03-01"), 1);
	assert_int_equal(points_next_streak("2023-12-31", 9, "2024-01-01"), 10);
}

static void test_bonus_table(void **state)
{
	(void)state;
	json_t *table = json_pack("[i, i, i]", 5, 6, 10);
	json_t *empty = json_array();
	assert_int_equal(points_streak_bonus(table, 1), 5);
	assert_int_equal(points_streak_bonus(table, 3), 10);
	assert_int_equal(points_streak_bonus(table, 365), 10); /* capped at the last entry */
	assert_int_equal(points_streak_bonus(table, 0), 0);
	assert_int_equal(points_streak_bonus(empty, 1), 0);
	json_decref(table);
	json_decref(empty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_boundary_in_zone),
		cmocka_unit_test(test_prev_day),
		cmocka_unit_test(test_streaks),
		cmocka_unit_test(test_bonus_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
