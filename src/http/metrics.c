/* Prometheus metrics: requests by route and status, a latency histogram,
 * database errors and uptime. See include/casereel/metrics.h. */
#include "casereel/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/store.h"

/* Statuses tracked one by one; anything else lands in its class ("4xx"). */
static const unsigned tracked_status[] = {200, 201, 202, 204, 206, 304, 400, 401, 403, 404,
					  405, 409, 413, 415, 416, 422, 423, 429, 500, 503};
#define NSTATUS (sizeof tracked_status / sizeof tracked_status[0])
#define NCLASS  5 /* 1xx..5xx for untracked codes */
#define NSLOT   (NSTATUS + NCLASS)

static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				   0.1,    0.25,  0.5,    1,     2.5,  10};
#define NBUCKET (sizeof bucket_le / sizeof bucket_le[0])

static atomic_uint_fast64_t requests[ROUTER_MAX_ROUTES + 1][NSLOT];
static atomic_uint_fast64_t buckets[NBUCKET + 1]; /* last one is +Inf */
static atomic_uint_fast64_t latency_sum_us;
static time_t started;

void metrics_start(void)
{
	started = cr_now();
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

void metrics_time(uint64_t micros)
{
	size_t b = 0;
	while (b < NBUCKET && (double)micros / 1e6 > bucket_le[b])
		b++;
	atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&latency_sum_us, micros, memory_order_relaxed);
}

/* A bounded growable text buffer: the output stays well under 1 MiB. */
struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

#define TEXT_MAX (1u << 20)

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	if (t->failed)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if (t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = t->cap * 2;
		char *nb = cap <= TEXT_MAX ? realloc(t->buf, cap) : NULL;
		if (!nb) {
			t->failed = true;
			return;
		}
		t->buf = nb;
		t->cap = cap;
	}
}

static void status_label(size_t slot, char *out, size_t size)
{
	if (slot < NSTATUS)
		snprintf(out, size, "%u", tracked_status[slot]);
	else
		snprintf(out, size, "%zuxx", slot - NSTATUS + 1);
}

static void render_requests(struct text *t, const struct router *r)
{
	put(t, "# HELP casereel_http_requests_total HTTP requests by route and status.\n"
	       "# TYPE casereel_http_requests_total counter\n");
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
			put(t,
			    "casereel_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"}"
			    " %llu\n",
			    method, pattern, status, (unsigned long long)n);
		}
	}
}

static void render_latency(struct text *t)
{
	put(t, "# HELP casereel_http_request_duration_seconds Time from request start to response "
	       "completion.\n"
	       "# TYPE casereel_http_request_duration_seconds histogram\n");
	uint64_t cumulative = 0;
	for (size_t b = 0; b <= NBUCKET; b++) {
		cumulative += atomic_load_explicit(&buckets[b], memory_order_relaxed);
		if (b < NBUCKET)
			put(t, "casereel_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			    bucket_le[b], (unsigned long long)cumulative);
		else
			put(t, "casereel_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
			    (unsigned long long)cumulative);
	}
	put(t,
	    "casereel_http_request_duration_seconds_sum %.6f\n"
	    "casereel_http_request_duration_seconds_count %llu\n",
	    (double)atomic_load(&latency_sum_us) / 1e6, (unsigned long long)cumulative);
}

char *metrics_render(const struct router *r, size_t *len)
{
	struct text t = {.buf = malloc(8192), .cap = 8192};
	if (!t.buf)
		return NULL;
	t.buf[0] = '\0';
	render_requests(&t, r);
	render_latency(&t);
	put(&t,
	    "# HELP casereel_db_errors_total Database errors.\n"
	    "# TYPE casereel_db_errors_total counter\n"
	    "casereel_db_errors_total %llu\n"
	    "# HELP casereel_uptime_seconds Seconds since the server started.\n"
	    "# TYPE casereel_uptime_seconds gauge\n"
	    "casereel_uptime_seconds %lld\n",
	    (unsigned long long)store_error_count(), (long long)(cr_now() - started));
	if (t.failed) {
		free(t.buf);
		return NULL;
	}
	*len = t.len;
	return t.buf;
}
