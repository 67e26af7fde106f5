/* Integrated loudness and sample peak of an audio stream with lavfi's ebur128,
 * fed packet by packet during the scan pass. ebur128 always sees 48 kHz: its
 * filter bank and windows are only sound at ordinary rates. */
#include "tx_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>

#define METER_CHAIN "aresample=48000,ebur128=metadata=1:peak=sample"

struct tx_meter {
	AVCodecContext *dec;
	AVRational tb;
	struct tx_agraph g;
	AVFrame *frame;
	double lufs;
	double peak; /* linear */
};

static void read_meta(struct tx_meter *m, const AVFrame *f)
{
	const AVDictionaryEntry *e = av_dict_get(f->metadata, "lavfi.r128.I", NULL, 0);
	if (e)
		m->lufs = strtod(e->value, NULL);
	for (int ch = 0; ch < 64; ch++) {
		char key[64];
		snprintf(key, sizeof key, "lavfi.r128.sample_peaks_ch%d", ch);
		e = av_dict_get(f->metadata, key, NULL, 0);
		if (!e)
			break;
		double v = strtod(e->value, NULL);
		if (v > m->peak)
			m->peak = v;
	}
}

static int drain(struct tx_meter *m)
{
	while (m->g.graph) {
		int ret = av_buffersink_get_frame(m->g.sink, m->frame);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0)
			return ret;
		read_meta(m, m->frame);
		av_frame_unref(m->frame);
	}
	return 0;
}

/* The graph follows the first usable frame; frames of other parameters
 * (a mid-stream change) are left out of the measurement. */
static int measure(struct tx_meter *m, AVFrame *f)
{
	if (!tx_audio_params_ok(f->sample_rate, &f->ch_layout))
		return 0;
	if (!m->g.graph && tx_agraph_open(&m->g, f, m->tb, METER_CHAIN, 0) < 0)
		return -1;
	if (!tx_agraph_matches(&m->g, f))
		return 0;
	return av_buffersrc_add_frame_flags(m->g.src, f, AV_BUFFERSRC_FLAG_KEEP_REF);
}

static int receive(struct tx_meter *m)
{
	for (;;) {
		int ret = avcodec_receive_frame(m->dec, m->frame);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0)
			return ret;
		ret = measure(m, m->frame);
		av_frame_unref(m->frame);
		if (ret < 0)
			return ret;
		if ((ret = drain(m)) < 0)
			return ret;
	}
}

int tx_meter_open(struct tx_meter **out, const AVStream *ast)
{
	struct tx_meter *m = av_mallocz(sizeof *m);
	if (!m)
		return -1;
	m->lufs = -70.0;
	m->tb = ast->time_base;
	m->frame = av_frame_alloc();
	if (!m->frame || tx_decoder_open(&m->dec, ast, 1, 0) < 0) {
		tx_meter_free(&m);
		return -1;
	}
	*out = m;
	return 0;
}

int tx_meter_feed(struct tx_meter *m, const AVPacket *pkt)
{
	int ret = avcodec_send_packet(m->dec, pkt);
	if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF && pkt)
		return 0; /* skip a damaged packet */
	if ((ret = receive(m)) < 0)
		return ret;
	if (!pkt && m->g.graph) {
		if ((ret = av_buffersrc_add_frame(m->g.src, NULL)) < 0)
			return ret;
		return drain(m);
	}
	return 0;
}

void tx_meter_result(const struct tx_meter *m, double *lufs, double *peak_db)
{
	*lufs = isfinite(m->lufs) ? m->lufs : -70.0;
	*peak_db = m->peak > 0 ? 20.0 * log10(m->peak) : -120.0;
}

void tx_meter_free(struct tx_meter **pm)
{
	struct tx_meter *m = *pm;
	if (!m)
		return;
	tx_agraph_free(&m->g);
	avcodec_free_context(&m->dec);
	av_frame_free(&m->frame);
	av_freep(pm);
}
