/* Users: the agent profile (role, team, position, hire date, skill tags)
 * and its JSON shape. Validation of shapes happens in the API layer; this
 * layer checks what needs the database (unknown team or tag, duplicates). */
#ifndef CASEREEL_USERS_H
#define CASEREEL_USERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/config.h"
#include "casereel/error.h"

/* Input for create and update. On update NULL pointers and false has_*
 * flags mean "leave unchanged". */
struct user_fields {
	const char *username; /* create only; lower-cased on store */
	const char *display_name;
	const char *role; /* "agent" | "trainer" | "admin" */
	const char *position;
	const char *password_hash; /* from auth_hash_password */
	const char *keep_session;  /* with password_hash: this token's session stays (own change) */
	bool must_change_password; /* the user must set a new password before anything else */
	bool has_must_change;
	const char *hire_date; /* "YYYY-MM-DD" or NULL */
	bool has_hire_date;
	int64_t team_id; /* 0 = no team */
	bool has_team;
	bool active;
	bool has_active;
	const char *employee_id; /* the id other systems use; "" or NULL clears it */
	bool has_employee_id;
	json_t *interests;   /* array of tag names, NULL = unchanged */
	json_t *weak_skills; /* array of tag names, NULL = unchanged */
};

/* Inserts a user; *id receives the new id. Refusals fill `why`:
 * CR_ECONFLICT when the username is taken, CR_EINVAL naming the field
 * (team_id, interests, weak_skills) for an unknown team or tag. Runs in its
 * own transaction unless one is open already (bulk import). */
cr_err users_create(const struct user_fields *f, int64_t *id, struct cr_problem *why);

/* One user of a bulk import (src/accounts/users_import.c): its profile
 * (f.has_team and f.team_id are set from `team`), the name of its team
 * ("": none; made when new), and *id, the new user's id. */
struct users_import_row {
	struct user_fields f;
	const char *team;
	int64_t id;
};

/* Creates the users of rows[0..n) in one transaction, all or none, making
 * their teams as needed. Errors as users_create, with *bad the index of the
 * row that failed (SIZE_MAX when no row did, e.g. the transaction). */
cr_err users_import(struct users_import_row *rows, size_t n, struct cr_problem *why, size_t *bad);

/* Changes the given fields of user `id`. CR_ENOTFOUND, CR_EINVAL as above.
 * Deactivating a user or changing the password revokes their sessions (but
 * f->keep_session's, when given with a password). */
cr_err users_update(int64_t id, const struct user_fields *f, struct cr_problem *why);

/* The public JSON of user `id` (never the password hash). *out is a new
 * reference. CR_ENOTFOUND when there is no such user. */
cr_err users_get_json(int64_t id, json_t **out);

/* Up to `limit` users with id > after, optionally only team `team_id`
 * (0 = all) and only those whose username or display name contains `q`
 * (NULL or "" = all; ASCII letters in any case), as a JSON array (new
 * reference). */
cr_err users_list_json(int64_t after, long limit, int64_t team_id, const char *q, json_t **out);

/* True when `name` is a valid username: 1–32 of [a-z0-9._-], starting with
 * a letter or digit (checked case-insensitively). */
bool users_username_valid(const char *name);

/* Writes `name` in the form usernames are stored and matched in (ASCII
 * lower case) to out, cut to size - 1 bytes. */
void users_username_fold(const char *name, char *out, size_t size);

#endif
