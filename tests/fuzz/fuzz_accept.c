/* libFuzzer harness for src/http/accept_encoding.c. The input is an
 * Accept-Encoding value: without "gzip" or "*" in it nothing takes gzip,
 * the answer never changes between calls, and an appended "gzip;q=0"
 * always refuses. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/accept_encoding.h"

static bool names_gzip_or_star(const char *s)
{
	if (strchr(s, '*'))
		return true;
	for (; *s; s++)
		if (!strncasecmp(s, "gzip", 4))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = malloc(size + 16);
	if (!value)
		return 0;
	memcpy(value, data, size);
	value[size] = '\0';
	bool taken = accept_encoding_gzip(value);
	if (taken != accept_encoding_gzip(value))
		abort();
	if (taken && !names_gzip_or_star(value))
		abort();
	memcpy(value + strlen(value), ",gzip;q=0", 10);
	if (accept_encoding_gzip(value))
		abort();
	free(value);
	return 0;
}
