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

/* The second argument of media_video_dir when it is not a version. */
#define MEDIA_DIR_CLIP    0  /* <media>/v/<id>: every version of the clip */
#define MEDIA_DIR_SCRATCH -1 /* <media>/v/<id>.tmp: a transcode being written */

/* <media>/v/<id>/<version> for a media version >= 1 (the files a version's
 * URLs serve, never changed once in place), or the MEDIA_DIR_* directory.
 * The one place a clip's paths are made. CR_EINVAL when it does not fit. */
cr_err media_video_dir(const struct cr_config *cfg, int64_t video_id, int64_t version, char *out,
		       size_t size);

/* Moves each clip directory of the layout before media versions (files
 * right in v/<id>/) into its version 1 (v/<id>/1/); *moved counts the
 * clips. Idempotent and safe to repeat after a crash midway; run at start,
 * before anything serves or writes media. */
cr_err media_layout_upgrade(const struct cr_config *cfg, int *moved);

/* Writes all `len` bytes, retrying short writes and EINTR. */
cr_err media_write_all(int fd, const void *buf, size_t len);

/* fsyncs the directory holding `path` so a create or rename in it is durable. */
cr_err media_fsync_parent(const char *path);

/* Removes `dir`, the files directly inside it and its sub-directories'
 * files (a clip directory holds its versions, each flat). A missing
 * directory is not an error. A symlink or file in its place is removed
 * itself: a symlink is never followed. */
cr_err media_remove_dir(const char *dir);

/* A fresh random id of 32 lower-case hex characters (+ NUL). */
void media_random_id(char out[MEDIA_ID_CHARS + 1]);

#endif
