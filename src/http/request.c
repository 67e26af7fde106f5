/* Reading query strings and path parameters. See include/casereel/http.h. */
#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/http.h"

const char *http_query(const struct cr_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool http_query_present(const struct cr_request *req, const char *name)
{
	const char *value = NULL;
	size_t len = 0;
	/* a bare key has a NULL value, which MHD_lookup_connection_value cannot tell from absence
	 */
	return MHD_lookup_connection_value_n(req->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name),
					     &value, &len) == MHD_YES;
}

int http_client_socket(const struct cr_request *req)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci ? ci->connect_fd : -1;
}

const char *http_req_header(const struct cr_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

bool http_content_type_is(const struct cr_request *req, const char *want)
{
	const char *ct = http_req_header(req, "Content-Type");
	size_t n = strlen(want);
	return ct && strncasecmp(ct, want, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	if (!s || !*s)
		return false;
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool http_query_long(const struct cr_request *req, struct cr_response *res, const char *name,
		     long def, long min, long max, long *out)
{
	const char *v = http_query(req, name);
	if (!v) {
		*out = def;
		return true;
	}
	if (parse_long(v, min, max, out))
		return true;
	http_invalid_field(res, name, "%s must be a whole number from %ld to %ld", name, min, max);
	return false;
}

bool http_path_id(const struct cr_request *req, struct cr_response *res, size_t idx,
		  const char *what, int64_t *out)
{
	long v;
	if (idx < req->nparams && parse_long(req->params[idx], 1, INT64_MAX, &v)) {
		*out = v;
		return true;
	}
	http_problem(res, 404, "not-found", "no such %s", what);
	return false;
}
