/* Private to src/loop/kpi_import_*.c: the writes that move an import's
 * record through its states. Each runs in its own transaction unless the
 * caller holds one. */
#ifndef CASEREEL_KPI_IMPORT_STATE_H
#define CASEREEL_KPI_IMPORT_STATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

/* Sets import `id`'s state ("checking", "applying", "queued") and its row
 * count; "checking" also stamps started_at. */
cr_err kpi_import_set_state(int64_t id, const char *state, size_t rows);

/* Ends import `id` as `state` ("done", "refused", "failed") with its row
 * count; for a refusal, `error_count`, the listed `errors` (may be NULL)
 * and the problem `why`. */
cr_err kpi_import_conclude(int64_t id, const char *state, size_t rows, size_t error_count,
			   json_t *errors, const struct cr_problem *why);

/* Removes the values import `id` wrote and brings back what they had
 * overwritten (where nothing newer stands now). In the caller's
 * transaction. */
cr_err kpi_import_take_back(int64_t id);

#endif
