/* The access log: one line per request, escaped and with media signatures
 * left out. See access_log.h. */
#include "access_log.h"

#include <stdio.h>
#include <string.h>

#include "casereel/log.h"

#define MEDIA_PREFIX "/media/v/"

/* Whether the segment at p (up to the next '/') is a media signature: in
 * a media URL every segment is a number (id, version, expiry), a file name
 * (with a dot) or the signature (base64url, never a dot). */
static bool signature_segment(const char *p)
{
	size_t len = strcspn(p, "/");
	return len && memchr(p, '.', len) == NULL && strspn(p, "0123456789") < len;
}

void access_log_clean(const char *path, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	bool media = !strncmp(path, MEDIA_PREFIX, strlen(MEDIA_PREFIX));
	const char *p = path;
	if (media && size > strlen(MEDIA_PREFIX)) {
		memcpy(out, MEDIA_PREFIX, strlen(MEDIA_PREFIX));
		o = strlen(MEDIA_PREFIX);
		p += o;
	}
	for (; *p && o + 5 < size; p++) {
		unsigned char c = (unsigned char)*p;
		if (media && (p == path || p[-1] == '/') && signature_segment(p)) {
			out[o++] = '-';
			p += strcspn(p, "/") - 1;
			continue;
		}
		if (c < 0x20 || c == 0x7f || c == '\\' || c == '"' || c == ' ') {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	if (size)
		out[o < size ? o : size - 1] = '\0';
}

void access_log_write(const struct access_entry *e)
{
	char m[32], p[1024];
	access_log_clean(e->method, m, sizeof m);
	access_log_clean(e->path, p, sizeof p);
	struct log_field f[] = {
		LOG_STR("method", m),          LOG_STR("path", p),
		LOG_INT("status", e->status),  LOG_INT("bytes", e->bytes),
		LOG_INT("duration_us", e->us), LOG_STR("client", e->client),
		LOG_INT("user", e->user_id),   LOG_BOOL("aborted", e->aborted),
	};
	log_fields(LOG_LEVEL_INFO, f, "access");
}
