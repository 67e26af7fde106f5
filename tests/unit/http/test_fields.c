/* Unit tests for src/fields.c: calendar dates, UTF-8 lengths and the typed
 * JSON field getters with their 422 answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "casereel/fields.h"

/* --- date_is_valid, utf8_length ---------------------------------------- */

static void dates_that_exist(void **state)
{
	(void)state;
	assert_true(date_is_valid("2024-03-31"));
	assert_true(date_is_valid("2024-01-01"));
	assert_true(date_is_valid("2024-12-31"));
	assert_true(date_is_valid("2024-02-29")); /* divisible by 4 */
	assert_true(date_is_valid("2000-02-29")); /* divisible by 400 */
	assert_true(date_is_valid("2023-02-28"));
	assert_true(date_is_valid("2023-04-30"));
}

static void dates_that_do_not_exist(void **state)
{
	(void)state;
	assert_false(date_is_valid("2023-02-29"));
	assert_false(date_is_valid("1900-02-29")); /* divisible by 100, not 400 */
	assert_false(date_is_valid("2024-02-30"));
	assert_false(date_is_valid("2024-04-31"));
	assert_false(date_is_valid("2024-13-01"));
	assert_false(date_is_valid("2024-00-10"));
	assert_false(date_is_valid("2024-01-00"));
	assert_false(date_is_valid("2024-01-32"));
}

static void dates_in_the_wrong_format(void **state)
{
	(void)state;
	assert_false(date_is_valid(""));
	assert_false(date_is_valid("2024-1-01"));
	assert_false(date_is_valid("2024-01-1"));
	assert_false(date_is_valid("24-01-01"));
	assert_false(date_is_valid("2024/01/01"));
	assert_false(date_is_valid("20240101"));
	assert_false(date_is_valid("2024-01-01 "));
	assert_false(date_is_valid(" 2024-01-01"));
	assert_false(date_is_valid("2024-01-01T00:00:00Z"));
	assert_false(date_is_valid("+024-01-01"));
	assert_false(date_is_valid("2024-0a-01"));
	assert_false(date_is_valid("2024--1-01"));
	assert_false(date_is_valid("2024-01-0\xD9"));
	/* "２" is a digit to Unicode but not to the format */
	assert_false(date_is_valid("２０２４-01-01"));
}

static void utf8_trim_drops_a_cut_character(void **state)
{
	(void)state;
	char s[16];
	strcpy(s, "ab");
	assert_int_equal(utf8_trim(s), 2);
	strcpy(s, "ab\xE4\xBD"); /* 你 cut after 2 of its 3 bytes */
	assert_int_equal(utf8_trim(s), 2);
	assert_string_equal(s, "ab");
	strcpy(s, "ab\xE4\xBD\xA0"); /* 你 whole */
	assert_int_equal(utf8_trim(s), 5);
	strcpy(s, "a\xC3"); /* é cut after its first byte */
	assert_int_equal(utf8_trim(s), 1);
	strcpy(s, "\xF0\x9F\x98"); /* 😀 cut after 3 of 4 */
	assert_int_equal(utf8_trim(s), 0);
	assert_string_equal(s, "");
	strcpy(s, "\xF0\x9F\x98\x80"); /* 😀 whole */
	assert_int_equal(utf8_trim(s), 4);
	strcpy(s, "");
	assert_int_equal(utf8_trim(s), 0);
}

static void utf8_valid_takes_only_well_formed_text(void **state)
{
	(void)state;
	assert_true(utf8_valid(""));
	assert_true(utf8_valid("plain ascii"));
	assert_true(utf8_valid("中文 é \xF0\x9F\x98\x80"));
	assert_false(utf8_valid("Mal\xFF\xFEory"));   /* Latin-1 bytes */
	assert_false(utf8_valid("ab\xE4\xBD"));       /* cut character */
	assert_false(utf8_valid("\xC0\xAF"));         /* overlong '/' */
	assert_false(utf8_valid("\xED\xA0\x80"));     /* UTF-16 surrogate */
	assert_false(utf8_valid("\xF4\x90\x80\x80")); /* above U+10FFFF */
	assert_false(utf8_valid("\x80"));             /* stray continuation */
}

static void utf8_scrub_replaces_what_is_not_text(void **state)
{
	(void)state;
	char s[32];
	strcpy(s, "Mal\xFF\xFEory");
	utf8_scrub(s);
	assert_string_equal(s, "Mal??ory");
	strcpy(s, "é\xC3");
	utf8_scrub(s);
	assert_string_equal(s, "é?");
	strcpy(s, "中文");
	utf8_scrub(s);
	assert_string_equal(s, "中文");
}

static void utf8_length_counts_code_points(void **state)
{
	(void)state;
	assert_int_equal(utf8_length(""), 0);
	assert_int_equal(utf8_length("hello"), 5);
	assert_int_equal(utf8_length("中文"), 2); /* 3 bytes each */
	assert_int_equal(utf8_length("a中b"), 3);
	assert_int_equal(utf8_length("é"), 1);                /* 2 bytes */
	assert_int_equal(utf8_length("\xF0\x9F\x98\x80"), 1); /* 😀, 4 bytes */
	assert_int_equal(utf8_length("👍🏽"), 2);         /* emoji + skin tone modifier */
}

/* --- the field getters ---------------------------------------------------- */

struct fixture {
	struct cr_request req;
	struct cr_response res;
};

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof f);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	http_response_clear(&f->res);
	json_decref(f->req.json);
	f->req.json = NULL;
	return 0;
}

/* Loads `text` as the request body. */
static struct fixture *with_body(void **state, const char *text)
{
	struct fixture *f = *state;
	json_error_t jerr;
	f->req.json = json_loads(text, 0, &jerr);
	assert_non_null(f->req.json);
	return f;
}

/* Asserts the response is the 422 invalid-field problem naming `field`. */
static void expect_422(const struct cr_response *res, const char *field)
{
	assert_int_equal(res->status, 422);
	assert_true(res->is_problem);
	assert_non_null(res->json);
	assert_string_equal(json_string_value(json_object_get(res->json, "field")), field);
	assert_string_equal(json_string_value(json_object_get(res->json, "type")),
			    "/problems/invalid-field");
	const char *detail = json_string_value(json_object_get(res->json, "detail"));
	assert_non_null(detail);
	assert_non_null(strstr(detail, field));
}

static void expect_no_answer(const struct cr_response *res)
{
	assert_int_equal(res->status, 0);
	assert_null(res->json);
}

static void string_present_and_valid(void **state)
{
	struct fixture *f = with_body(state, "{\"name\": \"alice\"}");
	const char *out = NULL;
	bool present = false;
	assert_true(field_string(&f->req, &f->res, "name", true, 1, 32, &out, &present));
	assert_string_equal(out, "alice");
	assert_true(present);
	expect_no_answer(&f->res);
}

static void string_required_but_missing(void **state)
{
	struct fixture *f = with_body(state, "{\"other\": \"x\"}");
	const char *out = "untouched";
	bool present = true;
	assert_false(field_string(&f->req, &f->res, "name", true, 1, 32, &out, &present));
	assert_false(present);
	expect_422(&f->res, "name");
}

static void string_optional_and_missing_leaves_out(void **state)
{
	struct fixture *f = with_body(state, "{}");
	const char *out = "untouched";
	bool present = true;
	assert_true(field_string(&f->req, &f->res, "name", false, 1, 32, &out, &present));
	assert_false(present);
	assert_string_equal(out, "untouched");
	expect_no_answer(&f->res);
}

static void string_with_no_body_at_all(void **state)
{
	struct fixture *f = *state; /* req.json stays NULL */
	const char *out = NULL;
	assert_true(field_string(&f->req, &f->res, "name", false, 1, 32, &out, NULL));
	assert_false(field_string(&f->req, &f->res, "name", true, 1, 32, &out, NULL));
	expect_422(&f->res, "name");
}

static void string_of_the_wrong_type(void **state)
{
	struct fixture *f = with_body(state, "{\"name\": 5, \"tags\": [\"a\"], \"n\": null}");
	const char *out = NULL;
	assert_false(field_string(&f->req, &f->res, "name", true, 1, 32, &out, NULL));
	expect_422(&f->res, "name");
	assert_false(field_string(&f->req, &f->res, "tags", false, 1, 32, &out, NULL));
	expect_422(&f->res, "tags");
	assert_false(field_string(&f->req, &f->res, "n", false, 0, 32, &out, NULL));
	expect_422(&f->res, "n");
}

static void string_length_counts_characters_not_bytes(void **state)
{
	struct fixture *f =
		with_body(state, "{\"zh\": \"中文字\", \"emoji\": \"😀😀\", \"long\": \"中文字符\"}");
	const char *out = NULL;
	/* 9 bytes, 3 characters */
	assert_true(field_string(&f->req, &f->res, "zh", true, 3, 3, &out, NULL));
	assert_string_equal(out, "中文字");
	/* 8 bytes, 2 characters */
	assert_true(field_string(&f->req, &f->res, "emoji", true, 1, 2, &out, NULL));
	expect_no_answer(&f->res);
	assert_false(field_string(&f->req, &f->res, "long", true, 1, 3, &out, NULL));
	expect_422(&f->res, "long");
}

static void string_below_minimum(void **state)
{
	struct fixture *f = with_body(state, "{\"name\": \"\", \"pw\": \"short\"}");
	const char *out = NULL;
	assert_false(field_string(&f->req, &f->res, "name", true, 1, 32, &out, NULL));
	expect_422(&f->res, "name");
	assert_false(field_string(&f->req, &f->res, "pw", true, 8, 128, &out, NULL));
	expect_422(&f->res, "pw");
	assert_true(field_string(&f->req, &f->res, "name", true, 0, 32, &out, NULL));
	assert_string_equal(out, "");
}

static void string_with_embedded_nul(void **state)
{
	/* the glue parses without JSON_ALLOW_NUL, but a body built some other
	 * way must still not smuggle a NUL past the length check */
	struct fixture *f = with_body(state, "{}");
	json_object_set_new(f->req.json, "name", json_stringn("a\0b", 3));
	const char *out = NULL;
	assert_false(field_string(&f->req, &f->res, "name", true, 1, 32, &out, NULL));
	expect_422(&f->res, "name");
}

static void int_in_range_and_out(void **state)
{
	struct fixture *f = with_body(state, "{\"n\": 7, \"lo\": -1, \"hi\": 101, \"edge\": 100}");
	int64_t out = -5;
	bool present = false;
	assert_true(field_int(&f->req, &f->res, "n", true, 0, 100, false, &out, &present));
	assert_int_equal(out, 7);
	assert_true(present);
	assert_true(field_int(&f->req, &f->res, "edge", true, 0, 100, false, &out, NULL));
	assert_int_equal(out, 100);
	expect_no_answer(&f->res);
	assert_false(field_int(&f->req, &f->res, "lo", true, 0, 100, false, &out, NULL));
	expect_422(&f->res, "lo");
	assert_false(field_int(&f->req, &f->res, "hi", true, 0, 100, false, &out, NULL));
	expect_422(&f->res, "hi");
}

static void int_of_the_wrong_type(void **state)
{
	struct fixture *f =
		with_body(state, "{\"f\": 1.5, \"s\": \"3\", \"b\": true, \"whole\": 2.0}");
	int64_t out = 0;
	assert_false(field_int(&f->req, &f->res, "f", true, 0, 10, false, &out, NULL));
	expect_422(&f->res, "f");
	assert_false(field_int(&f->req, &f->res, "s", true, 0, 10, false, &out, NULL));
	expect_422(&f->res, "s");
	assert_false(field_int(&f->req, &f->res, "b", true, 0, 10, false, &out, NULL));
	expect_422(&f->res, "b");
	assert_false(field_int(&f->req, &f->res, "whole", true, 0, 10, false, &out, NULL));
	expect_422(&f->res, "whole");
}

static void int_null_only_when_allowed(void **state)
{
	struct fixture *f = with_body(state, "{\"team\": null}");
	int64_t out = 99;
	assert_true(field_int(&f->req, &f->res, "team", false, 1, 100, true, &out, NULL));
	assert_int_equal(out, 0);
	assert_false(field_int(&f->req, &f->res, "team", false, 1, 100, false, &out, NULL));
	expect_422(&f->res, "team");
}

static void int_missing(void **state)
{
	struct fixture *f = with_body(state, "{}");
	int64_t out = 99;
	bool present = true;
	assert_true(field_int(&f->req, &f->res, "n", false, 0, 10, false, &out, &present));
	assert_int_equal(out, 99);
	assert_false(present);
	assert_false(field_int(&f->req, &f->res, "n", true, 0, 10, false, &out, NULL));
	expect_422(&f->res, "n");
}

static void bool_values(void **state)
{
	struct fixture *f =
		with_body(state, "{\"t\": true, \"f\": false, \"one\": 1, \"s\": \"true\"}");
	bool out = false, present = false;
	assert_true(field_bool(&f->req, &f->res, "t", true, &out, &present));
	assert_true(out);
	assert_true(present);
	assert_true(field_bool(&f->req, &f->res, "f", true, &out, NULL));
	assert_false(out);
	expect_no_answer(&f->res);
	assert_false(field_bool(&f->req, &f->res, "one", true, &out, NULL));
	expect_422(&f->res, "one");
	assert_false(field_bool(&f->req, &f->res, "s", true, &out, NULL));
	expect_422(&f->res, "s");
	assert_false(field_bool(&f->req, &f->res, "missing", true, &out, NULL));
	expect_422(&f->res, "missing");
	out = true;
	assert_true(field_bool(&f->req, &f->res, "missing", false, &out, &present));
	assert_true(out);
	assert_false(present);
}

static void string_array_valid_and_absent(void **state)
{
	struct fixture *f = with_body(state, "{\"tags\": [\"写作\", \"sql\"], \"none\": []}");
	json_t *out = NULL;
	assert_true(field_string_array(&f->req, &f->res, "tags", 2, 3, &out));
	assert_ptr_equal(out, json_object_get(f->req.json, "tags"));
	assert_true(field_string_array(&f->req, &f->res, "none", 0, 2, &out));
	assert_int_equal(json_array_size(out), 0);
	out = (json_t *)1;
	assert_true(field_string_array(&f->req, &f->res, "absent", 2, 2, &out));
	assert_null(out);
	expect_no_answer(&f->res);
}

static void string_array_invalid(void **state)
{
	struct fixture *f =
		with_body(state, "{\"many\": [\"a\", \"b\", \"c\"], \"empty\": [\"a\", \"\"],"
				 " \"long\": [\"中文字\"], \"num\": [1], \"str\": \"a\"}");
	json_t *out = NULL;
	assert_false(field_string_array(&f->req, &f->res, "many", 2, 10, &out));
	expect_422(&f->res, "many");
	assert_false(field_string_array(&f->req, &f->res, "empty", 5, 10, &out));
	expect_422(&f->res, "empty");
	assert_false(field_string_array(&f->req, &f->res, "long", 5, 2, &out));
	expect_422(&f->res, "long");
	assert_false(field_string_array(&f->req, &f->res, "num", 5, 10, &out));
	expect_422(&f->res, "num");
	assert_false(field_string_array(&f->req, &f->res, "str", 5, 10, &out));
	expect_422(&f->res, "str");
}

static void date_field(void **state)
{
	struct fixture *f =
		with_body(state, "{\"d\": \"2024-02-29\", \"nul\": null, \"bad\": \"2023-02-29\","
				 " \"num\": 20240229}");
	const char *out = NULL;
	bool present = false;
	assert_true(field_date(&f->req, &f->res, "d", &out, &present));
	assert_string_equal(out, "2024-02-29");
	assert_true(present);
	assert_true(field_date(&f->req, &f->res, "nul", &out, &present));
	assert_null(out);
	assert_true(present);
	out = "untouched";
	assert_true(field_date(&f->req, &f->res, "absent", &out, &present));
	assert_false(present);
	assert_string_equal(out, "untouched");
	expect_no_answer(&f->res);
	assert_false(field_date(&f->req, &f->res, "bad", &out, NULL));
	expect_422(&f->res, "bad");
	assert_false(field_date(&f->req, &f->res, "num", &out, NULL));
	expect_422(&f->res, "num");
}

static void problem_body_is_complete(void **state)
{
	struct fixture *f = with_body(state, "{}");
	const char *out = NULL;
	assert_false(field_string(&f->req, &f->res, "username", true, 1, 32, &out, NULL));
	json_t *j = f->res.json;
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 422);
	assert_string_equal(json_string_value(json_object_get(j, "title")),
			    "Unprocessable Content");
	assert_string_equal(json_string_value(json_object_get(j, "detail")),
			    "username is required");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates_that_exist),
		cmocka_unit_test(dates_that_do_not_exist),
		cmocka_unit_test(dates_in_the_wrong_format),
		cmocka_unit_test(utf8_length_counts_code_points),
		cmocka_unit_test(utf8_trim_drops_a_cut_character),
		cmocka_unit_test(utf8_valid_takes_only_well_formed_text),
		cmocka_unit_test(utf8_scrub_replaces_what_is_not_text),
		T(string_present_and_valid),
		T(string_required_but_missing),
		T(string_optional_and_missing_leaves_out),
		T(string_with_no_body_at_all),
		T(string_of_the_wrong_type),
		T(string_length_counts_characters_not_bytes),
		T(string_below_minimum),
		T(string_with_embedded_nul),
		T(int_in_range_and_out),
		T(int_of_the_wrong_type),
		T(int_null_only_when_allowed),
		T(int_missing),
		T(bool_values),
		T(string_array_valid_and_absent),
		T(string_array_invalid),
		T(date_field),
		T(problem_body_is_complete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
