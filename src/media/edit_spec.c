/* Edit specs as JSON. See include/casereel/edit_spec.h. */
#include "casereel/edit_spec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MIN_TRIM_SECONDS 0.5
#define MIN_REGION_PX    2

static const char *const styles[] = {"blur", "pixelate", "box"};

/* field is copied into why (it is made at run time). */
static cr_err bad(struct cr_problem *why, const char *field, const char *detail)
{
	cr_err e = cr_refuse(why, CR_EINVAL, "invalid-field", NULL, "%s: %s", field, detail);
	if (why) {
		snprintf(why->field_buf, sizeof why->field_buf, "%.63s", field);
		why->field = why->field_buf;
	}
	return e;
}

/* A number at key of o into *v, within [lo, hi]; absent is an error. */
static cr_err number(const json_t *o, const char *key, const char *path, double lo, double hi,
		     double *v, struct cr_problem *why)
{
	char field[64];
	snprintf(field, sizeof field, "%s%s%s", path, *path ? "." : "", key);
	const json_t *j = json_object_get(o, key);
	if (!json_is_number(j))
		return bad(why, field, "a number is required");
	*v = json_number_value(j);
	if (!isfinite(*v) || *v < lo || *v > hi) {
		char detail[96];
		snprintf(detail, sizeof detail, "must be between %g and %g", lo, hi);
		return bad(why, field, detail);
	}
	return CR_OK;
}

/* Only `keys` (NULL-terminated) in object o at path. */
static cr_err only_keys(const json_t *o, const char *path, const char *const *keys,
			struct cr_problem *why)
{
	if (!json_is_object(o))
		return bad(why, *path ? path : "body", "an object is required");
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)o, k, v)
	{
		bool known = false;
		for (size_t i = 0; keys[i] && !known; i++)
			known = !strcmp(keys[i], k);
		if (!known) {
			char field[96];
			snprintf(field, sizeof field, "%s%s%s", path, *path ? "." : "", k);
			return bad(why, field, "unknown field");
		}
	}
	return CR_OK;
}

/* from/to of the range at path, inside the clip. */
static cr_err range(const json_t *o, const char *path, double duration, double *from, double *to,
		    struct cr_problem *why)
{
	cr_err e = number(o, "from", path, 0, duration, from, why);
	if (!e)
		e = number(o, "to", path, 0, duration, to, why);
	if (!e && *to <= *from) {
		char field[64];
		snprintf(field, sizeof field, "%s.to", path);
		e = bad(why, field, "must be after from");
	}
	return e;
}

/* The index of s in words (n of them), or -1. */
static int word(const char *s, const char *const *words, int n)
{
	for (int i = 0; s && i < n; i++)
		if (!strcmp(s, words[i]))
			return i;
	return -1;
}

static cr_err parse_region(const json_t *o, const char *path, double duration, int width,
			   int height, struct tx_region *r, struct cr_problem *why)
{
	static const char *const keys[] = {"x", "y", "w", "h", "from", "to", "style", NULL};
	char field[64];
	cr_err e = only_keys(o, path, keys, why);
	if (!e)
		e = number(o, "x", path, 0, 1, &r->x, why);
	if (!e)
		e = number(o, "y", path, 0, 1, &r->y, why);
	if (!e)
		e = number(o, "w", path, 0, 1, &r->w, why);
	if (!e)
		e = number(o, "h", path, 0, 1, &r->h, why);
	if (e)
		return e;
	if (r->w * width < MIN_REGION_PX || r->x + r->w > 1 + 1e-9) {
		snprintf(field, sizeof field, "%s.w", path);
		return bad(why, field,
			   "the region must be at least 2 pixels wide and end inside "
			   "the picture (x + w <= 1)");
	}
	if (r->h * height < MIN_REGION_PX || r->y + r->h > 1 + 1e-9) {
		snprintf(field, sizeof field, "%s.h", path);
		return bad(why, field,
			   "the region must be at least 2 pixels high and end inside "
			   "the picture (y + h <= 1)");
	}
	if ((e = range(o, path, duration, &r->from, &r->to, why)))
		return e;
	const json_t *s = json_object_get(o, "style");
	int style = s ? word(json_string_value(s), styles, 3) : 0;
	if (style < 0) {
		snprintf(field, sizeof field, "%s.style", path);
		return bad(why, field, "must be blur, pixelate or box");
	}
	r->style = (enum tx_region_style)style;
	return CR_OK;
}

static cr_err parse_audio(const json_t *o, const char *path, double duration,
			  struct tx_audio_edit *a, struct cr_problem *why)
{
	static const char *const keys[] = {"from", "to", "mode", NULL};
	static const char *const modes[] = {"mute", "bleep"};
	cr_err e = only_keys(o, path, keys, why);
	if (!e)
		e = range(o, path, duration, &a->from, &a->to, why);
	if (e)
		return e;
	const json_t *m = json_object_get(o, "mode");
	int mode = m ? word(json_string_value(m), modes, 2) : 0;
	if (mode < 0) {
		char field[64];
		snprintf(field, sizeof field, "%s.mode", path);
		return bad(why, field, "must be mute or bleep");
	}
	a->bleep = mode == 1;
	return CR_OK;
}

/* The array at key of body (absent: empty), at most max items. */
static cr_err list(const json_t *body, const char *key, size_t max, const json_t **arr,
		   struct cr_problem *why)
{
	*arr = json_object_get(body, key);
	if (!*arr)
		return CR_OK;
	if (!json_is_array(*arr))
		return bad(why, key, "an array is required");
	if (json_array_size(*arr) > max) {
		char detail[64];
		snprintf(detail, sizeof detail, "at most %zu", max);
		return bad(why, key, detail);
	}
	return CR_OK;
}

static cr_err parse_trim(const json_t *t, double duration, struct tx_edits *out,
			 struct cr_problem *why)
{
	static const char *const keys[] = {"start", "end", NULL};
	cr_err e = only_keys(t, "trim", keys, why);
	if (!e)
		e = number(t, "start", "trim", 0, duration, &out->trim_start, why);
	if (!e)
		e = number(t, "end", "trim", 0, duration, &out->trim_end, why);
	if (!e && out->trim_end - out->trim_start < MIN_TRIM_SECONDS)
		e = bad(why, "trim.end", "must be at least 0.5 s after trim.start");
	return e;
}

cr_err edit_spec_parse(const json_t *body, double duration, int width, int height,
		       struct tx_edits *out, struct cr_problem *why)
{
	static const char *const keys[] = {"trim", "regions", "audio", "poster_time", NULL};
	memset(out, 0, sizeof *out);
	out->poster_time = -1;
	cr_err e = only_keys(body, "", keys, why);
	const json_t *trim = json_object_get(body, "trim"), *regions = NULL, *audio = NULL;
	if (!e && trim)
		e = parse_trim(trim, duration, out, why);
	if (!e)
		e = list(body, "regions", TX_MAX_REGIONS, &regions, why);
	for (size_t i = 0; !e && i < json_array_size(regions); i++) {
		char path[32];
		snprintf(path, sizeof path, "regions[%zu]", i);
		e = parse_region(json_array_get(regions, i), path, duration, width, height,
				 &out->regions[out->n_regions++], why);
	}
	if (!e)
		e = list(body, "audio", TX_MAX_AUDIO_EDITS, &audio, why);
	for (size_t i = 0; !e && i < json_array_size(audio); i++) {
		char path[32];
		snprintf(path, sizeof path, "audio[%zu]", i);
		e = parse_audio(json_array_get(audio, i), path, duration,
				&out->audio[out->n_audio++], why);
	}
	if (!e && json_object_get(body, "poster_time")) {
		double lo = trim ? out->trim_start : 0, hi = trim ? out->trim_end : duration;
		e = number(body, "poster_time", "", lo, hi, &out->poster_time, why);
		if (!e && out->poster_time >= hi)
			e = bad(why, "poster_time", "must be before the clip's end");
	}
	if (!e && !edit_spec_redacts(out) && out->poster_time < 0)
		e = cr_refuse(why, CR_EINVAL, "invalid-field", NULL,
			      "nothing to edit: give trim, regions, audio or poster_time");
	return e;
}

bool edit_spec_redacts(const struct tx_edits *e)
{
	return tx_edits_picture(e) || e->n_audio > 0;
}

cr_err edit_spec_compose(const struct tx_edits *base, const struct tx_edits *add,
			 struct tx_edits *out, struct cr_problem *why)
{
	double off = base->trim_start;
	*out = *base;
	if (base->n_regions + add->n_regions > TX_MAX_REGIONS)
		return bad(why, "regions", "the clip would have more than 16 regions in all");
	if (base->n_audio + add->n_audio > TX_MAX_AUDIO_EDITS)
		return bad(why, "audio", "the clip would have more than 16 audio ranges in all");
	if (add->trim_end > 0) {
		out->trim_start = off + add->trim_start;
		out->trim_end = off + add->trim_end;
		if (base->trim_end > 0)
			out->trim_end = fmin(out->trim_end, base->trim_end);
	}
	for (int i = 0; i < add->n_regions; i++) {
		struct tx_region r = add->regions[i];
		r.from += off;
		r.to += off;
		out->regions[out->n_regions++] = r;
	}
	for (int i = 0; i < add->n_audio; i++) {
		struct tx_audio_edit a = add->audio[i];
		a.from += off;
		a.to += off;
		out->audio[out->n_audio++] = a;
	}
	if (add->poster_time >= 0)
		out->poster_time = add->poster_time + off;
	else if (out->poster_time >= 0 &&
		 (out->poster_time < out->trim_start ||
		  (out->trim_end > 0 && out->poster_time >= out->trim_end)))
		out->poster_time = -1; /* cut away: chosen again */
	return CR_OK;
}

json_t *edit_spec_json(const struct tx_edits *e)
{
	json_t *o = json_object(), *regions = json_array(), *audio = json_array();
	for (int i = 0; regions && i < e->n_regions; i++) {
		const struct tx_region *r = &e->regions[i];
		json_array_append_new(regions,
				      json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:s}", "x", r->x,
						"y", r->y, "w", r->w, "h", r->h, "from", r->from,
						"to", r->to, "style", styles[r->style]));
	}
	for (int i = 0; audio && i < e->n_audio; i++)
		json_array_append_new(audio, json_pack("{s:f, s:f, s:s}", "from", e->audio[i].from,
						       "to", e->audio[i].to, "mode",
						       e->audio[i].bleep ? "bleep" : "mute"));
	if (!o || !regions || !audio) {
		json_decref(o);
		json_decref(regions);
		json_decref(audio);
		return NULL;
	}
	if (e->trim_end > 0)
		json_object_set_new(
			o, "trim",
			json_pack("{s:f, s:f}", "start", e->trim_start, "end", e->trim_end));
	json_object_set_new(o, "regions", regions);
	json_object_set_new(o, "audio", audio);
	if (e->poster_time >= 0)
		json_object_set_new(o, "poster_time", json_real(e->poster_time));
	return o;
}

int edit_spec_load(const char *text, struct tx_edits *out)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	struct cr_problem why = {0};
	memset(out, 0, sizeof *out);
	out->poster_time = -1;
	/* stored specs were checked when asked; only their shape is checked here */
	cr_err e = j ? CR_OK : CR_EINVAL;
	if (!e && json_object_size(j) > 0) {
		json_t *r = json_object_get(j, "regions"), *a = json_object_get(j, "audio");
		bool empty = json_array_size(r) == 0 && json_array_size(a) == 0 &&
			     !json_object_get(j, "trim");
		e = empty && !json_object_get(j, "poster_time")
			    ? CR_OK
			    : edit_spec_parse(j, 1e9, 1 << 20, 1 << 20, out, &why);
	}
	json_decref(j);
	return e ? -1 : 0;
}
