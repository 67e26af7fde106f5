/* Demo source clips made in process with libavfilter (a test pattern with a
 * drawn title and a tone), encoded to H.264 + AAC in MP4: stand-ins for what
 * agents upload from their phones, so a fresh demo has real clips to transcode. */
#ifndef CASEREEL_DEMO_CLIPS_H
#define CASEREEL_DEMO_CLIPS_H

#include <stdbool.h>
#include <stddef.h>

#include "casereel/error.h"

#define DEMO_CLIP_WIDTH       720
#define DEMO_CLIP_HEIGHT      1280
#define DEMO_CLIP_FPS         30
#define DEMO_CLIP_SECONDS_MAX 30.0

struct demo_clip_spec {
	const char *path;     /* MP4 to write (replaced if it exists) */
	const char *title;    /* UTF-8, drawn large and word-wrapped near the top */
	const char *byline;   /* UTF-8, drawn smaller below it (the creator); may be NULL */
	const char *fontfile; /* a font with glyphs for every character drawn */
	unsigned pattern;     /* which moving background; any value (taken modulo the set) */
	double seconds;       /* length, > 0 and <= DEMO_CLIP_SECONDS_MAX */
	int tone_hz;          /* sine tone frequency, 20..20000 */
};

/* Writes spec->path: 720x1280 at 30 fps, yuv420p BT.709, libx264 Main
 * profile with an IDR every 2 s and at most 3 Mb in any second (the feed's
 * 720p cap, so the transcoder copies it), plus a
 * 48 kHz stereo AAC tone. Thread-safe (no global state). CR_EINVAL for a bad
 * spec (missing font, out-of-range numbers), CR_EIO when the file cannot be
 * written or libav* fails, CR_ENOMEM; `why` then says what failed (in its
 * detail), and a partly written file is removed. */
cr_err demo_clip_make(const struct demo_clip_spec *spec, struct cr_problem *why);

/* An installed font file: with `cjk`, one that also has Chinese glyphs
 * (WenQuanYi Zen Hei, Noto CJK); otherwise DejaVu Sans Bold. Static string,
 * or NULL when none of the candidates is readable. */
const char *demo_clip_font(bool cjk);

/* True when UTF-8 `s` has CJK characters (code points from U+2E80 on),
 * which need the font demo_clip_font(true) returns. */
bool demo_clip_needs_cjk(const char *s);

#endif
