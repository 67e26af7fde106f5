/* Tabular answers for trainers (leaderboards, analytics): rows read from a
 * statement into JSON, answered as JSON or, with ?format=csv, as a CSV
 * download with the same columns. */
#ifndef CASEREEL_REPORT_H
#define CASEREEL_REPORT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "casereel/http.h"

/* Steps `st` (bound, from store_stmt) for up to max_rows rows; each row
 * becomes an object keyed by columns[0..ncols) with the SQL types kept
 * (integer, real, text, NULL). New array; NULL on allocation failure. */
json_t *report_rows(sqlite3_stmt *st, const char *const *columns, size_t ncols, size_t max_rows);

/* Answers `rows` (taken) as {...meta, items: rows}, or as text/csv with a
 * header line of `columns` when the query has format=csv. `meta` (taken)
 * may be NULL. */
void report_answer(struct cr_request *req, struct cr_response *res, json_t *rows,
		   const char *const *columns, size_t ncols, json_t *meta);

#endif
