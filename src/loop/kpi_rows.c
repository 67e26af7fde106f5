/* Import rows from a metrics CSV file, a block at a time, or from a JSON
 * batch's array. See include/casereel/kpi_rows.h. */
#include "casereel/kpi_rows.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casereel/csv.h"
#include "casereel/log.h"

/* Bytes read at a time, which is also the longest record a file may hold. */
#define BLOCK_BYTES (1u << 20)

enum csv_column { CSV_DATE, CSV_EMPLOYEE_ID, CSV_USERNAME, CSV_METRIC, CSV_TAG, CSV_VALUE, NCOLS };
static const char *const csv_columns[NCOLS] = {"date",   "employee_id", "username",
					       "metric", "tag",         "value"};

struct kpi_rows {
	/* a CSV file */
	int fd;
	char *buf;    /* BLOCK_BYTES + 1: a NUL may follow the last byte */
	size_t fill;  /* bytes in buf */
	size_t ready; /* buf[0..ready) holds whole records, handed to csv */
	bool eof, started;
	struct csv csv;
	int map[NCOLS]; /* column of each field, -1 when the file has none */
	/* or a JSON array */
	json_t *json;
	size_t index;
};

/* Moves the unread tail to the front and reads until the buffer holds at
 * least one whole record, or the file ends. */
static cr_err refill(struct kpi_rows *r, struct cr_problem *why)
{
	memmove(r->buf, r->buf + r->ready, r->fill - r->ready);
	r->fill -= r->ready;
	r->ready = 0;
	while (!r->eof && r->fill < BLOCK_BYTES) {
		ssize_t n = read(r->fd, r->buf + r->fill, BLOCK_BYTES - r->fill);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("import file: read: %s", strerror(errno));
			return CR_EIO;
		}
		r->eof = n == 0;
		r->fill += (size_t)n;
		if ((r->ready = csv_records_end(r->buf, r->fill)) > 0)
			break;
	}
	if (r->eof)
		r->ready = r->fill;
	if (r->ready == 0 && r->fill > 0)
		return cr_refuse(why, CR_EINVAL, "invalid-csv", NULL,
				 "line %zu: a record is longer than %u bytes; nothing was imported",
				 r->csv.line, BLOCK_BYTES);
	r->buf[r->fill] = '\0'; /* csv ends a file's last field on it */
	if (!r->started)
		csv_init(&r->csv, r->buf, r->ready);
	else
		csv_continue(&r->csv, r->buf, r->ready);
	r->started = true;
	return CR_OK;
}

/* The next CSV record into fields[0..*n); *n is 0 at the end of the file. */
static cr_err next_record(struct kpi_rows *r, char **fields, size_t *n, struct cr_problem *why)
{
	char err[96];
	for (;;) {
		int got = r->started ? csv_next(&r->csv, fields, NCOLS, n, err, sizeof err) : 0;
		if (got == 1)
			return CR_OK;
		if (got < 0)
			return cr_refuse(why, CR_EINVAL, "invalid-csv", NULL,
					 "line %zu: %s; nothing was imported", r->csv.record_line,
					 err);
		*n = 0;
		if (r->started && r->eof && r->ready == r->fill)
			return CR_OK;
		cr_err e = refill(r, why);
		if (e)
			return e;
	}
}

/* Maps the header line's columns. */
static cr_err read_header(struct kpi_rows *r, struct cr_problem *why)
{
	char *fields[NCOLS + 1];
	size_t n;
	for (int i = 0; i < NCOLS; i++)
		r->map[i] = -1;
	cr_err e = next_record(r, fields, &n, why);
	for (size_t f = 0; !e && f < n; f++) {
		int col = -1;
		for (int i = 0; i < NCOLS; i++)
			if (strcmp(fields[f], csv_columns[i]) == 0)
				col = i;
		if (col < 0 || r->map[col] >= 0)
			return cr_refuse(why, CR_EINVAL, "invalid-csv", NULL,
					 "column '%s' is unknown or repeated", fields[f]);
		r->map[col] = (int)f;
	}
	if (!e &&
	    (n == 0 || r->map[CSV_DATE] < 0 || r->map[CSV_METRIC] < 0 || r->map[CSV_VALUE] < 0 ||
	     (r->map[CSV_EMPLOYEE_ID] < 0 && r->map[CSV_USERNAME] < 0)))
		return cr_refuse(why, CR_EINVAL, "invalid-csv", NULL,
				 "the first line must name the columns: date, employee_id or "
				 "username, metric, tag (for per-skill metrics) and value");
	return e;
}

cr_err kpi_rows_open_csv(const char *path, struct kpi_rows **out, struct cr_problem *why)
{
	*out = NULL;
	struct kpi_rows *r = calloc(1, sizeof *r);
	if (!r || !(r->buf = malloc(BLOCK_BYTES + 1))) {
		free(r);
		return CR_ENOMEM;
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		log_error("import file %s: %s", path, strerror(errno));
		kpi_rows_close(&r);
		return CR_EIO;
	}
	cr_err e = read_header(r, why);
	if (e)
		kpi_rows_close(&r);
	*out = r;
	return e;
}

cr_err kpi_rows_open_json(json_t *rows, struct kpi_rows **out)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return CR_ENOMEM;
	(*out)->fd = -1;
	(*out)->json = rows;
	return CR_OK;
}

/* A JSON row's string member, NULL when absent; false when not a string. */
static bool row_string(json_t *row, const char *name, const char **out)
{
	json_t *v = json_object_get(row, name);
	*out = json_string_value(v);
	return !v || json_is_null(v) || json_is_string(v);
}

static void next_json(struct kpi_rows *r, struct kpi_row *row, bool *got)
{
	*got = r->index < json_array_size(r->json);
	if (!*got)
		return;
	json_t *j = json_array_get(r->json, r->index++);
	*row = (struct kpi_row){.row = r->index};
	json_t *value = json_object_get(j, "value");
	bool strings = json_is_object(j) && row_string(j, "date", &row->date) &&
		       row_string(j, "employee_id", &row->employee_id) &&
		       row_string(j, "username", &row->username) &&
		       row_string(j, "metric", &row->metric) && row_string(j, "tag", &row->tag);
	row->has_number = json_is_number(value);
	row->number = json_number_value(value);
	if (!strings)
		row->date = NULL; /* the row is refused as malformed */
}

cr_err kpi_rows_next(struct kpi_rows *r, struct kpi_row *row, bool *got, struct cr_problem *why)
{
	if (r->json) {
		next_json(r, row, got);
		return CR_OK;
	}
	char *fields[NCOLS + 1];
	size_t n;
	cr_err e = next_record(r, fields, &n, why);
	*got = !e && n > 0;
	if (!*got)
		return e;
	const char *col[NCOLS];
	for (int i = 0; i < NCOLS; i++)
		col[i] = r->map[i] >= 0 && (size_t)r->map[i] < n ? fields[r->map[i]] : NULL;
	*row = (struct kpi_row){.row = r->csv.record_line,
				.date = col[CSV_DATE],
				.employee_id = col[CSV_EMPLOYEE_ID],
				.username = col[CSV_USERNAME],
				.metric = col[CSV_METRIC],
				.tag = col[CSV_TAG],
				.value_text = col[CSV_VALUE]};
	return CR_OK;
}

void kpi_rows_close(struct kpi_rows **pr)
{
	struct kpi_rows *r = *pr;
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r);
	*pr = NULL;
}
