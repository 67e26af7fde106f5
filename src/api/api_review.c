/* Trainers' review queue and decisions: new clips, and edits of published
 * ones. */
#include <string.h>

#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/janitor.h"
#include "casereel/videos.h"

#define URL_TTL 3600

static void review_queue(struct cr_request *req, struct cr_response *res)
{
	long limit, after;
	if (!http_query_long(req, res, "limit", 20, 1, 100, &limit) ||
	    !http_query_long(req, res, "after", 0, 0, INT64_MAX, &after))
		return;
	json_t *items = NULL;
	cr_err e = videos_review_queue_json(&req->user, after, limit, URL_TTL, &items);
	if (e) {
		http_error(res, e, "review queue");
		return;
	}
	size_t n = json_array_size(items);
	json_t *next =
		(long)n == limit ? json_object_get(json_array_get(items, n - 1), "id") : NULL;
	http_json(res, 200, json_pack("{s:o, s:O?}", "items", items, "next_after", next));
}

static void review(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	const char *decision, *reason = NULL;
	json_t *revision = json_object_get(req->json, "revision");
	if (!http_path_id(req, res, 0, "video", &id) ||
	    !field_string(req, res, "decision", true, 1, 16, &decision, NULL) ||
	    !field_text(req, res, "reason", false, 0, 500, &reason, NULL))
		return;
	if (revision && (!json_is_integer(revision) || json_integer_value(revision) < 1)) {
		http_invalid_field(res, "revision",
				   "revision is the number of the text you reviewed (the clip's "
				   "\"revision\")");
		return;
	}
	bool approve = !strcmp(decision, "approve");
	if (!approve && strcmp(decision, "reject")) {
		http_invalid_field(res, "decision", "decision must be approve or reject");
		return;
	}
	if (!approve && (!reason || !*reason)) {
		http_invalid_field(res, "reason",
				   "say why the clip is rejected, so its creator can fix it");
		return;
	}
	/* an approval pays its creator: nobody signs off their own clip */
	if (videos_owned_by(id, req->user.id)) {
		http_problem(res, 403, "own-clip", "another trainer reviews your own clips");
		return;
	}
	struct cr_problem why = {0};
	cr_err e = videos_review(id, req->user.id, approve, reason,
				 revision ? json_integer_value(revision) : 0, &why);
	int gone = 0; /* an approved redaction: its un-redacted original goes now */
	if (!e && approve)
		janitor_purge_sources(req->cfg, cr_now(), &gone);
	json_t *v = NULL;
	if (!e)
		e = videos_get_json(id, &req->user, URL_TTL, &v);
	if (e)
		http_fail(res, e, &why, "video");
	else
		http_json(res, 200, v);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/review", CR_ROLE_TRAINER, CR_BODY_NONE, review_queue, NULL},
	{"POST", "/api/v1/videos/{id}/review", CR_ROLE_TRAINER, CR_BODY_JSON, review, NULL},
};

cr_err api_review_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
