/* HLS playlists over the finished fragmented MP4s: the init section is
 * ftyp+moov, every moof+mdat pair is one segment (EXT-X-BYTERANGE), so the
 * progressive MP4 and the HLS media are the same bytes. */
#include "tx_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_SEGMENTS (TX_MAX_CUTS + 1)

struct layout {
	int64_t init_len;
	int64_t off[MAX_SEGMENTS], len[MAX_SEGMENTS];
	int n;
};

static int read_box(FILE *f, int64_t pos, int64_t file_size, int64_t *size, char type[5])
{
	uint8_t h[16];
	if (fseeko(f, pos, SEEK_SET) != 0 || fread(h, 1, 8, f) != 8)
		return -1;
	uint64_t s = ((uint64_t)h[0] << 24) | ((uint64_t)h[1] << 16) | ((uint64_t)h[2] << 8) | h[3];
	memcpy(type, h + 4, 4);
	type[4] = 0;
	if (s == 1) {
		if (fread(h + 8, 1, 8, f) != 8)
			return -1;
		s = 0;
		for (int i = 8; i < 16; i++)
			s = (s << 8) | h[i];
	} else if (s == 0) {
		s = (uint64_t)(file_size - pos);
	}
	if (s < 8 || s > (uint64_t)(file_size - pos))
		return -1;
	*size = (int64_t)s;
	return 0;
}

static int scan_mp4(const char *path, struct layout *l)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	int ret = -1;
	if (fseeko(f, 0, SEEK_END) != 0)
		goto out;
	int64_t file_size = ftello(f), pos = 0, size;
	char type[5];
	l->n = 0;
	l->init_len = 0;
	bool in_segment = false;
	while (pos < file_size) {
		if (read_box(f, pos, file_size, &size, type) < 0)
			goto out;
		if (strcmp(type, "moov") == 0) {
			l->init_len = pos + size;
		} else if (strcmp(type, "moof") == 0) {
			if (l->n == MAX_SEGMENTS)
				goto out;
			l->off[l->n] = pos;
			l->len[l->n++] = size;
			in_segment = true;
		} else if (strcmp(type, "mdat") == 0 && in_segment) {
			l->len[l->n - 1] = pos + size - l->off[l->n - 1];
		} else {
			in_segment = false;
		}
		pos += size;
	}
	ret = l->init_len > 0 && l->n > 0 ? 0 : -1;
out:
	fclose(f);
	return ret;
}

/* RFC 6381 "avc1.PPCCLL" from avcC or Annex B extradata. */
static void avc_codec_string(const AVCodecParameters *par, char *buf, size_t size)
{
	const uint8_t *e = par->extradata;
	int n = par->extradata_size;
	snprintf(buf, size, "avc1.64001f");
	if (n > 4 && e[0] == 1) {
		snprintf(buf, size, "avc1.%02x%02x%02x", e[1], e[2], e[3]);
		return;
	}
	for (int i = 0; i + 6 < n; i++)
		if (e[i] == 0 && e[i + 1] == 0 && e[i + 2] == 1 && (e[i + 3] & 0x1f) == 7) {
			snprintf(buf, size, "avc1.%02x%02x%02x", e[i + 4], e[i + 5], e[i + 6]);
			return;
		}
}

static FILE *open_tmp(const struct tx_job *job, const char *name, char *path, size_t psize,
		      char *tmp, size_t tsize)
{
	if (tx_out_path(job, name, path, psize) < 0)
		return NULL;
	int n = snprintf(tmp, tsize, "%s.tmp", path);
	if (n < 0 || (size_t)n >= tsize)
		return NULL;
	return fopen(tmp, "w");
}

static int close_tmp(FILE *f, const char *path, const char *tmp)
{
	bool ok = !ferror(f);
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		remove(tmp);
		return -1;
	}
	return 0;
}

static int write_media_playlist(struct tx_job *job, const char *name, const char *mp4,
				const struct layout *l, const double *dur)
{
	char path[4096], tmp[4200];
	FILE *f = open_tmp(job, name, path, sizeof path, tmp, sizeof tmp);
	if (!f)
		return -1;
	double max = 0;
	for (int i = 0; i < l->n; i++)
		max = fmax(max, dur[i]);
	fprintf(f, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:%d\n", (int)ceil(max - 1e-3));
	fprintf(f,
		"#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n");
	fprintf(f, "#EXT-X-MAP:URI=\"%s\",BYTERANGE=\"%lld@0\"\n", mp4, (long long)l->init_len);
	for (int i = 0; i < l->n; i++)
		fprintf(f, "#EXTINF:%.5f,\n#EXT-X-BYTERANGE:%lld@%lld\n%s\n", dur[i],
			(long long)l->len[i], (long long)l->off[i], mp4);
	fprintf(f, "#EXT-X-ENDLIST\n");
	return close_tmp(f, path, tmp);
}

/* Segment durations from the fragment start times the writer recorded. */
static int durations(const struct tx_output *o, const struct layout *l, double *dur)
{
	const double *starts;
	double end;
	int n = tx_output_fragments(o, &starts, &end);
	if (n != l->n)
		return -1;
	for (int i = 0; i < n; i++)
		dur[i] = fmax(0.001, (i + 1 < n ? starts[i + 1] : end) - starts[i]);
	return 0;
}

/* A final segment under MIN_LAST_SEGMENT seconds joins the one before (a
 * byte range may span several fragments): its bit rate over so short a time
 * would only inflate BANDWIDTH. */
#define MIN_LAST_SEGMENT 0.5

/* *merge: -1 until the top rendition decided it; then the same choice for
 * every rendition, so that their segments stay the same in number and time
 * (their last fragments can differ by a frame). */
static void merge_short_tail(struct layout *l, double *dur, int *merge)
{
	int n = l->n;
	if (*merge < 0)
		*merge = n >= 2 && dur[n - 1] < MIN_LAST_SEGMENT;
	if (!*merge || n < 2)
		return;
	l->len[n - 2] = l->off[n - 1] + l->len[n - 1] - l->off[n - 2];
	dur[n - 2] += dur[n - 1];
	l->n--;
}

static int rendition(struct tx_job *job, const struct tx_rend_plan *r, const struct tx_output *o,
		     struct tx_rendition *out, struct layout *l, double *dur, int *merge_tail)
{
	char mp4[32], name[32], path[4096];
	snprintf(mp4, sizeof mp4, "%s.mp4", r->name);
	snprintf(name, sizeof name, "%s.m3u8", r->name);
	if (tx_out_path(job, mp4, path, sizeof path) < 0 || scan_mp4(path, l) < 0 ||
	    durations(o, l, dur) < 0)
		return tx_fail(job, TX_ERR_INTERNAL, "cannot index the MP4 fragments");
	merge_short_tail(l, dur, merge_tail);
	/* BANDWIDTH is the peak segment bit rate over all segments (RFC 8216 4.3.4.2) */
	double total = 0, bytes = 0, peak = 0;
	for (int i = 0; i < l->n; i++) {
		total += dur[i];
		bytes += (double)l->len[i];
		peak = fmax(peak, (double)l->len[i] * 8.0 / dur[i]);
	}
	out->avg_bandwidth = total > 0 ? (int64_t)(bytes * 8.0 / total) : 0;
	out->bandwidth = (int64_t)ceil(fmax(peak, (double)out->avg_bandwidth));
	if (write_media_playlist(job, name, mp4, l, dur) < 0)
		return tx_fail(job, TX_ERR_IO, "cannot write the playlists");
	return 0;
}

static int write_master(struct tx_job *job, const struct tx_plan *plan,
			struct tx_output *const *outs, const struct tx_result *res)
{
	char path[4096], tmp[4200];
	FILE *f = open_tmp(job, "master.m3u8", path, sizeof path, tmp, sizeof tmp);
	if (!f)
		return tx_fail(job, TX_ERR_IO, "cannot write the playlists");
	fprintf(f, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
	for (int i = 0; i < plan->n; i++) {
		const struct tx_rendition *r = &res->renditions[i];
		char codec[32];
		avc_codec_string(tx_output_vpar(outs[i]), codec, sizeof codec);
		fprintf(f,
			"#EXT-X-STREAM-INF:BANDWIDTH=%lld,AVERAGE-BANDWIDTH=%lld,RESOLUTION=%dx%d,"
			"FRAME-RATE=%.3f,CODECS=\"%s%s\"\n%s\n",
			(long long)r->bandwidth, (long long)r->avg_bandwidth, r->width, r->height,
			av_q2d(plan->fps), codec, res->has_audio ? ",mp4a.40.2" : "", r->playlist);
	}
	return close_tmp(f, path, tmp) < 0 ? tx_fail(job, TX_ERR_IO, "cannot write the playlists")
					   : 0;
}

int tx_hls_write(struct tx_job *job, const struct tx_plan *plan, struct tx_output *const *outs,
		 struct tx_result *res)
{
	struct layout *l = av_malloc(sizeof *l);
	double *dur = av_malloc(sizeof(double) * MAX_SEGMENTS);
	int ret = -1;
	if (!l || !dur) {
		tx_fail(job, TX_ERR_INTERNAL, "out of memory");
		goto out;
	}
	int merge_tail = -1;
	for (int i = 0; i < plan->n; i++)
		if (rendition(job, &plan->r[i], outs[i], &res->renditions[i], l, dur, &merge_tail) <
		    0)
			goto out;
	ret = write_master(job, plan, outs, res);
out:
	av_free(l);
	av_free(dur);
	return ret;
}
