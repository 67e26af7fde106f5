/* Who acts: an employee and their role, as every layer sees them (the HTTP
 * glue fills one per request from the session; domain modules check it). */
#ifndef CASEREEL_USER_H
#define CASEREEL_USER_H

#include <stdbool.h>
#include <stdint.h>

/* Roles are ordered: each one can do everything the one below can. */
enum cr_role { CR_ROLE_NONE = 0, CR_ROLE_AGENT, CR_ROLE_TRAINER, CR_ROLE_ADMIN };

struct cr_user {
	int64_t id;
	enum cr_role role;
	int64_t team_id; /* 0 when in no team */
	char username[64];
	bool must_change_password; /* someone else set the password: it must change first */
};

/* Role name ("agent", ...) and its inverse; user_role_from_name returns
 * CR_ROLE_NONE for an unknown name (or NULL). The names are static. */
const char *user_role_name(enum cr_role role);
enum cr_role user_role_from_name(const char *name);

#endif
