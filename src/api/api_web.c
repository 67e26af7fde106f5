/* The web client's static files: / (index.html), /sw.js (the service
 * worker), /manifest.webmanifest, /app/{file} (our code)
 * and /vendor/{file} (browser libraries copied from npm by `make deps`),
 * revalidated at every load; and /v/{version}/app/{file} and
 * /v/{version}/vendor/{file}, the build's copy under the hash of its
 * contents (packaging/web_build.sh writes build/web/v/<hash>/ and an
 * index.html naming it), cached for a year. A file's gzip twin ("x.js.gz")
 * goes out to a client that takes gzip. Names come from a strict
 * whitelist; nothing outside --web is reachable. */
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

/* A build's version: 8 to 64 lower-case hex digits. */
static bool version_ok(const char *v)
{
	size_t n = strspn(v, "0123456789abcdef");
	return n >= 8 && n <= 64 && v[n] == '\0';
}

static void serve(struct cr_request *req, struct cr_response *res, const char *dir,
		  const char *name, const char *cache_control)
{
	const char *type = allowed(name);
	char path[PATH_MAX + 128], twin[sizeof path + 3];
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
	snprintf(twin, sizeof twin, "%s.gz", path);
	files_answer_twin(req, res, fd, &st, twin, type, cache_control);
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

/* revalidated every time: a new release shows up at the next load */
#define UNVERSIONED "no-cache"
/* a versioned name's bytes never change: a new build has a new name */
#define VERSIONED "public, max-age=31536000, immutable"

static void index_page(struct cr_request *req, struct cr_response *res)
{
	serve(req, res, "", "index.html", UNVERSIONED);
}

/* The service worker and the web app manifest live at the root: a worker
 * controls the pages under its own path. */
static void service_worker(struct cr_request *req, struct cr_response *res)
{
	serve(req, res, "", "sw.js", UNVERSIONED);
}

static void manifest(struct cr_request *req, struct cr_response *res)
{
	serve(req, res, "", "manifest.webmanifest", UNVERSIONED);
}

static void app_file(struct cr_request *req, struct cr_response *res)
{
	serve(req, res, "app", req->params[0], UNVERSIONED);
}

static void vendor_file(struct cr_request *req, struct cr_response *res)
{
	serve(req, res, "vendor", req->params[0], UNVERSIONED);
}

/* /v/{version}/<kind>/{file}: web_dir/v/<version>/<kind>/<file>. */
static void versioned_file(struct cr_request *req, struct cr_response *res, const char *kind)
{
	char dir[96];
	if (!version_ok(req->params[0])) {
		http_problem(res, 404, "not-found", "no such file");
		return;
	}
	snprintf(dir, sizeof dir, "v/%s/%s", req->params[0], kind);
	serve(req, res, dir, req->params[1], VERSIONED);
}

static void versioned_app_file(struct cr_request *req, struct cr_response *res)
{
	versioned_file(req, res, "app");
}

static void versioned_vendor_file(struct cr_request *req, struct cr_response *res)
{
	versioned_file(req, res, "vendor");
}

static const struct cr_route routes[] = {
	{"GET", "/", CR_ROLE_NONE, CR_BODY_NONE, index_page, NULL},
	{"GET", "/sw.js", CR_ROLE_NONE, CR_BODY_NONE, service_worker, NULL},
	{"GET", "/manifest.webmanifest", CR_ROLE_NONE, CR_BODY_NONE, manifest, NULL},
	{"GET", "/app/{file}", CR_ROLE_NONE, CR_BODY_NONE, app_file, NULL},
	{"GET", "/vendor/{file}", CR_ROLE_NONE, CR_BODY_NONE, vendor_file, NULL},
	{"GET", "/v/{version}/app/{file}", CR_ROLE_NONE, CR_BODY_NONE, versioned_app_file, NULL},
	{"GET", "/v/{version}/vendor/{file}", CR_ROLE_NONE, CR_BODY_NONE, versioned_vendor_file,
	 NULL},
};

cr_err api_web_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
