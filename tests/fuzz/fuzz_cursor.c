/* libFuzzer harness for src/feed/feed_cursor.c: a cursor that parses must
 * be 32 lowercase hex digits, '.', and an offset within the snapshot, and
 * must format back to itself (leading zeros aside). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/feed.h"
#include "casereel/feed_cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char id[FEED_CURSOR_ID_LEN + 1], back[FEED_CURSOR_MAX];
	size_t offset = 0;
	if (feed_cursor_parse(text, id, &offset) == CR_OK) {
		if (strlen(id) != FEED_CURSOR_ID_LEN || offset > FEED_SNAPSHOT_MAX ||
		    strspn(id, "0123456789abcdef") != FEED_CURSOR_ID_LEN ||
		    feed_cursor_format(id, offset, back) != CR_OK)
			abort();
		size_t zeros = strspn(text + FEED_CURSOR_ID_LEN + 1, "0");
		int plain = text[FEED_CURSOR_ID_LEN + 1 + zeros] != '\0' && zeros == 0;
		if (memcmp(back, text, FEED_CURSOR_ID_LEN + 1) != 0 ||
		    (plain && strcmp(back, text) != 0))
			abort();
		char id2[FEED_CURSOR_ID_LEN + 1];
		size_t offset2 = 0;
		if (feed_cursor_parse(back, id2, &offset2) != CR_OK || offset2 != offset ||
		    strcmp(id2, id) != 0)
			abort();
	}
	free(text);
	return 0;
}
