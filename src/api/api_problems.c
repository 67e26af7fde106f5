/* GET /problems/{slug}: a small page for people about each problem type the
 * API answers with (RFC 9457 `type` URIs point here). The words come from
 * docs/openapi.yaml's x-problem-types, compiled into the binary; the page
 * is made by the server with every text escaped. */
#include <string.h>

#include "casereel/app.h"
#include "casereel/openapi.h"
#include "casereel/text_buf.h"

/* x-problem-types of the embedded document: {slug: {title, status, description}}.
 * Read once at registration, then only read (jansson lookups change nothing). */
static json_t *problem_doc;
static json_t *problem_types;

/* Appends `s` with the five HTML-special characters escaped. */
static void html_text(struct text_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': tb_puts(b, "&amp;"); break;
		case '<': tb_puts(b, "&lt;"); break;
		case '>': tb_puts(b, "&gt;"); break;
		case '"': tb_puts(b, "&quot;"); break;
		case '\'': tb_puts(b, "&#39;"); break;
		default: tb_append(b, s, 1); break;
		}
	}
}

static void render(struct text_buf *b, const char *slug, json_t *type)
{
	const char *title = json_string_value(json_object_get(type, "title"));
	const char *description = json_string_value(json_object_get(type, "description"));
	char uri[CR_PUBLIC_URL_MAX + 64];
	http_problem_type_uri(slug, uri, sizeof uri);
	tb_puts(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		   "<meta name=\"viewport\" content=\"width=device-width\"><title>");
	html_text(b, title ? title : slug);
	tb_puts(b, " \xe2\x80\x94 casereel problem type</title></head>\n<body><h1>");
	html_text(b, title ? title : slug);
	tb_puts(b, "</h1>\n<p>Problem type <code>");
	html_text(b, uri);
	tb_puts(b, "</code>, answered as <code>application/problem+json</code> with HTTP status ");
	json_t *status = json_object_get(type, "status");
	size_t i;
	json_t *s;
	json_array_foreach(status, i, s)
	{
		tb_printf(b, "%s%lld", i ? (i + 1 == json_array_size(status) ? " or " : ", ") : "",
			  (long long)json_integer_value(s));
	}
	tb_puts(b, ".</p>\n<p>");
	html_text(b, description ? description : "");
	tb_puts(b, "</p>\n<p>The body's <code>detail</code> says what happened this time, and "
		   "<code>field</code>, when present, names the input at fault. Every route and "
		   "the problems it can answer are described in "
		   "<a href=\"../api/v1/openapi.json\">the OpenAPI "
		   "document</a>.</p>\n</body></html>\n");
}

static void problem_page(struct cr_request *req, struct cr_response *res)
{
	const char *slug = req->params[0];
	json_t *type = json_object_get(problem_types, slug);
	if (!type) {
		http_problem(res, 404, "not-found", "no such problem type");
		return;
	}
	struct text_buf b = {.max = 64 * 1024};
	render(&b, slug, type);
	size_t len;
	cr_err e = b.err;
	char *html = tb_take(&b, &len);
	if (!html) {
		http_error(res, e ? e : CR_ENOMEM, "problem page");
		return;
	}
	http_text(res, 200, "text/html; charset=utf-8", html, len);
	http_header(res, "Cache-Control", "public, max-age=86400");
	http_header(res, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
}

static const struct cr_route routes[] = {
	{"GET", "/problems/{slug}", CR_ROLE_NONE, CR_BODY_NONE, problem_page, NULL},
};

cr_err api_problems_register(struct router *r)
{
	if (!problem_doc) {
		problem_doc = json_loadb(openapi_json, openapi_json_len, 0, NULL);
		problem_types = json_object_get(problem_doc, "x-problem-types");
		if (!json_is_object(problem_types))
			return CR_EINVAL; /* the build checks the document; this is a bad build */
	}
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
