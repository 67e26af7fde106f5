/* Edits of a clip's media and takedowns:
 * POST /api/v1/videos/{id}/edits (the creator while pending or rejected, a
 * trainer in any state with media) asks for a trim, blurred regions, muted
 * or bleeped ranges and a poster time, rendered as the clip's next media
 * version; GET lists the clip's trail (its creator and trainers);
 * POST /api/v1/videos/{id}/takedown (trainers) takes a published clip off
 * the feed at once. */
#include "casereel/app.h"
#include "casereel/fields.h"
#include "casereel/video_edits.h"

static void edit(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	struct cr_problem why = {0};
	json_t *out = NULL;
	cr_err e = video_edits_request(id, &req->user, req->json, &out, &why);
	if (e)
		http_fail(res, e, &why, "video");
	else
		http_json(res, 202, out);
}

static void list(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	json_t *items = NULL;
	cr_err e = video_edits_list_json(id, &req->user, &items);
	if (e)
		http_error(res, e, "video");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

static void takedown(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	const char *reason;
	if (!http_path_id(req, res, 0, "video", &id) ||
	    !field_text(req, res, "reason", true, 1, 500, &reason, NULL))
		return;
	struct cr_problem why = {0};
	json_t *out = NULL;
	cr_err e = video_edits_takedown(id, &req->user, reason, &out, &why);
	if (e)
		http_fail(res, e, &why, "video");
	else
		http_json(res, 200, out);
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/videos/{id}/edits", CR_ROLE_AGENT, CR_BODY_JSON, edit, NULL},
	{"GET", "/api/v1/videos/{id}/edits", CR_ROLE_AGENT, CR_BODY_NONE, list, NULL},
	{"POST", "/api/v1/videos/{id}/takedown", CR_ROLE_TRAINER, CR_BODY_JSON, takedown, NULL},
};

cr_err api_edits_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
