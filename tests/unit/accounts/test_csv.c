/* Unit tests for src/csv.c: RFC 4180 fields, line ends, BOM, blank lines,
 * malformed records and line numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "casereel/csv.h"

#define MAX_FIELDS 8

/* A reader over a private heap copy of `text`, so ASan sees any read or
 * write past buf[len] (the one writable NUL the contract grants). */
struct reader {
	struct csv csv;
	char *buf;
	char *fields[MAX_FIELDS];
	size_t n;
	char err[96];
};

static void reader_open(struct reader *r, const char *text, size_t len)
{
	memset(r, 0, sizeof *r);
	r->buf = malloc(len + 1);
	assert_non_null(r->buf);
	memcpy(r->buf, text, len);
	r->buf[len] = '\0';
	csv_init(&r->csv, r->buf, len);
}

/* For literals: the length excludes the literal's own NUL. */
#define OPEN(r, lit) reader_open((r), (lit), sizeof(lit) - 1)

static void reader_close(struct reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

static int next(struct reader *r)
{
	return csv_next(&r->csv, r->fields, MAX_FIELDS, &r->n, r->err, sizeof r->err);
}

static void expect_record(struct reader *r, size_t n, ...)
{
	assert_int_equal(next(r), 1);
	assert_int_equal(r->n, n);
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(r->fields[i], va_arg(ap, const char *));
	va_end(ap);
}

static void expect_end(struct reader *r)
{
	assert_int_equal(next(r), 0);
	assert_int_equal(r->n, 0);
}

static void plain_fields_lf(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "a,b,c\n1,2,3\n");
	expect_record(&r, 3, "a", "b", "c");
	expect_record(&r, 3, "1", "2", "3");
	expect_end(&r);
	expect_end(&r); /* stays at the end */
	reader_close(&r);
}

static void crlf_line_ends(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "a,b\r\n1,2\r\n");
	expect_record(&r, 2, "a", "b");
	expect_record(&r, 2, "1", "2");
	expect_end(&r);
	reader_close(&r);
}

static void final_line_without_newline(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "a,b\nlast,one");
	expect_record(&r, 2, "a", "b");
	expect_record(&r, 2, "last", "one");
	expect_end(&r);
	reader_close(&r);
}

static void empty_fields(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, ",x,\n,\n");
	expect_record(&r, 3, "", "x", "");
	expect_record(&r, 2, "", "");
	expect_end(&r);
	reader_close(&r);
}

static void trailing_comma_at_end_of_input(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "a,");
	expect_record(&r, 2, "a", "");
	expect_end(&r);
	reader_close(&r);
}

static void quoted_field_with_comma_newline_and_quotes(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "\"a,b\",\"line1\nline2\",\"say \"\"hi\"\"\"\n");
	expect_record(&r, 3, "a,b", "line1\nline2", "say \"hi\"");
	expect_end(&r);
	reader_close(&r);
}

static void quoted_field_with_crlf_inside_and_after(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "\"x\r\ny\",z\r\n\"q\"\r\n");
	expect_record(&r, 2, "x\r\ny", "z");
	expect_record(&r, 1, "q");
	expect_end(&r);
	reader_close(&r);
}

static void empty_and_quote_only_quoted_fields(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "\"\",\"\"\"\"\n\"\"");
	expect_record(&r, 2, "", "\"");
	expect_record(&r, 1, "");
	expect_end(&r);
	reader_close(&r);
}

static void quoted_last_field_without_newline(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "a,\"b c\"");
	expect_record(&r, 2, "a", "b c");
	expect_end(&r);
	reader_close(&r);
}

static void utf8_bom_is_skipped(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "\xEF\xBB\xBFusername,display_name\n");
	expect_record(&r, 2, "username", "display_name");
	expect_end(&r);
	reader_close(&r);
}

static void bom_only_in_first_position(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "a\n\xEF\xBB\xBF"
		 "b\n");
	expect_record(&r, 1, "a");
	expect_record(&r, 1,
		      "\xEF\xBB\xBF"
		      "b");
	reader_close(&r);
}

static void blank_lines_are_skipped(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "\n\r\na\n\n\r\nb\n\n");
	expect_record(&r, 1, "a");
	expect_record(&r, 1, "b");
	expect_end(&r);
	reader_close(&r);
}

static void empty_input_and_bom_only(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "");
	expect_end(&r);
	reader_close(&r);
	OPEN(&r, "\xEF\xBB\xBF");
	expect_end(&r);
	reader_close(&r);
	OPEN(&r, "\n\n");
	expect_end(&r);
	reader_close(&r);
}

static void unclosed_quote_is_error(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "a,\"never closed\nb,c\n");
	assert_int_equal(next(&r), -1);
	assert_non_null(strstr(r.err, "unclosed quote"));
	reader_close(&r);
}

static void text_after_closing_quote_is_error(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "ok\n\"a\"b,c\n");
	expect_record(&r, 1, "ok");
	assert_int_equal(next(&r), -1);
	assert_non_null(strstr(r.err, "closing quote"));
	reader_close(&r);
}

static void too_many_fields_is_error(void **state)
{
	(void)state;
	struct reader r;
	char *fields[3];
	size_t n;
	char err[64];
	OPEN(&r, "1,2,3\n1,2,3,4\n");
	assert_int_equal(csv_next(&r.csv, fields, 3, &n, err, sizeof err), 1);
	assert_int_equal(n, 3);
	assert_int_equal(csv_next(&r.csv, fields, 3, &n, err, sizeof err), -1);
	assert_non_null(strstr(err, "more than 3 fields"));
	reader_close(&r);
}

static void error_message_is_bounded_by_err_len(void **state)
{
	(void)state;
	struct reader r;
	char *fields[1];
	size_t n;
	char err[8];
	memset(err, 'x', sizeof err);
	OPEN(&r, "\"open");
	assert_int_equal(csv_next(&r.csv, fields, 1, &n, err, sizeof err), -1);
	assert_int_equal(strlen(err), sizeof err - 1);
	reader_close(&r);
}

static void stray_quote_inside_plain_field_is_kept(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "ab\"c,d\n");
	expect_record(&r, 2, "ab\"c", "d");
	reader_close(&r);
}

static void lone_cr_is_data(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "a\rb,c\n");
	expect_record(&r, 2, "a\rb", "c");
	reader_close(&r);
}

static void line_numbers_follow_records(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "h1,h2\r\n\"multi\nline\",x\nlast\n");
	assert_int_equal(r.csv.line, 1);
	expect_record(&r, 2, "h1", "h2");
	assert_int_equal(r.csv.line, 2);
	expect_record(&r, 2, "multi\nline", "x");
	assert_int_equal(r.csv.line, 4); /* the quoted newline counts */
	expect_record(&r, 1, "last");
	assert_int_equal(r.csv.line, 5);
	reader_close(&r);
}

/* Regression: `line` is where the next record starts, past blank lines
 * (the CSV import reports row errors by it). */
static void line_skips_blank_lines_before_next_record(void **state)
{
	(void)state;
	struct reader r;
	OPEN(&r, "a\n\nb\n");
	expect_record(&r, 1, "a");
	size_t line = r.csv.line;
	reader_close(&r);
	assert_int_equal(line, 3);
}

/* Input read in pieces: where whole records end, line ends inside quotes
 * not counting, and the line count carried from piece to piece. */
static void records_end_skips_quoted_line_ends(void **state)
{
	(void)state;
	const char *text = "a,b\n\"x\ny\",z\nc,\"d\"\"\"\n"; /* the last field is d" */
	assert_int_equal(csv_records_end(text, strlen(text)), 20);
	/* cut inside the quoted line end: only the first record is whole */
	assert_int_equal(csv_records_end(text, 7), 4);
	/* cut inside the doubled quote of the last field: two records are */
	assert_int_equal(csv_records_end(text, 18), 12);
	assert_int_equal(csv_records_end("no line end", 11), 0);
	assert_int_equal(csv_records_end("p\"q\nr", 5), 4); /* a quote inside a plain field */
}

static void continue_keeps_the_line_count(void **state)
{
	(void)state;
	char first[] = "h\n\"a\nb\"\n", second[] = "\nc\n";
	char *fields[2], err[32];
	size_t n;
	struct csv c;
	csv_init(&c, first, strlen(first));
	assert_int_equal(csv_next(&c, fields, 2, &n, err, sizeof err), 1);
	assert_int_equal(csv_next(&c, fields, 2, &n, err, sizeof err), 1);
	assert_int_equal(c.record_line, 2);
	assert_int_equal(csv_next(&c, fields, 2, &n, err, sizeof err), 0);
	csv_continue(&c, second, strlen(second));
	assert_int_equal(csv_next(&c, fields, 2, &n, err, sizeof err), 1);
	assert_string_equal(fields[0], "c");
	assert_int_equal(c.record_line, 5); /* past the blank line that began the piece */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records_end_skips_quoted_line_ends),
		cmocka_unit_test(continue_keeps_the_line_count),
		cmocka_unit_test(plain_fields_lf),
		cmocka_unit_test(crlf_line_ends),
		cmocka_unit_test(final_line_without_newline),
		cmocka_unit_test(empty_fields),
		cmocka_unit_test(trailing_comma_at_end_of_input),
		cmocka_unit_test(quoted_field_with_comma_newline_and_quotes),
		cmocka_unit_test(quoted_field_with_crlf_inside_and_after),
		cmocka_unit_test(empty_and_quote_only_quoted_fields),
		cmocka_unit_test(quoted_last_field_without_newline),
		cmocka_unit_test(utf8_bom_is_skipped),
		cmocka_unit_test(bom_only_in_first_position),
		cmocka_unit_test(blank_lines_are_skipped),
		cmocka_unit_test(empty_input_and_bom_only),
		cmocka_unit_test(unclosed_quote_is_error),
		cmocka_unit_test(text_after_closing_quote_is_error),
		cmocka_unit_test(too_many_fields_is_error),
		cmocka_unit_test(error_message_is_bounded_by_err_len),
		cmocka_unit_test(stray_quote_inside_plain_field_is_kept),
		cmocka_unit_test(lone_cr_is_data),
		cmocka_unit_test(line_numbers_follow_records),
		cmocka_unit_test(line_skips_blank_lines_before_next_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
