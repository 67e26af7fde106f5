/* Watch events from the player: start, progress heartbeats, seeks, end. */
#include <string.h>

#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/feed.h"
#include "casereel/fields.h"
#include "casereel/log.h"
#include "casereel/points.h"
#include "casereel/watch.h"

static void view_event(struct cr_request *req, struct cr_response *res)
{
	static const char *const names[] = {"start", "progress", "seek", "end"};
	int64_t id;
	const char *event;
	if (!http_path_id(req, res, 0, "video", &id) ||
	    !field_string(req, res, "event", true, 1, 16, &event, NULL))
		return;
	int ev = -1;
	for (int i = 0; i < 4; i++)
		if (!strcmp(event, names[i]))
			ev = i;
	if (ev < 0) {
		http_invalid_field(res, "event", "event must be start, progress, seek or end");
		return;
	}
	json_t *pos = json_object_get(req->json, "position");
	if (pos && !json_is_number(pos)) {
		http_invalid_field(res, "position", "position must be a number of seconds");
		return;
	}
	int64_t now_ms = cr_now_ms(); /* the test clock moves watching time too */
	json_t *state = NULL;
	struct cr_problem why = {0};
	cr_err e = watch_apply(id, req->user.id, (enum watch_event)ev,
			       pos ? json_number_value(pos) : 0, now_ms, &state, &why);
	if (e)
		http_fail(res, e, &why, "published video");
	else {
		if (json_is_true(json_object_get(state, "newly_completed"))) {
			feed_forget_viewer(
				req->user.id); /* watched clips sink on the next reload */
			int64_t earned = 0;    /* learning credit, once per viewer and clip */
			if (points_reward_completion(id, req->user.id, &earned))
				log_error("learning credit for video %lld, user %lld failed",
					  (long long)id, (long long)req->user.id);
			json_object_set_new(state, "points_earned", json_integer(earned));
		}
		http_json(res, 200, state);
	}
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/videos/{id}/views", CR_ROLE_AGENT, CR_BODY_JSON, view_event, NULL},
};

/* A player sends a heartbeat every few seconds; a script sends hundreds. */
static const struct cr_route_extra budget = {.rate = CR_RATE_VIEWS};

cr_err api_watch_register(struct router *r)
{
	return router_add_extra(r, routes, sizeof routes / sizeof routes[0], &budget);
}
