/* Tabular answers as JSON or CSV. See include/casereel/report.h. */
#include "casereel/report.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growable text with a hard maximum (one CSV line). */
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

/* A CSV export sent as it is written: the header, then one row at a time
 * into `line`, copied out as the server asks for more. */
struct csv_stream {
	json_t *rows; /* owned */
	const char *const *columns;
	size_t ncols;
	size_t next; /* the row to write next; (size_t)-1 before the header */
	struct text line;
	size_t sent; /* bytes of line already sent */
};

/* The header (fields NULL) or a row into s->line. */
static void csv_line(struct csv_stream *s, json_t *row)
{
	s->line.len = 0;
	s->sent = 0;
	for (size_t c = 0; c < s->ncols; c++) {
		if (row)
			add_value(&s->line, json_object_get(row, s->columns[c]));
		else
			add_field(&s->line, s->columns[c]);
		add(&s->line, c + 1 < s->ncols ? "," : "\r\n", c + 1 < s->ncols ? 1 : 2);
	}
}

static long csv_fill(void *ctx, char *buf, size_t max)
{
	struct csv_stream *s = ctx;
	size_t n = 0;
	while (n < max) {
		if (s->sent == s->line.len) {
			if (s->next != (size_t)-1 && s->next >= json_array_size(s->rows))
				break;
			csv_line(s,
				 s->next == (size_t)-1 ? NULL : json_array_get(s->rows, s->next));
			s->next++;
			if (s->line.failed)
				return -1;
		}
		size_t take = s->line.len - s->sent < max - n ? s->line.len - s->sent : max - n;
		memcpy(buf + n, s->line.buf + s->sent, take);
		s->sent += take;
		n += take;
	}
	return (long)n;
}

static void csv_release(void *ctx)
{
	struct csv_stream *s = ctx;
	json_decref(s->rows);
	free(s->line.buf);
	free(s);
}

/* Takes rows. */
static void answer_csv(struct cr_response *res, json_t *rows, const char *const *columns,
		       size_t ncols)
{
	struct csv_stream *s = calloc(1, sizeof *s);
	if (!s) {
		json_decref(rows);
		http_error(res, CR_ENOMEM, "report");
		return;
	}
	*s = (struct csv_stream){
		.rows = rows, .columns = columns, .ncols = ncols, .next = (size_t)-1};
	http_header(res, "Content-Disposition", "attachment; filename=\"report.csv\"");
	http_stream(res, 200, "text/csv; charset=utf-8",
		    &(struct cr_stream){.fill = csv_fill, .release = csv_release, .ctx = s});
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
