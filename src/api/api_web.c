/* The web client's static files: / (index.html), /app/{file} (our code)
 * and /vendor/{file} (browser libraries copied from npm by `make deps`).
 * Names come from a strict whitelist; nothing outside --web is reachable. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casereel/app.h"
#include "casereel/files.h"

static const struct {
	const char *ext, *type;
} types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".json", "application/json"},
	{".webmanifest", "application/manifest+json"},
	{".map", "application/json"},
	{".ico", "image/x-icon"},
};

/* The content type of an allowed name ([a-z0-9._-], no leading dot), or NULL. */
static const char *allowed(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 96 || name[0] == '.')
		return NULL;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-'))
			return NULL;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		size_t e = strlen(types[i].ext);
		if (n > e && !strcmp(name + n - e, types[i].ext))
			return types[i].type;
	}
	return NULL;
}

static void serve(struct cr_request *req, struct cr_response *res, const char *dir,
		  const char *name)
{
	const char *type = allowed(name);
	char path[PATH_MAX + 128];
	struct stat st;
	int fd = -1;
	int n = snprintf(path, sizeof path, "%s/%s%s%s", req->cfg->web_dir, dir, *dir ? "/" : "",
			 name);
	if (type && n > 0 && (size_t)n < sizeof path)
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		http_problem(res, 404, "not-found", "no such file");
		return;
	}
	/* revalidated every time: a new release shows up at the next load */
	files_answer(req, res, fd, &st, type, "no-cache");
	/* media may come from --media-base-url (a CDN): posters are images, a
	 * native HLS player fetches as media, hls.js with XHR (connect) */
	const char *cdn = req->cfg->media_base_url;
	const char *sp = *cdn ? " " : "";
	http_header(
		res, "Content-Security-Policy",
		"default-src 'self'; img-src 'self' blob: data:%s%s; media-src 'self' blob:%s%s;"
		" style-src 'self' 'unsafe-inline'; connect-src 'self'%s%s;"
		" worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none';"
		" form-action 'self'",
		sp, cdn, sp, cdn, sp, cdn);
	/* no page of ours may be framed: tip and buy buttons must not be
	 * clickable through someone else's page (older browsers read this one) */
	http_header(res, "X-Frame-Options", "DENY");
	http_header(res, "Referrer-Policy", "no-referrer");
}

static void index_page(struct cr_request *req, struct cr_response *res)
{
	serve(req, res, "", "index.html");
}

static void app_file(struct cr_request *req, struct cr_response *res)
{
	serve(req, res, "app", req->params[0]);
}

static void vendor_file(struct cr_request *req, struct cr_response *res)
{
	serve(req, res, "vendor", req->params[0]);
}

static const struct cr_route routes[] = {
	{"GET", "/", CR_ROLE_NONE, CR_BODY_NONE, index_page, NULL},
	{"GET", "/app/{file}", CR_ROLE_NONE, CR_BODY_NONE, app_file, NULL},
	{"GET", "/vendor/{file}", CR_ROLE_NONE, CR_BODY_NONE, vendor_file, NULL},
};

cr_err api_web_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
