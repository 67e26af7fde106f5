/* Role names of an employee. See include/casereel/user.h. */
#include "casereel/user.h"

#include <string.h>

static const char *const role_names[] = {"none", "agent", "trainer", "admin"};

const char *user_role_name(enum cr_role role)
{
	return role <= CR_ROLE_ADMIN ? role_names[role] : "none";
}

enum cr_role user_role_from_name(const char *name)
{
	for (int r = CR_ROLE_AGENT; r <= CR_ROLE_ADMIN; r++)
		if (name && !strcmp(name, role_names[r]))
			return (enum cr_role)r;
	return CR_ROLE_NONE;
}
