/* Caption files: WebVTT or SRT parsed, checked and written back as one
 * normalised WebVTT, and the cue list trimmed to a cut of its clip. Pure
 * C on bytes (no I/O, no SQL), so it can be fuzzed on its own. */
#ifndef CASEREEL_CAPTIONS_PARSE_H
#define CASEREEL_CAPTIONS_PARSE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

#define CAPTIONS_BYTES_MAX (256 * 1024) /* a file, as sent */
#define CAPTIONS_CUES_MAX  2000
#define CAPTION_TEXT_MAX   1000 /* bytes of one cue's text */

struct caption_cue {
	int64_t start_ms, end_ms;
	char *text; /* lines joined by '\n', WebVTT basic tags kept, '&' escaped */
};

struct captions {
	struct caption_cue *cues; /* by start time, none overlapping */
	size_t n;
};

/* Parses `len` bytes of WebVTT (starting "WEBVTT") or SRT (sniffed; a
 * UTF-8 BOM is skipped) into *out, checking: valid UTF-8 without NUL, at
 * most CAPTIONS_BYTES_MAX bytes and CAPTIONS_CUES_MAX cues, each cue's
 * start before its end, cues in order and not overlapping, none ending
 * after `duration_ms` (when > 0), text of at most CAPTION_TEXT_MAX bytes
 * with no markup but WebVTT's basic tags (b, i, u, c, v, lang, ruby, rt,
 * timestamps). NOTE, STYLE and REGION blocks and cue settings are dropped.
 * On refusal returns CR_EINVAL with `why`
 * ("invalid-captions", field "captions") whose detail starts "line N: ".
 * The caller frees *out with captions_free either way. */
cr_err captions_parse(const char *data, size_t len, int64_t duration_ms, struct captions *out,
		      struct cr_problem *why);

/* The same checks on the web editor's cue list, a JSON array of
 * {start, end, text} (seconds, seconds, string); details start "cue N: ". */
cr_err captions_from_json(const json_t *cues, int64_t duration_ms, struct captions *out,
			  struct cr_problem *why);

/* The normalised WebVTT text of `c` (malloc'ed, NUL-terminated, length in
 * *len), or NULL when out of memory. Parsing it gives `c` back. */
char *captions_to_vtt(const struct captions *c, size_t *len);

/* The cue list as a JSON array of {start, end, text} (seconds). */
json_t *captions_to_json(const struct captions *c);

/* A cue's text without its tags and with entities decoded, as one line
 * (lines joined by spaces), into out (NUL-terminated, cut to size). */
void captions_plain_text(const char *text, char *out, size_t size);

/* Fits `c` to a cut of its clip that keeps [cut_start_ms, cut_end_ms) of
 * the old timeline: cues outside are dropped, cues across an edge are
 * shortened, and every time is shifted back by cut_start_ms. */
void captions_trim(struct captions *c, int64_t cut_start_ms, int64_t cut_end_ms);

/* Frees the cues and empties *c. */
void captions_free(struct captions *c);

#endif
