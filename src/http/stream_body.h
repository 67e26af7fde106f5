/* A libmicrohttpd response whose body a struct cr_stream (casereel/http.h)
 * makes as it is sent, counting the bytes for the access log. Private to
 * src/http/. */
#ifndef CASEREEL_STREAM_BODY_H
#define CASEREEL_STREAM_BODY_H

#include <microhttpd.h>
#include <stddef.h>

#include "casereel/http.h"

/* A chunked response over *stream, which it takes (*stream is NULL after)
 * and releases when MHD destroys the response. Every byte sent is added to
 * *bytes, which must live as long as the request does (MHD reads a body
 * only while its request runs, never after the completed callback). When
 * fill fails, the socket of `conn` is shut down at once. NULL,
 * *stream untouched, when out of memory. */
struct MHD_Response *stream_body_response(struct cr_stream **stream, size_t *bytes,
					  struct MHD_Connection *conn);

#endif
