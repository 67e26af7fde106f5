/* Operations endpoints: health and Prometheus metrics (unauthenticated,
 * as scrapers expect; they reveal no user data). */
#include <string.h>

#include "casereel/app.h"
#include "casereel/metrics.h"
#include "casereel/store.h"

static void healthz(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	if (!store_reachable()) {
		http_problem(res, 503, "unavailable", "the database is not reachable");
		return;
	}
	http_json(res, 200,
		  json_pack("{s:s, s:i}", "status", "ok", "schema", store_schema_version()));
}

static void metrics(struct cr_request *req, struct cr_response *res)
{
	size_t len = 0;
	char *text = metrics_render(&req->app->router, &len);
	if (!text)
		http_problem(res, 500, "internal", "out of memory");
	else
		http_text(res, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

static const struct cr_route routes[] = {
	{"GET", "/healthz", CR_ROLE_NONE, CR_BODY_NONE, healthz, NULL},
	{"GET", "/metrics", CR_ROLE_NONE, CR_BODY_NONE, metrics, NULL},
};

cr_err api_ops_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
