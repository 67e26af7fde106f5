/* Unit tests for text_person (include/casereel/text.h): what people type is
 * stored in NFC, and white-space-only text and hidden characters (bidi
 * controls, zero-width ones outside emoji sequences) are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "casereel/text.h"

/* Asserts `in` is accepted as `want`. */
static void accepted_as(const char *in, const char *want)
{
	char *out = NULL;
	struct cr_problem why = {0};
	assert_int_equal(text_person(in, "title", &out, &why), CR_OK);
	assert_string_equal(out, want);
	free(out);
}

/* Asserts `in` is refused as an invalid "title", the detail naming `word`. */
static void refused(const char *in, const char *word)
{
	char *out = (char *)"untouched";
	struct cr_problem why = {0};
	assert_int_equal(text_person(in, "title", &out, &why), CR_EINVAL);
	assert_null(out);
	assert_string_equal(why.type, "invalid-field");
	assert_string_equal(why.field, "title");
	assert_non_null(strstr(why.detail, word));
}

static void text_is_stored_composed(void **state)
{
	(void)state;
	accepted_as("Caf\x65\xcc\x81", "Caf\xc3\xa9");           /* e + U+0301 → U+00E9 */
	accepted_as("\xe1\x84\x80\xe1\x85\xa1", "\xea\xb0\x80"); /* jamo U+1100 U+1161 → U+AC00 */
	accepted_as("退款流程 refunds", "退款流程 refunds");     /* already NFC: unchanged */
	accepted_as("", "");                                     /* empty: the caller decides */
	accepted_as("  a  ", "  a  ");
}

static void blank_text_is_refused(void **state)
{
	(void)state;
	refused(" ", "white space");
	refused(" \t\r\n", "white space");
	refused("\xe3\x80\x80\xc2\xa0", "white space"); /* ideographic and no-break spaces */
}

static void hidden_characters_are_refused(void **state)
{
	(void)state;
	refused("invoice\xe2\x80\xaetxt.exe", "U+202E"); /* right-to-left override */
	refused("a\xe2\x80\xaa"
		"b",
		"U+202A"); /* left-to-right embedding */
	refused("\xe2\x81\xa6"
		"abc\xe2\x81\xa9",
		"U+2066");                                 /* isolates */
	refused("ad\xe2\x80\x8bmin", "U+200B");            /* zero-width space */
	refused("ad\xe2\x80\x8cmin", "U+200C");            /* zero-width non-joiner */
	refused("ad\xe2\x80\x8dmin", "U+200D");            /* a joiner between letters */
	refused("ad\xe2\x81\xa0min", "U+2060");            /* word joiner */
	refused("\xef\xbb\xbftitle", "U+FEFF");            /* byte order mark */
	refused("\xf0\x9f\x91\xa8\xe2\x80\x8d", "U+200D"); /* a joiner with nothing after it */
}

static void emoji_sequences_keep_their_joiners(void **state)
{
	(void)state;
	/* family: man ZWJ woman ZWJ girl */
	const char *family =
		"\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7";
	accepted_as(family, family);
	/* woman, medium skin tone, ZWJ, laptop */
	const char *coder = "\xf0\x9f\x91\xa9\xf0\x9f\x8f\xbd\xe2\x80\x8d\xf0\x9f\x92\xbb";
	accepted_as(coder, coder);
	/* white flag, VS16, ZWJ, rainbow */
	const char *flag = "\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88";
	accepted_as(flag, flag);
}

static void malformed_utf8_is_refused(void **state)
{
	(void)state;
	refused("ab\xc3", "UTF-8");
	refused("\xed\xa0\x80", "UTF-8"); /* a surrogate */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_is_stored_composed),
		cmocka_unit_test(blank_text_is_refused),
		cmocka_unit_test(hidden_characters_are_refused),
		cmocka_unit_test(emoji_sequences_keep_their_joiners),
		cmocka_unit_test(malformed_utf8_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
