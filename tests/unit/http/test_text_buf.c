/* Unit tests for src/http/text_buf.c: JSON string escaping that any JSON
 * parser (jansson here) reads back to the original, growth past the first
 * allocation, and the hard maximum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/text_buf.h"

/* Writes s as a JSON string, parses it back and compares. */
static void round_trip(const char *s)
{
	struct text_buf b = {0};
	tb_json_string(&b, s);
	size_t len;
	char *text = tb_take(&b, &len);
	assert_non_null(text);
	assert_int_equal(len, strlen(text));
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &err);
	assert_non_null(v);
	assert_string_equal(json_string_value(v), s);
	json_decref(v);
	free(text);
}

static void test_escapes_round_trip(void **state)
{
	(void)state;
	round_trip("");
	round_trip("plain words");
	round_trip("quote \" backslash \\ slash /");
	round_trip("new\nline\ttab\rreturn\x01\x1f bell\x07");
	round_trip("退款 — refunds, 谢谢");
	round_trip("</script><!--");
}

static void test_exact_text(void **state)
{
	(void)state;
	struct text_buf b = {0};
	tb_puts(&b, "{\"a\":");
	tb_json_string(&b, "x\"\x01");
	tb_printf(&b, ",\"n\":%d,\"z\":", 42);
	tb_json_string(&b, NULL);
	tb_append(&b, "}", 1);
	char *text = tb_take(&b, NULL);
	assert_string_equal(text, "{\"a\":\"x\\\"\\u0001\",\"n\":42,\"z\":null}");
	free(text);
	assert_null(b.data);
}

static void test_grows_past_first_block(void **state)
{
	(void)state;
	struct text_buf b = {0};
	char big[5000];
	memset(big, 'y', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	for (int i = 0; i < 100; i++)
		tb_printf(&b, "%d,", i);
	tb_printf(&b, "%s", big); /* longer than printf's small buffer */
	size_t len;
	char *text = tb_take(&b, &len);
	assert_non_null(text);
	assert_int_equal(len, strlen(text));
	assert_true(len > sizeof big);
	assert_memory_equal(text, "0,1,2,", 6);
	assert_int_equal(text[len - 1], 'y');
	free(text);
}

static void test_empty_take_is_empty_string(void **state)
{
	(void)state;
	struct text_buf b = {0};
	size_t len = 99;
	char *text = tb_take(&b, &len);
	assert_non_null(text);
	assert_int_equal(len, 0);
	assert_string_equal(text, "");
	free(text);
}

static void stops_at_its_maximum(void **state)
{
	(void)state;
	struct text_buf b = {.max = 16};
	tb_puts(&b, "0123456789");
	tb_append(&b, "abcdef", 6); /* exactly the maximum */
	assert_int_equal(b.err, CR_OK);
	assert_int_equal(b.len, 16);
	assert_true(b.cap <= 17);
	tb_append(&b, "x", 1); /* one byte past it: refused whole */
	assert_int_equal(b.err, CR_ETOOBIG);
	assert_int_equal(b.len, 16);
	tb_free(&b);
	assert_int_equal(b.max, 16); /* the maximum outlives the text */
	assert_int_equal(b.err, CR_OK);

	tb_puts(&b, "short");
	tb_printf(&b, "%s", "a longer line than the eleven bytes left"); /* cut by nothing */
	assert_int_equal(b.err, CR_ETOOBIG);
	assert_int_equal(b.len, 5);
	tb_puts(&b, "x"); /* later appends are ignored, even ones that would fit */
	assert_int_equal(b.len, 5);
	size_t len = 99;
	assert_null(tb_take(&b, &len));
	assert_int_equal(len, 0);
	assert_null(b.data);
}

static void default_maximum_applies(void **state)
{
	(void)state;
	struct text_buf b = {0};
	tb_append(&b, "x", 1);
	assert_int_equal(b.err, CR_OK);
	b.len = TB_MAX_DEFAULT; /* pretend it is full, without 16 MiB of text */
	tb_append(&b, "y", 1);
	assert_int_equal(b.err, CR_ETOOBIG);
	b.len = 1;
	tb_free(&b);
}

static void test_integers_as_printf_writes_them(void **state)
{
	(void)state;
	const long long picks[] = {
		0,   1,          -1,      9,       10,        -10,       99,
		100, 1796542786, INT_MAX, INT_MIN, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1};
	for (size_t i = 0; i < sizeof picks / sizeof picks[0] + 5000; i++) {
		long long v =
			i < sizeof picks / sizeof picks[0]
				? picks[i]
				: (long long)((unsigned long long)rand() << 33 ^
					      (unsigned long long)rand() << 2 ^ (unsigned)rand()) >>
					  (i % 60);
		char want[32];
		snprintf(want, sizeof want, "[%lld]", v);
		struct text_buf b = {0};
		tb_append(&b, "[", 1);
		tb_int(&b, v);
		tb_append(&b, "]", 1);
		char *text = tb_take(&b, NULL);
		assert_non_null(text);
		assert_string_equal(text, want);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes_round_trip),
		cmocka_unit_test(test_exact_text),
		cmocka_unit_test(test_grows_past_first_block),
		cmocka_unit_test(test_empty_take_is_empty_string),
		cmocka_unit_test(stops_at_its_maximum),
		cmocka_unit_test(default_maximum_applies),
		cmocka_unit_test(test_integers_as_printf_writes_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
