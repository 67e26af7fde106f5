/* Writing the Prometheus text exposition format (version 0.0.4): family
 * headers, escaped label values, histograms. Private to src/http/. */
#ifndef CASEREEL_METRICS_TEXT_H
#define CASEREEL_METRICS_TEXT_H

#include "casereel/histogram.h"
#include "casereel/text_buf.h"

/* "# HELP name help" and "# TYPE name type" lines. */
void metrics_family(struct text_buf *b, const char *name, const char *type, const char *help);

/* Appends `value` as a label value between double quotes, with backslash,
 * double quote and line feed escaped as the format asks. */
void metrics_label_value(struct text_buf *b, const char *value);

/* The _bucket, _sum and _count lines of histogram `h` as family `name`;
 * `labels` (already escaped, e.g. `method="GET",route="/x"`, or "") go in
 * front of `le` and on the sum and count. */
void metrics_histogram(struct text_buf *b, const char *name, const char *labels,
		       const struct histogram *h);

#endif
