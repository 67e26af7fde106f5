/* WebVTT and SRT parsed and checked into one cue list, written back as
 * normalised WebVTT. See include/casereel/captions_parse.h. */
#include "casereel/captions_parse.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/text.h"

/* Where the cues come from, for the details: "line" or "cue" and its number. */
struct parse {
	struct captions *out;
	size_t cap;
	int64_t duration_ms;
	const char *unit;
	struct cr_problem *why;
};

/* "HH:MM:SS.mmm" of a time from 0 to 100 hours. */
static void fmt_time(int64_t ms, char out[32])
{
	snprintf(out, 32, "%02lld:%02lld:%02lld.%03lld", (long long)(ms / 3600000),
		 (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60), (long long)(ms % 1000));
}

static const char timing_help[] = "a timing line is \"00:00:01.000 --> 00:00:02.000\"";

static cr_err refuse_at(struct parse *p, size_t where, const char *what, const char *arg)
{
	return cr_refuse(p->why, CR_EINVAL, "invalid-captions", "captions", "%s %zu: %s%s", p->unit,
			 where, what, arg ? arg : "");
}

/* "HH:MM:SS.mmm" or "MM:SS.mmm" (SRT: ',' for '.'), hours any digits;
 * advances *s past it. */
static bool parse_time(const char **s, int64_t *ms)
{
	int64_t parts[3] = {0};
	int n = 0;
	const char *p = *s;
	for (;;) {
		int digits = 0;
		int64_t v = 0;
		while (*p >= '0' && *p <= '9' && digits < 9) {
			v = v * 10 + (*p++ - '0');
			digits++;
		}
		if (digits < 2 || n == 3)
			return false;
		parts[n++] = v;
		if (*p != ':')
			break;
		p++;
	}
	if (n < 2 || (*p != '.' && *p != ','))
		return false;
	p++;
	if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
	      p[2] <= '9'))
		return false;
	int64_t frac = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	int64_t h = n == 3 ? parts[0] : 0, m = parts[n - 2], sec = parts[n - 1];
	if (m > 59 || sec > 59 || h > 99)
		return false;
	*ms = ((h * 60 + m) * 60 + sec) * 1000 + frac;
	*s = p + 3;
	return true;
}

/* A timing line "start --> end [settings]"; settings are dropped. */
static bool parse_timing(const char *line, int64_t *start, int64_t *end)
{
	const char *p = line;
	if (!parse_time(&p, start))
		return false;
	p += strspn(p, " \t");
	if (strncmp(p, "-->", 3))
		return false;
	p += 3;
	p += strspn(p, " \t");
	if (!parse_time(&p, end))
		return false;
	return *p == '\0' || *p == ' ' || *p == '\t';
}

static const char *const tags[] = {"b", "i", "u", "c", "v", "lang", "ruby", "rt"};

/* Whether "<...>" content `t` (without the brackets, `n` bytes) is a WebVTT
 * basic tag: a known name, optional ".class" parts, an annotation only for
 * v and lang; a closing tag; or a timestamp. */
static bool tag_ok(const char *t, size_t n)
{
	char buf[64];
	if (n == 0 || n >= sizeof buf)
		return n >= sizeof buf && (t[0] != '/' && strncmp(t, "v ", 2) == 0);
	memcpy(buf, t, n);
	buf[n] = '\0';
	const char *p = buf, *q;
	int64_t ms;
	if (*p >= '0' && *p <= '9')
		return parse_time(&p, &ms) && *p == '\0' && strchr(buf, ',') == NULL;
	bool closing = *p == '/';
	p += closing;
	size_t name = strspn(p, "abcdefghijklmnopqrstuvwxyz");
	bool known = false;
	for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
		known |= strlen(tags[i]) == name && !strncmp(p, tags[i], name);
	if (!known)
		return false;
	q = p + name;
	if (closing)
		return *q == '\0';
	while (*q == '.') { /* classes */
		size_t c = strspn(q + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789-_");
		if (c == 0)
			return false;
		q += 1 + c;
	}
	if (*q == '\0')
		return true;
	bool annotated = (name == 1 && *p == 'v') || (name == 4 && !strncmp(p, "lang", 4));
	return annotated && *q == ' ' && q[1] != '\0';
}

static const char *const entities[] = {"&amp;", "&lt;", "&gt;", "&lrm;", "&rlm;", "&nbsp;"};

static size_t entity_len(const char *s)
{
	for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
		if (!strncmp(s, entities[i], strlen(entities[i])))
			return strlen(entities[i]);
	return 0;
}

/* Appends the cue text line `line` (number `lineno`) to the text being
 * built in *buf (*len bytes, room for CAPTION_TEXT_MAX + 1), checking its
 * markup and escaping a bare '&'. */
static cr_err add_text_line(struct parse *p, const char *line, size_t lineno, char *buf,
			    size_t *len)
{
	char snip[40];
	if (strstr(line, "-->"))
		return refuse_at(p, lineno, "cue text may not contain \"-->\"", NULL);
	if (*len)
		buf[(*len)++] = '\n';
	for (const char *s = line; *s; s++) {
		const char *piece = s;
		size_t n = 1;
		if (*s == '<') {
			const char *close = strchr(s, '>');
			if (!close)
				return refuse_at(p, lineno, "'<' starts no tag; write it as &lt;",
						 NULL);
			n = (size_t)(close - s) + 1;
			if (!tag_ok(s + 1, n - 2)) {
				snprintf(snip, sizeof snip, "%.*s", (int)(n < 30 ? n : 30), s);
				utf8_scrub(snip);
				return refuse_at(p, lineno,
						 "markup not allowed in captions (only WebVTT's "
						 "b, i, u, c, v, lang, ruby, rt and timestamps): ",
						 snip);
			}
		} else if (*s == '&' && !entity_len(s)) {
			piece = "&amp;";
			n = 5;
		} else if (*s == '>') {
			piece = "&gt;";
			n = 4;
		}
		if (*len + n > CAPTION_TEXT_MAX)
			return refuse_at(p, lineno,
					 "cue text is longer than the limit of 1000 bytes", NULL);
		memcpy(buf + *len, piece, n);
		*len += n;
		if (*s == '<')
			s += n - 1;
	}
	buf[*len] = '\0';
	return CR_OK;
}

/* Appends one cue after checking its times against the clip and the cue
 * before it; `where` is its timing line (or cue number). Takes `text`. */
static cr_err add_cue(struct parse *p, size_t where, int64_t start, int64_t end, char *text)
{
	char a[32], b[32];
	struct captions *c = p->out;
	cr_err e = CR_OK;
	fmt_time(start, a);
	fmt_time(end, b);
	char what[160];
	if (end <= start) {
		snprintf(what, sizeof what, "cue ends at %s, not after it starts (%s)", b, a);
		e = refuse_at(p, where, what, NULL);
	} else if (c->n && start < c->cues[c->n - 1].start_ms) {
		fmt_time(c->cues[c->n - 1].start_ms, b);
		snprintf(what, sizeof what, "cue starts at %s, before the cue above it (%s)", a, b);
		e = refuse_at(p, where, what, NULL);
	} else if (c->n && start < c->cues[c->n - 1].end_ms) {
		fmt_time(c->cues[c->n - 1].end_ms, b);
		snprintf(what, sizeof what,
			 "cue starts at %s, overlapping the cue above it, which ends at %s", a, b);
		e = refuse_at(p, where, what, NULL);
	} else if (p->duration_ms > 0 && end > p->duration_ms) {
		fmt_time(p->duration_ms, a);
		snprintf(what, sizeof what, "cue ends at %s, after the clip's end at %s", b, a);
		e = refuse_at(p, where, what, NULL);
	} else if (c->n == CAPTIONS_CUES_MAX) {
		e = cr_refuse(p->why, CR_EINVAL, "invalid-captions", "captions",
			      "%s %zu: more than %d cues", p->unit, where, CAPTIONS_CUES_MAX);
	} else if (c->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct caption_cue *grown = realloc(c->cues, cap * sizeof *grown);
		if (!grown)
			e = CR_ENOMEM;
		else {
			c->cues = grown;
			p->cap = cap;
		}
	}
	if (e) {
		free(text);
		return e;
	}
	c->cues[c->n++] = (struct caption_cue){start, end, text};
	return CR_OK;
}

/* Splits `text` in place into lines ('\n', "\r\n" or '\r' ends one). */
static char *next_line(char **cursor)
{
	char *s = *cursor;
	if (!s)
		return NULL;
	size_t n = strcspn(s, "\r\n");
	if (s[n] == '\0')
		*cursor = NULL;
	else {
		*cursor = s + n + 1 + (s[n] == '\r' && s[n + 1] == '\n');
		s[n] = '\0';
	}
	return s;
}

/* The text lines of one cue up to a blank line, into a new string. */
static cr_err read_cue_text(struct parse *p, char **cursor, size_t *lineno, char **text)
{
	char *buf = malloc(CAPTION_TEXT_MAX + 1);
	size_t len = 0;
	size_t at = *lineno;
	if (!buf)
		return CR_ENOMEM;
	buf[0] = '\0';
	char *line;
	while (*cursor && (**cursor != '\n' && **cursor != '\r' && **cursor != '\0') &&
	       (line = next_line(cursor))) {
		cr_err e = add_text_line(p, line, ++*lineno, buf, &len);
		if (e) {
			free(buf);
			return e;
		}
	}
	if (len == 0) {
		free(buf);
		return refuse_at(p, at, "cue has no text", NULL);
	}
	*text = buf;
	return CR_OK;
}

static bool blank(const char *line)
{
	return line[strspn(line, " \t")] == '\0';
}

static bool starts_word(const char *line, const char *word)
{
	size_t n = strlen(word);
	return !strncmp(line, word, n) && (line[n] == '\0' || line[n] == ' ' || line[n] == '\t');
}

/* The cue blocks of a WebVTT body (after its header) or of an SRT file. */
static cr_err parse_blocks(struct parse *p, char *cursor, size_t lineno, bool srt)
{
	char *line;
	while ((line = next_line(&cursor))) {
		lineno++;
		if (blank(line))
			continue;
		if (!srt && (starts_word(line, "NOTE") || starts_word(line, "STYLE") ||
			     starts_word(line, "REGION"))) {
			while (cursor && (line = next_line(&cursor)) && !blank(line))
				lineno++;
			lineno += line != NULL;
			continue;
		}
		const char *t = line;
		int64_t ms;
		if (!strstr(line, "-->") && parse_time(&t, &ms)) /* a timing line, misspelt */
			return refuse_at(p, lineno, timing_help, NULL);
		if (!strstr(line, "-->")) { /* an identifier (SRT: the cue's number) */
			if (srt && strspn(line, "0123456789") != strlen(line))
				return refuse_at(p, lineno,
						 "expected a cue number or a timing line", NULL);
			line = next_line(&cursor);
			lineno++;
			if (!line || !strstr(line, "-->"))
				return refuse_at(p, lineno,
						 "expected a timing line \"00:00:01.000 --> "
						 "00:00:02.000\"",
						 NULL);
		}
		int64_t start, end;
		if (!parse_timing(line, &start, &end))
			return refuse_at(p, lineno, timing_help, NULL);
		size_t timing = lineno;
		char *text = NULL;
		cr_err e = read_cue_text(p, &cursor, &lineno, &text);
		if (!e)
			e = add_cue(p, timing, start, end, text);
		if (e)
			return e;
	}
	return CR_OK;
}

/* The line of the first byte that is not valid UTF-8 (or NUL), or 0. */
static size_t bad_utf8_line(const unsigned char *s, size_t len)
{
	size_t line = 1;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n = c < 0x80             ? 1
			   : (c & 0xe0) == 0xc0 ? 2
			   : (c & 0xf0) == 0xe0 ? 3
			   : (c & 0xf8) == 0xf0 ? 4
						: 0;
		if (c == 0 || n == 0 || i + n > len || (n == 2 && c < 0xc2) || (n == 4 && c > 0xf4))
			return line;
		uint32_t cp = n == 1 ? c : c & (0x7f >> n);
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return line;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return line;
		line += c == '\n' || (c == '\r' && (i + 1 == len || s[i + 1] != '\n'));
		i += n;
	}
	return 0;
}

cr_err captions_parse(const char *data, size_t len, int64_t duration_ms, struct captions *out,
		      struct cr_problem *why)
{
	struct parse p = {out, 0, duration_ms, "line", why};
	*out = (struct captions){0};
	if (len > CAPTIONS_BYTES_MAX)
		return cr_refuse(why, CR_EINVAL, "invalid-captions", "captions",
				 "line 1: the file is %zu bytes; captions may be at most %d", len,
				 CAPTIONS_BYTES_MAX);
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
		data += 3;
		len -= 3;
	}
	size_t bad = bad_utf8_line((const unsigned char *)data, len);
	if (bad)
		return refuse_at(&p, bad, "not UTF-8 text", NULL);
	char *copy = malloc(len + 1);
	if (!copy)
		return CR_ENOMEM;
	memcpy(copy, data, len);
	copy[len] = '\0';
	char *cursor = copy;
	cr_err e;
	if (starts_word(copy, "WEBVTT") || !strncmp(copy, "WEBVTT\r", 7) ||
	    !strncmp(copy, "WEBVTT\n", 7)) {
		size_t lineno = 1;
		char *line = next_line(&cursor); /* the header and its block */
		while (cursor && (line = next_line(&cursor)) && !blank(line)) {
			lineno++;
			if (strstr(line, "-->")) {
				e = refuse_at(
					&p, lineno,
					"a blank line must come between the WEBVTT header and "
					"the first cue",
					NULL);
				goto out;
			}
		}
		e = parse_blocks(&p, cursor, lineno + (line != NULL), false);
	} else {
		size_t skip = strspn(copy, " \t\r\n");
		char *first = copy + skip;
		if (!(*first >= '0' && *first <= '9')) {
			e = refuse_at(&p, 1,
				      "not captions: a WebVTT file starts with \"WEBVTT\", an SRT "
				      "file with a cue number",
				      NULL);
			goto out;
		}
		e = parse_blocks(&p, cursor, 0, true);
	}
	if (!e && out->n == 0)
		e = refuse_at(&p, 1, "the file holds no cues", NULL);
out:
	free(copy);
	return e;
}

cr_err captions_from_json(const json_t *cues, int64_t duration_ms, struct captions *out,
			  struct cr_problem *why)
{
	struct parse p = {out, 0, duration_ms, "cue", why};
	*out = (struct captions){0};
	if (!json_is_array(cues) || json_array_size(cues) == 0)
		return cr_refuse(why, CR_EINVAL, "invalid-captions", "cues",
				 "cues must be a non-empty array of {start, end, text}");
	size_t i;
	json_t *cue;
	json_array_foreach(cues, i, cue)
	{
		json_t *s = json_object_get(cue, "start"), *en = json_object_get(cue, "end");
		const char *t = json_string_value(json_object_get(cue, "text"));
		if (!json_is_number(s) || !json_is_number(en) || !t || json_object_size(cue) != 3 ||
		    json_number_value(s) < 0 || json_number_value(en) > 360000.0)
			return cr_refuse(why, CR_EINVAL, "invalid-captions", "cues",
					 "cue %zu: a cue is {start, end, text}: seconds from 0, "
					 "and a string",
					 i + 1);
		char *buf = malloc(CAPTION_TEXT_MAX + 1);
		if (!buf)
			return CR_ENOMEM;
		size_t len = 0;
		buf[0] = '\0';
		cr_err e = CR_OK;
		char *lines = strdup(t), *cursor = lines, *line;
		if (!lines)
			e = CR_ENOMEM;
		while (!e && (line = next_line(&cursor)))
			e = blank(line) ? refuse_at(&p, i + 1, "cue text has a blank line", NULL)
					: add_text_line(&p, line, i + 1, buf, &len);
		free(lines);
		if (!e && len == 0)
			e = refuse_at(&p, i + 1, "cue has no text", NULL);
		if (e) {
			free(buf);
			return e;
		}
		e = add_cue(&p, i + 1, llround(json_number_value(s) * 1000),
			    llround(json_number_value(en) * 1000), buf);
		if (e)
			return e;
	}
	return CR_OK;
}

char *captions_to_vtt(const struct captions *c, size_t *len)
{
	size_t size = 10;
	for (size_t i = 0; i < c->n; i++)
		size += 32 + strlen(c->cues[i].text);
	char *out = malloc(size);
	if (!out)
		return NULL;
	size_t k = (size_t)snprintf(out, size, "WEBVTT\n");
	for (size_t i = 0; i < c->n; i++) {
		char a[32], b[32];
		fmt_time(c->cues[i].start_ms, a);
		fmt_time(c->cues[i].end_ms, b);
		k += (size_t)snprintf(out + k, size - k, "\n%s --> %s\n%s\n", a, b,
				      c->cues[i].text);
	}
	*len = k;
	return out;
}

json_t *captions_to_json(const struct captions *c)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < c->n; i++)
		json_array_append_new(
			arr, json_pack("{s:f, s:f, s:s}", "start", c->cues[i].start_ms / 1000.0,
				       "end", c->cues[i].end_ms / 1000.0, "text", c->cues[i].text));
	return arr;
}

void captions_plain_text(const char *text, char *out, size_t size)
{
	static const char *const decoded[] = {"&", "<", ">", "", "", " "};
	size_t k = 0;
	for (const char *s = text; *s && k + 1 < size;) {
		size_t n;
		if (*s == '<') {
			const char *close = strchr(s, '>');
			s = close ? close + 1 : s + strlen(s);
		} else if (*s == '&' && (n = entity_len(s))) {
			for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
				if (!strncmp(s, entities[i], n) &&
				    k + strlen(decoded[i]) + 1 < size) {
					memcpy(out + k, decoded[i], strlen(decoded[i]));
					k += strlen(decoded[i]);
				}
			s += n;
		} else {
			out[k++] = *s == '\n' ? ' ' : *s;
			s++;
		}
	}
	out[k] = '\0';
	utf8_scrub(out); /* a cut may have split a character */
}

void captions_trim(struct captions *c, int64_t cut_start_ms, int64_t cut_end_ms)
{
	size_t kept = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct caption_cue cue = c->cues[i];
		int64_t s = cue.start_ms > cut_start_ms ? cue.start_ms : cut_start_ms;
		int64_t e = cue.end_ms < cut_end_ms ? cue.end_ms : cut_end_ms;
		if (e <= s) {
			free(cue.text);
			continue;
		}
		c->cues[kept++] =
			(struct caption_cue){s - cut_start_ms, e - cut_start_ms, cue.text};
	}
	c->n = kept;
}

void captions_free(struct captions *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->cues[i].text);
	free(c->cues);
	*c = (struct captions){0};
}
