/* The bit rates a finished MP4 declares: the muxer writes its moov before the
 * media (moov first, fragmented), so its btrt and esds can only guess from the
 * first fragment; this rewrites them in place with what was measured over the
 * whole track. The moov keeps its size, so no offset moves. */
#include "tx_internal.h"

#include <stdio.h>
#include <string.h>

#define MOOV_MAX (16 << 20) /* ours are a few kB: the media is in the fragments */

struct span {
	uint8_t *p;
	size_t len;
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The n-th (0-based) child box of `type` in `in`, payload only; false if none. */
static bool child(struct span in, const char *type, int n, struct span *out)
{
	size_t pos = 0;
	while (pos + 8 <= in.len) {
		uint32_t size = rd32(in.p + pos);
		if (size < 8 || size > in.len - pos)
			return false; /* 64-bit and to-the-end sizes never occur inside a moov */
		if (memcmp(in.p + pos + 4, type, 4) == 0 && n-- == 0) {
			*out = (struct span){in.p + pos + 8, size - 8};
			return true;
		}
		pos += size;
	}
	return false;
}

/* One MPEG-4 descriptor header at *pos: tag and length (1-4 bytes of 7 bits). */
static bool descriptor(struct span s, size_t *pos, uint8_t *tag, size_t *len)
{
	if (*pos >= s.len)
		return false;
	*tag = s.p[(*pos)++];
	*len = 0;
	for (int i = 0; i < 4; i++) {
		if (*pos >= s.len)
			return false;
		uint8_t b = s.p[(*pos)++];
		*len = *len << 7 | (b & 0x7f);
		if (!(b & 0x80))
			return *len <= s.len - *pos;
	}
	return false;
}

/* esds: full box, ES_Descriptor (tag 3) holding the DecoderConfigDescriptor
 * (tag 4): object type, stream type, bufferSizeDB (24 bits), max, avg. */
static void patch_esds(struct span esds, const struct tx_track_rates *r)
{
	size_t pos = 4, len;
	uint8_t tag;
	if (!descriptor(esds, &pos, &tag, &len) || tag != 3 || pos + 3 > esds.len)
		return;
	uint8_t flags = esds.p[pos + 2];
	pos += 3;
	if (flags & 0x80)
		pos += 2; /* dependsOn_ES_ID */
	if ((flags & 0x40) && pos < esds.len)
		pos += 1 + esds.p[pos]; /* URL */
	if (flags & 0x20)
		pos += 2; /* OCR_ES_Id */
	if (!descriptor(esds, &pos, &tag, &len) || tag != 4 || len < 13)
		return;
	wr32(esds.p + pos + 5, r->max);
	wr32(esds.p + pos + 9, r->avg);
}

/* btrt: bufferSizeDB, maxBitrate, avgBitrate; the buffer size is the encoder's. */
static void patch_btrt(struct span btrt, const struct tx_track_rates *r)
{
	if (btrt.len < 12)
		return;
	wr32(btrt.p + 4, r->max);
	wr32(btrt.p + 8, r->avg);
}

/* Sample entries put their child boxes after fixed fields: 78 bytes for
 * video, 28 for version 0 sound (what the mp4 muxer writes for AAC). */
static void patch_track(struct span trak, const struct tx_track_rates *r)
{
	struct span mdia, minf, stbl, stsd, entry, box;
	if (!child(trak, "mdia", 0, &mdia) || !child(mdia, "minf", 0, &minf) ||
	    !child(minf, "stbl", 0, &stbl) || !child(stbl, "stsd", 0, &stsd) || stsd.len < 8)
		return;
	struct span entries = {stsd.p + 8, stsd.len - 8};
	size_t skip;
	if (child(entries, "avc1", 0, &entry))
		skip = 78;
	else if (child(entries, "mp4a", 0, &entry) && entry.len >= 12 &&
		 rd32(entry.p + 8) >> 16 == 0)
		skip = 28;
	else
		return;
	if (entry.len < skip)
		return;
	struct span kids = {entry.p + skip, entry.len - skip};
	if (child(kids, "btrt", 0, &box))
		patch_btrt(box, r);
	if (child(kids, "esds", 0, &box))
		patch_esds(box, r);
}

/* Finds the top-level moov: its offset and size. */
static int find_moov(FILE *f, int64_t *off, uint32_t *size)
{
	uint8_t h[8];
	int64_t pos = 0;
	while (fseeko(f, pos, SEEK_SET) == 0 && fread(h, 1, 8, f) == 8) {
		uint32_t s = rd32(h);
		if (s < 8)
			return -1; /* 64-bit sizes only come after the moov in our files */
		if (memcmp(h + 4, "moov", 4) == 0) {
			*off = pos;
			*size = s;
			return 0;
		}
		pos += s;
	}
	return -1;
}

int tx_mp4_declare_rates(const char *path, const struct tx_track_rates *rates, int n)
{
	FILE *f = fopen(path, "r+b");
	if (!f)
		return -1;
	int ret = -1;
	uint8_t *buf = NULL;
	int64_t off;
	uint32_t size;
	if (find_moov(f, &off, &size) < 0 || size > MOOV_MAX || !(buf = av_malloc(size)) ||
	    fseeko(f, off, SEEK_SET) != 0 || fread(buf, 1, size, f) != size)
		goto out;
	struct span moov = {buf + 8, size - 8}, trak;
	for (int i = 0; i < n && child(moov, "trak", i, &trak); i++)
		patch_track(trak, &rates[i]);
	if (fseeko(f, off, SEEK_SET) != 0 || fwrite(buf, 1, size, f) != size)
		goto out;
	ret = 0;
out:
	av_free(buf);
	if (fclose(f) != 0)
		ret = -1;
	return ret;
}
