/* The life of a metrics import from a request: recorded when received
 * (queued), checked row by row without the write lock (checking), written
 * a chunk of rows per transaction (applying), then done, refused (every
 * bad row counted, the first KPI_MAX_LISTED_ERRORS kept) or failed. The
 * record says who sent what (sha256, bytes) and how it went; admins list,
 * read and undo imports. Owns the lifecycle columns of metric_imports. */
#ifndef CASEREEL_KPI_IMPORTS_H
#define CASEREEL_KPI_IMPORTS_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/kpi.h"
#include "casereel/kpi_rows.h"

/* Rows between progress reports (and looks at a stop) while an import is
 * checked. */
#define KPI_CHECK_ROWS 20000
/* Rows written per transaction while it is applied: each commit rewrites
 * much of the (metric, tag, day) index, so fewer, larger ones are faster;
 * one holds the write lock for about half a second. */
#define KPI_WRITE_ROWS 200000

/* Records a received import as queued; *id receives it. `bytes` is the
 * body's size. */
cr_err kpi_import_record(const struct kpi_source *src, int64_t bytes, int64_t *id);

/* Runs recorded import `id` over `rows`: checks every row, then, when all
 * are good, writes them and evaluates the push rules (push_rules.h); the
 * record keeps the outcome, and *status (new
 * reference) is the record as kpi_import_status_json gives it.
 * - CR_OK: written (state "done"), or stopped through `cancel` (may be
 *   NULL) before it was: what was written is taken back, state "queued";
 * - CR_EINVAL with `why`: refused, nothing written (invalid-rows: the
 *   status lists the rows; invalid-csv: a malformed file; empty-import);
 * - anything else: the server failed (state "failed"), nothing written. */
cr_err kpi_import_run(int64_t id, struct kpi_rows *rows, const atomic_int *cancel, json_t **status,
		      struct cr_problem *why);

/* Ends recorded import `id` whose rows could not be read at all: refused
 * with `why` for CR_EINVAL (a malformed header), failed otherwise. */
cr_err kpi_import_unreadable(int64_t id, cr_err e, const struct cr_problem *why);

/* Imports a stopped server left unfinished: what they had written is
 * taken back and they are queued again. */
cr_err kpi_imports_requeue(void);

/* The oldest queued import; CR_ENOTFOUND when none waits. */
cr_err kpi_import_next_queued(int64_t *id);

/* Import `id`: {id, format, state, bytes, rows, error_count, errors (when
 * refused for its rows), problem {type, detail} (refused or failed),
 * sha256, user_id, token_id, created_at, started_at, finished_at,
 * undone_at} (new reference). CR_ENOTFOUND when absent. */
cr_err kpi_import_status_json(int64_t id, json_t **out);

/* The recorded imports, newest first, as in kpi_import_status_json but
 * without the error rows (new reference). */
cr_err kpi_imports_json(long limit, json_t **out);

/* Undoes written import `id`: its values are removed, and the values it
 * had overwritten come back where no later import replaced them since.
 * CR_ENOTFOUND for no such import; CR_ECONFLICT with `why` when it was
 * undone already or never written. */
cr_err kpi_import_undo(int64_t id, int64_t by_user, struct cr_problem *why);

#endif
