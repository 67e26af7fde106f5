/* Where an upload's bytes land, for the tus and the one-shot upload alike:
 * its file opened at the acknowledged offset, writes bounded by a limit, a
 * digest of what arrived (sha256 or sha1), and an fsync before anything is
 * acknowledged. */
#ifndef CASEREEL_UPLOAD_SINK_H
#define CASEREEL_UPLOAD_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/config.h"
#include "casereel/error.h"
#include "casereel/upload_hash.h"

/* Read the fields, never write them. */
struct upload_sink {
	int fd;                  /* -1 while closed */
	int64_t offset;          /* the file's size: where the next write lands */
	int64_t limit;           /* the file never grows past this many bytes */
	struct upload_hash hash; /* covers every byte written since the open */
};

/* A closed sink: upload_sink_close and the field reads are safe on it. */
void upload_sink_init(struct upload_sink *s);

/* Opens the file of upload `upload_id` (made by uploads_create) to write
 * at `offset`, dropping whatever lies past it: bytes that were written but
 * never acknowledged (a crash mid-body). The file may grow to `limit`
 * bytes; every byte written from here on is hashed with `hash` (NONE: not
 * hashed). CR_EIO (logged) when the file cannot be opened there, CR_ENOMEM
 * when the hash cannot be started. */
cr_err upload_sink_open(struct upload_sink *s, const struct cr_config *cfg, const char *upload_id,
			int64_t offset, int64_t limit, enum upload_hash_alg hash);

/* Takes over `fd`, a new empty file open for writing (closed by
 * upload_sink_close), as upload_sink_open would open an upload's file.
 * CR_ENOMEM (the sink then hashes nothing) when the hash cannot be started. */
cr_err upload_sink_adopt(struct upload_sink *s, int fd, int64_t limit, enum upload_hash_alg hash);

/* Appends `len` bytes. CR_ETOOBIG, writing nothing, when they would take
 * the file past its limit; CR_EIO when the disk refuses them. */
cr_err upload_sink_write(struct upload_sink *s, const void *data, size_t len);

/* Makes every byte written so far durable: call it before acknowledging
 * them. CR_EIO when fsync fails or the sink is closed. */
cr_err upload_sink_sync(struct upload_sink *s);

/* The digest of the bytes written since the open into `out`
 * (upload_hash_size of the sink's algorithm bytes). Ends the hash: call it
 * (or upload_sink_digest_is) once, after the last write. False when not
 * hashing. */
bool upload_sink_digest(struct upload_sink *s, unsigned char out[UPLOAD_HASH_MAX]);

/* Whether the bytes written since the open have the digest `want` (of the
 * sink's algorithm); ends the hash as upload_sink_digest does. */
bool upload_sink_digest_is(struct upload_sink *s, const unsigned char want[UPLOAD_HASH_MAX]);

/* Closes the file (the bytes stay) and ends the hash; safe on a closed
 * sink. */
void upload_sink_close(struct upload_sink *s);

#endif
