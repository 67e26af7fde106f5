/* gzip for answers. See src/http/compress.h. */
#include "compress.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "accept_encoding.h"
#include "casereel/json_text.h"

bool compress_type_ok(const char *type)
{
	static const char *const prefixes[] = {
		"text/",
		"application/json",
		"application/problem+json",
		"application/javascript",
		"application/vnd.apple.mpegurl",
		"application/manifest+json",
		"image/svg+xml",
	};
	if (!type)
		return false;
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (!strncasecmp(type, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

bool compress_accepted(const struct cr_request *req)
{
	return accept_encoding_gzip(http_req_header(req, "Accept-Encoding"));
}

/* Each thread keeps one deflate state and resets it per answer: a fresh
 * one is ~256 KiB of allocation, zeroing and page faults, which cost more
 * than compressing a feed page. Freed when the thread ends. */
static pthread_key_t stream_key;
static pthread_once_t stream_once = PTHREAD_ONCE_INIT;

static void stream_free(void *p)
{
	deflateEnd(p);
	free(p);
}

static void stream_key_make(void)
{
	if (pthread_key_create(&stream_key, stream_free))
		abort(); /* only when the process is out of keys at start */
}

static z_stream *thread_stream(void)
{
	pthread_once(&stream_once, stream_key_make);
	z_stream *zs = pthread_getspecific(stream_key);
	if (zs)
		return deflateReset(zs) == Z_OK ? zs : NULL;
	zs = calloc(1, sizeof *zs);
	/* 15 + 16: the largest window, with a gzip header and trailer */
	if (!zs ||
	    deflateInit2(zs, COMPRESS_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(zs);
		return NULL;
	}
	if (pthread_setspecific(stream_key, zs)) {
		stream_free(zs);
		return NULL;
	}
	return zs;
}

cr_err compress_gzip(const void *in, size_t len, char **out, size_t *out_len)
{
	if (len > UINT_MAX / 2)
		return CR_ETOOBIG;
	z_stream *zs = thread_stream();
	if (!zs)
		return CR_ENOMEM;
	uLong cap = deflateBound(zs, (uLong)len);
	char *buf = malloc(cap);
	if (!buf)
		return CR_ENOMEM;
	zs->next_in = (Bytef *)(uintptr_t)in;
	zs->avail_in = (uInt)len;
	zs->next_out = (Bytef *)buf;
	zs->avail_out = (uInt)cap;
	/* deflateBound's room means one Z_FINISH always ends the stream */
	if (deflate(zs, Z_FINISH) != Z_STREAM_END) {
		free(buf);
		return CR_EIO;
	}
	*out = buf;
	*out_len = zs->total_out;
	return CR_OK;
}

static bool has_header(const struct cr_response *res, const char *name)
{
	for (size_t i = 0; i < res->nheaders; i++)
		if (!strcasecmp(res->headers[i].name, name))
			return true;
	return false;
}

void compress_answer(const struct cr_request *req, struct cr_response *res)
{
	const char *type =
		res->json ? res->is_problem ? "application/problem+json" : "application/json"
			  : res->content_type;
	if (res->fd > 0 || res->stream || !compress_type_ok(type) ||
	    has_header(res, "Content-Encoding"))
		return;
	http_header(res, "Vary", "Accept-Encoding");
	if (res->status < 200 || res->status == 204 || res->status == 304 ||
	    !compress_accepted(req))
		return;
	if (res->json) { /* serialized once, here, for send_response's text path */
		size_t len;
		char *text = json_text(res->json, &len);
		if (!text)
			return;
		json_decref(res->json);
		res->json = NULL;
		res->text = text;
		res->text_len = len;
		res->content_type = type;
	}
	char *gz;
	size_t gz_len;
	if (res->text_len < COMPRESS_MIN_BYTES ||
	    compress_gzip(res->text, res->text_len, &gz, &gz_len))
		return;
	free(res->text);
	res->text = gz;
	res->text_len = gz_len;
	http_header(res, "Content-Encoding", "gzip");
}
