/* Featuring ("make stars"): trainers feature a clip or a creator for a
 * period with a note; featured clips and creators get the feed boost and a
 * badge. The rules live in src/feed/featured.c. */
#include "casereel/app.h"
#include "casereel/featured.h"
#include "casereel/fields.h"

static void feature(struct cr_request *req, struct cr_response *res)
{
	int64_t video_id = 0, user_id = 0, days = 7;
	bool has_video = false, has_user = false;
	const char *note = "";
	if (!field_int(req, res, "video_id", false, 1, INT64_MAX, false, &video_id, &has_video) ||
	    !field_int(req, res, "user_id", false, 1, INT64_MAX, false, &user_id, &has_user) ||
	    !field_int(req, res, "days", false, 1, 90, false, &days, NULL) ||
	    !field_text(req, res, "note", false, 0, 200, &note, NULL))
		return;
	if (has_video == has_user) {
		http_invalid_field(res, "video_id",
				   "feature either a clip (video_id) or a creator (user_id)");
		return;
	}
	if (!featured_target_exists(video_id, user_id)) {
		http_invalid_field(res, has_video ? "video_id" : "user_id",
				   has_video ? "no published clip with that id"
					     : "no active user with that id");
		return;
	}
	json_t *f;
	cr_err e = featured_add(video_id, user_id, note, days, req->user.id, &f);
	if (e)
		http_error(res, e, "feature");
	else
		http_json(res, 201, f);
}

static void list_featured(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	json_t *items;
	if (featured_list_json(&items)) {
		http_error(res, CR_EDB, "featured list");
		return;
	}
	http_json(res, 200, json_pack("{s:o}", "items", items));
}

static void unfeature(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "feature", &id))
		return;
	cr_err e = featured_end(id);
	if (e) {
		http_error(res, e, "active feature");
		return;
	}
	http_no_content(res);
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/featured", CR_ROLE_TRAINER, CR_BODY_JSON, feature, NULL},
	{"GET", "/api/v1/featured", CR_ROLE_AGENT, CR_BODY_NONE, list_featured, NULL},
	{"DELETE", "/api/v1/featured/{id}", CR_ROLE_TRAINER, CR_BODY_NONE, unfeature, NULL},
};

cr_err api_featured_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
