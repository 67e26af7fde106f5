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
    { "720p", 1280, 720, 3000000, 6000000 },
    { "360p", 640, 360, 700000, 1400000 },
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

static AVRational pick_fps(const AVStream *st)
{
    AVRational r = st->avg_frame_rate;
    if (r.num <= 0 || r.den <= 0)
        r = st->r_frame_rate;
    double f = r.num > 0 && r.den > 0 ? av_q2d(r) : 30.0;
    if (f > 30.5 || f < 1.0)
        return (AVRational){ 30, 1 };
    if (fabs(f - 30000.0 / 1001) < 0.02)
        return (AVRational){ 30000, 1001 };
    if (fabs(f - 24000.0 / 1001) < 0.02)
        return (AVRational){ 24000, 1001 };
    return (AVRational){ (int)lround(f), 1 };
}

static bool is_cfr(const AVStream *st)
{
    AVRational a = st->avg_frame_rate, r = st->r_frame_rate;
    if (a.num <= 0 || a.den <= 0 || r.num <= 0 || r.den <= 0)
        return false;
    double fa = av_q2d(a), fr = av_q2d(r);
    return fabs(fa - fr) <= 0.01 * fr && fr <= 30.5;
}

/* What the stream headers say about copying the source for any rung. */
static bool header_copyable(const struct tx_job *job, const struct tx_input *in)
{
    const AVCodecParameters *v = in->vst->codecpar;
    const AVCodecParameters *a = in->ast ? in->ast->codecpar : NULL;
    return job->opt->allow_fast_path && v->codec_id == AV_CODEC_ID_H264 &&
           v->format == AV_PIX_FMT_YUV420P && !in->hdr && v->color_primaries != AVCOL_PRI_BT2020 &&
           in->rotation == 0 && !in->mirror && v->extradata_size > 6 && v->extradata[0] == 1 &&
           (v->sample_aspect_ratio.num == 0 || v->sample_aspect_ratio.num == v->sample_aspect_ratio.den) &&
           (v->field_order == AV_FIELD_UNKNOWN || v->field_order == AV_FIELD_PROGRESSIVE) &&
           is_cfr(in->vst) && (!a || !job->opt->keep_audio || a->codec_id == AV_CODEC_ID_AAC);
}

/* The headers plus what the scan found: a stream copy is acceptable for any rung. */
static bool copyable(const struct tx_job *job, const struct tx_input *in, const struct tx_scan *scan,
                     bool trimmed)
{
    return header_copyable(job, in) && !trimmed && scan->first_is_key && !scan->keys_overflow &&
           scan->n_keys > 0 && scan->max_key_gap <= 5.0 && scan->duration > 0;
}

/* The source's audio already is what every rendition carries (AAC-LC 48 kHz stereo). */
static bool audio_copyable(const struct tx_input *in)
{
    const AVCodecParameters *a = in->ast ? in->ast->codecpar : NULL;
    return a && a->codec_id == AV_CODEC_ID_AAC && a->profile == FF_PROFILE_AAC_LOW &&
           a->sample_rate == 48000 && a->ch_layout.nb_channels == 2;
}

bool tx_plan_may_copy_audio(const struct tx_job *job, const struct tx_input *in)
{
    /* LADDER's last rung is the smallest: a source that fits it whole fits every rung whole */
    int w, h;
    fit(in->width, in->height, &LADDER[TX_MAX_RENDITIONS - 1], &w, &h);
    return audio_copyable(in) && header_copyable(job, in) && w == in->width && h == in->height;
}

static void make_cuts(struct tx_plan *plan, const struct tx_scan *scan, bool from_keys)
{
    double end = fmin(plan->cap, scan->duration > 0 ? scan->duration : plan->cap);
    plan->n_cuts = 0;
    if (from_keys) {
        double last = 0;
        for (int i = 0; i < scan->n_keys && plan->n_cuts < TX_MAX_CUTS; i++)
            if (scan->keys[i] >= last + TX_SEGMENT_SECONDS - 0.05 && scan->keys[i] < end - 0.05) {
                plan->cuts[plan->n_cuts++] = scan->keys[i];
                last = scan->keys[i];
            }
        return;
    }
    for (double t = TX_SEGMENT_SECONDS; t < end - 0.05 && plan->n_cuts < TX_MAX_CUTS;
         t += TX_SEGMENT_SECONDS)
        plan->cuts[plan->n_cuts++] = t;
}

int tx_plan_make(struct tx_job *job, const struct tx_input *in, const struct tx_scan *scan,
                 struct tx_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->cap = job->opt->max_output_seconds;
    plan->trimmed = scan->duration > plan->cap + 1e-3;
    plan->fps = pick_fps(in->vst);
    bool base_copy = copyable(job, in, scan, plan->trimmed);
    double kbps = scan->duration > 0 ? (double)scan->video_bytes * 8.0 / scan->duration : 1e12;

    for (int i = 0; i < TX_MAX_RENDITIONS; i++) {
        struct tx_rend_plan *r = &plan->r[plan->n];
        fit(in->width, in->height, &LADDER[i], &r->width, &r->height);
        if (plan->n > 0 && r->width == plan->r[0].width && r->height == plan->r[0].height)
            break; /* same picture as the rung above: one rendition is enough */
        r->name = LADDER[i].name;
        r->maxrate = LADDER[i].maxrate;
        r->bufsize = LADDER[i].bufsize;
        r->copy = base_copy && r->width == in->width && r->height == in->height &&
                  kbps <= r->maxrate;
        plan->n++;
    }

    bool all_copy = true, any_copy = false;
    for (int i = 0; i < plan->n; i++) {
        all_copy = all_copy && plan->r[i].copy;
        any_copy = any_copy || plan->r[i].copy;
    }
    plan->need_decode = !all_copy;
    if (!in->ast || !job->opt->keep_audio)
        plan->audio = TX_AUDIO_NONE;
    else if (all_copy && audio_copyable(in))
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
