/* Bit rates from packet sizes and times alone (no decoding): the total and
 * the most bits in any TX_PEAK_WINDOW seconds, in one streaming pass. The
 * scan uses it to judge a source against a rung's cap, the MP4 writer to
 * declare what it wrote (btrt, esds). */
#include "tx_internal.h"

#include <math.h>
#include <string.h>

void tx_rate_init(struct tx_rate *r)
{
	memset(r, 0, sizeof *r);
}

/* The window holds the packets whose time is within TX_PEAK_WINDOW of the
 * newest one; packets in decode order, so a stray earlier time evicts nothing. */
void tx_rate_add(struct tx_rate *r, double t, double duration, int size)
{
	if (size < 0 || !isfinite(t))
		return;
	double end = t + (isfinite(duration) && duration > 0 ? duration : 0);
	r->start = r->packets == 0 ? t : fmin(r->start, t);
	r->end = r->packets == 0 ? end : fmax(r->end, end);
	r->bytes += size;
	r->packets++;
	while (r->n > 0 && t - r->t[r->head] >= TX_PEAK_WINDOW - 1e-9) {
		r->window_bytes -= r->size[r->head];
		r->head = (r->head + 1) % TX_RATE_RING;
		r->n--;
	}
	if (r->n == TX_RATE_RING) { /* more packets in a second than any clip we copy */
		r->overflow = true;
		r->window_bytes -= r->size[r->head];
		r->head = (r->head + 1) % TX_RATE_RING;
		r->n--;
	}
	int tail = (r->head + r->n) % TX_RATE_RING;
	r->t[tail] = t;
	r->size[tail] = size;
	r->n++;
	r->window_bytes += size;
	if (r->window_bytes > r->peak_bytes)
		r->peak_bytes = r->window_bytes;
}

double tx_rate_peak(const struct tx_rate *r)
{
	return r->overflow ? INFINITY : (double)r->peak_bytes * 8.0 / TX_PEAK_WINDOW;
}

double tx_rate_average(const struct tx_rate *r)
{
	double span = r->end - r->start;
	return span > 0 ? (double)r->bytes * 8.0 / span : 0;
}
