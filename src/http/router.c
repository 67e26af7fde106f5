/* Segment-by-segment matching of request paths against route patterns. */
#include "casereel/router.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool pattern_ok(const char *p)
{
	if (p[0] != '/')
		return false;
	size_t params = 0;
	for (const char *s = p; *s; s++) {
		if (*s == '{') {
			const char *close = strchr(s, '}');
			if (!close || s[-1] != '/' || (close[1] && close[1] != '/') ||
			    memchr(s, '/', (size_t)(close - s)))
				return false;
			params++;
		}
	}
	return params <= CR_MAX_PATH_PARAMS;
}

cr_err router_add_extra(struct router *r, const struct cr_route *routes, size_t n,
			const struct cr_route_extra *extra)
{
	for (size_t i = 0; i < n; i++) {
		if (r->count >= ROUTER_MAX_ROUTES)
			return CR_ETOOBIG;
		if (!pattern_ok(routes[i].pattern))
			return CR_EINVAL;
		r->extras[r->count] = extra;
		r->routes[r->count++] = &routes[i];
	}
	return CR_OK;
}

cr_err router_add(struct router *r, const struct cr_route *routes, size_t n)
{
	return router_add_extra(r, routes, n, NULL);
}

/* Matches path against pattern; on success copies parameters into m. */
static bool path_matches(const char *pattern, const char *path, struct router_match *m)
{
	const char *p = pattern, *s = path;
	size_t used = 0;
	m->nparams = 0;
	while (*p && *s) {
		if (*p == '{') {
			size_t len = strcspn(s, "/");
			if (len == 0 || used + len + 1 > sizeof m->param_buf)
				return false;
			memcpy(m->param_buf + used, s, len);
			m->param_buf[used + len] = '\0';
			m->params[m->nparams++] = m->param_buf + used;
			used += len + 1;
			s += len;
			p = strchr(p, '}') + 1;
		} else if (*p == *s) {
			p++;
			s++;
		} else {
			return false;
		}
	}
	return *p == '\0' && *s == '\0';
}

static void allow_append(char *allow, size_t size, const char *method)
{
	if (strstr(allow, method))
		return;
	size_t len = strlen(allow);
	snprintf(allow + len, size - len, "%s%s", len ? ", " : "", method);
}

enum router_result router_match(const struct router *r, const char *method, const char *path,
				struct router_match *m)
{
	bool head = strcmp(method, "HEAD") == 0;
	m->route = NULL;
	m->extra = NULL;
	m->allow[0] = '\0';
	for (size_t i = 0; i < r->count; i++) {
		const struct cr_route *rt = r->routes[i];
		if (!path_matches(rt->pattern, path, m))
			continue;
		if (!strcmp(rt->method, method) || (head && !strcmp(rt->method, "GET"))) {
			m->route = rt;
			m->extra = r->extras[i];
			m->index = i;
			return ROUTER_FOUND;
		}
		if (!m->allow[0])
			m->extra = r->extras[i];
		allow_append(m->allow, sizeof m->allow, rt->method);
		if (!strcmp(rt->method, "GET"))
			allow_append(m->allow, sizeof m->allow, "HEAD");
	}
	m->nparams = 0;
	return m->allow[0] ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}

void router_allow(const struct router *r, const char *path, char *allow, size_t size)
{
	struct router_match m;
	allow[0] = '\0';
	for (size_t i = 0; i < r->count; i++) {
		if (!path_matches(r->routes[i]->pattern, path, &m))
			continue;
		allow_append(allow, size, r->routes[i]->method);
		if (!strcmp(r->routes[i]->method, "GET"))
			allow_append(allow, size, "HEAD");
	}
}
