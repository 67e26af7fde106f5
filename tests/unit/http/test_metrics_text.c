/* Unit tests for src/http/metrics_text.c: label values escaped as the
 * Prometheus text format asks, histogram lines with and without labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "http/metrics_text.h"

static char *take(struct text_buf *b)
{
	size_t len = 0;
	char *text = tb_take(b, &len);
	assert_non_null(text);
	return text;
}

static void label_values_are_escaped(void **state)
{
	(void)state;
	struct text_buf b = {0};
	metrics_label_value(&b, "plain /api/v1/videos/{id}");
	tb_puts(&b, "|");
	metrics_label_value(&b, "a\"quote\\back\nline");
	tb_puts(&b, "|");
	metrics_label_value(&b, "");
	char *text = take(&b);
	assert_string_equal(text,
			    "\"plain /api/v1/videos/{id}\"|\"a\\\"quote\\\\back\\nline\"|\"\"");
	free(text);
}

static void histogram_lines_carry_labels_and_le(void **state)
{
	(void)state;
	static const double le[] = {0.5, 2};
	struct histogram h = {.le = le, .n = 2};
	histogram_observe(&h, 100000);
	histogram_observe(&h, 3000000);
	struct text_buf b = {0};
	metrics_family(&b, "x_seconds", "histogram", "Help.");
	metrics_histogram(&b, "x_seconds", "route=\"/r\"", &h);
	metrics_histogram(&b, "y_seconds", "", &h);
	char *text = take(&b);
	assert_string_equal(text, "# HELP x_seconds Help.\n"
				  "# TYPE x_seconds histogram\n"
				  "x_seconds_bucket{route=\"/r\",le=\"0.5\"} 1\n"
				  "x_seconds_bucket{route=\"/r\",le=\"2\"} 1\n"
				  "x_seconds_bucket{route=\"/r\",le=\"+Inf\"} 2\n"
				  "x_seconds_sum{route=\"/r\"} 3.100000\n"
				  "x_seconds_count{route=\"/r\"} 2\n"
				  "y_seconds_bucket{le=\"0.5\"} 1\n"
				  "y_seconds_bucket{le=\"2\"} 1\n"
				  "y_seconds_bucket{le=\"+Inf\"} 2\n"
				  "y_seconds_sum 3.100000\n"
				  "y_seconds_count 2\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(label_values_are_escaped),
		cmocka_unit_test(histogram_lines_carry_labels_and_le),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
