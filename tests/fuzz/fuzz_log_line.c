/* libFuzzer harness for src/core/log_line.c. The first byte picks the
 * format and how hard strings are cut; the rest, split on NUL bytes, is the
 * message, two string fields and the request id. Whatever they hold, a line
 * that is written is one line: valid UTF-8, one newline at its very end, no
 * other byte below 0x20, and (JSON) one object whose msg is the message. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/text.h"
#include "core/log_line.h"

static const size_t cuts[] = {1024, 64, 5, 1};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum log_format format = data[0] & 1 ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT;
	size_t cut = cuts[(data[0] >> 1) & 3];
	char *buf = malloc(size + 4); /* room for the NULs of missing parts */
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	memset(buf + size - 1, 0, 5);
	const char *part[4];
	char *p = buf;
	for (int i = 0; i < 4; i++) {
		part[i] = p;
		p += strlen(p) + (p < buf + size - 1 ? 1 : 0);
	}
	struct log_field f[] = {LOG_STR("a", part[1]), LOG_INT("n", -1), LOG_STR("b", part[2])};
	struct log_line l = {.ts = "2026-01-31T23:59:59.123Z",
			     .level = (enum log_level)((data[0] >> 3) & 3),
			     .msg = part[0],
			     .fields = f,
			     .n = 3,
			     .request_id = part[3]};
	char line[4096];
	size_t len = log_line_format(format, &l, cut, line, sizeof line);
	if (len == 0)
		goto out;
	if (len >= sizeof line || line[len] != '\0' || line[len - 1] != '\n' ||
	    strlen(line) != len || !utf8_valid(line))
		abort();
	for (size_t i = 0; i + 1 < len; i++)
		if ((unsigned char)line[i] < 0x20 || (format == LOG_FORMAT_TEXT && line[i] == 0x7f))
			abort();
	if (format == LOG_FORMAT_JSON) {
		json_t *j = json_loadb(line, len, 0, NULL);
		const char *msg = json_string_value(json_object_get(j, "msg"));
		if (!json_is_object(j) || !msg)
			abort();
		/* short, valid text comes through as it was */
		if (strlen(part[0]) <= cut && utf8_valid(part[0]) && strcmp(msg, part[0]))
			abort();
		json_decref(j);
	}
out:
	free(buf);
	return 0;
}
