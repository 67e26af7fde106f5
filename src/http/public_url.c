/* The public URL problem types hang under. See include/casereel/public_url.h. */
#include "casereel/public_url.h"

#include <stdio.h>
#include <string.h>

#include "casereel/http.h"

void public_url_format(const struct cr_config *cfg, int port, char *out, size_t size)
{
	const char *scheme = cfg->tls_cert[0] ? "https" : "http";
	if (cfg->public_url[0])
		snprintf(out, size, "%s", cfg->public_url);
	else if (strchr(cfg->bind, ':'))
		snprintf(out, size, "%s://[%s]:%d", scheme, cfg->bind, port);
	else
		snprintf(out, size, "%s://%s:%d", scheme, cfg->bind, port);
}

void public_url_apply(const struct cr_config *cfg, int port)
{
	char url[CR_PUBLIC_URL_MAX];
	public_url_format(cfg, port, url, sizeof url);
	http_problem_base_set(url);
}
