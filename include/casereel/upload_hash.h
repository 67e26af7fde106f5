/* The digests an upload's bytes can be checked against (the tus checksum
 * extension, the metrics file's fingerprint): one running state whatever
 * the algorithm, so a body sink hashes with the one a request names. */
#ifndef CASEREEL_UPLOAD_HASH_H
#define CASEREEL_UPLOAD_HASH_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>

#include "casereel/error.h"

/* NONE is 0 and SHA256 is 1, so a caller passing false / true still means
 * "no hash" / "sha256". */
enum upload_hash_alg { UPLOAD_HASH_NONE = 0, UPLOAD_HASH_SHA256 = 1, UPLOAD_HASH_SHA1 = 2 };

#define UPLOAD_HASH_MAX 32 /* bytes of the longest digest (sha256) */

/* Bytes of `alg`'s digest: 20 for sha1, 32 for sha256, 0 for none. */
static inline size_t upload_hash_size(enum upload_hash_alg alg)
{
	return alg == UPLOAD_HASH_SHA1 ? 20 : alg == UPLOAD_HASH_SHA256 ? 32 : 0;
}

struct AVSHA;

/* Read `alg` only; the rest is the algorithm's own state. */
struct upload_hash {
	enum upload_hash_alg alg; /* NONE when not hashing */
	crypto_hash_sha256_state sha256;
	struct AVSHA *sha1; /* libavutil's, owned (libsodium has no SHA-1) */
};

/* Starts hashing with `alg` (NONE: a hash that takes bytes and has no
 * digest). CR_ENOMEM, leaving a NONE hash, when the state cannot be had.
 * Call upload_hash_end after. */
cr_err upload_hash_start(struct upload_hash *h, enum upload_hash_alg alg);

/* Adds `len` bytes. */
void upload_hash_update(struct upload_hash *h, const void *data, size_t len);

/* Writes the digest of every byte added (upload_hash_size(alg) bytes) to
 * `out` and ends the hash, which is NONE after. False, writing nothing,
 * when it was NONE. */
bool upload_hash_final(struct upload_hash *h, unsigned char out[UPLOAD_HASH_MAX]);

/* Ends the hash without a digest and frees its state; safe to call again. */
void upload_hash_end(struct upload_hash *h);

#endif
