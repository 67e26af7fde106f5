/* The caller's own account summary. See include/casereel/me.h. */
#include "casereel/me.h"

#include <stdbool.h>

#include "casereel/ledger.h"
#include "casereel/points.h"
#include "casereel/store.h"
#include "casereel/users.h"

cr_err me_json(int64_t user_id, time_t now, json_t **out)
{
	json_t *j = NULL;
	int streak = 0;
	bool today = false;
	int64_t balance = 0;
	bool read = store_read_begin();
	cr_err e = users_get_json(user_id, &j);
	if (!e)
		e = points_streak(user_id, now, &streak, &today);
	if (!e)
		e = ledger_user_balance(user_id, &balance);
	store_read_end(read);
	if (e) {
		json_decref(j);
		return e;
	}
	json_object_set_new(j, "points", json_integer(balance));
	json_object_set_new(j, "streak", json_integer(streak));
	json_object_set_new(j, "checked_in_today", json_boolean(today));
	*out = j;
	return CR_OK;
}
