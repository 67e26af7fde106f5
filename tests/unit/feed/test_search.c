/* Unit tests for the CJK bigrams of src/feed/search.c: what the word index
 * and the queries hold, so 2-character Chinese terms match as tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "casereel/search.h"

static void bigrams(const char *in, const char *want)
{
	char out[256];
	search_cjk_bigrams(in, out, sizeof out);
	assert_string_equal(out, want);
}

static void cjk_runs_become_overlapping_bigrams(void **state)
{
	(void)state;
	bigrams("退款处理", " 退款 款处 处理 ");
	bigrams("退款", " 退款 ");
	bigrams("退", " 退 ");
	bigrams("VIP退款，投诉", "VIP 退款 ， 投诉 ");
	bigrams("refund policy", "refund policy");
	bigrams("", "");
}

static void kana_and_hangul_too(void **state)
{
	(void)state;
	bigrams("カード", " カー ード ");
	bigrams("환불", " 환불 ");
}

static void cut_to_fit(void **state)
{
	(void)state;
	char out[8];
	search_cjk_bigrams("退款处理", out,
			   sizeof out); /* " 退款 " is 8 bytes with the NUL: too long */
	assert_true(strlen(out) < sizeof out);
	search_cjk_bigrams("abcdefghijkl", out, sizeof out);
	assert_string_equal(out, "abcdefg");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cjk_runs_become_overlapping_bigrams),
		cmocka_unit_test(kana_and_hangul_too),
		cmocka_unit_test(cut_to_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
