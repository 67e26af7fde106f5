/* The API's OpenAPI document (docs/openapi.yaml), converted to JSON and
 * compiled into the binary at build time (tests/openapi/build.mjs), so an
 * installed server serves it with nothing to find on disk. */
#ifndef CASEREEL_OPENAPI_H
#define CASEREEL_OPENAPI_H

#include <stddef.h>

/* The document's JSON text (openapi_json_len bytes, NUL-terminated), static. */
extern const char openapi_json[];
extern const size_t openapi_json_len;

/* A strong ETag of the document ("\"<hex>\""), static. */
extern const char openapi_json_etag[];

#endif
