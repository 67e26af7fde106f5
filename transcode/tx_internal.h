/* Private contracts shared by the transcode/ files; not installed, not used by src/. */
#ifndef CASEREEL_TX_INTERNAL_H
#define CASEREEL_TX_INTERNAL_H

#include <casereel/transcode.h>

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>

#define TX_MAX_RENDITIONS  2
#define TX_SEGMENT_SECONDS 2.0
#define TX_MAX_KEYS        8192 /* source keyframes remembered for fast-path cuts */
#define TX_MAX_CUTS        8192
#define TX_MAX_FRAMES      8192 /* video frames timed for the fast-path checks (> 180 s at 30 fps) */
#define TX_TARGET_LUFS     (-16.0)
#define TX_PEAK_WINDOW     1.0  /* seconds over which a peak bit rate is measured */
#define TX_RATE_RING       1024 /* packets one peak window can hold (> 30 fps video + audio) */

/* Details tx_error_code() tells apart from the rest of TX_ERR_UNSUPPORTED. */
#define TX_DETAIL_TRUNCATED "the file is truncated or damaged"
#define TX_DETAIL_TEXT      "this is a text file, not a video"

/* Per-call state: options, cancellation, deadline, progress and the result. */
struct tx_job {
	const struct tx_options *opt;
	const atomic_int *cancel;
	double deadline; /* tx_now() seconds, 0 = none */
	tx_progress_fn progress;
	void *progress_ctx;
	int last_percent;
	struct tx_result *res;
	const char *in_path;
	const char *out_dir;
};

double tx_now(void);
/* Records the first failure only (later ones are consequences); returns -1.
 * detail, when not NULL, replaces the generic text of code. */
int tx_fail(struct tx_job *job, enum tx_error code, const char *detail);
/* -1 (with the error recorded) when cancelled or past the deadline, else 0. */
int tx_check_stop(struct tx_job *job);
/* AVIOInterruptCB callback; opaque is a struct tx_job. */
int tx_interrupt_cb(void *opaque);
void tx_report_progress(struct tx_job *job, int percent);
/* Builds out_dir/name into buf; -1 if it does not fit. */
int tx_out_path(const struct tx_job *job, const char *name, char *buf, size_t size);

/* rate.c: total bytes and the most bytes in any TX_PEAK_WINDOW seconds of a
 * stream, fed packet by packet in decode order. Plain data, no allocation. */
struct tx_rate {
	int64_t bytes, packets;
	double start, end; /* seconds: first packet's time, last packet's end */
	int64_t window_bytes, peak_bytes;
	double t[TX_RATE_RING];
	int size[TX_RATE_RING];
	int head, n;
	bool overflow; /* more than TX_RATE_RING packets in one window: peak unknown */
};
void tx_rate_init(struct tx_rate *r);
/* One packet of `size` bytes at `t` seconds (its decode time) lasting
 * `duration` seconds (0 when unknown). */
void tx_rate_add(struct tx_rate *r, double t, double duration, int size);
/* Most bits in any window, as bits/s; INFINITY after an overflow. */
double tx_rate_peak(const struct tx_rate *r);
/* bits/s from the first packet's time to the last one's end (0 if none). */
double tx_rate_average(const struct tx_rate *r);

/* mp4_rates.c: what a finished MP4 declares about its bit rates. */
struct tx_track_rates {
	uint32_t avg, max; /* bits/s; max is the most in any TX_PEAK_WINDOW */
};
/* Rewrites, in place, the btrt box and the esds DecoderConfigDescriptor of
 * the first n tracks of the MP4 at path (moov order = stream order) with
 * rates[i]; boxes the muxer left out stay out. -1 on I/O errors or a moov
 * that is not as the muxer writes it. */
int tx_mp4_declare_rates(const char *path, const struct tx_track_rates *rates, int n);

/* probe.c: an opened, validated input. */
struct tx_input {
	AVFormatContext *fmt;
	AVStream *vst;     /* never NULL once opened */
	AVStream *ast;     /* NULL when there is no audio */
	int rotation;      /* clockwise degrees to turn the picture upright: 0/90/180/270 */
	bool mirror;       /* then flip it left-right (mirror display matrices) */
	int width, height; /* upright size */
	bool hdr;          /* PQ or HLG transfer */
};
/* Opens job->in_path under the container/protocol whitelists and the limits of
 * job->opt, picks the streams. On failure the error is recorded, -1 returned and
 * nothing is left open. */
int tx_open_input(struct tx_job *job, struct tx_input *in);
void tx_close_input(struct tx_input *in);

/* scan.c: one demux pass before the real work. */
struct tx_scan {
	double start;    /* first video timestamp, seconds */
	double duration; /* video length from packet timestamps, seconds */
	double audio_duration;
	int64_t video_bytes;
	double max_key_gap;   /* longest distance between video keyframes, seconds */
	double peak_rate;     /* most video bits in any TX_PEAK_WINDOW of decode time, bits/s */
	double frame_rate;    /* frames per second from the timestamps, 0 if unknown */
	bool cfr;             /* every frame lasts as long as the others, within a tick */
	bool video_discarded; /* the container cuts away some video (edit list) */
	bool first_is_key;
	double keys[TX_MAX_KEYS]; /* keyframe times relative to start, ascending */
	int n_keys;
	bool keys_overflow;
	bool measured;   /* loudness below is valid */
	double loudness; /* integrated, LUFS */
	double peak_db;  /* sample peak, dBFS */
};
/* Reads every packet of in (consumed: reopen afterwards). measure decodes the
 * audio and measures its loudness with ebur128. Packets the container marks
 * as discarded (cut away by an edit list) count for nothing but video_discarded. */
int tx_scan(struct tx_job *job, struct tx_input *in, bool measure, struct tx_scan *out);

/* loudness.c */
struct tx_meter;
int tx_meter_open(struct tx_meter **m, const AVStream *ast);
int tx_meter_feed(struct tx_meter *m, const AVPacket *pkt); /* NULL flushes */
void tx_meter_result(const struct tx_meter *m, double *lufs, double *peak_db);
void tx_meter_free(struct tx_meter **m);

/* plan.c: what to produce, decided from the input and the scan. */
enum tx_audio_mode { TX_AUDIO_NONE, TX_AUDIO_COPY, TX_AUDIO_ENCODE };
struct tx_rend_plan {
	const char *name;
	int width, height;
	int maxrate, bufsize; /* bits/s, bits */
	bool copy;
};
struct tx_plan {
	int n;
	struct tx_rend_plan r[TX_MAX_RENDITIONS];
	AVRational fps; /* output frame rate of encoded renditions */
	enum tx_audio_mode audio;
	double gain_db;
	double cap;      /* seconds of output at most (the length cap and the edit's trim) */
	double t0;       /* the input's first video time, seconds (its frames' timestamps) */
	double in_start; /* input seconds the output starts at (the edit's trim start) */
	const struct tx_edits *edits; /* the job's */
	bool trimmed;
	bool need_decode;         /* at least one rendition is encoded */
	double cuts[TX_MAX_CUTS]; /* segment start times after 0, seconds */
	int n_cuts;
};
int tx_plan_make(struct tx_job *job, const struct tx_input *in, const struct tx_scan *scan,
		 struct tx_plan *plan);
/* Linear gain towards TX_TARGET_LUFS from the measured loudness, peak-limited. */
void tx_plan_set_gain(struct tx_plan *plan, const struct tx_scan *scan);

/* edits.c: the edits of job->opt as filter text; t0 is the input's first
 * video time (seconds), ranges are shifted by it. */
/* Region filters for the upright w x h picture, each ending in ',' ("" for
 * none); frame is a source frame's duration, so a frame shown when a range
 * starts is covered too. -1 when buf is too small. */
int tx_edits_video_chain(const struct tx_edits *e, double t0, double frame, int w, int h, char *buf,
			 size_t size);
/* Audio filters to append to a 48 kHz stereo fltp chain, each starting with
 * ',' ("" for none): the trim's start, then the muted and bleeped ranges. */
int tx_edits_audio_chain(const struct tx_edits *e, double t0, char *buf, size_t size);

/* graph.c: filter graphs. A graph is configured from one decoded frame and
 * only ever fed frames that tx_*graph_matches() accepts: buffersrc does not
 * reject video frames of another size, and the filters would read them with
 * the configured one. */
struct tx_vgraph {
	AVFilterGraph *graph;
	AVFilterContext *src;
	AVFilterContext *sink[TX_MAX_RENDITIONS]; /* indexed like plan->r; NULL for copies */
	int width, height, format;                /* what src was configured with */
	enum AVColorSpace colorspace;
	enum AVColorRange color_range;
	AVRational sar;
};
/* Built on a decoded frame (its format is the truth, not the header). */
int tx_vgraph_open(struct tx_vgraph *g, const struct tx_input *in, const AVFrame *first,
		   const struct tx_plan *plan);
bool tx_vgraph_matches(const struct tx_vgraph *g, const AVFrame *f);
/* A decoded picture the graphs may take: sane size within the job's limits. */
bool tx_video_frame_ok(const struct tx_job *job, const AVFrame *f);

/* Audio accepted from untrusted streams and frames; outside it a stream is
 * ignored and a frame dropped (filters misbehave on absurd rates). */
#define TX_MIN_SAMPLE_RATE 8000
#define TX_MAX_SAMPLE_RATE 384000
#define TX_MAX_CHANNELS    32
bool tx_audio_params_ok(int sample_rate, const AVChannelLayout *layout);

struct tx_agraph {
	AVFilterGraph *graph;
	AVFilterContext *src;
	AVFilterContext *sink;
	int sample_rate, format; /* what src was configured with */
	AVChannelLayout layout;
};
/* abuffer (configured from first, which must pass tx_audio_params_ok) -> chain
 * -> abuffersink; frame_size > 0 fixes the frames' sample count. */
int tx_agraph_open(struct tx_agraph *g, const AVFrame *first, AVRational tb, const char *chain,
		   int frame_size);
bool tx_agraph_matches(const struct tx_agraph *g, const AVFrame *f);
void tx_agraph_free(struct tx_agraph *g);
void tx_graph_free(AVFilterGraph **graph);

/* codec.c: decoders and encoders. */
int tx_decoder_open(AVCodecContext **dec, const AVStream *st, int threads, int64_t max_pixels);
int tx_x264_open(AVCodecContext **enc, const struct tx_rend_plan *r, AVRational fps,
		 const struct tx_options *opt);
int tx_aac_open(AVCodecContext **enc);

/* output.c: one rendition file, written by its own thread. */
struct tx_output;
struct tx_output_cfg {
	const char *path;
	AVCodecContext *venc;          /* encoded video (owned by the output after open) */
	const AVStream *vcopy;         /* or: stream-copied video from this source stream */
	const AVCodecParameters *apar; /* audio parameters, NULL for none */
	AVRational atb;                /* time base of audio packets */
	const double *cuts;            /* copy only: where fragments may start */
	int n_cuts;
};
int tx_output_open(struct tx_output **o, const struct tx_output_cfg *cfg);
/* Queue a video frame (encoded outputs) or packet; ownership of the reference
 * moves to the output. Blocks while the output's queue is full. */
int tx_output_frame(struct tx_output *o, AVFrame *frame);
int tx_output_vpacket(struct tx_output *o, AVPacket *pkt);
int tx_output_apacket(struct tx_output *o, AVPacket *pkt);
/* Flushes, writes the trailer, joins the thread. -1 if anything failed. */
int tx_output_finish(struct tx_output *o);
bool tx_output_failed(struct tx_output *o);
/* After finish: fragment start times (seconds, first is 0) and end time. */
int tx_output_fragments(const struct tx_output *o, const double **starts, double *end);
const AVCodecParameters *tx_output_vpar(const struct tx_output *o);
void tx_output_free(struct tx_output **o);

/* hls.c */
/* Scans the finished MP4s and writes the rendition playlists and master.m3u8;
 * fills bandwidth fields of res->renditions. */
int tx_hls_write(struct tx_job *job, const struct tx_plan *plan, struct tx_output *const *outs,
		 struct tx_result *res);

/* poster.c */
#define TX_POSTER_CANDIDATES 4
struct tx_poster {
	double at[TX_POSTER_CANDIDATES];
	AVFrame *frame[TX_POSTER_CANDIDATES];
	double chosen_at; /* the time asked for (output seconds), < 0 for none */
	AVFrame *chosen;  /* wins over the candidates once taken */
};
/* Candidates for an output of `duration` seconds; chosen_at >= 0 asks for
 * the first frame at or after it. */
void tx_poster_init(struct tx_poster *p, double duration, double chosen_at);
/* Keeps a reference to frame when t reaches a candidate time. */
int tx_poster_offer(struct tx_poster *p, const AVFrame *frame, double t);
/* Writes poster.jpg and thumb.jpg from the best candidate. */
int tx_poster_write(struct tx_job *job, struct tx_poster *p);
/* For stream-copied clips: seeks in the (already read) source and decodes a
 * few frames of it. */
int tx_poster_from_source(struct tx_job *job, struct tx_input *in, double duration);
void tx_poster_free(struct tx_poster *p);

/* pipeline.c: the decode-filter-encode-mux pass. */
int tx_pipeline_run(struct tx_job *job, struct tx_input *in, const struct tx_plan *plan,
		    const struct tx_scan *scan, struct tx_output **outs, double *out_duration);

#endif
