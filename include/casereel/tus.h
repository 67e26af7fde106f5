/* Parsers for tus 1.0.0 request headers (untrusted input: fuzzed in
 * tests/fuzz/fuzz_tus.c). */
#ifndef CASEREEL_TUS_H
#define CASEREEL_TUS_H

#include <jansson.h>
#include <stdint.h>

#include "casereel/error.h"
#include "casereel/upload_hash.h"

#define TUS_VERSION      "1.0.0"
#define TUS_METADATA_MAX 4096 /* bytes of Upload-Metadata we accept */

/* Upload-Metadata "key base64,key2 base64,key3" → a new JSON object of
 * decoded UTF-8 strings (a key without value maps to ""). CR_EINVAL for a
 * malformed header, bad base64, non-UTF-8 values or a repeated key. */
cr_err tus_parse_metadata(const char *header, json_t **out);

/* A parsed Upload-Checksum: the algorithm and the digest it names. */
struct tus_checksum {
	enum upload_hash_alg alg;
	unsigned char digest[UPLOAD_HASH_MAX]; /* upload_hash_size(alg) bytes */
};

/* The algorithms Upload-Checksum may name, as Tus-Checksum-Algorithm
 * lists them ("sha1,sha256"). */
const char *tus_checksum_algorithms(void);

/* Upload-Checksum "<algorithm> <base64 digest>" with an algorithm of
 * tus_checksum_algorithms() and a digest of its size. CR_ENOTFOUND for
 * another algorithm, CR_EINVAL when malformed. */
cr_err tus_parse_checksum(const char *header, struct tus_checksum *out);

/* A non-negative decimal integer header (Upload-Offset, Upload-Length)
 * with no sign, spaces or junk. CR_EINVAL otherwise. */
cr_err tus_parse_size(const char *header, int64_t *out);

#endif
