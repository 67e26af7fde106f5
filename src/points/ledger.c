/* The points ledger: accounts, transfers and once-only rewards, with the
 * invariants they keep. See include/casereel/ledger.h. */
#include "casereel/ledger.h"

#include <stdbool.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/store.h"

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

cr_err ledger_user_balance(int64_t user_id, int64_t *balance)
{
	sqlite3_stmt *st = store_stmt("SELECT balance FROM point_accounts WHERE user_id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
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
