/* CSV bodies made a line at a time as the client reads them, from rows a
 * pager reads a page at a time; the CSV text itself (quoting, the formula
 * guard). Private to src/http/ (report.c answers with it). */
#ifndef CASEREEL_REPORT_STREAM_H
#define CASEREEL_REPORT_STREAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "casereel/http.h"
#include "casereel/report_rows.h"

/* What an export may take before it is cut. */
struct report_limits {
	bool own_connection; /* pages are read through a store connection of its own */
	int time_ms;         /* with own_connection: the whole export's budget (<= 0: none) */
	size_t max_rows;     /* 0: no limit */
};

/* Answers 200 text/csv: a header line of `columns` (which must outlive the
 * answer: a static table), then the pager's rows, read a page at a time
 * as the client reads. Takes the pager (released with the answer). A cut
 * (a limit passed, a stop, a failed page) ends the body without its final
 * chunk, so the client sees a broken transfer, never a short file that
 * looks whole. Out of memory (or no connection): 500 problem. */
void report_stream_csv(struct cr_response *res, const struct report_pager *pager,
		       const char *const *columns, size_t ncols, const struct report_limits *lim);

/* The CSV line of `row` (NULL: the header line of `columns`) into out
 * (NUL-terminated, "\r\n" ended); its length, or 0 when it does not fit.
 * A field holding a comma, quote or line break is quoted (quotes doubled);
 * a leading = + - @ TAB CR or LF is prefixed with ' so spreadsheets never
 * run it. Pure: for the unit tests. */
size_t report_csv_line(json_t *row, const char *const *columns, size_t ncols, char *out,
		       size_t size);

#endif
