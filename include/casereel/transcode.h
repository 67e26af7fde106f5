/* casereel transcode: turns one uploaded clip into the feed's media set
 * (H.264 ladder in fragmented MP4 + HLS playlists + poster + thumbnail).
 *
 * Output layout in out_dir (relative names only, so the directory can be served
 * under any URL prefix):
 *   master.m3u8            HLS master, one variant per rendition
 *   720p.m3u8, 720p.mp4    top rendition: playlist + fragmented MP4 (moov first)
 *   360p.m3u8, 360p.mp4    low rendition (absent when it would equal the top one)
 *   poster.jpg, thumb.jpg  representative frame at rendition size / 180 px wide
 * Each .mp4 is both the progressive download and the HLS media: its playlist
 * points into it with EXT-X-MAP + EXT-X-BYTERANGE, so no media byte is stored twice.
 * Fragments are 2 s and start with an IDR at the same instants in every rendition.
 *
 * Fast path: a rendition whose size equals the source's (source already inside
 * its box), from H.264 Main or High 8-bit 4:2:0 SDR, unrotated, constant <= 30
 * fps, video bit rate under the rendition's cap in every second, keyframes <= 2 s
 * apart, AAC or no audio, not longer than the cap, gets the source video
 * stream-copied (docs/DESIGN.md lists every rule). Audio is copied only when
 * every rendition is copied and it is already AAC-LC 48 kHz stereo near -16 LUFS.
 * Otherwise audio is decoded, gained to about -16 LUFS and encoded once for all
 * renditions. When the top rendition is copied, the encoded ones put their IDRs
 * on the source's keyframes. Each MP4's btrt/esds declare the average and the
 * peak-second bit rate actually written.
 */
#ifndef CASEREEL_TRANSCODE_H
#define CASEREEL_TRANSCODE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum tx_error {
	TX_OK = 0,
	TX_ERR_INVALID_ARG, /* bad path/options from the caller */
	TX_ERR_IO,          /* cannot read input or write out_dir */
	TX_ERR_UNSUPPORTED, /* not a video container we accept, or damaged/truncated */
	TX_ERR_NO_VIDEO,    /* container without a video stream */
	TX_ERR_AUDIO_ONLY,  /* container with audio but no video */
	TX_ERR_PLAYLIST,    /* HLS/concat/other playlist (never followed) */
	TX_ERR_TOO_LARGE,   /* resolution above 8K (or max_width x max_height) */
	TX_ERR_TIME_LIMIT,  /* per-job time limit exceeded */
	TX_ERR_CANCELLED,   /* *cancel became non-zero */
	TX_ERR_INTERNAL,    /* encoder/filter/muxer failure or out of memory */
};

/* Edits of the picture and sound (redaction, trim, poster choice). Times are
 * seconds of the input from its first video frame; the output starts at
 * trim_start. Regions are drawn on the upright picture before any scaling, so
 * every rendition and the poster carry them. Any picture edit (trim or a
 * region) turns the video's stream copy off; audio ranges turn audio copy off. */
#define TX_MAX_REGIONS     16
#define TX_MAX_AUDIO_EDITS 16

enum tx_region_style {
	TX_REGION_BLUR,     /* filled smoothly from its edges: no detail left (<< 10%) */
	TX_REGION_PIXELATE, /* blocks of at least 8 px */
	TX_REGION_BOX,      /* solid black */
};

struct tx_region {
	double x, y, w, h; /* normalised to the upright picture: 0..1, x + w <= 1, y + h <= 1 */
	double from, to;   /* seconds of the input; every frame showing during it is covered */
	enum tx_region_style style;
};

struct tx_audio_edit {
	double from, to; /* seconds of the input */
	bool bleep;      /* a 1 kHz tone instead of silence */
};

struct tx_edits {
	double trim_start; /* input seconds the output starts at (0) */
	double trim_end;   /* input seconds it ends at; 0 = the end (0) */
	int n_regions;
	struct tx_region regions[TX_MAX_REGIONS];
	int n_audio;
	struct tx_audio_edit audio[TX_MAX_AUDIO_EDITS];
	double poster_time; /* input seconds of the poster frame; < 0 chooses one (-1) */
};

/* True when e changes the picture (trim or a region); audio ranges and the
 * poster time do not. */
bool tx_edits_picture(const struct tx_edits *e);

struct tx_options {
	double max_output_seconds; /* output is cut at this many decoded seconds (180.0) */
	int max_width;             /* larger side limit, either orientation (7680) */
	int max_height;            /* smaller side limit, either orientation (4320) */
	int64_t probesize;         /* bytes read while probing (5 MB) */
	int64_t analyzeduration;   /* microseconds analysed while probing (10 s) */
	int max_streams;           /* inputs with more streams are refused (32) */
	double time_limit_seconds; /* wall-clock limit per job, <= 0 for none (900) */
	bool keep_audio;           /* false drops audio from the output (true) */
	bool allow_fast_path;      /* remux renditions the source already satisfies (true) */
	const char *x264_preset;   /* libx264 preset, static string ("veryfast") */
	int threads;               /* libx264 threads per rendition, 0 = auto (0); every
				    * rendition already encodes on a thread of its own */
	int decoder_threads;       /* video decoder threads, 0 = auto (0) */
	struct tx_edits edits;     /* none (poster_time -1) */
};

/* One rendition of the ladder as written to out_dir. */
struct tx_rendition {
	char name[8];          /* "720p" or "360p" (ladder rung, not the exact height) */
	char mp4[16];          /* "720p.mp4" */
	char playlist[16];     /* "720p.m3u8" */
	int width, height;     /* upright output size */
	bool fast_path;        /* video stream-copied from the source, not re-encoded */
	int64_t bandwidth;     /* peak segment bit rate, bits/s (HLS BANDWIDTH) */
	int64_t avg_bandwidth; /* average bit rate, bits/s */
};

struct tx_result {
	enum tx_error code;                /* TX_OK on success */
	char error[256];                   /* short sentence for people; "" on success */
	double duration;                   /* output seconds (<= max_output_seconds) */
	double source_duration;            /* source seconds from decoded timestamps */
	bool trimmed;                      /* source was longer than the cap and was cut */
	int width, height;                 /* top rendition, upright */
	bool has_audio;                    /* output carries an AAC track */
	bool audio_copied;                 /* audio stream-copied (loudness left as is) */
	double loudness_in;                /* measured integrated loudness, LUFS (-70 if none) */
	double gain_db;                    /* linear gain applied to reach ~-16 LUFS */
	int n_renditions;                  /* 1 or 2 */
	struct tx_rendition renditions[2]; /* [0] is the top rendition */
};

/* Progress in percent (0..100, non-decreasing). Called from the transcoding thread. */
typedef void (*tx_progress_fn)(void *ctx, int percent);

/* Defaults described in struct tx_options. */
struct tx_options tx_options_default(void);

/* Transcodes input_path into out_dir (which must exist and be writable).
 * opt may be NULL for defaults; progress and cancel may be NULL. cancel is polled
 * often; a non-zero value stops the job with TX_ERR_CANCELLED.
 * Thread-safe: any number of threads may call it at once (no global state is
 * changed). Returns 0 on success; otherwise -1 with out->code and out->error set,
 * and the files this call created in out_dir removed. out is always filled. */
int tx_transcode(const char *input_path, const char *out_dir, const struct tx_options *opt,
		 tx_progress_fn progress, void *progress_ctx, const atomic_int *cancel,
		 struct tx_result *out);

/* Static English text for a code ("no video stream found", ...). */
const char *tx_error_string(enum tx_error code);

/* A failed result's reason as a stable slug for clients to translate:
 * "io", "unsupported", "truncated", "not-a-video", "no-video", "audio-only",
 * "playlist", "too-large" (resolution), "time-limit", "cancelled" or
 * "internal"; "" for TX_OK. Static string. */
const char *tx_error_code(const struct tx_result *r);

#ifdef __cplusplus
}
#endif
#endif
