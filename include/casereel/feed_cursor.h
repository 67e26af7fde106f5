/* The feed's page cursor "<32 hex snapshot id>.<offset>": written by
 * feed_page, read back from clients (untrusted), so parsed strictly. */
#ifndef CASEREEL_FEED_CURSOR_H
#define CASEREEL_FEED_CURSOR_H

#include <stddef.h>

#include "casereel/error.h"

#define FEED_CURSOR_ID_LEN 32                               /* lowercase hex characters */
#define FEED_CURSOR_MAX    (FEED_CURSOR_ID_LEN + 1 + 4 + 1) /* id, '.', offset <= 9999, NUL */

/* Parses `cursor` into the snapshot id (NUL-terminated) and the offset of
 * the next item. CR_EINVAL (id and offset untouched) unless the cursor is
 * exactly 32 lowercase hex digits, '.', and 1 to 4 decimal digits naming
 * an offset of at most FEED_SNAPSHOT_MAX. */
cr_err feed_cursor_parse(const char *cursor, char id[FEED_CURSOR_ID_LEN + 1], size_t *offset);

/* Writes the cursor for snapshot `id` at `offset` into out[FEED_CURSOR_MAX].
 * CR_EINVAL (out is then "") for an id that is not 32 lowercase hex digits
 * or an offset above FEED_SNAPSHOT_MAX: what it writes always parses. */
cr_err feed_cursor_format(const char *id, size_t offset, char out[FEED_CURSOR_MAX]);

#endif
