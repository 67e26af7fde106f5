/* Prometheus text format helpers. See metrics_text.h. */
#include "metrics_text.h"

#include <string.h>

void metrics_family(struct text_buf *b, const char *name, const char *type, const char *help)
{
	tb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void metrics_label_value(struct text_buf *b, const char *value)
{
	tb_append(b, "\"", 1);
	for (const char *p = value; *p;) {
		size_t plain = strcspn(p, "\\\"\n");
		tb_append(b, p, plain);
		p += plain;
		if (!*p)
			break;
		tb_puts(b, *p == '\n' ? "\\n" : *p == '"' ? "\\\"" : "\\\\");
		p++;
	}
	tb_append(b, "\"", 1);
}

void metrics_histogram(struct text_buf *b, const char *name, const char *labels,
		       const struct histogram *h)
{
	struct histogram_read r;
	histogram_read(h, &r);
	const char *sep = labels[0] ? "," : "";
	for (size_t i = 0; i < h->n; i++)
		tb_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, h->le[i],
			  (unsigned long long)r.cumulative[i]);
	tb_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
		  (unsigned long long)r.count);
	if (labels[0])
		tb_printf(b, "%s_sum{%s} %.6f\n%s_count{%s} %llu\n", name, labels, r.sum, name,
			  labels, (unsigned long long)r.count);
	else
		tb_printf(b, "%s_sum %.6f\n%s_count %llu\n", name, r.sum, name,
			  (unsigned long long)r.count);
}
