/* Unit tests for the video status enum in src/media/videos.c: names and
 * parsing round-trip, and each SQL literal macro spells the same name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "casereel/videos.h"

static const struct {
	enum video_status status;
	const char *name, *sql;
} statuses[] = {
	{VIDEO_PROCESSING, "processing", VIDEO_SQL_PROCESSING},
	{VIDEO_PENDING_REVIEW, "pending_review", VIDEO_SQL_PENDING_REVIEW},
	{VIDEO_PUBLISHED, "published", VIDEO_SQL_PUBLISHED},
	{VIDEO_REJECTED, "rejected", VIDEO_SQL_REJECTED},
	{VIDEO_FAILED, "failed", VIDEO_SQL_FAILED},
	{VIDEO_REMOVED, "removed", VIDEO_SQL_REMOVED},
};
#define N_STATUSES (sizeof statuses / sizeof statuses[0])

static void names_parse_back_and_match_the_sql_literals(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_STATUSES; i++) {
		char quoted[32];
		enum video_status got = (enum video_status) - 1;
		assert_string_equal(video_status_name(statuses[i].status), statuses[i].name);
		assert_int_equal(video_status_parse(statuses[i].name, &got), CR_OK);
		assert_int_equal(got, statuses[i].status);
		snprintf(quoted, sizeof quoted, "'%s'", statuses[i].name);
		assert_string_equal(statuses[i].sql, quoted);
	}
}

static void anything_else_is_refused(void **state)
{
	(void)state;
	enum video_status got = VIDEO_PUBLISHED;
	static const char *const bad[] = {"", "Published", "published ", "'published'", "draft"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(video_status_parse(bad[i], &got), CR_EINVAL);
	assert_int_equal(video_status_parse(NULL, &got), CR_EINVAL);
	assert_int_equal(got, VIDEO_PUBLISHED); /* untouched */
	assert_string_equal(video_status_name((enum video_status)N_STATUSES), "");
}

static void only_published_and_pending_review_have_media(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_STATUSES; i++)
		assert_int_equal(videos_status_has_media(statuses[i].status),
				 statuses[i].status == VIDEO_PUBLISHED ||
					 statuses[i].status == VIDEO_PENDING_REVIEW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_parse_back_and_match_the_sql_literals),
		cmocka_unit_test(anything_else_is_refused),
		cmocka_unit_test(only_published_and_pending_review_have_media),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
