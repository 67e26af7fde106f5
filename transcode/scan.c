/* The first pass: demux every packet to learn the real (timestamp) duration,
 * bit rate and keyframe layout, and optionally measure audio loudness. For
 * MP4/MOV the video part comes from the sample index when it can be
 * trusted, and only the audio is read. */
#include "tx_internal.h"

#include <math.h>
#include <string.h>

struct scan_state {
    double start, end, aend;
    double last_key;
    bool seen_video, seen_audio;
};

static void add_key(struct tx_scan *out, double t)
{
    if (out->n_keys > 0 && t <= out->keys[out->n_keys - 1])
        return; /* not ascending: keep the table sorted, ignore strays */
    if (out->n_keys == TX_MAX_KEYS) {
        out->keys_overflow = true;
        return;
    }
    out->keys[out->n_keys++] = t;
}

static void on_video(struct tx_scan *out, struct scan_state *s, const AVPacket *pkt,
                     AVRational tb)
{
    int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    if (!s->seen_video)
        out->first_is_key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
    out->video_bytes += pkt->size;
    if (ts == AV_NOPTS_VALUE) {
        s->seen_video = true;
        return;
    }
    double t = (double)ts * av_q2d(tb);
    double end = t + (double)pkt->duration * av_q2d(tb);
    if (!s->seen_video || t < s->start)
        s->start = t;
    if (!s->seen_video || end > s->end)
        s->end = end;
    s->seen_video = true;
    if (pkt->flags & AV_PKT_FLAG_KEY)
        add_key(out, t);
}

static void on_audio(struct scan_state *s, const AVPacket *pkt, AVRational tb)
{
    int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    if (ts == AV_NOPTS_VALUE)
        return;
    double end = (double)(ts + pkt->duration) * av_q2d(tb);
    if (!s->seen_audio || end > s->aend)
        s->aend = end;
    s->seen_audio = true;
}

static void finish(struct tx_scan *out, const struct scan_state *s)
{
    out->start = s->seen_video ? s->start : 0;
    out->duration = s->seen_video ? FFMAX(0.0, s->end - s->start) : 0;
    out->audio_duration = s->seen_audio ? FFMAX(0.0, s->aend - out->start) : 0;
    double prev = 0;
    for (int i = 0; i < out->n_keys; i++) {
        out->keys[i] -= out->start;
        if (out->keys[i] - prev > out->max_key_gap)
            out->max_key_gap = out->keys[i] - prev;
        prev = out->keys[i];
    }
    if (out->duration - prev > out->max_key_gap)
        out->max_key_gap = out->duration - prev;
}

/* The video part of the scan from an MP4/MOV sample index, which lists every
 * packet's timestamp, size and key flag without reading the 100+ MB of
 * video. Only where that index says all there is to say: no B-frames (so
 * its decode timestamps are the presentation timestamps), ascending
 * timestamps, and every sample inside the file (a cut upload takes the
 * full read and fails there). False leaves out and s untouched. */
static bool scan_video_index(const struct tx_input *in, struct tx_scan *out,
                             struct scan_state *s)
{
    AVStream *st = in->vst;
    int n = avformat_index_get_entries_count(st);
    int64_t file_size = in->fmt->pb ? avio_size(in->fmt->pb) : -1;
    if (!strstr(in->fmt->iformat->name, "mov") || st->codecpar->video_delay != 0 || n <= 0 ||
        file_size <= 0)
        return false;
    int64_t prev = INT64_MIN;
    for (int i = 0; i < n; i++) {
        const AVIndexEntry *e = avformat_index_get_entry(st, i);
        if (e->flags & AVINDEX_DISCARD_FRAME)
            continue;
        if (e->timestamp <= prev || e->pos < 0 || e->pos + e->size > file_size)
            return false;
        prev = e->timestamp;
    }
    struct tx_scan video = { 0 };
    struct scan_state vs = { 0 };
    AVPacket *pkt = av_packet_alloc();
    if (!pkt)
        return false;
    const AVIndexEntry *e = NULL;
    for (int i = 0; i < n; i++) {
        const AVIndexEntry *next = avformat_index_get_entry(st, i);
        if (next->flags & AVINDEX_DISCARD_FRAME)
            continue;
        if (e) {
            pkt->pts = pkt->dts = e->timestamp;
            pkt->duration = next->timestamp - e->timestamp;
            pkt->size = e->size;
            pkt->flags = e->flags & AVINDEX_KEYFRAME ? AV_PKT_FLAG_KEY : 0;
            on_video(&video, &vs, pkt, st->time_base);
        }
        e = next;
    }
    /* the last sample lasts as long as the one before it */
    pkt->pts = pkt->dts = e->timestamp;
    pkt->size = e->size;
    pkt->flags = e->flags & AVINDEX_KEYFRAME ? AV_PKT_FLAG_KEY : 0;
    on_video(&video, &vs, pkt, st->time_base);
    pkt->data = NULL;
    pkt->size = 0;
    av_packet_free(&pkt);
    *out = video;
    *s = vs;
    return true;
}

/* Containers with a sample index (mov, mkv cues...) know how long the video
 * is; far less readable media than indexed means the upload was cut short.
 * Bit-rate estimates (mpegts, flv) are too rough to judge by. */
static bool truncated(const struct tx_input *in, const struct tx_scan *out)
{
    const AVStream *st = in->vst;
    if (in->fmt->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE ||
        st->duration == AV_NOPTS_VALUE || st->duration <= 0)
        return false;
    double declared = (double)st->duration * av_q2d(st->time_base);
    return out->duration < declared - fmax(0.5, 0.02 * declared);
}

int tx_scan(struct tx_job *job, struct tx_input *in, bool measure, struct tx_scan *out)
{
    memset(out, 0, sizeof *out);
    struct scan_state s = { 0 };
    struct tx_meter *meter = NULL;
    AVPacket *pkt = av_packet_alloc();
    int ret = -1;
    if (!pkt)
        return tx_fail(job, TX_ERR_INTERNAL, "out of memory");
    if (measure && in->ast && tx_meter_open(&meter, in->ast) < 0) {
        tx_fail(job, TX_ERR_UNSUPPORTED, "the audio track cannot be decoded");
        goto out;
    }
    bool indexed = scan_video_index(in, out, &s);
    for (unsigned i = 0; indexed && i < in->fmt->nb_streams; i++)
        if (in->fmt->streams[i] != in->ast)
            in->fmt->streams[i]->discard = AVDISCARD_ALL; /* read the audio only */
    for (unsigned n = 0;; n++) {
        if ((n & 63) == 0 && tx_check_stop(job) < 0)
            goto out;
        int r = av_read_frame(in->fmt, pkt);
        if (r < 0) {
            if (tx_check_stop(job) < 0)
                goto out;
            if (r != AVERROR_EOF) {
                tx_fail(job, TX_ERR_UNSUPPORTED, "the file is truncated or damaged");
                goto out;
            }
            break;
        }
        if (pkt->stream_index == in->vst->index)
            on_video(out, &s, pkt, in->vst->time_base);
        else if (in->ast && pkt->stream_index == in->ast->index) {
            on_audio(&s, pkt, in->ast->time_base);
            if (meter)
                (void)tx_meter_feed(meter, pkt); /* a bad packet only loses a little */
        }
        av_packet_unref(pkt);
    }
    if (!s.seen_video) {
        tx_fail(job, TX_ERR_UNSUPPORTED, NULL);
        goto out;
    }
    finish(out, &s);
    if (truncated(in, out)) {
        tx_fail(job, TX_ERR_UNSUPPORTED, "the file is truncated or damaged");
        goto out;
    }
    if (meter) {
        (void)tx_meter_feed(meter, NULL);
        tx_meter_result(meter, &out->loudness, &out->peak_db);
        out->measured = true;
    }
    ret = 0;
out:
    tx_meter_free(&meter);
    av_packet_free(&pkt);
    return ret;
}
