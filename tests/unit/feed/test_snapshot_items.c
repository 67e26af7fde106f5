/* Unit tests for stored feed snapshot items (src/feed/snapshot_items.c):
 * what is written reads back the same and small, rows written as JSON by
 * earlier versions still read, and damaged rows are refused, not guessed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "casereel/snapshot_items.h"

static void test_round_trip_is_exact_and_compact(void **state)
{
	(void)state;
	struct snap_item in[500];
	for (size_t i = 0; i < 500; i++)
		in[i] = (struct snap_item){(int64_t)(i * 7919 % 100000) + 1,
					   (enum rank_reason)(i % (RANK_REASON_PATH + 1)),
					   i % 3 ? 0 : 1ULL << (i % 64)};
	in[0].id = INT64_MAX;
	in[1].reason_tags = UINT64_MAX;
	unsigned char buf[1 + 500 * SNAP_ITEM_MAX_BYTES];
	size_t len = snap_items_encode(in, 500, buf);
	struct snap_item *out;
	size_t n;
	assert_int_equal(snap_items_decode(buf, len, &out, &n), CR_OK);
	assert_int_equal(n, 500);
	for (size_t i = 0; i < 500; i++) {
		assert_int_equal(out[i].id, in[i].id);
		assert_int_equal(out[i].reason, in[i].reason);
		assert_int_equal(out[i].reason_tags, in[i].reason_tags);
	}
	free(out);
	/* the JSON it replaced took about 12 bytes an item for such clips */
	assert_true(len < 1 + 500 * 7);
}

static void test_empty_snapshot(void **state)
{
	(void)state;
	unsigned char buf[1];
	size_t len = snap_items_encode(NULL, 0, buf);
	struct snap_item *out;
	size_t n = 99;
	assert_int_equal(snap_items_decode(buf, len, &out, &n), CR_OK);
	assert_int_equal(n, 0);
	free(out);
}

static void test_rows_written_as_json_still_read(void **state)
{
	(void)state;
	const char *row = "[[42,3,0],[7,2,1024],[9,8]]";
	struct snap_item *out;
	size_t n;
	assert_int_equal(snap_items_decode(row, strlen(row), &out, &n), CR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].id, 42);
	assert_int_equal(out[0].reason, RANK_REASON_TEAM);
	assert_int_equal(out[1].reason_tags, 1024);
	assert_int_equal(out[2].reason, RANK_REASON_RECOMMENDED);
	assert_int_equal(out[2].reason_tags, 0);
	free(out);
}

static void refused(const void *data, size_t len)
{
	struct snap_item *out = (struct snap_item *)&out;
	size_t n = 5;
	assert_int_equal(snap_items_decode(data, len, &out, &n), CR_EINVAL);
	assert_null(out);
	assert_int_equal(n, 0);
}

static void test_damaged_rows_refused(void **state)
{
	(void)state;
	refused("", 0);
	refused("\x02\x01\x00\x00", 4); /* unknown format */
	refused("\x01\x81", 2);         /* id cut off */
	refused("\x01\x05", 2);         /* no reason */
	refused("\x01\x05\x0b\x00", 4); /* reason 11 does not exist */
	refused("\x01\x05\x03", 3);     /* tags missing */
	refused("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x03\x00", 13); /* id over int64 */
	refused("[[1,2,0],[2]]", 13); /* JSON item without a reason */
	refused("[[-1,2,0]]", 10);    /* negative id */
	refused("[[1,2,0]", 8);       /* not JSON */
	refused("[[1,99,0]]", 10);    /* unknown reason */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_is_exact_and_compact),
		cmocka_unit_test(test_empty_snapshot),
		cmocka_unit_test(test_rows_written_as_json_still_read),
		cmocka_unit_test(test_damaged_rows_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
