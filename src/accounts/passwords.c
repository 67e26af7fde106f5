/* New-password policy through libcrack2, and the own password change. See
 * include/casereel/passwords.h. */
#include "casereel/passwords.h"

#include <stddef.h> /* crack.h uses size_t without it */

#include <crack.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "casereel/auth.h"
#include "casereel/text.h"
#include "casereel/users.h"

/* cracklib keeps no promise about threads; setting a password is rare and
 * costs an argon2id hash anyway, so one at a time is no loss */
static pthread_mutex_t crack_lock = PTHREAD_MUTEX_INITIALIZER;

cr_err passwords_init(const struct cr_config *cfg, char *err, size_t err_len)
{
	static const char *const parts[] = {".pwd", ".pwi", ".hwm"};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		char path[PATH_MAX + 8];
		snprintf(path, sizeof path, "%s%s", cfg->password_dict, parts[i]);
		if (access(path, R_OK) != 0) {
			snprintf(err, err_len,
				 "cannot read the password dictionary %s (install cracklib-runtime "
				 "or set --password-dict)",
				 path);
			return CR_EIO;
		}
	}
	return CR_OK;
}

cr_err passwords_check(const struct cr_config *cfg, const char *password, const char *username,
		       const char *field, struct cr_problem *why)
{
	if (!utf8_valid(password) || strlen(password) > PASSWORD_MAX_BYTES ||
	    utf8_length(password) < PASSWORD_MIN_CHARS)
		return cr_refuse(why, CR_EINVAL, "weak-password", field, "%s: %d to %d characters",
				 field, PASSWORD_MIN_CHARS, PASSWORD_MAX_BYTES);
	pthread_mutex_lock(&crack_lock);
	const char *verdict =
		FascistCheckUser(password, cfg->password_dict, username ? username : "", NULL);
	char because[128] = "";
	if (verdict)
		snprintf(because, sizeof because, "%s", verdict);
	pthread_mutex_unlock(&crack_lock);
	if (!verdict)
		return CR_OK;
	if (!strncmp(because, "error loading dictionary", 24))
		return CR_EIO;
	return cr_refuse(why, CR_EINVAL, "weak-password", field,
			 "%s: too easy to guess (%s); use a longer phrase of unrelated words",
			 field, because);
}

cr_err passwords_change(const struct cr_config *cfg, const struct cr_user *user, const char *token,
			const char *old_password, const char *new_password, struct cr_problem *why)
{
	struct cr_user checked;
	cr_err e = auth_check_password(cfg, user->username, old_password, &checked);
	if (e == CR_EAUTH || (!e && checked.id != user->id))
		return cr_refuse(why, CR_EFORBIDDEN, "bad-credentials", "old_password",
				 "old_password: that is not your current password");
	if (e)
		return e;
	if (!strcmp(old_password, new_password))
		return cr_refuse(why, CR_EINVAL, "weak-password", "new_password",
				 "new_password: must differ from the old one");
	e = passwords_check(cfg, new_password, user->username, "new_password", why);
	char hash[AUTH_HASH_CHARS];
	if (!e)
		e = auth_hash_password(cfg, new_password, hash);
	if (e)
		return e;
	struct user_fields f = {.password_hash = hash,
				.keep_session = token,
				.has_must_change = true,
				.must_change_password = false};
	return users_update(user->id, &f, why);
}
