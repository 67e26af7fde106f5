/* Tabular answers as JSON or CSV. See include/casereel/report.h. */
#include "casereel/report.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growable text with a hard maximum (reports stay small). */
struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

#define CSV_MAX (8u << 20)

static void add(struct text *t, const char *s, size_t n)
{
	if (t->failed || t->len + n + 1 > CSV_MAX) {
		t->failed = true;
		return;
	}
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *nb = realloc(t->buf, cap);
		if (!nb) {
			t->failed = true;
			return;
		}
		t->buf = nb;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

/* One CSV field, quoted when it holds a comma, quote or line break. A
 * leading = + - @ TAB CR or LF is prefixed with ' so spreadsheets never run
 * it (they skip leading white space before looking for a formula). */
static void add_field(struct text *t, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		add(t, "\"", 1);
	if (s[0] && strchr("=+-@\t\r\n", s[0]))
		add(t, "'", 1);
	for (const char *p = s; *p; p++) {
		add(t, p, 1);
		if (*p == '"')
			add(t, "\"", 1); /* quotes are doubled */
	}
	if (quote)
		add(t, "\"", 1);
}

static void add_value(struct text *t, json_t *v)
{
	char num[64];
	if (json_is_string(v)) {
		add_field(t, json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		add(t, num, strlen(num));
	} else if (json_is_real(v)) {
		snprintf(num, sizeof num, "%.3f", json_real_value(v));
		add(t, num, strlen(num));
	} else if (json_is_boolean(v)) {
		add(t, json_is_true(v) ? "true" : "false", json_is_true(v) ? 4 : 5);
	}
}

static void answer_csv(struct cr_response *res, json_t *rows, const char *const *columns,
		       size_t ncols)
{
	struct text t = {0};
	for (size_t c = 0; c < ncols; c++) {
		add_field(&t, columns[c]);
		add(&t, c + 1 < ncols ? "," : "\r\n", c + 1 < ncols ? 1 : 2);
	}
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		for (size_t c = 0; c < ncols; c++) {
			add_value(&t, json_object_get(row, columns[c]));
			add(&t, c + 1 < ncols ? "," : "\r\n", c + 1 < ncols ? 1 : 2);
		}
	}
	if (t.failed) {
		free(t.buf);
		http_problem(res, 500, "internal", "the report is too large to export");
		return;
	}
	http_header(res, "Content-Disposition", "attachment; filename=\"report.csv\"");
	http_text(res, 200, "text/csv; charset=utf-8", t.buf, t.len);
}

void report_answer(struct cr_request *req, struct cr_response *res, json_t *rows,
		   const char *const *columns, size_t ncols, json_t *meta)
{
	const char *format = http_query(req, "format");
	if (!rows) {
		json_decref(meta);
		http_error(res, CR_ENOMEM, "report");
		return;
	}
	if (format && !strcmp(format, "csv")) {
		answer_csv(res, rows, columns, ncols);
		json_decref(rows);
		json_decref(meta);
		return;
	}
	if (format && strcmp(format, "json")) {
		json_decref(rows);
		json_decref(meta);
		http_invalid_field(res, "format", "format is json or csv");
		return;
	}
	json_t *body = meta ? meta : json_object();
	json_object_set_new(body, "items", rows);
	http_json(res, 200, body);
}
