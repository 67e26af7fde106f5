/* tus header parsing. See include/casereel/tus.h. */
#include "casereel/tus.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

cr_err tus_parse_size(const char *s, int64_t *out)
{
	if (!s || !*s || strlen(s) > 18)
		return CR_EINVAL; /* 18 digits cannot overflow int64 */
	int64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return CR_EINVAL;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return CR_OK;
}

static bool key_ok(const char *k, size_t len)
{
	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (k[i] <= ' ' || k[i] > '~' || k[i] == ',')
			return false;
	return true;
}

/* Decodes one "key[ value]" pair into obj. */
static cr_err parse_pair(const char *p, size_t len, json_t *obj)
{
	const char *space = memchr(p, ' ', len);
	size_t klen = space ? (size_t)(space - p) : len;
	if (!key_ok(p, klen))
		return CR_EINVAL;
	char key[65];
	memcpy(key, p, klen);
	key[klen] = '\0';
	if (json_object_get(obj, key))
		return CR_EINVAL;
	unsigned char value[TUS_METADATA_MAX];
	size_t vlen = 0;
	if (space) {
		const char *b64 = space + 1;
		size_t blen = len - klen - 1;
		if (blen && sodium_base642bin(value, sizeof value, b64, blen, NULL, &vlen, NULL,
					      sodium_base64_VARIANT_ORIGINAL) != 0)
			return CR_EINVAL;
	}
	json_t *str = json_stringn((const char *)value, vlen); /* NULL unless valid UTF-8 */
	if (!str || memchr(value, '\0', vlen)) {
		json_decref(str);
		return CR_EINVAL;
	}
	return json_object_set_new(obj, key, str) ? CR_ENOMEM : CR_OK;
}

cr_err tus_parse_metadata(const char *header, json_t **out)
{
	json_t *obj = json_object();
	if (!obj)
		return CR_ENOMEM;
	size_t total = header ? strlen(header) : 0;
	if (total > TUS_METADATA_MAX) {
		json_decref(obj);
		return CR_EINVAL;
	}
	const char *p = header ? header : "";
	while (*p) {
		size_t len = strcspn(p, ",");
		while (len && *p == ' ') /* tolerate "a x, b y" */
			p++, len--;
		cr_err e = parse_pair(p, len, obj);
		if (e) {
			json_decref(obj);
			return e;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	*out = obj;
	return CR_OK;
}

/* The names tus gives the algorithms we verify (its checksum extension
 * uses the IANA hash names). */
static const struct {
	const char *name;
	enum upload_hash_alg alg;
} checksum_algs[] = {
	{"sha1", UPLOAD_HASH_SHA1},
	{"sha256", UPLOAD_HASH_SHA256},
};

const char *tus_checksum_algorithms(void)
{
	return "sha1,sha256"; /* checksum_algs, as a header lists them */
}

cr_err tus_parse_checksum(const char *header, struct tus_checksum *out)
{
	const char *space = header ? strchr(header, ' ') : NULL;
	if (!space || space == header)
		return CR_EINVAL;
	size_t len = (size_t)(space - header);
	enum upload_hash_alg alg = UPLOAD_HASH_NONE;
	for (size_t i = 0; i < sizeof checksum_algs / sizeof checksum_algs[0]; i++)
		if (strlen(checksum_algs[i].name) == len &&
		    !strncmp(header, checksum_algs[i].name, len))
			alg = checksum_algs[i].alg;
	if (alg == UPLOAD_HASH_NONE)
		return CR_ENOTFOUND;
	size_t want = upload_hash_size(alg), n = 0;
	if (sodium_base642bin(out->digest, sizeof out->digest, space + 1, strlen(space + 1), NULL,
			      &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != want)
		return CR_EINVAL;
	out->alg = alg;
	return CR_OK;
}
