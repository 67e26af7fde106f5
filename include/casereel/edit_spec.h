/* Edit specs: the JSON of a clip's media edit (trim, regions, audio ranges,
 * poster time), checked against the clip and turned into the transcode
 * library's struct tx_edits, and back. The same JSON shape is the request
 * body (times on the clip as shown) and the stored rendering (times of the
 * rendering's input):
 *   {"trim": {"start", "end"}, "regions": [{x, y, w, h, from, to, style}],
 *    "audio": [{from, to, mode}], "poster_time"}
 * style blur | pixelate | box (blur), mode mute | bleep (mute). */
#ifndef CASEREEL_EDIT_SPEC_H
#define CASEREEL_EDIT_SPEC_H

#include <jansson.h>
#include <stdbool.h>

#include "casereel/error.h"
#include "casereel/transcode.h"

/* Checks `body` against a clip of `duration` seconds and `width` x `height`
 * and fills *out. CR_EINVAL with `why` ("invalid-field", the field named as
 * in "regions[1].w") for anything out of range, unknown or missing, and for
 * an edit that asks for nothing. */
cr_err edit_spec_parse(const json_t *body, double duration, int width, int height,
		       struct tx_edits *out, struct cr_problem *why);

/* True when e removes or hides anything (trim, a region, an audio range):
 * a redaction. A poster time alone is not one. */
bool edit_spec_redacts(const struct tx_edits *e);

/* `add` (times on the clip as rendered by `base`) on top of `base` (times of
 * the input), as one spec in input times: base's trim start shifts add's
 * times, the trims nest, regions and ranges add up (at most the library's
 * limits: CR_EINVAL with `why` beyond them). */
cr_err edit_spec_compose(const struct tx_edits *base, const struct tx_edits *add,
			 struct tx_edits *out, struct cr_problem *why);

/* The spec as JSON (new reference; NULL when out of memory). */
json_t *edit_spec_json(const struct tx_edits *e);

/* A stored spec (as edit_spec_json wrote it) back into *out; -1 when it is
 * not one. */
int edit_spec_load(const char *text, struct tx_edits *out);

#endif
