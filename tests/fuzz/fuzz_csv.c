/* libFuzzer harness for src/csv.c: reads every record of arbitrary bytes,
 * checks that fields stay inside the buffer and the reader ends, and that
 * each record survives a round trip through RFC 4180 quoting. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/csv.h"

#define MAX_FIELDS 16

/* Writes the record with every field quoted, then reads it back: the
 * reader must give the same fields. */
static void round_trip(char **fields, size_t n)
{
	size_t size = 1;
	for (size_t i = 0; i < n; i++)
		size += 2 * strlen(fields[i]) + 3;
	char *enc = malloc(size + 1);
	if (!enc)
		abort();
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		enc[len++] = '"';
		for (const char *f = fields[i]; *f; f++) {
			if (*f == '"')
				enc[len++] = '"';
			enc[len++] = *f;
		}
		enc[len++] = '"';
		enc[len++] = i + 1 < n ? ',' : '\n';
	}
	enc[len] = '\0';

	struct csv c;
	char *again[MAX_FIELDS];
	char err[96];
	size_t m;
	csv_init(&c, enc, len);
	if (csv_next(&c, again, MAX_FIELDS, &m, err, sizeof err) != 1 || m != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (strcmp(again[i], fields[i]))
			abort();
	if (csv_next(&c, again, MAX_FIELDS, &m, err, sizeof err) != 0)
		abort();
	free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a heap copy with exactly one extra byte: the writable NUL the
	 * contract asks for, so ASan flags any access past it */
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';

	struct csv c;
	csv_init(&c, buf, size);
	char *fields[MAX_FIELDS];
	char err[96];
	size_t n, records = 0, last_line = c.line;
	int rc;
	while ((rc = csv_next(&c, fields, MAX_FIELDS, &n, err, sizeof err)) == 1) {
		if (n == 0 || n > MAX_FIELDS)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (fields[i] < buf || fields[i] > buf + size)
				abort();
			/* NUL-terminated inside the buffer */
			if (!memchr(fields[i], '\0', (size_t)(buf + size - fields[i]) + 1))
				abort();
		}
		round_trip(fields, n);
		/* every record consumes at least one byte and lines only grow */
		if (++records > size || c.line < last_line)
			abort();
		last_line = c.line;
	}
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && !memchr(err, '\0', sizeof err))
		abort();
	free(buf);
	return 0;
}
