/* Unit tests for src/demo_clips.c: the clip it writes is what the transcoder
 * expects from a phone (H.264 720x1280 30 fps, AAC 48 kHz stereo, the asked
 * length), titles in Chinese need the CJK font, and bad specs fail cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>

#include "casereel/transcode.h"
#include "demo/demo_clips.h"

static void needs_cjk(void **state)
{
	(void)state;
	assert_false(demo_clip_needs_cjk("Refund rule nobody knows"));
	assert_false(demo_clip_needs_cjk("by Wang Fang · Billing")); /* U+00B7 is in DejaVu */
	assert_false(demo_clip_needs_cjk("Café — naïve"));
	assert_false(demo_clip_needs_cjk(""));
	assert_true(demo_clip_needs_cjk("退款规则"));
	assert_true(demo_clip_needs_cjk("Refund 规则"));
	assert_true(demo_clip_needs_cjk("⺀")); /* U+2E80, the first one */
}

static void makes_a_phone_like_clip(void **state)
{
	(void)state;
	const char *font = demo_clip_font(true) ? demo_clip_font(true) : demo_clip_font(false);
	if (!font)
		skip(); /* fonts-dejavu-core is not installed */
	char path[] = "/tmp/casereel-demo-clip-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct cr_problem why = {0};
	struct demo_clip_spec spec = {
		.path = path,
		.title = demo_clip_font(true)
				 ? "退款规则：没人知道的那一条, and a long English tail to wrap"
				 : "Refund rule nobody knows, with a long tail to wrap",
		.byline = "by Wang Fang · Billing",
		.fontfile = font,
		.pattern = 3,
		.seconds = 2.0,
		.tone_hz = 440,
	};
	assert_int_equal(demo_clip_make(&spec, &why), CR_OK);

	AVFormatContext *fmt = NULL;
	assert_int_equal(avformat_open_input(&fmt, path, NULL, NULL), 0);
	assert_true(avformat_find_stream_info(fmt, NULL) >= 0);
	assert_int_equal(fmt->nb_streams, 2);
	const AVCodecParameters *v = fmt->streams[0]->codecpar, *a = fmt->streams[1]->codecpar;
	assert_int_equal(v->codec_id, AV_CODEC_ID_H264);
	assert_int_equal(v->width, DEMO_CLIP_WIDTH);
	assert_int_equal(v->height, DEMO_CLIP_HEIGHT);
	assert_int_equal(v->format, AV_PIX_FMT_YUV420P);
	assert_int_equal(fmt->streams[0]->avg_frame_rate.num / fmt->streams[0]->avg_frame_rate.den,
			 DEMO_CLIP_FPS);
	assert_int_equal(a->codec_id, AV_CODEC_ID_AAC);
	assert_int_equal(a->sample_rate, 48000);
	assert_int_equal(a->ch_layout.nb_channels, 2);
	/* Main, not Baseline: the transcoder copies only Main or High */
	assert_int_equal(v->profile, FF_PROFILE_H264_MAIN);
	double seconds = (double)fmt->duration / AV_TIME_BASE;
	assert_true(seconds > 1.9 && seconds < 2.2);
	avformat_close_input(&fmt);

	/* what the server does with it: the 720p rung is the clip itself */
	char out[] = "/tmp/casereel-demo-out-XXXXXX";
	assert_non_null(mkdtemp(out));
	struct tx_result res;
	assert_int_equal(tx_transcode(path, out, NULL, NULL, NULL, NULL, &res), 0);
	assert_true(res.renditions[0].fast_path);
	assert_int_equal(res.renditions[0].height, DEMO_CLIP_HEIGHT);
	const char *files[] = {"master.m3u8", "720p.m3u8",  "720p.mp4", "360p.m3u8",
			       "360p.mp4",    "poster.jpg", "thumb.jpg"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char f[256];
		snprintf(f, sizeof f, "%s/%s", out, files[i]);
		unlink(f);
	}
	assert_int_equal(rmdir(out), 0);
	unlink(path);
}

static void bad_specs_fail_cleanly(void **state)
{
	(void)state;
	struct cr_problem why = {0};
	struct demo_clip_spec spec = {.path = "/tmp/casereel-never-written.mp4",
				      .title = "x",
				      .fontfile = "/nonexistent/font.ttf",
				      .seconds = 2,
				      .tone_hz = 440};
	assert_int_equal(demo_clip_make(&spec, &why), CR_EINVAL);
	assert_non_null(strstr(why.detail, "font"));

	spec.fontfile = demo_clip_font(false);
	if (!spec.fontfile)
		return;
	spec.seconds = 0;
	assert_int_equal(demo_clip_make(&spec, &why), CR_EINVAL);
	spec.seconds = 2;
	spec.tone_hz = 5;
	assert_int_equal(demo_clip_make(&spec, &why), CR_EINVAL);
	assert_int_equal(access(spec.path, F_OK), -1);

	/* a directory that does not exist: an I/O error, nothing left behind */
	spec.tone_hz = 440;
	spec.path = "/nonexistent-dir/clip.mp4";
	why.detail[0] = '\0';
	assert_int_equal(demo_clip_make(&spec, &why), CR_EIO);
	assert_non_null(strstr(why.detail, "/nonexistent-dir/clip.mp4"));
}

int main(void)
{
	av_log_set_level(AV_LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(needs_cjk),
		cmocka_unit_test(makes_a_phone_like_clip),
		cmocka_unit_test(bad_specs_fail_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
