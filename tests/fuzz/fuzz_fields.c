/* libFuzzer harness for src/fields.c. The first byte picks the target:
 * date_is_valid and utf8_length checked against independent oracles
 * (timegm, mbstowcs), or the field getters over a JSON body. */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/fields.h"

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* "YYYY-MM-DD" with year >= 1900 (the project's floor) that timegm keeps
 * unchanged after normalising. */
static bool date_oracle(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	struct tm tm = {0};
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = 12;
	if (tm.tm_year < 0)
		return false;
	struct tm want = tm;
	if (timegm(&tm) == (time_t)-1)
		return false;
	return tm.tm_year == want.tm_year && tm.tm_mon == want.tm_mon && tm.tm_mday == want.tm_mday;
}

static void check_text(const char *s)
{
	if (date_is_valid(s) != date_oracle(s))
		abort();
	size_t n = utf8_length(s);
	if (n > strlen(s))
		abort();
	size_t wide = mbstowcs(NULL, s, 0);
	if (wide != (size_t)-1 && wide != n)
		abort();
}

static void check_getters(const char *text, size_t len)
{
	json_t *body = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(body)) {
		json_decref(body);
		return;
	}
	struct cr_request req = {.json = body};
	struct cr_response res = {0};
	const char *s = NULL;
	int64_t i = 0;
	bool b = false, present = false;
	json_t *arr = NULL;
	if (field_string(&req, &res, "s", false, 1, 8, &s, &present) && present &&
	    (utf8_length(s) < 1 || utf8_length(s) > 8))
		abort();
	if (field_int(&req, &res, "i", false, -5, 5, true, &i, NULL) && (i < -5 || i > 5))
		abort();
	field_bool(&req, &res, "b", true, &b, NULL);
	if (field_string_array(&req, &res, "a", 3, 4, &arr) && arr && json_array_size(arr) > 3)
		abort();
	if (field_date(&req, &res, "d", &s, &present) && present && s && !date_is_valid(s))
		abort();
	/* every refusal is a 422 naming a field */
	if (res.status && (res.status != 422 || !json_object_get(res.json, "field")))
		abort();
	http_response_clear(&res);
	json_decref(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	if (!ready) {
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			abort();
		ready = true;
	}
	if (size == 0)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] & 1)
		check_getters(s, size - 1);
	else
		check_text(s);
	free(s);
	return 0;
}
