/* The service-metric catalogue kept by admins. See include/casereel/kpi.h. */
#include "casereel/kpi.h"

#include <string.h>
#include <time.h>

#include "casereel/clock.h"
#include "casereel/store.h"
#include "casereel/tags.h"

#define METRIC_COLUMNS                                                                             \
	"m.id, m.name, m.label_en, m.label_zh, m.unit, m.direction, m.per_skill,"                  \
	" m.target, m.min_value, m.max_value, t.name"
#define METRIC_FROM " FROM metrics m LEFT JOIN tags t ON t.id = m.tag_id"

static json_t *metric_json(sqlite3_stmt *st)
{
	json_t *m =
		json_pack("{s:I, s:s, s:{s:s, s:s}, s:s, s:s, s:b, s:f, s:f, s:f}", "id",
			  (json_int_t)sqlite3_column_int64(st, 0), "name",
			  (const char *)sqlite3_column_text(st, 1), "label", "en",
			  (const char *)sqlite3_column_text(st, 2), "zh",
			  (const char *)sqlite3_column_text(st, 3), "unit",
			  (const char *)sqlite3_column_text(st, 4), "direction",
			  (const char *)sqlite3_column_text(st, 5), "per_skill",
			  sqlite3_column_int(st, 6), "target", sqlite3_column_double(st, 7), "min",
			  sqlite3_column_double(st, 8), "max", sqlite3_column_double(st, 9));
	if (m)
		json_object_set_new(m, "tag", store_column_text_json(st, 10));
	return m;
}

cr_err kpi_metrics_json(json_t **out)
{
	return store_rows_json(store_stmt("SELECT " METRIC_COLUMNS METRIC_FROM " ORDER BY m.name"),
			       metric_json, "list metrics", out);
}

cr_err kpi_metric_json(int64_t id, json_t **out)
{
	return store_row_json("SELECT " METRIC_COLUMNS METRIC_FROM " WHERE m.id = ?1", id,
			      metric_json, "get metric", out);
}

cr_err kpi_metric_by_name(const char *name, struct kpi_metric *out)
{
	sqlite3_stmt *st = store_stmt("SELECT id, name, direction, per_skill, coalesce(tag_id, 0),"
				      " target, min_value, max_value FROM metrics WHERE name = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->id = sqlite3_column_int64(st, 0);
		snprintf(out->name, sizeof out->name, "%s",
			 (const char *)sqlite3_column_text(st, 1));
		out->lower_is_better =
			strcmp((const char *)sqlite3_column_text(st, 2), "lower") == 0;
		out->per_skill = sqlite3_column_int(st, 3);
		out->tag_id = sqlite3_column_int64(st, 4);
		out->target = sqlite3_column_double(st, 5);
		out->min_value = sqlite3_column_double(st, 6);
		out->max_value = sqlite3_column_double(st, 7);
	}
	store_done(st);
	return rc == SQLITE_ROW    ? CR_OK
	       : rc == SQLITE_DONE ? CR_ENOTFOUND
				   : store_error(rc, "metric");
}

/* The id of tag `name` in *id (0 for NULL or ""). */
static cr_err tag_id(const char *name, int64_t *id)
{
	*id = 0;
	return name && *name ? tags_id_by_name(name, id) : CR_OK;
}

/* Runs the catalogue write `st` (bound) and maps what the table's checks
 * refuse: a taken name, an inconsistent range or tag. */
static cr_err run_write(sqlite3_stmt *st, struct cr_problem *why)
{
	int rc = sqlite3_step(st);
	int ext = sqlite3_extended_errcode(store_db());
	store_done(st);
	if (rc == SQLITE_DONE)
		return CR_OK;
	if (ext == SQLITE_CONSTRAINT_UNIQUE)
		return CR_ECONFLICT;
	if (ext == SQLITE_CONSTRAINT_CHECK)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "target",
				 "need min < max, the target between them, and no tag on a "
				 "per-skill metric (its rows carry the tag)");
	return store_error(rc, "save metric");
}

/* The id of the metric's tag, or a refusal naming the field. */
static cr_err metric_tag(const struct kpi_metric_fields *f, int64_t *tag, struct cr_problem *why)
{
	cr_err e = tag_id(f->tag, tag);
	return e == CR_ENOTFOUND ? cr_refuse(why, CR_EINVAL, "invalid-field", "tag",
					     "no such skill tag: %s", f->tag)
				 : e;
}

cr_err kpi_metric_create(const struct kpi_metric_fields *f, int64_t *id, struct cr_problem *why)
{
	int64_t tag;
	cr_err e = metric_tag(f, &tag, why);
	if (e)
		return e;
	sqlite3_stmt *st = store_stmt(
		"INSERT INTO metrics(name, label_en, label_zh, unit, direction, per_skill, tag_id,"
		" target, min_value, max_value, created_at)"
		" VALUES (?1, ?2, ?3, coalesce(?4, ''), ?5, ?6, nullif(?7, 0), ?8, ?9, ?10, ?11)");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->label_en, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->label_zh ? f->label_zh : f->label_en, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f->direction, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, f->per_skill);
	sqlite3_bind_int64(st, 7, tag);
	sqlite3_bind_double(st, 8, f->target);
	sqlite3_bind_double(st, 9, f->min_value);
	sqlite3_bind_double(st, 10, f->max_value);
	sqlite3_bind_int64(st, 11, cr_now());
	e = run_write(st, why);
	if (!e)
		*id = sqlite3_last_insert_rowid(store_db());
	return e;
}

cr_err kpi_metric_update(int64_t id, const struct kpi_metric_fields *f, struct cr_problem *why)
{
	int64_t tag = 0;
	if (!store_exists("SELECT 1 FROM metrics WHERE id = ?1", id, 0))
		return CR_ENOTFOUND;
	cr_err e = metric_tag(f, &tag, why);
	if (e)
		return e;
	sqlite3_stmt *st =
		store_stmt("UPDATE metrics SET label_en = coalesce(?2, label_en), label_zh = "
			   "coalesce(?3, label_zh),"
			   " unit = coalesce(?4, unit), direction = coalesce(?5, direction),"
			   " per_skill = CASE WHEN ?6 THEN ?7 ELSE per_skill END,"
			   " tag_id = CASE WHEN ?8 IS NULL THEN tag_id ELSE nullif(?9, 0) END,"
			   " target = CASE WHEN ?10 THEN ?11 ELSE target END,"
			   " min_value = CASE WHEN ?12 THEN ?13 ELSE min_value END,"
			   " max_value = CASE WHEN ?14 THEN ?15 ELSE max_value END WHERE id = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, f->label_en, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->label_zh, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f->direction, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, f->has_per_skill);
	sqlite3_bind_int(st, 7, f->per_skill);
	sqlite3_bind_text(st, 8, f->tag, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, tag);
	sqlite3_bind_int(st, 10, f->has_target);
	sqlite3_bind_double(st, 11, f->target);
	sqlite3_bind_int(st, 12, f->has_min);
	sqlite3_bind_double(st, 13, f->min_value);
	sqlite3_bind_int(st, 14, f->has_max);
	sqlite3_bind_double(st, 15, f->max_value);
	return run_write(st, why);
}
