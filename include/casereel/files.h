/* Answering with a file on disk: validators (ETag, Last-Modified),
 * conditional requests and single ranges decided by src/range.c, bytes sent
 * with sendfile. Used by signed media and by the web client's files. */
#ifndef CASEREEL_FILES_H
#define CASEREEL_FILES_H

#include <sys/stat.h>

#include "casereel/http.h"

/* Answers for the open file `fd` (taken: closed on every path) described by
 * `st`, as `type`, after the request's conditional and Range headers:
 * 200/206 with the bytes, 304, 412 or 416. `cache_control` goes out on
 * every success ("public, max-age=60, immutable", "no-cache"). */
void files_answer(struct cr_request *req, struct cr_response *res, int fd, const struct stat *st,
		  const char *type, const char *cache_control);

#endif
