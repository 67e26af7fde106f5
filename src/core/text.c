/* UTF-8 and calendar-date checks on text. See include/casereel/text.h. */
#include "casereel/text.h"

#include <string.h>

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
