/* UTF-8 and calendar-date checks on text. See include/casereel/text.h. */
#include "casereel/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

size_t utf8_trim(char *s)
{
	size_t len = strlen(s), i = len, cont = 0;
	while (i > 0 && cont < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--, cont++;
	if (i == 0)
		return len;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t need = (lead & 0xE0) == 0xC0   ? 2
		      : (lead & 0xF0) == 0xE0 ? 3
		      : (lead & 0xF8) == 0xF0 ? 4
					      : 1;
	if (lead < 0xC0 || cont + 1 >= need)
		return len;
	s[i - 1] = '\0';
	return i - 1;
}

/* Bytes in the well-formed UTF-8 sequence at s (no overlong forms, no
 * surrogates, at most U+10FFFF), or 0 when s does not start one. */
static size_t utf8_sequence(const unsigned char *s)
{
	static const unsigned min_of[5] = {0, 0, 0x80, 0x800, 0x10000};
	unsigned c = s[0], cp;
	size_t n;
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0)
		n = 2, cp = c & 0x1F;
	else if ((c & 0xF0) == 0xE0)
		n = 3, cp = c & 0x0F;
	else if ((c & 0xF8) == 0xF0)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) { /* a NUL is no continuation byte: stops here */
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min_of[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

size_t utf8_char_len(const char *s)
{
	return utf8_sequence((const unsigned char *)s);
}

bool utf8_valid(const char *s)
{
	while (*s) {
		size_t n = utf8_sequence((const unsigned char *)s);
		if (!n)
			return false;
		s += n;
	}
	return true;
}

void utf8_scrub(char *s)
{
	while (*s) {
		size_t n = utf8_sequence((const unsigned char *)s);
		if (!n) {
			*s = '?';
			n = 1;
		}
		s += n;
	}
}

/* Characters that steer or hide text without showing: bidi overrides and
 * isolates (a file name "exe.txt" that reads "txt.exe") and zero-width ones. */
static bool is_hidden(ucs4_t c)
{
	return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
	       (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF;
}

/* Whether the joiner between `before` and `after` glues an emoji sequence
 * (a family, a skin-toned profession, the rainbow flag). */
static bool joins_emoji(ucs4_t before, ucs4_t after)
{
	return (uc_is_property_extended_pictographic(before) ||
		uc_is_property_emoji_modifier(before) || before == 0xFE0F) &&
	       uc_is_property_extended_pictographic(after);
}

/* Refuses white-space-only and hidden characters in `s` (n bytes of valid
 * UTF-8). */
static cr_err check_person(const uint8_t *s, size_t n, const char *field, struct cr_problem *why)
{
	bool blank = n > 0;
	ucs4_t prev = 0, c;
	for (size_t i = 0; i < n;) {
		i += (size_t)u8_mbtouc(&c, s + i, n - i);
		ucs4_t next = 0;
		if (i < n)
			u8_mbtouc(&next, s + i, n - i);
		if (is_hidden(c) && !(c == 0x200D && joins_emoji(prev, next)))
			return cr_refuse(why, CR_EINVAL, "invalid-field", field,
					 "%s must not contain invisible or direction-changing "
					 "characters (U+%04X)",
					 field, (unsigned)c);
		blank = blank && uc_is_property_white_space(c);
		prev = c;
	}
	if (blank)
		return cr_refuse(why, CR_EINVAL, "invalid-field", field,
				 "%s must not be only white space", field);
	return CR_OK;
}

cr_err text_person(const char *s, const char *field, char **out, struct cr_problem *why)
{
	*out = NULL;
	if (!utf8_valid(s))
		return cr_refuse(why, CR_EINVAL, "invalid-field", field, "%s must be UTF-8", field);
	if (!*s)
		return (*out = strdup("")) ? CR_OK : CR_ENOMEM;
	size_t n = 0;
	uint8_t *nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)s, strlen(s), NULL, &n);
	if (!nfc)
		return CR_ENOMEM;
	cr_err e = check_person(nfc, n, field, why);
	char *z = e ? NULL : realloc(nfc, n + 1);
	if (!z) {
		free(nfc);
		return e ? e : CR_ENOMEM;
	}
	z[n] = '\0';
	*out = z;
	return CR_OK;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool date_is_valid(const char *s)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return false;
	int max = days[m - 1] + (m == 2 && is_leap(y));
	return d <= max;
}
