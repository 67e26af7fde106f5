/* Unit tests for src/core/log_line.c and src/core/log.c: how text values are
 * quoted and escaped, what a JSON line holds, that nothing logged can start
 * a line of its own, the level filter, the thread's request id, and that
 * lines from threads arrive whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casereel/log.h"
#include "core/log_line.h"

#define TS "2026-01-31T23:59:59.123Z"

static char line[LOG_LINE_MAX];

static const char *text(const char *msg, const struct log_field *f, size_t n)
{
	struct log_line l = {.ts = TS, .level = LOG_LEVEL_WARN, .msg = msg, .fields = f, .n = n};
	assert_true(log_line_format(LOG_FORMAT_TEXT, &l, 1024, line, sizeof line) > 0);
	return line;
}

/* One string field `v` as a text line shows it. */
static const char *text_value(const char *v)
{
	struct log_field f[] = {LOG_STR("k", v)};
	return text("m", f, 1);
}

static void text_lines_are_ts_level_msg_then_fields(void **state)
{
	(void)state;
	struct log_field f[] = {LOG_STR("path", "/api/v1/me"), LOG_INT("status", 200),
				LOG_INT("user", -7), LOG_BOOL("aborted", false),
				LOG_STR("left_out", NULL)};
	assert_string_equal(text("request done", f, 5),
			    TS " warn request done path=/api/v1/me status=200 user=-7 "
			       "aborted=false\n");
	struct log_line l = {
		.ts = TS, .level = LOG_LEVEL_INFO, .msg = "x", .request_id = "abc-123"};
	assert_true(log_line_format(LOG_FORMAT_TEXT, &l, 1024, line, sizeof line) > 0);
	assert_string_equal(line, TS " info x request_id=abc-123\n");
}

static void text_values_are_quoted_when_they_would_read_as_more(void **state)
{
	(void)state;
	assert_string_equal(text_value("plain-1.2:3/x\\y"), TS " warn m k=plain-1.2:3/x\\y\n");
	assert_string_equal(text_value("two words"), TS " warn m k=\"two words\"\n");
	assert_string_equal(text_value(""), TS " warn m k=\"\"\n");
	assert_string_equal(text_value("a=b"), TS " warn m k=\"a=b\"\n");
	assert_string_equal(text_value("say \"hi\" \\o/"),
			    TS " warn m k=\"say \\\"hi\\\" \\\\o/\"\n");
	assert_string_equal(text_value("caf\xc3\xa9"),
			    TS " warn m k=caf\xc3\xa9\n"); /* UTF-8 stays */
}

static void text_escapes_control_bytes_and_bad_utf8(void **state)
{
	(void)state;
	/* a newline in a value or the message cannot start a forged line */
	assert_string_equal(text_value("x\n" TS " error forged"),
			    TS " warn m k=\"x\\n" TS " error forged\"\n");
	assert_string_equal(text("one\ntwo\r\tthree\x01\x7f", NULL, 0),
			    TS " warn one\\ntwo\\r\\tthree\\x01\\x7f\n");
	assert_string_equal(text_value("\x01"), TS " warn m k=\"\\x01\"\n");
	assert_string_equal(text_value("bad\xff\xc3"), TS " warn m k=\"bad\\xff\\xc3\"\n");
	assert_string_equal(text("over\xc0\xaflong", NULL, 0), TS " warn over\\xc0\\xaflong\n");
	assert_null(strchr(text_value("a\nb\rc"), '\r'));
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
}

/* A JSON line, parsed; the caller decrefs. */
static json_t *json_line(const char *msg, const struct log_field *f, size_t n, const char *rid)
{
	struct log_line l = {.ts = TS,
			     .level = LOG_LEVEL_ERROR,
			     .msg = msg,
			     .fields = f,
			     .n = n,
			     .request_id = rid};
	size_t len = log_line_format(LOG_FORMAT_JSON, &l, 1024, line, sizeof line);
	assert_true(len > 0);
	assert_int_equal(line[len - 1], '\n');
	assert_ptr_equal(strchr(line, '\n'), line + len - 1); /* one line */
	json_error_t err;
	json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &err);
	assert_non_null(j);
	return j;
}

static void json_lines_are_one_object_in_a_fixed_key_order(void **state)
{
	(void)state;
	struct log_field f[] = {LOG_STR("method", "GET"), LOG_INT("status", 404),
				LOG_BOOL("aborted", true)};
	struct log_line l = {.ts = TS,
			     .level = LOG_LEVEL_INFO,
			     .msg = "access",
			     .fields = f,
			     .n = 3,
			     .request_id = "abc-123"};
	assert_true(log_line_format(LOG_FORMAT_JSON, &l, 1024, line, sizeof line) > 0);
	assert_string_equal(line, "{\"ts\":\"" TS "\",\"level\":\"info\",\"msg\":\"access\","
				  "\"method\":\"GET\",\"status\":404,\"aborted\":true,"
				  "\"request_id\":\"abc-123\"}\n");
}

static void json_escapes_what_could_break_the_line(void **state)
{
	(void)state;
	struct log_field f[] = {LOG_STR("path", "/x\n{\"level\":\"error\"}"),
				LOG_STR("bad", "a\xff\xfe z"), LOG_STR("msg", "not the message"),
				LOG_STR("zh", "\xe4\xb8\xad")};
	json_t *j = json_line("line\none\x01", f, 4, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "msg")), "line\none\x01");
	assert_string_equal(json_string_value(json_object_get(j, "path")),
			    "/x\n{\"level\":\"error\"}");
	assert_string_equal(json_string_value(json_object_get(j, "bad")), "a\\xff\\xfe z");
	assert_string_equal(json_string_value(json_object_get(j, "zh")), "\xe4\xb8\xad");
	assert_string_equal(json_string_value(json_object_get(j, "level")), "error");
	assert_null(json_object_get(j, "request_id"));
	assert_int_equal(json_object_size(j), 6); /* the field named msg was left out */
	json_decref(j);
}

static void strings_are_cut_whole_characters_and_long_lines_refused(void **state)
{
	(void)state;
	/* 10 two-byte characters cut to 5 bytes keep 2 of them, not half a third */
	const char *zh = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			 "\xc3\xa9";
	struct log_line l = {.ts = TS, .level = LOG_LEVEL_INFO, .msg = zh};
	assert_true(log_line_format(LOG_FORMAT_TEXT, &l, 5, line, sizeof line) > 0);
	assert_string_equal(line, TS " info \xc3\xa9\xc3\xa9\n");
	assert_true(log_line_format(LOG_FORMAT_JSON, &l, 5, line, sizeof line) > 0);
	assert_non_null(strstr(line, "\"msg\":\"\xc3\xa9\xc3\xa9\""));
	char small[20];
	assert_int_equal(log_line_format(LOG_FORMAT_TEXT, &l, 1024, small, sizeof small), 0);
	assert_int_equal(log_line_format(LOG_FORMAT_JSON, &l, 1024, small, sizeof small), 0);
}

/* --- log.c: what reaches file descriptor 2 ----------------------------- */

static int saved_stderr = -1;
static FILE *captured;

static void capture_start(void)
{
	captured = tmpfile();
	assert_non_null(captured);
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(captured), STDERR_FILENO);
}

/* Restores stderr; returns what was written (malloc'd, NUL-terminated). */
static char *capture_end(void)
{
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	fseek(captured, 0, SEEK_END);
	long size = ftell(captured);
	rewind(captured);
	char *all = calloc(1, (size_t)size + 1);
	assert_int_equal(fread(all, 1, (size_t)size, captured), (size_t)size);
	fclose(captured);
	return all;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void levels_below_the_configured_one_are_not_written(void **state)
{
	(void)state;
	log_configure(LOG_FORMAT_TEXT, LOG_LEVEL_WARN);
	capture_start();
	log_debug("d");
	log_info("i");
	log_warn("w %d", 1);
	log_error("e");
	char *out = capture_end();
	log_configure(LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
	assert_int_equal(count_lines(out), 2);
	assert_non_null(strstr(out, "Z warn w 1\n"));
	assert_non_null(strstr(out, "Z error e\n"));
	assert_null(strstr(out, " info "));
	assert_false(log_enabled(LOG_LEVEL_DEBUG));
	free(out);
}

static void the_request_id_goes_on_every_line_of_its_thread(void **state)
{
	(void)state;
	log_configure(LOG_FORMAT_JSON, LOG_LEVEL_DEBUG);
	capture_start();
	log_set_request_id("req-1");
	struct log_field f[] = {LOG_INT("clip", 9)};
	log_fields(LOG_LEVEL_WARN, f, "during");
	log_set_request_id(NULL);
	log_info("after");
	char *out = capture_end();
	log_configure(LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
	char *second = strchr(out, '\n') + 1;
	json_t *a = json_loadb(out, (size_t)(second - out), 0, NULL);
	json_t *b = json_loads(second, 0, NULL);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(json_string_value(json_object_get(a, "request_id")), "req-1");
	assert_int_equal(json_integer_value(json_object_get(a, "clip")), 9);
	assert_null(json_object_get(b, "request_id"));
	/* RFC 3339 UTC with milliseconds */
	const char *ts = json_string_value(json_object_get(a, "ts"));
	assert_int_equal(strlen(ts), strlen(TS));
	assert_true(ts[10] == 'T' && ts[19] == '.' && ts[23] == 'Z');
	json_decref(a);
	json_decref(b);
	free(out);
}

static void an_overlong_line_is_cut_to_one_atomic_write(void **state)
{
	(void)state;
	static char big[3 * LOG_LINE_MAX];
	memset(big, '\n', sizeof big - 1); /* every byte grows to two when escaped */
	log_configure(LOG_FORMAT_JSON, LOG_LEVEL_INFO);
	capture_start();
	struct log_field f[] = {LOG_STR("a", big), LOG_STR("b", big)};
	log_fields(LOG_LEVEL_ERROR, f, "%s", big);
	char *out = capture_end();
	log_configure(LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
	assert_int_equal(count_lines(out), 1);
	assert_true(strlen(out) <= LOG_LINE_MAX);
	json_t *j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "level")), "error");
	json_decref(j);
	free(out);
}

#define THREADS 4
#define LINES   300

static void *log_many(void *arg)
{
	char words[200];
	memset(words, 'a' + (int)(intptr_t)arg, sizeof words - 1);
	words[sizeof words - 1] = '\0';
	struct log_field f[] = {LOG_STR("words", words), LOG_INT("thread", (intptr_t)arg)};
	for (int i = 0; i < LINES; i++)
		log_fields(LOG_LEVEL_INFO, f, "line %d", i);
	return NULL;
}

static void lines_from_threads_never_interleave(void **state)
{
	(void)state;
	log_configure(LOG_FORMAT_JSON, LOG_LEVEL_INFO);
	capture_start();
	pthread_t t[THREADS];
	for (intptr_t i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, log_many, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	char *out = capture_end();
	log_configure(LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
	assert_int_equal(count_lines(out), THREADS * LINES);
	size_t per_thread[THREADS] = {0};
	for (char *p = out, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		json_t *j = json_loadb(p, (size_t)(nl - p), 0, NULL);
		assert_non_null(j);
		per_thread[json_integer_value(json_object_get(j, "thread"))]++;
		json_decref(j);
	}
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(per_thread[i], LINES);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_lines_are_ts_level_msg_then_fields),
		cmocka_unit_test(text_values_are_quoted_when_they_would_read_as_more),
		cmocka_unit_test(text_escapes_control_bytes_and_bad_utf8),
		cmocka_unit_test(json_lines_are_one_object_in_a_fixed_key_order),
		cmocka_unit_test(json_escapes_what_could_break_the_line),
		cmocka_unit_test(strings_are_cut_whole_characters_and_long_lines_refused),
		cmocka_unit_test(levels_below_the_configured_one_are_not_written),
		cmocka_unit_test(the_request_id_goes_on_every_line_of_its_thread),
		cmocka_unit_test(an_overlong_line_is_cut_to_one_atomic_write),
		cmocka_unit_test(lines_from_threads_never_interleave),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
