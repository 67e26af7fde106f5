/* Tabular answers for trainers (leaderboards, analytics): rows (see
 * report_rows.h) answered as JSON or, with ?format=csv, as a CSV download
 * with the same columns. */
#ifndef CASEREEL_REPORT_H
#define CASEREEL_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "casereel/http.h"
#include "casereel/report_rows.h"

/* Answers `rows` (taken) as {...meta, items: rows}, or as text/csv with a
 * header line of `columns` when the query has format=csv: streamed, a line
 * at a time as the client reads it, after the handler returned, so
 * `columns` must live for the whole run (a static table). `meta` (taken)
 * may be NULL. */
void report_answer(struct cr_request *req, struct cr_response *res, json_t *rows,
		   const char *const *columns, size_t ncols, json_t *meta);

#endif
