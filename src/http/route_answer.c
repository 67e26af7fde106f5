/* X-HTTP-Method-Override and the header every answer of a route carries,
 * both asked for by a route's extra (the tus routes). See route_answer.h. */
#include "route_answer.h"

#include <string.h>

#define OVERRIDE_HEADER "X-HTTP-Method-Override"

void route_method_override(const struct router *r, struct cr_request *req, struct router_match *m,
			   enum router_result *result)
{
	if (*result == ROUTER_NOT_FOUND || !m->extra || !m->extra->method_override ||
	    strcmp(req->method, "POST") != 0)
		return;
	const char *method = http_req_header(req, OVERRIDE_HEADER);
	if (!method || !*method)
		return;
	/* the router compares methods exactly, as HTTP does: "patch" is not
	 * PATCH, and is answered 405 like any method the path lacks */
	req->method = method;
	*result = router_match(r, method, req->path, m);
}

void route_answer_headers(const struct router_match *m, struct cr_response *res)
{
	if (m->extra && m->extra->answer_header)
		http_header(res, m->extra->answer_header, "%s", m->extra->answer_value);
}
