/* Integration tokens for metric imports. See include/casereel/integration_tokens.h. */
#include "casereel/integration_tokens.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/store.h"

#define PREFIX_LEN (sizeof INTEGRATION_TOKEN_PREFIX - 1)

bool integration_token_shaped(const char *token)
{
	return token && strncmp(token, INTEGRATION_TOKEN_PREFIX, PREFIX_LEN) == 0 &&
	       strlen(token) == INTEGRATION_TOKEN_CHARS - 1;
}

static void digest_of(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

cr_err integration_token_create(const char *name, const char *scope, int64_t by, int64_t *id,
				char token[INTEGRATION_TOKEN_CHARS])
{
	unsigned char raw[32], digest[32];
	randombytes_buf(raw, sizeof raw);
	memcpy(token, INTEGRATION_TOKEN_PREFIX, PREFIX_LEN);
	sodium_bin2base64(token + PREFIX_LEN, INTEGRATION_TOKEN_CHARS - PREFIX_LEN, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	digest_of(token, digest);
	sqlite3_stmt *st = store_stmt("INSERT INTO integration_tokens(name, token_hash, scope,"
				      " created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, digest, sizeof digest, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, scope, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, by);
		sqlite3_bind_int64(st, 5, cr_now());
	}
	cr_err e = store_run(st, "create integration token");
	if (!e)
		*id = sqlite3_last_insert_rowid(store_db());
	sodium_memzero(raw, sizeof raw);
	return e;
}

cr_err integration_token_check(const char *token, const char *scope, int64_t *id)
{
	if (!integration_token_shaped(token))
		return CR_EAUTH;
	unsigned char digest[32];
	digest_of(token, digest);
	sqlite3_stmt *st = store_stmt("SELECT id FROM integration_tokens WHERE token_hash = ?1"
				      " AND scope = ?2 AND revoked_at IS NULL");
	if (!st)
		return CR_EDB;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, scope, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	store_done(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? CR_EAUTH : store_error(rc, "integration token");
	/* when it was last used, for the admin's list; a lost update is harmless */
	st = store_stmt("UPDATE integration_tokens SET last_used_at = ?2 WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, *id);
		sqlite3_bind_int64(st, 2, cr_now());
	}
	store_run(st, "integration token use");
	return CR_OK;
}

static json_t *token_json(sqlite3_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:I, s:o, s:o}", "id",
			 (json_int_t)sqlite3_column_int64(st, 0), "name",
			 (const char *)sqlite3_column_text(st, 1), "scope",
			 (const char *)sqlite3_column_text(st, 2), "created_at",
			 (json_int_t)sqlite3_column_int64(st, 3), "created_by",
			 (json_int_t)sqlite3_column_int64(st, 4), "last_used_at",
			 store_column_int_json(st, 5), "revoked_at", store_column_int_json(st, 6));
}

#define TOKEN_COLUMNS                                                                              \
	"SELECT id, name, scope, created_at, created_by, last_used_at, revoked_at"                 \
	" FROM integration_tokens"

cr_err integration_tokens_json(json_t **out)
{
	return store_rows_json(store_stmt(TOKEN_COLUMNS " ORDER BY id DESC"), token_json,
			       "list integration tokens", out);
}

cr_err integration_token_json(int64_t id, json_t **out)
{
	return store_row_json(TOKEN_COLUMNS " WHERE id = ?1", id, token_json,
			      "get integration token", out);
}

cr_err integration_token_revoke(int64_t id)
{
	sqlite3_stmt *st = store_stmt("UPDATE integration_tokens SET revoked_at = ?2"
				      " WHERE id = ?1 AND revoked_at IS NULL");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, cr_now());
	}
	cr_err e = store_run(st, "revoke integration token");
	if (e || sqlite3_changes(store_db()) == 1)
		return e;
	return store_exists("SELECT 1 FROM integration_tokens WHERE id = ?1", id, 0) ? CR_ECONFLICT
										     : CR_ENOTFOUND;
}
