/* The main pass: demux once, decode once, one video graph feeding every
 * encoded rendition, audio resampled + gained + AAC encoded once and shared,
 * stream copies for fast-path renditions. Cuts at the cap on decoded times. */
#include "tx_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/fifo.h>

/* Seconds of encoded audio sent ahead of the encoded video. */
#define AUDIO_LEAD 1.0

struct pipe {
	struct tx_job *job;
	struct tx_input *in;
	const struct tx_plan *plan;
	struct tx_output **outs;
	AVCodecContext *vdec, *adec, *aenc;
	struct tx_vgraph vg;
	struct tx_agraph ag;
	AVFrame *frame, *filt;
	AVFifo *ahold; /* encoded audio packets held until the video reaches them */
	AVPacket *pkt;
	int64_t vstart;   /* first video timestamp, video stream time base */
	int64_t astart;   /* the same instant in audio stream time base */
	int64_t astart48; /* the same instant in 1/48000 */
	double alimit;    /* audio is cut here (seconds), never longer than the video */
	double expected;  /* output seconds expected, for progress */
	bool video_done, audio_done, capped;
	int64_t frames_decoded;
	int64_t vsrc_end; /* end of the last frame fed to the graph, stream time base */
	int64_t vend;     /* the video's end by its timestamps, capped; stream time base,
			   * AV_NOPTS_VALUE when unknown */
	bool have_first[TX_MAX_RENDITIONS];
	int64_t first_pts[TX_MAX_RENDITIONS];
	bool have_last[TX_MAX_RENDITIONS];
	int64_t last_pts[TX_MAX_RENDITIONS]; /* last frame sent, 1/fps */
	int next_cut[TX_MAX_RENDITIONS];
	int poster_rend; /* encoded rendition the poster is taken from */
	double vout_end;
	struct tx_poster poster;
};

static int fail_internal(struct pipe *p, const char *what)
{
	return tx_fail(p->job, TX_ERR_INTERNAL, what);
}

/* ---- video ---------------------------------------------------------------- */

static bool force_key(struct pipe *p, int i, double t)
{
	const struct tx_plan *plan = p->plan;
	if (p->next_cut[i] >= plan->n_cuts || t < plan->cuts[p->next_cut[i]] - 1e-3)
		return false;
	while (p->next_cut[i] < plan->n_cuts && plan->cuts[p->next_cut[i]] <= t + 1e-3)
		p->next_cut[i]++;
	return true;
}

static int copy_packet(struct pipe *p, const AVPacket *pkt, int64_t start, bool video)
{
	for (int i = 0; i < p->plan->n; i++) {
		if (video && !p->plan->r[i].copy)
			continue;
		AVPacket *c = av_packet_clone(pkt);
		if (!c)
			return fail_internal(p, "out of memory");
		if (c->pts != AV_NOPTS_VALUE)
			c->pts -= start;
		if (c->dts != AV_NOPTS_VALUE)
			c->dts -= start;
		int ret =
			video ? tx_output_vpacket(p->outs[i], c) : tx_output_apacket(p->outs[i], c);
		av_packet_free(&c);
		if (ret < 0)
			return fail_internal(p, "writing the output failed");
	}
	return 0;
}

/* Sends the held audio that starts before t seconds (all of it when t < 0),
 * or only frees it when send is false. */
static int release_audio(struct pipe *p, double t, bool send)
{
	AVPacket *pkt;
	while (p->ahold && av_fifo_peek(p->ahold, &pkt, 1, 0) >= 0) {
		if (t >= 0 && (double)pkt->pts / 48000.0 > t)
			break;
		av_fifo_drain2(p->ahold, 1);
		int ret = send ? copy_packet(p, pkt, 0, false) : 0;
		av_packet_free(&pkt);
		if (ret < 0)
			return -1;
	}
	return 0;
}

static int emit_video(struct pipe *p, int i, AVFrame *f, AVRational tb)
{
	if (!p->have_first[i]) {
		p->first_pts[i] = f->pts;
		p->have_first[i] = true;
	}
	int64_t rel = f->pts - p->first_pts[i];
	double t = (double)rel * av_q2d(tb);
	if (t >= p->plan->cap - 1e-6) {
		p->video_done = p->capped = true;
		av_frame_unref(f);
		return 0;
	}
	f->pts = av_rescale_q(rel, tb, av_inv_q(p->plan->fps));
	if (p->have_last[i] && f->pts <= p->last_pts[i]) {
		av_frame_unref(f); /* a rebuilt graph may repeat the instant the old one ended on */
		return 0;
	}
	p->have_last[i] = true;
	p->last_pts[i] = f->pts;
	f->pict_type = force_key(p, i, t) ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
	double end = t + 1.0 / av_q2d(p->plan->fps);
	if (end > p->vout_end)
		p->vout_end = end;
	if (i == p->poster_rend && tx_poster_offer(&p->poster, f, t) < 0)
		return fail_internal(p, NULL);
	if (i == p->poster_rend && p->expected > 0)
		tx_report_progress(p->job, 5 + (int)(90.0 * t / p->expected));
	if (tx_output_frame(p->outs[i], f) < 0)
		return fail_internal(p, "video encoding failed");
	return 0;
}

/* One frame from every sink in turn, then the audio up to the video: the
 * outputs get both in step even when fps fills a long gap at once. */
static int drain_vsinks(struct pipe *p)
{
	for (bool more = true; more;) {
		more = false;
		for (int i = 0; i < p->plan->n; i++) {
			AVFilterContext *sink = p->vg.sink[i];
			if (!sink)
				continue;
			int ret = av_buffersink_get_frame(sink, p->filt);
			if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
				continue;
			if (ret < 0)
				return fail_internal(p, "video filtering failed");
			more = true;
			if (emit_video(p, i, p->filt, av_buffersink_get_time_base(sink)) < 0)
				return -1;
		}
		if (release_audio(p, p->vout_end + AUDIO_LEAD, true) < 0)
			return -1;
	}
	return 0;
}

/* The picture changed size, format or colours mid-stream: the old graph is
 * flushed up to the new frame (fps repeats its last picture until then) and
 * freed; the caller builds the next one from the new frame. */
static int reopen_vgraph(struct pipe *p, int64_t ts)
{
	int64_t until = ts != AV_NOPTS_VALUE ? ts : p->vsrc_end;
	if (av_buffersrc_close(p->vg.src, until, 0) < 0 || drain_vsinks(p) < 0)
		return fail_internal(p, "video filtering failed");
	tx_graph_free(&p->vg.graph);
	memset(&p->vg, 0, sizeof p->vg);
	return 0;
}

static int on_video_frame(struct pipe *p, AVFrame *f)
{
	if (!tx_video_frame_ok(p->job, f))
		return 0; /* a damaged or absurd picture: like an undecodable one */
	int64_t ts = f->best_effort_timestamp;
	if (ts != AV_NOPTS_VALUE) {
		double t = (double)(ts - p->vstart) * av_q2d(p->in->vst->time_base);
		if (t < -1e-3)
			return 0; /* before the trim's start: the first frame kept is at or after it
				   */
		if (t >= p->plan->cap - 1e-6) {
			p->video_done = p->capped = true;
			return 0;
		}
	}
	f->pts = ts;
	p->frames_decoded++;
	if (ts != AV_NOPTS_VALUE) {
		AVRational rate = p->in->vst->avg_frame_rate.num > 0 ? p->in->vst->avg_frame_rate
								     : p->plan->fps;
		int64_t dur = f->pkt_duration > 0
				      ? f->pkt_duration
				      : av_rescale_q(1, av_inv_q(rate), p->in->vst->time_base);
		p->vsrc_end = FFMAX(p->vsrc_end, ts + dur);
	}
	if (p->vg.graph && !tx_vgraph_matches(&p->vg, f) && reopen_vgraph(p, ts) < 0)
		return -1;
	if (!p->vg.graph && tx_vgraph_open(&p->vg, p->in, f, p->plan) < 0)
		return fail_internal(p, "cannot build the video filters");
	if (av_buffersrc_add_frame_flags(p->vg.src, f, AV_BUFFERSRC_FLAG_KEEP_REF) < 0)
		return fail_internal(p, "video filtering failed");
	return drain_vsinks(p);
}

static int receive_video(struct pipe *p)
{
	for (;;) {
		int ret = avcodec_receive_frame(p->vdec, p->frame);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0)
			return 0; /* a damaged frame: keep going with the next ones */
		ret = p->video_done ? 0 : on_video_frame(p, p->frame);
		av_frame_unref(p->frame);
		if (ret < 0)
			return -1;
	}
}

static int on_video_packet(struct pipe *p, AVPacket *pkt)
{
	if (p->video_done)
		return 0;
	if (copy_packet(p, pkt, p->vstart, true) < 0)
		return -1;
	if (!p->vdec)
		return 0;
	int ret = avcodec_send_packet(p->vdec, pkt);
	if (ret < 0 && ret != AVERROR(EAGAIN))
		return 0; /* damaged packet */
	return receive_video(p);
}

/* ---- audio ---------------------------------------------------------------- */

/* Encoded video is produced late across a gap in its timestamps (fps fills
 * the gap when the next picture comes), so encoded audio waits for it here
 * rather than landing in whichever fragment is open. Stream copies pass. */
static int hold_audio(struct pipe *p, const AVPacket *pkt)
{
	if (p->poster_rend < 0)
		return copy_packet(p, pkt, 0, false);
	AVPacket *c = av_packet_clone(pkt);
	if (!c || av_fifo_write(p->ahold, &c, 1) < 0) {
		av_packet_free(&c);
		return fail_internal(p, "out of memory");
	}
	return 0;
}

static int send_aac(struct pipe *p, AVFrame *f)
{
	if (avcodec_send_frame(p->aenc, f) < 0)
		return fail_internal(p, "audio encoding failed");
	for (;;) {
		int ret = avcodec_receive_packet(p->aenc, p->pkt);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0)
			return fail_internal(p, "audio encoding failed");
		ret = hold_audio(p, p->pkt);
		av_packet_unref(p->pkt);
		if (ret < 0)
			return -1;
	}
}

static int drain_asink(struct pipe *p)
{
	int64_t limit = llround(p->alimit * 48000.0);
	for (;;) {
		int ret = av_buffersink_get_frame(p->ag.sink, p->filt);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0)
			return fail_internal(p, "audio filtering failed");
		int64_t rel = av_rescale_q(p->filt->pts, av_buffersink_get_time_base(p->ag.sink),
					   (AVRational){1, 48000}) -
			      p->astart48;
		if (rel < 0 && rel > -4 && p->plan->in_start > 0)
			rel = 0; /* atrim's first sample, rounded the other way */
		if (p->audio_done || rel < 0 || rel >= limit) {
			p->audio_done = p->audio_done || rel >= limit;
			av_frame_unref(p->filt);
			continue;
		}
		if (rel + p->filt->nb_samples > limit) {
			p->filt->nb_samples = (int)(limit - rel); /* the last frame may be short */
			p->audio_done = true;
		}
		p->filt->pts = rel;
		ret = send_aac(p, p->filt);
		av_frame_unref(p->filt);
		if (ret < 0)
			return -1;
	}
}

/* A frame of other parameters than the graph's (a mid-stream change) gets a
 * new graph; the few samples still buffered in the old one are dropped, so
 * the encoder only ever sees whole frames. */
static int on_audio_frame(struct pipe *p, AVFrame *f)
{
	if (!tx_audio_params_ok(f->sample_rate, &f->ch_layout))
		return 0;
	if (p->ag.graph && !tx_agraph_matches(&p->ag, f))
		tx_agraph_free(&p->ag);
	if (!p->ag.graph) {
		char chain[4096], edits[3072];
		if (tx_edits_audio_chain(p->plan->edits, p->plan->t0, edits, sizeof edits) < 0)
			return fail_internal(p, "too many audio edits");
		snprintf(chain, sizeof chain,
			 "aresample=48000,volume=volume=%.2fdB:precision=float,"
			 "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo%s",
			 p->plan->gain_db, edits);
		if (tx_agraph_open(&p->ag, f, p->in->ast->time_base, chain, p->aenc->frame_size) <
		    0)
			return fail_internal(p, "cannot build the audio filters");
	}
	f->pts = f->best_effort_timestamp;
	if (av_buffersrc_add_frame_flags(p->ag.src, f, AV_BUFFERSRC_FLAG_KEEP_REF) < 0)
		return fail_internal(p, "audio filtering failed");
	return drain_asink(p);
}

static int receive_audio(struct pipe *p)
{
	for (;;) {
		int ret = avcodec_receive_frame(p->adec, p->frame);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0)
			return 0;
		ret = p->audio_done ? 0 : on_audio_frame(p, p->frame);
		av_frame_unref(p->frame);
		if (ret < 0)
			return -1;
	}
}

static int on_audio_packet(struct pipe *p, AVPacket *pkt)
{
	if (p->audio_done)
		return 0;
	if (p->plan->audio == TX_AUDIO_COPY) {
		int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
		if (ts != AV_NOPTS_VALUE &&
		    (double)(ts - p->astart) * av_q2d(p->in->ast->time_base) >= p->alimit - 1e-6) {
			p->audio_done = true;
			return 0;
		}
		return copy_packet(p, pkt, p->astart, false);
	}
	int ret = avcodec_send_packet(p->adec, pkt);
	if (ret < 0 && ret != AVERROR(EAGAIN))
		return 0;
	return receive_audio(p);
}

/* ---- setup, loop, teardown ------------------------------------------------ */

static int open_outputs(struct pipe *p)
{
	AVCodecParameters *apar = avcodec_parameters_alloc();
	AVRational atb = {1, 48000};
	int ret = -1;
	if (!apar)
		return fail_internal(p, "out of memory");
	if (p->plan->audio == TX_AUDIO_ENCODE) {
		if (avcodec_parameters_from_context(apar, p->aenc) < 0)
			goto out;
	} else if (p->plan->audio == TX_AUDIO_COPY) {
		if (avcodec_parameters_copy(apar, p->in->ast->codecpar) < 0)
			goto out;
		atb = p->in->ast->time_base;
	}
	for (int i = 0; i < p->plan->n; i++) {
		const struct tx_rend_plan *r = &p->plan->r[i];
		char path[4096], name[32];
		snprintf(name, sizeof name, "%s.mp4", r->name);
		struct tx_output_cfg cfg = {
			.path = path,
			.vcopy = r->copy ? p->in->vst : NULL,
			.apar = p->plan->audio == TX_AUDIO_NONE ? NULL : apar,
			.atb = atb,
			.cuts = p->plan->cuts,
			.n_cuts = p->plan->n_cuts,
		};
		if (tx_out_path(p->job, name, path, sizeof path) < 0) {
			tx_fail(p->job, TX_ERR_IO, "output path too long");
			goto out;
		}
		if (!r->copy && tx_x264_open(&cfg.venc, r, p->plan->fps, p->job->opt) < 0)
			goto out;
		if (tx_output_open(&p->outs[i], &cfg) < 0) {
			tx_fail(p->job, TX_ERR_IO, "cannot write the output files");
			goto out;
		}
	}
	ret = 0;
out:
	avcodec_parameters_free(&apar);
	return ret < 0 ? fail_internal(p, "cannot open the encoders") : 0;
}

static int setup(struct pipe *p, const struct tx_scan *scan)
{
	const struct tx_plan *plan = p->plan;
	struct tx_input *in = p->in;
	double from = scan->start + plan->in_start; /* the output's first instant, input seconds */
	double left = scan->duration - plan->in_start;
	p->vstart = llround(from / av_q2d(in->vst->time_base));
	p->expected = fmin(plan->cap, left > 0 ? left : plan->cap);
	p->alimit = fmin(plan->cap, p->expected + 0.05);
	p->vend = scan->duration > 0 ? p->vstart + llround(p->expected / av_q2d(in->vst->time_base))
				     : AV_NOPTS_VALUE;
	p->astart48 = llround(from * 48000.0);
	p->audio_done = plan->audio == TX_AUDIO_NONE;
	p->poster_rend = -1;
	for (int i = plan->n - 1; i >= 0; i--)
		if (!plan->r[i].copy)
			p->poster_rend = i;
	double chosen = plan->edits->poster_time;
	tx_poster_init(&p->poster, p->expected, chosen >= 0 ? chosen - plan->in_start : -1);
	if (!(p->frame = av_frame_alloc()) || !(p->filt = av_frame_alloc()) ||
	    !(p->ahold = av_fifo_alloc2(64, sizeof(AVPacket *), AV_FIFO_FLAG_AUTO_GROW)) ||
	    !(p->pkt = av_packet_alloc()))
		return fail_internal(p, "out of memory");
	int64_t max_pixels = (int64_t)p->job->opt->max_width * p->job->opt->max_height;
	if (plan->need_decode &&
	    tx_decoder_open(&p->vdec, in->vst, p->job->opt->decoder_threads, max_pixels) < 0)
		return tx_fail(p->job, TX_ERR_UNSUPPORTED, "the video track cannot be decoded");
	if (plan->audio != TX_AUDIO_NONE)
		p->astart = llround(from / av_q2d(in->ast->time_base));
	if (plan->audio == TX_AUDIO_ENCODE) {
		if (tx_decoder_open(&p->adec, in->ast, 1, 0) < 0)
			return tx_fail(p->job, TX_ERR_UNSUPPORTED,
				       "the audio track cannot be decoded");
		if (tx_aac_open(&p->aenc) < 0)
			return fail_internal(p, "cannot open the audio encoder");
	}
	return open_outputs(p);
}

static int read_loop(struct pipe *p)
{
	for (unsigned n = 0; !(p->video_done && p->audio_done); n++) {
		if ((n & 15) == 0) {
			if (tx_check_stop(p->job) < 0)
				return -1;
			for (int i = 0; i < p->plan->n; i++)
				if (tx_output_failed(p->outs[i]))
					return fail_internal(p, "writing the output failed");
		}
		int ret = av_read_frame(p->in->fmt, p->pkt);
		if (ret < 0)
			return tx_check_stop(p->job) < 0 ? -1 : 0; /* EOF or unreadable tail */
		if (p->pkt->stream_index == p->in->vst->index)
			ret = on_video_packet(p, p->pkt);
		else if (p->in->ast && p->pkt->stream_index == p->in->ast->index)
			ret = on_audio_packet(p, p->pkt);
		av_packet_unref(p->pkt);
		if (ret < 0)
			return -1;
	}
	return 0;
}

static int flush_all(struct pipe *p)
{
	if (p->vdec) {
		if (!p->video_done) {
			avcodec_send_packet(p->vdec, NULL);
			if (receive_video(p) < 0)
				return -1;
		}
		/* Closing at the end of the last frame (not its start) keeps fps from
		 * dropping the final frame; closing at the end the timestamps promise
		 * makes fps hold the last picture over a gap before the cap or an
		 * undecodable tail, so the video lasts as long as the audio cut. */
		int64_t end = p->vend != AV_NOPTS_VALUE ? FFMAX(p->vsrc_end, p->vend) : p->vsrc_end;
		if (p->vg.graph &&
		    (av_buffersrc_close(p->vg.src, end, 0) < 0 || drain_vsinks(p) < 0))
			return fail_internal(p, "video filtering failed");
		if (p->frames_decoded == 0)
			return tx_fail(p->job, TX_ERR_UNSUPPORTED, NULL);
	}
	if (p->adec) {
		if (!p->audio_done) {
			avcodec_send_packet(p->adec, NULL);
			if (receive_audio(p) < 0)
				return -1;
		}
		if (p->ag.graph &&
		    (av_buffersrc_add_frame(p->ag.src, NULL) < 0 || drain_asink(p) < 0))
			return -1;
		if (send_aac(p, NULL) < 0)
			return -1;
	}
	if (release_audio(p, -1, true) < 0)
		return -1;
	int ret = 0;
	for (int i = 0; i < p->plan->n; i++)
		if (tx_output_finish(p->outs[i]) < 0)
			ret = fail_internal(p, "writing the output failed");
	return ret;
}

static void teardown(struct pipe *p)
{
	tx_graph_free(&p->vg.graph);
	tx_agraph_free(&p->ag);
	avcodec_free_context(&p->vdec);
	avcodec_free_context(&p->adec);
	avcodec_free_context(&p->aenc);
	av_frame_free(&p->frame);
	av_frame_free(&p->filt);
	release_audio(p, -1, false);
	av_fifo_freep2(&p->ahold);
	av_packet_free(&p->pkt);
	tx_poster_free(&p->poster);
}

int tx_pipeline_run(struct tx_job *job, struct tx_input *in, const struct tx_plan *plan,
		    const struct tx_scan *scan, struct tx_output **outs, double *out_duration)
{
	struct pipe p = {.job = job, .in = in, .plan = plan, .outs = outs};
	int ret = setup(&p, scan);
	if (ret == 0)
		ret = read_loop(&p);
	if (ret == 0)
		ret = flush_all(&p);
	if (ret == 0) {
		const double *starts;
		double vend = 0;
		(void)tx_output_fragments(outs[0], &starts, &vend);
		*out_duration = fmin(plan->cap, plan->r[0].copy ? vend : fmax(vend, p.vout_end));
		tx_report_progress(job, 95);
		ret = p.poster_rend >= 0 ? tx_poster_write(job, &p.poster)
					 : tx_poster_from_source(job, in, *out_duration);
	}
	teardown(&p);
	return ret;
}
