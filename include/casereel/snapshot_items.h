/* A feed snapshot's items as stored in feed_snapshots.items: the clips of
 * one viewer's ranked feed, in order, with why each is there. Written as a
 * compact blob (a cold feed page writes one, so its size is the feed's
 * write load); rows from before are JSON text, and still read. */
#ifndef CASEREEL_SNAPSHOT_ITEMS_H
#define CASEREEL_SNAPSHOT_ITEMS_H

#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/rank.h"

struct snap_item {
	int64_t id; /* the clip */
	enum rank_reason reason;
	uint64_t reason_tags;
};

/* At most this many bytes per item in an encoding. */
#define SNAP_ITEM_MAX_BYTES 21

/* Encodes items[0..n) into out (room for 1 + n * SNAP_ITEM_MAX_BYTES
 * bytes) and returns the length: a version byte (1), then per item the
 * clip id and the reason tags as LEB128 varints around the reason byte. */
size_t snap_items_encode(const struct snap_item *items, size_t n, unsigned char *out);

/* Decodes a stored value of `len` bytes (an encoding above, or the JSON
 * text [[id, reason, tags], ...] of older rows) into a new array *out
 * (free() it) of *n items. CR_EINVAL for anything malformed (a negative
 * or non-integer id, an unknown reason, a cut-off varint), CR_ENOMEM. */
cr_err snap_items_decode(const void *data, size_t len, struct snap_item **out, size_t *n);

#endif
