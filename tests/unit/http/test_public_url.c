/* Unit tests for src/http/public_url.c and the problem type prefix of
 * src/http/response.c: relative until the server listens, then absolute
 * under --public-url or the address listened on, set once. A file of its
 * own: the prefix is process-wide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "casereel/config.h"
#include "casereel/http.h"
#include "casereel/public_url.h"

static const char *problem_type(const char *slug)
{
	static char uri[CR_PUBLIC_URL_MAX + 64];
	http_problem_type_uri(slug, uri, sizeof uri);
	return uri;
}

static void relative_before_listening(void **state)
{
	(void)state;
	struct cr_response res = {0};
	assert_string_equal(problem_type("not-found"), "/problems/not-found");
	http_problem(&res, 404, "not-found", "x");
	assert_string_equal(json_string_value(json_object_get(res.json, "type")),
			    "/problems/not-found");
	http_response_clear(&res);
}

static void the_default_is_the_address_listened_on(void **state)
{
	(void)state;
	struct cr_config cfg;
	char url[CR_PUBLIC_URL_MAX];
	config_defaults(&cfg);
	public_url_format(&cfg, 8080, url, sizeof url);
	assert_string_equal(url, "http://127.0.0.1:8080");
	snprintf(cfg.bind, sizeof cfg.bind, "::1");
	public_url_format(&cfg, 8081, url, sizeof url);
	assert_string_equal(url, "http://[::1]:8081");
}

/* --public-url through config_load: a trailing '/' goes; what is not an
 * http(s) URL without query or fragment is refused, naming the flag. */
static void the_flag_is_checked(void **state)
{
	(void)state;
	struct cr_config cfg;
	char err[256];
	config_defaults(&cfg);
	char *ok[] = {"serve", "--public-url", "https://reel.example.com/cr/"};
	assert_int_equal(config_load(&cfg, 3, ok, err, sizeof err), CR_OK);
	assert_string_equal(cfg.public_url, "https://reel.example.com/cr");
	const char *bad[] = {"reel.example.com", "ftp://x",        "https://",
			     "http://x/a b",     "https://x/?q=1", "https:///path"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		config_defaults(&cfg);
		char *argv[] = {"serve", "--public-url", (char *)bad[i]};
		assert_int_equal(config_load(&cfg, 3, argv, err, sizeof err), CR_EINVAL);
		assert_non_null(strstr(err, "--public-url"));
	}
}

static void the_public_url_wins_and_is_set_once(void **state)
{
	(void)state;
	struct cr_config cfg;
	config_defaults(&cfg);
	snprintf(cfg.public_url, sizeof cfg.public_url, "https://reel.example.com/cr");
	public_url_apply(&cfg, 8443);
	struct cr_response res = {0};
	http_fail(&res, CR_EFUNDS, NULL, "tip");
	assert_string_equal(json_string_value(json_object_get(res.json, "type")),
			    "https://reel.example.com/cr/problems/insufficient-points");
	http_response_clear(&res);
	/* a second start in the same process changes nothing */
	cfg.public_url[0] = '\0';
	public_url_apply(&cfg, 9000);
	assert_string_equal(problem_type("throttled"),
			    "https://reel.example.com/cr/problems/throttled");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(relative_before_listening),
		cmocka_unit_test(the_default_is_the_address_listened_on),
		cmocka_unit_test(the_flag_is_checked),
		cmocka_unit_test(the_public_url_wins_and_is_set_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
