/* Unit tests for the feed's page cursors (src/feed/feed_cursor.c) and for
 * feed_page refusing a cursor that is garbage, tampered with, expired or
 * someone else's. One temp database for the whole group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "casereel/feed.h"
#include "casereel/feed_cursor.h"
#include "casereel/store.h"

#define SNAP_ID "0123456789abcdef0123456789abcdef"

static char dir[] = "/tmp/casereel-cursor-XXXXXX";
static char db_path[sizeof dir + 32];

static int group_setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(db_path, sizeof db_path, "%s/test.db", dir);
	if (store_init(db_path) != CR_OK)
		return -1;
	return store_exec("INSERT INTO users (id, username, display_name, role, password_hash,"
			  " created_at) VALUES (1, 'ann', 'Ann', 'agent', 'x', 0),"
			  " (2, 'bob', 'Bob', 'agent', 'x', 0);") == CR_OK
		       ? 0
		       : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	feed_shutdown();
	store_close_thread();
	const char *names[] = {"test.db", "test.db-wal", "test.db-shm"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[sizeof db_path + 8];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

static void test_round_trip(void **state)
{
	(void)state;
	const size_t offsets[] = {0, 1, 9, 10, 99, 100, 499, FEED_SNAPSHOT_MAX};
	for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
		char text[FEED_CURSOR_MAX], id[FEED_CURSOR_ID_LEN + 1];
		size_t offset = 12345;
		assert_int_equal(feed_cursor_format(SNAP_ID, offsets[i], text), CR_OK);
		assert_int_equal(feed_cursor_parse(text, id, &offset), CR_OK);
		assert_string_equal(id, SNAP_ID);
		assert_int_equal(offset, offsets[i]);
	}
	char text[FEED_CURSOR_MAX];
	assert_int_equal(feed_cursor_format(SNAP_ID, 20, text), CR_OK);
	assert_string_equal(text, SNAP_ID ".20");
}

static void test_format_refuses_what_would_not_parse(void **state)
{
	(void)state;
	char text[FEED_CURSOR_MAX];
	assert_int_equal(feed_cursor_format(SNAP_ID, FEED_SNAPSHOT_MAX + 1, text), CR_EINVAL);
	assert_string_equal(text, "");
	assert_int_equal(feed_cursor_format("0123456789ABCDEF0123456789abcdef", 1, text),
			 CR_EINVAL);
	assert_int_equal(feed_cursor_format("0123", 1, text), CR_EINVAL);
	assert_int_equal(feed_cursor_format(SNAP_ID "0", 1, text), CR_EINVAL);
}

static void test_garbage_refused(void **state)
{
	(void)state;
	const char *bad[] = {
		"",
		".",
		"garbage",
		SNAP_ID,                               /* no offset */
		SNAP_ID ".",                           /* empty offset */
		SNAP_ID "-1",                          /* wrong separator */
		SNAP_ID ".-1",                         /* sign */
		SNAP_ID ".+1",                         /* sign */
		SNAP_ID ". 1",                         /* space */
		SNAP_ID ".1 ",                         /* trailing space */
		SNAP_ID ".1a",                         /* trailing letter */
		SNAP_ID ".501",                        /* past the snapshot */
		SNAP_ID ".9999",                       /* past the snapshot */
		SNAP_ID ".00001",                      /* too long */
		SNAP_ID ".18446744073709551617",       /* would overflow */
		"0123456789ABCDEF0123456789abcdef.1",  /* uppercase hex */
		"0123456789abcdeg0123456789abcdef.1",  /* not hex */
		"0123456789abcdef0123456789abcde.1",   /* 31 digits */
		"0123456789abcdef0123456789abcdef0.1", /* 33 digits */
		"0123456789abcdef\0"
		"0123456789abcdef.1", /* NUL inside */
		"../../../../etc/passwd.1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char id[FEED_CURSOR_ID_LEN + 1] = "untouched";
		size_t offset = 7;
		assert_int_equal(feed_cursor_parse(bad[i], id, &offset), CR_EINVAL);
		assert_string_equal(id, "untouched");
		assert_int_equal(offset, 7);
	}
}

static void test_leading_zeros_accepted(void **state)
{
	(void)state;
	char id[FEED_CURSOR_ID_LEN + 1];
	size_t offset = 0;
	assert_int_equal(feed_cursor_parse(SNAP_ID ".0500", id, &offset), CR_OK);
	assert_int_equal(offset, 500);
	assert_int_equal(feed_cursor_parse(SNAP_ID ".0", id, &offset), CR_OK);
	assert_int_equal(offset, 0);
}

static void insert_snapshot(const char *id, int64_t user_id, int64_t created_at)
{
	sqlite3_stmt *st = store_stmt("INSERT INTO feed_snapshots(id, user_id, created_at, items)"
				      " VALUES (?1, ?2, ?3, '[]')");
	assert_non_null(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_int64(st, 3, created_at);
	assert_int_equal(store_run(st, "test snapshot"), CR_OK);
}

static cr_err page(int64_t viewer_id, const char *cursor)
{
	struct cr_user viewer = {.id = viewer_id, .role = CR_ROLE_AGENT};
	struct text_buf out = {0};
	cr_err e = feed_page(&viewer, cursor, 10, 600, &out);
	tb_free(&out);
	return e;
}

static void test_feed_page_refuses_tampered_cursors(void **state)
{
	(void)state;
	insert_snapshot(SNAP_ID, 1, time(NULL));
	insert_snapshot("fedcba9876543210fedcba9876543210", 1, time(NULL) - FEED_SNAPSHOT_TTL - 5);
	assert_int_equal(page(1, SNAP_ID ".0"), CR_OK);     /* Ann's own */
	assert_int_equal(page(2, SNAP_ID ".0"), CR_EINVAL); /* Bob replays Ann's */
	assert_int_equal(page(1, "1123456789abcdef0123456789abcdef.0"), CR_EINVAL); /* flipped */
	assert_int_equal(page(1, "fedcba9876543210fedcba9876543210.0"), CR_EINVAL); /* expired */
	assert_int_equal(page(1, SNAP_ID ".501"), CR_EINVAL);
	assert_int_equal(page(1, "not a cursor"), CR_EINVAL);
	assert_int_equal(page(1, SNAP_ID ".0"), CR_OK); /* still good after the refusals */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_format_refuses_what_would_not_parse),
		cmocka_unit_test(test_garbage_refused),
		cmocka_unit_test(test_leading_zeros_accepted),
		cmocka_unit_test(test_feed_page_refuses_tampered_cursors),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
