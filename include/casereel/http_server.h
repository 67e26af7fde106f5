/* The libmicrohttpd glue: accepts connections, routes, authenticates,
 * enforces body limits, calls handlers, logs and counts every request. */
#ifndef CASEREEL_HTTP_SERVER_H
#define CASEREEL_HTTP_SERVER_H

#include "casereel/app.h"
#include "casereel/error.h"

struct http_server;

/* Starts listening on cfg->bind:cfg->port with cfg->http_threads threads.
 * *port_out receives the bound port (useful with port 0). */
cr_err http_server_start(struct cr_app *app, struct http_server **out, int *port_out);

/* Graceful stop: drains (drain.h: /readyz answers 503, new connections are
 * still served) until no request is in flight or drain_ms passed, then
 * closes the listening socket and every connection left (a cut-off upload
 * keeps its acknowledged bytes), stops the threads and frees the server.
 * Sets *srv to NULL. */
void http_server_stop(struct http_server **srv, int drain_ms);

#endif
