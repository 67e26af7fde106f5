/* Importing service metrics: a CSV file streamed to disk (never held in
 * memory) or a JSON batch, from admins and integration tokens. Small ones
 * are answered at once (201 written, 422 with the bad rows); large ones,
 * or any sent with "Prefer: respond-async", are answered 202 and run in
 * the background, their status read at /api/v1/metrics/imports/{id}. Also
 * the import list and undo. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "casereel/app.h"
#include "casereel/import_queue.h"
#include "casereel/integration_tokens.h"
#include "casereel/kpi_imports.h"
#include "casereel/log.h"
#include "casereel/media.h"
#include "casereel/upload_sink.h"

/* --- answers ------------------------------------------------------------ */

/* Answers the outcome of a run: 201 with the record, or the refusal (422
 * naming the bad rows; nothing was written). */
static void answer_run(struct cr_response *res, cr_err e, json_t *status,
		       const struct cr_problem *why)
{
	if (e == CR_OK && status) {
		json_object_set(status, "import_id", json_object_get(status, "id"));
		http_json(res, 201, json_incref(status));
		return;
	}
	http_fail(res, e, why, "import");
	json_t *errors = json_object_get(status, "errors");
	if (e == CR_EINVAL && res->json && errors) {
		json_object_set(res->json, "import_id", json_object_get(status, "id"));
		json_object_set(res->json, "error_count", json_object_get(status, "error_count"));
		json_object_set(res->json, "errors", errors);
	}
}

/* Who sends: an admin or an integration token. */
static struct kpi_source source_of(const struct cr_request *req, const char *format,
				   const char *sha256)
{
	return (struct kpi_source){.user_id = req->integration_id ? 0 : req->user.id,
				   .token_id = req->integration_id,
				   .format = format,
				   .sha256 = sha256};
}

/* --- CSV, streamed to a file ------------------------------------------- */

struct csv_body {
	struct upload_sink sink; /* the file, its size (offset), limit and sha256 */
	char path[PATH_MAX];     /* <data>/imports/incoming-XXXXXX until recorded */
	bool recorded;           /* the file became <id>.csv: the record owns it */
};

/* The lowercase hex of a sha256 digest. */
static void digest_hex(const unsigned char digest[crypto_hash_sha256_BYTES],
		       char hex[2 * crypto_hash_sha256_BYTES + 1])
{
	sodium_bin2hex(hex, 2 * crypto_hash_sha256_BYTES + 1, digest, crypto_hash_sha256_BYTES);
}

static bool wants_async(const struct cr_request *req)
{
	const char *prefer = http_req_header(req, "Prefer");
	return prefer && strcasestr(prefer, "respond-async");
}

static bool csv_begin(struct cr_request *req, struct cr_response *res)
{
	struct csv_body *b = calloc(1, sizeof *b);
	if (!b) {
		http_error(res, CR_ENOMEM, "import");
		return false;
	}
	upload_sink_init(&b->sink);
	req->stream = b;
	if (!http_content_type_is(req, "text/csv")) {
		http_problem(res, 415, "unsupported-media-type", "send the body as text/csv");
		return false;
	}
	const char *cl = http_req_header(req, "Content-Length");
	if (cl && strtoull(cl, NULL, 10) > (unsigned long long)req->cfg->metrics_csv_max) {
		http_problem(res, 413, "too-large", "a metrics file may be at most %ld bytes",
			     req->cfg->metrics_csv_max);
		return false;
	}
	if (import_queue_path(req->cfg, 0, b->path, sizeof b->path) ||
	    strlen(b->path) + sizeof "/incoming-XXXXXX" > sizeof b->path) {
		http_error(res, CR_EIO, "import");
		return false;
	}
	strcat(b->path, "/incoming-XXXXXX");
	int fd = mkostemp(b->path, O_CLOEXEC);
	if (fd < 0) {
		log_error("import file %s: %s", b->path, strerror(errno));
		b->path[0] = '\0';
		http_error(res, CR_EIO, "import");
		return false;
	}
	upload_sink_adopt(&b->sink, fd, req->cfg->metrics_csv_max, UPLOAD_HASH_SHA256);
	return true;
}

static bool csv_chunk(struct cr_request *req, struct cr_response *res, const char *data,
		      size_t size)
{
	struct csv_body *b = req->stream;
	cr_err e = upload_sink_write(&b->sink, data, size);
	if (e == CR_ETOOBIG)
		http_problem(res, 413, "too-large", "a metrics file may be at most %ld bytes",
			     req->cfg->metrics_csv_max);
	else if (e)
		http_error(res, e, "import");
	return !e;
}

/* Makes the received file durable, records the import and gives the file
 * its import's name. */
static cr_err keep_file(struct cr_request *req, struct csv_body *b, int64_t *id)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof digest + 1], final[PATH_MAX];
	if (!upload_sink_digest(&b->sink, digest) || upload_sink_sync(&b->sink))
		return CR_EIO;
	digest_hex(digest, hex);
	struct kpi_source src = source_of(req, "csv", hex);
	cr_err e = kpi_import_record(&src, b->sink.offset, id);
	if (!e)
		e = import_queue_path(req->cfg, *id, final, sizeof final);
	if (!e && rename(b->path, final) != 0) {
		log_error("rename %s -> %s: %s", b->path, final, strerror(errno));
		e = CR_EIO;
	}
	if (!e) {
		b->recorded = true;
		snprintf(b->path, sizeof b->path, "%s", final);
		e = media_fsync_parent(final);
	}
	if (e && *id) /* a record without its file ends at once */
		kpi_import_unreadable(*id, CR_EIO, NULL);
	return e;
}

static void csv_finish(struct cr_request *req, struct cr_response *res)
{
	struct csv_body *b = req->stream;
	int64_t id = 0;
	if (b->sink.offset == 0) {
		http_problem(res, 422, "invalid-csv",
			     "the body is empty: send a header line and one row per value");
		return;
	}
	cr_err e = keep_file(req, b, &id);
	if (e) {
		http_error(res, e, "import");
		return;
	}
	json_t *status = NULL;
	bool asked = wants_async(req);
	if (b->sink.offset > req->cfg->import_sync_max || asked) {
		import_queue_wake(req->app->imports);
		e = kpi_import_status_json(id, &status);
		if (e) {
			http_error(res, e, "import");
			return;
		}
		json_object_set(status, "import_id", json_object_get(status, "id"));
		http_header(res, "Location", "/api/v1/metrics/imports/%lld", (long long)id);
		if (asked)
			http_header(res, "Preference-Applied", "respond-async");
		http_json(res, 202, status);
		return;
	}
	struct kpi_rows *rows;
	struct cr_problem why = {0};
	e = kpi_rows_open_csv(b->path, &rows, &why);
	if (e)
		kpi_import_unreadable(id, e, &why);
	else
		e = kpi_import_run(id, rows, NULL, &status, &why);
	kpi_rows_close(&rows);
	unlink(b->path);
	answer_run(res, e, status, &why);
	json_decref(status);
}

static void csv_release(struct cr_request *req, bool finished)
{
	(void)finished;
	struct csv_body *b = req->stream;
	if (!b)
		return;
	upload_sink_close(&b->sink);
	if (!b->recorded && b->path[0])
		unlink(b->path); /* never acknowledged: it goes */
	free(b);
	req->stream = NULL;
}

static const struct cr_stream_ops csv_ops = {csv_begin, csv_chunk, csv_finish, csv_release};

/* --- a JSON batch ------------------------------------------------------- */

static void import_batch(struct cr_request *req, struct cr_response *res)
{
	json_t *rows = json_object_get(req->json, "rows");
	if (!json_is_array(rows)) {
		http_invalid_field(res, "rows",
				   "rows must be an array of {date, employee_id or "
				   "username, metric, tag, value}");
		return;
	}
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof digest + 1];
	crypto_hash_sha256(digest, (const unsigned char *)req->body, req->body_len);
	digest_hex(digest, hex);
	struct kpi_source src = source_of(req, "json", hex);
	struct kpi_rows *reader = NULL;
	struct cr_problem why = {0};
	json_t *status = NULL;
	int64_t id;
	cr_err e = kpi_import_record(&src, (int64_t)req->body_len, &id);
	if (!e && !(e = kpi_rows_open_json(rows, &reader)))
		e = kpi_import_run(id, reader, NULL, &status, &why);
	kpi_rows_close(&reader);
	answer_run(res, e, status, &why);
	json_decref(status);
}

/* --- the record --------------------------------------------------------- */

static void list_imports(struct cr_request *req, struct cr_response *res)
{
	long limit;
	if (!http_query_long(req, res, "limit", 50, 1, 500, &limit))
		return;
	json_t *items;
	cr_err e = kpi_imports_json(limit, &items);
	if (e)
		http_error(res, e, "import list");
	else
		http_json(res, 200, json_pack("{s:o}", "items", items));
}

/* One import's status: admins see every import, a token those it sent. */
static void get_import(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	json_t *status;
	if (!http_path_id(req, res, 0, "import", &id))
		return;
	cr_err e = kpi_import_status_json(id, &status);
	if (!e && req->integration_id &&
	    json_integer_value(json_object_get(status, "token_id")) != req->integration_id) {
		json_decref(status);
		e = CR_ENOTFOUND;
	}
	if (e)
		http_error(res, e, "import");
	else
		http_json(res, 200, status);
}

static void undo_import(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (!http_path_id(req, res, 0, "import", &id))
		return;
	struct cr_problem why = {0};
	cr_err e = kpi_import_undo(id, req->user.id, &why);
	if (e)
		http_fail(res, e, &why, "import");
	else
		http_no_content(res);
}

static const struct cr_route routes[] = {
	{"GET", "/api/v1/metrics/imports", CR_ROLE_ADMIN, CR_BODY_NONE, list_imports, NULL},
	{"POST", "/api/v1/metrics/imports/{id}/undo", CR_ROLE_ADMIN, CR_BODY_NONE, undo_import,
	 NULL},
};

/* Admins, and the integration tokens made for this. */
static const struct cr_route import_routes[] = {
	{"POST", "/api/v1/metrics/import", CR_ROLE_ADMIN, CR_BODY_STREAM, NULL, &csv_ops},
	{"POST", "/api/v1/metrics/batch", CR_ROLE_ADMIN, CR_BODY_JSON, import_batch, NULL},
	{"GET", "/api/v1/metrics/imports/{id}", CR_ROLE_ADMIN, CR_BODY_NONE, get_import, NULL},
};
static const struct cr_route_extra import_extra = {
	.scope = INTEGRATION_SCOPE_METRICS, .bulk = true, .long_queries = true};

cr_err api_metric_imports_register(struct router *r)
{
	cr_err e = router_add_extra(r, import_routes,
				    sizeof import_routes / sizeof import_routes[0], &import_extra);
	return e ? e : router_add(r, routes, sizeof routes / sizeof routes[0]);
}
