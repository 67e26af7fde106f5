/* Unit tests for src/media/captions_parse.c: WebVTT and SRT in, one
 * normalised WebVTT out, refusals naming their line, and the trim the
 * redaction's cut applies to captions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casereel/captions_parse.h"

/* Parses `text` against a 60 s clip; returns the code, detail in *why. */
static cr_err parse(const char *text, struct captions *c, struct cr_problem *why)
{
	*why = (struct cr_problem){0};
	return captions_parse(text, strlen(text), 60000, c, why);
}

static void refused(const char *text, const char *detail)
{
	struct captions c;
	struct cr_problem why;
	cr_err e = parse(text, &c, &why);
	captions_free(&c);
	assert_int_not_equal(e, CR_OK);
	assert_string_equal(why.type, "invalid-captions");
	if (!strstr(why.detail, detail))
		fail_msg("detail \"%s\" lacks \"%s\"", why.detail, detail);
}

static void vtt_normalises(void **state)
{
	(void)state;
	struct captions c;
	struct cr_problem why;
	assert_int_equal(parse("\xef\xbb\xbfWEBVTT - a title\r\nKind: captions\r\n\r\nNOTE hi\r\n"
			       "there\r\n\r\nid1\r\n00:01.000 --> 00:00:02.500 align:start\r\n"
			       "<v Ana>Fish & <b>chips</b>\r\nline two\r\n\r\n"
			       "00:00:03.000 --> 00:00:04.000\r\n退款 <00:00:03.500>投诉\r\n",
			       &c, &why),
			 CR_OK);
	size_t len;
	char *vtt = captions_to_vtt(&c, &len);
	assert_string_equal(vtt, "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n<v Ana>Fish &amp; "
				 "<b>chips</b>\nline two\n\n00:00:03.000 --> 00:00:04.000\n退款 "
				 "<00:00:03.500>投诉\n");
	assert_int_equal(len, strlen(vtt));
	char plain[64];
	captions_plain_text(c.cues[0].text, plain, sizeof plain);
	assert_string_equal(plain, "Fish & chips line two");
	free(vtt);
	captions_free(&c);
}

static void srt_becomes_vtt(void **state)
{
	(void)state;
	struct captions c;
	struct cr_problem why;
	assert_int_equal(parse("1\n00:00:01,000 --> 00:00:02,000\n<i>one</i>\n\n2\n"
			       "00:00:02,000 --> 00:00:03,250\ntwo\n",
			       &c, &why),
			 CR_OK);
	size_t len;
	char *vtt = captions_to_vtt(&c, &len);
	assert_string_equal(vtt, "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<i>one</i>\n\n"
				 "00:00:02.000 --> 00:00:03.250\ntwo\n");
	free(vtt);
	captions_free(&c);
}

static void refusals_name_the_line(void **state)
{
	(void)state;
	refused("WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nx\n",
		"line 3: cue ends at 00:00:04.000, not after it starts (00:00:05.000)");
	refused("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\na\n\n00:00:02.000 --> 00:00:04.000\nb\n",
		"line 6: cue starts at 00:00:02.000, overlapping");
	refused("WEBVTT\n\n00:00:05.000 --> 00:00:06.000\na\n\n00:00:01.000 --> 00:00:02.000\nb\n",
		"line 6: cue starts at 00:00:01.000, before the cue above");
	refused("WEBVTT\n\n00:00:59.000 --> 00:01:01.000\na\n",
		"line 3: cue ends at 00:01:01.000, after the clip's end at 00:01:00.000");
	refused("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n<script>x</script>\n",
		"line 5: markup not allowed");
	refused("1\n00:00:01,000 --> 00:00:02,000\n<font color=red>x</font>\n",
		"line 3: markup not allowed");
	refused("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nbad \xff byte\n", "line 4: not UTF-8");
	refused("hello world\n", "line 1: not captions");
	refused("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nx\n", "line 3: a timing line is");
	refused("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n", "line 3: cue has no text");
	refused("WEBVTT\n00:00:01.000 --> 00:00:02.000\nx\n", "line 2: a blank line must come");
	refused("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\na < b\n", "line 4: '<' starts no tag");
	refused("WEBVTT\n", "holds no cues");
}

static void limits(void **state)
{
	(void)state;
	size_t size = 2 * CAPTIONS_BYTES_MAX;
	char *big = malloc(size);
	size_t k = (size_t)snprintf(big, size, "WEBVTT\n");
	for (int i = 0; i <= CAPTIONS_CUES_MAX; i++) /* cue i from i/10 s for 50 ms */
		k += (size_t)snprintf(big + k, size - k,
				      "\n00:%02d:%02d.%d00 --> 00:%02d:%02d.%d50\nc\n", i / 600,
				      i / 10 % 60, i % 10, i / 600, i / 10 % 60, i % 10);
	struct captions c;
	struct cr_problem why = {0};
	assert_int_equal(captions_parse(big, k, 0, &c, &why), CR_EINVAL);
	assert_non_null(strstr(why.detail, "more than 2000 cues"));
	captions_free(&c);
	memset(big, 'a', size);
	assert_int_equal(captions_parse(big, CAPTIONS_BYTES_MAX + 1, 0, &c, &why), CR_EINVAL);
	captions_free(&c);
	free(big);
}

static void json_cues(void **state)
{
	(void)state;
	struct captions c;
	struct cr_problem why = {0};
	json_t *cues = json_loads("[{\"start\":1,\"end\":2.5,\"text\":\"a & b\"},"
				  "{\"start\":2,\"end\":3,\"text\":\"c\"}]",
				  0, NULL);
	assert_int_equal(captions_from_json(cues, 60000, &c, &why), CR_EINVAL);
	assert_non_null(strstr(why.detail, "cue 2: cue starts at 00:00:02.000, overlapping"));
	captions_free(&c);
	json_decref(cues);
	cues = json_loads("[{\"start\":1,\"end\":2.5,\"text\":\"a & b\"}]", 0, NULL);
	assert_int_equal(captions_from_json(cues, 60000, &c, &why), CR_OK);
	json_t *back = captions_to_json(&c);
	assert_string_equal(json_string_value(json_object_get(json_array_get(back, 0), "text")),
			    "a &amp; b");
	assert_true(json_real_value(json_object_get(json_array_get(back, 0), "end")) == 2.5);
	json_decref(back);
	json_decref(cues);
	captions_free(&c);
}

static void trim_shifts_and_drops(void **state)
{
	(void)state;
	struct captions c;
	struct cr_problem why;
	assert_int_equal(parse("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\ngone\n\n"
			       "00:00:02.500 --> 00:00:04.000\nacross the start\n\n"
			       "00:00:05.000 --> 00:00:06.000\nkept\n\n"
			       "00:00:09.000 --> 00:00:11.000\nacross the end\n\n"
			       "00:00:12.000 --> 00:00:13.000\nafter\n",
			       &c, &why),
			 CR_OK);
	captions_trim(&c, 3000, 10000);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.cues[0].start_ms, 0);
	assert_int_equal(c.cues[0].end_ms, 1000);
	assert_string_equal(c.cues[0].text, "across the start");
	assert_int_equal(c.cues[1].start_ms, 2000);
	assert_int_equal(c.cues[1].end_ms, 3000);
	assert_int_equal(c.cues[2].start_ms, 6000);
	assert_int_equal(c.cues[2].end_ms, 7000);
	assert_string_equal(c.cues[2].text, "across the end");
	captions_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vtt_normalises),
		cmocka_unit_test(srt_becomes_vtt),
		cmocka_unit_test(refusals_name_the_line),
		cmocka_unit_test(limits),
		cmocka_unit_test(json_cues),
		cmocka_unit_test(trim_shifts_and_drops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
