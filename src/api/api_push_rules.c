/* Push rules for trainers: write them, turn them on or off, read each
 * rule's history, and run a pass now (the server also runs one after every
 * metric import and once a day). */
#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/kpi.h"
#include "casereel/push_rules.h"

static void answer_rule(struct cr_response *res, unsigned status, int64_t id)
{
	json_t *rule;
	cr_err e = push_rule_json(id, &rule);
	if (e)
		http_error(res, e, "push rule");
	else
		http_json(res, status, rule);
}

static void list_rules(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	json_t *items;
	cr_err e = push_rules_json(&items);
	if (e)
		http_error(res, e, "push rule list");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

static bool number(struct cr_request *req, struct cr_response *res, const char *name, double *out)
{
	json_t *v = json_object_get(req->json, name);
	if (!json_is_number(v)) {
		http_invalid_field(res, name, "%s must be a number", name);
		return false;
	}
	*out = json_number_value(v);
	return true;
}

static void create_rule(struct cr_request *req, struct cr_response *res)
{
	struct push_rule_fields f = {.by = req->user.id,
				     .window_days = 7,
				     .min_days = 5,
				     .due_days = 7,
				     .recover_days = 5};
	int64_t window = f.window_days, min = f.min_days, due = f.due_days,
		recover = f.recover_days;
	if (!field_text(req, res, "name", true, 1, 80, &f.name, NULL) ||
	    !field_string(req, res, "metric", true, 1, KPI_NAME_MAX, &f.metric, NULL) ||
	    !field_string(req, res, "tag", false, 1, KPI_NAME_MAX, &f.tag, NULL) ||
	    !number(req, res, "threshold", &f.threshold) ||
	    !field_int(req, res, "window_days", false, 1, 90, false, &window, NULL) ||
	    !field_int(req, res, "min_days", false, 1, 90, false, &min, NULL) ||
	    !field_int(req, res, "due_days", false, 1, 365, false, &due, NULL) ||
	    !field_int(req, res, "recover_days", false, 1, 90, false, &recover, NULL) ||
	    !field_int(req, res, "path_id", true, 1, INT64_MAX, false, &f.path_id, NULL) ||
	    !field_int(req, res, "team_id", false, 1, INT64_MAX, true, &f.team_id, NULL))
		return;
	f.window_days = (int)window, f.min_days = (int)min, f.due_days = (int)due;
	f.recover_days = (int)recover;
	int64_t id;
	struct cr_problem why = {0};
	cr_err e = push_rule_create(&f, &id, &why);
	if (e)
		http_fail(res, e, &why, "push rule");
	else
		answer_rule(res, 201, id);
}

static void get_rule(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (http_path_id(req, res, 0, "push rule", &id))
		answer_rule(res, 200, id);
}

static void update_rule(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	bool active;
	if (!http_path_id(req, res, 0, "push rule", &id) ||
	    !field_bool(req, res, "active", true, &active, NULL))
		return;
	cr_err e = push_rule_set_active(id, active);
	if (e)
		http_error(res, e, "push rule");
	else
		answer_rule(res, 200, id);
}

static void evaluate(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	struct push_pass pass;
	cr_err e = push_rules_evaluate(kpi_today(), &pass);
	if (e)
		http_error(res, e, "push rule pass");
	else
		http_json(res, 200,
			  json_pack("{s:I, s:I, s:I}", "rules", (json_int_t)pass.rules, "fired",
				    (json_int_t)pass.fired, "qualified",
				    (json_int_t)pass.qualified));
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/push-rules", CR_ROLE_TRAINER, CR_BODY_NONE, list_rules, NULL},
	{"POST", "/api/v1/push-rules", CR_ROLE_TRAINER, CR_BODY_JSON, create_rule, NULL},
	{"POST", "/api/v1/push-rules/evaluate", CR_ROLE_TRAINER, CR_BODY_NONE, evaluate, NULL},
	{"GET", "/api/v1/push-rules/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, get_rule, NULL},
	{"PATCH", "/api/v1/push-rules/{id}", CR_ROLE_TRAINER, CR_BODY_JSON, update_rule, NULL},
};

cr_err api_push_rules_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
