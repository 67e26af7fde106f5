/* Building responses: JSON, problems, headers. See include/casereel/http.h. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "casereel/error.h"
#include "casereel/fields.h"
#include "casereel/http.h"

static const char *status_title(unsigned status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 422: return "Unprocessable Content";
	case 423: return "Locked";
	case 429: return "Too Many Requests";
	case 460: return "Checksum Mismatch"; /* tus's own status */
	case 503: return "Service Unavailable";
	case 507: return "Insufficient Storage";
	default: return status >= 500 ? "Internal Server Error" : "Error";
	}
}

/* Releases a stream body not handed to the server. */
static void drop_stream(struct cr_response *res)
{
	if (res->stream) {
		res->stream->release(res->stream->ctx);
		free(res->stream);
		res->stream = NULL;
	}
}

void http_response_clear(struct cr_response *res)
{
	drop_stream(res);
	json_decref(res->json);
	free(res->text);
	if (res->fd > 0)
		close(res->fd);
	memset(res, 0, sizeof *res);
}

/* Drops the body of an earlier answer but keeps headers already added
 * (Location, Allow, Retry-After): handlers add them before answering. */
static void reset_body(struct cr_response *res, unsigned status)
{
	drop_stream(res);
	json_decref(res->json);
	free(res->text);
	if (res->fd > 0)
		close(res->fd);
	res->fd = 0;
	res->json = NULL;
	res->text = NULL;
	res->text_len = 0;
	res->content_type = NULL;
	res->is_problem = false;
	res->status = status;
}

void http_json(struct cr_response *res, unsigned status, json_t *body)
{
	if (!body) {
		http_problem(res, 500, "internal", "out of memory");
		return;
	}
	reset_body(res, status);
	res->json = body;
}

void http_no_content(struct cr_response *res)
{
	reset_body(res, 204);
}

void http_text(struct cr_response *res, unsigned status, const char *content_type, char *text,
	       size_t len)
{
	reset_body(res, status);
	res->text = text;
	res->text_len = len;
	res->content_type = content_type;
}

void http_stream(struct cr_response *res, unsigned status, const char *content_type,
		 const struct cr_stream *stream)
{
	struct cr_stream *own = malloc(sizeof *own);
	if (!own) {
		stream->release(stream->ctx);
		http_problem(res, 500, "internal", "out of memory");
		return;
	}
	*own = *stream;
	reset_body(res, status);
	res->stream = own;
	res->content_type = content_type;
}

void http_file(struct cr_response *res, unsigned status, const char *content_type, int fd,
	       uint64_t offset, uint64_t length)
{
	reset_body(res, status);
	res->content_type = content_type;
	res->fd = fd;
	res->file_offset = offset;
	res->file_length = length;
}

/* The absolute prefix of problem type URIs, set once when the server
 * listens (src/http/public_url.c); written before `problem_base_ready`
 * is published, never after. Until then types are relative. */
static char problem_base[CR_PUBLIC_URL_MAX];
static atomic_bool problem_base_ready;

void http_problem_base_set(const char *base)
{
	if (atomic_load(&problem_base_ready))
		return;
	snprintf(problem_base, sizeof problem_base, "%s", base);
	atomic_store(&problem_base_ready, true);
}

void http_problem_type_uri(const char *slug, char *out, size_t size)
{
	snprintf(out, size, "%s/problems/%s", atomic_load(&problem_base_ready) ? problem_base : "",
		 slug);
}

/* Builds the problem+json answer; every problem goes out through here. */
static void answer_problem(struct cr_response *res, unsigned status, const char *type,
			   const char *field, char *detail)
{
	/* the detail may quote what the client sent (a path, a CSV header) and
	 * vsnprintf may have cut a character: JSON takes only whole UTF-8 */
	utf8_trim(detail);
	utf8_scrub(detail);
	char type_uri[CR_PUBLIC_URL_MAX + 64];
	http_problem_type_uri(type, type_uri, sizeof type_uri);
	reset_body(res, status);
	res->is_problem = true;
	res->json = json_pack("{s:s, s:s, s:i, s:s}", "type", type_uri, "title",
			      status_title(status), "status", (int)status, "detail", detail);
	if (res->json && field && utf8_valid(field))
		json_object_set_new(res->json, "field", json_string(field));
}

static void problem_v(struct cr_response *res, unsigned status, const char *type, const char *field,
		      const char *fmt, va_list ap)
{
	char detail[512];
	vsnprintf(detail, sizeof detail, fmt, ap);
	answer_problem(res, status, type, field, detail);
}

void http_problem(struct cr_response *res, unsigned status, const char *type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	problem_v(res, status, type, NULL, fmt, ap);
	va_end(ap);
}

void http_invalid_field(struct cr_response *res, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	problem_v(res, 422, "invalid-field", field, fmt, ap);
	va_end(ap);
}

/* The HTTP status of each failure code, and its slug when a refusal names none. */
static unsigned code_status(cr_err err, const char **type)
{
	switch (err) {
	case CR_ENOTFOUND: return *type = "not-found", 404;
	case CR_ECONFLICT: return *type = "conflict", 409;
	case CR_EINVAL: return *type = "invalid-field", 422;
	case CR_ETOOBIG: return *type = "too-large", 413;
	case CR_ETHROTTLED: return *type = "throttled", 429;
	case CR_EAUTH: return *type = "unauthorized", 401;
	case CR_EFUNDS: return *type = "insufficient-points", 409;
	case CR_EFORBIDDEN: return *type = "forbidden", 403;
	case CR_ENOSPACE: return *type = "insufficient-storage", 507;
	default: return *type = "internal", 500;
	}
}

/* The detail of a failure no refusal explains; `what` names the thing. */
static void default_detail(cr_err err, const char *what, char *out, size_t size)
{
	switch (err) {
	case CR_ENOTFOUND: snprintf(out, size, "no such %s", what); break;
	case CR_ECONFLICT:
		snprintf(out, size, "that %s already exists or conflicts with another", what);
		break;
	case CR_EINVAL: snprintf(out, size, "invalid %s", what); break;
	case CR_ETOOBIG: snprintf(out, size, "%s is too large", what); break;
	case CR_ETHROTTLED: snprintf(out, size, "too many attempts; try again later"); break;
	case CR_EAUTH: snprintf(out, size, "log in again"); break;
	case CR_EFUNDS: snprintf(out, size, "not enough points for this %s", what); break;
	case CR_EFORBIDDEN: snprintf(out, size, "you may not do this to this %s", what); break;
	case CR_ENOSPACE:
		snprintf(out, size, "the server has no room for this %s now; try again later",
			 what);
		break;
	default: snprintf(out, size, "the server failed while handling the %s", what); break;
	}
}

void http_fail(struct cr_response *res, cr_err err, const struct cr_problem *why, const char *what)
{
	const char *type;
	unsigned status = code_status(err, &type);
	bool refused = cr_problem_explains(why, err);
	char detail[256];
	if (refused && why->detail[0])
		snprintf(detail, sizeof detail, "%s", why->detail);
	else
		default_detail(err, what, detail, sizeof detail);
	answer_problem(res, status, refused && why->type ? why->type : type,
		       refused ? why->field : NULL, detail);
}

void http_error(struct cr_response *res, int err, const char *what)
{
	http_fail(res, (cr_err)err, NULL, what);
}

void http_header(struct cr_response *res, const char *name, const char *fmt, ...)
{
	size_t i = 0;
	while (i < res->nheaders && strcasecmp(res->headers[i].name, name) != 0)
		i++;
	if (i == CR_MAX_EXTRA_HEADERS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->headers[i].value, sizeof res->headers[0].value, fmt, ap);
	va_end(ap);
	res->headers[i].name = name;
	if (i == res->nheaders)
		res->nheaders++;
}
