/* The HTTP contract between the server glue and the API handlers: what a
 * handler sees of a request, how it answers, and how routes are declared. */
#ifndef CASEREEL_HTTP_H
#define CASEREEL_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/config.h"
#include "casereel/user.h"
#include "casereel/error.h"

struct MHD_Connection;
struct cr_app;

/* What body a route accepts. JSON and CSV bodies are collected by the glue
 * (size and content type enforced); STREAM bodies go chunk by chunk to the
 * route's cr_stream_ops and are never held whole in memory. */
enum cr_body { CR_BODY_NONE = 0, CR_BODY_JSON, CR_BODY_CSV, CR_BODY_STREAM };

#define CR_MAX_PATH_PARAMS 5

struct cr_request {
	struct MHD_Connection *conn;
	struct cr_app *app;          /* shared services: config, router, throttles */
	const struct cr_config *cfg; /* == app->cfg */
	const char *method;
	const char *path;
	const char *params[CR_MAX_PATH_PARAMS]; /* path parameters, pattern order */
	size_t nparams;
	json_t *json;     /* CR_BODY_JSON routes: the body, always an object */
	const char *body; /* CSV and JSON routes: the raw bytes (NUL-terminated) */
	size_t body_len;
	struct cr_user user;    /* the caller; role CR_ROLE_NONE when anonymous */
	const char *token;      /* the caller's bearer token, NULL when anonymous */
	int64_t integration_id; /* the integration token calling (user is then NONE), or 0 */
	const char *client_ip;  /* the client's address: the peer's, or behind a
				 * --trusted-proxies peer the one it forwards */
	void *stream;           /* CR_BODY_STREAM routes: the handler's own state */
	void *server_ctx;       /* private to src/http_server.c */
};

#define CR_MAX_EXTRA_HEADERS 12

struct cr_response {
	unsigned status;
	json_t *json; /* owned; sent as application/json (or problem+json) */
	char *text;   /* owned malloc'd body when json is NULL */
	size_t text_len;
	const char *content_type; /* for text and file bodies; static string */
	int fd;                   /* owned file for file bodies, sent with sendfile; 0 = none */
	uint64_t file_offset, file_length;
	bool is_problem;
	/* a body made piece by piece as it is sent (http_stream); owned */
	struct cr_stream *stream;
	struct {
		const char *name; /* static string */
		char value[512];  /* room for a CSP naming a media origin thrice */
	} headers[CR_MAX_EXTRA_HEADERS];
	size_t nheaders;
};

typedef void (*cr_handler_fn)(struct cr_request *req, struct cr_response *res);

/* What a few routes need beyond struct cr_route (router_add_extra). */
struct cr_route_extra {
	const char *scope; /* an integration token with this scope may call the route too */
	bool bulk;         /* a JSON body may be as large as --import-body-max */
	/* each call spends one of the caller's writes of this kind (--rate-*);
	 * over budget it is a 429 with Retry-After before the handler runs */
	enum cr_rate_kind rate;
	/* open to a user who must change their password first; every other
	 * route answers them 403 password-change-required */
	bool before_password_change;
	/* a header (static name and value) on every answer of the route, the
	 * glue's own refusals (401, 403, 405, 429) included: Tus-Resumable */
	const char *answer_header, *answer_value;
	/* a POST naming another method in X-HTTP-Method-Override is served as
	 * that method: routed, authorized and read exactly as if sent with it
	 * (tus, for clients behind proxies that pass only GET and POST) */
	bool method_override;
	/* the route's SQL runs under --query-timeout-long instead of
	 * --query-timeout: imports and the impact report (so do CSV exports) */
	bool long_queries;
};

/* Callbacks of a CR_BODY_STREAM route, called in this order on one thread
 * at a time: begin (headers only), chunk per piece of body, finish when the
 * body is complete, then release always, last. begin and chunk return false
 * after answering (res) to refuse; the rest of the body is then discarded. */
struct cr_stream_ops {
	bool (*begin)(struct cr_request *req, struct cr_response *res);
	bool (*chunk)(struct cr_request *req, struct cr_response *res, const char *data,
		      size_t size);
	void (*finish)(struct cr_request *req, struct cr_response *res);
	/* finished is false when the connection ended before the body did:
	 * the place to keep (or drop) what arrived. Frees req->stream. */
	void (*release)(struct cr_request *req, bool finished);
};

struct cr_route {
	const char *method;
	const char *pattern; /* "/api/v1/users/{id}": {x} matches one non-empty segment */
	enum cr_role min_role;
	enum cr_body body;
	cr_handler_fn handler;              /* every body kind but STREAM */
	const struct cr_stream_ops *stream; /* CR_BODY_STREAM only */
};

/* --- answering (src/response.c) ---------------------------------------- */

/* Answers `status` with the JSON `body`, taking ownership of it. A NULL body
 * (a failed jansson allocation) becomes a 500 problem. */
void http_json(struct cr_response *res, unsigned status, json_t *body);

/* Answers with `length` bytes of the open file `fd` from `offset`, sent by
 * the kernel (sendfile). Takes ownership of fd (> 0). Headers added by the
 * handler (ETag, Content-Range, Cache-Control) go out with it. */
void http_file(struct cr_response *res, unsigned status, const char *content_type, int fd,
	       uint64_t offset, uint64_t length);

/* A body made while it is sent: fill writes the next at most `max` bytes
 * of it to buf and returns how many, 0 at its end (-1 on failure: the
 * connection is cut, the client sees a short body). It is called after the
 * handler returned, on the server's thread, so ctx must own everything it
 * reads (no store statements). release(ctx) is called once, always, when
 * the body is done with (sent, cut, or replaced by another answer). */
struct cr_stream {
	long (*fill)(void *ctx, char *buf, size_t max);
	void (*release)(void *ctx);
	void *ctx;
};

/* Answers with a body of unknown length sent as fill makes it (chunked);
 * copies *stream. When the answer cannot be set up (out of memory) it is a
 * 500 and release(ctx) has been called. */
void http_stream(struct cr_response *res, unsigned status, const char *content_type,
		 const struct cr_stream *stream);

/* Answers 204 No Content. */
void http_no_content(struct cr_response *res);

/* Answers with an owned malloc'd text body of `len` bytes. */
void http_text(struct cr_response *res, unsigned status, const char *content_type, char *text,
	       size_t len);

/* Answers an RFC 9457 problem: `type` is a short slug ("invalid-field")
 * turned into "<public url>/problems/<slug>" (see http_problem_base_set),
 * the title comes from the status, and `detail` is for a person. Every
 * slug is described in docs/openapi.yaml (x-problem-types) and served as
 * a page at GET /problems/<slug>. */
void http_problem(struct cr_response *res, unsigned status, const char *type,
		  const char *detail_fmt, ...) __attribute__((format(printf, 4, 5)));

/* Makes problem types absolute: "<base>/problems/<slug>" from now on
 * (before the call they are "/problems/<slug>"). The first call wins;
 * `base` ("https://reel.example.com") is copied, at most
 * CR_PUBLIC_URL_MAX - 1 bytes. Safe while other threads answer. */
void http_problem_base_set(const char *base);

/* Writes the type URI of `slug` ("<base>/problems/<slug>") into `out`. */
void http_problem_type_uri(const char *slug, char *out, size_t size);

/* 422 naming the offending field in both `detail` and a "field" member. */
void http_invalid_field(struct cr_response *res, const char *field, const char *detail_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Answers for a failed domain call: CR_ENOTFOUND → 404, CR_ECONFLICT → 409,
 * CR_EINVAL → 422, CR_ETOOBIG → 413, CR_ETHROTTLED → 429, CR_EAUTH → 401,
 * CR_EFUNDS → 409, CR_EFORBIDDEN → 403, anything else → 500. `what` names
 * the thing ("user", "team") in the detail. Same as http_fail(res, err,
 * NULL, what). */
void http_error(struct cr_response *res, int err, const char *what);

/* Answers a failed domain call with code `err`: with the refusal `why`
 * when it explains err (its type, field and detail; the status from the
 * code as in http_error), else with the code's default problem naming
 * `what`. The one way a domain refusal becomes a response. */
void http_fail(struct cr_response *res, cr_err err, const struct cr_problem *why, const char *what);

/* Sets a response header (again: the new value replaces the old); `name`
 * must be a static string. Headers past CR_MAX_EXTRA_HEADERS are dropped. */
void http_header(struct cr_response *res, const char *name, const char *value_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Frees what `res` owns and resets it. */
void http_response_clear(struct cr_response *res);

/* --- answering later (src/http_server.c) ------------------------------- */

/* A handler that hands its request to another thread calls http_defer()
 * and returns without answering: the connection is parked and the HTTP
 * thread serves others meanwhile. The other thread fills the response and
 * calls http_resume() exactly once; the answer then goes out. The request
 * and response stay valid until then. */
void http_defer(struct cr_request *req);
void http_resume(struct cr_request *req);

/* Sends the response the handler has just filled only `ms` milliseconds
 * from now (0: at once), parking the connection meanwhile so no HTTP
 * thread waits: the login backoff, which must slow an answer without
 * refusing it. Call last, after the response is complete
 * (src/http/timers.c). */
bool http_hold(struct cr_request *req, unsigned ms); /* false: answered at once */

/* Runs fn on one of a few workers (two per core) instead of on the HTTP
 * thread: for handlers that spend tens of milliseconds of CPU (argon2id at
 * login). A rush of them then queues, parked, for the workers, and other
 * requests keep the HTTP threads. fn fills `res` and returns how long to
 * hold the answer (ms, as http_hold; 0: at once). At a stop, jobs not
 * started answer 503. The handler returns right after calling it. */
typedef unsigned (*http_offload_fn)(struct cr_request *req, struct cr_response *res);
void http_offload(struct cr_request *req, struct cr_response *res, http_offload_fn fn);

/* --- the connection (src/http_server.c) -------------------------------- */

/* Closes the request's connection after `seconds` without a byte from the
 * client, instead of after --connection-timeout, until this request ends:
 * for bodies whose stalls should end sooner (a tus PATCH holds its
 * upload's lock meanwhile). */
void http_set_idle_timeout(struct cr_request *req, unsigned seconds);

/* --- reading the request (src/request.c) ------------------------------- */

/* The socket of the request's client connection, to poll whether the
 * client hung up (never to read or write it); -1 when unknown. */
int http_client_socket(const struct cr_request *req);

/* The query-string value of `name`, or NULL (also for a bare `?name`). */
const char *http_query(const struct cr_request *req, const char *name);

/* True when the query string names `name`, with or without a value
 * (`?all`, `?all=`, `?all=1`). */
bool http_query_present(const struct cr_request *req, const char *name);

/* Parses query `name` as an integer in [min, max]; absent gives `def`.
 * On a bad value answers 422 and returns false. */
bool http_query_long(const struct cr_request *req, struct cr_response *res, const char *name,
		     long def, long min, long max, long *out);

/* The value of request header `name` (case-insensitive), or NULL. */
const char *http_req_header(const struct cr_request *req, const char *name);

/* Whether the request's Content-Type is `want` ("text/csv"), parameters
 * (";charset=...") aside; case-insensitive. */
bool http_content_type_is(const struct cr_request *req, const char *want);

/* Parses path parameter `idx` as a positive row id. On failure answers 404
 * naming `what` and returns false. */
bool http_path_id(const struct cr_request *req, struct cr_response *res, size_t idx,
		  const char *what, int64_t *out);

#endif
