/* Tabular answers as JSON or CSV. See include/casereel/report.h. */
#include "casereel/report.h"

#include <stdlib.h>
#include <string.h>

#include "report_stream.h"

/* Rows already read, as a pager of one page. */
static cr_err rows_once(void *state, size_t max, json_t **rows)
{
	(void)max;
	json_t **held = state;
	*rows = *held ? *held : json_array();
	*held = NULL;
	return *rows ? CR_OK : CR_ENOMEM;
}

static void rows_release(void *state)
{
	json_t **held = state;
	json_decref(*held);
	free(held);
}

/* Takes rows. */
static void answer_csv(struct cr_response *res, json_t *rows, const char *const *columns,
		       size_t ncols)
{
	json_t **held = malloc(sizeof *held);
	if (!held) {
		json_decref(rows);
		http_error(res, CR_ENOMEM, "report");
		return;
	}
	*held = rows;
	report_stream_csv(
		res,
		&(struct report_pager){.next = rows_once, .release = rows_release, .state = held},
		columns, ncols, &(struct report_limits){0});
}

void report_answer(struct cr_request *req, struct cr_response *res, json_t *rows,
		   const char *const *columns, size_t ncols, json_t *meta)
{
	const char *format = http_query(req, "format");
	if (!rows) {
		json_decref(meta);
		http_error(res, CR_ENOMEM, "report");
		return;
	}
	if (format && !strcmp(format, "csv")) {
		answer_csv(res, rows, columns, ncols);
		json_decref(meta);
		return;
	}
	if (format && strcmp(format, "json")) {
		json_decref(rows);
		json_decref(meta);
		http_invalid_field(res, "format", "format is json or csv");
		return;
	}
	json_t *body = meta ? meta : json_object();
	json_object_set_new(body, "items", rows);
	http_json(res, 200, body);
}

void report_export(struct cr_request *req, struct cr_response *res,
		   const struct report_pager *pager, const char *const *columns, size_t ncols)
{
	const struct cr_config *cfg = req->cfg;
	report_stream_csv(res, pager, columns, ncols,
			  &(struct report_limits){.own_connection = true,
						  .time_ms = cfg->export_time_limit * 1000,
						  .max_rows = (size_t)cfg->export_max_rows});
}
