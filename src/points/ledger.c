/* The points ledger and idempotency keys. See include/casereel/ledger.h. */
#include "casereel/ledger.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/fields.h"
#include "casereel/log.h"
#include "casereel/store.h"

#define IDEM_KEY_MAX 200

cr_err ledger_user_account(int64_t user_id, int64_t *account)
{
	sqlite3_stmt *st = store_stmt("SELECT id FROM point_accounts WHERE user_id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*account = sqlite3_column_int64(st, 0);
		store_done(st);
		return CR_OK;
	}
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_error(rc, "point account");
	st = store_stmt(
		"INSERT INTO point_accounts(kind, user_id, balance) VALUES ('user', ?1, 0)");
	if (st)
		sqlite3_bind_int64(st, 1, user_id);
	cr_err e = store_run(st, "open point account");
	if (!e)
		*account = sqlite3_last_insert_rowid(store_db());
	return e;
}

cr_err ledger_balance(int64_t account, int64_t *balance)
{
	sqlite3_stmt *st = store_stmt("SELECT balance FROM point_accounts WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, account);
	int rc = sqlite3_step(st);
	*balance = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CR_OK : store_error(rc, "balance");
}

static void bind_opt_id(sqlite3_stmt *st, int col, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(st, col, id);
	else
		sqlite3_bind_null(st, col);
}

cr_err ledger_transfer(const struct ledger_transfer *t, int64_t *id)
{
	if (t->amount <= 0 || t->from == t->to)
		return CR_EINVAL;
	sqlite3_stmt *st;
	if (t->ref) {
		st = store_stmt("SELECT 1 FROM point_transfers WHERE ref = ?1");
		if (!st)
			return CR_EDB;
		sqlite3_bind_text(st, 1, t->ref, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		store_done(st);
		if (rc == SQLITE_ROW)
			return CR_ECONFLICT;
		if (rc != SQLITE_DONE)
			return store_error(rc, "transfer ref");
	}
	if (t->from != LEDGER_COMPANY) {
		int64_t have = 0;
		cr_err e = ledger_balance(t->from, &have);
		if (e)
			return e;
		if (have < t->amount)
			return CR_ETOOBIG;
	}
	/* The AFTER INSERT trigger moves both balances; their CHECKs are the
	 * backstop of the test above. */
	st = store_stmt(
		"INSERT INTO point_transfers(from_account, to_account, amount, kind, reason,"
		" ref, actor_id, video_id, order_id, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, t->from);
	sqlite3_bind_int64(st, 2, t->to);
	sqlite3_bind_int64(st, 3, t->amount);
	sqlite3_bind_text(st, 4, t->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->reason ? t->reason : "", -1, SQLITE_STATIC);
	if (t->ref)
		sqlite3_bind_text(st, 6, t->ref, -1, SQLITE_STATIC);
	bind_opt_id(st, 7, t->actor_id);
	bind_opt_id(st, 8, t->video_id);
	bind_opt_id(st, 9, t->order_id);
	sqlite3_bind_int64(st, 10, cr_now());
	cr_err e = store_run(st, "transfer");
	if (e == CR_ECONFLICT) /* a balance CHECK or trigger said no: not "paid before" */
		e = CR_EDB;
	if (!e && id)
		*id = sqlite3_last_insert_rowid(store_db());
	return e;
}

cr_err ledger_reward_in_tx(int64_t user_id, int64_t amount, const char *kind, const char *reason,
			   const char *ref, int64_t video_id, bool *paid)
{
	if (paid)
		*paid = false;
	if (amount <= 0)
		return CR_OK;
	struct ledger_transfer t = {.from = LEDGER_COMPANY,
				    .amount = amount,
				    .kind = kind,
				    .reason = reason,
				    .ref = ref,
				    .actor_id = user_id,
				    .video_id = video_id};
	cr_err e = ledger_user_account(user_id, &t.to);
	if (!e)
		e = ledger_transfer(&t, NULL);
	if (e == CR_ECONFLICT)
		return CR_OK; /* paid before: once only */
	if (!e && paid)
		*paid = true;
	return e;
}

cr_err ledger_reward(int64_t user_id, int64_t amount, const char *kind, const char *reason,
		     const char *ref, int64_t video_id, bool *paid)
{
	bool now = false;
	cr_err e = amount > 0 ? store_begin() : CR_OK;
	if (!e && amount > 0) {
		e = ledger_reward_in_tx(user_id, amount, kind, reason, ref, video_id, &now);
		e = !e && now ? store_commit() : (store_rollback(), e);
	}
	if (paid)
		*paid = !e && now;
	return e;
}

/* Both sides of an account's history come from their own index, newest
 * first, so a page costs O(limit) however long the history is. */
#define HISTORY_SIDE(ACC, OTHER, SIGN)                                                             \
	"SELECT * FROM (SELECT id, " OTHER " AS other, " SIGN "amount AS delta, kind, reason,"     \
	" video_id, order_id, created_at, ref FROM point_transfers WHERE " ACC " = ?1 AND id < ?2" \
	" ORDER BY id DESC LIMIT ?3)"

/* Columns of HISTORY_SQL, in order. */
enum {
	H_ID,
	H_DELTA,
	H_KIND,
	H_REASON,
	H_VIDEO,
	H_ORDER,
	H_CREATED,
	H_REF,
	H_OTHER_KIND,
	H_OTHER_USER,
	H_OTHER_NAME,
	H_VIDEO_TITLE,
	H_STREAK,
	H_ITEM_ID,
	H_ITEM_NAME,
	H_QUANTITY,
	H_GIFT,
	H_GIFT_COUNT,
	H_GIFT_LABEL
};

/* The page, with what each kind's line needs beyond `reason`: the clip's
 * title, a check-in's streak (its ref is LEDGER_CHECKIN_REF of ?4), the
 * item and quantity of an order or refund, a tip's gift and count (its ref
 * names the tip: LEDGER_TIP_REF / LEDGER_TIP_FREE_REF). */
/* clang-format off */
#define HISTORY_SQL                                                                                \
	"SELECT h.id, h.delta, h.kind, h.reason, h.video_id, h.order_id, h.created_at, h.ref,"     \
	" a.kind, u.id, u.display_name, v.title, c.streak, i.id, i.name, o.quantity,"              \
	" tp.gift, tp.count, g.label"                                                              \
	" FROM (" HISTORY_SIDE("from_account", "to_account", "-") " UNION ALL "                    \
	          HISTORY_SIDE("to_account", "from_account", "") ") h"                             \
	" JOIN point_accounts a ON a.id = h.other LEFT JOIN users u ON u.id = a.user_id"           \
	" LEFT JOIN videos v ON v.id = h.video_id"                                                 \
	" LEFT JOIN checkins c ON h.kind = 'checkin' AND c.user_id = ?4"                           \
	"  AND c.day = substr(h.ref, length('checkin:' || ?4 || ':') + 1)"                         \
	" LEFT JOIN shop_orders o ON o.id = h.order_id LEFT JOIN shop_items i ON i.id = o.item_id" \
	" LEFT JOIN tips tp ON h.kind IN ('tip', 'tip_free')"                                      \
	"  AND tp.id = CAST(substr(h.ref, length('tip:') + 1) AS INTEGER)"                         \
	" LEFT JOIN gifts g ON g.name = tp.gift"                                                   \
	" ORDER BY h.id DESC LIMIT ?3"
/* clang-format on */

/* A JSON string of s even when an old row holds broken UTF-8 (a title cut
 * inside a character before titles were cut on character boundaries): the
 * incomplete end is dropped, "" as a last resort. */
static json_t *lenient_string(const unsigned char *s)
{
	json_t *v = json_string(s ? (const char *)s : "");
	if (v)
		return v;
	char buf[512];
	snprintf(buf, sizeof buf, "%s", (const char *)s);
	utf8_trim(buf);
	v = json_string(buf);
	return v ? v : json_string("");
}

/* Reads the counter and count of a LEDGER_MILESTONE_REF. */
static bool milestone_from_ref(const char *ref, char *counter, size_t counter_len,
			       long long *reached)
{
	static const char prefix[] = "milestone:";
	if (!ref || strncmp(ref, prefix, sizeof prefix - 1))
		return false;
	const char *name = strchr(ref + sizeof prefix - 1, ':'); /* past the video id */
	const char *colon = name ? strchr(++name, ':') : NULL;
	if (!colon || colon == name || (size_t)(colon - name) >= counter_len)
		return false;
	char *end;
	errno = 0;
	*reached = strtoll(colon + 1, &end, 10);
	if (errno || *end || *reached < 1)
		return false;
	snprintf(counter, counter_len, "%.*s", (int)(colon - name), name);
	return true;
}

/* Adds the members a client needs to say the line in its own language:
 * video_title, streak, gift + gift_label + count, counter + reached, item +
 * quantity, as far as the row has them. */
static void describe(json_t *it, sqlite3_stmt *st)
{
	const char *kind = (const char *)sqlite3_column_text(st, H_KIND);
	const char *ref = (const char *)sqlite3_column_text(st, H_REF);
	if (sqlite3_column_type(st, H_VIDEO_TITLE) != SQLITE_NULL)
		json_object_set_new(it, "video_title",
				    lenient_string(sqlite3_column_text(st, H_VIDEO_TITLE)));
	if (sqlite3_column_type(st, H_STREAK) != SQLITE_NULL)
		json_object_set_new(it, "streak", json_integer(sqlite3_column_int64(st, H_STREAK)));
	if (sqlite3_column_type(st, H_ITEM_ID) != SQLITE_NULL) {
		json_object_set_new(it, "item",
				    json_pack("{s:I, s:s}", "id",
					      (json_int_t)sqlite3_column_int64(st, H_ITEM_ID),
					      "name",
					      (const char *)sqlite3_column_text(st, H_ITEM_NAME)));
		json_object_set_new(it, "quantity",
				    json_integer(sqlite3_column_int64(st, H_QUANTITY)));
	}
	if (sqlite3_column_type(st, H_GIFT) != SQLITE_NULL) {
		json_object_set_new(it, "gift",
				    json_string((const char *)sqlite3_column_text(st, H_GIFT)));
		json_object_set_new(it, "count",
				    json_integer(sqlite3_column_int64(st, H_GIFT_COUNT)));
		if (sqlite3_column_type(st, H_GIFT_LABEL) != SQLITE_NULL)
			json_object_set_new(it, "gift_label",
					    lenient_string(sqlite3_column_text(st, H_GIFT_LABEL)));
	}
	long long n;
	char counter[16];
	if (!strcmp(kind, "milestone") && milestone_from_ref(ref, counter, sizeof counter, &n)) {
		json_object_set_new(it, "counter", json_string(counter));
		json_object_set_new(it, "reached", json_integer(n));
	}
}

static json_t *history_item(sqlite3_stmt *st)
{
	json_t *cp =
		json_pack("{s:s}", "type", (const char *)sqlite3_column_text(st, H_OTHER_KIND));
	if (cp && sqlite3_column_type(st, H_OTHER_USER) != SQLITE_NULL) {
		json_object_set_new(cp, "user_id",
				    json_integer(sqlite3_column_int64(st, H_OTHER_USER)));
		json_object_set_new(
			cp, "display_name",
			json_string((const char *)sqlite3_column_text(st, H_OTHER_NAME)));
	}
	json_t *it = json_pack("{s:I, s:I, s:s, s:o, s:o*, s:I}", "id",
			       (json_int_t)sqlite3_column_int64(st, H_ID), "amount",
			       (json_int_t)sqlite3_column_int64(st, H_DELTA), "kind",
			       (const char *)sqlite3_column_text(st, H_KIND), "reason",
			       lenient_string(sqlite3_column_text(st, H_REASON)), "counterparty",
			       cp, "created_at", (json_int_t)sqlite3_column_int64(st, H_CREATED));
	if (!it)
		return NULL;
	if (sqlite3_column_type(st, H_VIDEO) != SQLITE_NULL)
		json_object_set_new(it, "video_id",
				    json_integer(sqlite3_column_int64(st, H_VIDEO)));
	if (sqlite3_column_type(st, H_ORDER) != SQLITE_NULL)
		json_object_set_new(it, "order_id",
				    json_integer(sqlite3_column_int64(st, H_ORDER)));
	describe(it, st);
	return it;
}

cr_err ledger_history_json(int64_t user_id, int64_t before, long limit, json_t **out)
{
	int64_t account = 0, balance = 0;
	sqlite3_stmt *st = store_stmt("SELECT id, balance FROM point_accounts WHERE user_id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		account = sqlite3_column_int64(st, 0);
		balance = sqlite3_column_int64(st, 1);
	}
	store_done(st);
	st = store_stmt(HISTORY_SQL);
	json_t *items = json_array();
	if (!st || !items) {
		json_decref(items);
		return CR_EDB;
	}
	sqlite3_bind_int64(st, 1, account);
	sqlite3_bind_int64(st, 2, before > 0 ? before : INT64_MAX);
	sqlite3_bind_int64(st, 3, limit);
	sqlite3_bind_int64(st, 4, user_id);
	int rc;
	int64_t last = 0;
	long rows = 0; /* rows read, not items made: a row that fails to render must not end the
			  paging */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, H_ID);
		rows++;
		json_array_append_new(items, history_item(st));
	}
	store_done(st);
	if (rc != SQLITE_DONE) {
		json_decref(items);
		return store_error(rc, "points history");
	}
	bool more = rows == limit;
	*out = json_pack("{s:I, s:o, s:o}", "balance", (json_int_t)balance, "items", items,
			 "next_before", more ? json_integer(last) : json_null());
	return *out ? CR_OK : CR_ENOMEM;
}

/* --- idempotency keys ------------------------------------------------- */

static bool key_ok(const char *key)
{
	size_t n = strlen(key);
	if (n == 0 || n > IDEM_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			return false;
	return true;
}

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

/* Looks the key up inside the open transaction: 1 found (answer copied
 * into *status, *problem, *body), 0 not found, -1 database error. */
static int find_key(int64_t user_id, const char *key, unsigned char hash[32], unsigned *status,
		    bool *problem, char **body, size_t *len)
{
	sqlite3_stmt *st = store_stmt("SELECT request_hash, status, problem, body FROM"
				      " idempotency_keys WHERE user_id = ?1 AND key = ?2");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
	if (found == 1) {
		const void *h = sqlite3_column_blob(st, 0);
		if (h && sqlite3_column_bytes(st, 0) == 32)
			memcpy(hash, h, 32);
		*status = (unsigned)sqlite3_column_int(st, 1);
		*problem = sqlite3_column_int(st, 2);
		*len = (size_t)sqlite3_column_bytes(st, 3);
		*body = malloc(*len + 1);
		if (*body) {
			memcpy(*body, sqlite3_column_text(st, 3), *len);
			(*body)[*len] = '\0';
		} else {
			found = -1;
		}
	}
	store_done(st);
	if (found < 0)
		store_error(rc, "idempotency key");
	return found;
}

static cr_err save_key(int64_t user_id, const char *key, const unsigned char hash[32],
		       unsigned status, bool problem, const char *body, size_t len)
{
	sqlite3_stmt *st = store_stmt("INSERT INTO idempotency_keys(user_id, key, request_hash,"
				      " status, problem, body, created_at)"
				      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int)status);
	sqlite3_bind_int(st, 5, problem);
	sqlite3_bind_text(st, 6, body, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, cr_now());
	return store_run(st, "save idempotency key");
}

static cr_err savepoint(const char *sql)
{
	return store_run(store_stmt(sql), "savepoint");
}

static void send_stored(struct cr_response *res, unsigned status, bool problem, char *body,
			size_t len)
{
	if (status == 204) {
		free(body);
		http_no_content(res);
		return;
	}
	http_text(res, status, problem ? problem_ctype : json_ctype, body, len);
	res->is_problem = problem;
}

/* --- group commit ----------------------------------------------------
 * With synchronous=FULL every COMMIT waits for an fsync (~5 ms here), so
 * one transaction per request caps the ledger near 200 writes/s. Instead,
 * points writes queue up for one writer thread, which takes the whole
 * queue, runs each request in its own savepoint inside one BEGIN IMMEDIATE
 * transaction, commits once, and resumes the requests, whose connections
 * were parked meanwhile (http_defer), so a waiting write holds no HTTP
 * thread. Nobody's answer leaves before the commit that made it durable,
 * and a request's writes and its key row still commit together. */

#define BATCH_MAX 256

struct job {
	struct cr_request *req;
	struct cr_response *res;
	cr_handler_fn inner;
	const char *key;
	unsigned char hash[32];
	struct job *next;
};

static pthread_mutex_t batch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER; /* the queue has jobs */
static struct job *queue_head, **queue_tail = &queue_head;
static pthread_once_t writer_once = PTHREAD_ONCE_INIT;
static bool writer_running;

/* Runs one job inside the open batch transaction. */
static void run_job(struct job *j)
{
	struct cr_response *res = j->res;
	unsigned char seen[32] = {0};
	unsigned status = 0;
	bool problem = false;
	char *body = NULL;
	size_t len = 0;
	int found = find_key(j->req->user.id, j->key, seen, &status, &problem, &body, &len);
	if (found < 0) {
		http_error(res, CR_EDB, "idempotency key");
		return;
	}
	if (found) {
		if (sodium_memcmp(seen, j->hash, 32) != 0) {
			free(body);
			http_problem(res, 422, "idempotency-key-reused",
				     "this Idempotency-Key was used for a different request");
		} else {
			send_stored(res, status, problem, body, len);
			http_header(res, "Idempotent-Replayed", "true");
		}
		return;
	}
	cr_err e = savepoint("SAVEPOINT points_job");
	if (e) {
		http_error(res, e, "points write");
		return;
	}
	j->inner(j->req, res);
	if (res->status == 0 || res->status >= 500) {
		savepoint("ROLLBACK TO points_job");
		savepoint("RELEASE points_job");
		if (res->status == 0)
			http_error(res, CR_EDB, "points write");
		return;
	}
	if (res->status >= 400 && (e = savepoint("ROLLBACK TO points_job")))
		goto fail;
	/* The first answer is rendered here once and sent as stored, so a
	 * replay is byte for byte the same. */
	problem = res->is_problem;
	status = res->status;
	if (res->json) {
		body = json_dumps(res->json, JSON_COMPACT);
		len = body ? strlen(body) : 0;
	} else {
		body = malloc(res->text_len + 1);
		len = res->text_len;
		if (body && len)
			memcpy(body, res->text, len);
		if (body)
			body[len] = '\0';
	}
	e = body ? save_key(j->req->user.id, j->key, j->hash, status, problem, body, len)
		 : CR_ENOMEM;
	if (e) {
		free(body);
		goto fail;
	}
	if ((e = savepoint("RELEASE points_job"))) {
		free(body);
		goto fail;
	}
	send_stored(res, status, problem, body, len);
	return;
fail:
	savepoint("ROLLBACK TO points_job");
	savepoint("RELEASE points_job");
	http_error(res, e, "points write");
}

/* Runs `batch` (linked by next, NULL-terminated) as one transaction. */
static void run_batch(struct job *batch)
{
	cr_err e = store_begin();
	bool lost = false; /* SQLite rolled the whole transaction back */
	for (struct job *j = batch; j; j = j->next) {
		if (e || lost) {
			http_error(j->res, e ? e : CR_EDB, "points write");
			continue;
		}
		run_job(j);
		lost = sqlite3_get_autocommit(store_db()) != 0;
	}
	if (!e && !lost)
		e = store_commit();
	if (e || lost) {
		store_rollback();
		/* Replays too: one may have read a key row of this batch. */
		for (struct job *j = batch; j; j = j->next)
			http_error(j->res, e ? e : CR_EDB, "points write");
	}
}

/* The writer: one thread, one connection whose page cache stays warm
 * (a commit from another connection would flush it), batching whatever
 * queued up while the previous batch was being made durable. */
static void *writer_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&batch_mu);
		while (!queue_head)
			pthread_cond_wait(&work_cv, &batch_mu);
		struct job *batch = queue_head, *last = batch;
		for (int n = 1; n < BATCH_MAX && last->next; n++)
			last = last->next;
		queue_head = last->next;
		if (!queue_head)
			queue_tail = &queue_head;
		last->next = NULL;
		pthread_mutex_unlock(&batch_mu);
		run_batch(batch);
		for (struct job *j = batch, *next; j; j = next) {
			next = j->next;
			http_resume(j->req); /* the answer in j->res goes out */
			free(j);
		}
	}
	return NULL;
}

static void writer_start(void)
{
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	writer_running = pthread_create(&t, &attr, writer_main, NULL) == 0;
	pthread_attr_destroy(&attr);
	if (!writer_running)
		log_error("ledger writer thread: not started; points writes commit one by one");
}

/* Queues the job for the writer and parks the request; the writer answers
 * it after the commit and frees the job. */
static void submit(struct job *job)
{
	pthread_once(&writer_once, writer_start);
	if (!writer_running) {
		run_batch(job);
		free(job);
		return;
	}
	http_defer(job->req);
	pthread_mutex_lock(&batch_mu);
	*queue_tail = job;
	queue_tail = &job->next;
	pthread_cond_signal(&work_cv);
	pthread_mutex_unlock(&batch_mu);
}

cr_err ledger_expire_keys(int64_t before, int *removed)
{
	*removed = 0;
	sqlite3_stmt *st = store_stmt("DELETE FROM idempotency_keys WHERE created_at < ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, before);
	cr_err e = store_run(st, "expire idempotency keys");
	if (!e)
		*removed = sqlite3_changes(store_db());
	return e;
}

void ledger_idempotent(struct cr_request *req, struct cr_response *res, cr_handler_fn inner)
{
	const char *key = http_req_header(req, "Idempotency-Key");
	if (!key || !key_ok(key)) {
		http_problem(res, 400, "idempotency-key",
			     "points writes need an Idempotency-Key header: 1 to %d visible ASCII"
			     " characters, unique per intended operation",
			     IDEM_KEY_MAX);
		return;
	}
	struct job *job = calloc(1, sizeof *job);
	if (!job || !request_hash(req, job->hash)) {
		free(job);
		http_problem(res, 500, "internal", "out of memory");
		return;
	}
	job->req = req;
	job->res = res;
	job->inner = inner;
	job->key = key;
	submit(job);
}
