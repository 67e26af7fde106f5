/* Unit tests for src/media/captions.c on a real database: rights, the audit
 * trail, the caption revision in the file names, the search index, and the
 * trim a re-render applies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "casereel/captions.h"
#include "casereel/search.h"
#include "casereel/store.h"
#include "casereel/video_audit.h"
#include "../test_db.h"

static const struct cr_user owner = {.id = 1, .role = CR_ROLE_AGENT};
static const struct cr_user other = {.id = 2, .role = CR_ROLE_AGENT};
static const struct cr_user trainer = {.id = 3, .role = CR_ROLE_TRAINER};
static const char vtt[] =
	"WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nhello world\n\n"
	"00:00:04.000 --> 00:00:06.000\n退款申请\n\n00:00:09.000 --> 00:00:09.900\nlast\n";

static int group_setup(void **state)
{
	(void)state;
	return test_db_open(
		"INSERT INTO users(id, username, display_name, role, password_hash,"
		" created_at) VALUES (1, 'a', 'Ann', 'agent', 'x', 0),"
		" (2, 'b', 'Bo', 'agent', 'x', 0), (3, 't', 'Tess', 'trainer', 'x', 0);"
		"INSERT INTO videos(id, owner_id, title, status, source_bytes, duration,"
		" created_at, updated_at) VALUES (7, 1, 'Clip', 'pending_review', 1, 10.0, 0, 0)");
}

static int group_teardown(void **state)
{
	(void)state;
	return test_db_close();
}

static void put_rights_and_audit(void **state)
{
	(void)state;
	json_t *out = NULL, *items = NULL;
	struct cr_problem why = {0};
	assert_int_equal(captions_put(7, "en", &other, vtt, strlen(vtt), NULL, &out, &why),
			 CR_ENOTFOUND);
	assert_int_equal(captions_put(7, "en", &owner, vtt, strlen(vtt), NULL, &out, &why), CR_OK);
	assert_int_equal(json_array_size(json_object_get(out, "cues")), 3);
	json_decref(out);
	assert_int_equal(store_exec("UPDATE videos SET status = 'published' WHERE id = 7"), CR_OK);
	assert_int_equal(captions_put(7, "en", &owner, vtt, strlen(vtt), NULL, &out, &why),
			 CR_EFORBIDDEN);
	assert_string_equal(why.type, "captions-locked");
	assert_int_equal(captions_put(7, "en", &other, vtt, strlen(vtt), NULL, &out, &why),
			 CR_EFORBIDDEN);
	assert_int_equal(captions_put(7, "en", &trainer, vtt, strlen(vtt), NULL, &out, &why),
			 CR_OK);
	json_decref(out);
	assert_int_equal(video_audit_list_json(7, &items), CR_OK);
	assert_int_equal(json_array_size(items), 2);
	json_t *last = json_array_get(items, 1);
	assert_string_equal(json_string_value(json_object_get(last, "action")), "captions.put");
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(last, "detail"), "replaced")),
		3);
	json_decref(items);
}

static void search_finds_caption_cues(void **state)
{
	(void)state;
	struct search_hit hits[4];
	size_t n;
	bool more;
	assert_int_equal(search_query("申请", 0, 4, hits, &n, &more, NULL), CR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].video_id, 7);
	assert_int_equal(hits[0].cue_start_ms, 4000);
	assert_int_equal(search_query("clip", 0, 4, hits, &n, &more, NULL), CR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].cue_start_ms, -1); /* the title */
}

static void trim_shifts_audits_and_renames(void **state)
{
	(void)state;
	json_t *urls = json_object(), *out = NULL;
	captions_add_urls(urls, 7, "/p/");
	const char *before = json_string_value(json_object_get(urls, "hls"));
	assert_non_null(before);
	char *old_hls = strdup(before);
	assert_int_equal(store_begin(), CR_OK);
	assert_int_equal(captions_trim_clip(7, 3, 3000, 9000), CR_OK);
	assert_int_equal(store_commit(), CR_OK);
	assert_int_equal(captions_get_json(7, "en", &trainer, &out), CR_OK);
	json_t *cues = json_object_get(out, "cues");
	assert_int_equal(json_array_size(cues), 1); /* the first cue and the last are cut away */
	assert_true(json_real_value(json_object_get(json_array_get(cues, 0), "start")) == 1.0);
	assert_true(json_real_value(json_object_get(json_array_get(cues, 0), "end")) == 3.0);
	json_decref(out);
	captions_add_urls(urls, 7, "/p/");
	assert_string_not_equal(json_string_value(json_object_get(urls, "hls")), old_hls);
	char *body = NULL;
	size_t len;
	const char *type;
	cr_err e;
	assert_true(captions_media_file(NULL, 7, 1, old_hls + 3, &body, &len, &type, &e));
	assert_null(body); /* the old revision's names are gone */
	assert_false(captions_media_file(NULL, 7, 1, "master.m3u8", &body, &len, &type, &e));
	free(old_hls);
	json_decref(urls);
	struct search_hit hits[2];
	size_t n;
	bool more;
	assert_int_equal(search_query("申请", 0, 2, hits, &n, &more, NULL), CR_OK);
	assert_int_equal(hits[0].cue_start_ms, 1000); /* the index follows the trim */
	json_t *items = NULL;
	assert_int_equal(video_audit_list_json(7, &items), CR_OK);
	json_t *trim = json_array_get(items, json_array_size(items) - 1);
	assert_string_equal(json_string_value(json_object_get(trim, "action")), "captions.trim");
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(trim, "detail"), "cues")), 1);
	json_decref(items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(put_rights_and_audit),
		cmocka_unit_test(search_finds_caption_cues),
		cmocka_unit_test(trim_shifts_audits_and_renames),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
