/* Typed reads of JSON body fields with validation. Each getter answers 422
 * naming the field and returns false when the field is wrong, so handlers
 * read: `if (!field_string(...)) return;`. Absent optional fields leave
 * *out untouched and return true. */
#ifndef CASEREEL_FIELDS_H
#define CASEREEL_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/http.h"
#include "casereel/labels.h"
#include "casereel/text.h"

/* A UTF-8 string of min..max characters (code points). *out borrows from
 * req->json. `present` (may be NULL) says whether the field was given. */
bool field_string(struct cr_request *req, struct cr_response *res, const char *name, bool required,
		  size_t min_chars, size_t max_chars, const char **out, bool *present);

/* Like field_string, for text a person typed (titles, names, comments,
 * descriptions, notes): NFC-normalised, and refused when only white space
 * or holding hidden characters (see text_person). The normalised text
 * replaces the field in req->json; *out borrows it. */
bool field_text(struct cr_request *req, struct cr_response *res, const char *name, bool required,
		size_t min_chars, size_t max_chars, const char **out, bool *present);

/* An integer in [min, max]; JSON null reads as 0 when allow_null. */
bool field_int(struct cr_request *req, struct cr_response *res, const char *name, bool required,
	       int64_t min, int64_t max, bool allow_null, int64_t *out, bool *present);

/* A boolean. */
bool field_bool(struct cr_request *req, struct cr_response *res, const char *name, bool required,
		bool *out, bool *present);

/* An array of at most max_items strings, each 1..max_chars characters.
 * *out borrows the array from req->json (NULL when absent). */
bool field_string_array(struct cr_request *req, struct cr_response *res, const char *name,
			size_t max_items, size_t max_chars, json_t **out);

/* A calendar date "YYYY-MM-DD" that exists; JSON null allowed (out = NULL). */
bool field_date(struct cr_request *req, struct cr_response *res, const char *name, const char **out,
		bool *present);

/* An array of at most max_items positive integer ids; *out borrows it from
 * req->json (NULL when absent). */
bool field_id_array(struct cr_request *req, struct cr_response *res, const char *name,
		    size_t max_items, json_t **out);

/* `labels` of `obj` (req->json when NULL): {"en": ..., "zh": ...}, each
 * 1..LABEL_MAX characters of person-typed text, either left out to keep
 * it; "zh": null sets out->clear_zh. When out->en is already set (from an
 * older `label` field) labels.en must say the same. `where` names the field
 * in problems ("labels", "gifts[2].labels"). Strings borrow from the body. */
bool field_labels(struct cr_response *res, json_t *obj, const char *where, struct cr_labels *out);

/* The last second of calendar day `date` ("YYYY-MM-DD", valid) in the
 * process time zone, as unix seconds: when something due that day is due. */
int64_t date_end_of_day(const char *date);

#endif
