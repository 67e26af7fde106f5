/* Where an import's rows come from: a metrics CSV file read a block at a
 * time (never held whole in memory), or the "rows" array of a JSON batch. */
#ifndef CASEREEL_KPI_ROWS_H
#define CASEREEL_KPI_ROWS_H

#include <jansson.h>
#include <stdbool.h>

#include "casereel/error.h"
#include "casereel/kpi.h"

struct kpi_rows;

/* Opens the CSV file at `path` and reads its header line, which names the
 * columns: date, employee_id and/or username, metric, tag (optional) and
 * value, in any order. CR_EINVAL with `why` (invalid-csv) when the header
 * is not usable; CR_EIO when the file cannot be read. */
cr_err kpi_rows_open_csv(const char *path, struct kpi_rows **out, struct cr_problem *why);

/* Rows of a JSON batch: `rows` is borrowed and must outlive the reader.
 * An element that is not an object of strings (and a number value) comes
 * out as a row with no date, which the import refuses as malformed. */
cr_err kpi_rows_open_json(json_t *rows, struct kpi_rows **out);

/* Reads the next row into *row (its strings valid until the next call);
 * *got is false at the end. CR_EINVAL with `why` (invalid-csv, the line)
 * for a malformed CSV record; CR_EIO when the file cannot be read. */
cr_err kpi_rows_next(struct kpi_rows *r, struct kpi_row *row, bool *got, struct cr_problem *why);

/* Closes the reader; safe on NULL. Sets *r to NULL. */
void kpi_rows_close(struct kpi_rows **r);

#endif
