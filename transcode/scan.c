/* The first pass: demux every packet to learn the real (timestamp) duration,
 * bit rate and keyframe layout, and optionally measure audio loudness. */
#include "tx_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct frame_time {
	int64_t pts;
};

struct scan_state {
	double start, end, aend;
	bool seen_video, seen_audio;
	AVRational vtb;
	struct frame_time *frames; /* TX_MAX_FRAMES, in demux (decode) order */
	struct tx_rate rate;       /* video bits per peak window, in decode order */
	int n_frames;
	bool frames_overflow;
};

static void add_key(struct tx_scan *out, double t)
{
	if (out->n_keys > 0 && t <= out->keys[out->n_keys - 1])
		return; /* not ascending: keep the table sorted, ignore strays */
	if (out->n_keys == TX_MAX_KEYS) {
		out->keys_overflow = true;
		return;
	}
	out->keys[out->n_keys++] = t;
}

static void add_frame(struct scan_state *s, int64_t ts)
{
	if (s->n_frames == TX_MAX_FRAMES) {
		s->frames_overflow = true;
		return;
	}
	s->frames[s->n_frames++] = (struct frame_time){ts};
}

static void on_video(struct tx_scan *out, struct scan_state *s, const AVPacket *pkt, AVRational tb)
{
	int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
	if (pkt->flags & AV_PKT_FLAG_DISCARD) {
		out->video_discarded = true;
		return;
	}
	if (!s->seen_video)
		out->first_is_key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
	out->video_bytes += pkt->size;
	int64_t dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : ts;
	if (dts != AV_NOPTS_VALUE)
		tx_rate_add(&s->rate, (double)dts * av_q2d(tb), (double)pkt->duration * av_q2d(tb),
			    pkt->size);
	if (ts == AV_NOPTS_VALUE) {
		s->seen_video = true;
		return;
	}
	add_frame(s, ts);
	double t = (double)ts * av_q2d(tb);
	double end = t + (double)pkt->duration * av_q2d(tb);
	if (!s->seen_video || t < s->start)
		s->start = t;
	if (!s->seen_video || end > s->end)
		s->end = end;
	s->seen_video = true;
	if (pkt->flags & AV_PKT_FLAG_KEY)
		add_key(out, t);
}

static void on_audio(struct scan_state *s, const AVPacket *pkt, AVRational tb)
{
	int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
	if (ts == AV_NOPTS_VALUE || (pkt->flags & AV_PKT_FLAG_DISCARD))
		return;
	double end = (double)(ts + pkt->duration) * av_q2d(tb);
	if (!s->seen_audio || end > s->aend)
		s->aend = end;
	s->seen_audio = true;
}

static int by_pts(const void *a, const void *b)
{
	int64_t x = ((const struct frame_time *)a)->pts, y = ((const struct frame_time *)b)->pts;
	return (x > y) - (x < y);
}

/* Constant frame rate when every presentation interval is the same within
 * one tick of the time base (1/1000 stores 30 fps as 33,33,34 ms). Sorts
 * the frames by pts. */
static void frame_rate(struct tx_scan *out, struct scan_state *s)
{
	if (s->n_frames < 2 || s->frames_overflow)
		return;
	qsort(s->frames, (size_t)s->n_frames, sizeof *s->frames, by_pts);
	int64_t lo = INT64_MAX, hi = 0;
	for (int i = 1; i < s->n_frames; i++) {
		int64_t d = s->frames[i].pts - s->frames[i - 1].pts;
		lo = FFMIN(lo, d);
		hi = FFMAX(hi, d);
	}
	double span = (double)(s->frames[s->n_frames - 1].pts - s->frames[0].pts) * av_q2d(s->vtb);
	out->frame_rate = span > 0 ? (s->n_frames - 1) / span : 0;
	out->cfr = lo > 0 && hi - lo <= 1;
}

static void finish(struct tx_scan *out, struct scan_state *s)
{
	out->peak_rate = tx_rate_peak(&s->rate);
	frame_rate(out, s);
	out->start = s->seen_video ? s->start : 0;
	out->duration = s->seen_video ? FFMAX(0.0, s->end - s->start) : 0;
	out->audio_duration = s->seen_audio ? FFMAX(0.0, s->aend - out->start) : 0;
	double prev = 0;
	for (int i = 0; i < out->n_keys; i++) {
		out->keys[i] -= out->start;
		if (out->keys[i] - prev > out->max_key_gap)
			out->max_key_gap = out->keys[i] - prev;
		prev = out->keys[i];
	}
	if (out->duration - prev > out->max_key_gap)
		out->max_key_gap = out->duration - prev;
}

/* Seconds the container says it holds: the video stream's indexed length
 * (mov), else the whole file's (Matroska keeps only that); 0 when unknown
 * or only guessed from the bit rate (mpegts, flv: too rough to judge by). */
static double declared_duration(const struct tx_input *in)
{
	const AVStream *st = in->vst;
	if (in->fmt->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE)
		return 0;
	if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
		return (double)st->duration * av_q2d(st->time_base);
	if (in->fmt->duration != AV_NOPTS_VALUE && in->fmt->duration > 0)
		return (double)in->fmt->duration / AV_TIME_BASE;
	return 0;
}

/* Far less readable media than declared means the upload was cut short (or
 * the container lies about it: the same refusal). Declaring less than there
 * is does no harm: the length is taken from the timestamps. */
static bool truncated(const struct tx_input *in, const struct tx_scan *out)
{
	double declared = declared_duration(in);
	double held = fmax(out->duration, out->audio_duration);
	return declared > 0 && held < declared - fmax(0.5, 0.02 * declared);
}

int tx_scan(struct tx_job *job, struct tx_input *in, bool measure, struct tx_scan *out)
{
	memset(out, 0, sizeof *out);
	struct scan_state s = {.vtb = in->vst->time_base};
	tx_rate_init(&s.rate);
	struct tx_meter *meter = NULL;
	AVPacket *pkt = av_packet_alloc();
	int ret = -1;
	s.frames = av_malloc_array(TX_MAX_FRAMES, sizeof *s.frames);
	if (!pkt || !s.frames) {
		tx_fail(job, TX_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (measure && in->ast && tx_meter_open(&meter, in->ast) < 0)
		in->ast = NULL; /* audio that cannot be decoded is left out, as probe.c does */
	for (unsigned n = 0;; n++) {
		if ((n & 63) == 0 && tx_check_stop(job) < 0)
			goto out;
		int r = av_read_frame(in->fmt, pkt);
		if (r < 0) {
			if (tx_check_stop(job) < 0)
				goto out;
			if (r != AVERROR_EOF) {
				tx_fail(job, TX_ERR_UNSUPPORTED, TX_DETAIL_TRUNCATED);
				goto out;
			}
			break;
		}
		if (pkt->stream_index == in->vst->index)
			on_video(out, &s, pkt, in->vst->time_base);
		else if (in->ast && pkt->stream_index == in->ast->index) {
			on_audio(&s, pkt, in->ast->time_base);
			if (meter)
				(void)tx_meter_feed(meter,
						    pkt); /* a bad packet only loses a little */
		}
		av_packet_unref(pkt);
	}
	if (!s.seen_video) {
		tx_fail(job, TX_ERR_UNSUPPORTED, NULL);
		goto out;
	}
	finish(out, &s);
	if (truncated(in, out)) {
		tx_fail(job, TX_ERR_UNSUPPORTED, TX_DETAIL_TRUNCATED);
		goto out;
	}
	if (meter) {
		(void)tx_meter_feed(meter, NULL);
		tx_meter_result(meter, &out->loudness, &out->peak_db);
		out->measured = true;
	}
	ret = 0;
out:
	tx_meter_free(&meter);
	av_packet_free(&pkt);
	av_free(s.frames);
	return ret;
}
