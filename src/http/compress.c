/* gzip for answers. See src/http/compress.h. */
#include "compress.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "accept_encoding.h"

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

cr_err compress_gzip(const void *in, size_t len, char **out, size_t *out_len)
{
	if (len > UINT_MAX / 2)
		return CR_ETOOBIG;
	z_stream zs = {0};
	/* 15 + 16: the largest window, with a gzip header and trailer */
	if (deflateInit2(&zs, COMPRESS_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return CR_ENOMEM;
	uLong cap = deflateBound(&zs, (uLong)len);
	char *buf = malloc(cap);
	cr_err e = CR_ENOMEM;
	if (!buf)
		goto out;
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)buf;
	zs.avail_out = (uInt)cap;
	/* deflateBound's room means one Z_FINISH always ends the stream */
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		free(buf);
		e = CR_EIO;
		goto out;
	}
	*out = buf;
	*out_len = zs.total_out;
	e = CR_OK;
out:
	deflateEnd(&zs);
	return e;
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
	const char *type = res->json ? res->is_problem ? "application/problem+json"
						       : "application/json"
				     : res->content_type;
	if (res->fd > 0 || !compress_type_ok(type) || has_header(res, "Content-Encoding"))
		return;
	http_header(res, "Vary", "Accept-Encoding");
	if (res->status < 200 || res->status == 204 || res->status == 304 ||
	    !compress_accepted(req))
		return;
	if (res->json) { /* serialized once, here, for send_response's text path */
		char *text = json_dumps(res->json, JSON_COMPACT);
		if (!text)
			return;
		json_decref(res->json);
		res->json = NULL;
		res->text = text;
		res->text_len = strlen(text);
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
