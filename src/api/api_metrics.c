/* Service metrics: the catalogue (admins), imports of daily values as CSV or
 * a JSON batch (admins and integration tokens; all rows or none, replays
 * update), the import record with undo, and per-agent daily values. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/app.h"
#include "casereel/csv.h"
#include "casereel/fields.h"
#include "casereel/integration_tokens.h"
#include "casereel/kpi.h"
#include "casereel/log.h"
#include "casereel/push_rules.h"

/* A daily read spans at most this many days. */
#define DAILY_MAX_DAYS 400

/* --- the catalogue ------------------------------------------------------ */

static void answer_metric(struct cr_response *res, unsigned status, int64_t id)
{
	json_t *m;
	cr_err e = kpi_metric_json(id, &m);
	if (e)
		http_error(res, e, "metric");
	else
		http_json(res, status, m);
}

static void list_metrics(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	json_t *items;
	cr_err e = kpi_metrics_json(&items);
	if (e)
		http_error(res, e, "metric list");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

static bool slug_ok(const char *s)
{
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') && *s != '_')
			return false;
	return true;
}

/* A number field; absent leaves *has false. */
static bool number_field(struct cr_request *req, struct cr_response *res, const char *name,
			 bool required, double *out, bool *has)
{
	json_t *v = json_object_get(req->json, name);
	*has = v != NULL;
	if (!v && !required)
		return true;
	if (!json_is_number(v)) {
		http_invalid_field(res, name, "%s must be a number", name);
		return false;
	}
	*out = json_number_value(v);
	return true;
}

/* Reads the catalogue fields of a create (all required) or an update. */
static bool read_metric(struct cr_request *req, struct cr_response *res, bool create,
			struct kpi_metric_fields *f)
{
	json_t *label = json_object_get(req->json, "label");
	if ((create || label) && !json_is_object(label)) {
		http_invalid_field(res, "label", "label must be {\"en\": ..., \"zh\": ...}");
		return false;
	}
	if (label) {
		const char *en = json_string_value(json_object_get(label, "en"));
		const char *zh = json_string_value(json_object_get(label, "zh"));
		size_t en_len = en ? utf8_length(en) : 0, zh_len = zh ? utf8_length(zh) : 0;
		if (!en || en_len < 1 || en_len > KPI_LABEL_MAX || (zh && zh_len > KPI_LABEL_MAX) ||
		    (zh && zh_len < 1)) {
			http_invalid_field(res, "label",
					   "label.en (and label.zh) must be 1-%d "
					   "characters",
					   KPI_LABEL_MAX);
			return false;
		}
		f->label_en = en;
		f->label_zh = zh;
	}
	if (!field_string(req, res, "name", create, 1, KPI_NAME_MAX, &f->name, NULL) ||
	    !field_string(req, res, "unit", false, 0, KPI_UNIT_MAX, &f->unit, NULL) ||
	    !field_string(req, res, "direction", create, 5, 6, &f->direction, NULL) ||
	    !field_bool(req, res, "per_skill", false, &f->per_skill, &f->has_per_skill) ||
	    !number_field(req, res, "target", create, &f->target, &f->has_target) ||
	    !number_field(req, res, "min", create, &f->min_value, &f->has_min) ||
	    !number_field(req, res, "max", create, &f->max_value, &f->has_max))
		return false;
	if (!create && json_object_get(req->json, "name")) {
		http_invalid_field(res, "name", "a metric's name cannot change (imports use it)");
		return false;
	}
	if (f->name && !slug_ok(f->name)) {
		http_invalid_field(res, "name", "name must use only a-z, 0-9 and '_'");
		return false;
	}
	if (f->direction && strcmp(f->direction, "higher") && strcmp(f->direction, "lower")) {
		http_invalid_field(res, "direction", "direction must be \"higher\" or \"lower\"");
		return false;
	}
	json_t *tag = json_object_get(req->json, "tag");
	if (tag && !json_is_null(tag) && !json_is_string(tag)) {
		http_invalid_field(res, "tag", "tag must be a skill tag's name or null");
		return false;
	}
	f->tag = tag ? (json_is_null(tag) ? "" : json_string_value(tag)) : NULL;
	return true;
}

static void create_metric(struct cr_request *req, struct cr_response *res)
{
	struct kpi_metric_fields f = {0};
	if (!read_metric(req, res, true, &f))
		return;
	int64_t id;
	struct cr_problem why = {0};
	cr_err e = kpi_metric_create(&f, &id, &why);
	if (e)
		http_fail(res, e, &why, "metric");
	else
		answer_metric(res, 201, id);
}

static void update_metric(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	struct kpi_metric_fields f = {0};
	if (!http_path_id(req, res, 0, "metric", &id) || !read_metric(req, res, false, &f))
		return;
	struct cr_problem why = {0};
	cr_err e = kpi_metric_update(id, &f, &why);
	if (e)
		http_fail(res, e, &why, "metric");
	else
		answer_metric(res, 200, id);
}

/* --- imports ------------------------------------------------------------ */

static void body_sha256(const struct cr_request *req, char hex[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, (const unsigned char *)req->body, req->body_len);
	sodium_bin2hex(hex, 65, digest, sizeof digest);
}

/* Starts an import on behalf of the caller: an admin or an integration token. */
static bool begin_import(struct cr_request *req, struct cr_response *res, const char *format,
			 const char *sha256, struct kpi_import **imp)
{
	struct kpi_source src = {.user_id = req->integration_id ? 0 : req->user.id,
				 .token_id = req->integration_id,
				 .format = format,
				 .sha256 = sha256};
	cr_err e = kpi_import_begin(&src, imp);
	if (e)
		http_error(res, e, "import");
	return !e;
}

/* Finishes an import and answers: 201 with its record, or 422 naming the
 * bad rows (nothing was written). */
static void finish_import(struct kpi_import **imp, struct cr_response *res, cr_err failure)
{
	json_t *out;
	cr_err e = kpi_import_finish(imp, failure != CR_OK, &out);
	if (failure)
		http_error(res, failure, "import");
	else if (e == CR_EINVAL && json_integer_value(json_object_get(out, "error_count")) == 0)
		http_problem(res, 422, "empty-import", "there are no rows to import");
	else if (e == CR_EINVAL) {
		http_problem(res, 422, "invalid-rows",
			     "%lld bad row(s); nothing was imported (the first %d are listed)",
			     (long long)json_integer_value(json_object_get(out, "error_count")),
			     KPI_MAX_LISTED_ERRORS);
		json_object_update(res->json, out);
	} else if (e)
		http_error(res, e, "import");
	else {
		/* rules judge the new days at once; the import stands either way */
		struct push_pass pass;
		if (push_rules_evaluate(kpi_today(), &pass) == CR_OK && pass.fired + pass.qualified)
			log_info("push rules after import: %zu fired, %zu qualified", pass.fired,
				 pass.qualified);
		http_json(res, 201, json_incref(out));
	}
	json_decref(out);
}

enum csv_column { CSV_DATE, CSV_EMPLOYEE_ID, CSV_USERNAME, CSV_METRIC, CSV_TAG, CSV_VALUE, NCOLS };
static const char *const csv_columns[NCOLS] = {"date",   "employee_id", "username",
					       "metric", "tag",         "value"};

/* Maps the header line's columns; answers 422 and returns false when it is
 * not a usable header. */
static bool read_csv_header(struct csv *c, int map[NCOLS], struct cr_response *res)
{
	char *fields[NCOLS + 1], err[96];
	size_t n;
	for (int i = 0; i < NCOLS; i++)
		map[i] = -1;
	int r = csv_next(c, fields, NCOLS, &n, err, sizeof err);
	for (size_t f = 0; r == 1 && f < n; f++) {
		int col = -1;
		for (int i = 0; i < NCOLS; i++)
			if (strcmp(fields[f], csv_columns[i]) == 0)
				col = i;
		if (col < 0 || map[col] >= 0) {
			http_problem(res, 422, "invalid-csv", "column '%s' is unknown or repeated",
				     fields[f]);
			return false;
		}
		map[col] = (int)f;
	}
	if (r != 1 || map[CSV_DATE] < 0 || map[CSV_METRIC] < 0 || map[CSV_VALUE] < 0 ||
	    (map[CSV_EMPLOYEE_ID] < 0 && map[CSV_USERNAME] < 0)) {
		http_problem(res, 422, "invalid-csv",
			     "the first line must name the columns: date, employee_id or "
			     "username, metric, tag (for per-skill metrics) and value");
		return false;
	}
	return true;
}

static void import_csv(struct cr_request *req, struct cr_response *res)
{
	char sha[65], *buf = malloc(req->body_len + 1), err[96];
	struct kpi_import *imp = NULL;
	int map[NCOLS];
	struct csv c;
	if (!buf) {
		http_error(res, CR_ENOMEM, "import");
		return;
	}
	memcpy(buf, req->body, req->body_len + 1);
	csv_init(&c, buf, req->body_len);
	body_sha256(req, sha);
	if (!read_csv_header(&c, map, res) || !begin_import(req, res, "csv", sha, &imp))
		goto out;
	cr_err failure = CR_OK;
	char *fields[NCOLS + 1];
	size_t n, line = c.line;
	int r = 0;
	while (!failure && (r = csv_next(&c, fields, NCOLS, &n, err, sizeof err)) == 1) {
		const char *col[NCOLS];
		for (int i = 0; i < NCOLS; i++)
			col[i] = map[i] >= 0 && (size_t)map[i] < n ? fields[map[i]] : NULL;
		struct kpi_row row = {.row = line,
				      .date = col[CSV_DATE],
				      .employee_id = col[CSV_EMPLOYEE_ID],
				      .username = col[CSV_USERNAME],
				      .metric = col[CSV_METRIC],
				      .tag = col[CSV_TAG],
				      .value_text = col[CSV_VALUE]};
		failure = kpi_import_row(imp, &row);
		line = c.line;
	}
	if (!failure && r < 0) {
		json_t *none;
		kpi_import_finish(&imp, true, &none);
		http_problem(res, 422, "invalid-csv", "line %zu: %s; nothing was imported", line,
			     err);
		goto out;
	}
	finish_import(&imp, res, failure);
out:
	free(buf);
}

/* A JSON row's string member, NULL when absent; false when not a string. */
static bool row_string(json_t *row, const char *name, const char **out)
{
	json_t *v = json_object_get(row, name);
	*out = json_string_value(v);
	return !v || json_is_null(v) || json_is_string(v);
}

static void import_batch(struct cr_request *req, struct cr_response *res)
{
	json_t *rows = json_object_get(req->json, "rows");
	if (!json_is_array(rows)) {
		http_invalid_field(res, "rows",
				   "rows must be an array of {date, employee_id or "
				   "username, metric, tag, value}");
		return;
	}
	char sha[65];
	body_sha256(req, sha);
	struct kpi_import *imp;
	if (!begin_import(req, res, "json", sha, &imp))
		return;
	cr_err failure = CR_OK;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		struct kpi_row row = {.row = i + 1};
		json_t *value = json_object_get(r, "value");
		bool strings = json_is_object(r) && row_string(r, "date", &row.date) &&
			       row_string(r, "employee_id", &row.employee_id) &&
			       row_string(r, "username", &row.username) &&
			       row_string(r, "metric", &row.metric) &&
			       row_string(r, "tag", &row.tag);
		row.has_number = json_is_number(value);
		row.number = json_number_value(value);
		if (!strings)
			row.date = NULL; /* the row is refused as malformed */
		if ((failure = kpi_import_row(imp, &row)))
			break;
	}
	finish_import(&imp, res, failure);
}

static void list_imports(struct cr_request *req, struct cr_response *res)
{
	long limit;
	if (!http_query_long(req, res, "limit", 50, 1, 500, &limit))
		return;
	json_t *items;
	cr_err e = kpi_imports_json(limit, &items);
	if (e)
		http_error(res, e, "import list");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

static void undo_import(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "import", &id))
		return;
	cr_err e = kpi_import_undo(id, req->user.id);
	if (e == CR_ECONFLICT)
		http_problem(res, 409, "already-undone", "import %lld was undone already",
			     (long long)id);
	else if (e)
		http_error(res, e, "import");
	else
		http_no_content(res);
}

/* --- reads -------------------------------------------------------------- */

/* Query `name` as a date; absent gives `def`. */
static bool query_day(struct cr_request *req, struct cr_response *res, const char *name,
		      int32_t def, int32_t *out)
{
	const char *v = http_query(req, name);
	*out = def;
	if (v && !kpi_day_parse(v, out)) {
		http_invalid_field(res, name, "%s must be a date YYYY-MM-DD", name);
		return false;
	}
	return true;
}

static void daily(struct cr_request *req, struct cr_response *res)
{
	long user_id;
	int32_t today = kpi_today(), from, to;
	if (!http_query_long(req, res, "user_id", req->user.id, 1, INT64_MAX, &user_id) ||
	    !query_day(req, res, "to", today, &to) || !query_day(req, res, "from", to - 29, &from))
		return;
	if (user_id != req->user.id && req->user.role < CR_ROLE_TRAINER) {
		http_problem(res, 403, "forbidden", "agents see only their own metrics");
		return;
	}
	if (from > to || to - from >= DAILY_MAX_DAYS) {
		http_invalid_field(res, "from", "from must be on or before to, at most %d days",
				   DAILY_MAX_DAYS);
		return;
	}
	json_t *items;
	cr_err e = kpi_daily_json(user_id, http_query(req, "metric"), http_query(req, "tag"), from,
				  to, &items);
	if (e == CR_ENOTFOUND)
		http_invalid_field(res, "metric", "no such metric or tag");
	else if (e)
		http_error(res, e, "daily metrics");
	else
		http_json(res, 200,
			  json_pack("{s:I, s:o}", "user_id", (json_int_t)user_id, "items", items));
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/metrics", CR_ROLE_TRAINER, CR_BODY_NONE, list_metrics, NULL},
	{"POST", "/api/v1/metrics", CR_ROLE_ADMIN, CR_BODY_JSON, create_metric, NULL},
	{"GET", "/api/v1/metrics/daily", CR_ROLE_AGENT, CR_BODY_NONE, daily, NULL},
	{"GET", "/api/v1/metrics/imports", CR_ROLE_ADMIN, CR_BODY_NONE, list_imports, NULL},
	{"POST", "/api/v1/metrics/imports/{id}/undo", CR_ROLE_ADMIN, CR_BODY_NONE, undo_import,
	 NULL},
	{"PATCH", "/api/v1/metrics/{id}", CR_ROLE_ADMIN, CR_BODY_JSON, update_metric, NULL},
};

/* Admins, and the integration tokens made for this. */
static const struct cr_route import_routes[] = {
	{"POST", "/api/v1/metrics/import", CR_ROLE_ADMIN, CR_BODY_CSV, import_csv, NULL},
	{"POST", "/api/v1/metrics/batch", CR_ROLE_ADMIN, CR_BODY_JSON, import_batch, NULL},
};
static const struct cr_route_extra import_extra = {.scope = INTEGRATION_SCOPE_METRICS,
						   .bulk = true};

cr_err api_metrics_register(struct router *r)
{
	cr_err e = router_add_extra(r, import_routes, 2, &import_extra);
	return e ? e : router_add(r, routes, sizeof routes / sizeof routes[0]);
}
