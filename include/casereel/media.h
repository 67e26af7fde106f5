/* Files under the media root. Every path is built from ids the server made
 * (upload ids, video ids), never from anything a client sent. */
#ifndef CASEREEL_MEDIA_H
#define CASEREEL_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/config.h"
#include "casereel/error.h"

/* Upload ids (and so source file names) are this many lower-case hex digits. */
#define MEDIA_ID_CHARS 32

/* Creates the media root's sub-directories (incoming/, v/). */
cr_err media_prepare(const struct cr_config *cfg);

/* <media>/incoming/<upload_id>: where upload bytes land and stay as the source. */
cr_err media_upload_path(const struct cr_config *cfg, const char *upload_id, char *out,
			 size_t size);

/* "incoming/<upload_id>": the same file relative to the media root (stored in the db). */
cr_err media_upload_rel(const char *upload_id, char *out, size_t size);

/* Whether `id` has the shape media_random_id gives (MEDIA_ID_CHARS
 * lower-case hex digits): the only names the server puts in incoming/. */
bool media_upload_id_valid(const char *id);

/* The upload id of a stored source path, which must read exactly
 * "incoming/<id>" as media_upload_rel made it. CR_EINVAL for anything else
 * ("..", another directory, an absolute path): a path read from the
 * database is trusted only when the server could have written it. */
cr_err media_upload_rel_parse(const char *rel, char id[MEDIA_ID_CHARS + 1]);

/* <media>/<rel>: an absolute path from a stored relative one. */
cr_err media_abs(const struct cr_config *cfg, const char *rel, char *out, size_t size);

/* <media>/v/<id> (final) and <media>/v/<id>.tmp (being written). */
cr_err media_video_dir(const struct cr_config *cfg, int64_t video_id, bool tmp, char *out,
		       size_t size);

/* Writes all `len` bytes, retrying short writes and EINTR. */
cr_err media_write_all(int fd, const void *buf, size_t len);

/* fsyncs the directory holding `path` so a create or rename in it is durable. */
cr_err media_fsync_parent(const char *path);

/* Removes `dir` and the files directly inside it (our output is flat).
 * A missing directory is not an error. A symlink or file in its place is
 * removed itself: a symlink is never followed. */
cr_err media_remove_dir(const char *dir);

/* A fresh random id of 32 lower-case hex characters (+ NUL). */
void media_random_id(char out[MEDIA_ID_CHARS + 1]);

#endif
