/* Unit tests for src/tus.c: Upload-Offset/Length, Upload-Metadata and
 * Upload-Checksum header parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "casereel/tus.h"

static void size_accepts_plain_decimal(void **state)
{
	(void)state;
	int64_t v = -1;
	assert_int_equal(tus_parse_size("0", &v), CR_OK);
	assert_int_equal(v, 0);
	assert_int_equal(tus_parse_size("1048576", &v), CR_OK);
	assert_int_equal(v, 1048576);
	assert_int_equal(tus_parse_size("007", &v), CR_OK);
	assert_int_equal(v, 7);
	assert_int_equal(tus_parse_size("999999999999999999", &v), CR_OK); /* 18 digits */
	assert_int_equal(v, 999999999999999999LL);
}

static void size_rejects_junk_and_overflow(void **state)
{
	(void)state;
	int64_t v = 42;
	const char *bad[] = {
		"",    "-1",   "+1",  " 1",  "1 ",
		"1.0", "0x10", "1e3", "12a", "99999999999999999999" /* would overflow int64 */};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(tus_parse_size(bad[i], &v), CR_EINVAL);
	assert_int_equal(tus_parse_size(NULL, &v), CR_EINVAL);
	assert_int_equal(v, 42); /* untouched on error */
}

static json_t *metadata_ok(const char *header)
{
	json_t *obj = NULL;
	assert_int_equal(tus_parse_metadata(header, &obj), CR_OK);
	assert_true(json_is_object(obj));
	return obj;
}

static void metadata_decodes_pairs(void **state)
{
	(void)state;
	/* "my.mp4", "中文", key without value */
	json_t *obj = metadata_ok("filename bXkubXA0,title 5Lit5paH,is_private");
	assert_int_equal(json_object_size(obj), 3);
	assert_string_equal(json_string_value(json_object_get(obj, "filename")), "my.mp4");
	assert_string_equal(json_string_value(json_object_get(obj, "title")), "中文");
	assert_string_equal(json_string_value(json_object_get(obj, "is_private")), "");
	json_decref(obj);
}

static void metadata_tolerates_spaces_after_commas(void **state)
{
	(void)state;
	json_t *obj = metadata_ok("a eA==, b eQ==");
	assert_string_equal(json_string_value(json_object_get(obj, "a")), "x");
	assert_string_equal(json_string_value(json_object_get(obj, "b")), "y");
	json_decref(obj);
}

static void metadata_empty_or_absent_is_empty_object(void **state)
{
	(void)state;
	json_t *obj = metadata_ok("");
	assert_int_equal(json_object_size(obj), 0);
	json_decref(obj);
	obj = metadata_ok(NULL);
	assert_int_equal(json_object_size(obj), 0);
	json_decref(obj);
}

static void metadata_rejects(const char *header)
{
	json_t *obj = (json_t *)0x1;
	assert_int_equal(tus_parse_metadata(header, &obj), CR_EINVAL);
	assert_ptr_equal(obj, (json_t *)0x1); /* untouched on error */
}

static void metadata_malformed(void **state)
{
	(void)state;
	metadata_rejects("a eA==,a eQ==");  /* repeated key */
	metadata_rejects("a not*base64");   /* bad base64 */
	metadata_rejects("a /w==");         /* 0xFF: not UTF-8 */
	metadata_rejects("a AA==");         /* a NUL byte */
	metadata_rejects("a eA==,,b eQ=="); /* empty pair */
	metadata_rejects("k\x01y eA==");    /* control character in key */
	metadata_rejects(" ");              /* only a space: empty key */
	metadata_rejects("a eA== ");        /* trailing space in base64 */

	char key[80];
	memset(key, 'k', 65);
	key[65] = '\0';
	metadata_rejects(key); /* keys are at most 64 bytes */
	key[64] = '\0';
	json_t *obj = metadata_ok(key);
	json_decref(obj);
}

static void metadata_over_the_limit(void **state)
{
	(void)state;
	static char big[TUS_METADATA_MAX + 2];
	/* "a " then base64 'A's: valid shape, just too long */
	memset(big, 'A', sizeof big - 1);
	big[0] = 'a';
	big[1] = ' ';
	big[TUS_METADATA_MAX + 1] = '\0';
	metadata_rejects(big);
}

static void checksum_sha256(void **state)
{
	(void)state;
	/* sha256 of the empty string */
	static const unsigned char want[32] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
					       0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
					       0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
					       0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
	struct tus_checksum c = {0};
	assert_int_equal(
		tus_parse_checksum("sha256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", &c),
		CR_OK);
	assert_int_equal(c.alg, UPLOAD_HASH_SHA256);
	assert_memory_equal(c.digest, want, 32);
}

static void checksum_sha1(void **state)
{
	(void)state;
	/* sha1 of the empty string */
	static const unsigned char want[20] = {0xda, 0x39, 0xa3, 0xee, 0x5e, 0x6b, 0x4b,
					       0x0d, 0x32, 0x55, 0xbf, 0xef, 0x95, 0x60,
					       0x18, 0x90, 0xaf, 0xd8, 0x07, 0x09};
	struct tus_checksum c = {0};
	assert_int_equal(tus_parse_checksum("sha1 2jmj7l5rSw0yVb/vlWAYkK/YBwk=", &c), CR_OK);
	assert_int_equal(c.alg, UPLOAD_HASH_SHA1);
	assert_memory_equal(c.digest, want, 20);
}

/* Every algorithm OPTIONS advertises parses, with a digest of its size. */
static void checksum_advertised_algorithms_parse(void **state)
{
	(void)state;
	static const char *const zeros[] = {
		"AAAAAAAAAAAAAAAAAAAAAAAAAAA=",                  /* 20 bytes */
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}; /* 32 */
	char list[64];
	snprintf(list, sizeof list, "%s", tus_checksum_algorithms());
	int seen = 0;
	for (char *save = NULL, *name = strtok_r(list, ",", &save); name;
	     name = strtok_r(NULL, ",", &save), seen++) {
		int parsed = 0;
		for (size_t i = 0; i < 2; i++) {
			char header[96];
			struct tus_checksum c = {0};
			snprintf(header, sizeof header, "%s %s", name, zeros[i]);
			if (tus_parse_checksum(header, &c) == CR_OK) {
				assert_int_equal(upload_hash_size(c.alg), i ? 32 : 20);
				parsed++;
			}
		}
		assert_int_equal(parsed, 1);
	}
	assert_int_equal(seen, 2);
}

static void checksum_other_algorithm_is_notfound(void **state)
{
	(void)state;
	struct tus_checksum c;
	assert_int_equal(tus_parse_checksum("md5 1B2M2Y8AsgTpgAmY7PhCfg==", &c), CR_ENOTFOUND);
	assert_int_equal(tus_parse_checksum("sha12 2jmj7l5rSw0yVb/vlWAYkK/YBwk=", &c),
			 CR_ENOTFOUND);
	assert_int_equal(tus_parse_checksum("SHA1 2jmj7l5rSw0yVb/vlWAYkK/YBwk=", &c), CR_ENOTFOUND);
	assert_int_equal(tus_parse_checksum("sha 2jmj7l5rSw0yVb/vlWAYkK/YBwk=", &c), CR_ENOTFOUND);
}

static void checksum_malformed(void **state)
{
	(void)state;
	struct tus_checksum c;
	assert_int_equal(tus_parse_checksum(NULL, &c), CR_EINVAL);
	assert_int_equal(tus_parse_checksum("sha256", &c), CR_EINVAL);
	assert_int_equal(tus_parse_checksum("sha256 ", &c), CR_EINVAL);
	assert_int_equal(tus_parse_checksum(" 2jmj7l5rSw0yVb/vlWAYkK/YBwk=", &c), CR_EINVAL);
	assert_int_equal(tus_parse_checksum("sha256 not-base64!", &c), CR_EINVAL);
	/* 20 bytes: a valid base64 of the wrong length */
	assert_int_equal(tus_parse_checksum("sha256 2jmj7l5rSw0yVb/vlWAYkK/YBwk=", &c), CR_EINVAL);
	/* 32 bytes are not a sha1 */
	assert_int_equal(
		tus_parse_checksum("sha1 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", &c),
		CR_EINVAL);
	/* 33 bytes: longer than a sha256 */
	assert_int_equal(
		tus_parse_checksum("sha256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFUA", &c),
		CR_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(size_accepts_plain_decimal),
		cmocka_unit_test(size_rejects_junk_and_overflow),
		cmocka_unit_test(metadata_decodes_pairs),
		cmocka_unit_test(metadata_tolerates_spaces_after_commas),
		cmocka_unit_test(metadata_empty_or_absent_is_empty_object),
		cmocka_unit_test(metadata_malformed),
		cmocka_unit_test(metadata_over_the_limit),
		cmocka_unit_test(checksum_sha256),
		cmocka_unit_test(checksum_sha1),
		cmocka_unit_test(checksum_advertised_algorithms_parse),
		cmocka_unit_test(checksum_other_algorithm_is_notfound),
		cmocka_unit_test(checksum_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
