/* The agent profile (客服画像): GET /api/v1/users/{id}/profile for the agent
 * themself, trainers and admins. */
#include "casereel/app.h"
#include "casereel/profile.h"

static void get_profile(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "user", &id))
		return;
	if (id != req->user.id && req->user.role < CR_ROLE_TRAINER) {
		http_problem(res, 403, "forbidden", "agents see only their own profile");
		return;
	}
	json_t *profile;
	cr_err e = profile_json(id, &profile);
	if (e)
		http_error(res, e, "user");
	else
		http_json(res, 200, profile);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/users/{id}/profile", CR_ROLE_AGENT, CR_BODY_NONE, get_profile, NULL},
};

cr_err api_profile_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
