/* Operations endpoints: health and Prometheus metrics (no login, as
 * scrapers expect; they reveal no user data, and --metrics-token can ask
 * the scraper for a bearer token). */
#include <sodium.h>
#include <string.h>
#include <strings.h>

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

/* True when --metrics-token is unset or the request carries it as a bearer
 * token (compared in constant time). */
static bool metrics_allowed(const struct cr_request *req)
{
	const char *want = req->cfg->metrics_token;
	if (!want[0])
		return true;
	const char *h = http_req_header(req, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	size_t n = strlen(want);
	return strlen(h) == n && sodium_memcmp(h, want, n) == 0;
}

static void metrics(struct cr_request *req, struct cr_response *res)
{
	if (!metrics_allowed(req)) {
		http_header(res, "WWW-Authenticate", "Bearer");
		http_problem(res, 401, "unauthorized",
			     "the metrics need the scraper's token: Authorization: Bearer <token>");
		return;
	}
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
