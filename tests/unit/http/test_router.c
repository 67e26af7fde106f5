/* Unit tests for src/router.c: matching, path parameters, 404 against 405
 * and the Allow list, table capacity and pattern validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "casereel/router.h"

/* The router never calls handlers; tests tell routes apart by address. */
static void handler(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	(void)res;
}

static const struct cr_route routes[] = {
	{.method = "GET", .pattern = "/api/v1/users", .handler = handler},
	{.method = "POST", .pattern = "/api/v1/users", .handler = handler},
	{.method = "GET", .pattern = "/api/v1/users/me", .handler = handler},
	{.method = "GET", .pattern = "/api/v1/users/{id}", .handler = handler},
	{.method = "PATCH", .pattern = "/api/v1/users/{id}", .handler = handler},
	{.method = "DELETE", .pattern = "/api/v1/teams/{team}/members/{user}", .handler = handler},
};
#define NROUTES (sizeof routes / sizeof routes[0])

static int setup(void **state)
{
	static struct router r;
	memset(&r, 0, sizeof r);
	if (router_add(&r, routes, NROUTES) != CR_OK)
		return -1;
	*state = &r;
	return 0;
}

static void exact_match_finds_route_and_index(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	assert_int_equal(router_match(r, "GET", "/api/v1/users", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &routes[0]);
	assert_int_equal(m.index, 0);
	assert_int_equal(m.nparams, 0);

	assert_int_equal(router_match(r, "POST", "/api/v1/users", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &routes[1]);
	assert_int_equal(m.index, 1);
}

static void literal_route_before_param_route_wins(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	assert_int_equal(router_match(r, "GET", "/api/v1/users/me", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &routes[2]);
	assert_int_equal(m.nparams, 0);
}

static void param_captures_one_segment(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	assert_int_equal(router_match(r, "PATCH", "/api/v1/users/42", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &routes[4]);
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.params[0], "42");
}

static void params_are_copied_out_of_the_path(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	char path[] = "/api/v1/teams/7/members/alice";
	assert_int_equal(router_match(r, "DELETE", path, &m), ROUTER_FOUND);
	assert_int_equal(m.nparams, 2);
	/* each param is NUL-terminated on its own, not a pointer into the path */
	assert_true(m.params[0] < path || m.params[0] >= path + sizeof path);
	memset(path, 'x', sizeof path - 1);
	assert_string_equal(m.params[0], "7");
	assert_string_equal(m.params[1], "alice");
}

static void param_does_not_match_empty_or_several_segments(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	assert_int_equal(router_match(r, "PATCH", "/api/v1/users/", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(r, "PATCH", "/api/v1/users/1/2", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(r, "DELETE", "/api/v1/teams//members/bob", &m),
			 ROUTER_NOT_FOUND);
	assert_int_equal(router_match(r, "DELETE", "/api/v1/teams/7/members/", &m),
			 ROUTER_NOT_FOUND);
}

static void trailing_slash_and_empty_segment_do_not_match(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	assert_int_equal(router_match(r, "GET", "/api/v1/users/", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(r, "GET", "/api/v1//users", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(r, "GET", "/api/v1/users/me/", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(r, "GET", "/api/v1/usersx", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(r, "GET", "/api/v1/user", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(r, "GET", "", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(r, "GET", "/", &m), ROUTER_NOT_FOUND);
}

static void unknown_path_is_404_with_no_allow(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	assert_int_equal(router_match(r, "GET", "/api/v2/users", &m), ROUTER_NOT_FOUND);
	assert_null(m.route);
	assert_string_equal(m.allow, "");
	assert_int_equal(m.nparams, 0);
}

static void wrong_method_is_405_with_allow_list(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	assert_int_equal(router_match(r, "DELETE", "/api/v1/users", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_null(m.route);
	assert_string_equal(m.allow, "GET, HEAD, POST");

	assert_int_equal(router_match(r, "POST", "/api/v1/teams/1/members/2", &m),
			 ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(m.allow, "DELETE");
	assert_int_equal(m.nparams, 0);
}

static void allow_list_has_no_duplicates(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	/* "/api/v1/users/me" matches both the literal GET route and GET {id}:
	 * GET and HEAD must still appear once. */
	assert_int_equal(router_match(r, "PUT", "/api/v1/users/me", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(m.allow, "GET, HEAD, PATCH");
	assert_int_equal(router_match(r, "PUT", "/api/v1/users/5", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(m.allow, "GET, HEAD, PATCH");
}

static void head_matches_get_routes_only(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	assert_int_equal(router_match(r, "HEAD", "/api/v1/users/9", &m), ROUTER_FOUND);
	assert_ptr_equal(m.route, &routes[3]);
	assert_string_equal(m.params[0], "9");

	assert_int_equal(router_match(r, "HEAD", "/api/v1/teams/1/members/2", &m),
			 ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(m.allow, "DELETE");
}

static void method_is_case_sensitive(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	assert_int_equal(router_match(r, "get", "/api/v1/users", &m), ROUTER_METHOD_NOT_ALLOWED);
}

static void param_longer_than_buffer_does_not_match(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	char path[ROUTER_PARAM_BYTES + 64];
	int n = snprintf(path, sizeof path, "/api/v1/users/");
	memset(path + n, '7', ROUTER_PARAM_BYTES);
	path[n + ROUTER_PARAM_BYTES] = '\0';
	assert_int_equal(router_match(r, "GET", path, &m), ROUTER_NOT_FOUND);
	assert_int_equal(m.nparams, 0);

	/* the longest param that fits with its NUL still matches */
	path[n + ROUTER_PARAM_BYTES - 1] = '\0';
	assert_int_equal(router_match(r, "GET", path, &m), ROUTER_FOUND);
	assert_int_equal(strlen(m.params[0]), ROUTER_PARAM_BYTES - 1);
}

static void two_params_sharing_the_buffer_are_bounded(void **state)
{
	const struct router *r = *state;
	struct router_match m;
	char path[2 * ROUTER_PARAM_BYTES];
	size_t half = ROUTER_PARAM_BYTES / 2;
	/* the two params plus two NULs need ROUTER_PARAM_BYTES + 2 bytes */
	int n = snprintf(path, sizeof path, "/api/v1/teams/");
	memset(path + n, 'a', half);
	n += (int)half;
	n += snprintf(path + n, sizeof path - (size_t)n, "/members/");
	memset(path + n, 'b', half);
	path[n + (int)half] = '\0';
	assert_int_equal(router_match(r, "DELETE", path, &m), ROUTER_NOT_FOUND);
}

/* A 405 carries the extras of the path's routes, so the glue can put their
 * answer header (tus's Tus-Resumable) on it; a 404 has none. */
static void wrong_method_on_a_path_with_extras_reports_them(void **state)
{
	(void)state;
	static const struct cr_route tus[] = {
		{.method = "HEAD", .pattern = "/up/{id}", .handler = handler},
		{.method = "PATCH", .pattern = "/up/{id}", .handler = handler},
	};
	static const struct cr_route_extra extra = {.answer_header = "Tus-Resumable",
						    .answer_value = "1.0.0"};
	struct router r;
	memset(&r, 0, sizeof r);
	assert_int_equal(router_add(&r, routes, NROUTES), CR_OK);
	assert_int_equal(router_add_extra(&r, tus, 2, &extra), CR_OK);
	struct router_match m;
	assert_int_equal(router_match(&r, "PUT", "/up/abc", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_ptr_equal(m.extra, &extra);
	assert_string_equal(m.allow, "HEAD, PATCH");
	assert_int_equal(router_match(&r, "PUT", "/api/v1/users", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_null(m.extra);
	assert_int_equal(router_match(&r, "PUT", "/nowhere", &m), ROUTER_NOT_FOUND);
	assert_null(m.extra);
	assert_int_equal(router_match(&r, "PATCH", "/up/abc", &m), ROUTER_FOUND);
	assert_ptr_equal(m.extra, &extra);
}

static void full_table_is_etoobig(void **state)
{
	(void)state;
	static struct router r;
	static struct cr_route many[ROUTER_MAX_ROUTES + 1];
	memset(&r, 0, sizeof r);
	for (size_t i = 0; i < ROUTER_MAX_ROUTES + 1; i++)
		many[i] = (struct cr_route){.method = "GET", .pattern = "/x", .handler = handler};
	assert_int_equal(router_add(&r, many, ROUTER_MAX_ROUTES), CR_OK);
	assert_int_equal(r.count, ROUTER_MAX_ROUTES);
	assert_int_equal(router_add(&r, many + ROUTER_MAX_ROUTES, 1), CR_ETOOBIG);
	assert_int_equal(r.count, ROUTER_MAX_ROUTES);
}

static void adding_in_batches_keeps_indexes(void **state)
{
	(void)state;
	struct router r;
	memset(&r, 0, sizeof r);
	assert_int_equal(router_add(&r, routes, 2), CR_OK);
	assert_int_equal(router_add(&r, routes + 2, NROUTES - 2), CR_OK);
	assert_int_equal(r.count, NROUTES);
	struct router_match m;
	assert_int_equal(router_match(&r, "PATCH", "/api/v1/users/3", &m), ROUTER_FOUND);
	assert_int_equal(m.index, 4);
}

static cr_err add_pattern(const char *pattern)
{
	static struct router r;
	static struct cr_route one;
	memset(&r, 0, sizeof r);
	one = (struct cr_route){.method = "GET", .pattern = pattern, .handler = handler};
	return router_add(&r, &one, 1);
}

static void well_formed_patterns_are_accepted(void **state)
{
	(void)state;
	assert_int_equal(add_pattern("/"), CR_OK);
	assert_int_equal(add_pattern("/a/{id}"), CR_OK);
	assert_int_equal(add_pattern("/a/{id}/b"), CR_OK);
	assert_int_equal(add_pattern("/{a}/{b}/{c}/{d}"), CR_OK);
}

static void malformed_patterns_are_einval(void **state)
{
	(void)state;
	assert_int_equal(add_pattern(""), CR_EINVAL);
	assert_int_equal(add_pattern("users"), CR_EINVAL);
	assert_int_equal(add_pattern("/users/{id"), CR_EINVAL);
	assert_int_equal(add_pattern("/users/x{id}"), CR_EINVAL);
	assert_int_equal(add_pattern("/users/{id}x"), CR_EINVAL);
	assert_int_equal(add_pattern("/users/{id}{x}"), CR_EINVAL);
	/* more parameters than CR_MAX_PATH_PARAMS */
	assert_int_equal(add_pattern("/{a}/{b}/{c}/{d}/{e}/{f}"), CR_EINVAL);
}

/* Regression: a '/' inside braces is a malformed pattern. */
static void slash_inside_braces_is_einval(void **state)
{
	(void)state;
	assert_int_equal(add_pattern("/a/{x/y}"), CR_EINVAL);
}

static void malformed_pattern_is_not_added(void **state)
{
	(void)state;
	struct router r;
	memset(&r, 0, sizeof r);
	const struct cr_route two[] = {
		{.method = "GET", .pattern = "/ok", .handler = handler},
		{.method = "GET", .pattern = "bad", .handler = handler},
	};
	assert_int_equal(router_add(&r, two, 2), CR_EINVAL);
	assert_int_equal(r.count, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_match_finds_route_and_index),
		cmocka_unit_test(literal_route_before_param_route_wins),
		cmocka_unit_test(param_captures_one_segment),
		cmocka_unit_test(params_are_copied_out_of_the_path),
		cmocka_unit_test(param_does_not_match_empty_or_several_segments),
		cmocka_unit_test(trailing_slash_and_empty_segment_do_not_match),
		cmocka_unit_test(unknown_path_is_404_with_no_allow),
		cmocka_unit_test(wrong_method_is_405_with_allow_list),
		cmocka_unit_test(allow_list_has_no_duplicates),
		cmocka_unit_test(head_matches_get_routes_only),
		cmocka_unit_test(method_is_case_sensitive),
		cmocka_unit_test(param_longer_than_buffer_does_not_match),
		cmocka_unit_test(two_params_sharing_the_buffer_are_bounded),
		cmocka_unit_test(wrong_method_on_a_path_with_extras_reports_them),
		cmocka_unit_test(full_table_is_etoobig),
		cmocka_unit_test(adding_in_batches_keeps_indexes),
		cmocka_unit_test(well_formed_patterns_are_accepted),
		cmocka_unit_test(malformed_patterns_are_einval),
		cmocka_unit_test(slash_inside_braces_is_einval),
		cmocka_unit_test(malformed_pattern_is_not_added),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
