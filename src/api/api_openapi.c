/* GET /api/v1/openapi.json: the API's OpenAPI 3.1 document, compiled into
 * the binary from docs/openapi.yaml. Public and cacheable: it describes
 * the API, not anyone's data. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/app.h"
#include "casereel/openapi.h"

static void openapi_doc(struct cr_request *req, struct cr_response *res)
{
	/* the validators go out with a 304 too, as with the web client's files */
	http_header(res, "ETag", "%s", openapi_json_etag);
	http_header(res, "Cache-Control", "public, max-age=3600");
	const char *inm = http_req_header(req, "If-None-Match");
	bool fresh = inm && (strstr(inm, openapi_json_etag) || !strcmp(inm, "*"));
	/* a 304 too: MHD sends no body with it but its length, which must be
	 * the 200's (RFC 9110 8.6) */
	char *copy = malloc(openapi_json_len);
	if (!copy) {
		http_problem(res, 503, "unavailable", "the server is out of memory");
		return;
	}
	memcpy(copy, openapi_json, openapi_json_len);
	http_text(res, fresh ? 304 : 200, fresh ? NULL : "application/json", copy,
		  openapi_json_len);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/openapi.json", CR_ROLE_NONE, CR_BODY_NONE, openapi_doc, NULL},
};

cr_err api_openapi_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
