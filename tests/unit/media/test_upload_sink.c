/* Unit tests for src/media/upload_sink.c: writing at an offset drops the
 * unacknowledged tail, the limit refuses a write whole, the sha256 (or sha1)
 * covers what this sink wrote, and a missing file or closed sink is an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casereel/config.h"
#include "casereel/media.h"
#include "casereel/upload_sink.h"

static char dir[] = "/tmp/casereel-sink-XXXXXX";
static struct cr_config cfg;
static const char id[] = "0123456789abcdef0123456789abcdef";

/* Replaces the upload's file with `bytes`. */
static void put_file(const char *bytes)
{
	char path[PATH_MAX];
	assert_int_equal(media_upload_path(&cfg, id, path, sizeof path), CR_OK);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(bytes, f);
	fclose(f);
}

/* The upload file's bytes, NUL-terminated. */
static void read_file(char *out, size_t size)
{
	char path[PATH_MAX];
	assert_int_equal(media_upload_path(&cfg, id, path, sizeof path), CR_OK);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
}

static void writes_land_at_the_offset_and_drop_the_tail(void **state)
{
	(void)state;
	struct upload_sink s;
	char got[64];
	put_file("0123456789"); /* 4 acknowledged, 6 written by a request that died */
	assert_int_equal(upload_sink_open(&s, &cfg, id, 4, 100, UPLOAD_HASH_NONE), CR_OK);
	assert_int_equal(s.offset, 4);
	read_file(got, sizeof got);
	assert_string_equal(got, "0123");
	assert_int_equal(upload_sink_write(&s, "abc", 3), CR_OK);
	assert_int_equal(upload_sink_write(&s, "de", 2), CR_OK);
	assert_int_equal(s.offset, 9);
	assert_int_equal(upload_sink_sync(&s), CR_OK);
	upload_sink_close(&s);
	upload_sink_close(&s); /* twice is fine */
	read_file(got, sizeof got);
	assert_string_equal(got, "0123abcde");
}

static void a_write_past_the_limit_is_refused_whole(void **state)
{
	(void)state;
	struct upload_sink s;
	char got[64];
	put_file("");
	assert_int_equal(upload_sink_open(&s, &cfg, id, 0, 5, UPLOAD_HASH_NONE), CR_OK);
	assert_int_equal(upload_sink_write(&s, "abc", 3), CR_OK);
	assert_int_equal(upload_sink_write(&s, "def", 3), CR_ETOOBIG);
	assert_int_equal(s.offset, 3);
	assert_int_equal(upload_sink_write(&s, "de", 2), CR_OK); /* exactly to the limit */
	assert_int_equal(upload_sink_write(&s, "f", 1), CR_ETOOBIG);
	assert_int_equal(upload_sink_write(&s, "", 0), CR_OK);
	upload_sink_close(&s);
	read_file(got, sizeof got);
	assert_string_equal(got, "abcde");
}

static void the_hash_covers_what_this_sink_wrote(void **state)
{
	(void)state;
	struct upload_sink s;
	unsigned char want[32], other[32];
	crypto_hash_sha256(want, (const unsigned char *)"hello world", 11);
	crypto_hash_sha256(other, (const unsigned char *)"hello", 5);
	put_file("ack'd");
	assert_int_equal(upload_sink_open(&s, &cfg, id, 5, 100, UPLOAD_HASH_SHA256), CR_OK);
	assert_int_equal(upload_sink_write(&s, "hello", 5), CR_OK);
	assert_int_equal(upload_sink_write(&s, " world", 6), CR_OK);
	assert_true(upload_sink_digest_is(&s, want));
	upload_sink_close(&s);

	assert_int_equal(upload_sink_open(&s, &cfg, id, 5, 100, UPLOAD_HASH_SHA256), CR_OK);
	assert_int_equal(upload_sink_write(&s, "hello world", 11), CR_OK);
	assert_false(upload_sink_digest_is(&s, other));
	upload_sink_close(&s);

	assert_int_equal(upload_sink_open(&s, &cfg, id, 0, 100, UPLOAD_HASH_NONE), CR_OK);
	assert_int_equal(upload_sink_write(&s, "hello world", 11), CR_OK);
	assert_false(upload_sink_digest_is(&s, want)); /* not hashing */
	upload_sink_close(&s);
}

/* The same sink hashes with sha1 when asked: a tus PATCH may name either. */
static void the_hash_can_be_sha1(void **state)
{
	(void)state;
	struct upload_sink s;
	/* sha1("hello world") */
	static const unsigned char want[UPLOAD_HASH_MAX] = {
		0x2a, 0xae, 0x6c, 0x35, 0xc9, 0x4f, 0xcf, 0xb4, 0x15, 0xdb,
		0xe9, 0x5f, 0x40, 0x8b, 0x9c, 0xe9, 0x1e, 0xe8, 0x46, 0xed};
	unsigned char got[UPLOAD_HASH_MAX];
	put_file("");
	assert_int_equal(upload_sink_open(&s, &cfg, id, 0, 100, UPLOAD_HASH_SHA1), CR_OK);
	assert_int_equal(upload_sink_write(&s, "hello ", 6), CR_OK);
	assert_int_equal(upload_sink_write(&s, "world", 5), CR_OK);
	assert_true(upload_sink_digest(&s, got));
	assert_memory_equal(got, want, 20);
	assert_false(upload_sink_digest(&s, got)); /* ended */
	upload_sink_close(&s);

	assert_int_equal(upload_sink_open(&s, &cfg, id, 0, 100, UPLOAD_HASH_SHA1), CR_OK);
	assert_int_equal(upload_sink_write(&s, "hello world!", 12), CR_OK);
	assert_false(upload_sink_digest_is(&s, want));
	upload_sink_close(&s);

	/* closed before its digest: the state is freed (ASan would tell) */
	assert_int_equal(upload_sink_open(&s, &cfg, id, 0, 100, UPLOAD_HASH_SHA1), CR_OK);
	assert_int_equal(upload_sink_write(&s, "x", 1), CR_OK);
	upload_sink_close(&s);
	upload_sink_close(&s);
}

static void a_missing_file_or_closed_sink_is_an_error(void **state)
{
	(void)state;
	struct upload_sink s;
	char path[PATH_MAX];
	assert_int_equal(media_upload_path(&cfg, id, path, sizeof path), CR_OK);
	unlink(path);
	assert_int_equal(upload_sink_open(&s, &cfg, id, 0, 100, UPLOAD_HASH_NONE), CR_EIO);
	assert_int_equal(s.fd, -1);
	upload_sink_init(&s);
	assert_int_equal(upload_sink_write(&s, "x", 1), CR_EIO);
	assert_int_equal(upload_sink_sync(&s), CR_EIO);
	upload_sink_close(&s);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static int group_setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	config_defaults(&cfg);
	snprintf(cfg.media_dir, sizeof cfg.media_dir, "%s/media", dir);
	return mkdir(cfg.media_dir, 0750) || media_prepare(&cfg) ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writes_land_at_the_offset_and_drop_the_tail),
		cmocka_unit_test(a_write_past_the_limit_is_refused_whole),
		cmocka_unit_test(the_hash_covers_what_this_sink_wrote),
		cmocka_unit_test(the_hash_can_be_sha1),
		cmocka_unit_test(a_missing_file_or_closed_sink_is_an_error),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
