/* Service metrics: the catalogue (admins) and per-agent daily values.
 * Imports are in api_metric_imports.c. */
#include <stdlib.h>
#include <string.h>

#include "casereel/app.h"
#include "casereel/fields.h"
#include "casereel/kpi.h"

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
	{"PATCH", "/api/v1/metrics/{id}", CR_ROLE_ADMIN, CR_BODY_JSON, update_metric, NULL},
};

cr_err api_metrics_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
