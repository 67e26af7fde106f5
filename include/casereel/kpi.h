/* Service metrics (KPIs) from the contact center's own systems: the metric
 * catalogue, the import of daily values (all or nothing, replays update),
 * and per-agent reads. The tables metrics, metric_values, metric_imports and
 * metric_overwrites belong to this module. Days are calendar days in the
 * server's time zone, stored as days since 1970-01-01. */
#ifndef CASEREEL_KPI_H
#define CASEREEL_KPI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

#define KPI_NAME_MAX  32
#define KPI_LABEL_MAX 64
#define KPI_UNIT_MAX  16
/* Bad rows an import refusal lists (the total is counted beyond it). */
#define KPI_MAX_LISTED_ERRORS 100

/* --- days ------------------------------------------------------------- */

/* The day number of "YYYY-MM-DD" in *day; false unless it is a real date
 * between 1970 and 9999. */
bool kpi_day_parse(const char *text, int32_t *day);

/* Writes day number `day` as "YYYY-MM-DD" (11 bytes with the NUL). */
void kpi_day_format(int32_t day, char out[11]);

/* Today's day number in the server's time zone, from cr_now(). */
int32_t kpi_today(void);

/* --- the catalogue ------------------------------------------------------ */

struct kpi_metric {
	int64_t id;
	char name[KPI_NAME_MAX + 1];
	bool lower_is_better;
	bool per_skill; /* rows carry a skill tag */
	int64_t tag_id; /* an overall metric's one skill; 0 = none */
	double target, min_value, max_value;
};

/* What an admin gives to create or change a metric. On update NULL strings
 * and false has_* flags leave a field as it is. */
struct kpi_metric_fields {
	const char *name, *label_en, *label_zh, *unit;
	const char *direction; /* "higher" | "lower" */
	bool per_skill, has_per_skill;
	const char *tag; /* an overall metric's skill tag name; "" clears it */
	double target, min_value, max_value;
	bool has_target, has_min, has_max;
};

/* Creates a metric; *id receives it. CR_ECONFLICT for a taken name;
 * CR_EINVAL with `why` naming the field for an unknown tag or a result
 * that would be inconsistent (target outside the range, a per-skill metric
 * naming a tag of its own). */
cr_err kpi_metric_create(const struct kpi_metric_fields *f, int64_t *id, struct cr_problem *why);

/* Changes metric `id` as kpi_metric_create would check it; CR_ENOTFOUND for
 * no such metric. Existing values stay as they are. */
cr_err kpi_metric_update(int64_t id, const struct kpi_metric_fields *f, struct cr_problem *why);

/* The catalogue as a JSON array (new reference), ordered by name. */
cr_err kpi_metrics_json(json_t **out);

/* Metric `id` as JSON (new reference); CR_ENOTFOUND when absent. */
cr_err kpi_metric_json(int64_t id, json_t **out);

/* The metric called `name`; CR_ENOTFOUND when there is none. */
cr_err kpi_metric_by_name(const char *name, struct kpi_metric *out);

/* --- imports ------------------------------------------------------------ */

/* One row as it arrived. Strings may be NULL (absent). The value is text
 * from CSV (`value_text`), or a JSON number (`has_number`). */
struct kpi_row {
	size_t row; /* 1-based, as the client counts: the CSV line or array index + 1 */
	const char *date;
	const char *employee_id;
	const char *username;
	const char *metric;
	const char *tag;
	const char *value_text;
	double number;
	bool has_number;
};

/* Who sends an import: an admin (user_id) or an integration token (token_id). */
struct kpi_source {
	int64_t user_id;
	int64_t token_id;
	const char *format; /* "csv" | "json" */
	const char *sha256; /* hex digest of the body, for the record */
};

struct kpi_import;

/* Starts an import in one transaction with its record: takes the write
 * lock for the whole import, so it is all or nothing (the demo seed, tests
 * and benchmarks; requests go through kpi_import_run, kpi_imports.h).
 * *out is freed by kpi_import_finish. */
cr_err kpi_import_begin(const struct kpi_source *src, struct kpi_import **out);

/* Starts checking rows for recorded import `import_id`, staging the good
 * ones (kpi_import_run writes them after): no write lock is taken; every
 * `chunk_rows` rows the record's row count is updated. */
cr_err kpi_import_stage_begin(int64_t import_id, size_t chunk_rows, struct kpi_import **out);

/* Checks one row and, when it is good, writes it (an existing value for the
 * same agent, day, metric and tag is replaced). A bad row is remembered for
 * the refusal and makes the import fail at finish. CR_EDB or CR_ENOMEM are
 * failures of the server, not of the row. */
cr_err kpi_import_row(struct kpi_import *imp, const struct kpi_row *row);

/* Ends the import and frees *imp (set to NULL). With no bad row and at
 * least one row it commits and *out is {"import_id", "rows"} (just {"rows"}
 * when staging); with bad rows
 * it rolls back, returns CR_EINVAL and *out is {"error_count", "errors":
 * [{"row", "code", "field", "detail"}...]} (the first KPI_MAX_LISTED_ERRORS);
 * with no row at all, CR_EINVAL and {"error_count": 0}. `abandon` rolls back
 * whatever happened (the body was malformed) and returns CR_OK, *out NULL. */
cr_err kpi_import_finish(struct kpi_import **imp, bool abandon, json_t **out);

/* --- reads -------------------------------------------------------------- */

/* The daily values of agent `user_id` for metric `metric` (NULL = all) and
 * tag `tag` (NULL = any) between day numbers from..to inclusive, as a JSON
 * array of {"date", "metric", "tag", "value"} ordered by metric, tag, date
 * (new reference). CR_ENOTFOUND for an unknown metric or tag name. */
cr_err kpi_daily_json(int64_t user_id, const char *metric, const char *tag, int32_t from,
		      int32_t to, json_t **out);

#endif
