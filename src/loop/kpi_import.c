/* Checking daily service-metric values row by row, and writing the good
 * ones: at once, in one transaction with the import's record
 * (kpi_import_begin), or into the staging table for kpi_import_run to
 * write in key order (kpi_import_stage_begin). See include/casereel/kpi.h. */
#include "casereel/kpi.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/kpi_imports.h"
#include "casereel/store.h"
#include "casereel/tags.h"
#include "kpi_import_state.h"
#include "kpi_stage.h"

/* Page cache of the importing connection, KiB (the default is 2 MiB). */
#define IMPORT_CACHE_KIB  "65536"
#define DEFAULT_CACHE_KIB "2000"

/* Metrics and tags met so far; a catalogue is small. */
#define NAME_CACHE 64

struct named_id {
	char name[KPI_NAME_MAX + 1];
	int64_t id;
};

struct kpi_import {
	int64_t id;
	int32_t today;
	bool staging;      /* good rows go to the staging table (kpi_stage.h) */
	size_t chunk_rows; /* staging: rows between commits */
	size_t rows, bad, since_commit;
	json_t *errors; /* the first KPI_MAX_LISTED_ERRORS bad rows */
	struct kpi_metric metrics[NAME_CACHE];
	size_t nmetrics;
	struct named_id tags[NAME_CACHE];
	size_t ntags;
	/* the last agent looked up: exports list one agent's rows together */
	char last_agent[72];
	bool last_by_employee;
	int64_t last_user;
};

static struct kpi_import *import_new(void)
{
	struct kpi_import *imp = calloc(1, sizeof *imp);
	if (!imp || !(imp->errors = json_array())) {
		free(imp);
		return NULL;
	}
	imp->today = kpi_today();
	return imp;
}

static void import_free(struct kpi_import *imp)
{
	json_decref(imp->errors);
	free(imp);
}

/* Opens the write transaction, with room in the page cache: a nightly file
 * touches every agent's pages of both keys (back to the default after). */
static cr_err begin_writing(void)
{
	cr_err e = store_exec("PRAGMA cache_size = -" IMPORT_CACHE_KIB);
	return e ? e : store_begin();
}

/* A deferred transaction: it reads one snapshot of users and the
 * catalogue and writes only the connection's TEMP table, so it takes no
 * lock that would hold up another writer. */
static cr_err begin_staging(void)
{
	return store_exec("BEGIN");
}

cr_err kpi_import_stage_begin(int64_t import_id, size_t chunk_rows, struct kpi_import **out)
{
	*out = NULL;
	struct kpi_import *imp = import_new();
	if (!imp)
		return CR_ENOMEM;
	cr_err e = kpi_stage_reset();
	if (!e)
		e = begin_staging();
	if (e) {
		import_free(imp);
		return e;
	}
	imp->staging = true;
	imp->id = import_id;
	imp->chunk_rows = chunk_rows ? chunk_rows : SIZE_MAX;
	*out = imp;
	return CR_OK;
}

cr_err kpi_import_begin(const struct kpi_source *src, struct kpi_import **out)
{
	*out = NULL;
	struct kpi_import *imp = import_new();
	if (!imp)
		return CR_ENOMEM;
	cr_err e = begin_writing();
	if (!e && (e = kpi_import_record(src, 0, &imp->id)))
		store_rollback();
	if (e) {
		import_free(imp);
		return e;
	}
	*out = imp;
	return CR_OK;
}

/* Remembers bad row `row`: `code` is a stable slug, `field` the column. */
static cr_err refuse_row(struct kpi_import *imp, const struct kpi_row *row, const char *code,
			 const char *field, const char *detail)
{
	imp->bad++;
	if (json_array_size(imp->errors) >= KPI_MAX_LISTED_ERRORS)
		return CR_OK;
	json_t *err = json_pack("{s:I, s:s, s:s, s:s}", "row", (json_int_t)row->row, "code", code,
				"field", field, "detail", detail);
	return err && json_array_append_new(imp->errors, err) == 0 ? CR_OK : CR_ENOMEM;
}

static cr_err find_metric(struct kpi_import *imp, const char *name, const struct kpi_metric **out)
{
	*out = NULL;
	for (size_t i = 0; i < imp->nmetrics; i++)
		if (strcmp(imp->metrics[i].name, name) == 0) {
			*out = &imp->metrics[i];
			return CR_OK;
		}
	struct kpi_metric m;
	cr_err e = kpi_metric_by_name(name, &m);
	if (e)
		return e;
	if (imp->nmetrics == NAME_CACHE)
		imp->nmetrics = 0; /* a huge catalogue: start the cache over */
	imp->metrics[imp->nmetrics] = m;
	*out = &imp->metrics[imp->nmetrics++];
	return CR_OK;
}

static cr_err find_tag(struct kpi_import *imp, const char *name, int64_t *id)
{
	for (size_t i = 0; i < imp->ntags; i++)
		if (strcmp(imp->tags[i].name, name) == 0) {
			*id = imp->tags[i].id;
			return CR_OK;
		}
	if (strlen(name) > KPI_NAME_MAX)
		return CR_ENOTFOUND;
	cr_err e = tags_id_by_name(name, id);
	if (e)
		return e;
	if (imp->ntags == NAME_CACHE)
		imp->ntags = 0;
	snprintf(imp->tags[imp->ntags].name, sizeof imp->tags[0].name, "%s", name);
	imp->tags[imp->ntags++].id = *id;
	return CR_OK;
}

static cr_err find_agent(struct kpi_import *imp, const char *key, bool by_employee, int64_t *id)
{
	if (imp->last_user && imp->last_by_employee == by_employee &&
	    strcmp(imp->last_agent, key) == 0) {
		*id = imp->last_user;
		return CR_OK;
	}
	cr_err e = store_id_by_text(by_employee ? "SELECT id FROM users WHERE employee_id = ?1"
						: "SELECT id FROM users WHERE username = ?1",
				    key, "import agent", id);
	if (e)
		return e;
	imp->last_by_employee = by_employee;
	imp->last_user = *id;
	snprintf(imp->last_agent, sizeof imp->last_agent, "%s", key);
	return CR_OK;
}

/* Stages a good row; every chunk_rows rows, lets go of the snapshot and
 * records how far the check has got. */
static cr_err stage_row(struct kpi_import *imp, int64_t user_id, int64_t metric_id, int64_t tag_id,
			int32_t day, double value)
{
	cr_err e;
	if (imp->since_commit == imp->chunk_rows) {
		if ((e = store_commit()) ||
		    (e = kpi_import_set_state(imp->id, "checking", imp->rows - 1)) ||
		    (e = begin_staging()))
			return e;
		imp->since_commit = 0;
	}
	imp->since_commit++;
	return kpi_stage_put(user_id, metric_id, tag_id, day, value);
}

/* A finite number written in full ("7", "-0.5", "1e3"); no hex, inf, nan. */
static bool parse_number(const char *text, double *out)
{
	if (!text || !*text || strlen(text) > 32 || strpbrk(text, "xXiInN"))
		return false;
	char *end;
	errno = 0;
	*out = strtod(text, &end);
	return *end == '\0' && errno == 0 && isfinite(*out);
}

cr_err kpi_import_row(struct kpi_import *imp, const struct kpi_row *row)
{
	char detail[160];
	imp->rows++;

	int32_t day;
	if (!kpi_day_parse(row->date, &day))
		return refuse_row(imp, row, "bad-date", "date", "date must be YYYY-MM-DD");
	if (day > imp->today)
		return refuse_row(imp, row, "future-date", "date", "date is in the future");

	bool by_employee = row->employee_id && *row->employee_id;
	const char *who = by_employee ? row->employee_id : row->username;
	if (!who || !*who)
		return refuse_row(imp, row, "unknown-agent", "employee_id",
				  "employee_id or username is missing");
	int64_t user_id = 0;
	cr_err e = strlen(who) < sizeof imp->last_agent
			   ? find_agent(imp, who, by_employee, &user_id)
			   : CR_ENOTFOUND;
	if (e == CR_ENOTFOUND)
		return refuse_row(imp, row, "unknown-agent",
				  by_employee ? "employee_id" : "username", "no such agent");
	if (e)
		return e;

	const struct kpi_metric *m;
	e = row->metric && *row->metric && strlen(row->metric) <= KPI_NAME_MAX
		    ? find_metric(imp, row->metric, &m)
		    : CR_ENOTFOUND;
	if (e == CR_ENOTFOUND)
		return refuse_row(imp, row, "unknown-metric", "metric", "no such metric");
	if (e)
		return e;

	int64_t tag_id = 0;
	bool has_tag = row->tag && *row->tag;
	if (m->per_skill && !has_tag)
		return refuse_row(imp, row, "tag-missing", "tag",
				  "this metric is per skill: name the tag");
	if (!m->per_skill && has_tag)
		return refuse_row(imp, row, "tag-not-allowed", "tag",
				  "this metric is overall: leave the tag empty");
	if (has_tag && (e = find_tag(imp, row->tag, &tag_id)) == CR_ENOTFOUND)
		return refuse_row(imp, row, "unknown-tag", "tag", "no such skill tag");
	if (e)
		return e;

	double value = row->number;
	if (!row->has_number && !parse_number(row->value_text, &value))
		return refuse_row(imp, row, "bad-number", "value", "value is not a number");
	if (value < m->min_value || value > m->max_value) {
		snprintf(detail, sizeof detail, "value must be between %g and %g", m->min_value,
			 m->max_value);
		return refuse_row(imp, row, "out-of-range", "value", detail);
	}
	if (imp->bad)
		return CR_OK; /* the import is refused anyway: check, don't write */
	if (imp->staging)
		return stage_row(imp, user_id, m->id, tag_id, day, value);

	sqlite3_stmt *st = store_stmt(
		"INSERT INTO metric_values(user_id, metric_id, tag_id, day, value, import_id)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (user_id, metric_id, tag_id, day)"
		" DO UPDATE SET value = excluded.value, import_id = excluded.import_id");
	if (st) {
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_int64(st, 2, m->id);
		sqlite3_bind_int64(st, 3, tag_id);
		sqlite3_bind_int(st, 4, day);
		sqlite3_bind_double(st, 5, value);
		sqlite3_bind_int64(st, 6, imp->id);
	}
	return store_run(st, "import metric value");
}

cr_err kpi_import_finish(struct kpi_import **pimp, bool abandon, json_t **out)
{
	struct kpi_import *imp = *pimp;
	*out = NULL;
	cr_err e = CR_OK;
	if (abandon) {
		store_rollback();
		goto done;
	}
	if (imp->bad || imp->rows == 0) {
		store_rollback();
		*out = json_pack("{s:I, s:O}", "error_count", (json_int_t)imp->bad, "errors",
				 imp->errors);
		e = *out ? CR_EINVAL : CR_ENOMEM;
		goto done;
	}
	if (imp->staging) {
		e = store_commit();
		*out = e ? NULL : json_pack("{s:I}", "rows", (json_int_t)imp->rows);
		e = e ? e : *out ? CR_OK : CR_ENOMEM;
		goto done;
	}
	e = kpi_import_conclude(imp->id, "done", imp->rows, 0, NULL, NULL);
	if (e) {
		store_rollback();
		goto done;
	}
	e = store_commit();
	if (!e)
		*out = json_pack("{s:I, s:I}", "import_id", (json_int_t)imp->id, "rows",
				 (json_int_t)imp->rows);
done:
	if (!imp->staging)
		store_exec("PRAGMA cache_size = -" DEFAULT_CACHE_KIB);
	import_free(imp);
	*pimp = NULL;
	return e;
}
