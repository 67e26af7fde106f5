/* Opening untrusted uploads: sniff for playlists, open under container and
 * protocol whitelists with probe limits, pick the streams and check sizes. */
#include "tx_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/display.h>

/* Real video containers only. Everything that can reference other files or
 * URLs (hls, concat, dash, sdp, rtsp, image2 patterns, ...) is absent. */
static const char FORMAT_WHITELIST[] =
	"mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,flv,mpeg,asf,ogg";

#define SNIFF_BYTES 4096
/* What libavformat may create at all (its default): bounds the memory of a
 * hostile file before our own, lower limit can be checked. */
#define DEMUXER_MAX_STREAMS 1000

static bool starts_with_nocase(const char *s, size_t n, const char *prefix)
{
	size_t len = strlen(prefix);
	return n >= len && strncasecmp(s, prefix, len) == 0;
}

static bool name_in(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* Looks at the first bytes ourselves so playlists get a precise message even
 * though the whitelist alone would already refuse them. */
static int sniff(struct tx_job *job)
{
	unsigned char buf[SNIFF_BYTES + AVPROBE_PADDING_SIZE] = {0};
	FILE *f = fopen(job->in_path, "rb");
	if (!f)
		return tx_fail(job, TX_ERR_IO, "cannot read the uploaded file");
	size_t n = fread(buf, 1, SNIFF_BYTES, f);
	fclose(f);
	if (n == 0)
		return tx_fail(job, TX_ERR_UNSUPPORTED, "the file is empty");

	const char *s = (const char *)buf;
	size_t skip = 0;
	if (n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
		skip = 3; /* UTF-8 BOM */
	while (skip < n &&
	       (s[skip] == ' ' || s[skip] == '\t' || s[skip] == '\r' || s[skip] == '\n'))
		skip++;
	const char *p = s + skip;
	size_t left = n - skip;
	static const char *const playlist_marks[] = {"#EXTM3U", "#EXTINF", "ffconcat", "[playlist]",
						     "<?xml",   "<MPD",    "<smil",    "<asx",
						     "file '",  "file /",  "file:"};
	for (size_t i = 0; i < sizeof playlist_marks / sizeof *playlist_marks; i++)
		if (starts_with_nocase(p, left, playlist_marks[i]))
			return tx_fail(job, TX_ERR_PLAYLIST, NULL);

	AVProbeData pd = {.filename = "", .buf = buf, .buf_size = (int)n};
	int score = 0;
	const AVInputFormat *fmt = av_probe_input_format3(&pd, 1, &score);
	if (fmt && score > AVPROBE_SCORE_MAX / 4) {
		static const char *const playlist_fmts[] = {
			"hls", "concat", "dash", "sdp", "rtsp", "image2", "tedcaptions", "mpl2"};
		if (name_in(fmt->name, playlist_fmts, sizeof playlist_fmts / sizeof *playlist_fmts))
			return tx_fail(job, TX_ERR_PLAYLIST, NULL);
		/* Outside the whitelist, so they would only get the generic refusal. */
		static const char *const audio_fmts[] = {
			"mp3",  "wav", "w64",   "aac",    "flac", "aiff", "caf",  "ac3",
			"eac3", "amr", "amrnb", "amrwb",  "ape",  "wv",   "tta",  "dts",
			"au",   "voc", "mlp",   "truehd", "loas", "mpc",  "mpc8", "wsaud"};
		if (name_in(fmt->name, audio_fmts, sizeof audio_fmts / sizeof *audio_fmts))
			return tx_fail(job, TX_ERR_AUDIO_ONLY, NULL);
	}
	if (n >= 3 && memcmp(buf, "ID3", 3) == 0) /* a tag larger than the probe: mp3, aac... */
		return tx_fail(job, TX_ERR_AUDIO_ONLY, NULL);

	bool text = true;
	for (size_t i = 0; i < n && text; i++)
		if (buf[i] == 0 ||
		    (buf[i] < 0x20 && buf[i] != '\n' && buf[i] != '\r' && buf[i] != '\t'))
			text = false;
	if (text)
		return tx_fail(job, TX_ERR_UNSUPPORTED, TX_DETAIL_TEXT);
	return 0;
}

/* The turn and mirror that make st upright, read like FFmpeg's autorotate:
 * theta from the matrix, the flips from the signs of its entries. Angles
 * off the quarter turns are rounded to the nearest one. */
static void orientation_of(const AVStream *st, int *rotation, bool *mirror)
{
	size_t size = 0;
	const uint8_t *sd = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
	*rotation = 0;
	*mirror = false;
	if (!sd || size < 9 * sizeof(int32_t))
		return;
	const int32_t *m = (const int32_t *)sd;
	double theta = -av_display_rotation_get(m);
	if (isnan(theta))
		return;
	long quarter = lround(theta / 90.0);
	int deg = (int)(((quarter % 4) + 4) % 4) * 90;
	bool hflip = m[0] < 0, vflip = m[4] < 0;
	switch (deg) {
	case 90: *mirror = m[3] > 0; break;
	case 270: *mirror = m[3] < 0; break;
	case 180: /* hflip alone is a mirror; vflip alone is a mirrored half turn */
		deg = vflip ? 180 : 0;
		*mirror = hflip != vflip;
		break;
	default:
		deg = vflip ? 180 : 0;
		*mirror = vflip;
		break;
	}
	*rotation = deg;
}

static AVStream *pick_video(AVFormatContext *fmt)
{
	AVStream *best = NULL;
	for (unsigned i = 0; i < fmt->nb_streams; i++) {
		AVStream *st = fmt->streams[i];
		if (st->codecpar->codec_type != AVMEDIA_TYPE_VIDEO ||
		    (st->disposition & AV_DISPOSITION_ATTACHED_PIC))
			continue;
		if (!best || (int64_t)st->codecpar->width * st->codecpar->height >
				     (int64_t)best->codecpar->width * best->codecpar->height)
			best = st;
	}
	return best;
}

/* Audio we can decode with sane parameters (see TX_MAX_CHANNELS). */
static bool usable_audio(const AVStream *st)
{
	const AVCodecParameters *par = st->codecpar;
	return par->codec_type == AVMEDIA_TYPE_AUDIO && avcodec_find_decoder(par->codec_id) &&
	       tx_audio_params_ok(par->sample_rate, &par->ch_layout);
}

/* libavformat's favourite audio stream when usable, else the first usable
 * one. Unusable audio is ignored rather than refused: the clip is the
 * picture, and an upload with a broken sound track still teaches. */
static AVStream *pick_audio(AVFormatContext *fmt, const AVStream *vst)
{
	int best = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, vst->index, NULL, 0);
	if (best >= 0 && usable_audio(fmt->streams[best]))
		return fmt->streams[best];
	for (unsigned i = 0; i < fmt->nb_streams; i++)
		if (usable_audio(fmt->streams[i]))
			return fmt->streams[i];
	return NULL;
}

static bool has_stream_of(const AVFormatContext *fmt, enum AVMediaType type)
{
	for (unsigned i = 0; i < fmt->nb_streams; i++)
		if (fmt->streams[i]->codecpar->codec_type == type)
			return true;
	return false;
}

static int too_many_streams(struct tx_job *job, const AVFormatContext *fmt)
{
	if (fmt->nb_streams > (unsigned)job->opt->max_streams)
		return tx_fail(job, TX_ERR_UNSUPPORTED, "too many streams in the file");
	return 0;
}

static int open_format(struct tx_job *job, AVFormatContext **out)
{
	const struct tx_options *opt = job->opt;
	char url[4096];
	int n = snprintf(url, sizeof url, "file:%s", job->in_path);
	if (n < 0 || (size_t)n >= sizeof url)
		return tx_fail(job, TX_ERR_INVALID_ARG, "input path too long");

	AVFormatContext *fmt = avformat_alloc_context();
	if (!fmt)
		return tx_fail(job, TX_ERR_INTERNAL, "out of memory");
	fmt->interrupt_callback.callback = tx_interrupt_cb;
	fmt->interrupt_callback.opaque = job;

	AVDictionary *d = NULL;
	av_dict_set(&d, "format_whitelist", FORMAT_WHITELIST, 0);
	av_dict_set(&d, "protocol_whitelist", "file", 0);
	av_dict_set_int(&d, "probesize", opt->probesize, 0);
	av_dict_set_int(&d, "analyzeduration", opt->analyzeduration, 0);
	/* libavformat's own limit only makes the demuxer fail like on damage;
	 * ours (opt->max_streams, far lower) is checked below with its message. */
	av_dict_set_int(&d, "max_streams", DEMUXER_MAX_STREAMS, 0);
	/* mov: never follow data references to other files. */
	av_dict_set(&d, "enable_drefs", "0", 0);
	int ret = avformat_open_input(&fmt, url, NULL, &d);
	av_dict_free(&d);
	if (ret < 0) {
		if (tx_check_stop(job) < 0)
			return -1;
		if (ret == AVERROR(ENOENT) || ret == AVERROR(EACCES))
			return tx_fail(job, TX_ERR_IO, "cannot read the uploaded file");
		return tx_fail(job, TX_ERR_UNSUPPORTED, NULL);
	}
	if (too_many_streams(job, fmt) < 0) {
		avformat_close_input(&fmt);
		return -1;
	}
	ret = avformat_find_stream_info(fmt, NULL);
	if (ret < 0 || tx_check_stop(job) < 0) {
		avformat_close_input(&fmt);
		return tx_check_stop(job) < 0 ? -1 : tx_fail(job, TX_ERR_UNSUPPORTED, NULL);
	}
	if (too_many_streams(job, fmt) < 0) { /* mpegts finds its streams while reading */
		avformat_close_input(&fmt);
		return -1;
	}
	*out = fmt;
	return 0;
}

static int check_video(struct tx_job *job, const AVStream *vst)
{
	const AVCodecParameters *par = vst->codecpar;
	if (!avcodec_find_decoder(par->codec_id))
		return tx_fail(job, TX_ERR_UNSUPPORTED, "unsupported video codec");
	if (par->width <= 0 || par->height <= 0)
		return tx_fail(job, TX_ERR_UNSUPPORTED, NULL);
	int big = FFMAX(par->width, par->height), small = FFMIN(par->width, par->height);
	int lim_big = FFMAX(job->opt->max_width, job->opt->max_height);
	int lim_small = FFMIN(job->opt->max_width, job->opt->max_height);
	if (big > lim_big || small > lim_small)
		return tx_fail(job, TX_ERR_TOO_LARGE, NULL);
	return 0;
}

int tx_open_input(struct tx_job *job, struct tx_input *in)
{
	memset(in, 0, sizeof *in);
	if (sniff(job) < 0)
		return -1;
	AVFormatContext *fmt = NULL;
	if (open_format(job, &fmt) < 0)
		return -1;

	AVStream *vst = pick_video(fmt);
	if (!vst) {
		bool audio = has_stream_of(fmt, AVMEDIA_TYPE_AUDIO);
		avformat_close_input(&fmt);
		return tx_fail(job, audio ? TX_ERR_AUDIO_ONLY : TX_ERR_NO_VIDEO, NULL);
	}
	if (check_video(job, vst) < 0) {
		avformat_close_input(&fmt);
		return -1;
	}
	AVStream *ast = pick_audio(fmt, vst);

	for (unsigned i = 0; i < fmt->nb_streams; i++)
		if (fmt->streams[i] != vst && fmt->streams[i] != ast)
			fmt->streams[i]->discard = AVDISCARD_ALL;

	in->fmt = fmt;
	in->vst = vst;
	in->ast = ast;
	orientation_of(vst, &in->rotation, &in->mirror);
	bool sideways = in->rotation == 90 || in->rotation == 270;
	in->width = sideways ? vst->codecpar->height : vst->codecpar->width;
	in->height = sideways ? vst->codecpar->width : vst->codecpar->height;
	in->hdr = vst->codecpar->color_trc == AVCOL_TRC_SMPTE2084 ||
		  vst->codecpar->color_trc == AVCOL_TRC_ARIB_STD_B67;
	return 0;
}

void tx_close_input(struct tx_input *in)
{
	avformat_close_input(&in->fmt);
	in->vst = NULL;
	in->ast = NULL;
}
