/* libmicrohttpd glue: per-request state lives from the first access
 * callback to the completed callback; routing, authentication and body
 * limits are settled before any body byte is read, so a refused request
 * never costs its upload. See include/casereel/http_server.h. */
#include "casereel/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "access_log.h"
#include "compress.h"
#include "cors.h"
#include "route_answer.h"
#include "casereel/app.h"
#include "casereel/auth.h"
#include "casereel/client_addr.h"
#include "casereel/clock.h"
#include "casereel/drain.h"
#include "casereel/integration_tokens.h"
#include "casereel/json_text.h"
#include "casereel/http.h"
#include "casereel/log.h"
#include "casereel/metrics.h"
#include "casereel/router.h"
#include "casereel/store.h"
#include "request_id.h"
#include "offload.h"
#include "stream_body.h"
#include "timers.h"
#include "tls.h"

struct http_server {
	struct MHD_Daemon *daemon;
	struct cr_app *app;
	struct client_trust proxies; /* --trusted-proxies */
	struct http_tls tls;         /* --tls-cert/--tls-key, held while the daemon runs */
};

struct req_ctx {
	uint64_t start_us;
	bool begun;    /* begin_request ran (the head has arrived) */
	bool bad_path; /* the raw path has %2F or %00, which decoding would hide */
	struct router_match match;
	enum router_result result;
	struct cr_request req;
	struct cr_response res;
	bool answered;    /* res is final; any further body bytes are discarded */
	bool queued;      /* the response went to MHD */
	bool streaming;   /* a CR_BODY_STREAM route's begin() accepted the request */
	bool finished;    /* ... and its finish() ran */
	bool deferred;    /* the handler called http_defer(): answered by another thread */
	bool suspended;   /* ... and the connection is parked until http_resume() */
	bool resumed;     /* ... and http_resume() was called: res is final */
	bool own_timeout; /* http_set_idle_timeout() changed the connection's */
	char *body;
	size_t body_len, body_cap, body_max;
	size_t bytes_out;
	char token[INTEGRATION_TOKEN_CHARS > AUTH_TOKEN_CHARS ? INTEGRATION_TOKEN_CHARS
							      : AUTH_TOKEN_CHARS];
	char ip[CLIENT_ADDR_CHARS];
	char request_id[REQUEST_ID_CHARS]; /* answered and logged; set with the head */
};

static void peer_ip(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, size, "unknown");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
			  (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)size);
}

#define MAX_FORWARD_HEADERS 8

/* A stop gives SQL running in requests (and workers) this long, then
 * stops it: well inside the 10 s a stop may take. */
#define STOP_QUERY_GRACE_MS 5000

struct header_values {
	const char *name;
	const char *values[MAX_FORWARD_HEADERS];
	size_t n;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *value)
{
	(void)kind;
	struct header_values *hv = cls;
	if (value && !strcasecmp(key, hv->name)) {
		if (hv->n == MAX_FORWARD_HEADERS) /* the rightmost lines are the proxies' */
			memmove(hv->values, hv->values + 1,
				(MAX_FORWARD_HEADERS - 1) * sizeof(char *));
		hv->values[hv->n < MAX_FORWARD_HEADERS ? hv->n++ : MAX_FORWARD_HEADERS - 1] = value;
	}
	return MHD_YES;
}

/* The client's address: the peer's, or the one a trusted proxy forwards. */
static void client_ip(const struct http_server *srv, struct MHD_Connection *conn, char *out,
		      size_t size)
{
	char peer[CLIENT_ADDR_CHARS];
	peer_ip(conn, peer, sizeof peer);
	if (!srv->proxies.n || !client_addr_trusted(&srv->proxies, peer)) {
		snprintf(out, size, "%s", peer);
		return;
	}
	struct header_values xff = {.name = "X-Forwarded-For"}, fwd = {.name = "Forwarded"};
	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &xff);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &fwd);
	client_addr_resolve(&srv->proxies, peer, xff.values, xff.n, fwd.values, fwd.n, out, size);
}

/* Reads "Authorization: Bearer <token>" into ctx->token; false if absent. */
static bool bearer_token(struct req_ctx *ctx)
{
	const char *h = MHD_lookup_connection_value(ctx->req.conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	size_t len = strlen(h);
	if (len == 0 || len >= sizeof ctx->token)
		return false;
	memcpy(ctx->token, h, len + 1);
	return true;
}

/* An integration token may call only the routes open to its scope. */
static bool authorize_integration(struct req_ctx *ctx)
{
	const char *scope = ctx->match.extra ? ctx->match.extra->scope : NULL;
	cr_err e = scope ? integration_token_check(ctx->token, scope, &ctx->req.integration_id)
			 : CR_EAUTH;
	if (e == CR_EAUTH && scope) {
		http_header(&ctx->res, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
			    "Bearer error=\"invalid_token\"");
		http_problem(&ctx->res, 401, "unauthorized",
			     "the integration token is unknown or revoked");
	} else if (e == CR_EAUTH) {
		http_problem(&ctx->res, 403, "forbidden",
			     "an integration token can only send service metrics");
	} else if (e) {
		http_problem(&ctx->res, 503, "unavailable",
			     "the database is not answering; try again");
	}
	return !e;
}

/* 401/403 unless the caller holds at least the route's role. */
static bool authorize(struct req_ctx *ctx)
{
	enum cr_role need = ctx->match.route->min_role;
	if (need == CR_ROLE_NONE)
		return true;
	if (!bearer_token(ctx)) {
		http_header(&ctx->res, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
		http_problem(&ctx->res, 401, "unauthorized",
			     "log in first: send Authorization: Bearer <token>");
		return false;
	}
	if (integration_token_shaped(ctx->token))
		return authorize_integration(ctx);
	cr_err e = auth_session_user(ctx->token, &ctx->req.user);
	if (e == CR_EAUTH) {
		http_header(&ctx->res, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
			    "Bearer error=\"invalid_token\"");
		http_problem(&ctx->res, 401, "unauthorized",
			     "the token is unknown, expired or revoked; log in again");
		return false;
	}
	if (e) {
		http_problem(&ctx->res, 503, "unavailable",
			     "the database is not answering; try again");
		return false;
	}
	ctx->req.token = ctx->token;
	if (ctx->req.user.role < need) {
		http_problem(&ctx->res, 403, "forbidden", "this needs the %s role",
			     user_role_name(need));
		return false;
	}
	if (ctx->req.user.must_change_password &&
	    !(ctx->match.extra && ctx->match.extra->before_password_change)) {
		http_problem(&ctx->res, 403, "password-change-required",
			     "choose a new password first: POST /api/v1/me/password");
		return false;
	}
	return true;
}

/* 429 with Retry-After when the caller has spent the route's write budget;
 * nothing of the request is read or stored then. */
static bool within_budget(struct req_ctx *ctx)
{
	static const char *const what[CR_RATE_KINDS] = {
		[CR_RATE_COMMENTS] = "comments",
		[CR_RATE_LIKES] = "likes",
		[CR_RATE_VIEWS] = "watch events",
		[CR_RATE_CHECKINS] = "check-ins",
		[CR_RATE_TIPS] = "tips",
		[CR_RATE_ORDERS] = "orders",
		[CR_RATE_PASSWORD] = "password changes",
	};
	enum cr_rate_kind kind = ctx->match.extra ? ctx->match.extra->rate : CR_RATE_NONE;
	if (kind <= CR_RATE_NONE || kind >= CR_RATE_KINDS || ctx->req.user.id == 0)
		return true;
	int wait = rate_limits_take(ctx->req.app->rates, ctx->req.user.id, kind,
				    ctx->req.cfg->rates[kind], cr_now_ms());
	if (!wait)
		return true;
	http_header(&ctx->res, MHD_HTTP_HEADER_RETRY_AFTER, "%d", wait);
	http_problem(&ctx->res, 429, "throttled", "too many %s; try again in %d seconds",
		     what[kind], wait);
	return false;
}

/* Size and type checks that need only the headers. */
static bool check_body_headers(struct req_ctx *ctx)
{
	const struct cr_route *rt = ctx->match.route;
	const struct cr_config *cfg = ctx->req.cfg;
	if (rt->body == CR_BODY_STREAM)
		return true; /* the stream's begin() checks its own headers */
	bool bulk = ctx->match.extra && ctx->match.extra->bulk;
	ctx->body_max = rt->body == CR_BODY_CSV || (rt->body == CR_BODY_JSON && bulk)
				? (size_t)cfg->import_body_max
			: rt->body == CR_BODY_JSON ? (size_t)cfg->json_body_max
						   : 0;
	const char *cl = MHD_lookup_connection_value(ctx->req.conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (rt->body != CR_BODY_NONE && cl) {
		char *end = NULL;
		unsigned long long n = strtoull(cl, &end, 10);
		if (end != cl && n > ctx->body_max) {
			http_problem(&ctx->res, 413, "too-large",
				     "the body is %llu bytes; the limit is %zu", n, ctx->body_max);
			return false;
		}
	}
	const char *want = rt->body == CR_BODY_JSON  ? "application/json"
			   : rt->body == CR_BODY_CSV ? "text/csv"
						     : NULL;
	if (want && !http_content_type_is(&ctx->req, want)) {
		http_problem(&ctx->res, 415, "unsupported-media-type", "send the body as %s", want);
		return false;
	}
	return true;
}

/* Routing, authentication and header checks. Leaves ctx->answered set when
 * the request is already decided. */
static void begin_request(struct http_server *srv, struct req_ctx *ctx, struct MHD_Connection *conn,
			  const char *url, const char *method)
{
	ctx->req.conn = conn;
	ctx->req.server_ctx = ctx;
	ctx->req.app = srv->app;
	ctx->req.cfg = srv->app->cfg;
	ctx->req.method = method;
	ctx->req.path = url;
	client_ip(srv, conn, ctx->ip, sizeof ctx->ip);
	ctx->req.client_ip = ctx->ip;
	request_id_pick(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, REQUEST_ID_HEADER),
			ctx->request_id);
	ctx->result = router_match(&srv->app->router, method, url, &ctx->match);
	route_method_override(&srv->app->router, &ctx->req, &ctx->match, &ctx->result);
	route_answer_headers(&ctx->match, &ctx->res);
	if (!ctx->bad_path && cors_preflight(&srv->app->router, &ctx->req, &ctx->res)) {
		ctx->answered = true; /* asks before the real request: no login */
		return;
	}
	if (ctx->bad_path) {
		ctx->result = ROUTER_NOT_FOUND; /* counted with the unrouted */
		http_problem(&ctx->res, 400, "bad-path",
			     "the path has an encoded slash (%%2F) or NUL (%%00); send the "
			     "segments as they are");
	} else if (ctx->result == ROUTER_NOT_FOUND) {
		http_problem(&ctx->res, 404, "not-found", "no such endpoint: %s %s", method, url);
	} else if (ctx->result == ROUTER_METHOD_NOT_ALLOWED) {
		http_header(&ctx->res, MHD_HTTP_HEADER_ALLOW, "%s", ctx->match.allow);
		http_problem(&ctx->res, 405, "method-not-allowed", "%s is not allowed here; use %s",
			     ctx->req.method, ctx->match.allow);
	} else if (authorize(ctx) && within_budget(ctx) && check_body_headers(ctx)) {
		for (size_t i = 0; i < ctx->match.nparams; i++)
			ctx->req.params[i] = ctx->match.params[i];
		ctx->req.nparams = ctx->match.nparams;
		if (ctx->match.route->body != CR_BODY_STREAM)
			return;
		ctx->streaming = true;
		if (ctx->match.route->stream->begin(&ctx->req, &ctx->res))
			return;
	}
	ctx->answered = true;
}

static void take_body(struct req_ctx *ctx, const char *data, size_t size)
{
	if (ctx->answered || ctx->match.route->body == CR_BODY_NONE)
		return;
	if (ctx->streaming) {
		if (!ctx->match.route->stream->chunk(&ctx->req, &ctx->res, data, size))
			ctx->answered = true;
		return;
	}
	if (size > ctx->body_max - ctx->body_len) {
		http_problem(&ctx->res, 413, "too-large", "the body is over the limit of %zu bytes",
			     ctx->body_max);
		ctx->answered = true;
		return;
	}
	if (ctx->body_len + size + 1 > ctx->body_cap) {
		size_t cap = ctx->body_cap ? ctx->body_cap : 4096;
		while (cap < ctx->body_len + size + 1)
			cap *= 2;
		char *nb = realloc(ctx->body, cap);
		if (!nb) {
			http_problem(&ctx->res, 503, "unavailable", "the server is out of memory");
			ctx->answered = true;
			return;
		}
		ctx->body = nb;
		ctx->body_cap = cap;
	}
	memcpy(ctx->body + ctx->body_len, data, size);
	ctx->body_len += size;
	ctx->body[ctx->body_len] = '\0';
}

static bool parse_json_body(struct req_ctx *ctx)
{
	if (ctx->body_len == 0) {
		http_problem(&ctx->res, 400, "malformed-json", "the body must be a JSON object");
		return false;
	}
	json_error_t err;
	json_t *j = json_loadb(ctx->body, ctx->body_len, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		http_problem(&ctx->res, 400, "malformed-json",
			     "malformed JSON at line %d column %d: %s", err.line, err.column,
			     err.text);
		return false;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		http_problem(&ctx->res, 400, "malformed-json", "the body must be a JSON object");
		return false;
	}
	ctx->req.json = j;
	return true;
}

/* The request's SQL time budget (ms): --query-timeout, or the long one for
 * imports, the impact report (routes marked long_queries), CSV exports and
 * streamed bodies (uploads). */
static int query_budget_ms(const struct req_ctx *ctx)
{
	const struct cr_config *cfg = ctx->req.cfg;
	const char *format = http_query(&ctx->req, "format");
	/* an upload's finish may follow a long body: its SQL gets the long budget too */
	bool long_queries = (ctx->match.extra && ctx->match.extra->long_queries) ||
			    (format && !strcmp(format, "csv")) || ctx->streaming;
	return (long_queries ? cfg->query_timeout_long : cfg->query_timeout) * 1000;
}

static void run_handler(struct req_ctx *ctx)
{
	const struct cr_route *rt = ctx->match.route;
	int budget = query_budget_ms(ctx);
	store_deadline_start(budget);
	if (ctx->streaming) {
		rt->stream->finish(&ctx->req, &ctx->res);
		ctx->finished = true;
	} else if (rt->body == CR_BODY_JSON && !parse_json_body(ctx)) {
		return;
	} else {
		ctx->req.body = ctx->body ? ctx->body : "";
		ctx->req.body_len = ctx->body_len;
		rt->handler(&ctx->req, &ctx->res);
	}
	bool expired = store_deadline_end();
	/* a handler must never leave a transaction open on the thread's connection */
	store_rollback();
	if (expired && !ctx->deferred) {
		http_header(&ctx->res, "Retry-After", "%d", budget / 1000 + 1);
		http_problem(&ctx->res, 503, "query-timeout",
			     "the request's database work took longer than its %d ms budget and "
			     "was stopped; what it was writing was rolled back",
			     budget);
	}
}

/* A 500 for a handler that left the response empty. */
static void check_answered(struct req_ctx *ctx)
{
	if (ctx->res.status == 0) {
		log_error("handler for %s %s answered nothing", ctx->match.route->method,
			  ctx->match.route->pattern);
		http_problem(&ctx->res, 500, "internal", "the server failed to answer");
	}
}

/* --- deferred answers ----------------------------------------------------
 * The lock orders "park" before "resume": MHD forbids resuming a
 * connection that is not suspended, and the other thread may finish
 * before the handler's thread gets to park the connection. */
static pthread_mutex_t defer_mu = PTHREAD_MUTEX_INITIALIZER;

void http_defer(struct cr_request *req)
{
	struct req_ctx *ctx = req->server_ctx;
	ctx->deferred = true;
}

void http_set_idle_timeout(struct cr_request *req, unsigned seconds)
{
	struct req_ctx *ctx = req->server_ctx;
	ctx->own_timeout = true;
	MHD_set_connection_option(req->conn, MHD_CONNECTION_OPTION_TIMEOUT, seconds);
}

void http_resume(struct cr_request *req)
{
	struct req_ctx *ctx = req->server_ctx;
	pthread_mutex_lock(&defer_mu);
	ctx->resumed = true;
	if (ctx->suspended)
		MHD_resume_connection(ctx->req.conn);
	pthread_mutex_unlock(&defer_mu);
}

/* For a deferred request: true once its answer is ready; otherwise parks
 * the connection (MHD calls on_request again after http_resume). */
static bool deferred_answer_ready(struct req_ctx *ctx)
{
	pthread_mutex_lock(&defer_mu);
	bool ready = ctx->resumed;
	if (!ready && !ctx->suspended) {
		MHD_suspend_connection(ctx->req.conn);
		ctx->suspended = true;
	}
	pthread_mutex_unlock(&defer_mu);
	return ready;
}

/* The router index the metrics file a request under. */
static size_t route_index(const struct req_ctx *ctx)
{
	return ctx->result == ROUTER_FOUND ? ctx->match.index : ROUTER_MAX_ROUTES;
}

static enum MHD_Result send_response(struct req_ctx *ctx)
{
	struct cr_response *res = &ctx->res;
	struct MHD_Response *r;
	const char *type = NULL;
	compress_answer(&ctx->req, res); /* gzip for JSON and text, when taken */
	if (res->json) {
		char *text = json_text(res->json, &ctx->bytes_out); /* json_dumps' bytes, cheaper */
		if (!text)
			return MHD_NO;
		r = MHD_create_response_from_buffer(ctx->bytes_out, text, MHD_RESPMEM_MUST_FREE);
		type = res->is_problem ? "application/problem+json" : "application/json";
		if (!r)
			free(text);
	} else if (res->stream) {
		/* MHD releases the stream when the response is destroyed */
		r = stream_body_response(&res->stream, &ctx->bytes_out, ctx->req.conn);
		type = res->content_type;
	} else if (res->fd > 0) {
		ctx->bytes_out = res->file_length;
		r = MHD_create_response_from_fd_at_offset64(res->file_length, res->fd,
							    res->file_offset);
		if (r)
			res->fd = 0; /* MHD closes it when the response is destroyed */
		type = res->content_type;
	} else {
		ctx->bytes_out = res->text_len;
		r = MHD_create_response_from_buffer(
			res->text_len, res->text ? res->text : (char *)"",
			res->text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		if (r)
			res->text = NULL; /* MHD owns it now */
		type = res->content_type;
	}
	if (!r)
		return MHD_NO;
	if (type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	bool cache_set = false;
	for (size_t i = 0; i < res->nheaders; i++) {
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
		cache_set |= !strcasecmp(res->headers[i].name, MHD_HTTP_HEADER_CACHE_CONTROL);
	}
	if (!cache_set) /* API answers are personal: no cache may keep them */
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, REQUEST_ID_HEADER, ctx->request_id);
	cors_headers(&ctx->req, r);
	if (drain_active()) /* keep-alive clients reconnect, to a server that is staying */
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ok = MHD_queue_response(ctx->req.conn, res->status, r);
	MHD_destroy_response(r);
	ctx->queued = true;
	metrics_count(route_index(ctx), res->status);
	return ok;
}

/* Bodies up to this size are read and dropped before a refusal is sent:
 * most HTTP clients (browsers' fetch among them) cannot read an answer
 * that arrives while they are still sending. */
#define DRAIN_MAX (16u << 20)

/* Whether a refusal should go out now, before the body is read: when the
 * client waits for "100 Continue" (it has sent nothing yet), or when the
 * body is too large or of unknown size to be worth reading. */
static bool refuse_before_body(struct MHD_Connection *conn)
{
	const char *cl =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_TRANSFER_ENCODING);
	const char *expect =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
	if (!te && (!cl || strcmp(cl, "0") == 0))
		return false; /* no body: answer on the next call, keep the connection */
	if (expect && !strcasecmp(expect, "100-continue"))
		return true;
	char *end = NULL;
	unsigned long long n = cl ? strtoull(cl, &end, 10) : 0;
	return te || !cl || end == cl || n > DRAIN_MAX;
}

static struct hdl_conn *socket_watch(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* True when the raw path (before the query) holds %2F or %00: decoded, they
 * would move segment boundaries or cut the path before routing sees it. */
static bool raw_path_hides_bytes(const char *uri)
{
	for (const char *p = uri; *p && *p != '?'; p++)
		if (p[0] == '%' &&
		    ((p[1] == '0' && p[2] == '0') || (p[1] == '2' && (p[2] == 'F' || p[2] == 'f'))))
			return true;
	return false;
}

/* The first callback of a request, with the URI as sent: allocates the
 * request's state (freed in on_completed). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)conn;
	(void)cls;
	struct req_ctx *ctx = calloc(1, sizeof *ctx);
	if (!ctx)
		return NULL;
	drain_request_begin();
	ctx->start_us = timers_mono_us();
	ctx->result = ROUTER_NOT_FOUND; /* until routed */
	ctx->bad_path = raw_path_hides_bytes(uri);
	return ctx;
}

static enum MHD_Result serve_request(struct http_server *srv, struct MHD_Connection *conn,
				     const char *url, const char *method, const char *upload_data,
				     size_t *upload_data_size, struct req_ctx *ctx)
{
	if (!ctx->begun) {
		ctx->begun = true;
		timers_head_arrived(socket_watch(conn));
		begin_request(srv, ctx, conn, url, method);
		/* Refused early, MHD closes the connection instead of reading an
		 * upload nobody wants; otherwise the refusal waits for the end of
		 * the (dropped) body. */
		return ctx->answered && refuse_before_body(conn) ? send_response(ctx) : MHD_YES;
	}
	if (*upload_data_size) {
		take_body(ctx, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (ctx->queued)
		return MHD_YES;
	if (!ctx->answered && !ctx->deferred)
		run_handler(ctx);
	if (ctx->deferred && !deferred_answer_ready(ctx))
		return MHD_YES;
	if (!ctx->answered)
		check_answered(ctx);
	return send_response(ctx);
}

/* Every line logged while serving a request carries its id. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct req_ctx *ctx = *con_cls;
	if (!ctx)
		return MHD_NO; /* on_uri could not allocate */
	log_set_request_id(ctx->request_id);
	enum MHD_Result r =
		serve_request(cls, conn, url, method, upload_data, upload_data_size, ctx);
	log_set_request_id(NULL);
	return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct req_ctx *ctx = *con_cls;
	if (!ctx)
		return;
	timers_request_done(socket_watch(conn));
	if (ctx->own_timeout) /* the next request on this connection gets the usual one */
		MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
					  (unsigned)srv->app->cfg->connection_timeout);
	uint64_t us = timers_mono_us() - ctx->start_us;
	unsigned status = ctx->queued ? ctx->res.status : 499; /* 499: client went away */
	if (!ctx->queued)
		metrics_count(route_index(ctx), status);
	metrics_time(route_index(ctx), us);
	log_set_request_id(ctx->request_id);
	if (srv->app->cfg->access_log && ctx->begun)
		access_log_write(&(struct access_entry){
			.method = ctx->req.method,
			.path = ctx->req.path,
			.client = ctx->ip,
			.status = status,
			.bytes = ctx->bytes_out,
			.us = us,
			.user_id = ctx->req.user.id,
			.aborted = toe != MHD_REQUEST_TERMINATED_COMPLETED_OK});
	if (ctx->streaming)
		ctx->match.route->stream->release(&ctx->req, ctx->finished);
	json_decref(ctx->req.json);
	http_response_clear(&ctx->res);
	free(ctx->body);
	log_set_request_id(NULL);
	free(ctx);
	*con_cls = NULL;
	drain_request_end();
}

/* Unsent bytes a socket may hold before it stops being writable. Without
 * a limit libmicrohttpd tops the send buffer up in slivers as soon as any
 * room frees (it sends 128 KiB sendfile pieces while the socket stays
 * writable); with it, a socket sleeps until the kernel drained it to 16 KiB
 * and is then filled in one go. Measured on 1 MiB ranges: 1.6x the
 * throughput, and less buffered (stale) data per phone. */
#define NOTSENT_LOWAT (16 * 1024)

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		timers_forget((struct hdl_conn **)socket_ctx);
		return;
	}
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return;
	int lowat = NOTSENT_LOWAT;
	/* best effort: an old kernel without the option still serves */
	setsockopt(ci->connect_fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
	*socket_ctx = timers_watch(ci->connect_fd);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warn("http: %s", msg);
}

static bool parse_bind(const struct cr_config *cfg, struct sockaddr_storage *ss, bool *ipv6)
{
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, cfg->bind, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)cfg->port);
		*ipv6 = false;
		return true;
	}
	if (inet_pton(AF_INET6, cfg->bind, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)cfg->port);
		*ipv6 = true;
		return true;
	}
	return false;
}

cr_err http_server_start(struct cr_app *app, struct http_server **out, int *port_out)
{
	const struct cr_config *cfg = app->cfg;
	struct sockaddr_storage addr;
	bool ipv6;
	if (!parse_bind(cfg, &addr, &ipv6)) {
		log_error("--bind %s is not an IPv4 or IPv6 address", cfg->bind);
		return CR_EINVAL;
	}
	struct http_server *srv = calloc(1, sizeof *srv);
	if (!srv)
		return CR_ENOMEM;
	srv->app = app;
	char err[256];
	if (client_addr_parse_trust(cfg->trusted_proxies, &srv->proxies, err, sizeof err)) {
		log_error("%s", err);
		free(srv);
		return CR_EINVAL;
	}
	cr_err tls_rc = http_tls_load(cfg, &srv->tls, err, sizeof err);
	if (tls_rc) {
		log_error("%s", err);
		free(srv);
		return tls_rc;
	}
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (timers_start((unsigned)cfg->header_timeout)) {
		http_tls_free(&srv->tls);
		free(srv);
		return CR_ENOMEM;
	}
	/* two per core: argon2id is memory-bound, more at once only thrash */
	if (offload_start(cores > 0 ? 2 * (unsigned)cores : 2)) {
		timers_stop();
		http_tls_free(&srv->tls);
		free(srv);
		return CR_ENOMEM;
	}
	/* Handlers block (SQLite, argon2id at login; points writes waiting for
	 * their group commit are parked, not blocking), so the pool is larger
	 * than the core count: 4 per core measured best for /me and /feed on
	 * 2 cores. */
	unsigned threads = cfg->http_threads > 0 ? (unsigned)cfg->http_threads
			   : cores > 2           ? 4 * (unsigned)cores
						 : 8;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME |
			 (ipv6 ? MHD_USE_IPv6 : 0) | srv->tls.flags;
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
		NULL, /* first, so it catches everything */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
		threads, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_ARRAY, srv->tls.opts,
		/* no ADDRESS_REUSE: MHD's default SO_REUSEADDR lets a restart bind at
		 * once, while a second server on a taken port fails instead of
		 * sharing it (SO_REUSEPORT) with the first */
		MHD_OPTION_END);
	if (!srv->daemon) {
		log_error("cannot listen on %s:%d%s", cfg->bind, cfg->port,
			  srv->tls.flags ? " (or --tls-key is not the key of --tls-cert)" : "");
		offload_stop();
		timers_stop();
		http_tls_free(&srv->tls);
		free(srv);
		return CR_EIO;
	}
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	*port_out = info ? info->port : cfg->port;
	*out = srv;
	return CR_OK;
}

void http_server_stop(struct http_server **srvp, int drain_ms)
{
	struct http_server *srv = *srvp;
	if (!srv)
		return;
	/* still listening while it drains: /readyz tells the balancer, and a
	 * request that arrives meanwhile is served rather than refused */
	drain_start();
	/* SQL still running after the grace is stopped (its request answers
	 * 503), so a slow query cannot hold the stop for the whole drain */
	store_stop_queries(STOP_QUERY_GRACE_MS);
	/* an export may run for minutes: it gets the queries' grace, then is cut */
	int left = drain_wait(drain_ms, STOP_QUERY_GRACE_MS);
	MHD_socket lfd = MHD_quiesce_daemon(srv->daemon);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	if (left > 0)
		log_warn("%s: closing %d request(s) still in flight",
			 drain_was_cut() ? "drain cut short" : "drain timeout", left);
	offload_stop();             /* queued CPU-bound work answers 503 */
	timers_stop();              /* held answers go out now */
	store_interrupt_requests(); /* what still runs in a handler stops now */
	MHD_stop_daemon(srv->daemon);
	store_stop_queries(-1); /* the shutdown's own flushes run to their end */
	http_tls_free(&srv->tls);
	free(srv);
	*srvp = NULL;
}
