/* The address clients reach the server at (--public-url, or as listened):
 * the prefix of absolute problem type URIs. */
#ifndef CASEREEL_PUBLIC_URL_H
#define CASEREEL_PUBLIC_URL_H

#include <stddef.h>

#include "casereel/config.h"

/* Writes the public URL for a server listening on `port` into `out`:
 * cfg->public_url when set, else "http://BIND:PORT" (https with --tls-cert; "http://[BIND]:PORT"
 * for an IPv6 bind). */
void public_url_format(const struct cr_config *cfg, int port, char *out, size_t size);

/* Settles the public URL once the server listens on `port`: cfg->public_url
 * when set, else "http://BIND:PORT" (https with --tls-cert; "http://[BIND]:PORT" for IPv6), and
 * makes problem types absolute under it (http_problem_base_set). */
void public_url_apply(const struct cr_config *cfg, int port);

#endif
