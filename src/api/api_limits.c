/* The limits a client checks before it sends: how long a title, a
 * description and a comment may be, how many tags a clip takes, how large
 * an upload may be. Clients read them here rather than guess, so a form
 * never takes what the server will refuse. */
#include "casereel/app.h"
#include "casereel/social.h"
#include "casereel/videos.h"

static void limits(struct cr_request *req, struct cr_response *res)
{
	http_json(res, 200,
		  json_pack("{s:i, s:i, s:i, s:i, s:I}", "title_max_chars", VIDEO_TITLE_MAX,
			    "description_max_chars", VIDEO_DESCRIPTION_MAX, "tags_max",
			    VIDEO_TAGS_MAX, "comment_max_chars", COMMENT_MAX_CHARS,
			    "upload_max_bytes", (json_int_t)req->cfg->upload_max));
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/limits", CR_ROLE_AGENT, CR_BODY_NONE, limits, NULL},
};

cr_err api_limits_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
