/* Skill tags ("refunds", "de-escalation") with their names in English and
 * Chinese, managed by admins and read by every employee (the upload form's
 * tag picker; trainers write rules and ask for impact by tag). `onboarding` tags are what new hires
 * are shown first. */
#include <ctype.h>

#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/tags.h"
#include "casereel/text.h"

static void answer_tag(struct cr_response *res, unsigned status, int64_t id)
{
	json_t *tag;
	cr_err e = tags_get_json(id, &tag);
	if (e)
		http_error(res, e, "tag");
	else
		http_json(res, status, tag);
}

static void list_tags(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	json_t *items;
	if (tags_list_json(&items)) {
		http_error(res, CR_EDB, "tag list");
		return;
	}
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

/* Tag names are slugs so they read well in URLs (/feed/tags/{tag}). */
static bool slug_ok(const char *s)
{
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

static void save_tag(struct cr_request *req, struct cr_response *res, int64_t id)
{
	struct tag_fields f = {0};
	struct cr_labels l = {0};
	if (!field_string(req, res, "name", !id, 1, TAG_NAME_MAX, &f.name, NULL) ||
	    !field_text(req, res, "label", false, 1, TAG_LABEL_MAX, &l.en, NULL) ||
	    !field_labels(res, req->json, "labels", &l) ||
	    !field_bool(req, res, "onboarding", false, &f.onboarding, &f.has_onboarding))
		return;
	f.label = l.en;
	f.label_zh = l.zh;
	f.clear_label_zh = l.clear_zh;
	if (f.name && !slug_ok(f.name)) {
		http_invalid_field(res, "name", "name must use only a-z, 0-9 and '-'");
		return;
	}
	int64_t saved;
	cr_err e = tags_save(id, &f, &saved);
	if (e == CR_ECONFLICT)
		http_problem(res, 409, "conflict", "a tag named '%s' already exists", f.name);
	else if (e)
		http_error(res, e, "tag");
	else
		answer_tag(res, id ? 200 : 201, saved);
}

static void create_tag(struct cr_request *req, struct cr_response *res)
{
	save_tag(req, res, 0);
}

static void update_tag(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (http_path_id(req, res, 0, "tag", &id))
		save_tag(req, res, id);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/tags", CR_ROLE_AGENT, CR_BODY_NONE, list_tags, NULL},
	{"POST", "/api/v1/tags", CR_ROLE_ADMIN, CR_BODY_JSON, create_tag, NULL},
	{"PATCH", "/api/v1/tags/{id}", CR_ROLE_ADMIN, CR_BODY_JSON, update_tag, NULL},
};

cr_err api_tags_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
