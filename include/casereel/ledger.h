/* The points ledger: accounts and append-only, double-entry transfers, plus
 * the idempotency keys that make every points write safe to retry.
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
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/http.h"

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

/* --- idempotency keys ------------------------------------------------- */

/* Runs `inner` as one idempotent points write. Reads the Idempotency-Key
 * header (missing or malformed: 400), hashes method, path and body, and
 * inside a BEGIN IMMEDIATE transaction either replays the first answer
 * stored for (caller, key) byte for byte (a different request under the
 * same key: 422), or runs `inner` inside a savepoint and stores its answer
 * with the key. A 4xx answer of `inner` rolls back what it wrote but is
 * stored; a 5xx rolls back everything and stores nothing, so a retry runs
 * again. Group commit: `inner` runs on the ledger's writer thread (its own
 * connection), batched with other requests' writes into one transaction;
 * this call returns once that transaction committed (durably) or failed
 * (then every request of the batch answers 500 and stored nothing).
 * `inner` may only use req, res and the store; it must not open or end
 * transactions itself. */
void ledger_idempotent(struct cr_request *req, struct cr_response *res, cr_handler_fn inner);

/* Forgets idempotency keys stored before `before` (unix seconds): a retry
 * with such a key runs as a new request. *removed gets the count. */
cr_err ledger_expire_keys(int64_t before, int *removed);

#endif
