/* Reading and writing the feed's page cursors. See
 * include/casereel/feed_cursor.h. */
#include "casereel/feed_cursor.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "casereel/feed.h"

static bool id_ok(const char *id)
{
	for (int i = 0; i < FEED_CURSOR_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return true;
}

cr_err feed_cursor_parse(const char *cursor, char id[FEED_CURSOR_ID_LEN + 1], size_t *offset)
{
	size_t len = strnlen(cursor, FEED_CURSOR_MAX);
	if (len < FEED_CURSOR_ID_LEN + 2 || len > FEED_CURSOR_MAX - 1 ||
	    cursor[FEED_CURSOR_ID_LEN] != '.' || !id_ok(cursor))
		return CR_EINVAL;
	size_t v = 0; /* at most 4 digits: cannot overflow */
	for (const char *p = cursor + FEED_CURSOR_ID_LEN + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return CR_EINVAL;
		v = v * 10 + (size_t)(*p - '0');
	}
	if (v > FEED_SNAPSHOT_MAX)
		return CR_EINVAL;
	memcpy(id, cursor, FEED_CURSOR_ID_LEN);
	id[FEED_CURSOR_ID_LEN] = '\0';
	*offset = v;
	return CR_OK;
}

cr_err feed_cursor_format(const char *id, size_t offset, char out[FEED_CURSOR_MAX])
{
	out[0] = '\0';
	if (strnlen(id, FEED_CURSOR_ID_LEN + 1) != FEED_CURSOR_ID_LEN || !id_ok(id) ||
	    offset > FEED_SNAPSHOT_MAX)
		return CR_EINVAL;
	int n = snprintf(out, FEED_CURSOR_MAX, "%s.%zu", id, offset);
	if (n < 0 || n >= FEED_CURSOR_MAX) {
		out[0] = '\0';
		return CR_EINVAL;
	}
	return CR_OK;
}
