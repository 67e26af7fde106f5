/* Unit tests for src/config.c: defaults, CASEREEL_* environment, flags and
 * their precedence, strict number and bool parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casereel/config.h"
#include "casereel/log.h"

struct fixture {
	struct cr_config cfg;
	char err[256];
};

/* Removes every CASEREEL_* variable so the runner's environment cannot
 * leak into a test. */
static void clear_casereel_env(void)
{
	extern char **environ;
	for (;;) {
		char **e = environ;
		while (*e && strncmp(*e, "CASEREEL_", 9) != 0)
			e++;
		if (!*e)
			return;
		char name[128];
		size_t len = strcspn(*e, "=");
		if (len >= sizeof name)
			len = sizeof name - 1;
		memcpy(name, *e, len);
		name[len] = '\0';
		unsetenv(name);
	}
}

static int setup(void **state)
{
	static struct fixture f;
	clear_casereel_env();
	config_defaults(&f.cfg);
	f.err[0] = '\0';
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	clear_casereel_env();
	return 0;
}

/* config_load over a NULL-terminated argv. */
static cr_err load(struct fixture *f, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	return config_load(&f->cfg, argc, argv, f->err, sizeof f->err);
}

/* LOAD(f, "--port", "0") runs casereel --port 0. */
#define LOAD(f, ...) load((f), (char *[]){"casereel", __VA_ARGS__, NULL})

static cr_err load_no_args(struct fixture *f)
{
	char *argv[] = {"casereel", NULL};
	return config_load(&f->cfg, 1, argv, f->err, sizeof f->err);
}

static void defaults(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(f->cfg.bind, "127.0.0.1");
	assert_int_equal(f->cfg.port, 8080);
	assert_string_equal(f->cfg.data_dir, "data");
	assert_string_equal(f->cfg.media_dir, "");
	assert_string_equal(f->cfg.timezone, "Asia/Shanghai");
	assert_int_equal(f->cfg.http_threads, 0);
	assert_int_equal(f->cfg.login_max_failures, 5);
	assert_int_equal(f->cfg.login_window, 900);
	assert_int_equal(f->cfg.json_body_max, 64 * 1024);
	assert_false(f->cfg.demo);
	assert_true(f->cfg.access_log);
	/* no arguments and no environment change nothing */
	struct cr_config before = f->cfg;
	assert_int_equal(load_no_args(f), CR_OK);
	assert_memory_equal(&before, &f->cfg, sizeof before);
}

static void flag_with_separate_value(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(LOAD(f, "--port", "0"), CR_OK);
	assert_int_equal(f->cfg.port, 0);
	assert_int_equal(LOAD(f, "--bind", "::1", "--data", "/tmp/x"), CR_OK);
	assert_string_equal(f->cfg.bind, "::1");
	assert_string_equal(f->cfg.data_dir, "/tmp/x");
}

static void flag_with_equals(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(LOAD(f, "--port=9"), CR_OK);
	assert_int_equal(f->cfg.port, 9);
	assert_int_equal(LOAD(f, "--json-body-max=2048", "--timezone=UTC"), CR_OK);
	assert_int_equal(f->cfg.json_body_max, 2048);
	assert_string_equal(f->cfg.timezone, "UTC");
	/* only the first '=' splits */
	assert_int_equal(LOAD(f, "--seed=a=b.json"), CR_OK);
	assert_string_equal(f->cfg.seed_path, "a=b.json");
}

static void bool_flags(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(LOAD(f, "--demo"), CR_OK);
	assert_true(f->cfg.demo);
	assert_int_equal(LOAD(f, "--access-log=0"), CR_OK);
	assert_false(f->cfg.access_log);
	assert_int_equal(LOAD(f, "--access-log=yes", "--demo=false"), CR_OK);
	assert_true(f->cfg.access_log);
	assert_false(f->cfg.demo);
	assert_int_equal(LOAD(f, "--demo=maybe"), CR_EINVAL);
	assert_non_null(strstr(f->err, "--demo"));
}

static void bool_flag_takes_a_following_bool_word_only(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(LOAD(f, "--demo", "1"), CR_OK);
	assert_true(f->cfg.demo);
	assert_int_equal(LOAD(f, "--demo", "0", "--access-log", "no"), CR_OK);
	assert_false(f->cfg.demo);
	assert_false(f->cfg.access_log);
	/* the next flag is not a value: --demo alone means true */
	assert_int_equal(LOAD(f, "--demo", "--port", "81"), CR_OK);
	assert_true(f->cfg.demo);
	assert_int_equal(f->cfg.port, 81);
	/* a word that is not a bool stays a (stray) argument of its own */
	assert_int_equal(LOAD(f, "--demo", "maybe"), CR_EINVAL);
	assert_non_null(strstr(f->err, "'maybe'"));
}

static void environment(void **state)
{
	struct fixture *f = *state;
	setenv("CASEREEL_PORT", "9090", 1);
	setenv("CASEREEL_DEMO", "1", 1);
	setenv("CASEREEL_DATA", "/srv/casereel", 1);
	assert_int_equal(load_no_args(f), CR_OK);
	assert_int_equal(f->cfg.port, 9090);
	assert_true(f->cfg.demo);
	assert_string_equal(f->cfg.data_dir, "/srv/casereel");
}

static void empty_environment_value_is_ignored(void **state)
{
	struct fixture *f = *state;
	setenv("CASEREEL_PORT", "", 1);
	assert_int_equal(load_no_args(f), CR_OK);
	assert_int_equal(f->cfg.port, 8080);
}

static void flag_overrides_environment(void **state)
{
	struct fixture *f = *state;
	setenv("CASEREEL_PORT", "9090", 1);
	setenv("CASEREEL_ACCESS_LOG", "0", 1);
	assert_int_equal(LOAD(f, "--port", "7070", "--access-log"), CR_OK);
	assert_int_equal(f->cfg.port, 7070);
	assert_true(f->cfg.access_log);
	unsetenv("CASEREEL_PORT");
	assert_int_equal(LOAD(f, "--port=7071"), CR_OK);
	assert_int_equal(f->cfg.port, 7071);
}

static void bad_environment_number_is_einval(void **state)
{
	struct fixture *f = *state;
	setenv("CASEREEL_PORT", "http", 1);
	assert_int_equal(load_no_args(f), CR_EINVAL);
	assert_non_null(strstr(f->err, "port"));
	assert_non_null(strstr(f->err, "'http'"));
}

static void expect_port_rejected(struct fixture *f, const char *value)
{
	char *argv[] = {"casereel", "--port", (char *)value, NULL};
	f->err[0] = '\0';
	assert_int_equal(config_load(&f->cfg, 3, argv, f->err, sizeof f->err), CR_EINVAL);
	assert_non_null(strstr(f->err, "--port"));
	assert_int_equal(f->cfg.port, 8080); /* unchanged */
}

static void out_of_range_and_garbage_numbers(void **state)
{
	struct fixture *f = *state;
	expect_port_rejected(f, "-1");
	expect_port_rejected(f, "65536");
	expect_port_rejected(f, "99999999999999999999999");
	expect_port_rejected(f, "");
	expect_port_rejected(f, "abc");
	expect_port_rejected(f, "80x");
	expect_port_rejected(f, "80 ");
	expect_port_rejected(f, "1e3");
	expect_port_rejected(f, "0x50");
	expect_port_rejected(f, "8.0");

	assert_int_equal(LOAD(f, "--port", "65535"), CR_OK);
	assert_int_equal(f->cfg.port, 65535);
	assert_int_equal(LOAD(f, "--json-body-max=1023"), CR_EINVAL);
	assert_non_null(strstr(f->err, "--json-body-max"));
	assert_int_equal(LOAD(f, "--login-window=0"), CR_EINVAL);
	assert_non_null(strstr(f->err, "--login-window"));
}

static void unknown_flag_and_stray_argument(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(LOAD(f, "--prot", "80"), CR_EINVAL);
	assert_non_null(strstr(f->err, "--prot"));
	assert_int_equal(LOAD(f, "--port-x=1"), CR_EINVAL);
	assert_int_equal(LOAD(f, "--"), CR_EINVAL);
	assert_int_equal(LOAD(f, "-p", "80"), CR_EINVAL);
	assert_int_equal(LOAD(f, "serve"), CR_EINVAL);
	assert_non_null(strstr(f->err, "serve"));
}

static void flag_without_value(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(LOAD(f, "--port"), CR_EINVAL);
	assert_non_null(strstr(f->err, "--port"));
}

static void string_too_long_is_einval(void **state)
{
	struct fixture *f = *state;
	char longbind[sizeof f->cfg.bind + 1];
	memset(longbind, '1', sizeof longbind - 1);
	longbind[sizeof longbind - 1] = '\0';
	assert_int_equal(LOAD(f, "--bind", longbind), CR_EINVAL);
	assert_non_null(strstr(f->err, "--bind"));

	longbind[sizeof f->cfg.bind - 1] = '\0'; /* exactly fits */
	assert_int_equal(LOAD(f, "--bind", longbind), CR_OK);
	assert_int_equal(strlen(f->cfg.bind), sizeof f->cfg.bind - 1);
}

static void err_is_bounded_by_err_len(void **state)
{
	struct fixture *f = *state;
	char err[8];
	char *argv[] = {"casereel", "--no-such-flag-with-a-long-name", NULL};
	memset(err, 'x', sizeof err);
	assert_int_equal(config_load(&f->cfg, 2, argv, err, sizeof err), CR_EINVAL);
	assert_int_equal(strlen(err), sizeof err - 1);
}

static void prepare_dirs_derives_paths(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/casereel-config-XXXXXX";
	assert_non_null(mkdtemp(dir));
	snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s/data", dir);
	assert_int_equal(config_prepare_dirs(&f->cfg, f->err, sizeof f->err), CR_OK);
	char want[PATH_MAX];
	snprintf(want, sizeof want, "%s/data/casereel.db", dir);
	assert_string_equal(f->cfg.db_path, want);
	snprintf(want, sizeof want, "%s/data/media", dir);
	assert_string_equal(f->cfg.media_dir, want);
	assert_int_equal(access(f->cfg.media_dir, W_OK), 0);
	/* a second run finds the directories there and is fine */
	assert_int_equal(config_prepare_dirs(&f->cfg, f->err, sizeof f->err), CR_OK);
	rmdir(f->cfg.media_dir);
	snprintf(want, sizeof want, "%s/data", dir);
	rmdir(want);
	rmdir(dir);
}

static void test_hooks_only_on_a_loopback_bind(void **state)
{
	struct fixture *f = *state;
	assert_false(f->cfg.test_hooks);
	assert_int_equal(LOAD(f, "--test-hooks"), CR_OK); /* the default bind is 127.0.0.1 */
	assert_true(f->cfg.test_hooks);
	static const char *const loopback[] = {"127.0.0.1", "127.8.9.10", "::1",
					       "::ffff:127.0.0.1"};
	for (size_t i = 0; i < sizeof loopback / sizeof loopback[0]; i++)
		assert_int_equal(LOAD(f, "--test-hooks", "--bind", (char *)loopback[i]), CR_OK);
	static const char *const reachable[] = {
		"0.0.0.0",         "::",      "10.0.0.1", "128.0.0.1",
		"::ffff:10.0.0.1", "fe80::1", "localhost"};
	for (size_t i = 0; i < sizeof reachable / sizeof reachable[0]; i++) {
		f->err[0] = '\0';
		assert_int_equal(LOAD(f, "--test-hooks", "--bind", (char *)reachable[i]),
				 CR_EINVAL);
		assert_non_null(strstr(f->err, "--test-hooks is for tests only"));
		assert_non_null(strstr(f->err, reachable[i]));
	}
	/* the environment variable counts like the flag, in either order */
	config_defaults(&f->cfg);
	setenv("CASEREEL_TEST_HOOKS", "1", 1);
	assert_int_equal(LOAD(f, "--bind", "0.0.0.0"), CR_EINVAL);
	unsetenv("CASEREEL_TEST_HOOKS");
	/* without the hooks any address will do */
	config_defaults(&f->cfg);
	assert_int_equal(LOAD(f, "--bind", "0.0.0.0"), CR_OK);
	assert_false(f->cfg.test_hooks);
}

/* --log-format and --log-level take one of their words, from the
 * environment or a flag; anything else is refused with the words named. */
static void log_format_and_level(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(f->cfg.log_format, LOG_FORMAT_TEXT);
	assert_int_equal(f->cfg.log_level, LOG_LEVEL_INFO);
	setenv("CASEREEL_LOG_FORMAT", "json", 1);
	setenv("CASEREEL_LOG_LEVEL", "warn", 1);
	assert_int_equal(load_no_args(f), CR_OK);
	assert_int_equal(f->cfg.log_format, LOG_FORMAT_JSON);
	assert_int_equal(f->cfg.log_level, LOG_LEVEL_WARN);
	assert_int_equal(LOAD(f, "--log-format", "text", "--log-level=error"), CR_OK);
	assert_int_equal(f->cfg.log_format, LOG_FORMAT_TEXT);
	assert_int_equal(f->cfg.log_level, LOG_LEVEL_ERROR);
	assert_int_equal(LOAD(f, "--log-level", "debug"), CR_OK);
	assert_int_equal(f->cfg.log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(LOAD(f, "--log-level", "loud"), CR_EINVAL);
	assert_string_equal(f->err, "--log-level: expected debug, info, warn or error, got 'loud'");
	assert_int_equal(LOAD(f, "--log-format", "JSON"), CR_EINVAL);
	assert_string_equal(f->err, "--log-format: expected text or json, got 'JSON'");
}

static void tls_cert_and_key_go_together(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(f->cfg.tls_cert, ""); /* plain HTTP by default */
	assert_int_equal(LOAD(f, "--tls-cert", "/etc/c.pem", "--tls-key", "/etc/k.pem"), CR_OK);
	assert_string_equal(f->cfg.tls_cert, "/etc/c.pem");
	assert_string_equal(f->cfg.tls_key, "/etc/k.pem");
	config_defaults(&f->cfg);
	assert_int_equal(LOAD(f, "--tls-cert", "/etc/c.pem"), CR_EINVAL);
	assert_non_null(strstr(f->err, "--tls-cert and --tls-key go together"));
	config_defaults(&f->cfg);
	assert_int_equal(LOAD(f, "--tls-key", "/etc/k.pem"), CR_EINVAL);
	/* the environment counts like the flags, and they can complete each other */
	config_defaults(&f->cfg);
	setenv("CASEREEL_TLS_KEY", "/etc/k.pem", 1);
	assert_int_equal(load_no_args(f), CR_EINVAL);
	assert_int_equal(LOAD(f, "--tls-cert", "/etc/c.pem"), CR_OK);
	unsetenv("CASEREEL_TLS_KEY");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(defaults),
		T(flag_with_separate_value),
		T(flag_with_equals),
		T(bool_flags),
		T(bool_flag_takes_a_following_bool_word_only),
		T(environment),
		T(empty_environment_value_is_ignored),
		T(flag_overrides_environment),
		T(bad_environment_number_is_einval),
		T(out_of_range_and_garbage_numbers),
		T(unknown_flag_and_stray_argument),
		T(flag_without_value),
		T(string_too_long_is_einval),
		T(err_is_bounded_by_err_len),
		T(prepare_dirs_derives_paths),
		T(test_hooks_only_on_a_loopback_bind),
		T(log_format_and_level),
		T(tls_cert_and_key_go_together),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
