/* Route table: method + path pattern → route, with path parameters and the
 * list of allowed methods for 405 answers. Fixed capacity, no allocation. */
#ifndef CASEREEL_ROUTER_H
#define CASEREEL_ROUTER_H

#include <stddef.h>

#include "casereel/error.h"
#include "casereel/http.h"

#define ROUTER_MAX_ROUTES  160
#define ROUTER_PARAM_BYTES 512

struct router {
	const struct cr_route *routes[ROUTER_MAX_ROUTES];
	const struct cr_route_extra *extras[ROUTER_MAX_ROUTES]; /* NULL for most */
	size_t count;
};

enum router_result { ROUTER_FOUND, ROUTER_NOT_FOUND, ROUTER_METHOD_NOT_ALLOWED };

struct router_match {
	const struct cr_route *route; /* ROUTER_FOUND only */
	/* ROUTER_FOUND: its extras, or NULL; ROUTER_METHOD_NOT_ALLOWED: those
	 * of the first route on the path */
	const struct cr_route_extra *extra;
	size_t index; /* position of route in the table */
	const char *params[CR_MAX_PATH_PARAMS];
	size_t nparams;
	char param_buf[ROUTER_PARAM_BYTES]; /* params point in here */
	char allow[96];                     /* ROUTER_METHOD_NOT_ALLOWED: "GET, PATCH" */
};

/* Appends `n` routes; the array must outlive the router. CR_ETOOBIG when the
 * table is full, CR_EINVAL for a malformed pattern. */
cr_err router_add(struct router *r, const struct cr_route *routes, size_t n);

/* router_add, with `extra` (which must outlive the router) for each of them. */
cr_err router_add_extra(struct router *r, const struct cr_route *routes, size_t n,
			const struct cr_route_extra *extra);

/* Matches `method` and `path` (already percent-decoded). HEAD matches GET
 * routes. Fills `m`; see enum router_result. */
enum router_result router_match(const struct router *r, const char *method, const char *path,
				struct router_match *m);

/* Every method some route serves at `path` ("GET, HEAD, PATCH"; HEAD with
 * GET) into allow[0..size), "" when no route matches the path. For CORS
 * preflights, which ask before the real method is sent. */
void router_allow(const struct router *r, const char *path, char *allow, size_t size);

#endif
