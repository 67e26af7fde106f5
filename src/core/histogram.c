/* Lock-free fixed-bucket histograms. See include/casereel/histogram.h. */
#include "casereel/histogram.h"

void histogram_observe(struct histogram *h, uint64_t micros)
{
	size_t b = 0;
	while (b < h->n && (double)micros / 1e6 > h->le[b])
		b++;
	atomic_fetch_add_explicit(&h->counts[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_us, micros, memory_order_relaxed);
}

void histogram_read(const struct histogram *h, struct histogram_read *out)
{
	uint64_t cumulative = 0;
	for (size_t b = 0; b <= h->n; b++) {
		cumulative += atomic_load_explicit(&h->counts[b], memory_order_relaxed);
		out->cumulative[b] = cumulative;
	}
	out->count = cumulative;
	out->sum = (double)atomic_load_explicit(&h->sum_us, memory_order_relaxed) / 1e6;
}
