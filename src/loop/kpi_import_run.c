/* Running a recorded metrics import: a check pass over every row that
 * stages the good ones without the write lock, then, when all are good, a
 * write pass committing a key range of rows at a time (a stop or a failure
 * midway takes back what was written), then the push rules on the new
 * days. See include/casereel/kpi_imports.h. */
#include "casereel/kpi_imports.h"

#include "casereel/log.h"
#include "casereel/push_rules.h"
#include "casereel/store.h"
#include "kpi_import_state.h"
#include "kpi_stage.h"

struct run {
	int64_t id;
	struct kpi_rows *rows;
	const atomic_int *cancel;
	struct cr_problem *why;
	bool stopped;   /* cancel was seen: the import goes back to the queue */
	json_t *result; /* kpi_import_finish's answer */
};

/* Checks every row and stages the good ones, looking at the cancel flag
 * every KPI_CHECK_ROWS rows. */
static cr_err check_pass(struct run *r)
{
	struct kpi_import *imp;
	struct kpi_row row;
	bool got = true;
	size_t n = 0;
	cr_err e = kpi_import_stage_begin(r->id, KPI_CHECK_ROWS, &imp);
	if (e)
		return e;
	while (!e && !r->stopped && !(e = kpi_rows_next(r->rows, &row, &got, r->why)) && got) {
		e = kpi_import_row(imp, &row);
		if (++n % KPI_CHECK_ROWS == 0)
			r->stopped = r->cancel && atomic_load(r->cancel);
	}
	cr_err end = kpi_import_finish(&imp, e != CR_OK || r->stopped, &r->result);
	return e ? e : r->stopped ? CR_OK : end;
}

/* Records why the rows were refused: each bad row, or the file itself. */
static void refuse(struct run *r)
{
	size_t bad = (size_t)json_integer_value(json_object_get(r->result, "error_count"));
	json_t *errors = json_object_get(r->result, "errors");
	if (!r->result)
		; /* a malformed file: why says where */
	else if (bad == 0)
		cr_refuse(r->why, CR_EINVAL, "empty-import", NULL, "there are no rows to import");
	else
		cr_refuse(r->why, CR_EINVAL, "invalid-rows", NULL,
			  "%zu bad row(s); nothing was imported (the first %d are listed)", bad,
			  KPI_MAX_LISTED_ERRORS);
	kpi_import_conclude(r->id, "refused", 0, bad, errors, r->why);
}

/* Writes the staged rows; a stop or a failure midway takes back what was
 * committed, so that the import stays all or nothing. */
static cr_err write_pass(struct run *r, size_t *written)
{
	cr_err e = kpi_import_set_state(r->id, "applying", 0);
	if (!e)
		e = kpi_stage_apply(r->id, KPI_WRITE_ROWS, r->cancel, &r->stopped, written);
	if (e || r->stopped) {
		cr_err back = store_begin();
		store_end(back ? back : kpi_import_take_back(r->id));
	}
	return e;
}

/* The record of an import the server failed to run. */
static const struct cr_problem server_failed = {
	.code = CR_EIO,
	.type = "server-failed",
	.detail = "the server failed while importing; nothing was imported"};

cr_err kpi_import_unreadable(int64_t id, cr_err e, const struct cr_problem *why)
{
	return e == CR_EINVAL ? kpi_import_conclude(id, "refused", 0, 0, NULL, why)
			      : kpi_import_conclude(id, "failed", 0, 0, NULL, &server_failed);
}

cr_err kpi_import_run(int64_t id, struct kpi_rows *rows, const atomic_int *cancel, json_t **status,
		      struct cr_problem *why)
{
	struct cr_problem local = {0};
	struct run r = {.id = id, .rows = rows, .cancel = cancel, .why = why ? why : &local};
	size_t written = 0;
	*status = NULL;
	cr_err e = kpi_import_set_state(id, "checking", 0);
	if (!e)
		e = check_pass(&r);
	if (!e && !r.stopped)
		e = write_pass(&r, &written);
	kpi_stage_reset(); /* the staged rows are done with */
	/* the record counts the rows sent; `written` the distinct keys */
	size_t file_rows = (size_t)json_integer_value(json_object_get(r.result, "rows"));
	if (r.stopped && !e)
		e = kpi_import_set_state(id, "queued", 0);
	else if (e == CR_EINVAL)
		refuse(&r);
	else if (e)
		kpi_import_conclude(id, "failed", 0, 0, NULL, &server_failed);
	else if (!(e = kpi_import_conclude(id, "done", file_rows, 0, NULL, NULL))) {
		/* rules judge the new days at once; the import stands either way */
		struct push_pass rules;
		if (push_rules_evaluate(kpi_today(), &rules) == CR_OK &&
		    rules.fired + rules.qualified)
			log_info("push rules after import %lld: %zu fired, %zu qualified",
				 (long long)id, rules.fired, rules.qualified);
	}
	json_decref(r.result);
	cr_err got = kpi_import_status_json(id, status);
	return e ? e : got;
}
