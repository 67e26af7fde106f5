/* Opening decoders and the two encoders (libx264 per rendition, AAC-LC). */
#include "tx_internal.h"

#include <stdio.h>

#include <libavutil/opt.h>

int tx_decoder_open(AVCodecContext **out, const AVStream *st, int threads, int64_t max_pixels)
{
	const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
	if (!codec)
		return -1;
	AVCodecContext *dec = avcodec_alloc_context3(codec);
	if (!dec)
		return -1;
	if (avcodec_parameters_to_context(dec, st->codecpar) < 0)
		goto fail;
	dec->pkt_timebase = st->time_base;
	dec->thread_count = threads;
	if (codec->type == AVMEDIA_TYPE_VIDEO)
		dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
	if (max_pixels > 0)
		dec->max_pixels = max_pixels;
	if (avcodec_open2(dec, codec, NULL) < 0)
		goto fail;
	*out = dec;
	return 0;
fail:
	avcodec_free_context(&dec);
	return -1;
}

int tx_x264_open(AVCodecContext **out, const struct tx_rend_plan *r, AVRational fps,
		 const struct tx_options *opt)
{
	const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
	if (!codec)
		return -1;
	AVCodecContext *enc = avcodec_alloc_context3(codec);
	if (!enc)
		return -1;
	enc->width = r->width;
	enc->height = r->height;
	enc->pix_fmt = AV_PIX_FMT_YUV420P;
	enc->sample_aspect_ratio = (AVRational){1, 1};
	enc->time_base = av_inv_q(fps);
	enc->framerate = fps;
	enc->color_primaries = AVCOL_PRI_BT709;
	enc->color_trc = AVCOL_TRC_BT709;
	enc->colorspace = AVCOL_SPC_BT709;
	enc->color_range = AVCOL_RANGE_MPEG;
	enc->rc_max_rate = r->maxrate;
	enc->rc_buffer_size = r->bufsize;
	/* Keyframes come from forced frames on the segment grid only. */
	enc->gop_size = (int)(av_q2d(fps) * 6.0 + 0.5);
	enc->keyint_min = enc->gop_size;
	enc->thread_count = opt->threads;
	enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

	AVDictionary *d = NULL;
	av_dict_set(&d, "preset", opt->x264_preset ? opt->x264_preset : "veryfast", 0);
	av_dict_set(&d, "profile", "high", 0);
	av_dict_set(&d, "crf", "23", 0);
	av_dict_set(&d, "forced-idr", "1", 0);
	/* CABAC whatever the preset: "ultrafast" alone turns it off, and x264
	 * then writes Constrained Baseline, which "profile" only caps. */
	av_dict_set(&d, "x264-params", "scenecut=0:open-gop=0:cabac=1", 0);
	int ret = avcodec_open2(enc, codec, &d);
	av_dict_free(&d);
	if (ret < 0) {
		avcodec_free_context(&enc);
		return -1;
	}
	*out = enc;
	return 0;
}

int tx_aac_open(AVCodecContext **out)
{
	const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
	if (!codec)
		return -1;
	AVCodecContext *enc = avcodec_alloc_context3(codec);
	if (!enc)
		return -1;
	enc->sample_rate = 48000;
	enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
	av_channel_layout_default(&enc->ch_layout, 2);
	enc->bit_rate = 128000;
	enc->time_base = (AVRational){1, 48000};
	enc->profile = FF_PROFILE_AAC_LOW;
	enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	if (avcodec_open2(enc, codec, NULL) < 0) {
		avcodec_free_context(&enc);
		return -1;
	}
	*out = enc;
	return 0;
}
