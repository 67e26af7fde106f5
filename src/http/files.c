/* Files on disk as HTTP answers. See include/casereel/files.h. */
#include "casereel/files.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casereel/range.h"
#include "compress.h"

/* Files compressed on the fly are read whole first: playlists and the
 * web client's sources are far below this; larger ones go out as they are. */
#define GZIP_ON_THE_FLY_MAX (4u << 20)

/* What goes out: the file as it is, or its gzip (a precompressed twin on
 * disk, or compressed here into `buf`). */
struct variant {
	int fd;         /* the file whose bytes are sent (fd or the twin) */
	struct stat st; /* of the bytes the validators describe */
	char *buf;      /* gzip made here, or NULL */
	size_t buf_len;
	bool gzip;
};

/* Opens `path`'s twin as a regular file; -1 when there is none. */
static int open_twin(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Reads all `size` bytes of `fd` and gzips them into v->buf. */
static bool gzip_here(int fd, uint64_t size, struct variant *v)
{
	if (size > GZIP_ON_THE_FLY_MAX)
		return false;
	char *raw = malloc(size);
	size_t got = 0;
	while (raw && got < size) {
		ssize_t n = pread(fd, raw + got, size - got, (off_t)got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	bool ok = raw && got == size && !compress_gzip(raw, size, &v->buf, &v->buf_len);
	free(raw);
	return ok;
}

/* Picks the representation: gzip when the type is text, the file is large
 * enough, the client takes gzip and asks for no range (a range counts in
 * the file's own bytes). */
static void choose(struct cr_request *req, int fd, const struct stat *st, const char *twin,
		   const char *type, struct variant *v)
{
	*v = (struct variant){.fd = fd, .st = *st};
	if (!compress_type_ok(type) || (uint64_t)st->st_size < COMPRESS_MIN_BYTES ||
	    http_req_header(req, "Range") || !compress_accepted(req))
		return;
	struct stat tst;
	int tfd = twin ? open_twin(twin, &tst) : -1;
	if (tfd >= 0) {
		close(fd);
		*v = (struct variant){.fd = tfd, .st = tst, .gzip = true};
		return;
	}
	v->gzip = gzip_here(fd, (uint64_t)st->st_size, v);
	if (v->gzip)
		v->st.st_size = (off_t)v->buf_len;
}

void files_answer_twin(struct cr_request *req, struct cr_response *res, int fd,
		       const struct stat *st, const char *twin, const char *type,
		       const char *cache_control)
{
	struct variant v;
	choose(req, fd, st, twin, type, &v);
	char etag[RANGE_ETAG_MAX + 4], date[RANGE_DATE_MAX];
	uint64_t size = (uint64_t)v.st.st_size;
	range_etag((int64_t)v.st.st_mtime, size, etag);
	if (v.gzip) /* its own validator: "...-gz" */
		snprintf(etag + strlen(etag) - 1, sizeof etag - strlen(etag) + 1, "-gz\"");
	range_http_date((int64_t)v.st.st_mtime, date);
	struct range_request rq = {
		.if_match = http_req_header(req, "If-Match"),
		.if_unmodified_since = http_req_header(req, "If-Unmodified-Since"),
		.if_none_match = http_req_header(req, "If-None-Match"),
		.if_modified_since = http_req_header(req, "If-Modified-Since"),
		.if_range = http_req_header(req, "If-Range"),
		.range = http_req_header(req, "Range"),
	};
	struct range_span span = {0, 0};
	unsigned status = range_decide(&rq, etag, (int64_t)v.st.st_mtime, size, &span);
	if (compress_type_ok(type))
		http_header(res, "Vary", "Accept-Encoding");
	if (status == 412 || status == 416) {
		close(v.fd);
		free(v.buf);
		if (status == 412) {
			http_problem(res, 412, "precondition-failed",
				     "the file does not match the request's precondition");
			return;
		}
		http_header(res, "Content-Range", "bytes */%llu", (unsigned long long)size);
		http_problem(res, 416, "range-not-satisfiable", "the file has %llu bytes",
			     (unsigned long long)size);
		return;
	}
	/* Like nginx, a 304 carries the validators too */
	http_header(res, "ETag", "%s", etag);
	http_header(res, "Last-Modified", "%s", date);
	http_header(res, "Cache-Control", "%s", cache_control);
	if (v.buf) { /* compressed here: the file is no longer needed */
		close(v.fd);
		/* a 304 is sent without its body but with the 200's length, and
		 * without representation headers (RFC 9110 §15.4.5) */
		if (status != 304)
			http_header(res, "Content-Encoding", "gzip");
		http_text(res, status, status == 304 ? NULL : type, v.buf, v.buf_len);
		return;
	}
	if (status == 304) {
		/* MHD sends no body with a 304 but always a Content-Length, and RFC
		 * 9110 §8.6 allows only the 200's length there: so the whole file
		 * (nginx sends none) */
		http_file(res, 304, NULL, v.fd, 0, size);
		return;
	}
	if (v.gzip) {
		http_header(res, "Content-Encoding", "gzip");
		http_file(res, 200, type, v.fd, 0, size);
		return;
	}
	http_header(res, "Accept-Ranges", "bytes");
	if (status == 206) {
		http_header(res, "Content-Range", "bytes %llu-%llu/%llu",
			    (unsigned long long)span.start,
			    (unsigned long long)(span.start + span.length - 1),
			    (unsigned long long)size);
		http_file(res, 206, type, v.fd, span.start, span.length);
	} else {
		http_file(res, 200, type, v.fd, 0, size);
	}
}

void files_answer(struct cr_request *req, struct cr_response *res, int fd, const struct stat *st,
		  const char *type, const char *cache_control)
{
	files_answer_twin(req, res, fd, st, NULL, type, cache_control);
}
