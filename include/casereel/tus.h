/* Parsers for tus 1.0.0 request headers (untrusted input: fuzzed in
 * tests/fuzz/fuzz_tus.c). */
#ifndef CASEREEL_TUS_H
#define CASEREEL_TUS_H

#include <jansson.h>
#include <stdint.h>

#include "casereel/error.h"

#define TUS_VERSION      "1.0.0"
#define TUS_METADATA_MAX 4096 /* bytes of Upload-Metadata we accept */

/* Upload-Metadata "key base64,key2 base64,key3" → a new JSON object of
 * decoded UTF-8 strings (a key without value maps to ""). CR_EINVAL for a
 * malformed header, bad base64, non-UTF-8 values or a repeated key. */
cr_err tus_parse_metadata(const char *header, json_t **out);

/* Upload-Checksum "sha256 <base64 digest>". CR_ENOTFOUND for another
 * algorithm, CR_EINVAL when malformed. */
cr_err tus_parse_checksum(const char *header, unsigned char digest[32]);

/* A non-negative decimal integer header (Upload-Offset, Upload-Length)
 * with no sign, spaces or junk. CR_EINVAL otherwise. */
cr_err tus_parse_size(const char *header, int64_t *out);

#endif
