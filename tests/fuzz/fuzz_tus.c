/* libFuzzer harness for src/tus.c. The first byte picks the header parser;
 * the rest is the header value. Upload-Metadata must survive a round trip
 * (decode, re-encode, decode) and sizes must agree with strtoll. */
#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/tus.h"

static void check_size(const char *s)
{
	int64_t v = -1;
	cr_err e = tus_parse_size(s, &v);
	size_t len = strlen(s);
	bool digits = len > 0 && strspn(s, "0123456789") == len;
	if (e == CR_OK) {
		if (!digits || len > 18)
			abort();
		errno = 0;
		long long want = strtoll(s, NULL, 10);
		if (errno || want != v)
			abort();
	} else if (e != CR_EINVAL || (digits && len <= 18)) {
		abort();
	}
}

/* Re-encodes a parsed metadata object as a header. */
static char *encode_metadata(json_t *obj)
{
	size_t cap = TUS_METADATA_MAX * 2 + 1, len = 0;
	char *out = malloc(cap);
	if (!out)
		abort();
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val)
	{
		size_t vlen = json_string_length(val);
		size_t need = strlen(key) + 2 +
			      sodium_base64_ENCODED_LEN(vlen, sodium_base64_VARIANT_ORIGINAL);
		if (len + need >= cap)
			abort(); /* a harness bug: cap is twice the longest input */
		if (len)
			out[len++] = ',';
		memcpy(out + len, key, strlen(key));
		len += strlen(key);
		if (vlen) {
			out[len++] = ' ';
			sodium_bin2base64(out + len, cap - len,
					  (const unsigned char *)json_string_value(val), vlen,
					  sodium_base64_VARIANT_ORIGINAL);
			len += strlen(out + len);
		}
	}
	out[len] = '\0';
	return out;
}

static void check_metadata(const char *s)
{
	json_t *obj = NULL;
	cr_err e = tus_parse_metadata(s, &obj);
	if (e != CR_OK) {
		if (e != CR_EINVAL && e != CR_ENOMEM)
			abort();
		return;
	}
	if (!json_is_object(obj) || strlen(s) > TUS_METADATA_MAX)
		abort();
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val)
	{
		if (!json_is_string(val) ||
		    strlen(json_string_value(val)) != json_string_length(val))
			abort(); /* values are NUL-free strings */
		if (!*key || strlen(key) > 64)
			abort();
	}
	char *again_header = encode_metadata(obj);
	json_t *again = NULL;
	/* padding the input left out can push the canonical form past the
	 * limit; only compare when it fits */
	if (strlen(again_header) <= TUS_METADATA_MAX) {
		if (tus_parse_metadata(again_header, &again) != CR_OK || !json_equal(obj, again))
			abort();
		json_decref(again);
	}
	free(again_header);
	json_decref(obj);
}

/* An accepted checksum names an advertised algorithm and decodes to a
 * digest of its size, which encodes back to what was sent. */
static void check_checksum(const char *s)
{
	struct tus_checksum c;
	cr_err e = tus_parse_checksum(s, &c);
	if (e != CR_OK) {
		if (e != CR_EINVAL && e != CR_ENOTFOUND)
			abort();
		return;
	}
	size_t n = upload_hash_size(c.alg);
	const char *space = strchr(s, ' ');
	const char *name = c.alg == UPLOAD_HASH_SHA1 ? "sha1 " : "sha256 ";
	if (n == 0 || !space || strncmp(s, name, strlen(name)) != 0)
		abort();
	char again[sodium_base64_ENCODED_LEN(UPLOAD_HASH_MAX, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(again, sizeof again, c.digest, n, sodium_base64_VARIANT_ORIGINAL);
	struct tus_checksum back;
	char header[sizeof again + 8];
	snprintf(header, sizeof header, "%s%s", name, again);
	if (tus_parse_checksum(header, &back) != CR_OK || back.alg != c.alg ||
	    memcmp(back.digest, c.digest, n) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0: check_size(s); break;
	case 1: check_metadata(s); break;
	default: check_checksum(s); break;
	}
	free(s);
	return 0;
}
