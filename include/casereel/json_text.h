/* Compact JSON text of a jansson value for the response path: the same
 * bytes as json_dumps(v, JSON_COMPACT), written without jansson's costs
 * per container (its loop check formats, hashes and allocates a key for
 * every object and array it enters), which are a tenth of a small GET. */
#ifndef CASEREEL_JSON_TEXT_H
#define CASEREEL_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/* The text of object or array `v` (caller frees) and its length in *len;
 * NULL, as json_dumps gives, for anything else, for a string that is not
 * UTF-8, for nesting deeper than JSON_TEXT_MAX_DEPTH (a loop) and when
 * out of memory or past TB_MAX_DEFAULT bytes. */
char *json_text(const json_t *v, size_t *len);

#define JSON_TEXT_MAX_DEPTH 2048

#endif
