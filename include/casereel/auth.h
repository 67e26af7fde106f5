/* Passwords (argon2id), bearer tokens (random, stored only as a hash) and
 * login sessions. */
#ifndef CASEREEL_AUTH_H
#define CASEREEL_AUTH_H

#include <sodium.h>
#include <stdint.h>

#include "casereel/config.h"
#include "casereel/error.h"
#include "casereel/user.h"

/* 32 random bytes as unpadded base64url: 43 characters + NUL. */
#define AUTH_TOKEN_CHARS 44
#define AUTH_HASH_CHARS  crypto_pwhash_STRBYTES

/* Calls sodium_init(); CR_EIO when libsodium cannot start. */
cr_err auth_init(void);

/* Hashes `password` with argon2id at the configured cost into `out`.
 * CR_ENOMEM when the memory cost cannot be met. */
cr_err auth_hash_password(const struct cr_config *cfg, const char *password,
			  char out[AUTH_HASH_CHARS]);

/* Checks `password` against username's stored hash. Unknown and inactive
 * users cost the same time as a wrong password. On success fills `user`
 * and returns CR_OK; CR_EAUTH otherwise. */
cr_err auth_check_password(const struct cr_config *cfg, const char *username, const char *password,
			   struct cr_user *user);

/* Creates a session for `user_id`: writes a fresh token into `token` and
 * its expiry (unix seconds) into *expires_at. */
cr_err auth_session_create(const struct cr_config *cfg, int64_t user_id,
			   char token[AUTH_TOKEN_CHARS], int64_t *expires_at);

/* Resolves a bearer token to its active user. CR_EAUTH when the token is
 * unknown, expired, revoked or its user deactivated. */
cr_err auth_session_user(const char *token, struct cr_user *user);

/* Revokes one token (logout). Revoking an unknown token is not an error. */
cr_err auth_session_revoke(const char *token);

/* Drops the user's sessions from the in-memory session cache so the next
 * request reads their current role, team and state (after any change). */
void auth_forget_user(int64_t user_id);

/* Revokes every session of a user (deactivation, an admin's reset). */
cr_err auth_sessions_revoke_user(int64_t user_id);

/* Revokes every session of a user but the one of token `keep` (the user's
 * own password change); a NULL keep revokes them all. */
cr_err auth_sessions_revoke_others(int64_t user_id, const char *keep);

/* Fills `out` with `len` random characters from [A-Za-z0-9] minus the
 * look-alikes (0 O 1 l I), NUL-terminated: out must hold len + 1 bytes. */
void auth_random_password(char *out, size_t len);

#endif
