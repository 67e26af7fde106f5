/* X-Request-Id: taken or made. See request_id.h. */
#include "request_id.h"

#include <sodium.h>
#include <string.h>

bool request_id_sane(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
		if (!ok || n == REQUEST_ID_MAX)
			return false;
	}
	return n > 0;
}

void request_id_pick(const char *sent, char out[REQUEST_ID_CHARS])
{
	if (sent && request_id_sane(sent)) {
		memcpy(out, sent, strlen(sent) + 1);
		return;
	}
	unsigned char raw[16];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(out, REQUEST_ID_CHARS, raw, sizeof raw);
}
