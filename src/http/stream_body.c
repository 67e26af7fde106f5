/* Streamed bodies: libmicrohttpd's reader and free callbacks over a struct
 * cr_stream. See stream_body.h. */
#include "stream_body.h"

#include <stdlib.h>
#include <sys/socket.h>

struct stream_body {
	struct cr_stream *stream; /* owned */
	size_t *bytes;            /* the request's count; read only while it runs */
	int fd;                   /* the connection's socket; -1: unknown */
};

static ssize_t body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos; /* MHD reads a callback body once, in order */
	struct stream_body *b = cls;
	long n = b->stream->fill(b->stream->ctx, buf, max);
	if (n > 0)
		*b->bytes += (size_t)n;
	/* With MHD_USE_TURBO libmicrohttpd neither shuts down nor closes the
	 * socket of a body that failed until something next happens on it
	 * (seconds later): the client would wait for the rest. Shut down now,
	 * so it sees the transfer break off at once. */
	if (n < 0 && b->fd >= 0)
		shutdown(b->fd, SHUT_RDWR);
	return n > 0    ? (ssize_t)n
	       : n == 0 ? MHD_CONTENT_READER_END_OF_STREAM
			: MHD_CONTENT_READER_END_WITH_ERROR;
}

static void body_free(void *cls)
{
	struct stream_body *b = cls;
	b->stream->release(b->stream->ctx);
	free(b->stream);
	free(b);
}

struct MHD_Response *stream_body_response(struct cr_stream **stream, size_t *bytes,
					  struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct stream_body *b = malloc(sizeof *b);
	if (!b)
		return NULL;
	*b = (struct stream_body){
		.stream = *stream, .bytes = bytes, .fd = ci ? ci->connect_fd : -1};
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024,
								   body_read, b, body_free);
	if (!r) {
		free(b);
		return NULL;
	}
	*stream = NULL;
	return r;
}
