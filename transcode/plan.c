/* Deciding the output: ladder sizes, frame rate, which renditions can be
 * stream-copied (fast path), audio handling, the cap and the segment grid. */
#include "tx_internal.h"

#include <math.h>
#include <string.h>

struct rung {
	const char *name;
	int box_long, box_short;
	int maxrate, bufsize;
};

static const struct rung LADDER[TX_MAX_RENDITIONS] = {
	{"720p", 1280, 720, 3000000, 6000000},
	{"360p", 640, 360, 700000, 1400000},
};

/* Fit inside the box in the source's orientation, never upscale, even sizes. */
static void fit(int w, int h, const struct rung *rg, int *ow, int *oh)
{
	int bw = w >= h ? rg->box_long : rg->box_short;
	int bh = w >= h ? rg->box_short : rg->box_long;
	double s = fmin(1.0, fmin((double)bw / w, (double)bh / h));
	int W = (int)floor(w * s + 0.5), H = (int)floor(h * s + 0.5);
	W = FFMIN(W, bw) & ~1;
	H = FFMIN(H, bh) & ~1;
	*ow = FFMAX(W, 2);
	*oh = FFMAX(H, 2);
}

static bool square(AVRational sar)
{
	return sar.num == 0 || sar.num == sar.den;
}

/* The upright picture as shown, in square pixels: the stored width (the
 * upright height when turned sideways) stretched by the pixel aspect. */
static void display_size(const struct tx_input *in, int *w, int *h)
{
	AVRational sar = av_guess_sample_aspect_ratio(in->fmt, in->vst, NULL);
	*w = in->width;
	*h = in->height;
	if (square(sar) || sar.den <= 0 || sar.num < 0)
		return;
	int *stretched = in->rotation % 180 == 0 ? w : h;
	*stretched = (int)FFMIN(lrint(*stretched * av_q2d(sar)), 16384);
}

/* Never above 30 fps: 30000/1001 and 24000/1001 kept, anything else rounded. */
static AVRational pick_fps(const AVStream *st)
{
	AVRational r = st->avg_frame_rate;
	if (r.num <= 0 || r.den <= 0)
		r = st->r_frame_rate;
	double f = r.num > 0 && r.den > 0 ? av_q2d(r) : 30.0;
	if (f > 30.0 || f < 1.0)
		return (AVRational){30, 1};
	if (fabs(f - 30000.0 / 1001) < 0.02)
		return (AVRational){30000, 1001};
	if (fabs(f - 24000.0 / 1001) < 0.02)
		return (AVRational){24000, 1001};
	return (AVRational){FFMIN((int)lround(f), 30), 1};
}

/* BT.709 SDR, limited range; untagged only for HD, where players and our
 * own encoder (graph.c) agree that it means BT.709. */
static bool bt709(const AVCodecParameters *v)
{
	bool hd = FFMIN(v->width, v->height) >= 720;
	bool matrix = v->color_space == AVCOL_SPC_BT709 ||
		      (hd && v->color_space == AVCOL_SPC_UNSPECIFIED);
	bool prim = v->color_primaries == AVCOL_PRI_BT709 ||
		    (hd && v->color_primaries == AVCOL_PRI_UNSPECIFIED);
	bool trc = v->color_trc == AVCOL_TRC_BT709 || v->color_trc == AVCOL_TRC_UNSPECIFIED;
	return matrix && prim && trc && v->color_range != AVCOL_RANGE_JPEG;
}

/* Main or High profile by the avcC record (its second byte is
 * profile_idc): what our own encodes are. Baseline, Constrained Baseline
 * included (66), has no CABAC and no B-frames, so it spends far more bits
 * for the picture, and the exotic profiles are not ours to pass on. */
static bool main_or_high(const AVCodecParameters *v)
{
	return v->extradata_size > 6 && v->extradata[0] == 1 &&
	       (v->extradata[1] == 77 || v->extradata[1] == 100);
}

/* What the stream headers say about copying the source for any rung. */
static bool header_copyable(const struct tx_job *job, const struct tx_input *in)
{
	const AVCodecParameters *v = in->vst->codecpar;
	const AVCodecParameters *a = in->ast ? in->ast->codecpar : NULL;
	return job->opt->allow_fast_path && v->codec_id == AV_CODEC_ID_H264 &&
	       v->format == AV_PIX_FMT_YUV420P && !in->hdr && bt709(v) &&
	       (v->field_order == AV_FIELD_PROGRESSIVE || v->field_order == AV_FIELD_UNKNOWN) &&
	       in->rotation == 0 && !in->mirror && main_or_high(v) &&
	       square(v->sample_aspect_ratio) && square(in->vst->sample_aspect_ratio) &&
	       (!a || !job->opt->keep_audio || a->codec_id == AV_CODEC_ID_AAC);
}

/* The headers plus what the scan found: a stream copy is acceptable for any
 * rung. Keyframes at most a segment (and a frame) apart, constant frame rate
 * up to 30 fps, and nothing the container cuts away (edit lists: a copy
 * would publish it). */
static bool copyable(const struct tx_job *job, const struct tx_input *in,
		     const struct tx_scan *scan, bool trimmed)
{
	double frame = scan->frame_rate > 0 ? 1.0 / scan->frame_rate : 0;
	return header_copyable(job, in) && !trimmed && !tx_edits_picture(&job->opt->edits) &&
	       !scan->video_discarded && scan->first_is_key && !scan->keys_overflow &&
	       scan->n_keys > 0 && scan->duration > 0 && scan->cfr &&
	       scan->frame_rate <= 30.0 * 1.001 &&
	       scan->max_key_gap <= TX_SEGMENT_SECONDS + frame + 1e-3;
}

/* The source's bits stay within the rung's cap: the most bits in any
 * TX_PEAK_WINDOW (1 s) of decode time, and so the average too. A copy is
 * only as well-behaved as its worst second; BANDWIDTH and the MP4's btrt
 * then state what players will meet. */
static bool under_cap(const struct tx_scan *scan, const struct rung *rg)
{
	double avg = (double)scan->video_bytes * 8.0 / scan->duration;
	return avg <= rg->maxrate && scan->peak_rate <= rg->maxrate;
}

/* The source's audio already is what every rendition carries: AAC-LC 48 kHz
 * stereo. Its loudness is checked apart (loudness_ok). */
static bool audio_copyable(const struct tx_input *in)
{
	const AVCodecParameters *a = in->ast ? in->ast->codecpar : NULL;
	return a && a->codec_id == AV_CODEC_ID_AAC && a->profile == FF_PROFILE_AAC_LOW &&
	       a->sample_rate == 48000 && a->ch_layout.nb_channels == 2;
}

/* Close enough to the target that a gain would change little, with headroom. */
static bool loudness_ok(const struct tx_scan *scan)
{
	return scan->measured && fabs(scan->loudness - TX_TARGET_LUFS) <= 1.5 &&
	       scan->peak_db <= -1.0;
}

/* Segment starts: on the source keyframes when a rendition is copied (the
 * encoded ones force theirs there too, so all stay aligned), each at least
 * a quarter segment after the previous one so that a stray keyframe makes
 * no sliver of a segment; else every TX_SEGMENT_SECONDS. */
static void make_cuts(struct tx_plan *plan, const struct tx_scan *scan, bool from_keys)
{
	double left = scan->duration - plan->in_start;
	double end = fmin(plan->cap, left > 0 ? left : plan->cap);
	plan->n_cuts = 0;
	if (from_keys) {
		double last = 0;
		for (int i = 0; i < scan->n_keys && plan->n_cuts < TX_MAX_CUTS; i++)
			if (scan->keys[i] >= last + TX_SEGMENT_SECONDS / 4 &&
			    scan->keys[i] < end - 0.05) {
				plan->cuts[plan->n_cuts++] = scan->keys[i];
				last = scan->keys[i];
			}
		return;
	}
	for (double t = TX_SEGMENT_SECONDS; t < end - 0.05 && plan->n_cuts < TX_MAX_CUTS;
	     t += TX_SEGMENT_SECONDS)
		plan->cuts[plan->n_cuts++] = t;
}

/* Every rung, even when a small source fits both boxes whole (the low one
 * then differs by its bit-rate cap); only two copies of the same source
 * would be the same bytes twice. */
static void make_renditions(struct tx_plan *plan, const struct tx_input *in,
			    const struct tx_scan *scan, bool copy)
{
	int w, h;
	display_size(in, &w, &h);
	for (int i = 0; i < TX_MAX_RENDITIONS; i++) {
		struct tx_rend_plan *r = &plan->r[plan->n];
		fit(w, h, &LADDER[i], &r->width, &r->height);
		r->name = LADDER[i].name;
		r->maxrate = LADDER[i].maxrate;
		r->bufsize = LADDER[i].bufsize;
		r->copy = copy && r->width == in->width && r->height == in->height &&
			  under_cap(scan, &LADDER[i]);
		if (plan->n > 0 && r->copy && plan->r[0].copy)
			break;
		plan->n++;
	}
}

int tx_plan_make(struct tx_job *job, const struct tx_input *in, const struct tx_scan *scan,
		 struct tx_plan *plan)
{
	const struct tx_edits *ed = &job->opt->edits;
	memset(plan, 0, sizeof *plan);
	plan->t0 = scan->start;
	plan->edits = ed;
	plan->in_start = fmax(0, ed->trim_start);
	plan->cap = job->opt->max_output_seconds;
	plan->trimmed = scan->duration - plan->in_start > plan->cap + 1e-3;
	if (ed->trim_end > 0)
		plan->cap = fmin(plan->cap, ed->trim_end - plan->in_start);
	if (plan->cap <= 0 || (scan->duration > 0 && plan->in_start >= scan->duration))
		return tx_fail(job, TX_ERR_INVALID_ARG, "the trim leaves nothing of the clip");
	plan->fps = pick_fps(in->vst);
	make_renditions(plan, in, scan, copyable(job, in, scan, plan->trimmed));

	bool all_copy = true, any_copy = false;
	for (int i = 0; i < plan->n; i++) {
		all_copy = all_copy && plan->r[i].copy;
		any_copy = any_copy || plan->r[i].copy;
	}
	plan->need_decode = !all_copy;
	if (!in->ast || !job->opt->keep_audio)
		plan->audio = TX_AUDIO_NONE;
	else if (all_copy && audio_copyable(in) && loudness_ok(scan) && ed->n_audio == 0)
		plan->audio = TX_AUDIO_COPY;
	else
		plan->audio = TX_AUDIO_ENCODE;
	make_cuts(plan, scan, any_copy);
	return 0;
}

void tx_plan_set_gain(struct tx_plan *plan, const struct tx_scan *scan)
{
	plan->gain_db = 0;
	if (plan->audio != TX_AUDIO_ENCODE || !scan->measured || scan->loudness < -60.0)
		return;
	double gain = TX_TARGET_LUFS - scan->loudness;
	gain = fmin(gain, -1.0 - scan->peak_db); /* a linear gain must not clip */
	plan->gain_db = fmax(-20.0, fmin(20.0, gain));
}
