/* Private to src/loop/kpi_import*.c: the staging table of this thread's
 * connection (a TEMP table: writing it takes no lock on the database). An
 * import's checked rows land there keyed as metric_values, so that writing
 * them goes in key order, one contiguous key range per transaction: each
 * page of metric_values is written about once, however the file was
 * ordered (a backfill comes day by day, across every agent). */
#ifndef CASEREEL_KPI_STAGE_H
#define CASEREEL_KPI_STAGE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

/* Makes the staging table if missing and empties it. */
cr_err kpi_stage_reset(void);

/* Stages one value; a later row with the same key replaces it, as a
 * replay would. */
cr_err kpi_stage_put(int64_t user_id, int64_t metric_id, int64_t tag_id, int32_t day, double value);

/* Writes the staged rows into metric_values as import `import_id`,
 * `chunk_rows` rows per transaction in key order, keeping the record's row
 * count; *written receives the count. `cancel` (may be NULL) non-zero
 * stops between chunks with *stopped set. What was committed before a stop
 * or a failure stays: the caller takes it back (kpi_import_take_back). */
cr_err kpi_stage_apply(int64_t import_id, size_t chunk_rows, const atomic_int *cancel,
		       bool *stopped, size_t *written);

#endif
