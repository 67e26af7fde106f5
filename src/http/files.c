/* Files on disk as HTTP answers. See include/casereel/files.h. */
#include "casereel/files.h"

#include <unistd.h>

#include "casereel/range.h"

void files_answer(struct cr_request *req, struct cr_response *res, int fd, const struct stat *st,
		  const char *type, const char *cache_control)
{
	char etag[RANGE_ETAG_MAX], date[RANGE_DATE_MAX];
	uint64_t size = (uint64_t)st->st_size;
	range_etag((int64_t)st->st_mtime, size, etag);
	range_http_date((int64_t)st->st_mtime, date);
	struct range_request rq = {
		.if_match = http_req_header(req, "If-Match"),
		.if_unmodified_since = http_req_header(req, "If-Unmodified-Since"),
		.if_none_match = http_req_header(req, "If-None-Match"),
		.if_modified_since = http_req_header(req, "If-Modified-Since"),
		.if_range = http_req_header(req, "If-Range"),
		.range = http_req_header(req, "Range"),
	};
	struct range_span span = {0, 0};
	unsigned status = range_decide(&rq, etag, (int64_t)st->st_mtime, size, &span);
	if (status == 412) {
		close(fd);
		http_problem(res, 412, "precondition-failed",
			     "the file does not match the request's precondition");
		return;
	}
	if (status == 416) {
		close(fd);
		http_header(res, "Content-Range", "bytes */%llu", (unsigned long long)size);
		http_problem(res, 416, "range-not-satisfiable", "the file has %llu bytes",
			     (unsigned long long)size);
		return;
	}
	/* Like nginx, a 304 carries the validators too */
	http_header(res, "ETag", "%s", etag);
	http_header(res, "Last-Modified", "%s", date);
	http_header(res, "Cache-Control", "%s", cache_control);
	if (status == 304) {
		/* MHD sends no body with a 304 but always a Content-Length, and RFC
		 * 9110 §8.6 allows only the 200's length there: so the whole file
		 * (nginx sends none) */
		http_file(res, 304, NULL, fd, 0, size);
		return;
	}
	http_header(res, "Accept-Ranges", "bytes");
	if (status == 206) {
		http_header(res, "Content-Range", "bytes %llu-%llu/%llu",
			    (unsigned long long)span.start,
			    (unsigned long long)(span.start + span.length - 1),
			    (unsigned long long)size);
		http_file(res, 206, type, fd, span.start, span.length);
	} else {
		http_file(res, 200, type, fd, 0, size);
	}
}
