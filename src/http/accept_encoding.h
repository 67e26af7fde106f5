/* Reading Accept-Encoding (RFC 9110 §12.5.3): whether a client takes gzip.
 * A pure function over the header string, so it can be fuzzed. */
#ifndef CASEREEL_ACCEPT_ENCODING_H
#define CASEREEL_ACCEPT_ENCODING_H

#include <stdbool.h>

/* Whether the Accept-Encoding value `value` accepts gzip: "gzip" (or
 * "x-gzip") listed with a q above 0, or not listed and "*" with a q above
 * 0. Any gzip entry with q=0 refuses it, as does a malformed one; NULL or
 * an empty value (identity only) is false. Case-insensitive. */
bool accept_encoding_gzip(const char *value);

#endif
