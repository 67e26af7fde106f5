/* What a route's extra asks of every request to it before its handler
 * runs: X-HTTP-Method-Override and the header on every answer. Private to
 * src/http/http_server.c. */
#ifndef CASEREEL_HTTP_ROUTE_ANSWER_H
#define CASEREEL_HTTP_ROUTE_ANSWER_H

#include "casereel/http.h"
#include "casereel/router.h"

/* Routes a POST again as the method its X-HTTP-Method-Override names, when
 * the route its path reached (`*result`, `m`) allows that: req->method,
 * `m` and `*result` then describe the named method's route (or its 405),
 * so roles, ownership and body handling are the named method's. Anything
 * else is left as it is. */
void route_method_override(const struct router *r, struct cr_request *req, struct router_match *m,
			   enum router_result *result);

/* Puts the header the matched route's extra names (Tus-Resumable) on
 * `res`, whatever the answer will be; the handler may set it again. */
void route_answer_headers(const struct router_match *m, struct cr_response *res);

#endif
