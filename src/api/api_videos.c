/* Videos: the one-shot upload (raw body, streamed to disk), reading one
 * clip, and the caller's own clips. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casereel/app.h"
#include "casereel/fields.h"
#include "casereel/log.h"
#include "casereel/ops_stats.h"
#include "casereel/tus.h"
#include "casereel/upload_sink.h"
#include "casereel/upload_meta.h"
#include "casereel/videos.h"

#define URL_TTL 3600

/* A one-shot upload while its body streams: an uploads row (so it counts
 * against the quota from its first byte, and a crash leaves nothing the
 * expiry sweep does not clean up) that nobody else can resume. */
struct oneshot {
	struct upload up;
	bool locked;
	struct upload_sink sink;
};

/* The query string's title/description/filename/tags as a metadata object. */
static json_t *query_meta(struct cr_request *req)
{
	static const char *const keys[] = {"title", "description", "filename", "tags"};
	json_t *meta = json_object();
	for (size_t i = 0; meta && i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = http_query(req, keys[i]);
		json_t *s = v ? json_string(v) : NULL; /* NULL for non-UTF-8 */
		if (v && !s) {
			json_decref(meta);
			return NULL;
		}
		if (s)
			json_object_set_new(meta, keys[i], s);
	}
	return meta;
}

static bool video_type_ok(struct cr_request *req)
{
	const char *ct = http_req_header(req, "Content-Type");
	return ct &&
	       (!strncasecmp(ct, "video/", 6) || !strncasecmp(ct, "application/octet-stream", 24));
}

static bool oneshot_begin(struct cr_request *req, struct cr_response *res)
{
	struct oneshot *s = calloc(1, sizeof *s);
	if (!s) {
		http_error(res, CR_ENOMEM, "upload");
		return false;
	}
	upload_sink_init(&s->sink);
	req->stream = s;
	if (!video_type_ok(req)) {
		http_problem(res, 415, "unsupported-media-type",
			     "send the clip as video/* or application/octet-stream");
		return false;
	}
	int64_t declared;
	const char *cl = http_req_header(req, "Content-Length");
	if (cl && !tus_parse_size(cl, &declared)) {
		if (declared > req->cfg->upload_max) {
			http_problem(res, 413, "too-large", "a clip may be at most %lld bytes",
				     req->cfg->upload_max);
			return false;
		}
		s->up.length = declared;
	} else {
		s->up.length = req->cfg->upload_max; /* chunked: it may grow that far */
	}
	s->up.metadata = query_meta(req);
	struct video_new probe = {0};
	json_t *tags = NULL;
	struct cr_problem why = {0};
	cr_err e = s->up.metadata ? upload_meta_read(s->up.metadata, &probe, &tags, &why)
				  : cr_refuse(&why, CR_EINVAL, "invalid-field", "title",
					      "query parameters must be UTF-8");
	json_decref(tags);
	if (e) {
		http_fail(res, e, &why, "upload");
		return false;
	}
	if (!api_uploads_create(req, res, &s->up))
		return false;
	s->locked = uploads_lock(s->up.id);
	/* the quotas counted s->up.length: the body may not run past it */
	if (upload_sink_open(&s->sink, req->cfg, s->up.id, 0, s->up.length, UPLOAD_HASH_NONE)) {
		http_problem(res, 500, "internal", "the upload could not be stored");
		return false;
	}
	return true;
}

static bool oneshot_chunk(struct cr_request *req, struct cr_response *res, const char *data,
			  size_t size)
{
	struct oneshot *s = req->stream;
	cr_err e = upload_sink_write(&s->sink, data, size);
	s->up.offset = s->sink.offset;
	if (!e)
		ops_count(OPS_UPLOAD_BYTES, size);
	if (e == CR_ETOOBIG)
		http_problem(res, 413, "too-large", "a clip may be at most %lld bytes",
			     (long long)s->sink.limit);
	else if (e)
		http_problem(res, 500, "internal", "the upload could not be written to disk");
	return e == CR_OK;
}

static void oneshot_finish(struct cr_request *req, struct cr_response *res)
{
	struct oneshot *s = req->stream;
	if (s->up.offset == 0) {
		http_problem(res, 400, "empty-upload", "the body is empty: send the clip's bytes");
		return;
	}
	if (upload_sink_sync(&s->sink)) {
		http_problem(res, 500, "internal", "the upload could not be stored");
		return;
	}
	struct cr_problem why = {0};
	int64_t id = 0;
	json_t *video = NULL;
	s->up.length = s->up.offset;
	cr_err e = uploads_complete(&s->up, &id, &why);
	if (!e)
		e = videos_get_json(id, &req->user, URL_TTL, &video);
	if (cr_problem_explains(&why, e)) { /* e.g. a tag removed while the body streamed */
		http_fail(res, e, &why, "upload");
		return;
	}
	if (e) {
		http_error(res, e, "upload");
		return;
	}
	http_header(res, "Location", "/api/v1/videos/%lld", (long long)id);
	http_json(res, 202, video);
}

static void oneshot_release(struct cr_request *req, bool finished)
{
	struct oneshot *s = req->stream;
	if (!s)
		return;
	(void)finished;
	upload_sink_close(&s->sink);
	/* Refused or cut off: nothing was acknowledged, drop the row and file. */
	if (s->up.id[0] && !s->up.video_id && uploads_delete(req->cfg, s->up.id))
		log_warn("upload %s: could not drop a one-shot upload", s->up.id);
	if (s->locked)
		uploads_unlock(s->up.id);
	uploads_clear(&s->up);
	free(s);
	req->stream = NULL;
}

static const struct cr_stream_ops oneshot_ops = {oneshot_begin, oneshot_chunk, oneshot_finish,
						 oneshot_release};

static void get_video(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	json_t *j = NULL;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	cr_err e = videos_get_json(id, &req->user, URL_TTL, &j);
	if (e)
		http_error(res, e, "video");
	else
		http_json(res, 200, j);
}

static void my_videos(struct cr_request *req, struct cr_response *res)
{
	json_t *items = NULL;
	cr_err e = videos_list_own_json(req->user.id, URL_TTL, &items);
	if (e)
		http_error(res, e, "video list");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

static void edit_video(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	const char *title = NULL, *description = NULL;
	json_t *tags = NULL;
	if (!http_path_id(req, res, 0, "video", &id) ||
	    !field_text(req, res, "title", false, 1, VIDEO_TITLE_MAX, &title, NULL) ||
	    !field_text(req, res, "description", false, 0, VIDEO_DESCRIPTION_MAX, &description,
			NULL) ||
	    !field_string_array(req, res, "tags", VIDEO_TAGS_MAX, 32, &tags))
		return;
	struct cr_problem why = {0};
	bool waits = false;
	cr_err e = videos_edit(id, req->user.id, title, description, tags, &waits, &why);
	json_t *v = NULL;
	if (!e)
		e = videos_get_json(id, &req->user, URL_TTL, &v);
	if (e)
		http_fail(res, e, &why, "video of yours");
	else /* 202: a published clip's edit waits for review, in "edit" */
		http_json(res, waits ? 202 : 200, v);
}

static void delete_video(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	cr_err e = videos_remove(id, &req->user);
	if (e)
		http_error(res, e, "video you may remove");
	else
		http_no_content(res);
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/videos", CR_ROLE_AGENT, CR_BODY_STREAM, NULL, &oneshot_ops},
	{"PATCH", "/api/v1/videos/{id}", CR_ROLE_AGENT, CR_BODY_JSON, edit_video, NULL},
	{"DELETE", "/api/v1/videos/{id}", CR_ROLE_AGENT, CR_BODY_NONE, delete_video, NULL},
	{"GET", "/api/v1/videos/{id}", CR_ROLE_AGENT, CR_BODY_NONE, get_video, NULL},
	{"GET", "/api/v1/me/videos", CR_ROLE_AGENT, CR_BODY_NONE, my_videos, NULL},
};

cr_err api_videos_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
