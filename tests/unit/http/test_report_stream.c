/* Unit tests for the CSV lines of src/http/report_stream.c: quoting, the
 * formula guard and the SQL types of a report row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "http/report_stream.h"

static const char *const columns[] = {"id", "name", "rate", "note"};

static void test_the_header_names_the_columns(void **state)
{
	(void)state;
	char out[128];
	assert_int_equal(report_csv_line(NULL, columns, 4, out, sizeof out), 19);
	assert_string_equal(out, "id,name,rate,note\r\n");
}

static void test_a_row_keeps_its_types_and_quotes_what_needs_it(void **state)
{
	(void)state;
	char out[256];
	json_t *row = json_pack("{s:i, s:s, s:f, s:n}", "id", 7, "name", "Doe, \"JJ\"", "rate", 0.5,
				"note");
	size_t n = report_csv_line(row, columns, 4, out, sizeof out);
	assert_string_equal(out, "7,\"Doe, \"\"JJ\"\"\",0.500,\r\n");
	assert_int_equal(n, strlen(out));
	json_decref(row);
}

static void test_a_formula_is_never_run_by_a_spreadsheet(void **state)
{
	(void)state;
	char out[256];
	json_t *row = json_pack("{s:i, s:s, s:s, s:s}", "id", 1, "name", "=HYPERLINK(1)", "rate",
				"-2", "note", "@SUM\nx");
	report_csv_line(row, columns, 4, out, sizeof out);
	assert_string_equal(out, "1,'=HYPERLINK(1),'-2,\"'@SUM\nx\"\r\n");
	json_decref(row);
}

static void test_a_line_that_does_not_fit_is_not_cut(void **state)
{
	(void)state;
	char out[8];
	json_t *row = json_pack("{s:i, s:s}", "id", 1, "name", "longer than eight");
	assert_int_equal(report_csv_line(row, columns, 2, out, sizeof out), 0);
	assert_string_equal(out, "");
	json_decref(row);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_header_names_the_columns),
		cmocka_unit_test(test_a_row_keeps_its_types_and_quotes_what_needs_it),
		cmocka_unit_test(test_a_formula_is_never_run_by_a_spreadsheet),
		cmocka_unit_test(test_a_line_that_does_not_fit_is_not_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
