/* Unit tests for src/http/accept_encoding.c and src/http/compress.c: who
 * takes gzip (q=0 and * honoured), which types are compressed, and that
 * what compress_gzip makes is one gzip member zlib reads back whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http/accept_encoding.h"
#include "http/compress.h"

static void gzip_taken(void **state)
{
	(void)state;
	static const char *const yes[] = {
		"gzip",
		"GZip",
		"x-gzip",
		"gzip, deflate, br",
		"br;q=1.0, gzip;q=0.8, *;q=0.1",
		"deflate , gzip ; q=0.001",
		"*",
		"identity;q=0.5, *;q=0.1",
		"gzip;level=1",
		",,gzip,,",
		"gzip;q=1.000",
	};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!accept_encoding_gzip(yes[i]))
			fail_msg("'%s' should take gzip", yes[i]);
}

static void gzip_refused(void **state)
{
	(void)state;
	static const char *const no[] = {
		"",
		"identity",
		"gzip;q=0",
		"gzip;q=0.0",
		"gzip; q=0.000",
		"GZIP;Q=0",
		"deflate, br",
		"*;q=0",
		"gzip;q=0, *",    /* an explicit refusal beats * */
		"gzip, gzip;q=0", /* ... and a second mention */
		"gzip;q=2",       /* malformed: not a qvalue */
		"gzip;q=",
		"gzip;q=abc",
		"gzip;q=1.5",
		"gzipped",
		"xgzip",
		"gzip x",
		"*;q=0, gzipx",
	};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (accept_encoding_gzip(no[i]))
			fail_msg("'%s' should not take gzip", no[i]);
	assert_false(accept_encoding_gzip(NULL));
}

static void compressible_types(void **state)
{
	(void)state;
	assert_true(compress_type_ok("application/json"));
	assert_true(compress_type_ok("application/problem+json"));
	assert_true(compress_type_ok("text/javascript; charset=utf-8"));
	assert_true(compress_type_ok("text/csv; charset=utf-8"));
	assert_true(compress_type_ok("application/vnd.apple.mpegurl"));
	assert_true(compress_type_ok("image/svg+xml"));
	assert_false(compress_type_ok("video/mp4"));
	assert_false(compress_type_ok("video/iso.segment"));
	assert_false(compress_type_ok("image/jpeg"));
	assert_false(compress_type_ok("image/png"));
	assert_false(compress_type_ok(NULL));
}

/* Inflates a gzip member; the caller frees. */
static char *gunzip(const char *in, size_t len, size_t want)
{
	char *out = malloc(want + 1);
	z_stream zs = {0};
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)want + 1;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	assert_int_equal(zs.total_out, want);
	assert_int_equal(zs.avail_in, 0); /* one member, nothing after it */
	inflateEnd(&zs);
	return out;
}

static void gzip_round_trip(void **state)
{
	(void)state;
	size_t len = 200000;
	char *json = malloc(len);
	for (size_t i = 0; i < len; i++) /* repetitive, like a feed page, with some noise */
		json[i] = "{\"id\":12,\"title\":\"Refunds\"},"[i % 29] ^ (char)(i % 997 == 0);
	char *gz = NULL;
	size_t gz_len = 0;
	assert_int_equal(compress_gzip(json, len, &gz, &gz_len), CR_OK);
	assert_true(gz_len < len / 4);
	assert_int_equal((unsigned char)gz[0], 0x1f); /* the gzip magic */
	assert_int_equal((unsigned char)gz[1], 0x8b);
	char *back = gunzip(gz, gz_len, len);
	assert_memory_equal(back, json, len);
	free(back);
	free(gz);

	assert_int_equal(compress_gzip("", 0, &gz, &gz_len), CR_OK); /* empty is a valid member */
	back = gunzip(gz, gz_len, 0);
	free(back);
	free(gz);
	free(json);
}

int main(void)
{
#define T(f) cmocka_unit_test(f)
	const struct CMUnitTest tests[] = {
		T(gzip_taken),
		T(gzip_refused),
		T(compressible_types),
		T(gzip_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
