/* Unit tests for src/range.c: Range parsing (checked against what nginx
 * 1.22 answers for the same header on a 1000-byte file), validators, HTTP
 * dates and the conditional-request decision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "casereel/range.h"

static void expect_ok(const char *h, uint64_t size, uint64_t start, uint64_t len)
{
	struct range_span s = {99, 99};
	assert_int_equal(range_parse(h, size, &s), RANGE_OK);
	assert_int_equal(s.start, start);
	assert_int_equal(s.length, len);
}

static void expect(const char *h, uint64_t size, enum range_result want)
{
	struct range_span s = {99, 99};
	assert_int_equal(range_parse(h, size, &s), want);
	assert_int_equal(s.start, 99); /* untouched unless RANGE_OK */
}

static void single_ranges(void **state)
{
	(void)state;
	expect_ok("bytes=0-9", 1000, 0, 10);
	expect_ok("bytes=0-0", 1000, 0, 1);
	expect_ok("bytes=999-999", 1000, 999, 1);
	expect_ok("bytes=990-", 1000, 990, 10);
	expect_ok("bytes=0-", 1000, 0, 1000);
	expect_ok("bytes=-10", 1000, 990, 10);
	expect_ok("bytes=-1", 1000, 999, 1);
	expect_ok("bytes=-2000", 1000, 0, 1000);         /* suffix longer than the file */
	expect_ok("bytes=500-99999999", 1000, 500, 500); /* end clamped */
	expect_ok("Bytes=0-1", 1000, 0, 2);              /* unit is case-insensitive */
	expect_ok("bytes= 0 - 1 ", 1000, 0, 2);          /* nginx skips spaces */
	expect_ok("bytes=0-1,2000-", 1000, 0, 2);        /* unsatisfiable members dropped */
	expect_ok("bytes=9223372036854775806-", INT64_MAX, INT64_MAX - 1, 1);
}

static void no_header_or_other_unit(void **state)
{
	(void)state;
	expect(NULL, 1000, RANGE_NONE);
	expect("items=0-1", 1000, RANGE_IGNORE);
	expect("bytes=", 1000, RANGE_IGNORE); /* shorter than 7: nginx ignores it */
	expect("bytes", 1000, RANGE_IGNORE);
	expect("", 1000, RANGE_IGNORE);
}

static void unsatisfiable(void **state)
{
	(void)state;
	expect("bytes=1000-", 1000, RANGE_UNSATISFIABLE);
	expect("bytes=1000-2000", 1000, RANGE_UNSATISFIABLE);
	expect("bytes=5-2", 1000, RANGE_UNSATISFIABLE);
	expect("bytes=-0", 1000, RANGE_UNSATISFIABLE);
	expect("bytes=1000-,2000-", 1000, RANGE_UNSATISFIABLE);
	expect("bytes=0-", 0, RANGE_IGNORE); /* an empty file: whole (empty) body */
	expect("bytes=-5", 0, RANGE_IGNORE);
	expect("bytes=1-", 0, RANGE_UNSATISFIABLE);
}

/* nginx answers 416 for a syntax error after "bytes="; so do we. */
static void malformed_is_unsatisfiable(void **state)
{
	(void)state;
	const char *bad[] = {"bytes=abc",
			     "bytes=0-1x",
			     "bytes=,0-1",
			     "bytes=-",
			     "bytes=--1",
			     "bytes=0-1,",
			     "bytes=1",
			     "bytes=+1-2",
			     "bytes=0x1-2",
			     "bytes=\t0-1",
			     "bytes=0-99999999999999999999",
			     "bytes=99999999999999999999-"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect(bad[i], 1000, RANGE_UNSATISFIABLE);
}

static void several_ranges_are_ignored(void **state)
{
	(void)state;
	expect("bytes=0-1,5-6", 1000, RANGE_IGNORE);   /* nginx: multipart 206; we: 200 */
	expect("bytes=0-1,0-999", 1000, RANGE_IGNORE); /* more bytes than the file (nginx: 200) */
	expect("bytes=0-,1-", 10, RANGE_IGNORE);
}

static void etag_and_dates(void **state)
{
	(void)state;
	char etag[RANGE_ETAG_MAX], date[RANGE_DATE_MAX];
	range_etag(0x6b041dc5, 1000, etag);
	assert_string_equal(etag, "\"6b041dc5-3e8\""); /* as nginx printed it */
	range_http_date(784111777, date);
	assert_string_equal(date, "Sun, 06 Nov 1994 08:49:37 GMT");
	int64_t t = 0;
	assert_true(range_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", &t));
	assert_int_equal(t, 784111777);
	assert_true(range_parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", &t));
	assert_int_equal(t, 784111777);
	assert_true(range_parse_http_date("Sun Nov  6 08:49:37 1994", &t));
	assert_int_equal(t, 784111777);
	assert_true(range_parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT", &t));
	assert_int_equal(t, 1835481599);
	range_http_date(t, date);
	assert_string_equal(date, "Tue, 29 Feb 2028 23:59:59 GMT");
	const char *bad[] = {"",
			     "Sun, 06 Nov 1994 08:49:37 UTC",
			     "Sun, 6 Nov 1994 08:49:37 GMT",
			     "Sun, 06 Nov 1994 08:49:37 GMT ",
			     "Sun, 29 Feb 1900 00:00:00 GMT",
			     "Sun, 31 Apr 2020 00:00:00 GMT",
			     "Sun, 06 Foo 1994 08:49:37 GMT",
			     "Sun, 06 Nov 1994 24:00:00 GMT",
			     "Sun Nov 6 08:49:37 1994",
			     "784111777"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(range_parse_http_date(bad[i], &t));
	assert_false(range_parse_http_date(NULL, &t));
}

#define ETAG  "\"6b041dc5-3e8\""
#define MTIME 0x6b041dc5
#define DATE  "Mon, 23 Nov 2026 11:04:37 GMT" /* MTIME */

static unsigned decide(struct range_request rq, struct range_span *s)
{
	return range_decide(&rq, ETAG, MTIME, 1000, s);
}

static void conditional_requests(void **state)
{
	(void)state;
	struct range_span s = {0, 0};
	int64_t t;
	assert_true(range_parse_http_date(DATE, &t));
	assert_int_equal(t, MTIME);
	assert_int_equal(decide((struct range_request){0}, &s), 200);
	assert_int_equal(decide((struct range_request){.if_none_match = ETAG}, &s), 304);
	assert_int_equal(decide((struct range_request){.if_none_match = "W/" ETAG}, &s), 304);
	assert_int_equal(decide((struct range_request){.if_none_match = "\"x\", " ETAG}, &s), 304);
	assert_int_equal(decide((struct range_request){.if_none_match = "*"}, &s), 304);
	assert_int_equal(decide((struct range_request){.if_none_match = "\"x\""}, &s), 200);
	assert_int_equal(decide((struct range_request){.if_none_match = "junk, " ETAG}, &s), 200);
	/* If-None-Match wins over If-Modified-Since */
	assert_int_equal(
		decide((struct range_request){.if_none_match = "\"x\"", .if_modified_since = DATE},
		       &s),
		200);
	assert_int_equal(decide((struct range_request){.if_modified_since = DATE}, &s), 304);
	assert_int_equal(
		decide((struct range_request){.if_modified_since = "Sun, 06 Nov 1994 08:49:37 GMT"},
		       &s),
		200);
	assert_int_equal(decide((struct range_request){.if_modified_since = "yesterday"}, &s), 200);
	/* 304 wins over Range */
	assert_int_equal(
		decide((struct range_request){.if_none_match = ETAG, .range = "bytes=0-1"}, &s),
		304);
	/* If-Match is strong */
	assert_int_equal(decide((struct range_request){.if_match = ETAG}, &s), 200);
	assert_int_equal(decide((struct range_request){.if_match = "*"}, &s), 200);
	assert_int_equal(decide((struct range_request){.if_match = "W/" ETAG}, &s), 412);
	assert_int_equal(decide((struct range_request){.if_match = "\"x\""}, &s), 412);
	assert_int_equal(decide((struct range_request){.if_unmodified_since =
							       "Sun, 06 Nov 1994 08:49:37 GMT"},
				&s),
			 412);
	assert_int_equal(decide((struct range_request){.if_unmodified_since = DATE}, &s), 200);
}

static void if_range(void **state)
{
	(void)state;
	struct range_span s = {0, 0};
	assert_int_equal(decide((struct range_request){.range = "bytes=0-1"}, &s), 206);
	assert_int_equal(s.length, 2);
	s.length = 0;
	assert_int_equal(decide((struct range_request){.range = "bytes=2-3", .if_range = ETAG}, &s),
			 206);
	assert_int_equal(s.start, 2);
	assert_int_equal(decide((struct range_request){.range = "bytes=0-1", .if_range = DATE}, &s),
			 206);
	assert_int_equal(
		decide((struct range_request){.range = "bytes=0-1", .if_range = "\"other\""}, &s),
		200);
	assert_int_equal(
		decide((struct range_request){.range = "bytes=0-1", .if_range = "W/" ETAG}, &s),
		200);
	assert_int_equal(decide((struct range_request){.range = "bytes=0-1",
						       .if_range = "Sun, 06 Nov 1994 08:49:37 GMT"},
				&s),
			 200);
	assert_int_equal(
		decide((struct range_request){.range = "bytes=0-1", .if_range = "nonsense"}, &s),
		200);
	/* a stale If-Range also spares the client a 416 */
	assert_int_equal(
		decide((struct range_request){.range = "bytes=5000-", .if_range = "\"other\""}, &s),
		200);
	assert_int_equal(decide((struct range_request){.range = "bytes=5000-"}, &s), 416);
	/* If-Range without Range means nothing */
	assert_int_equal(decide((struct range_request){.if_range = "\"other\""}, &s), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_ranges),
		cmocka_unit_test(no_header_or_other_unit),
		cmocka_unit_test(unsatisfiable),
		cmocka_unit_test(malformed_is_unsatisfiable),
		cmocka_unit_test(several_ranges_are_ignored),
		cmocka_unit_test(etag_and_dates),
		cmocka_unit_test(conditional_requests),
		cmocka_unit_test(if_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
