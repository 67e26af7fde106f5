/* Unit tests for src/response.c: RFC 9457 problem bodies, headers kept
 * across answers, the cr_err → status mapping and ownership of bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/error.h"
#include "casereel/http.h"

static int setup(void **state)
{
	static struct cr_response res;
	memset(&res, 0, sizeof res);
	*state = &res;
	return 0;
}

static int teardown(void **state)
{
	http_response_clear(*state);
	return 0;
}

static const char *member(const struct cr_response *res, const char *name)
{
	return json_string_value(json_object_get(res->json, name));
}

/* Asserts `res` is exactly the problem {type, title, status, detail}. */
static void expect_problem(const struct cr_response *res, unsigned status, const char *type,
			   const char *title)
{
	assert_int_equal(res->status, status);
	assert_true(res->is_problem);
	assert_non_null(res->json);
	assert_null(res->text);
	assert_string_equal(member(res, "type"), type);
	assert_string_equal(member(res, "title"), title);
	json_t *st = json_object_get(res->json, "status");
	assert_true(json_is_integer(st));
	assert_int_equal(json_integer_value(st), status);
	assert_non_null(member(res, "detail"));
}

static void problem_has_the_four_members(void **state)
{
	struct cr_response *res = *state;
	http_problem(res, 404, "not-found", "no such user: %d", 42);
	expect_problem(res, 404, "/problems/not-found", "Not Found");
	assert_string_equal(member(res, "detail"), "no such user: 42");
	assert_int_equal(json_object_size(res->json), 4);
	assert_null(json_object_get(res->json, "field"));
}

static void problem_titles_follow_status(void **state)
{
	struct cr_response *res = *state;
	http_problem(res, 429, "throttled", "slow down");
	expect_problem(res, 429, "/problems/throttled", "Too Many Requests");
	http_problem(res, 413, "too-large", "big");
	expect_problem(res, 413, "/problems/too-large", "Content Too Large");
	http_problem(res, 503, "unavailable", "later");
	expect_problem(res, 503, "/problems/unavailable", "Service Unavailable");
	http_problem(res, 507, "insufficient-storage", "full");
	expect_problem(res, 507, "/problems/insufficient-storage", "Insufficient Storage");
	http_problem(res, 460, "checksum-mismatch", "again"); /* tus's own status */
	expect_problem(res, 460, "/problems/checksum-mismatch", "Checksum Mismatch");
	http_problem(res, 502, "gateway", "odd");
	expect_problem(res, 502, "/problems/gateway", "Internal Server Error");
}

static void problem_detail_is_not_a_format_string(void **state)
{
	struct cr_response *res = *state;
	http_problem(res, 400, "bad-request", "%s", "100% \"quoted\" %n");
	assert_string_equal(member(res, "detail"), "100% \"quoted\" %n");
}

static void long_detail_is_truncated_not_overflowed(void **state)
{
	struct cr_response *res = *state;
	char big[4096];
	memset(big, 'd', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	http_problem(res, 422, "invalid-field", "%s", big);
	const char *detail = member(res, "detail");
	assert_non_null(detail);
	assert_true(strlen(detail) > 0 && strlen(detail) < sizeof big - 1);
	assert_int_equal(strspn(detail, "d"), strlen(detail));
}

static void problem_keeps_headers_added_before(void **state)
{
	struct cr_response *res = *state;
	http_header(res, "Allow", "%s", "GET, HEAD");
	http_header(res, "Retry-After", "%d", 30);
	http_problem(res, 405, "method-not-allowed", "use GET");
	expect_problem(res, 405, "/problems/method-not-allowed", "Method Not Allowed");
	assert_int_equal(res->nheaders, 2);
	assert_string_equal(res->headers[0].name, "Allow");
	assert_string_equal(res->headers[0].value, "GET, HEAD");
	assert_string_equal(res->headers[1].name, "Retry-After");
	assert_string_equal(res->headers[1].value, "30");
}

static void a_later_answer_replaces_the_body_and_keeps_headers(void **state)
{
	struct cr_response *res = *state;
	http_header(res, "Location", "/api/v1/users/%d", 7);
	http_problem(res, 500, "internal", "first");
	http_json(res, 201, json_pack("{s:i}", "id", 7));
	assert_int_equal(res->status, 201);
	assert_false(res->is_problem);
	assert_int_equal(json_integer_value(json_object_get(res->json, "id")), 7);
	assert_int_equal(res->nheaders, 1);
	assert_string_equal(res->headers[0].value, "/api/v1/users/7");

	char *text = strdup("a,b\n");
	assert_non_null(text);
	http_text(res, 200, "text/csv", text, 4);
	assert_null(res->json);
	assert_ptr_equal(res->text, text);
	assert_int_equal(res->text_len, 4);
	assert_string_equal(res->content_type, "text/csv");

	http_no_content(res);
	assert_int_equal(res->status, 204);
	assert_null(res->text);
	assert_null(res->json);
	assert_null(res->content_type);
	assert_int_equal(res->nheaders, 1);
}

static void json_with_null_body_is_a_500_problem(void **state)
{
	struct cr_response *res = *state;
	http_json(res, 200, NULL);
	expect_problem(res, 500, "/problems/internal", "Internal Server Error");
}

static void invalid_field_is_422_with_field(void **state)
{
	struct cr_response *res = *state;
	http_invalid_field(res, "hire_date", "%s must be a date", "hire_date");
	expect_problem(res, 422, "/problems/invalid-field", "Unprocessable Content");
	assert_string_equal(member(res, "field"), "hire_date");
	assert_string_equal(member(res, "detail"), "hire_date must be a date");
	assert_int_equal(json_object_size(res->json), 5);
}

static void expect_error(struct cr_response *res, cr_err err, unsigned status, const char *type)
{
	http_error(res, err, "team");
	assert_int_equal(res->status, status);
	assert_true(res->is_problem);
	assert_string_equal(member(res, "type"), type);
}

static void error_mapping(void **state)
{
	struct cr_response *res = *state;
	expect_error(res, CR_ENOTFOUND, 404, "/problems/not-found");
	assert_non_null(strstr(member(res, "detail"), "team"));
	expect_error(res, CR_ECONFLICT, 409, "/problems/conflict");
	assert_non_null(strstr(member(res, "detail"), "team"));
	expect_error(res, CR_ETOOBIG, 413, "/problems/too-large");
	expect_error(res, CR_EINVAL, 422, "/problems/invalid-field");
}

static void other_errors_are_500(void **state)
{
	struct cr_response *res = *state;
	expect_error(res, CR_EDB, 500, "/problems/internal");
	expect_error(res, CR_EIO, 500, "/problems/internal");
	expect_error(res, CR_ENOMEM, 500, "/problems/internal");
	expect_error(res, (cr_err)12345, 500, "/problems/internal");
}

static void new_codes_have_their_own_status(void **state)
{
	struct cr_response *res = *state;
	expect_error(res, CR_EFUNDS, 409, "/problems/insufficient-points");
	expect_error(res, CR_EFORBIDDEN, 403, "/problems/forbidden");
	expect_error(res, CR_ETHROTTLED, 429, "/problems/throttled");
	expect_error(res, CR_EAUTH, 401, "/problems/unauthorized");
	expect_error(res, CR_ENOSPACE, 507, "/problems/insufficient-storage");
}

static void refusal_becomes_the_problem(void **state)
{
	struct cr_response *res = *state;
	struct cr_problem why = {0};
	assert_int_equal(
		cr_refuse(&why, CR_EINVAL, "invalid-field", "tags", "unknown tag '%s'", "x"),
		CR_EINVAL);
	http_fail(res, CR_EINVAL, &why, "video");
	expect_problem(res, 422, "/problems/invalid-field", "Unprocessable Content");
	assert_string_equal(member(res, "detail"), "unknown tag 'x'");
	assert_string_equal(member(res, "field"), "tags");
	cr_refuse(&why, CR_EFUNDS, "insufficient-points", NULL, "you have %d", 3);
	http_fail(res, CR_EFUNDS, &why, "tip");
	expect_problem(res, 409, "/problems/insufficient-points", "Conflict");
	assert_string_equal(member(res, "detail"), "you have 3");
	assert_null(json_object_get(res->json, "field"));
	cr_refuse(&why, CR_ETHROTTLED, "tip-cap", NULL, "enough for today");
	http_fail(res, CR_ETHROTTLED, &why, "tip");
	expect_problem(res, 429, "/problems/tip-cap", "Too Many Requests");
}

static void problem_of_another_failure_is_ignored(void **state)
{
	struct cr_response *res = *state;
	struct cr_problem why = {0};
	http_fail(res, CR_EDB, &why, "order"); /* never filled */
	expect_problem(res, 500, "/problems/internal", "Internal Server Error");
	cr_refuse(&why, CR_EINVAL, "invalid-field", "title", "too long");
	http_fail(res, CR_EDB, &why, "order"); /* filled, but for another code */
	expect_problem(res, 500, "/problems/internal", "Internal Server Error");
	assert_null(json_object_get(res->json, "field"));
	http_fail(res, CR_ENOTFOUND, NULL, "order");
	assert_string_equal(member(res, "detail"), "no such order");
	assert_int_equal(cr_refuse(NULL, CR_ECONFLICT, "conflict", NULL, "x"), CR_ECONFLICT);
}

static void refusal_without_slug_or_detail_uses_the_defaults(void **state)
{
	struct cr_response *res = *state;
	struct cr_problem why = {0};
	cr_refuse(&why, CR_ENOTFOUND, NULL, NULL, "%s", "");
	http_fail(res, CR_ENOTFOUND, &why, "published video");
	expect_problem(res, 404, "/problems/not-found", "Not Found");
	assert_string_equal(member(res, "detail"), "no such published video");
}

static void headers_past_the_maximum_are_dropped(void **state)
{
	struct cr_response *res = *state;
	static const char *const names[] = {"X-0", "X-1", "X-2", "X-3",  "X-4",  "X-5",  "X-6",
					    "X-7", "X-8", "X-9", "X-10", "X-11", "X-12", "X-13"};
	_Static_assert(sizeof names / sizeof names[0] > CR_MAX_EXTRA_HEADERS,
		       "more names than room");
	for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
		http_header(res, names[i], "%d", i);
	assert_int_equal(res->nheaders, CR_MAX_EXTRA_HEADERS);
	/* the first ones are kept, the extra ones dropped */
	char last[16];
	snprintf(last, sizeof last, "%d", CR_MAX_EXTRA_HEADERS - 1);
	assert_string_equal(res->headers[CR_MAX_EXTRA_HEADERS - 1].value, last);
}

static void setting_a_header_again_replaces_it(void **state)
{
	struct cr_response *res = *state;
	http_header(res, "Tus-Resumable", "1.0.0");
	http_header(res, "Location", "/a");
	http_header(res, "tus-resumable", "1.0.0");
	http_header(res, "Location", "/b");
	assert_int_equal(res->nheaders, 2);
	assert_string_equal(res->headers[0].value, "1.0.0");
	assert_string_equal(res->headers[1].value, "/b");
}

static void long_header_value_is_truncated(void **state)
{
	struct cr_response *res = *state;
	char big[512];
	memset(big, 'v', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	http_header(res, "X-Big", "%s", big);
	assert_int_equal(strlen(res->headers[0].value), sizeof res->headers[0].value - 1);
}

static void clear_frees_and_resets(void **state)
{
	struct cr_response *res = *state;
	http_header(res, "Allow", "GET");
	http_problem(res, 404, "not-found", "x");
	http_response_clear(res);
	assert_int_equal(res->status, 0);
	assert_null(res->json);
	assert_int_equal(res->nheaders, 0);
	assert_false(res->is_problem);
	http_response_clear(res); /* twice is fine */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(problem_has_the_four_members),
		T(problem_titles_follow_status),
		T(problem_detail_is_not_a_format_string),
		T(long_detail_is_truncated_not_overflowed),
		T(problem_keeps_headers_added_before),
		T(a_later_answer_replaces_the_body_and_keeps_headers),
		T(json_with_null_body_is_a_500_problem),
		T(invalid_field_is_422_with_field),
		T(error_mapping),
		T(other_errors_are_500),
		T(new_codes_have_their_own_status),
		T(refusal_becomes_the_problem),
		T(problem_of_another_failure_is_ignored),
		T(refusal_without_slug_or_detail_uses_the_defaults),
		T(headers_past_the_maximum_are_dropped),
		T(setting_a_header_again_replaces_it),
		T(long_header_value_is_truncated),
		T(clear_frees_and_resets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
