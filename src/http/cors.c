/* CORS for signed media (any origin) and the API (listed origins). See
 * cors.h. */
#include "cors.h"

#include <microhttpd.h>
#include <string.h>

#include "casereel/origin.h"

/* Preflights are cached this long by browsers (Chrome caps it at 2 h). */
#define MEDIA_MAX_AGE "86400"
#define API_MAX_AGE   "600"

static const char media_expose[] = "Content-Range, Content-Length, Accept-Ranges, ETag";
static const char media_headers[] = "Range, If-Range, If-None-Match, If-Modified-Since";

/* What a browser may send to the API and tus, and read from its answers. */
static const char api_headers[] =
	"Authorization, Content-Type, Idempotency-Key, X-Request-Id, X-HTTP-Method-Override, "
	"Upload-Offset, Upload-Length, Upload-Metadata, Upload-Checksum, Upload-Defer-Length, "
	"Upload-Concat, Tus-Resumable, Prefer";
static const char api_expose[] =
	"Location, Upload-Offset, Upload-Length, Upload-Expires, Tus-Resumable, Tus-Version, "
	"Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, X-Request-Id, Retry-After, "
	"Upload-Metadata, Casereel-Video-Id, Idempotent-Replayed, Preference-Applied, "
	"Content-Disposition, WWW-Authenticate";

enum area { AREA_NONE, AREA_MEDIA, AREA_API };

static enum area area_of(const char *path)
{
	if (!strncmp(path, "/media/", 7))
		return AREA_MEDIA;
	return !strncmp(path, "/api/", 5) ? AREA_API : AREA_NONE;
}

bool cors_preflight(const struct router *router, const struct cr_request *req,
		    struct cr_response *res)
{
	enum area area = area_of(req->path);
	if (strcmp(req->method, "OPTIONS") != 0 || area == AREA_NONE ||
	    !http_req_header(req, "Access-Control-Request-Method"))
		return false;
	if (area == AREA_MEDIA) {
		http_no_content(res);
		http_header(res, "Access-Control-Allow-Methods", "GET, HEAD");
		http_header(res, "Access-Control-Allow-Headers", "%s", media_headers);
		http_header(res, "Access-Control-Max-Age", MEDIA_MAX_AGE);
		return true;
	}
	const char *origin = http_req_header(req, "Origin");
	if (!origin_listed(req->cfg->cors_origins, origin)) {
		http_problem(res, 403, "cors-origin",
			     "the origin '%.100s' may not call this API from a browser; the server "
			     "names its web clients' origins in --cors-origins",
			     origin ? origin : "");
		return true;
	}
	char allow[96];
	router_allow(router, req->path, allow, sizeof allow);
	if (!allow[0]) {
		http_problem(res, 404, "not-found", "no such endpoint: %s", req->path);
		return true;
	}
	http_no_content(res);
	http_header(res, "Access-Control-Allow-Methods", "%s%s", allow,
		    strstr(allow, "OPTIONS") ? "" : ", OPTIONS");
	http_header(res, "Access-Control-Allow-Headers", "%s", api_headers);
	http_header(res, "Access-Control-Max-Age", API_MAX_AGE);
	return true;
}

void cors_headers(const struct cr_request *req, struct MHD_Response *r)
{
	enum area area = req->path ? area_of(req->path) : AREA_NONE;
	const char *origin = area == AREA_NONE ? NULL : http_req_header(req, "Origin");
	if (area == AREA_MEDIA) {
		/* signed URLs are the authorisation; no origin is special */
		MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
		MHD_add_response_header(r, "Access-Control-Expose-Headers", media_expose);
		return;
	}
	if (area != AREA_API || !req->cfg->cors_origins[0])
		return;
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Origin");
	if (!origin_listed(req->cfg->cors_origins, origin))
		return;
	MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
	MHD_add_response_header(r, "Access-Control-Expose-Headers", api_expose);
}
