/* Idempotency keys: the first answer to each points write, kept under the
 * caller's key so a retry gets it again. See include/casereel/ledger.h. */
#include "casereel/ledger.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/store.h"

bool ledger_key_valid(const char *key)
{
	size_t n = strlen(key);
	if (n == 0 || n > LEDGER_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			return false;
	return true;
}

cr_err ledger_key_find(int64_t user_id, const char *key, unsigned char hash[32],
		       struct ledger_answer *answer)
{
	sqlite3_stmt *st = store_stmt("SELECT request_hash, status, problem, body FROM"
				      " idempotency_keys WHERE user_id = ?1 AND key = ?2");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
	if (found == 1) {
		const void *h = sqlite3_column_blob(st, 0);
		if (h && sqlite3_column_bytes(st, 0) == 32)
			memcpy(hash, h, 32);
		answer->status = (unsigned)sqlite3_column_int(st, 1);
		answer->problem = sqlite3_column_int(st, 2);
		answer->len = (size_t)sqlite3_column_bytes(st, 3);
		answer->body = malloc(answer->len + 1);
		if (answer->body) {
			memcpy(answer->body, sqlite3_column_text(st, 3), answer->len);
			answer->body[answer->len] = '\0';
		} else {
			found = -1;
		}
	}
	store_done(st);
	if (found < 0) {
		store_error(rc, "idempotency key");
		return CR_EDB;
	}
	return found ? CR_OK : CR_ENOTFOUND;
}

cr_err ledger_key_save(int64_t user_id, const char *key, const unsigned char hash[32],
		       const struct ledger_answer *answer)
{
	sqlite3_stmt *st = store_stmt("INSERT INTO idempotency_keys(user_id, key, request_hash,"
				      " status, problem, body, created_at)"
				      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int)answer->status);
	sqlite3_bind_int(st, 5, answer->problem);
	sqlite3_bind_text(st, 6, answer->body, (int)answer->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, cr_now());
	return store_run(st, "save idempotency key");
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
