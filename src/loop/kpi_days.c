/* Calendar days as numbers, and the per-agent reads of daily values. See
 * include/casereel/kpi.h. */
#include "casereel/kpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/points.h"
#include "casereel/store.h"
#include "casereel/tags.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days
 * inverse below): eras of 400 years, years starting in March so the leap
 * day falls last. */
static int32_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = y / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int32_t z, int *y, int *m, int *d)
{
	z += 719468;
	int era = z / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

bool kpi_day_parse(const char *text, int32_t *day)
{
	if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return false;
	int hi = two_digits(text), lo = two_digits(text + 2);
	int m = two_digits(text + 5), d = two_digits(text + 8);
	if (hi < 0 || lo < 0 || m < 1 || m > 12 || d < 1)
		return false;
	int y = hi * 100 + lo;
	static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || d > month_days[m - 1] + (m == 2 && leap))
		return false;
	*day = days_from_civil(y, m, d);
	return true;
}

void kpi_day_format(int32_t day, char out[11])
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	/* the remainders only tell the compiler the widths: each is in range */
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
}

int32_t kpi_today(void)
{
	char today[POINTS_DAY_LEN];
	points_day(cr_now(), today);
	int32_t day = 0;
	kpi_day_parse(today, &day);
	return day;
}

static json_t *daily_json(sqlite3_stmt *st)
{
	char date[11];
	kpi_day_format((int32_t)sqlite3_column_int(st, 0), date);
	return json_pack("{s:s, s:s, s:o, s:f}", "date", date, "metric",
			 (const char *)sqlite3_column_text(st, 1), "tag",
			 store_column_text_json(st, 2), "value", sqlite3_column_double(st, 3));
}

cr_err kpi_daily_json(int64_t user_id, const char *metric, const char *tag, int32_t from,
		      int32_t to, json_t **out)
{
	*out = NULL;
	int64_t metric_id = 0, tag_id = 0;
	cr_err e = metric ? store_id_by_text("SELECT id FROM metrics WHERE name = ?1", metric,
					     "daily metric", &metric_id)
			  : CR_OK;
	if (!e && tag)
		e = tags_id_by_name(tag, &tag_id);
	if (e)
		return e;
	sqlite3_stmt *st = store_stmt(
		"SELECT v.day, m.name, t.name, v.value FROM metric_values v"
		" JOIN metrics m ON m.id = v.metric_id LEFT JOIN tags t ON t.id = v.tag_id"
		" WHERE v.user_id = ?1 AND (?2 = 0 OR v.metric_id = ?2) AND (?3 = 0 OR v.tag_id = "
		"?3)"
		" AND v.day BETWEEN ?4 AND ?5 ORDER BY m.name, t.name, v.day");
	if (st) {
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_int64(st, 2, metric ? metric_id : 0);
		sqlite3_bind_int64(st, 3, tag ? tag_id : 0);
		sqlite3_bind_int(st, 4, from);
		sqlite3_bind_int(st, 5, to);
	}
	return store_rows_json(st, daily_json, "daily metrics", out);
}
