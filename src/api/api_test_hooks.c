/* Test hooks, registered only with --test-hooks (loopback binds only): move
 * the clock, run a maintenance or catalogue round now, instead of waiting,
 * or run a query (or every page of a CSV export) as slow as asked. */
#include <math.h>

#include "casereel/app.h"
#include "casereel/catalog.h"
#include "casereel/clock.h"
#include "casereel/impressions.h"
#include "casereel/maintenance.h"
#include "casereel/report.h"
#include "casereel/store.h"

/* Ten years either way: far enough for any expiry, near enough that no
 * millisecond count overflows. */
#define TEST_CLOCK_MAX_SECONDS (10.0 * 366 * 86400)

static json_t *clock_state(void)
{
	return json_pack("{s:I, s:I, s:I}", "now", (json_int_t)cr_now(), "now_ms",
			 (json_int_t)cr_now_ms(), "offset_ms", (json_int_t)cr_clock_offset_ms());
}

/* {"advance_seconds": N} moves the clock by N seconds (fractions allowed);
 * {"set": epoch_seconds} puts it there. Either one, not both. */
static void move_clock(struct cr_request *req, struct cr_response *res)
{
	json_t *advance = json_object_get(req->json, "advance_seconds");
	json_t *set = json_object_get(req->json, "set");
	if (!advance == !set) {
		http_invalid_field(res, advance ? "set" : "advance_seconds",
				   "give either advance_seconds or set (epoch seconds)");
		return;
	}
	const char *field = advance ? "advance_seconds" : "set";
	json_t *v = advance ? advance : set;
	double s = json_is_number(v) ? json_number_value(v) : NAN;
	double lo = advance ? -TEST_CLOCK_MAX_SECONDS : 0;
	double hi = advance ? TEST_CLOCK_MAX_SECONDS : (double)cr_now() + TEST_CLOCK_MAX_SECONDS;
	if (!(s >= lo && s <= hi)) {
		http_invalid_field(res, field, "%s must be a number of seconds within ten years",
				   field);
		return;
	}
	if (advance)
		cr_clock_advance((int64_t)llround(s * 1000));
	else
		cr_clock_set((int64_t)llround(s * 1000));
	http_json(res, 200, clock_state());
}

/* Runs one maintenance round (no stray scan) and answers when it is done. */
static void run_maintenance(struct cr_request *req, struct cr_response *res)
{
	maintenance_round(req->cfg, false);
	http_json(res, 200, clock_state());
}

/* Flushes impressions and rebuilds the catalogue from SQLite, as the main
 * loop does at most every CATALOG_REFRESH_MS, and answers when done. */
static void rebuild_catalog(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	impressions_flush();
	cr_err e = catalog_rebuild();
	if (e)
		http_error(res, e, "catalogue");
	else
		http_json(res, 200, clock_state());
}

/* {"count_to": N}: counts to N in SQL (N = 1e10 runs for minutes), under
 * the request's --query-timeout like any API request; {"count": N}. */
static void slow_query(struct cr_request *req, struct cr_response *res)
{
	json_t *n = json_object_get(req->json, "count_to");
	if (!json_is_integer(n) || json_integer_value(n) < 1) {
		http_invalid_field(res, "count_to", "count_to must be a positive integer");
		return;
	}
	int64_t count = 0;
	cr_err e = store_count_to(json_integer_value(n), &count);
	if (e)
		http_error(res, e, "slow query");
	else
		http_json(res, 200, json_pack("{s:I}", "count", (json_int_t)count));
}

/* {"count_to": N}: from now on every page a CSV export reads first counts
 * to N in SQL on the export's connection (0: no delay); {"count_to": N}. */
static void export_delay(struct cr_request *req, struct cr_response *res)
{
	json_t *n = json_object_get(req->json, "count_to");
	if (!json_is_integer(n) || json_integer_value(n) < 0) {
		http_invalid_field(res, "count_to", "count_to must be a whole number, 0 or more");
		return;
	}
	report_test_page_delay(json_integer_value(n));
	http_json(res, 200, json_pack("{s:I}", "count_to", json_integer_value(n)));
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/test/clock", CR_ROLE_NONE, CR_BODY_JSON, move_clock, NULL},
	{"POST", "/api/v1/test/maintenance", CR_ROLE_NONE, CR_BODY_NONE, run_maintenance, NULL},
	{"POST", "/api/v1/test/catalog", CR_ROLE_NONE, CR_BODY_NONE, rebuild_catalog, NULL},
	{"POST", "/api/v1/test/slow-query", CR_ROLE_NONE, CR_BODY_JSON, slow_query, NULL},
	{"POST", "/api/v1/test/export-delay", CR_ROLE_NONE, CR_BODY_JSON, export_delay, NULL},
};

cr_err api_test_hooks_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
