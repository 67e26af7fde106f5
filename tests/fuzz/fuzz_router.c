/* libFuzzer harness for src/router.c: input is "METHOD\nPATH" (or only a
 * path, matched as GET), matched against a small table. A found route must
 * rebuild the exact path from its pattern and the captured params. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/router.h"

static void h(struct cr_request *req, struct cr_response *res)
{
	(void)req;
	(void)res;
}

static const struct cr_route routes[] = {
	{.method = "GET", .pattern = "/", .handler = h},
	{.method = "GET", .pattern = "/api/v1/users", .handler = h},
	{.method = "POST", .pattern = "/api/v1/users", .handler = h},
	{.method = "GET", .pattern = "/api/v1/users/me", .handler = h},
	{.method = "GET", .pattern = "/api/v1/users/{id}", .handler = h},
	{.method = "PATCH", .pattern = "/api/v1/users/{id}", .handler = h},
	{.method = "DELETE", .pattern = "/api/v1/users/{id}", .handler = h},
	{.method = "PUT", .pattern = "/api/v1/users/{id}/tags/{tag}", .handler = h},
	{.method = "DELETE", .pattern = "/api/v1/teams/{a}/members/{b}", .handler = h},
	{.method = "GET", .pattern = "/{a}/{b}/{c}/{d}", .handler = h},
	{.method = "OPTIONS", .pattern = "/{a}", .handler = h},
};

/* Rebuilds the path a match stands for; false if it does not fit. */
static bool rebuild(const char *pattern, const struct router_match *m, char *out, size_t size)
{
	size_t len = 0, param = 0;
	for (const char *p = pattern; *p;) {
		const char *piece = p;
		size_t plen = 1;
		if (*p == '{') {
			if (param >= m->nparams)
				abort();
			piece = m->params[param++];
			plen = strlen(piece);
			/* a param is one non-empty segment */
			if (plen == 0 || memchr(piece, '/', plen))
				abort();
			p = strchr(p, '}') + 1;
		} else {
			p++;
		}
		if (len + plen + 1 > size)
			return false;
		memcpy(out + len, piece, plen);
		len += plen;
	}
	if (param != m->nparams)
		abort();
	out[len] = '\0';
	return true;
}

/* True when `method` is one of the ", "-separated names in `allow`. */
static bool allow_has(const char *allow, const char *method)
{
	size_t mlen = strlen(method);
	for (const char *a = allow; *a;) {
		size_t len = strcspn(a, ",");
		if (len == mlen && !memcmp(a, method, len))
			return true;
		a += len;
		a += strspn(a, ", ");
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct router r;
	static bool ready;
	if (!ready) {
		if (router_add(&r, routes, sizeof routes / sizeof routes[0]) != CR_OK)
			abort();
		ready = true;
	}
	char *in = malloc(size + 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	const char *method = "GET", *path = in;
	char *nl = memchr(in, '\n', size);
	if (nl) {
		*nl = '\0';
		method = in;
		path = nl + 1;
	}

	struct router_match m;
	memset(&m, 0xA5, sizeof m); /* the router must not rely on a clean match */
	enum router_result res = router_match(&r, method, path, &m);
	if (res == ROUTER_FOUND) {
		if (!m.route || m.index >= r.count || r.routes[m.index] != m.route)
			abort();
		if (strcmp(m.route->method, method) &&
		    !(!strcmp(method, "HEAD") && !strcmp(m.route->method, "GET")))
			abort();
		char *again = malloc(size + 2);
		if (!again)
			abort();
		if (!rebuild(m.route->pattern, &m, again, size + 2) || strcmp(again, path))
			abort();
		free(again);
	} else if (res == ROUTER_METHOD_NOT_ALLOWED) {
		if (m.route || !m.allow[0] || m.nparams)
			abort();
		if (allow_has(m.allow, method))
			abort();
	} else if (res == ROUTER_NOT_FOUND) {
		if (m.route || m.allow[0] || m.nparams)
			abort();
	} else {
		abort();
	}
	if (!memchr(m.allow, '\0', sizeof m.allow))
		abort();
	free(in);
	return 0;
}
