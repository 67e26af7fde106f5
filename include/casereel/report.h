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

/* Answers a CSV export of every row `pager` reads (taken): text/csv with
 * a header line of `columns` (a static table), read a page at a time on a
 * store connection of the export's own as the client reads, so memory
 * holds one page whatever the row count. --export-time-limit (reading and
 * sending, from now) and --export-max-rows bound it, and a stop (SIGTERM)
 * cuts it after the queries' grace: a cut ends the body without its final
 * chunk, so the client sees a broken transfer, never a short file that
 * looks whole. */
void report_export(struct cr_request *req, struct cr_response *res,
		   const struct report_pager *pager, const char *const *columns, size_t ncols);

/* Test hooks only: each page an export reads first counts to n in SQL on
 * its connection (0: none), so a test has a slow export. */
void report_test_page_delay(long long n);

#endif
