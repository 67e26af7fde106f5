/* Tabular results for reports (leaderboards, analytics): the rows of a
 * statement as JSON objects, the types SQL gave them kept. */
#ifndef CASEREEL_REPORT_ROWS_H
#define CASEREEL_REPORT_ROWS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "casereel/error.h"

/* Steps `st` (bound, from store_stmt) for up to max_rows rows; each row
 * becomes an object keyed by columns[0..ncols) with the SQL types kept
 * (integer, real, text, NULL). New array; NULL on allocation failure or
 * when a step fails (a statement stopped by its deadline too: rows cut
 * short are never answered as the whole list). */
json_t *report_rows(sqlite3_stmt *st, const char *const *columns, size_t ncols, size_t max_rows);

/* Rows read a page at a time (keyset paging, never OFFSET), for an export
 * streamed as the client reads it (include/casereel/report.h): memory holds
 * one page, and no transaction stays open between two pages. */
struct report_pager {
	/* The next rows, at most `max` of them, into *rows (a new array; empty
	 * once every row was read), through store_stmt() on the calling
	 * thread's connection. CR_ENOMEM or CR_EDB on failure. */
	cr_err (*next)(void *state, size_t max, json_t **rows);
	void (*release)(void *state); /* frees state */
	void *state;
};

#endif
