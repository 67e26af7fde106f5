/* CSV exports sent as the client reads them: the header, then one row at a
 * time from a page of the pager's, the next page read on an export's own
 * store connection only when the last one was sent. See report_stream.h. */
#include "report_stream.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/drain.h"
#include "casereel/log.h"
#include "casereel/report.h"
#include "casereel/store.h"

/* Rows read at once: one page is all an export holds in memory. */
#define PAGE_ROWS 500

/* A growable text with a hard maximum (one CSV line). */
struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

#define CSV_LINE_MAX (8u << 20)

static void add(struct text *t, const char *s, size_t n)
{
	if (t->failed || t->len + n + 1 > CSV_LINE_MAX) {
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

static void add_field(struct text *t, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		add(t, "\"", 1);
	/* spreadsheets skip leading white space before looking for a formula */
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

/* The header (row NULL) or a row as one line into t (emptied first). */
static void csv_line(struct text *t, json_t *row, const char *const *columns, size_t ncols)
{
	t->len = 0;
	for (size_t c = 0; c < ncols; c++) {
		if (row)
			add_value(t, json_object_get(row, columns[c]));
		else
			add_field(t, columns[c]);
		add(t, c + 1 < ncols ? "," : "\r\n", c + 1 < ncols ? 1 : 2);
	}
}

size_t report_csv_line(json_t *row, const char *const *columns, size_t ncols, char *out,
		       size_t size)
{
	struct text t = {0};
	csv_line(&t, row, columns, ncols);
	size_t n = !t.failed && t.len < size ? t.len : 0;
	if (n)
		memcpy(out, t.buf, n + 1);
	else if (size)
		out[0] = '\0';
	free(t.buf);
	return n;
}

static atomic_llong test_delay;

void report_test_page_delay(long long n)
{
	atomic_store(&test_delay, n);
}

struct csv_stream {
	struct report_pager pager; /* owned */
	struct store_conn *db;     /* owned; NULL: the pager reads no SQL */
	const char *const *columns;
	size_t ncols;
	size_t max_rows;
	json_t *page; /* owned; the rows being sent */
	size_t next;  /* the page's row to write next */
	size_t rows;  /* rows written */
	bool header_sent, end, cut;
	struct text line;
	size_t sent; /* bytes of line already sent */
};

/* Reads the next page; false (and says why in the log) when the export
 * must be cut. */
static bool read_page(struct csv_stream *s)
{
	json_decref(s->page);
	s->page = NULL;
	s->next = 0;
	cr_err e = CR_OK;
	bool stopped = false;
	if (!s->db) {
		e = s->pager.next(s->pager.state, PAGE_ROWS, &s->page);
	} else {
		struct store_conn *prev = store_conn_enter(s->db);
		long long delay = atomic_load(&test_delay);
		int64_t counted;
		if (delay > 0 && !store_conn_stopped(s->db))
			store_count_to(delay, &counted);
		if (!store_conn_stopped(s->db))
			e = s->pager.next(s->pager.state, PAGE_ROWS, &s->page);
		stopped = store_conn_stopped(s->db);
		store_conn_leave(prev);
	}
	if (stopped || e || !s->page) {
		log_warn("CSV export cut after %zu rows: %s", s->rows,
			 stopped ? "its --export-time-limit passed or the server is stopping"
				 : "a page could not be read");
		return false;
	}
	s->end = json_array_size(s->page) == 0;
	return true;
}

/* The next line into s->line: 1, 0 at the end, -1 when the export is cut. */
static int next_line(struct csv_stream *s)
{
	s->sent = 0;
	if (!s->header_sent) {
		s->header_sent = true;
		csv_line(&s->line, NULL, s->columns, s->ncols);
		return s->line.failed ? -1 : 1;
	}
	if (s->next == json_array_size(s->page) && (s->end || !read_page(s)))
		return s->end ? 0 : -1;
	if (s->end)
		return 0;
	if (s->max_rows && s->rows == s->max_rows) {
		log_warn("CSV export cut at --export-max-rows (%zu rows)", s->max_rows);
		return -1;
	}
	csv_line(&s->line, json_array_get(s->page, s->next++), s->columns, s->ncols);
	s->rows++;
	return s->line.failed ? -1 : 1;
}

static long csv_fill(void *ctx, char *buf, size_t max)
{
	struct csv_stream *s = ctx;
	size_t n = 0;
	while (n < max && !s->cut) {
		if (s->sent == s->line.len) {
			int more = next_line(s);
			s->cut = more < 0;
			if (more <= 0) {
				s->line.len = 0;
				break;
			}
		}
		size_t take = s->line.len - s->sent < max - n ? s->line.len - s->sent : max - n;
		memcpy(buf + n, s->line.buf + s->sent, take);
		s->sent += take;
		n += take;
	}
	/* what was made before a cut goes out first; the cut comes next call */
	return n ? (long)n : s->cut ? -1 : 0;
}

static void csv_release(void *ctx)
{
	struct csv_stream *s = ctx;
	if (s->pager.release)
		s->pager.release(s->pager.state);
	if (s->db) {
		store_conn_close(&s->db);
		drain_long_end();
	}
	json_decref(s->page);
	free(s->line.buf);
	free(s);
}

void report_stream_csv(struct cr_response *res, const struct report_pager *pager,
		       const char *const *columns, size_t ncols, const struct report_limits *lim)
{
	struct csv_stream *s = calloc(1, sizeof *s);
	struct store_conn *db = s && lim->own_connection ? store_conn_open(lim->time_ms) : NULL;
	if (!s || (lim->own_connection && !db)) {
		cr_err e = s ? CR_EDB : CR_ENOMEM;
		if (pager->release)
			pager->release(pager->state);
		free(s);
		http_error(res, e, "export");
		return;
	}
	*s = (struct csv_stream){.pager = *pager,
				 .db = db,
				 .columns = columns,
				 .ncols = ncols,
				 .max_rows = lim->max_rows};
	if (db)
		drain_long_begin();
	http_header(res, "Content-Disposition", "attachment; filename=\"report.csv\"");
	http_stream(res, 200, "text/csv; charset=utf-8",
		    &(struct cr_stream){.fill = csv_fill, .release = csv_release, .ctx = s});
}
