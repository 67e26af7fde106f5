/* Passwords, tokens and sessions. See include/casereel/auth.h. */
#include "casereel/auth.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/store.h"

/* A real argon2id hash of a random password, verified against when the user
 * does not exist so that the answer takes the same time either way. */
static char dummy_hash[AUTH_HASH_CHARS];

cr_err auth_init(void)
{
	return sodium_init() < 0 ? CR_EIO : CR_OK;
}

cr_err auth_hash_password(const struct cr_config *cfg, const char *password,
			  char out[AUTH_HASH_CHARS])
{
	if (crypto_pwhash_str(out, password, strlen(password),
			      (unsigned long long)cfg->pwhash_opslimit,
			      (size_t)cfg->pwhash_memlimit) != 0)
		return CR_ENOMEM;
	return CR_OK;
}

/* Reads columns 0-4 (id, role, team id, username, must change password)
 * of a user query. */
#define USER_COLUMNS "id, role, COALESCE(team_id, 0), username, must_change_password"

static void read_user(sqlite3_stmt *st, struct cr_user *user)
{
	user->id = sqlite3_column_int64(st, 0);
	user->role = user_role_from_name((const char *)sqlite3_column_text(st, 1));
	user->team_id = sqlite3_column_int64(st, 2);
	snprintf(user->username, sizeof user->username, "%s", sqlite3_column_text(st, 3));
	user->must_change_password = sqlite3_column_int(st, 4) != 0;
}

static void token_hash(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

cr_err auth_check_password(const struct cr_config *cfg, const char *username, const char *password,
			   struct cr_user *user)
{
	static const char sql[] = "SELECT " USER_COLUMNS ", password_hash, active"
				  " FROM users WHERE username = ?1";
	char hash[AUTH_HASH_CHARS] = "";
	bool usable = false;
	sqlite3_stmt *st = store_stmt(sql);
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_user(st, user);
		snprintf(hash, sizeof hash, "%s", sqlite3_column_text(st, 5));
		usable = sqlite3_column_int(st, 6) == 1;
	}
	store_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(rc, "login lookup");
	if (!hash[0]) {
		if (!dummy_hash[0] && auth_hash_password(cfg, "not a real password", dummy_hash))
			return CR_ENOMEM;
		memcpy(hash, dummy_hash, sizeof hash);
		usable = false;
	}
	bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	return ok && usable ? CR_OK : CR_EAUTH;
}

cr_err auth_session_create(const struct cr_config *cfg, int64_t user_id,
			   char token[AUTH_TOKEN_CHARS], int64_t *expires_at)
{
	unsigned char raw[32], digest[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(token, AUTH_TOKEN_CHARS, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	token_hash(token, digest);
	int64_t now = cr_now();
	*expires_at = now + cfg->token_ttl;
	sqlite3_stmt *st =
		store_stmt("INSERT INTO sessions(token_hash, user_id, created_at, expires_at)"
			   " VALUES (?1, ?2, ?3, ?4)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, *expires_at);
	int rc = sqlite3_step(st);
	store_done(st);
	/* opportunistic clean-up keeps the table small without a timer */
	if (rc == SQLITE_DONE && (raw[0] & 0x3f) == 0) {
		sqlite3_stmt *gc = store_stmt("DELETE FROM sessions WHERE expires_at < ?1");
		if (gc) {
			sqlite3_bind_int64(gc, 1, now);
			sqlite3_step(gc);
			store_done(gc);
		}
	}
	return store_error(rc, "create session");
}

/* Recently resolved tokens, so most requests skip the session query.
 * Entries live at most SESSION_CACHE_SECONDS and are dropped at once on
 * logout, revocation and any change to the user (auth_forget_user).
 * Every drop bumps cache_generation after the database changed; a lookup
 * caches its row only if no drop happened since it began, so a lookup that
 * read the session just before a logout cannot bring it back. */
#define SESSION_CACHE_SLOTS   4096
#define SESSION_CACHE_SECONDS 30

struct cached_session {
	unsigned char digest[32];
	struct cr_user user;
	int64_t expires_at, cached_at;
	bool used;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached_session cache[SESSION_CACHE_SLOTS];
static uint64_t cache_generation;

static uint64_t cache_generation_now(void)
{
	pthread_mutex_lock(&cache_lock);
	uint64_t g = cache_generation;
	pthread_mutex_unlock(&cache_lock);
	return g;
}

static struct cached_session *cache_slot(const unsigned char digest[32])
{
	uint32_t h;
	memcpy(&h, digest, sizeof h); /* the digest is already uniformly random */
	return &cache[h % SESSION_CACHE_SLOTS];
}

static bool cache_get(const unsigned char digest[32], int64_t now, struct cr_user *user)
{
	bool hit = false;
	pthread_mutex_lock(&cache_lock);
	struct cached_session *c = cache_slot(digest);
	if (c->used && sodium_memcmp(c->digest, digest, 32) == 0 && c->expires_at > now &&
	    now - c->cached_at < SESSION_CACHE_SECONDS) {
		*user = c->user;
		hit = true;
	}
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

/* Caches a session read while the generation was `read_at`, unless a
 * drop happened since. */
static void cache_put(const unsigned char digest[32], const struct cr_user *user,
		      int64_t expires_at, int64_t now, uint64_t read_at)
{
	pthread_mutex_lock(&cache_lock);
	if (cache_generation != read_at) {
		pthread_mutex_unlock(&cache_lock);
		return;
	}
	struct cached_session *c = cache_slot(digest);
	memcpy(c->digest, digest, 32);
	c->user = *user;
	c->expires_at = expires_at;
	c->cached_at = now;
	c->used = true;
	pthread_mutex_unlock(&cache_lock);
}

static void cache_drop(const unsigned char digest[32])
{
	pthread_mutex_lock(&cache_lock);
	struct cached_session *c = cache_slot(digest);
	if (sodium_memcmp(c->digest, digest, 32) == 0)
		c->used = false;
	cache_generation++;
	pthread_mutex_unlock(&cache_lock);
}

void auth_forget_user(int64_t user_id)
{
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < SESSION_CACHE_SLOTS; i++)
		if (cache[i].used && cache[i].user.id == user_id)
			cache[i].used = false;
	cache_generation++;
	pthread_mutex_unlock(&cache_lock);
}

cr_err auth_session_user(const char *token, struct cr_user *user)
{
	unsigned char digest[32];
	if (strlen(token) != AUTH_TOKEN_CHARS - 1)
		return CR_EAUTH;
	token_hash(token, digest);
	int64_t now = cr_now();
	if (cache_get(digest, now, user))
		return CR_OK;
	uint64_t read_at = cache_generation_now();
	sqlite3_stmt *st =
		store_stmt("SELECT u.id, u.role, COALESCE(u.team_id, 0), u.username,"
			   " u.must_change_password, s.expires_at FROM sessions s"
			   " JOIN users u ON u.id = s.user_id"
			   " WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active = 1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_user(st, user);
		cache_put(digest, user, sqlite3_column_int64(st, 5), now, read_at);
	}
	store_done(st);
	if (rc == SQLITE_ROW)
		return CR_OK;
	return rc == SQLITE_DONE ? CR_EAUTH : store_error(rc, "session lookup");
}

cr_err auth_session_revoke(const char *token)
{
	unsigned char digest[32];
	token_hash(token, digest);
	sqlite3_stmt *st = store_stmt("DELETE FROM sessions WHERE token_hash = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_blob(st, 1, digest, sizeof digest, SQLITE_TRANSIENT);
	int rc = sqlite3_step(st);
	store_done(st);
	cache_drop(digest); /* after the delete: see cache_generation */
	return store_error(rc, "revoke session");
}

cr_err auth_sessions_revoke_user(int64_t user_id)
{
	return auth_sessions_revoke_others(user_id, NULL);
}

cr_err auth_sessions_revoke_others(int64_t user_id, const char *keep)
{
	unsigned char digest[32];
	sqlite3_stmt *st =
		store_stmt("DELETE FROM sessions WHERE user_id = ?1 AND token_hash IS NOT ?2");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, user_id);
	if (keep) {
		token_hash(keep, digest);
		sqlite3_bind_blob(st, 2, digest, sizeof digest, SQLITE_TRANSIENT);
	}
	int rc = sqlite3_step(st);
	store_done(st);
	auth_forget_user(user_id); /* after the delete: see cache_generation */
	return store_error(rc, "revoke sessions");
}

void auth_random_password(char *out, size_t len)
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
	for (size_t i = 0; i < len; i++)
		out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	out[len] = '\0';
}
