/* Checks and repairs of text from outside: UTF-8 length, validity and
 * cutting, what people may type (NFC, no hidden characters), and calendar
 * dates. Pure functions, used by every layer. */
#ifndef CASEREEL_TEXT_H
#define CASEREEL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "casereel/error.h"

/* Number of UTF-8 code points in `s` (assumed valid UTF-8, as jansson gives). */
size_t utf8_length(const char *s);

/* Drops an incomplete UTF-8 sequence at the end of s (what a byte-counted
 * cut such as snprintf's leaves); returns the new length. */
size_t utf8_trim(char *s);

/* Bytes of the well-formed UTF-8 sequence `s` starts with (1 for ASCII,
 * a NUL included), or 0 when it starts none: an invalid byte. */
size_t utf8_char_len(const char *s);

/* True when `s` is well-formed UTF-8 (what JSON strings must be). */
bool utf8_valid(const char *s);

/* Replaces every byte of `s` that does not belong to a well-formed UTF-8
 * sequence with '?', in place: makes text from outside (a URL, a CSV cell)
 * safe to quote in JSON. */
void utf8_scrub(char *s);

/* Text a person typed (a title, a name, a comment), checked and put in
 * NFC: *out receives the normalised copy (malloc'd; the caller frees it).
 * Refuses with CR_EINVAL ("invalid-field", naming `field`, a static
 * string) text that is not UTF-8, is only white space (the empty string
 * passes: say elsewhere whether it may be empty), or holds a bidi override
 * or isolate (U+202A-202E, U+2066-2069) or a zero-width character
 * (U+200B-200D, U+2060, U+FEFF) other than a joiner inside an emoji
 * sequence. CR_ENOMEM when memory runs out. */
cr_err text_person(const char *s, const char *field, char **out, struct cr_problem *why);

/* True when `s` is a "YYYY-MM-DD" date that exists in the calendar. */
bool date_is_valid(const char *s);

#endif
