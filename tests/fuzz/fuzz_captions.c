/* libFuzzer harness for src/media/captions_parse.c. The first two bytes
 * pick the clip's duration (0: none), the rest is the file. Whatever
 * parses must write back as WebVTT that parses to the same cues (the
 * normalised form is a fixed point), keep its cues ordered, and survive a
 * trim that keeps them ordered and inside the cut. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/captions_parse.h"

static void check_ordered(const struct captions *c, int64_t end)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->cues[i].start_ms < 0 || c->cues[i].end_ms <= c->cues[i].start_ms ||
		    (end > 0 && c->cues[i].end_ms > end) ||
		    (i && c->cues[i].start_ms < c->cues[i - 1].end_ms))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int64_t duration = (int64_t)(data[0] << 8 | data[1]) * 100;
	struct captions c, again;
	struct cr_problem why = {0};
	cr_err e = captions_parse((const char *)data + 2, size - 2, duration, &c, &why);
	if (e && why.code != e && e != CR_ENOMEM)
		abort();
	if (!e) {
		check_ordered(&c, duration);
		size_t len;
		char *vtt = captions_to_vtt(&c, &len);
		if (!vtt || captions_parse(vtt, len, duration, &again, NULL) || again.n != c.n)
			abort();
		for (size_t i = 0; i < c.n; i++)
			if (again.cues[i].start_ms != c.cues[i].start_ms ||
			    again.cues[i].end_ms != c.cues[i].end_ms ||
			    strcmp(again.cues[i].text, c.cues[i].text))
				abort();
		free(vtt);
		captions_free(&again);
		int64_t cut = data[1] * 37;
		captions_trim(&c, cut, cut + 5000);
		check_ordered(&c, 5000);
	}
	captions_free(&c);
	return 0;
}
