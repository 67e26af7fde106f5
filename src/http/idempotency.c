/* Idempotent points writes over HTTP on top of the ledger's keys and group
 * commit. See include/casereel/idempotency.h. */
#include "casereel/idempotency.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/ledger.h"

/* One request's write, from http_idempotent until its answer leaves. */
struct idem_write {
	struct cr_request *req;
	struct cr_response *res;
	cr_handler_fn inner;
	const char *key;
	unsigned char hash[32];
	bool parked; /* http_defer was called: resume when done */
};

/* The request's fingerprint: method, path and the body in canonical form
 * (sorted keys), so a retry that re-serialises its JSON still matches. */
static bool request_hash(const struct cr_request *req, unsigned char hash[32])
{
	char *body = req->json ? json_dumps(req->json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (req->json && !body)
		return false;
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const unsigned char *)req->method, strlen(req->method) + 1);
	crypto_generichash_update(&h, (const unsigned char *)req->path, strlen(req->path) + 1);
	if (body)
		crypto_generichash_update(&h, (const unsigned char *)body, strlen(body));
	crypto_generichash_final(&h, hash, 32);
	free(body);
	return true;
}

static const char *const json_ctype = "application/json";
static const char *const problem_ctype = "application/problem+json";

/* Answers with a stored answer, taking its body. */
static void send_stored(struct cr_response *res, struct ledger_answer *a)
{
	if (a->status == 204) {
		free(a->body);
		http_no_content(res);
		return;
	}
	http_text(res, a->status, a->problem ? problem_ctype : json_ctype, a->body, a->len);
	res->is_problem = a->problem;
}

/* Runs one write inside the open batch transaction (on the writer thread). */
static void run_write(void *ctx)
{
	struct idem_write *w = ctx;
	struct cr_response *res = w->res;
	unsigned char seen[32] = {0};
	struct ledger_answer a = {0};
	cr_err e = ledger_key_find(w->req->user.id, w->key, seen, &a);
	if (e && e != CR_ENOTFOUND) {
		http_error(res, CR_EDB, "idempotency key");
		return;
	}
	if (!e) {
		if (sodium_memcmp(seen, w->hash, 32) != 0) {
			free(a.body);
			http_problem(res, 422, "idempotency-key-reused",
				     "this Idempotency-Key was used for a different request");
		} else {
			send_stored(res, &a);
			http_header(res, "Idempotent-Replayed", "true");
		}
		return;
	}
	e = ledger_savepoint_begin();
	if (e) {
		http_error(res, e, "points write");
		return;
	}
	w->inner(w->req, res);
	if (res->status == 0 || res->status >= 500) {
		ledger_savepoint_rollback();
		ledger_savepoint_release();
		if (res->status == 0)
			http_error(res, CR_EDB, "points write");
		return;
	}
	if (res->status >= 400 && (e = ledger_savepoint_rollback()))
		goto fail;
	/* The first answer is rendered here once and sent as stored, so a
	 * replay is byte for byte the same. */
	a.problem = res->is_problem;
	a.status = res->status;
	if (res->json) {
		a.body = json_dumps(res->json, JSON_COMPACT);
		a.len = a.body ? strlen(a.body) : 0;
	} else {
		a.body = malloc(res->text_len + 1);
		a.len = res->text_len;
		if (a.body && a.len)
			memcpy(a.body, res->text, a.len);
		if (a.body)
			a.body[a.len] = '\0';
	}
	e = a.body ? ledger_key_save(w->req->user.id, w->key, w->hash, &a) : CR_ENOMEM;
	if (e) {
		free(a.body);
		goto fail;
	}
	if ((e = ledger_savepoint_release())) {
		free(a.body);
		goto fail;
	}
	send_stored(res, &a);
	return;
fail:
	ledger_savepoint_rollback();
	ledger_savepoint_release();
	http_error(res, e, "points write");
}

static void park_write(void *ctx)
{
	struct idem_write *w = ctx;
	w->parked = true;
	http_defer(w->req);
}

static void fail_write(void *ctx, cr_err e)
{
	struct idem_write *w = ctx;
	http_error(w->res, e, "points write");
}

/* The answer in w->res goes out. */
static void end_write(void *ctx)
{
	struct idem_write *w = ctx;
	if (w->parked)
		http_resume(w->req);
	free(w);
}

static const struct ledger_write_ops write_ops = {
	.queued = park_write, .run = run_write, .failed = fail_write, .done = end_write};

void http_idempotent(struct cr_request *req, struct cr_response *res, cr_handler_fn inner)
{
	const char *key = http_req_header(req, "Idempotency-Key");
	if (!key || !ledger_key_valid(key)) {
		http_problem(res, 400, "idempotency-key",
			     "points writes need an Idempotency-Key header: 1 to %d visible ASCII"
			     " characters, unique per intended operation",
			     LEDGER_KEY_MAX);
		return;
	}
	struct idem_write *w = calloc(1, sizeof *w);
	if (!w || !request_hash(req, w->hash)) {
		free(w);
		http_problem(res, 500, "internal", "out of memory");
		return;
	}
	w->req = req;
	w->res = res;
	w->inner = inner;
	w->key = key;
	if (ledger_commit_submit(&write_ops, w)) {
		free(w);
		http_problem(res, 500, "internal", "out of memory");
	}
}
