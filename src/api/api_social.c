/* Likes (PUT/DELETE, idempotent) and comments on published clips. */
#include "casereel/app.h"
#include "casereel/fields.h"
#include "casereel/log.h"
#include "casereel/points.h"
#include "casereel/social.h"

#include <string.h>

static void set_like(struct cr_request *req, struct cr_response *res, bool like)
{
	int64_t id, likes = 0;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	cr_err e = social_set_like(id, req->user.id, like, &likes);
	if (!e && like && points_reward_likes(id))
		log_warn("like milestones of video %lld not paid yet", (long long)id);
	if (e)
		http_error(res, e, "published video");
	else
		http_json(res, 200,
			  json_pack("{s:b, s:I}", "liked", like, "likes", (json_int_t)likes));
}

static void like(struct cr_request *req, struct cr_response *res)
{
	set_like(req, res, true);
}

static void unlike(struct cr_request *req, struct cr_response *res)
{
	set_like(req, res, false);
}

static void list_comments(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	long limit, after;
	if (!http_path_id(req, res, 0, "video", &id) ||
	    !http_query_long(req, res, "limit", 20, 1, 100, &limit) ||
	    !http_query_long(req, res, "after", 0, 0, INT64_MAX, &after))
		return;
	const char *order = http_query(req, "order");
	bool newest_first = !order || strcmp(order, "newest") == 0;
	if (!newest_first && strcmp(order, "oldest") != 0) {
		http_invalid_field(res, "order", "order is newest (the default) or oldest");
		return;
	}
	json_t *items = NULL;
	cr_err e = social_list_comments(id, newest_first, after, limit, &items);
	if (e) {
		http_error(res, e, "published video");
		return;
	}
	size_t n = json_array_size(items);
	json_t *next =
		(long)n == limit ? json_object_get(json_array_get(items, n - 1), "id") : NULL;
	http_json(res, 200, json_pack("{s:o, s:O?}", "items", items, "next_after", next));
}

static void add_comment(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	const char *body;
	if (!http_path_id(req, res, 0, "video", &id) ||
	    !field_text(req, res, "body", true, 1, COMMENT_MAX_CHARS, &body, NULL))
		return;
	json_t *c = NULL;
	cr_err e = social_add_comment(id, &req->user, body, &c);
	if (e)
		http_error(res, e, "published video");
	else
		http_json(res, 201, c);
}

static void remove_comment(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "comment", &id))
		return;
	cr_err e = social_remove_comment(id, &req->user);
	if (e)
		http_error(res, e, "comment of yours");
	else
		http_no_content(res);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/videos/{id}/comments", CR_ROLE_AGENT, CR_BODY_NONE, list_comments, NULL},
	{"DELETE", "/api/v1/comments/{id}", CR_ROLE_AGENT, CR_BODY_NONE, remove_comment, NULL},
};

/* Writes others see, each kind within the writer's budget (--rate-*). */
static const struct cr_route like_routes[] = {
	{"PUT", "/api/v1/videos/{id}/like", CR_ROLE_AGENT, CR_BODY_NONE, like, NULL},
	{"DELETE", "/api/v1/videos/{id}/like", CR_ROLE_AGENT, CR_BODY_NONE, unlike, NULL},
};
static const struct cr_route_extra like_budget = {.rate = CR_RATE_LIKES};
static const struct cr_route comment_routes[] = {
	{"POST", "/api/v1/videos/{id}/comments", CR_ROLE_AGENT, CR_BODY_JSON, add_comment, NULL},
};
static const struct cr_route_extra comment_budget = {.rate = CR_RATE_COMMENTS};

cr_err api_social_register(struct router *r)
{
	cr_err e = router_add(r, routes, sizeof routes / sizeof routes[0]);
	if (!e)
		e = router_add_extra(r, like_routes, sizeof like_routes / sizeof like_routes[0],
				     &like_budget);
	if (!e)
		e = router_add_extra(r, comment_routes,
				     sizeof comment_routes / sizeof comment_routes[0],
				     &comment_budget);
	return e;
}
