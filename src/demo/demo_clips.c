/* Demo source clips from lavfi sources. See demo_clips.h.
 * Filters are created one by one with their options set through AVOptions,
 * so titles never pass through the filtergraph parser and need no escaping. */
#include "demo_clips.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

#define MARGIN          48  /* px left and right of the title */
#define TITLE_TOP       200 /* px from the top to the first title line */
#define TITLE_LINES_MAX 5
#define LINE_BYTES      256
#define ASCII_EM        0.62 /* DejaVu Sans Bold's average Latin advance, in em */
#define GOP_FRAMES      (2 * DEMO_CLIP_FPS)
/* Under the feed's 3 Mb/s 720p cap in every second (maxrate + buffer), so
 * the top rung is copied */
#define VIDEO_MAXRATE 2000000
#define VIDEO_BUFSIZE 1000000
#define AUDIO_RATE    48000

/* A moving background: a lavfi source rendered at 1/`shrink` size and `rate`
 * frames per second, then scaled up and repeated to 30 fps (repeats cost the
 * encoder almost nothing), with its options as key/value pairs. Busy ones are
 * `dim`med so the title stays readable at the capped bit rate. */
struct pattern {
	const char *source;
	int shrink;
	int rate;
	bool dim;
	const char *opts[12]; /* NULL-terminated */
};

static const struct pattern patterns[] = {
	{"testsrc2", 1, 30, false, {NULL}},
	{"gradients", 2, 15, false, {"speed", "0.04", "nb_colors", "3", NULL}},
	{"smptebars", 1, 30, false, {NULL}},
	{"mandelbrot", 4, 10, true, {"maxiter", "120", "end_scale", "0.2", "end_pts", "120", NULL}},
	{"cellauto", 8, 10, true, {"rule", "30", "random_fill_ratio", "0.5", "scroll", "1", NULL}},
	{"life",
	 8,
	 10,
	 true,
	 {"mold", "20", "life_color", "#33ddaa", "death_color", "#1a2340", "mold_color", "#203060",
	  "ratio", "0.3", NULL}},
};

static const char *const fonts_cjk[] = {
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
};
static const char *const fonts_latin[] = {
	"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
};

struct gen {
	AVFilterGraph *graph;
	AVFilterContext *vsink, *asink;
	AVFormatContext *oc;
	AVCodecContext *venc, *aenc;
	AVStream *vst, *ast;
	AVPacket *pkt;
	AVFrame *frame;
	struct cr_problem *why;
};

/* Title lines laid out for one font size. */
struct layout {
	int fontsize;
	int n;
	char line[TITLE_LINES_MAX][LINE_BYTES];
};

const char *demo_clip_font(bool cjk)
{
	const char *const *list = cjk ? fonts_cjk : fonts_latin;
	size_t n = cjk ? sizeof fonts_cjk / sizeof fonts_cjk[0]
		       : sizeof fonts_latin / sizeof fonts_latin[0];
	for (size_t i = 0; i < n; i++)
		if (access(list[i], R_OK) == 0)
			return list[i];
	return NULL;
}

bool demo_clip_needs_cjk(const char *s)
{
	/* U+2E80 is E2 BA 80 in UTF-8: any lead byte above E2, or E2 with a
	 * larger continuation, is at or past it */
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if (*p > 0xe2 || (*p == 0xe2 && p[1] >= 0xba))
			return true;
	return false;
}

/* Records why generation failed; returns the cr_err for libav* code `ret`. */
static cr_err fail(struct gen *g, int ret, const char *what)
{
	char msg[AV_ERROR_MAX_STRING_SIZE] = "";
	av_strerror(ret, msg, sizeof msg);
	return cr_refuse(g->why, ret == AVERROR(ENOMEM) ? CR_ENOMEM : CR_EIO, NULL, NULL, "%s: %s",
			 what, msg);
}

/* True for the CJK punctuation that must not start a line (，。：；！？、）》」). */
static bool no_line_start(const char *s, size_t len)
{
	static const char *const marks[] = {"，", "。", "：", "；", "！",
					    "？", "、", "）", "》", "」"};
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (len == strlen(marks[i]) && !memcmp(s, marks[i], len))
			return true;
	return false;
}

/* Bytes in the UTF-8 sequence starting with `c` (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
	return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Greedy word wrap: Latin words stay whole, CJK may break between any two
 * characters. False when the text needs more than TITLE_LINES_MAX lines. */
static bool wrap(const char *s, int fontsize, struct layout *out)
{
	double cap = (double)(DEMO_CLIP_WIDTH - 2 * MARGIN) / fontsize, width = 0;
	bool space = false;
	out->fontsize = fontsize;
	out->n = 0;
	while (*s) {
		if (*s == ' ') {
			space = out->n > 0;
			s++;
			continue;
		}
		size_t len = 0;
		double tw;
		if ((unsigned char)*s < 0x80) {
			while (s[len] && s[len] != ' ' && (unsigned char)s[len] < 0x80)
				len++;
			tw = ASCII_EM * (double)len;
		} else {
			len = strnlen(s, utf8_len((unsigned char)*s));
			tw = 1.0;
		}
		bool overflow = width > 0 && width + (space ? ASCII_EM : 0) + tw > cap;
		if (out->n == 0 || (overflow && !no_line_start(s, len))) {
			if (out->n == TITLE_LINES_MAX)
				return false;
			out->line[out->n++][0] = '\0';
			width = 0;
			space = false;
		}
		char *line = out->line[out->n - 1];
		size_t used = strlen(line);
		if (used + (space ? 1 : 0) + len >= LINE_BYTES)
			return false;
		if (space)
			line[used++] = ' ';
		memcpy(line + used, s, len);
		line[used + len] = '\0';
		width += (space ? ASCII_EM : 0) + tw;
		space = false;
		s += len;
	}
	return true;
}

/* Creates filter `name` with key/value options `opts` (NULL-terminated, may be
 * NULL) and links *prev's first output into it; *prev becomes the new filter. */
static int add_filter(struct gen *g, const char *name, const char *const *opts,
		      AVFilterContext **prev)
{
	const AVFilter *f = avfilter_get_by_name(name);
	AVFilterContext *ctx = f ? avfilter_graph_alloc_filter(g->graph, f, NULL) : NULL;
	if (!ctx)
		return f ? AVERROR(ENOMEM) : AVERROR_FILTER_NOT_FOUND;
	int ret = 0;
	for (size_t i = 0; opts && opts[i] && ret >= 0; i += 2)
		ret = av_opt_set(ctx, opts[i], opts[i + 1], AV_OPT_SEARCH_CHILDREN);
	if (ret >= 0)
		ret = avfilter_init_str(ctx, NULL);
	if (ret >= 0 && *prev)
		ret = avfilter_link(*prev, 0, ctx, 0);
	if (ret >= 0)
		*prev = ctx;
	return ret;
}

/* One centred line of text with a translucent box behind it. */
static int add_text(struct gen *g, const char *font, const char *text, int size, int y,
		    const char *color, AVFilterContext **prev)
{
	char fs[16], ys[16];
	snprintf(fs, sizeof fs, "%d", size);
	snprintf(ys, sizeof ys, "%d", y);
	const char *opts[] = {"fontfile",   font, "text",      text,  "expansion", "none",
			      "fontsize",   fs,   "fontcolor", color, "x",         "(w-text_w)/2",
			      "y",          ys,   "box",       "1",   "boxcolor",  "black@0.7",
			      "boxborderw", "14", NULL};
	return add_filter(g, "drawtext", opts, prev);
}

static int build_video(struct gen *g, const struct demo_clip_spec *s)
{
	const struct pattern *p = &patterns[s->pattern % (sizeof patterns / sizeof patterns[0])];
	char size[32], full[32], secs[32], rate[16], fps[16];
	snprintf(size, sizeof size, "%dx%d", DEMO_CLIP_WIDTH / p->shrink,
		 DEMO_CLIP_HEIGHT / p->shrink);
	snprintf(full, sizeof full, "%dx%d", DEMO_CLIP_WIDTH, DEMO_CLIP_HEIGHT);
	snprintf(secs, sizeof secs, "%.3f", s->seconds);
	snprintf(rate, sizeof rate, "%d", p->rate);
	snprintf(fps, sizeof fps, "%d", DEMO_CLIP_FPS);
	const char *src_opts[18] = {"size", size, "rate", rate}; /* + pattern options, NULL */
	for (size_t i = 0; i < sizeof p->opts / sizeof p->opts[0] && p->opts[i]; i++)
		src_opts[4 + i] = p->opts[i];
	const char *scale_opts[] = {"size", full, "flags", "bilinear", NULL};
	const char *dim_opts[] = {"contrast",   "0.45", "brightness", "-0.12",
				  "saturation", "0.7",  NULL};
	const char *fps_opts[] = {"fps", fps, NULL};
	const char *trim_opts[] = {"duration", secs, NULL};
	AVFilterContext *last = NULL;
	int ret = add_filter(g, p->source, src_opts, &last);
	if (ret >= 0 && p->shrink > 1)
		ret = add_filter(g, "scale", scale_opts, &last);
	if (ret >= 0 && p->dim)
		ret = add_filter(g, "eq", dim_opts, &last);
	if (ret >= 0 && p->rate != DEMO_CLIP_FPS)
		ret = add_filter(g, "fps", fps_opts, &last);
	if (ret >= 0)
		ret = add_filter(g, "trim", trim_opts, &last);

	struct layout lay;
	static const int sizes[] = {64, 56, 48, 40};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		if (wrap(s->title, sizes[i], &lay))
			break;
	int line_h = lay.fontsize * 3 / 2, y = TITLE_TOP;
	for (int i = 0; ret >= 0 && i < lay.n; i++, y += line_h)
		ret = add_text(g, s->fontfile, lay.line[i], lay.fontsize, y, "white", &last);
	if (ret >= 0 && s->byline && *s->byline)
		ret = add_text(g, s->fontfile, s->byline, 40, y + 40, "#ffd75e", &last);
	if (ret >= 0)
		ret = add_text(g, s->fontfile, "casereel demo clip", 28, DEMO_CLIP_HEIGHT - 120,
			       "white@0.8", &last);

	const char *yuv_opts[] = {"out_color_matrix", "bt709", "out_range", "tv", NULL};
	const char *fmt_opts[] = {"pix_fmts", "yuv420p", NULL};
	if (ret >= 0)
		ret = add_filter(g, "scale", yuv_opts, &last);
	if (ret >= 0)
		ret = add_filter(g, "format", fmt_opts, &last);
	if (ret >= 0)
		ret = add_filter(g, "buffersink", NULL, &last);
	if (ret >= 0)
		g->vsink = last;
	return ret;
}

static int build_audio(struct gen *g, const struct demo_clip_spec *s)
{
	char hz[16], secs[32], rate[16];
	snprintf(hz, sizeof hz, "%d", s->tone_hz);
	snprintf(secs, sizeof secs, "%.3f", s->seconds);
	snprintf(rate, sizeof rate, "%d", AUDIO_RATE);
	const char *sine_opts[] = {"frequency", hz, "sample_rate", rate, "duration", secs, NULL};
	const char *vol_opts[] = {"volume", "0.3", NULL};
	const char *fmt_opts[] = {"sample_fmts", "fltp", "sample_rates", rate, "channel_layouts",
				  "stereo",      NULL};
	AVFilterContext *last = NULL;
	int ret = add_filter(g, "sine", sine_opts, &last);
	if (ret >= 0)
		ret = add_filter(g, "volume", vol_opts, &last);
	if (ret >= 0)
		ret = add_filter(g, "aformat", fmt_opts, &last);
	if (ret >= 0)
		ret = add_filter(g, "abuffersink", NULL, &last);
	if (ret >= 0)
		g->asink = last;
	return ret;
}

static int open_video_encoder(struct gen *g)
{
	const AVCodec *c = avcodec_find_encoder_by_name("libx264");
	if (!c)
		return AVERROR_ENCODER_NOT_FOUND;
	AVCodecContext *e = g->venc = avcodec_alloc_context3(c);
	if (!e)
		return AVERROR(ENOMEM);
	e->width = DEMO_CLIP_WIDTH;
	e->height = DEMO_CLIP_HEIGHT;
	e->pix_fmt = AV_PIX_FMT_YUV420P;
	e->time_base = (AVRational){1, DEMO_CLIP_FPS};
	e->framerate = (AVRational){DEMO_CLIP_FPS, 1};
	e->gop_size = GOP_FRAMES;
	e->keyint_min = GOP_FRAMES;
	e->max_b_frames = 0;
	e->rc_max_rate = VIDEO_MAXRATE;
	e->rc_buffer_size = VIDEO_BUFSIZE;
	e->thread_count = 1; /* clips are made in parallel, one per core */
	e->color_primaries = AVCOL_PRI_BT709;
	e->color_trc = AVCOL_TRC_BT709;
	e->colorspace = AVCOL_SPC_BT709;
	e->color_range = AVCOL_RANGE_MPEG;
	if (g->oc->oformat->flags & AVFMT_GLOBALHEADER)
		e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	AVDictionary *d = NULL;
	/* superfast, Main: CABAC and no Baseline, so the transcoder's fast path
	 * copies the clip (it refuses Baseline); no B-frames, as above */
	av_dict_set(&d, "preset", "superfast", 0);
	av_dict_set(&d, "profile", "main", 0);
	av_dict_set(&d, "crf", "26", 0);
	av_dict_set(&d, "x264-params", "scenecut=0:open-gop=0", 0);
	int ret = avcodec_open2(e, c, &d);
	av_dict_free(&d);
	return ret;
}

static int open_audio_encoder(struct gen *g)
{
	const AVCodec *c = avcodec_find_encoder(AV_CODEC_ID_AAC);
	if (!c)
		return AVERROR_ENCODER_NOT_FOUND;
	AVCodecContext *e = g->aenc = avcodec_alloc_context3(c);
	if (!e)
		return AVERROR(ENOMEM);
	e->sample_fmt = AV_SAMPLE_FMT_FLTP;
	e->sample_rate = AUDIO_RATE;
	e->bit_rate = 128000;
	e->time_base = (AVRational){1, AUDIO_RATE};
	av_channel_layout_default(&e->ch_layout, 2);
	if (g->oc->oformat->flags & AVFMT_GLOBALHEADER)
		e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	int ret = avcodec_open2(e, c, NULL);
	if (ret >= 0)
		av_buffersink_set_frame_size(g->asink, (unsigned)e->frame_size);
	return ret;
}

static int add_stream(struct gen *g, AVCodecContext *enc, AVStream **out)
{
	AVStream *st = avformat_new_stream(g->oc, NULL);
	if (!st)
		return AVERROR(ENOMEM);
	st->time_base = enc->time_base;
	*out = st;
	return avcodec_parameters_from_context(st->codecpar, enc);
}

/* Sends `frame` (NULL flushes) and writes every packet the encoder has. */
static int encode(struct gen *g, AVCodecContext *enc, AVStream *st, AVFrame *frame)
{
	int ret = avcodec_send_frame(enc, frame);
	while (ret >= 0) {
		ret = avcodec_receive_packet(enc, g->pkt);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0)
			break;
		av_packet_rescale_ts(g->pkt, enc->time_base, st->time_base);
		g->pkt->stream_index = st->index;
		ret = av_interleaved_write_frame(g->oc, g->pkt); /* takes the packet's data */
	}
	return ret;
}

/* Pulls frames from both sinks in timestamp order until both end. */
static int pump(struct gen *g)
{
	AVRational vtb = av_buffersink_get_time_base(g->vsink);
	AVRational atb = av_buffersink_get_time_base(g->asink);
	int64_t vnext = 0, anext = 0;
	bool veof = false, aeof = false;
	while (!veof || !aeof) {
		bool video = !veof && (aeof || av_compare_ts(vnext, vtb, anext, atb) <= 0);
		AVCodecContext *enc = video ? g->venc : g->aenc;
		AVStream *st = video ? g->vst : g->ast;
		int ret = av_buffersink_get_frame(video ? g->vsink : g->asink, g->frame);
		if (ret == AVERROR_EOF) {
			*(video ? &veof : &aeof) = true;
			ret = encode(g, enc, st, NULL);
			if (ret < 0)
				return ret;
			continue;
		}
		if (ret < 0)
			return ret;
		AVRational tb = video ? vtb : atb;
		int64_t pts = g->frame->pts;
		*(video ? &vnext : &anext) = pts + (video ? 1 : g->frame->nb_samples);
		g->frame->pts = av_rescale_q(pts, tb, enc->time_base);
		g->frame->pict_type = AV_PICTURE_TYPE_NONE;
		ret = encode(g, enc, st, g->frame);
		av_frame_unref(g->frame);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static cr_err check_spec(const struct demo_clip_spec *s, struct cr_problem *why)
{
	const char *bad = NULL;
	if (!s->path || !*s->path)
		bad = "no output path";
	else if (!s->title)
		bad = "no title";
	else if (!s->fontfile || access(s->fontfile, R_OK) != 0)
		bad = "font file not readable";
	else if (!(s->seconds > 0 && s->seconds <= DEMO_CLIP_SECONDS_MAX))
		bad = "length out of range";
	else if (s->tone_hz < 20 || s->tone_hz > 20000)
		bad = "tone out of range";
	return bad ? cr_refuse(why, CR_EINVAL, NULL, NULL, "demo clip: %s", bad) : CR_OK;
}

static void gen_free(struct gen *g)
{
	avfilter_graph_free(&g->graph);
	avcodec_free_context(&g->venc);
	avcodec_free_context(&g->aenc);
	if (g->oc)
		avio_closep(&g->oc->pb);
	avformat_free_context(g->oc);
	g->oc = NULL;
	av_packet_free(&g->pkt);
	av_frame_free(&g->frame);
}

cr_err demo_clip_make(const struct demo_clip_spec *spec, struct cr_problem *why)
{
	cr_err e = check_spec(spec, why);
	if (e)
		return e;
	struct gen g = {.why = why};
	bool created = false;
	const char *step = "out of memory";
	int ret = AVERROR(ENOMEM);
	g.graph = avfilter_graph_alloc();
	g.pkt = av_packet_alloc();
	g.frame = av_frame_alloc();
	if (!g.graph || !g.pkt || !g.frame)
		goto out;
	g.graph->nb_threads = 1;
	step = "filters";
	if ((ret = build_video(&g, spec)) < 0 || (ret = build_audio(&g, spec)) < 0 ||
	    (ret = avfilter_graph_config(g.graph, NULL)) < 0)
		goto out;
	step = "output";
	if ((ret = avformat_alloc_output_context2(&g.oc, NULL, "mp4", spec->path)) < 0)
		goto out;
	step = "encoders";
	if ((ret = open_video_encoder(&g)) < 0 || (ret = open_audio_encoder(&g)) < 0 ||
	    (ret = add_stream(&g, g.venc, &g.vst)) < 0 ||
	    (ret = add_stream(&g, g.aenc, &g.ast)) < 0)
		goto out;
	step = spec->path;
	created = true;
	if ((ret = avio_open(&g.oc->pb, spec->path, AVIO_FLAG_WRITE)) < 0 ||
	    (ret = avformat_write_header(g.oc, NULL)) < 0)
		goto out;
	step = "encoding";
	if ((ret = pump(&g)) < 0 || (ret = av_write_trailer(g.oc)) < 0)
		goto out;
	ret = avio_closep(&g.oc->pb);
out:
	e = ret < 0 ? fail(&g, ret, step) : CR_OK;
	gen_free(&g);
	if (e && created)
		unlink(spec->path);
	return e;
}
