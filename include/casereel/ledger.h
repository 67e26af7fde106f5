/* The points ledger: accounts and append-only, double-entry transfers
 * (src/points/ledger.c), their history (ledger_history.c), the idempotency
 * keys that make every points write safe to retry (ledger_keys.c) and the
 * group commit that makes them durable in batches (ledger_commit.c).
 *
 * Accounts: one company account (LEDGER_COMPANY, the only one that may go
 * below zero: it mints), one shop account (LEDGER_SHOP), one per user made
 * on first use. A transfer row moves `amount` > 0 from one account to
 * another; an AFTER INSERT trigger moves the balances in the same statement
 * and CHECK constraints refuse a negative user or shop balance, so the sum
 * of all balances is zero at every commit. Triggers refuse UPDATE and
 * DELETE on transfers: mistakes are corrected by new transfers. */
#ifndef CASEREEL_LEDGER_H
#define CASEREEL_LEDGER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

#define LEDGER_COMPANY 1
#define LEDGER_SHOP    2

/* Refs that ledger_history_json() reads back to describe a transfer. */
#define LEDGER_CHECKIN_REF   "checkin:%lld:%s"        /* user id, local day */
#define LEDGER_MILESTONE_REF "milestone:%lld:%s:%lld" /* video, counter, count */
#define LEDGER_TIP_REF       "tip:%lld"               /* tips.id: the tipper's part */
#define LEDGER_TIP_FREE_REF  "tip:%lld:free"          /* tips.id: the free allowance's part */
#define LEDGER_QUIZ_REF      "quiz:%lld:%lld:%lld"    /* video, question position, user */

/* One movement of points. `ref` (may be NULL) is unique across the ledger:
 * the database itself keeps once-only rules ("learn:<video>:<user>"). */
struct ledger_transfer {
	int64_t from, to;   /* account ids */
	int64_t amount;     /* > 0 */
	const char *kind;   /* "checkin", "learn", "approved", "milestone", "quiz", "tip",
			     * "tip_free", "order", "refund" */
	const char *reason; /* for people, shown in the history */
	const char *ref;    /* once-only key or NULL */
	int64_t actor_id;   /* the user whose action caused it (0: none) */
	int64_t video_id;   /* 0: none */
	int64_t order_id;   /* 0: none */
};

/* All functions below run on the calling thread's connection and must be
 * called inside a transaction the caller opened with store_begin (they
 * never commit): a transfer and whatever it pays for commit together. */

/* The account of user `user_id`, created on first use. */
cr_err ledger_user_account(int64_t user_id, int64_t *account);

/* Balance of account `account` (0 for an unknown account). */
cr_err ledger_balance(int64_t account, int64_t *balance);

/* Balance of user `user_id`'s account: 0 for a user who never earned (no
 * account is made). Needs no transaction. */
cr_err ledger_user_balance(int64_t user_id, int64_t *balance);

/* Appends transfer `t`; *id (may be NULL) gets its id. Errors:
 * CR_ECONFLICT when t->ref was used before (nothing written), CR_ETOOBIG
 * when the paying account (not the company) holds less than t->amount,
 * CR_EINVAL for a non-positive amount or from == to. */
cr_err ledger_transfer(const struct ledger_transfer *t, int64_t *id);

/* A once-only reward minted by the company, inside the caller's
 * transaction, so it commits with whatever earned it: pays `amount` to user
 * `user_id` unless `ref` was paid before (then CR_OK, nothing written).
 * *paid (may be NULL) says whether this call paid. */
cr_err ledger_reward_in_tx(int64_t user_id, int64_t amount, const char *kind, const char *reason,
			   const char *ref, int64_t video_id, bool *paid);

/* ledger_reward_in_tx in a transaction of its own, for a reward paid after
 * what earned it committed. The exception to the rule above: call it
 * outside any transaction. */
cr_err ledger_reward(int64_t user_id, int64_t amount, const char *kind, const char *reason,
		     const char *ref, int64_t video_id, bool *paid);

/* Balance and one page of history of user `user_id`, newest first, with
 * transfers older than id `before` (0: from the newest). *out is
 * {"balance", "items": [{id, amount (signed), kind, reason, counterparty,
 * video_id, order_id, created_at}], "next_before"}. `reason` is English;
 * so clients can say it in their own language, an item also carries what
 * its kind needs, when known: video_title (clip-related kinds), streak
 * (checkin), gift, gift_label and count (tip, tip_free), counter
 * ("likes" or "completions") and reached (milestone), item {id, name} and
 * quantity (order, refund). Needs no transaction. */
cr_err ledger_history_json(int64_t user_id, int64_t before, long limit, json_t **out);

/* --- idempotency keys (src/points/ledger_keys.c) ----------------------
 * Every points write carries a key chosen by the caller; the first answer
 * to it is stored with the write, in the same transaction, so a retry gets
 * that answer again instead of writing twice. */

#define LEDGER_KEY_MAX 200

/* The first answer to a points write, as stored under its key. */
struct ledger_answer {
	unsigned status;
	bool problem; /* body is a problem document */
	char *body;   /* NUL-terminated; owned by whoever filled the struct */
	size_t len;
};

/* True when `key` is 1 to LEDGER_KEY_MAX visible ASCII characters. */
bool ledger_key_valid(const char *key);

/* Looks up the answer stored for (user_id, key), inside the open
 * transaction. CR_OK: `hash` gets the fingerprint of the request that made
 * it and *answer the answer (the caller frees answer->body); CR_ENOTFOUND:
 * no such key; CR_EDB on a database error. */
cr_err ledger_key_find(int64_t user_id, const char *key, unsigned char hash[32],
		       struct ledger_answer *answer);

/* Stores `answer` under (user_id, key) with the request's fingerprint
 * `hash`, inside the open transaction. */
cr_err ledger_key_save(int64_t user_id, const char *key, const unsigned char hash[32],
		       const struct ledger_answer *answer);

/* Forgets idempotency keys stored before `before` (unix seconds): a retry
 * with such a key runs as a new request. *removed gets the count. */
cr_err ledger_expire_keys(int64_t before, int *removed);

/* --- group commit (src/points/ledger_commit.c) -------------------------
 * Points writes run on one writer thread (its own connection), batched
 * with other writes into one transaction, so a batch costs one fsync. */

/* What the writer does with one write; each callback gets the ctx given to
 * ledger_commit_submit. */
struct ledger_write_ops {
	/* On the submitting thread, just before the write is queued for the
	 * writer thread (never when it runs at once): the owner parks until
	 * `done`. */
	void (*queued)(void *ctx);
	/* On the writer thread, inside the batch's transaction: the write. It
	 * may hold one savepoint (ledger_savepoint_*) and must release it; it
	 * must not open or end transactions. */
	void (*run)(void *ctx);
	/* The batch's transaction failed to begin or to commit, or SQLite
	 * rolled it back: nothing of this write is durable. Called instead of
	 * run, or after it. */
	void (*failed)(void *ctx, cr_err e);
	/* Last call, once the batch committed (durably) or failed: the owner's
	 * answer may now leave, and ctx may be freed. */
	void (*done)(void *ctx);
};

/* Hands one write to the writer thread and returns; when that thread could
 * not be started, runs it on the calling thread before returning (then
 * `queued` is not called). `ops` must outlive the write. CR_ENOMEM: nothing
 * was called. */
cr_err ledger_commit_submit(const struct ledger_write_ops *ops, void *ctx);

/* Inside ledger_write_ops.run: SAVEPOINT, ROLLBACK TO and RELEASE of the
 * write's own savepoint, so a write can undo its rows and keep the batch. */
cr_err ledger_savepoint_begin(void);
cr_err ledger_savepoint_rollback(void);
cr_err ledger_savepoint_release(void);

#endif
