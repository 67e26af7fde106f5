/* Unit tests for src/http/json_text.c: for hand-picked and for thousands of
 * random values, json_text writes exactly the bytes json_dumps(JSON_COMPACT)
 * writes, and refuses what json_dumps refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/json_text.h"

/* json_text and json_dumps agree on v (both NULL or the same bytes). */
static void assert_same(const json_t *v)
{
	size_t len = 0;
	char *mine = json_text(v, &len);
	char *theirs = json_dumps(v, JSON_COMPACT);
	if (!theirs) {
		assert_null(mine);
		return;
	}
	assert_non_null(mine);
	assert_string_equal(mine, theirs);
	assert_int_equal(len, strlen(theirs));
	free(mine);
	free(theirs);
}

static void test_hand_picked_values(void **state)
{
	(void)state;
	static const char *const texts[] = {
		"{}",
		"[]",
		"[[],{},[{}]]",
		"{\"id\":3,\"username\":\"agent1\",\"team\":{\"id\":2,\"name\":\"Billing\"},"
		"\"active\":true,\"employee_id\":null,\"interests\":[\"billing\",\"retention\"],"
		"\"points\":-9223372036854775807,\"max\":9223372036854775807}",
		"[\"quote \\\" backslash \\\\ slash / tab \\t nl \\n cr \\r bs \\b ff \\f\","
		"\"\\u0001\\u001f\\u007f\",\"caf\\u00e9 \\u4e2d\\u6587 \\ud83d\\ude00\"]",
		"{\"key\\n\":\"nul \\u0000 inside\",\"\":\"\"}",
		"[0.1,-0.0,100.0,1e16,1.5e-7,1e300,-1e-300,123456789012345680000.0,"
		"2.2250738585072014e-308,1.7976931348623157e308,0.30000000000000004,5e-324]",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		json_error_t err;
		json_t *v = json_loads(texts[i], JSON_ALLOW_NUL, &err);
		assert_non_null(v);
		assert_same(v);
		json_decref(v);
	}
	json_t *reals = json_array();
	const double ds[] = {DBL_MIN, DBL_MAX, -DBL_EPSILON, 1.0 / 3, 1e21, 1e-5, 12.0, 1e100};
	for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++)
		json_array_append_new(reals, json_real(ds[i]));
	assert_same(reals);
	json_decref(reals);
}

static void test_refusals_match(void **state)
{
	(void)state;
	json_t *scalar = json_integer(7), *str = json_string("x");
	size_t len;
	assert_null(json_text(scalar, &len));
	assert_null(json_text(str, &len));
	assert_null(json_text(NULL, &len));
	json_decref(scalar);
	json_decref(str);
	/* bytes that are not UTF-8 (a lone continuation, a surrogate, an
	 * overlong slash), as only the unchecked constructors can make */
	static const char *const bad[] = {"a\x80z", "\xed\xa0\x80", "\xc0\xaf"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *arr = json_array();
		json_array_append_new(arr, json_stringn_nocheck(bad[i], strlen(bad[i])));
		assert_null(json_dumps(arr, JSON_COMPACT));
		assert_null(json_text(arr, &len));
		json_t *obj = json_object();
		json_object_set_new_nocheck(obj, bad[i], json_null());
		assert_null(json_text(obj, &len));
		json_decref(arr);
		json_decref(obj);
	}
	/* a loop: jansson refuses it, and so does the depth limit */
	json_t *a = json_array(), *b = json_array();
	json_array_append(a, b);
	json_array_append(b, a);
	assert_null(json_dumps(a, JSON_COMPACT));
	assert_null(json_text(a, &len));
	json_array_clear(b);
	json_decref(b);
	json_decref(a);
	/* deep, but not a loop */
	json_t *deep = json_array();
	for (int i = 0; i < 100; i++) {
		json_t *outer = json_array();
		json_array_append_new(outer, deep);
		deep = outer;
	}
	assert_same(deep);
	json_decref(deep);
}

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A random valid UTF-8 string with control characters, escapes and
 * characters of every UTF-8 length. */
static json_t *random_string(void)
{
	static const char *const pieces[] = {"a",
					     "Z",
					     " ",
					     "\"",
					     "\\",
					     "/",
					     "\n",
					     "\t",
					     "\x01",
					     "\x1f",
					     "\x7f",
					     "\xc3\xa9",
					     "\xe4\xb8\xad",
					     "\xf0\x9f\x98\x80",
					     "\0",
					     "{",
					     "}",
					     ",",
					     ":",
					     "0"};
	char buf[64];
	size_t len = 0, n = next(12);
	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[next(sizeof pieces / sizeof pieces[0])];
		size_t plen = *p ? strlen(p) : 1;
		memcpy(buf + len, p, plen);
		len += plen;
	}
	return json_stringn(buf, len);
}

static json_t *random_value(int depth)
{
	switch (next(depth > 4 ? 6 : 8)) {
	case 0: return json_null();
	case 1: return json_boolean(next(2));
	case 2:
		return json_integer((json_int_t)(next(1u << 31) - (1u << 30)) *
				    (next(3) ? 1 : 99991));
	case 3: {
		double d = ldexp((double)next(1u << 30) / (1u << 30) + 0.5, (int)next(2000) - 1000);
		return json_real(next(2) ? -d : next(4) ? d : (double)next(100000));
	}
	case 4:
	case 5: return random_string();
	case 6: {
		json_t *arr = json_array();
		for (unsigned i = next(5); i > 0; i--)
			json_array_append_new(arr, random_value(depth + 1));
		return arr;
	}
	default: {
		json_t *obj = json_object();
		for (unsigned i = next(5); i > 0; i--) {
			json_t *key = random_string();
			json_object_setn_new(obj, json_string_value(key), json_string_length(key),
					     random_value(depth + 1));
			json_decref(key);
		}
		return obj;
	}
	}
}

static void test_random_values(void **state)
{
	(void)state;
	for (int i = 0; i < 20000; i++) {
		json_t *v = json_array();
		json_array_append_new(v, random_value(0));
		assert_same(v);
		json_decref(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_picked_values),
		cmocka_unit_test(test_refusals_match),
		cmocka_unit_test(test_random_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
