/* Cross-origin access (CORS). Signed media answers every origin: its URLs
 * are the authorisation, so a player on any page (or behind a CDN) may
 * fetch them. The API and the tus uploads answer only the origins named by
 * --cors-origins, echoed with Vary: Origin; other origins get no CORS
 * headers and their preflights a 403 problem. Private to src/http/. */
#ifndef CASEREEL_CORS_H
#define CASEREEL_CORS_H

#include <stdbool.h>

#include "casereel/http.h"
#include "casereel/router.h"

struct MHD_Response;

/* When `req` is a CORS preflight (OPTIONS with Access-Control-Request-Method)
 * under /media/ or /api/, answers it in `res` and returns true: 204 with
 * Access-Control-Allow-Methods (the methods `router` serves at the path),
 * -Allow-Headers and -Max-Age for an allowed origin; 403 for an API origin
 * not listed; 404 for an API path no route serves. Needs no login. A tus
 * discovery OPTIONS (no Access-Control-Request-Method) is not a preflight. */
bool cors_preflight(const struct router *router, const struct cr_request *req,
		    struct cr_response *res);

/* Adds the CORS headers of an answer to `req` (any status, preflights
 * included) to `r`: Access-Control-Allow-Origin and -Expose-Headers when
 * the request's origin may read it, and Vary: Origin on API answers while
 * --cors-origins names any origin. */
void cors_headers(const struct cr_request *req, struct MHD_Response *r);

#endif
