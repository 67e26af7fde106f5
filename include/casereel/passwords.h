/* The policy for passwords set from now on (a length and libcrack2's
 * dictionary checks), and a user's own password change. Logins are not
 * checked against it: existing passwords keep working. */
#ifndef CASEREEL_PASSWORDS_H
#define CASEREEL_PASSWORDS_H

#include "casereel/config.h"
#include "casereel/error.h"
#include "casereel/user.h"

#define PASSWORD_MIN_CHARS 10 /* characters, not bytes */
#define PASSWORD_MAX_BYTES 128

/* Checks that the dictionary cfg->password_dict (cracklib's, named without
 * its .pwd/.pwi/.hwm suffix) can be read. CR_EIO when not; `err` says why. */
cr_err passwords_init(const struct cr_config *cfg, char *err, size_t err_len);

/* Whether `password` may be set for user `username` (NULL when not known):
 * valid UTF-8 of PASSWORD_MIN_CHARS characters up to PASSWORD_MAX_BYTES
 * bytes, not a dictionary word however mangled, not too simple or
 * systematic, not based on the username. A refusal is CR_EINVAL with type
 * "weak-password" naming `field` (a static string); CR_EIO when the
 * dictionary cannot be read. Safe from any thread. */
cr_err passwords_check(const struct cr_config *cfg, const char *password, const char *username,
		       const char *field, struct cr_problem *why);

/* `user`, calling with session `token`, changes their password: the old
 * one must be right (else CR_EFORBIDDEN "bad-credentials" on
 * old_password), the new one must differ from it and pass passwords_check
 * (else CR_EINVAL on new_password). On success the user no longer must
 * change their password and every other session of theirs is revoked; the
 * calling one stays. */
cr_err passwords_change(const struct cr_config *cfg, const struct cr_user *user, const char *token,
			const char *old_password, const char *new_password, struct cr_problem *why);

#endif
