/* Feed snapshot items, stored: see include/casereel/snapshot_items.h. */
#include "casereel/snapshot_items.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>

#define FORMAT_VARINT 1

static size_t put_varint(unsigned char *out, uint64_t v)
{
	size_t k = 0;
	for (; v >= 0x80; v >>= 7)
		out[k++] = (unsigned char)(v | 0x80);
	out[k++] = (unsigned char)v;
	return k;
}

size_t snap_items_encode(const struct snap_item *items, size_t n, unsigned char *out)
{
	size_t k = 0;
	out[k++] = FORMAT_VARINT;
	for (size_t i = 0; i < n; i++) {
		k += put_varint(out + k, (uint64_t)items[i].id);
		out[k++] = (unsigned char)items[i].reason;
		k += put_varint(out + k, items[i].reason_tags);
	}
	return k;
}

static bool known_reason(long long r)
{
	return r >= RANK_REASON_MUST_WATCH && r <= RANK_REASON_PATH;
}

/* Reads a varint at *at (< end) into *v; false when cut off or longer than
 * 64 bits. */
static bool get_varint(const unsigned char **at, const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; *at < end && shift < 64; shift += 7) {
		unsigned char b = *(*at)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

static cr_err decode_varint(const unsigned char *p, const unsigned char *end, struct snap_item *out,
			    size_t *n)
{
	size_t k = 0;
	while (p < end) {
		uint64_t id, tags;
		if (!get_varint(&p, end, &id) || id > INT64_MAX || p >= end)
			return CR_EINVAL;
		unsigned char reason = *p++;
		if (!known_reason(reason) || !get_varint(&p, end, &tags))
			return CR_EINVAL;
		out[k++] = (struct snap_item){(int64_t)id, (enum rank_reason)reason, tags};
	}
	*n = k;
	return CR_OK;
}

static cr_err decode_json(const char *text, size_t len, struct snap_item **out, size_t *n)
{
	json_t *arr = json_loadb(text, len, 0, NULL);
	size_t count = json_array_size(arr);
	*out = malloc((count ? count : 1) * sizeof **out);
	cr_err e = !arr || !json_is_array(arr) ? CR_EINVAL : *out ? CR_OK : CR_ENOMEM;
	for (size_t i = 0; !e && i < count; i++) {
		json_t *item = json_array_get(arr, i), *id = json_array_get(item, 0),
		       *reason = json_array_get(item, 1), *tags = json_array_get(item, 2);
		if (!json_is_integer(id) || json_integer_value(id) < 0 ||
		    !json_is_integer(reason) || !known_reason(json_integer_value(reason)) ||
		    (tags && !json_is_integer(tags)))
			e = CR_EINVAL;
		else
			(*out)[i] =
				(struct snap_item){json_integer_value(id),
						   (enum rank_reason)json_integer_value(reason),
						   tags ? (uint64_t)json_integer_value(tags) : 0};
	}
	json_decref(arr);
	if (e) {
		free(*out);
		*out = NULL;
	}
	*n = e ? 0 : count;
	return e;
}

cr_err snap_items_decode(const void *data, size_t len, struct snap_item **out, size_t *n)
{
	const unsigned char *p = data;
	*out = NULL;
	*n = 0;
	if (len && p[0] == '[')
		return decode_json(data, len, out, n);
	if (!len || p[0] != FORMAT_VARINT)
		return CR_EINVAL;
	/* an item takes at least 3 bytes */
	*out = malloc(((len - 1) / 3 + 1) * sizeof **out);
	if (!*out)
		return CR_ENOMEM;
	cr_err e = decode_varint(p + 1, p + len, *out, n);
	if (e) {
		free(*out);
		*out = NULL;
	}
	return e;
}
