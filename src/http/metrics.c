/* Prometheus metrics of the HTTP layer: requests by route and status,
 * latency overall and by route, requests in flight; the operator families
 * (jobs, transcodes, uploads, media, disk, SQLite, process) come from
 * metrics_ops.c. See include/casereel/metrics.h. */
#include "casereel/metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/clock.h"
#include "casereel/drain.h"
#include "casereel/histogram.h"
#include "casereel/store.h"
#include "casereel/text_buf.h"
#include "metrics_text.h"

/* Statuses tracked one by one; anything else lands in its class ("4xx"). */
static const unsigned tracked_status[] = {200, 201, 202, 204, 206, 304, 400, 401, 403, 404,
					  405, 409, 413, 415, 416, 422, 423, 429, 500, 503};
#define NSTATUS (sizeof tracked_status / sizeof tracked_status[0])
#define NCLASS  5 /* 1xx..5xx for untracked codes */
#define NSLOT   (NSTATUS + NCLASS)

static const double latency_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				    0.1,    0.25,  0.5,    1,     2.5,  10};
#define NBUCKET (sizeof latency_le / sizeof latency_le[0])

static atomic_uint_fast64_t requests[ROUTER_MAX_ROUTES + 1][NSLOT];
static struct histogram latency = {.le = latency_le, .n = NBUCKET};
/* by router index; [ROUTER_MAX_ROUTES] holds the requests that matched none */
static struct histogram route_latency[ROUTER_MAX_ROUTES + 1];
static int64_t started;

#define METRICS_MAX (1u << 20)

void metrics_start(void)
{
	started = cr_now();
	for (size_t i = 0; i <= ROUTER_MAX_ROUTES; i++)
		route_latency[i] = (struct histogram){.le = latency_le, .n = NBUCKET};
}

static size_t status_slot(unsigned status)
{
	for (size_t i = 0; i < NSTATUS; i++)
		if (tracked_status[i] == status)
			return i;
	unsigned cls = status / 100;
	return NSTATUS + (cls >= 1 && cls <= 5 ? cls - 1 : 4);
}

void metrics_count(size_t route_index, unsigned status)
{
	if (route_index > ROUTER_MAX_ROUTES)
		route_index = ROUTER_MAX_ROUTES;
	atomic_fetch_add_explicit(&requests[route_index][status_slot(status)], 1,
				  memory_order_relaxed);
}

void metrics_time(size_t route_index, uint64_t micros)
{
	if (route_index > ROUTER_MAX_ROUTES)
		route_index = ROUTER_MAX_ROUTES;
	histogram_observe(&latency, micros);
	histogram_observe(&route_latency[route_index], micros);
}

static void status_label(size_t slot, char *out, size_t size)
{
	if (slot < NSTATUS)
		snprintf(out, size, "%u", tracked_status[slot]);
	else
		snprintf(out, size, "%zuxx", slot - NSTATUS + 1);
}

static void render_requests(struct text_buf *b, const struct router *r)
{
	metrics_family(b, "casereel_http_requests_total", "counter",
		       "HTTP requests by route and status.");
	for (size_t i = 0; i <= r->count; i++) {
		size_t idx = i < r->count ? i : ROUTER_MAX_ROUTES;
		const char *method = i < r->count ? r->routes[i]->method : "";
		const char *pattern = i < r->count ? r->routes[i]->pattern : "unmatched";
		for (size_t s = 0; s < NSLOT; s++) {
			uint64_t n = atomic_load_explicit(&requests[idx][s], memory_order_relaxed);
			if (!n)
				continue;
			char status[8];
			status_label(s, status, sizeof status);
			tb_puts(b, "casereel_http_requests_total{method=");
			metrics_label_value(b, method);
			tb_puts(b, ",route=");
			metrics_label_value(b, pattern);
			tb_printf(b, ",status=\"%s\"} %llu\n", status, (unsigned long long)n);
		}
	}
}

/* One histogram per route pattern that has served a request (route="none"
 * for requests that matched no route): never the raw path, so the series
 * stay as few as the routes. */
static void render_route_latency(struct text_buf *b, const struct router *r)
{
	metrics_family(b, "casereel_http_route_duration_seconds", "histogram",
		       "Time from request start to response completion, by route pattern.");
	for (size_t i = 0; i <= r->count; i++) {
		size_t idx = i < r->count ? i : ROUTER_MAX_ROUTES;
		struct histogram_read seen;
		histogram_read(&route_latency[idx], &seen);
		if (!seen.count)
			continue;
		struct text_buf labels = {.max = 4096};
		tb_puts(&labels, "method=");
		metrics_label_value(&labels, i < r->count ? r->routes[i]->method : "none");
		tb_puts(&labels, ",route=");
		metrics_label_value(&labels, i < r->count ? r->routes[i]->pattern : "none");
		size_t len = 0;
		char *text = tb_take(&labels, &len);
		if (text)
			metrics_histogram(b, "casereel_http_route_duration_seconds", text,
					  &route_latency[idx]);
		free(text);
	}
}

char *metrics_render(const struct router *r, const struct cr_config *cfg, size_t *len)
{
	struct text_buf b = {.max = METRICS_MAX};
	render_requests(&b, r);
	metrics_family(&b, "casereel_http_request_duration_seconds", "histogram",
		       "Time from request start to response completion.");
	metrics_histogram(&b, "casereel_http_request_duration_seconds", "", &latency);
	render_route_latency(&b, r);
	metrics_family(&b, "casereel_http_requests_in_flight", "gauge",
		       "Requests begun and not yet completed.");
	tb_printf(&b, "casereel_http_requests_in_flight %d\n", drain_in_flight());
	metrics_family(&b, "casereel_draining", "gauge",
		       "1 while the server drains before it stops, else 0.");
	tb_printf(&b, "casereel_draining %d\n", drain_active() ? 1 : 0);
	metrics_family(&b, "casereel_db_errors_total", "counter", "Database errors.");
	tb_printf(&b, "casereel_db_errors_total %llu\n", (unsigned long long)store_error_count());
	metrics_family(&b, "casereel_uptime_seconds", "gauge", "Seconds since the server started.");
	tb_printf(&b, "casereel_uptime_seconds %lld\n", (long long)(cr_now() - started));
	metrics_ops_render(&b, cfg, started);
	return tb_take(&b, len);
}
