/* Bulk creation of users (the CSV import), all or none. See
 * include/casereel/users.h. */
#include <stdint.h>

#include "casereel/store.h"
#include "casereel/teams.h"
#include "casereel/users.h"

/* Inserts every row inside the caller's transaction. */
static cr_err insert_rows(struct users_import_row *rows, size_t n, struct cr_problem *why,
			  size_t *bad)
{
	for (size_t i = 0; i < n; i++) {
		struct users_import_row *r = &rows[i];
		*bad = i;
		cr_err e = CR_OK;
		if (*r->team) {
			r->f.has_team = true;
			e = teams_id_by_name(r->team, true, &r->f.team_id);
		}
		if (!e)
			e = users_create(&r->f, &r->id, why);
		if (e)
			return e;
	}
	return CR_OK;
}

cr_err users_import(struct users_import_row *rows, size_t n, struct cr_problem *why, size_t *bad)
{
	*bad = SIZE_MAX;
	cr_err e = store_begin();
	if (!e) {
		e = insert_rows(rows, n, why, bad);
		e = store_end(e);
	}
	return e;
}
