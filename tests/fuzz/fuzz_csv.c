/* libFuzzer harness for src/csv.c: reads every record of arbitrary bytes
 * and checks that fields stay inside the buffer and the reader ends. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/csv.h"

#define MAX_FIELDS 16

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
