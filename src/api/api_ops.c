/* Operations endpoints: liveness (/healthz), readiness (/readyz) and
 * Prometheus metrics (no login, as probes and scrapers expect; they reveal
 * no user data, and --metrics-token can ask the scraper for a bearer
 * token). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "casereel/app.h"
#include "casereel/demo_background.h"
#include "casereel/disk.h"
#include "casereel/drain.h"
#include "casereel/metrics.h"
#include "casereel/store.h"

/* How long the readiness probe waits for the database's write lock: a
 * group commit or an import chunk holds it for well under this. */
#define READY_DB_WAIT_MS 500

static void healthz(struct cr_request *req, struct cr_response *res)
{
	if (!store_reachable()) {
		http_problem(res, 503, "unavailable", "the database is not reachable");
		return;
	}
	json_t *body = json_pack("{s:s, s:i}", "status", "ok", "schema", store_schema_version());
	if (body && req->cfg->demo) { /* the demo's clips are made while the server answers */
		struct demo_status d;
		demo_background_status(req->cfg, &d);
		json_object_set_new(body, "demo",
				    json_pack("{s:i, s:i, s:b}", "clips_planned", d.clips_planned,
					      "clips_published", d.clips_published, "ready",
					      d.ready));
	}
	http_json(res, 200, body);
}

/* 200 when this server should get traffic: not draining, the database
 * takes a write, the media disk is above --min-free-disk. Otherwise 503,
 * the detail naming every check that failed. */
static void readyz(struct cr_request *req, struct cr_response *res)
{
	const char *failed[3];
	size_t n = 0;
	char disk[160];
	uint64_t free_bytes = 0;
	if (drain_active())
		failed[n++] = "the server is draining before it stops";
	if (!store_writable(READY_DB_WAIT_MS))
		failed[n++] = "the database is not writable (its write lock was not had in time)";
	if (disk_free_bytes(req->cfg->media_dir, &free_bytes)) {
		failed[n++] = "the media disk's free space cannot be read";
	} else if (free_bytes <= (uint64_t)req->cfg->min_free_disk) {
		snprintf(disk, sizeof disk,
			 "the media disk has %llu bytes free, not above --min-free-disk %lld",
			 (unsigned long long)free_bytes, req->cfg->min_free_disk);
		failed[n++] = disk;
	}
	if (!n) {
		http_json(res, 200, json_pack("{s:s}", "status", "ready"));
		return;
	}
	http_problem(res, 503, "not-ready", "not ready: %s%s%s%s%s", failed[0], n > 1 ? "; " : "",
		     n > 1 ? failed[1] : "", n > 2 ? "; " : "", n > 2 ? failed[2] : "");
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
	char *text = metrics_render(&req->app->router, req->cfg, &len);
	if (!text)
		http_problem(res, 500, "internal", "out of memory");
	else
		http_text(res, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

static const struct cr_route routes[] = {
	{"GET", "/healthz", CR_ROLE_NONE, CR_BODY_NONE, healthz, NULL},
	{"GET", "/readyz", CR_ROLE_NONE, CR_BODY_NONE, readyz, NULL},
	{"GET", "/metrics", CR_ROLE_NONE, CR_BODY_NONE, metrics, NULL},
};

cr_err api_ops_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
