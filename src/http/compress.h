/* gzip for answers: which answers may be compressed, for whom, and the
 * deflate itself (zlib, a fast level). JSON and other text bodies are
 * compressed in the response path (compress_answer); files on disk are
 * handled by src/http/files.c, which uses the same rules. */
#ifndef CASEREEL_COMPRESS_H
#define CASEREEL_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "casereel/error.h"
#include "casereel/http.h"

/* Bodies smaller than this go out as they are: gzip would save little and
 * cost its header and a round of deflate. */
#define COMPRESS_MIN_BYTES 1024

/* zlib's level: 1 is nginx's default gzip_comp_level, and on JSON it keeps
 * most of level 6's saving at a fraction of the CPU. */
#define COMPRESS_LEVEL 1

/* Whether `content_type` is text worth compressing: any text type, JSON (problems
 * too), JavaScript, HLS playlists, SVG, web manifests. Never video, audio
 * or other images, whose bytes are compressed already. NULL is false. */
bool compress_type_ok(const char *content_type);

/* Whether the request's Accept-Encoding takes gzip (q=0 honoured). */
bool compress_accepted(const struct cr_request *req);

/* Compresses `len` bytes of `in` as one gzip member at COMPRESS_LEVEL into
 * a malloc'd *out (*out_len bytes; the caller frees it). CR_ENOMEM when
 * memory runs out, CR_ETOOBIG past 4 GiB of input. */
cr_err compress_gzip(const void *in, size_t len, char **out, size_t *out_len);

/* The response path's one call, just before a body is sent: a JSON or text
 * answer of a compressible type gets "Vary: Accept-Encoding", and when the
 * client takes gzip and the body has at least COMPRESS_MIN_BYTES it is
 * replaced by its gzip with "Content-Encoding: gzip". File bodies and
 * answers that already name an encoding are left alone. */
void compress_answer(const struct cr_request *req, struct cr_response *res);

#endif
