/* tus 1.0.0 resumable uploads at /api/v1/uploads: core, creation,
 * creation-with-upload, termination, expiration and checksum (sha1, sha256).
 * Bytes go straight to the upload's file; an offset is acknowledged only
 * after they are fsync'd and the new offset is committed. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/app.h"
#include "casereel/clock.h"
#include "casereel/log.h"
#include "casereel/ops_stats.h"
#include "casereel/tus.h"
#include "casereel/upload_locks.h"
#include "casereel/upload_sink.h"
#include "casereel/upload_meta.h"
#include "casereel/uploads.h"
#include "casereel/videos.h"

#define OFFSET_OCTETS "application/offset+octet-stream"

/* How long a request waits for a PATCH whose client hung up to keep its
 * bytes and let go of the upload (it takes milliseconds; bounded so that a
 * stuck thread cannot hold others). */
#define SETTLE_MS 2000

/* State of one POST (creation-with-upload) or PATCH while its body streams. */
struct upload_stream {
	struct upload up;
	struct upload_sink sink; /* open while the body streams */
	bool locked;
	bool has_body;
	bool failed;                  /* refused mid-body: keep nothing of it */
	bool settled;                 /* let go early: its client had gone */
	bool created;                 /* this POST made the row... */
	bool announced;               /* ...and answered 201 with its Location */
	struct tus_checksum checksum; /* alg NONE: no Upload-Checksum */
	/* held while this request's own code runs, so that another request
	 * may settle it in between (struct upload_holder) */
	pthread_mutex_t mu;
};

/* Bytes of this request's body written and not yet acknowledged. */
static int64_t received(const struct upload_stream *s)
{
	return s->sink.fd >= 0 ? s->sink.offset - s->up.offset : 0;
}

static void expires_header(struct cr_response *res, int64_t expires_at)
{
	char date[64];
	time_t t = (time_t)expires_at;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	http_header(res, "Upload-Expires", "%s", date);
}

/* 412 unless the client speaks our tus version. */
static bool tus_version_ok(struct cr_request *req, struct cr_response *res)
{
	const char *v = http_req_header(req, "Tus-Resumable");
	if (v && !strcmp(v, TUS_VERSION))
		return true;
	http_header(res, "Tus-Version", TUS_VERSION);
	http_problem(res, 412, "tus-version", "send Tus-Resumable: %s", TUS_VERSION);
	return false;
}

static void options(struct cr_request *req, struct cr_response *res)
{
	http_header(res, "Tus-Version", TUS_VERSION);
	http_header(res, "Tus-Extension",
		    "creation,creation-with-upload,termination,expiration,checksum");
	http_header(res, "Tus-Max-Size", "%lld", req->cfg->upload_max);
	http_header(res, "Tus-Checksum-Algorithm", "%s", tus_checksum_algorithms());
	http_no_content(res);
}

bool api_uploads_create(struct cr_request *req, struct cr_response *res, struct upload *u)
{
	u->owner_id = req->user.id;
	u->created_at = cr_now();
	u->expires_at = u->created_at + req->cfg->upload_expiry;
	int64_t retry_at = 0;
	struct cr_problem why = {0};
	cr_err e = uploads_create(req->cfg, u, &retry_at, &why);
	if (e == CR_ETHROTTLED)
		http_header(res, "Retry-After", "%lld",
			    (long long)(retry_at > u->created_at ? retry_at - u->created_at : 1));
	if (e)
		http_fail(res, e, &why, "upload");
	return e == CR_OK;
}

/* Answers 410 for an unfinished upload past its expiry. */
static bool refused_as_expired(struct cr_response *res, const struct upload *u)
{
	if (u->video_id || u->expires_at >= cr_now())
		return false;
	http_problem(res, 410, "expired", "this upload expired; start a new one");
	return true;
}

/* Reads a size header; answers 400 and returns false when malformed. */
static bool size_header(struct cr_request *req, struct cr_response *res, const char *name,
			int64_t *out)
{
	if (tus_parse_size(http_req_header(req, name), out) == CR_OK)
		return true;
	http_problem(res, 400, "bad-header", "%s must be a non-negative whole number", name);
	return false;
}

static bool checksum_header(struct cr_request *req, struct cr_response *res,
			    struct upload_stream *s)
{
	const char *h = http_req_header(req, "Upload-Checksum");
	if (!h)
		return true;
	cr_err e = tus_parse_checksum(h, &s->checksum);
	if (e == CR_ENOTFOUND)
		http_problem(res, 400, "bad-checksum",
			     "Upload-Checksum names an algorithm we do not verify; use one of %s",
			     tus_checksum_algorithms());
	else if (e)
		http_problem(res, 400, "bad-checksum",
			     "Upload-Checksum must be '<algorithm> <base64 digest>' with a digest "
			     "of the algorithm's size");
	return !e;
}

/* Opens the upload's file at its acknowledged offset, dropping any bytes
 * written past it that were never acknowledged (a crash mid-PATCH). */
static bool open_at_offset(struct cr_request *req, struct cr_response *res, struct upload_stream *s)
{
	if (upload_sink_open(&s->sink, req->cfg, s->up.id, s->up.offset, s->up.length,
			     s->checksum.alg) == CR_OK)
		return true;
	http_problem(res, 500, "internal", "the upload's file cannot be written");
	return false;
}

static bool body_fits(struct cr_request *req, struct cr_response *res,
		      const struct upload_stream *s)
{
	int64_t declared;
	const char *cl = http_req_header(req, "Content-Length");
	if (!cl || tus_parse_size(cl, &declared) || declared <= s->up.length - s->up.offset)
		return true;
	http_problem(res, 413, "too-large", "the body runs past Upload-Length (%lld bytes left)",
		     (long long)(s->up.length - s->up.offset));
	return false;
}

/* The request's upload state, attached to req->stream, once the Tus-Resumable
 * version is right; NULL after answering otherwise. */
static struct upload_stream *stream_begin(struct cr_request *req, struct cr_response *res)
{
	struct upload_stream *s = calloc(1, sizeof *s);
	if (!s) {
		http_error(res, CR_ENOMEM, "upload");
		return NULL;
	}
	upload_sink_init(&s->sink);
	pthread_mutex_init(&s->mu, NULL);
	req->stream = s;
	return tus_version_ok(req, res) ? s : NULL;
}

static bool create_begin(struct cr_request *req, struct cr_response *res)
{
	struct upload_stream *s = stream_begin(req, res);
	if (!s)
		return false;
	if (http_req_header(req, "Upload-Defer-Length")) {
		http_problem(res, 400, "bad-header",
			     "Upload-Defer-Length is not supported: send Upload-Length");
		return false;
	}
	if (!size_header(req, res, "Upload-Length", &s->up.length))
		return false;
	if (s->up.length == 0) {
		http_problem(res, 400, "empty-upload", "Upload-Length is 0: a clip has bytes");
		return false;
	}
	if (s->up.length > req->cfg->upload_max) {
		http_problem(res, 413, "too-large", "a clip may be at most %lld bytes",
			     req->cfg->upload_max);
		return false;
	}
	const char *raw = http_req_header(req, "Upload-Metadata");
	if (tus_parse_metadata(raw, &s->up.metadata)) {
		http_problem(res, 400, "bad-header",
			     "Upload-Metadata must be 'key base64,key base64'");
		return false;
	}
	struct video_new probe = {0};
	json_t *tags = NULL;
	struct cr_problem why = {0};
	cr_err e = upload_meta_read(s->up.metadata, &probe, &tags, &why);
	json_decref(tags);
	if (e) {
		http_fail(res, e, &why, "Upload-Metadata");
		return false;
	}
	const char *ct = http_req_header(req, "Content-Type");
	s->has_body = ct && !strncmp(ct, OFFSET_OCTETS, strlen(OFFSET_OCTETS));
	if (s->has_body && (!checksum_header(req, res, s) || !body_fits(req, res, s)))
		return false;
	s->up.raw_metadata = raw ? strdup(raw) : NULL;
	if (!api_uploads_create(req, res, &s->up))
		return false;
	s->created = true;
	s->locked = uploads_lock(s->up.id);
	if (s->has_body)
		http_set_idle_timeout(req, (unsigned)req->cfg->upload_idle_timeout);
	return !s->has_body || open_at_offset(req, res, s);
}

static void let_go(struct upload_stream *s);
static bool try_pause(void *arg);
static void settle(void *arg);

/* The part of a PATCH's start that runs holding the upload's lock. */
static bool patch_locked(struct cr_request *req, struct cr_response *res, struct upload_stream *s,
			 int64_t offset)
{
	/* Read again under the lock: a PATCH that held it until a moment ago
	 * may have moved the offset (or finished the upload) since. */
	char id[sizeof s->up.id];
	snprintf(id, sizeof id, "%s", s->up.id);
	uploads_clear(&s->up);
	cr_err e = uploads_get(id, req->user.id, &s->up);
	snprintf(s->up.id, sizeof s->up.id, "%s", id); /* for let_go, even when it is gone */
	if (e) {
		http_error(res, e, "upload");
		return false;
	}
	if (offset != s->up.offset) {
		http_header(res, "Upload-Offset", "%lld", (long long)s->up.offset);
		http_problem(res, 409, "offset-mismatch",
			     "Upload-Offset is %lld but the upload is at %lld", (long long)offset,
			     (long long)s->up.offset);
		return false;
	}
	s->has_body = true;
	http_set_idle_timeout(req, (unsigned)req->cfg->upload_idle_timeout);
	return checksum_header(req, res, s) && body_fits(req, res, s) &&
	       open_at_offset(req, res, s);
}

static bool patch_start(struct cr_request *req, struct cr_response *res, struct upload_stream *s)
{
	const char *ct = http_req_header(req, "Content-Type");
	if (!ct || strncmp(ct, OFFSET_OCTETS, strlen(OFFSET_OCTETS)) != 0) {
		http_problem(res, 415, "unsupported-media-type", "send the bytes as %s",
			     OFFSET_OCTETS);
		return false;
	}
	int64_t offset;
	if (!size_header(req, res, "Upload-Offset", &offset))
		return false;
	cr_err e = uploads_get(req->params[0], req->user.id, &s->up);
	if (e) {
		http_error(res, e, "upload");
		return false;
	}
	if (refused_as_expired(res, &s->up))
		return false;
	/* a PATCH of this upload whose client hung up (an aborted PATCH being
	 * resumed at once) keeps what it can and lets go first */
	struct upload_holder me = {http_client_socket(req), try_pause, settle, s};
	if (!uploads_lock_as(s->up.id, &me, SETTLE_MS)) {
		http_problem(res, 423, "locked", "another request is writing to this upload");
		return false;
	}
	s->locked = true;
	if (patch_locked(req, res, s, offset))
		return true;
	let_go(s); /* refused: free the upload now, not when the answer has gone out */
	return false;
}

static bool patch_begin(struct cr_request *req, struct cr_response *res)
{
	struct upload_stream *s = stream_begin(req, res);
	if (!s)
		return false;
	pthread_mutex_lock(&s->mu);
	bool ok = patch_start(req, res, s);
	pthread_mutex_unlock(&s->mu);
	return ok;
}

/* The answer of a PATCH that another request settled (its client had hung
 * up): should the client still read, it learns where the upload is. */
static void answer_settled(struct upload_stream *s, struct cr_response *res)
{
	http_header(res, "Upload-Offset", "%lld", (long long)s->up.offset);
	http_problem(res, 409, "offset-mismatch", "this PATCH was cut off; the upload is at %lld",
		     (long long)s->up.offset);
}

static bool chunk_locked(struct upload_stream *s, struct cr_response *res, const char *data,
			 size_t size)
{
	if (!s->has_body)
		return true; /* creation without upload: ignore stray bytes */
	if (s->settled) {
		answer_settled(s, res);
		return false;
	}
	cr_err e = upload_sink_write(&s->sink, data, size);
	if (!e) {
		ops_count(OPS_UPLOAD_BYTES, size);
		return true;
	}
	s->failed = true;
	if (e == CR_ETOOBIG)
		http_problem(res, 413, "too-large", "the body runs past Upload-Length");
	else
		http_problem(res, 500, "internal", "the upload could not be written to disk");
	return false;
}

static bool stream_chunk(struct cr_request *req, struct cr_response *res, const char *data,
			 size_t size)
{
	struct upload_stream *s = req->stream;
	pthread_mutex_lock(&s->mu);
	bool ok = chunk_locked(s, res, data, size);
	pthread_mutex_unlock(&s->mu);
	return ok;
}

/* Makes the received bytes durable and acknowledges the new offset; turns
 * a complete upload into a video. */
static cr_err commit_received(struct upload_stream *s, struct cr_problem *why)
{
	int64_t fresh = received(s);
	if (fresh == 0 && s->up.offset < s->up.length)
		return CR_OK;
	if (fresh && upload_sink_sync(&s->sink))
		return CR_EIO;
	int64_t offset = s->up.offset + fresh, video_id;
	cr_err e;
	if (offset < s->up.length || s->up.video_id) {
		e = uploads_set_offset(s->up.id, offset);
	} else {
		/* The last bytes: the offset and the video commit together, so an
		 * upload never reads as complete without its video. */
		e = uploads_complete(&s->up, &video_id, why);
	}
	if (e)
		return e;
	s->up.offset = offset;
	return CR_OK;
}

static bool checksum_matches(struct upload_stream *s)
{
	return s->checksum.alg == UPLOAD_HASH_NONE ||
	       upload_sink_digest_is(&s->sink, s->checksum.digest);
}

/* Closes the file and drops the upload's lock. Done as soon as the answer is
 * decided, not when it has been sent: a client that gets its 204 may send
 * the next PATCH before this request's completion runs, and must not find
 * the upload still locked. */
static void let_go(struct upload_stream *s)
{
	upload_sink_close(&s->sink);
	if (s->locked)
		uploads_unlock(s->up.id);
	s->locked = false;
}

static void answer_finished(struct cr_request *req, struct cr_response *res)
{
	struct upload_stream *s = req->stream;
	bool creating = !strcmp(req->method, "POST");
	if (!checksum_matches(s)) {
		s->failed = true;
		http_problem(res, 460, "checksum-mismatch",
			     "the body does not match Upload-Checksum; send it again");
		return;
	}
	struct cr_problem why = {0};
	cr_err e = commit_received(s, &why);
	if (e == CR_EINVAL) {
		http_fail(res, e, &why, "Upload-Metadata");
		return;
	}
	if (e) {
		s->failed = true;
		http_error(res, e, "upload");
		return;
	}
	http_header(res, "Upload-Offset", "%lld", (long long)s->up.offset);
	expires_header(res, s->up.expires_at);
	if (s->up.video_id)
		http_header(res, "Casereel-Video-Id", "%lld", (long long)s->up.video_id);
	if (creating) {
		s->announced = true;
		http_header(res, "Location", "/api/v1/uploads/%s", s->up.id);
		http_json(res, 201,
			  json_pack("{s:s, s:I}", "id", s->up.id, "offset",
				    (json_int_t)s->up.offset));
	} else {
		http_no_content(res);
	}
}

static void stream_finish(struct cr_request *req, struct cr_response *res)
{
	struct upload_stream *s = req->stream;
	pthread_mutex_lock(&s->mu);
	if (s->settled)
		answer_settled(s, res);
	else
		answer_finished(req, res);
	let_go(s);
	pthread_mutex_unlock(&s->mu);
}

/* For a body cut off: keeps what arrived (tus lets a client resume from
 * there) unless it cannot be verified or was refused. */
static void keep_partial(struct upload_stream *s)
{
	if (s->failed || s->checksum.alg != UPLOAD_HASH_NONE || received(s) <= 0)
		return;
	if (commit_received(s, NULL))
		log_warn("upload %s: could not keep a partial body", s->up.id);
}

/* upload_holder.try_pause: holds this PATCH between two of its callbacks. */
static bool try_pause(void *arg)
{
	struct upload_stream *s = arg;
	return pthread_mutex_trylock(&s->mu) == 0;
}

/* upload_holder.settle: what release does when the connection broke, done
 * now for a request that found this PATCH's client gone, and held by
 * try_pause until then. */
static void settle(void *arg)
{
	struct upload_stream *s = arg;
	keep_partial(s);
	let_go(s);
	s->settled = true;
	pthread_mutex_unlock(&s->mu);
}

static void stream_release(struct cr_request *req, bool finished)
{
	struct upload_stream *s = req->stream;
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	if (s->created && !s->announced) {
		/* A creation refused or cut off: its client never learnt the
		 * upload's URL, so nobody can resume it; it must not count
		 * against the day's quota either. */
		let_go(s);
		if (uploads_delete(req->cfg, s->up.id))
			log_warn("upload %s: could not drop an unannounced upload", s->up.id);
	} else if (!finished) {
		keep_partial(s);
	}
	let_go(s);
	uploads_clear(&s->up);
	pthread_mutex_unlock(&s->mu);
	pthread_mutex_destroy(&s->mu);
	free(s);
	req->stream = NULL;
}

static const struct cr_stream_ops upload_stream_ops[2] = {
	{create_begin, stream_chunk, stream_finish, stream_release},
	{patch_begin, stream_chunk, stream_finish, stream_release},
};

/* Loads the caller's upload {id}, as a PATCH whose client has hung up
 * leaves it (uploads_settle): a client resuming right after an abort reads
 * the offset that PATCH kept. */
static cr_err get_settled(struct cr_request *req, struct upload *up)
{
	cr_err e = uploads_get(req->params[0], req->user.id, up);
	if (e || !uploads_settle(up->id, SETTLE_MS))
		return e;
	uploads_clear(up);
	return uploads_get(req->params[0], req->user.id, up);
}

static void head_upload(struct cr_request *req, struct cr_response *res)
{
	struct upload up;
	if (!tus_version_ok(req, res))
		return;
	cr_err e = get_settled(req, &up);
	if (e) {
		http_error(res, e, "upload");
		return;
	}
	if (refused_as_expired(res, &up)) {
		uploads_clear(&up);
		return;
	}
	http_header(res, "Upload-Offset", "%lld", (long long)up.offset);
	http_header(res, "Upload-Length", "%lld", (long long)up.length);
	if (up.raw_metadata && strlen(up.raw_metadata) < sizeof res->headers[0].value)
		http_header(res, "Upload-Metadata", "%s", up.raw_metadata);
	expires_header(res, up.expires_at);
	uploads_clear(&up);
	http_text(res, 200, NULL, NULL, 0);
}

/* Our extension: where the upload stands and which video it became. */
static void get_upload(struct cr_request *req, struct cr_response *res)
{
	struct upload up;
	cr_err e = get_settled(req, &up);
	if (e) {
		http_error(res, e, "upload");
		return;
	}
	json_t *video = NULL;
	if (up.video_id && videos_get_json(up.video_id, &req->user, 3600, &video))
		video = NULL;
	http_json(res, 200,
		  json_pack("{s:s, s:I, s:I, s:I, s:o}", "id", up.id, "offset",
			    (json_int_t)up.offset, "length", (json_int_t)up.length, "expires_at",
			    (json_int_t)up.expires_at, "video", video ? video : json_null()));
	uploads_clear(&up);
}

static void delete_upload(struct cr_request *req, struct cr_response *res)
{
	struct upload up;
	if (!tus_version_ok(req, res))
		return;
	cr_err e = uploads_get(req->params[0], req->user.id, &up);
	if (!e && up.video_id)
		http_problem(res, 409, "conflict",
			     "this upload is complete; delete its video instead");
	else if (!e && !uploads_lock_as(up.id, NULL, SETTLE_MS))
		http_problem(res, 423, "locked", "another request is writing to this upload");
	else if (e)
		http_error(res, e, "upload");
	else {
		e = uploads_delete(req->cfg, up.id);
		uploads_unlock(up.id);
		if (e)
			http_error(res, e, "upload");
		else
			http_no_content(res);
	}
	uploads_clear(&up);
}

/* Every answer says Tus-Resumable, the glue's refusals too (401, 403,
 * 405, 429), and a POST may say which method it stands for. */
static const struct cr_route_extra tus_extra = {
	.answer_header = "Tus-Resumable",
	.answer_value = TUS_VERSION,
	.method_override = true,
};

static const struct cr_route routes[] = {
	{"OPTIONS", "/api/v1/uploads", CR_ROLE_NONE, CR_BODY_NONE, options, NULL},
	{"POST", "/api/v1/uploads", CR_ROLE_AGENT, CR_BODY_STREAM, NULL, &upload_stream_ops[0]},
	{"HEAD", "/api/v1/uploads/{id}", CR_ROLE_AGENT, CR_BODY_NONE, head_upload, NULL},
	{"GET", "/api/v1/uploads/{id}", CR_ROLE_AGENT, CR_BODY_NONE, get_upload, NULL},
	{"PATCH", "/api/v1/uploads/{id}", CR_ROLE_AGENT, CR_BODY_STREAM, NULL,
	 &upload_stream_ops[1]},
	{"DELETE", "/api/v1/uploads/{id}", CR_ROLE_AGENT, CR_BODY_NONE, delete_upload, NULL},
};

cr_err api_uploads_register(struct router *r)
{
	return router_add_extra(r, routes, sizeof routes / sizeof routes[0], &tus_extra);
}
