/* One rendition file: a fragmented MP4 (moov first, one fragment per segment)
 * written by its own thread, which also runs that rendition's encoder. The
 * decoding thread hands it frames or packets through a small bounded queue.
 * A stream-copied rendition has no encoder to wait for: the caller's thread
 * writes its packets at once, without a handoff per packet. */
#include "tx_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define QUEUE_CAP         8
#define AUDIO_PENDING_CAP 4096

enum item_kind { ITEM_FRAME, ITEM_VPKT, ITEM_APKT };

struct item {
	enum item_kind kind;
	AVFrame *frame;
	AVPacket *pkt;
};

struct tx_output {
	pthread_t thread;
	bool started, joined;
	bool inline_writer; /* no thread: push() processes items itself */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct item q[QUEUE_CAP];
	int head, count;
	bool eof;
	atomic_bool failed;

	AVFormatContext *oc;
	char *path;
	AVStream *vst, *ast;
	struct tx_rate vrate, arate; /* what was written, for the declared bit rates */
	AVCodecContext *venc;
	AVPacket *scratch;
	AVRational vtb, atb;
	bool copy;
	const double *cuts;
	int n_cuts, next_cut;
	AVPacket *apend[AUDIO_PENDING_CAP];
	int ahead, acount;
	bool wrote_video;
	double frag_starts[TX_MAX_CUTS + 1];
	int n_frags;
	double vend;
};

static void item_free(struct item *it)
{
	av_frame_free(&it->frame);
	av_packet_free(&it->pkt);
}

static int write_audio_packet(struct tx_output *o, AVPacket *pkt)
{
	int64_t ts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
	if (ts != AV_NOPTS_VALUE)
		tx_rate_add(&o->arate, (double)ts * av_q2d(o->atb),
			    (double)pkt->duration * av_q2d(o->atb), pkt->size);
	av_packet_rescale_ts(pkt, o->atb, o->ast->time_base);
	pkt->stream_index = o->ast->index;
	int ret = av_write_frame(o->oc, pkt);
	av_packet_free(&pkt);
	return ret;
}

/* Audio is held back so each fragment carries the audio of its own time span. */
static int write_audio_until(struct tx_output *o, double t, bool all)
{
	while (o->acount > 0) {
		AVPacket *p = o->apend[o->ahead];
		int64_t ts = p->dts != AV_NOPTS_VALUE ? p->dts : p->pts;
		if (!all && ts != AV_NOPTS_VALUE && (double)ts * av_q2d(o->atb) > t)
			break;
		o->apend[o->ahead] = NULL;
		o->ahead = (o->ahead + 1) % AUDIO_PENDING_CAP;
		o->acount--;
		if (write_audio_packet(o, p) < 0)
			return -1;
	}
	return 0;
}

static int queue_audio(struct tx_output *o, AVPacket *pkt)
{
	if (!o->ast)
		return 0;
	if (o->acount == AUDIO_PENDING_CAP) {
		AVPacket *old = o->apend[o->ahead];
		o->apend[o->ahead] = NULL;
		o->ahead = (o->ahead + 1) % AUDIO_PENDING_CAP;
		o->acount--;
		if (write_audio_packet(o, old) < 0)
			return -1;
	}
	AVPacket *p = av_packet_clone(pkt);
	if (!p)
		return -1;
	o->apend[(o->ahead + o->acount) % AUDIO_PENDING_CAP] = p;
	o->acount++;
	return 0;
}

static bool starts_fragment(struct tx_output *o, double t)
{
	if (!o->copy)
		return true; /* encoded renditions only have keyframes on the grid */
	if (o->next_cut >= o->n_cuts || t < o->cuts[o->next_cut] - 0.001)
		return false;
	while (o->next_cut < o->n_cuts && o->cuts[o->next_cut] <= t + 0.001)
		o->next_cut++;
	return true;
}

static int write_video(struct tx_output *o, AVPacket *pkt)
{
	int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
	int64_t dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pts;
	double t = (double)pts * av_q2d(o->vtb);
	if ((pkt->flags & AV_PKT_FLAG_KEY) && o->wrote_video && starts_fragment(o, t)) {
		if (write_audio_until(o, t - 1e-6, false) < 0 || av_write_frame(o->oc, NULL) < 0)
			return -1;
		/* With delay_moov the first flush only writes the moov (now with the
		 * edit list the B-frame delay needs); the second writes the fragment. */
		if (o->n_frags == 1 && av_write_frame(o->oc, NULL) < 0)
			return -1;
		if (o->n_frags <= TX_MAX_CUTS)
			o->frag_starts[o->n_frags++] = t;
	}
	if (write_audio_until(o, (double)dts * av_q2d(o->vtb), false) < 0)
		return -1;
	if (pkt->duration <= 0 && !o->copy)
		pkt->duration = 1; /* encoder time base is one frame */
	double end = t + (double)pkt->duration * av_q2d(o->vtb);
	if (end > o->vend)
		o->vend = end;
	tx_rate_add(&o->vrate, (double)dts * av_q2d(o->vtb), (double)pkt->duration * av_q2d(o->vtb),
		    pkt->size);
	av_packet_rescale_ts(pkt, o->vtb, o->vst->time_base);
	pkt->stream_index = o->vst->index;
	int ret = av_write_frame(o->oc, pkt);
	av_packet_unref(pkt);
	o->wrote_video = true;
	return ret < 0 ? -1 : 0;
}

static int drain_encoder(struct tx_output *o)
{
	for (;;) {
		int ret = avcodec_receive_packet(o->venc, o->scratch);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0 || write_video(o, o->scratch) < 0)
			return -1;
	}
}

static int process(struct tx_output *o, struct item *it)
{
	switch (it->kind) {
	case ITEM_FRAME:
		if (!o->venc || avcodec_send_frame(o->venc, it->frame) < 0)
			return -1;
		return drain_encoder(o);
	case ITEM_VPKT: return write_video(o, it->pkt);
	case ITEM_APKT: return queue_audio(o, it->pkt);
	}
	return -1;
}

static int finish_file(struct tx_output *o)
{
	if (o->venc && (avcodec_send_frame(o->venc, NULL) < 0 || drain_encoder(o) < 0))
		return -1;
	if (write_audio_until(o, 0, true) < 0)
		return -1;
	return av_write_trailer(o->oc) < 0 ? -1 : 0;
}

static void *worker(void *arg)
{
	struct tx_output *o = arg;
	for (;;) {
		pthread_mutex_lock(&o->mu);
		while (o->count == 0 && !o->eof)
			pthread_cond_wait(&o->cv, &o->mu);
		if (o->count == 0) {
			pthread_mutex_unlock(&o->mu);
			break;
		}
		struct item it = o->q[o->head];
		o->head = (o->head + 1) % QUEUE_CAP;
		o->count--;
		pthread_cond_broadcast(&o->cv);
		pthread_mutex_unlock(&o->mu);
		if (!atomic_load(&o->failed) && process(o, &it) < 0)
			atomic_store(&o->failed, true);
		item_free(&it);
	}
	if (!atomic_load(&o->failed) && finish_file(o) < 0)
		atomic_store(&o->failed, true);
	return NULL;
}

static int process_inline(struct tx_output *o, struct item it)
{
	if (o->joined || atomic_load(&o->failed) || process(o, &it) < 0)
		atomic_store(&o->failed, true);
	item_free(&it);
	return atomic_load(&o->failed) ? -1 : 0;
}

static int push(struct tx_output *o, struct item it)
{
	if (o->inline_writer)
		return process_inline(o, it);
	pthread_mutex_lock(&o->mu);
	while (o->count == QUEUE_CAP && !atomic_load(&o->failed))
		pthread_cond_wait(&o->cv, &o->mu);
	if (atomic_load(&o->failed) || o->eof) {
		pthread_mutex_unlock(&o->mu);
		item_free(&it);
		return -1;
	}
	o->q[(o->head + o->count) % QUEUE_CAP] = it;
	o->count++;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
	return 0;
}

int tx_output_frame(struct tx_output *o, AVFrame *frame)
{
	AVFrame *f = av_frame_alloc();
	if (!f)
		return -1;
	av_frame_move_ref(f, frame);
	return push(o, (struct item){.kind = ITEM_FRAME, .frame = f});
}

static int push_packet(struct tx_output *o, AVPacket *pkt, enum item_kind kind)
{
	AVPacket *p = av_packet_alloc();
	if (!p)
		return -1;
	av_packet_move_ref(p, pkt);
	return push(o, (struct item){.kind = kind, .pkt = p});
}

int tx_output_vpacket(struct tx_output *o, AVPacket *pkt)
{
	return push_packet(o, pkt, ITEM_VPKT);
}

int tx_output_apacket(struct tx_output *o, AVPacket *pkt)
{
	return push_packet(o, pkt, ITEM_APKT);
}

static void join(struct tx_output *o)
{
	if (o->inline_writer && !o->joined) {
		o->joined = true;
		if (!atomic_load(&o->failed) && finish_file(o) < 0)
			atomic_store(&o->failed, true);
	}
	if (!o->started || o->joined)
		return;
	pthread_mutex_lock(&o->mu);
	o->eof = true;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
	pthread_join(o->thread, NULL);
	o->joined = true;
}

static uint32_t rate_u32(double bits_per_second)
{
	return bits_per_second >= UINT32_MAX ? UINT32_MAX : (uint32_t)ceil(bits_per_second);
}

/* The average and the 1 s peak of each stream as written (in stream order:
 * video, then audio); the muxer could only guess them from the first fragment. */
static int declare_rates(const struct tx_output *o)
{
	const struct tx_rate *r[2] = {&o->vrate, &o->arate};
	struct tx_track_rates rates[2];
	for (int i = 0; i < 2; i++) {
		double avg = tx_rate_average(r[i]);
		rates[i] = (struct tx_track_rates){rate_u32(avg),
						   rate_u32(fmax(avg, tx_rate_peak(r[i])))};
	}
	return tx_mp4_declare_rates(o->path, rates, o->ast ? 2 : 1);
}

int tx_output_finish(struct tx_output *o)
{
	join(o);
	if (!atomic_load(&o->failed) && declare_rates(o) < 0)
		atomic_store(&o->failed, true);
	return atomic_load(&o->failed) ? -1 : 0;
}

bool tx_output_failed(struct tx_output *o)
{
	return atomic_load(&o->failed);
}

int tx_output_fragments(const struct tx_output *o, const double **starts, double *end)
{
	*starts = o->frag_starts;
	*end = o->vend;
	return o->n_frags;
}

const AVCodecParameters *tx_output_vpar(const struct tx_output *o)
{
	return o->vst->codecpar;
}

/* The encoder's rate control (max rate, buffer) on the stream, so the muxer
 * writes a btrt box for declare_rates() to fill in. */
static int copy_cpb_properties(AVStream *st, const AVCodecContext *enc)
{
	for (int i = 0; i < enc->nb_coded_side_data; i++) {
		const AVPacketSideData *sd = &enc->coded_side_data[i];
		if (sd->type != AV_PKT_DATA_CPB_PROPERTIES)
			continue;
		uint8_t *dst = av_stream_new_side_data(st, sd->type, sd->size);
		if (!dst)
			return -1;
		memcpy(dst, sd->data, sd->size);
	}
	return 0;
}

static int add_streams(struct tx_output *o, const struct tx_output_cfg *cfg)
{
	o->vst = avformat_new_stream(o->oc, NULL);
	if (!o->vst)
		return -1;
	if (o->venc) {
		if (avcodec_parameters_from_context(o->vst->codecpar, o->venc) < 0)
			return -1;
		o->vtb = o->venc->time_base;
		o->vst->avg_frame_rate = o->venc->framerate;
		if (copy_cpb_properties(o->vst, o->venc) < 0)
			return -1;
	} else {
		if (avcodec_parameters_copy(o->vst->codecpar, cfg->vcopy->codecpar) < 0)
			return -1;
		o->vtb = cfg->vcopy->time_base;
		o->vst->avg_frame_rate = cfg->vcopy->avg_frame_rate;
		o->copy = true;
	}
	o->vst->codecpar->codec_tag = 0;
	o->vst->time_base = o->vtb;
	if (cfg->apar) {
		o->ast = avformat_new_stream(o->oc, NULL);
		if (!o->ast || avcodec_parameters_copy(o->ast->codecpar, cfg->apar) < 0)
			return -1;
		o->ast->codecpar->codec_tag = 0;
		o->ast->time_base = cfg->atb;
		o->atb = cfg->atb;
	}
	return 0;
}

int tx_output_open(struct tx_output **out, const struct tx_output_cfg *cfg)
{
	struct tx_output *o = av_mallocz(sizeof *o);
	if (!o) {
		AVCodecContext *enc = cfg->venc;
		avcodec_free_context(&enc);
		return -1;
	}
	*out = o;
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	o->venc = cfg->venc;
	o->cuts = cfg->cuts;
	o->n_cuts = cfg->n_cuts;
	o->n_frags = 1; /* the first fragment starts at 0 */
	tx_rate_init(&o->vrate);
	tx_rate_init(&o->arate);
	if (!(o->path = av_strdup(cfg->path)) || !(o->scratch = av_packet_alloc()) ||
	    avformat_alloc_output_context2(&o->oc, NULL, "mp4", cfg->path) < 0 ||
	    add_streams(o, cfg) < 0 || avio_open(&o->oc->pb, cfg->path, AVIO_FLAG_WRITE) < 0)
		return -1;
	AVDictionary *d = NULL;
	av_dict_set(&d, "movflags",
		    "+frag_custom+empty_moov+delay_moov+default_base_moof+global_sidx", 0);
	int ret = avformat_write_header(o->oc, &d);
	av_dict_free(&d);
	if (ret < 0)
		return -1;
	if (!o->venc) {
		o->inline_writer = true;
		return 0;
	}
	if (pthread_create(&o->thread, NULL, worker, o) != 0)
		return -1;
	o->started = true;
	return 0;
}

void tx_output_free(struct tx_output **po)
{
	struct tx_output *o = *po;
	if (!o)
		return;
	atomic_store(&o->failed, true); /* a worker still running only drains now */
	join(o);
	for (int i = 0; i < o->count; i++)
		item_free(&o->q[(o->head + i) % QUEUE_CAP]);
	for (int i = 0; i < o->acount; i++)
		av_packet_free(&o->apend[(o->ahead + i) % AUDIO_PENDING_CAP]);
	if (o->oc) {
		if (o->oc->pb)
			avio_closep(&o->oc->pb);
		avformat_free_context(o->oc);
	}
	avcodec_free_context(&o->venc);
	av_packet_free(&o->scratch);
	av_freep(&o->path);
	pthread_mutex_destroy(&o->mu);
	pthread_cond_destroy(&o->cv);
	av_freep(po);
}
