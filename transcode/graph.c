/* Filter graphs: one video graph (orient, tone-map, fps, scale, split to every
 * encoded rendition) and small audio graphs (loudness meter, resample + gain). */
#include "tx_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

void tx_graph_free(AVFilterGraph **graph)
{
	avfilter_graph_free(graph);
}

/* Links src -> desc -> sinks, where desc uses the labels [in] and [o0].. */
static int parse_and_config(AVFilterGraph *graph, const char *desc, AVFilterContext *src,
			    AVFilterContext **sinks, int n_sinks)
{
	AVFilterInOut *outputs = avfilter_inout_alloc();
	AVFilterInOut *inputs = NULL;
	int ret = AVERROR(ENOMEM);
	if (!outputs)
		goto out;
	outputs->name = av_strdup("in");
	outputs->filter_ctx = src;
	for (int i = n_sinks - 1; i >= 0; i--) {
		AVFilterInOut *io = avfilter_inout_alloc();
		char label[16];
		if (!io)
			goto out;
		snprintf(label, sizeof label, "o%d", i);
		io->name = av_strdup(label);
		io->filter_ctx = sinks[i];
		io->next = inputs;
		inputs = io;
	}
	ret = avfilter_graph_parse_ptr(graph, desc, &inputs, &outputs, NULL);
	if (ret >= 0)
		ret = avfilter_graph_config(graph, NULL);
out:
	avfilter_inout_free(&inputs);
	avfilter_inout_free(&outputs);
	return ret;
}

/* Filters turning the decoded picture upright, as FFmpeg's autorotate does
 * (a mirror is a left-right flip after the turn). */
static const char *orient_filters(const struct tx_input *in)
{
	switch (in->rotation) {
	case 90: return in->mirror ? "transpose=cclock_flip," : "transpose=clock,";
	case 180: return in->mirror ? "vflip," : "hflip,vflip,";
	case 270: return in->mirror ? "transpose=clock_flip," : "transpose=cclock,";
	default: return in->mirror ? "hflip," : "";
	}
}

/* bwdif only for sources that say they are interlaced; deint=interlaced lets
 * the progressive frames of mixed content through untouched. It needs at
 * least 3x4 pixels. */
static const char *deint_filter(const struct tx_input *in, const AVFrame *f)
{
	enum AVFieldOrder fo = in->vst->codecpar->field_order;
	bool interlaced =
		f->interlaced_frame || (fo != AV_FIELD_UNKNOWN && fo != AV_FIELD_PROGRESSIVE);
	return interlaced && f->width >= 3 && f->height >= 4
		       ? "bwdif=mode=send_frame:deint=interlaced,"
		       : "";
}

/* Unknown (0/0, 0/1) counts as square, as the graph takes it. */
static AVRational frame_sar(const AVFrame *f)
{
	AVRational sar = f->sample_aspect_ratio;
	return sar.num > 0 && sar.den > 0 ? sar : (AVRational){1, 1};
}

/* The pixel aspect the picture is shown with: the container's, else the
 * frame's (the order av_guess_sample_aspect_ratio, which sized the plan,
 * follows). */
static double shown_sar(const struct tx_input *in, const AVFrame *f)
{
	AVRational c = in->vst->sample_aspect_ratio;
	return av_q2d(c.num > 0 && c.den > 0 ? c : frame_sar(f));
}

/* Size of f's upright picture, in square pixels, fitted inside w x h (even,
 * at least 2x2). A picture of the planned shape gives w x h itself; one
 * that changed shape mid-stream is letterboxed rather than stretched. */
static void fit_frame(const struct tx_input *in, const AVFrame *f, int w, int h, int *fw, int *fh)
{
	bool sideways = in->rotation == 90 || in->rotation == 270;
	double sw = f->width * shown_sar(in, f); /* stored width as shown */
	double pw = sideways ? f->height : sw, ph = sideways ? sw : f->height;
	double s = fmin((double)w / pw, (double)h / ph);
	*fw = FFMAX((int)lround(pw * s) & ~1, 2);
	*fh = FFMAX((int)lround(ph * s) & ~1, 2);
	if (abs(*fw - w) <= 2 && abs(*fh - h) <= 2) {
		*fw = w;
		*fh = h;
	}
}

static const char *zimg_transfer(enum AVColorTransferCharacteristic trc)
{
	return trc == AVCOL_TRC_ARIB_STD_B67 ? "arib-std-b67" : "smpte2084";
}

/* zimg's name of the source's YUV matrix: the frame's own, or a guess by
 * size when the file does not say (BT.709 for HD, BT.601 below). */
static const char *zimg_matrix(const AVFrame *f)
{
	switch (f->colorspace) {
	case AVCOL_SPC_BT709: return "709";
	case AVCOL_SPC_BT470BG: return "470bg";
	case AVCOL_SPC_SMPTE170M: return "170m";
	case AVCOL_SPC_SMPTE240M: return "240m";
	case AVCOL_SPC_BT2020_NCL: return "2020_ncl";
	case AVCOL_SPC_BT2020_CL: return "2020_cl";
	case AVCOL_SPC_FCC: return "fcc";
	case AVCOL_SPC_YCGCO: return "ycgco";
	default: return FFMIN(f->width, f->height) >= 720 ? "709" : "170m";
	}
}

/* The main scaling step for the first encoded rendition, through zimg
 * (about 2.5x cheaper than swscale's bicubic here, and as sharp): SDR gets
 * resized, 10-bit / 4:4:4 -> 8-bit 4:2:0, matrix -> BT.709 and full ->
 * limited range; HDR is tone-mapped in linear light. */
static int scale_chain(char *buf, size_t size, const struct tx_input *in, const AVFrame *f, int w,
		       int h)
{
	int fw, fh, n;
	fit_frame(in, f, w, h, &fw, &fh);
	if (in->hdr)
		n = snprintf(buf, size,
			     "zscale=w=%d:h=%d:filter=bicubic:tin=%s:min=2020_ncl:pin=2020:rin=tv:"
			     "t=linear:npl=100,format=gbrpf32le,zscale=p=709,"
			     "tonemap=tonemap=hable:desat=0,zscale=t=709:m=709:r=tv,format=yuv420p",
			     fw, fh, zimg_transfer(in->vst->codecpar->color_trc));
	else
		n = snprintf(
			buf, size,
			"zscale=w=%d:h=%d:filter=bicubic:min=%s:m=709:rin=%s:r=tv,format=yuv420p",
			fw, fh, zimg_matrix(f), f->color_range == AVCOL_RANGE_JPEG ? "pc" : "tv");
	if (n < 0 || (size_t)n >= size)
		return -1;
	if (fw != w || fh != h)
		n += snprintf(buf + n, size - (size_t)n, ",pad=%d:%d:-1:-1", w, h);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int add_sink(AVFilterGraph *graph, AVFilterContext **sink, int i)
{
	char name[16];
	snprintf(name, sizeof name, "sink%d", i);
	if (avfilter_graph_create_filter(sink, avfilter_get_by_name("buffersink"), name, NULL, NULL,
					 graph) < 0)
		return -1;
	static const enum AVPixelFormat fmts[] = {AV_PIX_FMT_YUV420P, AV_PIX_FMT_NONE};
	return av_opt_set_int_list(*sink, "pix_fmts", fmts, AV_PIX_FMT_NONE,
				   AV_OPT_SEARCH_CHILDREN);
}

static int video_desc(char *desc, size_t size, const struct tx_input *in, const AVFrame *first,
		      const struct tx_plan *plan, const int *enc, int n_enc)
{
	char scale[512], edits[6144];
	const struct tx_rend_plan *top = &plan->r[enc[0]];
	if (scale_chain(scale, sizeof scale, in, first, top->width, top->height) < 0)
		return -1;
	/* regions on the upright picture after fps (its end keeps the last frame) and
	 * before scaling: every rung and the poster */
	bool sideways = in->rotation == 90 || in->rotation == 270;
	if (tx_edits_video_chain(plan->edits, plan->t0, 1.0 / av_q2d(plan->fps),
				 sideways ? first->height : first->width,
				 sideways ? first->width : first->height, edits, sizeof edits) < 0)
		return -1;
	int n;
	if (n_enc == 1) {
		n = snprintf(desc, size, "[in]%s%sfps=fps=%d/%d,%s%s[o0]", deint_filter(in, first),
			     orient_filters(in), plan->fps.num, plan->fps.den, edits, scale);
	} else {
		/* The low rendition is scaled from the top one: cheaper, same look. */
		const struct tx_rend_plan *low = &plan->r[enc[1]];
		n = snprintf(desc, size,
			     "[in]%s%sfps=fps=%d/%d,%s%s,split=2[o0][s1];"
			     "[s1]zscale=w=%d:h=%d:filter=bicubic,format=yuv420p[o1]",
			     deint_filter(in, first), orient_filters(in), plan->fps.num,
			     plan->fps.den, edits, scale, low->width, low->height);
	}
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int tx_vgraph_open(struct tx_vgraph *g, const struct tx_input *in, const AVFrame *first,
		   const struct tx_plan *plan)
{
	int enc[TX_MAX_RENDITIONS], n_enc = 0;
	for (int i = 0; i < plan->n; i++)
		if (!plan->r[i].copy)
			enc[n_enc++] = i;
	memset(g, 0, sizeof *g);
	if (n_enc == 0)
		return 0;
	g->graph = avfilter_graph_alloc();
	if (!g->graph)
		return -1;

	AVRational sar = frame_sar(first);
	char args[256];
	snprintf(args, sizeof args,
		 "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d", first->width,
		 first->height, first->format, in->vst->time_base.num, in->vst->time_base.den,
		 sar.num, sar.den);
	if (avfilter_graph_create_filter(&g->src, avfilter_get_by_name("buffer"), "in", args, NULL,
					 g->graph) < 0)
		goto fail;
	AVFilterContext *sinks[TX_MAX_RENDITIONS];
	for (int i = 0; i < n_enc; i++)
		if (add_sink(g->graph, &sinks[i], i) < 0)
			goto fail;
	char desc[8192];
	if (video_desc(desc, sizeof desc, in, first, plan, enc, n_enc) < 0 ||
	    parse_and_config(g->graph, desc, g->src, sinks, n_enc) < 0)
		goto fail;
	for (int i = 0; i < n_enc; i++)
		g->sink[enc[i]] = sinks[i];
	g->width = first->width;
	g->height = first->height;
	g->format = first->format;
	g->colorspace = first->colorspace;
	g->color_range = first->color_range;
	g->sar = sar;
	return 0;
fail:
	avfilter_graph_free(&g->graph);
	memset(g, 0, sizeof *g);
	return -1;
}

bool tx_vgraph_matches(const struct tx_vgraph *g, const AVFrame *f)
{
	return f->width == g->width && f->height == g->height && f->format == g->format &&
	       f->colorspace == g->colorspace && f->color_range == g->color_range &&
	       av_cmp_q(frame_sar(f), g->sar) == 0;
}

bool tx_video_frame_ok(const struct tx_job *job, const AVFrame *f)
{
	int big = FFMAX(f->width, f->height), small = FFMIN(f->width, f->height);
	return small > 0 && big <= FFMAX(job->opt->max_width, job->opt->max_height) &&
	       small <= FFMIN(job->opt->max_width, job->opt->max_height) &&
	       av_pix_fmt_desc_get(f->format) != NULL;
}

bool tx_audio_params_ok(int sample_rate, const AVChannelLayout *layout)
{
	return sample_rate >= TX_MIN_SAMPLE_RATE && sample_rate <= TX_MAX_SAMPLE_RATE &&
	       layout->nb_channels > 0 && layout->nb_channels <= TX_MAX_CHANNELS &&
	       av_channel_layout_check(layout);
}

bool tx_agraph_matches(const struct tx_agraph *g, const AVFrame *f)
{
	if (f->sample_rate != g->sample_rate || f->format != g->format)
		return false;
	if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) /* buffersrc fills it in */
		return f->ch_layout.nb_channels == g->layout.nb_channels;
	return av_channel_layout_compare(&f->ch_layout, &g->layout) == 0;
}

void tx_agraph_free(struct tx_agraph *g)
{
	avfilter_graph_free(&g->graph);
	av_channel_layout_uninit(&g->layout);
	memset(g, 0, sizeof *g);
}

int tx_agraph_open(struct tx_agraph *g, const AVFrame *first, AVRational tb, const char *chain,
		   int frame_size)
{
	memset(g, 0, sizeof *g);
	g->graph = avfilter_graph_alloc();
	if (!g->graph)
		return -1;
	if (!tx_audio_params_ok(first->sample_rate, &first->ch_layout) ||
	    !av_get_sample_fmt_name(first->format))
		goto fail;
	if (first->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
		av_channel_layout_default(&g->layout, first->ch_layout.nb_channels);
	else if (av_channel_layout_copy(&g->layout, &first->ch_layout) < 0)
		goto fail;
	g->sample_rate = first->sample_rate;
	g->format = first->format;
	char lname[128];
	if (av_channel_layout_describe(&g->layout, lname, sizeof lname) < 0)
		goto fail;
	char args[512];
	snprintf(args, sizeof args,
		 "time_base=%d/%d:sample_rate=%d:sample_fmt=%s:channel_layout=%s", tb.num, tb.den,
		 first->sample_rate, av_get_sample_fmt_name(first->format), lname);
	if (avfilter_graph_create_filter(&g->src, avfilter_get_by_name("abuffer"), "in", args, NULL,
					 g->graph) < 0 ||
	    avfilter_graph_create_filter(&g->sink, avfilter_get_by_name("abuffersink"), "out", NULL,
					 NULL, g->graph) < 0)
		goto fail;
	char desc[8192];
	int n = snprintf(desc, sizeof desc, "[in]%s[o0]", chain);
	if (n < 0 || (size_t)n >= sizeof desc ||
	    parse_and_config(g->graph, desc, g->src, &g->sink, 1) < 0)
		goto fail;
	if (frame_size > 0)
		av_buffersink_set_frame_size(g->sink, (unsigned)frame_size);
	return 0;
fail:
	tx_agraph_free(g);
	return -1;
}
