/* Answering with a file on disk: validators (ETag, Last-Modified),
 * conditional requests and single ranges decided by src/range.c, bytes sent
 * with sendfile, and gzip for text the client accepts it for
 * (src/http/compress.h). Used by signed media and by the web client's files. */
#ifndef CASEREEL_FILES_H
#define CASEREEL_FILES_H

#include <sys/stat.h>

#include "casereel/http.h"

/* Answers for the open file `fd` (taken: closed on every path) described by
 * `st`, as `type`, after the request's conditional and Range headers:
 * 200/206 with the bytes, 304, 412 or 416. `cache_control` goes out on
 * every success ("public, max-age=60, immutable", "no-cache"). A text type
 * of at least COMPRESS_MIN_BYTES goes out gzipped (compressed on the fly)
 * when the client accepts gzip and sent no Range, with an ETag of its own
 * ("...-gz"); compressible types always carry "Vary: Accept-Encoding". */
void files_answer(struct cr_request *req, struct cr_response *res, int fd, const struct stat *st,
		  const char *type, const char *cache_control);

/* As files_answer, but when gzip is chosen the file `twin` (the same bytes
 * gzipped ahead of time, e.g. "main.js.gz"), if it exists, is sent instead
 * of compressing on the fly; its ETag comes from its own size and time. */
void files_answer_twin(struct cr_request *req, struct cr_response *res, int fd,
		       const struct stat *st, const char *twin, const char *type,
		       const char *cache_control);

#endif
