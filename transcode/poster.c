/* poster.jpg (rendition size) and thumb.jpg (180 px wide) from a
 * representative frame: candidates at fixed fractions of the clip, the first
 * one that is not nearly black wins, else the brightest. */
#include "tx_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libswscale/swscale.h>

#define THUMB_WIDTH 180
#define DARK_LUMA   40.0

static const double FRACTIONS[TX_POSTER_CANDIDATES] = {1.0 / 3, 1.0 / 2, 1.0 / 5, 2.0 / 3};

void tx_poster_init(struct tx_poster *p, double duration, double chosen_at)
{
	memset(p, 0, sizeof *p);
	for (int i = 0; i < TX_POSTER_CANDIDATES; i++)
		p->at[i] = duration > 0 ? duration * FRACTIONS[i] : 0;
	p->chosen_at = chosen_at;
}

int tx_poster_offer(struct tx_poster *p, const AVFrame *frame, double t)
{
	if (p->chosen_at >= 0 && !p->chosen && t >= p->chosen_at - 1e-3 &&
	    !(p->chosen = av_frame_clone(frame)))
		return -1;
	for (int i = 0; i < TX_POSTER_CANDIDATES; i++) {
		if (p->frame[i] || t < p->at[i])
			continue;
		if (!(p->frame[i] = av_frame_clone(frame)))
			return -1;
	}
	return 0;
}

void tx_poster_free(struct tx_poster *p)
{
	for (int i = 0; i < TX_POSTER_CANDIDATES; i++)
		av_frame_free(&p->frame[i]);
	av_frame_free(&p->chosen);
}

/* Mean of the luma plane, sampled; frames here are 8-bit YUV. */
static double mean_luma(const AVFrame *f)
{
	uint64_t sum = 0, n = 0;
	for (int y = 0; y < f->height; y += 4)
		for (int x = 0; x < f->width; x += 4) {
			sum += f->data[0][(size_t)y * f->linesize[0] + x];
			n++;
		}
	return n ? (double)sum / (double)n : 0;
}

static int pick(const struct tx_poster *p)
{
	int best = -1;
	double best_luma = -1;
	for (int i = 0; i < TX_POSTER_CANDIDATES; i++) {
		if (!p->frame[i])
			continue;
		double l = mean_luma(p->frame[i]);
		if (l >= DARK_LUMA)
			return i;
		if (l > best_luma) {
			best_luma = l;
			best = i;
		}
	}
	return best;
}

static int encode_jpeg(const AVFrame *img, AVPacket *pkt)
{
	const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
	AVCodecContext *enc = codec ? avcodec_alloc_context3(codec) : NULL;
	int ret = -1;
	if (!enc)
		return -1;
	enc->width = img->width;
	enc->height = img->height;
	enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
	enc->time_base = (AVRational){1, 25};
	enc->flags |= AV_CODEC_FLAG_QSCALE;
	enc->global_quality = FF_QP2LAMBDA * 3;
	if (avcodec_open2(enc, codec, NULL) < 0 || avcodec_send_frame(enc, img) < 0 ||
	    avcodec_send_frame(enc, NULL) < 0 || avcodec_receive_packet(enc, pkt) < 0)
		goto out;
	ret = 0;
out:
	avcodec_free_context(&enc);
	return ret;
}

static int write_file(const struct tx_job *job, const char *name, const uint8_t *data, size_t size)
{
	char path[4096], tmp[4200];
	if (tx_out_path(job, name, path, sizeof path) < 0)
		return -1;
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return -1;
	bool ok = fwrite(data, 1, size, f) == size;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) != 0) {
		remove(tmp);
		return -1;
	}
	return 0;
}

/* Scales src to w x h full-range 4:2:0 and writes it as JPEG. */
static int write_jpeg(const struct tx_job *job, const AVFrame *src, int w, int h, const char *name)
{
	AVFrame *img = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	struct SwsContext *sws = NULL;
	int ret = -1;
	if (!img || !pkt)
		goto out;
	img->width = w;
	img->height = h;
	img->format = AV_PIX_FMT_YUVJ420P;
	if (av_frame_get_buffer(img, 0) < 0)
		goto out;
	sws = sws_getContext(src->width, src->height, src->format, w, h, AV_PIX_FMT_YUVJ420P,
			     SWS_BICUBIC, NULL, NULL, NULL);
	if (!sws || sws_scale(sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
			      img->data, img->linesize) != h)
		goto out;
	if (encode_jpeg(img, pkt) < 0)
		goto out;
	ret = write_file(job, name, pkt->data, (size_t)pkt->size);
out:
	sws_freeContext(sws);
	av_packet_free(&pkt);
	av_frame_free(&img);
	return ret;
}

static int write_pair(struct tx_job *job, const AVFrame *f)
{
	int tw = FFMIN(THUMB_WIDTH, f->width) & ~1;
	int th = (int)((int64_t)f->height * tw / f->width) & ~1;
	if (write_jpeg(job, f, f->width, f->height, "poster.jpg") < 0 ||
	    write_jpeg(job, f, FFMAX(tw, 2), FFMAX(th, 2), "thumb.jpg") < 0)
		return tx_fail(job, TX_ERR_IO, "cannot write the poster");
	return 0;
}

int tx_poster_write(struct tx_job *job, struct tx_poster *p)
{
	if (p->chosen)
		return write_pair(job, p->chosen);
	int i = pick(p);
	if (i < 0)
		return tx_fail(job, TX_ERR_UNSUPPORTED, "no picture could be decoded");
	return write_pair(job, p->frame[i]);
}

/* Decodes forward from a seek to target (seconds after the first frame) and
 * returns the first frame at or after it, or the last one before EOF. */
static int decode_at(struct tx_job *job, struct tx_input *in, AVCodecContext *dec, double target,
		     AVFrame *out)
{
	AVStream *st = in->vst;
	int64_t start = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
	int64_t ts = start + (int64_t)(target / av_q2d(st->time_base));
	AVPacket *pkt = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	int ret = -1;
	if (!pkt || !f)
		goto out;
	if (avformat_seek_file(in->fmt, st->index, INT64_MIN, ts, ts, 0) < 0)
		avformat_seek_file(in->fmt, st->index, INT64_MIN, start, start, 0);
	avcodec_flush_buffers(dec);
	bool eof = false;
	while (tx_check_stop(job) == 0) {
		if (!eof) {
			int r = av_read_frame(in->fmt, pkt);
			if (r < 0) {
				eof = true;
				avcodec_send_packet(dec, NULL);
			} else {
				if (pkt->stream_index == st->index)
					avcodec_send_packet(dec, pkt);
				av_packet_unref(pkt);
			}
		}
		int r;
		while ((r = avcodec_receive_frame(dec, f)) == 0) {
			av_frame_unref(out);
			av_frame_move_ref(out, f);
			if (out->best_effort_timestamp == AV_NOPTS_VALUE ||
			    out->best_effort_timestamp >= ts) {
				ret = 0;
				goto out;
			}
		}
		if (eof && r != AVERROR(EAGAIN)) {
			ret = out->data[0] ? 0 : -1;
			break;
		}
	}
out:
	av_packet_free(&pkt);
	av_frame_free(&f);
	return ret;
}

/* Candidate frames of in into f; records no error (the caller may retry). */
static int grab(struct tx_job *job, struct tx_input *in, double duration, AVFrame *f)
{
	AVCodecContext *dec = NULL;
	int ret = -1;
	if (tx_decoder_open(&dec, in->vst, job->opt->decoder_threads, 0) < 0)
		return -1;
	double chosen = job->opt->edits.poster_time; /* a copy is never trimmed */
	if (chosen >= 0 && decode_at(job, in, dec, fmin(chosen, duration), f) == 0)
		ret = 0;
	for (int i = 0; i < 2 && ret < 0; i++) {
		if (decode_at(job, in, dec, duration * FRACTIONS[i], f) < 0)
			continue;
		if (i == 0 && mean_luma(f) < DARK_LUMA)
			continue; /* try the middle once before accepting a dark frame */
		ret = 0;
	}
	if (ret < 0 && f->data[0])
		ret = 0;
	avcodec_free_context(&dec);
	return ret;
}

int tx_poster_from_source(struct tx_job *job, struct tx_input *in, double duration)
{
	AVFrame *f = av_frame_alloc();
	if (!f)
		return tx_fail(job, TX_ERR_INTERNAL, "out of memory");
	int ret = grab(job, in, duration, f);
	if (ret < 0 && tx_check_stop(job) == 0) {
		/* Not every container seeks back reliably: start over on a fresh open. */
		struct tx_input fresh;
		if (tx_open_input(job, &fresh) == 0) {
			ret = grab(job, &fresh, duration, f);
			tx_close_input(&fresh);
		}
	}
	if (ret < 0)
		ret = tx_fail(job, TX_ERR_UNSUPPORTED, "no picture could be decoded");
	else
		ret = write_pair(job, f);
	av_frame_free(&f);
	return ret;
}
