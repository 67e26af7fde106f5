/* Formatting one log line, text or JSON, into a caller's buffer; no I/O,
 * no clock, so unit tests can pin every byte. Private to src/core/. */
#ifndef CASEREEL_LOG_LINE_H
#define CASEREEL_LOG_LINE_H

#include <stddef.h>

#include "casereel/log.h"

struct log_line {
	const char *ts; /* RFC 3339 UTC with milliseconds */
	enum log_level level;
	const char *msg;
	const struct log_field *fields;
	size_t n;
	const char *request_id; /* NULL or "": no request_id field */
};

/* Formats `l` into out as one newline-terminated line and returns its
 * length (< size, and out is NUL-terminated), or 0 when it does not fit.
 * The message and every string value are first cut to at most `cut` bytes
 * (never inside a UTF-8 sequence). Text: `ts level msg key=value ...`, the
 * message's control bytes, DEL and invalid UTF-8 escaped (\n \r \t \xNN); a
 * value quoted ("...", with \" \\ and the same escapes inside) when it is
 * empty or holds a space, '"', '=', a control byte, DEL or invalid UTF-8.
 * JSON: one object, "ts", "level", "msg", the fields, "request_id", keys
 * in that order, a field whose key is already there left out; invalid
 * UTF-8 bytes become the four characters \xNN. */
size_t log_line_format(enum log_format format, const struct log_line *l, size_t cut, char *out,
		       size_t size);

#endif
