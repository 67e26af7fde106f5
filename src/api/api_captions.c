/* A clip's captions per language (a WebVTT or SRT file, or the web
 * editor's cue list) and its audit trail. */
#include <stdlib.h>
#include <string.h>

#include "casereel/app.h"
#include "casereel/captions.h"
#include "casereel/tus.h"
#include "casereel/video_audit.h"

/* A caption body while it arrives: at most CAPTIONS_BYTES_MAX bytes are
 * kept; `total` counts them all, so the parser refuses a longer file. */
struct caption_body {
	size_t total;
	bool json;
	char data[CAPTIONS_BYTES_MAX + 1];
};

static const char *const body_types[] = {"text/vtt", "application/x-subrip", "text/plain",
					 "application/octet-stream", "application/json"};

/* The clip id and language of the path; false after answering 404. */
static bool caption_path(struct cr_request *req, struct cr_response *res, int64_t *id)
{
	if (!http_path_id(req, res, 0, "video", id))
		return false;
	if (captions_lang_valid(req->params[1]))
		return true;
	http_problem(res, 404, "not-found", "captions are in zh or en");
	return false;
}

static bool body_begin(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	struct caption_body *b = calloc(1, sizeof *b);
	req->stream = b;
	if (!b) {
		http_error(res, CR_ENOMEM, "captions");
		return false;
	}
	if (!caption_path(req, res, &id))
		return false;
	bool known = false;
	for (size_t i = 0; i < sizeof body_types / sizeof body_types[0]; i++)
		known |= http_content_type_is(req, body_types[i]);
	if (!known) {
		http_problem(res, 415, "unsupported-media-type",
			     "send captions as text/vtt, application/x-subrip or application/json");
		return false;
	}
	b->json = http_content_type_is(req, "application/json");
	int64_t declared;
	const char *cl = http_req_header(req, "Content-Length");
	if (cl && !tus_parse_size(cl, &declared) && declared > CAPTIONS_BYTES_MAX) {
		struct captions none; /* refused on its length alone: nothing is read */
		struct cr_problem why = {0};
		cr_err e = captions_parse(NULL, (size_t)declared, 0, &none, &why);
		http_fail(res, e, &why, "captions");
		return false;
	}
	return true;
}

static bool body_chunk(struct cr_request *req, struct cr_response *res, const char *data,
		       size_t size)
{
	(void)res;
	struct caption_body *b = req->stream;
	if (b->total < CAPTIONS_BYTES_MAX + 1) {
		size_t room = CAPTIONS_BYTES_MAX + 1 - b->total;
		memcpy(b->data + b->total, data, size < room ? size : room);
	}
	b->total += size;
	return true;
}

static void body_finish(struct cr_request *req, struct cr_response *res)
{
	struct caption_body *b = req->stream;
	int64_t id;
	if (!caption_path(req, res, &id))
		return;
	json_t *doc = NULL, *cues = NULL;
	if (b->json && b->total <= CAPTIONS_BYTES_MAX) {
		doc = json_loadb(b->data, b->total, 0, NULL);
		cues = json_object_get(doc, "cues");
		if (!json_is_array(cues) || json_object_size(doc) != 1) {
			json_decref(doc);
			http_invalid_field(res, "cues",
					   "send {\"cues\": [{start, end, text}, ...]}");
			return;
		}
	}
	struct cr_problem why = {0};
	json_t *out = NULL;
	cr_err e =
		captions_put(id, req->params[1], &req->user, b->data, b->total, cues, &out, &why);
	json_decref(doc);
	if (e)
		http_fail(res, e, &why, "video");
	else
		http_json(res, 200, out);
}

static void body_release(struct cr_request *req, bool finished)
{
	(void)finished;
	free(req->stream);
	req->stream = NULL;
}

static const struct cr_stream_ops put_ops = {body_begin, body_chunk, body_finish, body_release};

static void get_captions(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	json_t *out = NULL;
	if (!caption_path(req, res, &id))
		return;
	cr_err e = captions_get_json(id, req->params[1], &req->user, &out);
	if (e)
		http_error(res, e, "captions");
	else
		http_json(res, 200, out);
}

static void delete_captions(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	struct cr_problem why = {0};
	if (!caption_path(req, res, &id))
		return;
	cr_err e = captions_delete(id, req->params[1], &req->user, &why);
	if (e)
		http_fail(res, e, &why, "captions");
	else
		http_no_content(res);
}

static void get_audit(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	json_t *items = NULL;
	if (!http_path_id(req, res, 0, "video", &id))
		return;
	cr_err e = video_audit_list_json(id, &items);
	if (e)
		http_error(res, e, "video");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

static const struct cr_route routes[] = {
	{"PUT", "/api/v1/videos/{id}/captions/{lang}", CR_ROLE_AGENT, CR_BODY_STREAM, NULL,
	 &put_ops},
	{"GET", "/api/v1/videos/{id}/captions/{lang}", CR_ROLE_AGENT, CR_BODY_NONE, get_captions,
	 NULL},
	{"DELETE", "/api/v1/videos/{id}/captions/{lang}", CR_ROLE_AGENT, CR_BODY_NONE,
	 delete_captions, NULL},
	{"GET", "/api/v1/videos/{id}/audit", CR_ROLE_TRAINER, CR_BODY_NONE, get_audit, NULL},
};

cr_err api_captions_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
