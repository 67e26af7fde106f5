/* Tabular results for reports (leaderboards, analytics): the rows of a
 * statement as JSON objects, the types SQL gave them kept. */
#ifndef CASEREEL_REPORT_ROWS_H
#define CASEREEL_REPORT_ROWS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

/* Steps `st` (bound, from store_stmt) for up to max_rows rows; each row
 * becomes an object keyed by columns[0..ncols) with the SQL types kept
 * (integer, real, text, NULL). New array; NULL on allocation failure. */
json_t *report_rows(sqlite3_stmt *st, const char *const *columns, size_t ncols, size_t max_rows);

#endif
