/* New renderings of a clip: POST /api/v1/videos/{id}/renders (trainers)
 * transcodes the kept original again as the clip's next media version,
 * which replaces the current one when done; links already handed out keep
 * their bytes until the janitor retires them. */
#include "casereel/app.h"
#include "casereel/videos.h"

static void render(struct cr_request *req, struct cr_response *res)
{
	int64_t id, version = 0;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	struct cr_problem why = {0};
	cr_err e = videos_render(id, &version, &why);
	if (e)
		http_fail(res, e, &why, "video");
	else
		http_json(res, 202,
			  json_pack("{s:I, s:I, s:s}", "video_id", (json_int_t)id, "media_version",
				    (json_int_t)version, "state", "queued"));
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/videos/{id}/renders", CR_ROLE_TRAINER, CR_BODY_NONE, render, NULL},
};

cr_err api_renders_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
