/* Edits as filter text: the region filters put on the upright picture before
 * the fps and scaling steps (graph.c), and the audio filters that trim, mute
 * and bleep after the gain (pipeline.c). Times in the graphs are the input's
 * own timestamps, so every range is shifted by t0, the first video frame. */
#include "tx_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#define MIN_REGION_PX 8 /* smaller regions are grown to this (blur needs room) */

bool tx_edits_picture(const struct tx_edits *e)
{
	return e->trim_start > 0 || e->trim_end > 0 || e->n_regions > 0;
}

/* Appends printf text at buf + *n; -1 when it does not fit. */
static int append(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = *n < size ? vsnprintf(buf + *n, size - *n, fmt, ap) : -1;
	va_end(ap);
	if (k < 0 || *n + (size_t)k >= size)
		return -1;
	*n += (size_t)k;
	return 0;
}

/* One side of a region in pixels: even start and length (4:2:0 chroma), at
 * least MIN_REGION_PX (or the picture), inside the picture. */
static void span(double pos, double len, int total, int *p, int *l)
{
	int a = (int)floor(pos * total) & ~1;
	int b = (int)ceil((pos + len) * total);
	b = FFMIN(b + (b & 1), total & ~1);
	int min = FFMIN(MIN_REGION_PX, total & ~1);
	if (b - a < min)
		a = FFMAX(0, b - min), b = a + min;
	*p = a;
	*l = FFMAX(b - a, 2);
}

/* A blur: the picture is cut into the bands around the region (crop is free),
 * the region is box-blurred (as wide as it allows, never less than 1/30 of
 * the picture, three passes: its mean colour and no detail stay) and the
 * bands are stacked back, one copy of the picture. An overlay blends every
 * pixel instead, and cost 60% more CPU than the whole re-encode; delogo is
 * cheap but streaks the region's noisy edges across it (10-18% of the
 * detail left). */
static int blur_filters(int w, int h, int x, int y, int rw, int rh, int shorter, const char *when,
			int i, char *buf, size_t size, size_t *n)
{
	int small = FFMIN(rw, rh);
	int lr = FFMAX(1, FFMIN(small / 2 - 1, FFMAX(small / 3, shorter / 30)));
	int cr = FFMAX(1, FFMIN(small / 4 - 1, lr / 2));
	char blur[256];
	snprintf(blur, sizeof blur,
		 "boxblur=luma_radius=%d:luma_power=3:chroma_radius=%d:chroma_power=3:%s", lr, cr,
		 when);
	bool top = y > 0, bottom = y + rh<h, left = x> 0, right = x + rw < w;
	int parts = 1 + top + bottom + left + right, hparts = 1 + left + right;
	if (parts == 1)
		return append(buf, size, n, "%s,", blur);
	if (append(buf, size, n, "split=%d", parts) < 0)
		return -1;
	for (int k = 0; k < parts; k++)
		if (append(buf, size, n, "[ep%d_%d]", i, k) < 0)
			return -1;
	int k = 0;
	if ((top && append(buf, size, n, ";[ep%d_%d]crop=%d:%d:0:0[et%d]", i, k++, w, y, i) < 0) ||
	    (left &&
	     append(buf, size, n, ";[ep%d_%d]crop=%d:%d:0:%d[el%d]", i, k++, x, rh, y, i) < 0) ||
	    append(buf, size, n, ";[ep%d_%d]crop=%d:%d:%d:%d,%s[er%d]", i, k++, rw, rh, x, y, blur,
		   i) < 0 ||
	    (right && append(buf, size, n, ";[ep%d_%d]crop=%d:%d:%d:%d[eR%d]", i, k++, w - x - rw,
			     rh, x + rw, y, i) < 0) ||
	    (bottom && append(buf, size, n, ";[ep%d_%d]crop=%d:%d:0:%d[eb%d]", i, k++, w,
			      h - y - rh, y + rh, i) < 0) ||
	    append(buf, size, n, ";") < 0)
		return -1;
	char middle[16];
	snprintf(middle, sizeof middle, "[er%d]", i);
	if (hparts > 1) { /* the region's row of the picture, side by side */
		if ((left && append(buf, size, n, "[el%d]", i) < 0) ||
		    append(buf, size, n, "[er%d]", i) < 0 ||
		    (right && append(buf, size, n, "[eR%d]", i) < 0) ||
		    append(buf, size, n, "hstack=inputs=%d", hparts) < 0)
			return -1;
		if (!top && !bottom)
			return append(buf, size, n, ",");
		snprintf(middle, sizeof middle, "[em%d]", i);
		if (append(buf, size, n, "%s;", middle) < 0)
			return -1;
	}
	return top && append(buf, size, n, "[et%d]", i) < 0 ? -1
	       : append(buf, size, n, "%s", middle) < 0     ? -1
	       : bottom && append(buf, size, n, "[eb%d]", i) < 0
		       ? -1
		       : append(buf, size, n, "vstack=inputs=%d,", 1 + top + bottom);
}

/* One region's filters on the upright w x h picture. */
static int region_filters(const struct tx_region *r, int w, int h, int x, int y, int rw, int rh,
			  const char *when, int i, char *buf, size_t size, size_t *n)
{
	int shorter = FFMIN(w, h);
	if (r->style == TX_REGION_BLUR)
		return blur_filters(w, h, x, y, rw, rh, shorter, when, i, buf, size, n);
	if (r->style == TX_REGION_BOX)
		return append(buf, size, n, "drawbox=x=%d:y=%d:w=%d:h=%d:color=black:t=fill:%s,", x,
			      y, rw, rh, when);
	int block = FFMAX(8, shorter / 40);
	return append(buf, size, n,
		      "split=2[em%d][ec%d];[ec%d]crop=%d:%d:%d:%d,scale=%d:%d:flags=area,"
		      "scale=%d:%d:flags=neighbor[eb%d];[em%d][eb%d]overlay=%d:%d:format=auto:%s,",
		      i, i, i, rw, rh, x, y, FFMAX(1, rw / block), FFMAX(1, rh / block), rw, rh, i,
		      i, i, x, y, when);
}

int tx_edits_video_chain(const struct tx_edits *e, double t0, double frame, int w, int h, char *buf,
			 size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < e->n_regions; i++) {
		const struct tx_region *r = &e->regions[i];
		int x, y, rw, rh;
		span(r->x, r->w, w, &x, &rw);
		span(r->y, r->h, h, &y, &rh);
		/* every frame on screen during the range: one starting up to a frame early too */
		char when[96];
		snprintf(when, sizeof when, "enable='between(t,%.6f,%.6f)'",
			 t0 + r->from - frame - 1e-3, t0 + r->to);
		if (region_filters(r, w, h, x, y, rw, rh, when, i, buf, size, &n) < 0)
			return -1;
	}
	return 0;
}

/* Silence reaches this far past each range: AAC's transform spreads a
 * frame's sound over 2048 samples, so the sound next to a range would
 * otherwise leak into its first and last ~20 ms. */
#define SILENCE_GUARD 0.025

/* "between(t,a,b)+..." over the ranges whose bleep flag is `bleep` (or all
 * of them, widened by `guard`, when all is true); "0" when there is none. */
static int ranges_expr(const struct tx_edits *e, double t0, bool all, bool bleep, char *buf,
		       size_t size)
{
	double guard = all ? SILENCE_GUARD : 0;
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < e->n_audio; i++) {
		if (!all && e->audio[i].bleep != bleep)
			continue;
		if (append(buf, size, &n, "%sbetween(t,%.6f,%.6f)", n ? "+" : "",
			   t0 + e->audio[i].from - guard, t0 + e->audio[i].to + guard) < 0)
			return -1;
	}
	return n ? 0 : append(buf, size, &n, "0");
}

#define STEREO_FLTP "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"

int tx_edits_audio_chain(const struct tx_edits *e, double t0, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	if (e->trim_start > 0 && append(buf, size, &n, ",atrim=start=%.6f", t0 + e->trim_start) < 0)
		return -1;
	if (e->n_audio == 0)
		return 0;
	char silent[TX_MAX_AUDIO_EDITS * 48], tone[TX_MAX_AUDIO_EDITS * 48];
	if (ranges_expr(e, t0, true, false, silent, sizeof silent) < 0 ||
	    ranges_expr(e, t0, false, true, tone, sizeof tone) < 0)
		return -1;
	/* per sample, so the silence starts and ends on the sample; -12 dBFS tone */
	char ch[2][sizeof silent + sizeof tone + 96];
	for (int c = 0; c < 2; c++)
		snprintf(ch[c], sizeof ch[c],
			 "if(gt(%s,0),0,val(%d))+if(gt(%s,0),0.25*sin(6283.18531*t),0)", silent, c,
			 tone);
	return append(buf, size, &n, ",aeval=exprs='%s|%s':channel_layout=stereo," STEREO_FLTP,
		      ch[0], ch[1]);
}
