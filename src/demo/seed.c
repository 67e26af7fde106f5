/* Loading the demo seed. See include/casereel/seed.h. */
#include "casereel/seed.h"

#include <jansson.h>
#include <time.h>

#include "casereel/auth.h"
#include "casereel/kpi.h"
#include "casereel/log.h"
#include "casereel/points.h"
#include "casereel/positions.h"
#include "casereel/shop.h"
#include "casereel/store.h"
#include "casereel/tags.h"
#include "casereel/teams.h"
#include "casereel/users.h"

static bool has_users(void)
{
	sqlite3_stmt *st = store_stmt("SELECT EXISTS (SELECT 1 FROM users)");
	bool any = st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	store_done(st);
	return any;
}

/* The skill tags: each entry as the admin API takes it (name, label or
 * labels {en, zh}, onboarding). */
static cr_err add_tags(json_t *tags)
{
	size_t i;
	json_t *t;
	json_array_foreach(tags, i, t)
	{
		json_t *labels = json_object_get(t, "labels");
		const char *en = json_string_value(json_object_get(labels, "en"));
		struct tag_fields f = {
			.name = json_string_value(json_object_get(t, "name")),
			.label = en ? en : json_string_value(json_object_get(t, "label")),
			.label_zh = json_string_value(json_object_get(labels, "zh")),
			.has_onboarding = true,
			.onboarding = json_is_true(json_object_get(t, "onboarding")),
		};
		int64_t id;
		cr_err e = f.name ? tags_save(0, &f, &id) : CR_EINVAL;
		if (e) {
			log_error("seed: tag %zu: %s", i, cr_strerror(e));
			return e;
		}
	}
	return CR_OK;
}

/* An entry's `labels` {en, zh} as the admin API takes them. */
static struct cr_labels seed_labels(json_t *entry)
{
	json_t *labels = json_object_get(entry, "labels");
	return (struct cr_labels){.en = json_string_value(json_object_get(labels, "en")),
				  .zh = json_string_value(json_object_get(labels, "zh"))};
}

/* Teams and positions named in both languages before the users hold them
 * (each entry {name, labels}). */
static cr_err add_named(json_t *entries, const char *what,
			cr_err (*save)(int64_t, const char *, const struct cr_labels *, int64_t *))
{
	size_t i;
	json_t *x;
	json_array_foreach(entries, i, x)
	{
		const char *name = json_string_value(json_object_get(x, "name"));
		struct cr_labels l = seed_labels(x);
		int64_t id;
		cr_err e = name ? save(0, name, &l, &id) : CR_EINVAL;
		if (e) {
			log_error("seed: %s %zu: %s", what, i, cr_strerror(e));
			return e;
		}
	}
	return CR_OK;
}

/* The gift catalogue's labels: each entry {name, labels, points}. */
static cr_err add_gifts(json_t *gifts)
{
	struct points_gift g[16];
	size_t i, n = json_array_size(gifts);
	json_t *x;
	if (n > sizeof g / sizeof g[0])
		return CR_EINVAL;
	json_array_foreach(gifts, i, x)
	{
		g[i] = (struct points_gift){
			.name = json_string_value(json_object_get(x, "name")),
			.labels = seed_labels(x),
			.points = json_integer_value(json_object_get(x, "points")),
			.active = true};
		if (!g[i].name || g[i].points <= 0)
			return CR_EINVAL;
	}
	cr_err e = n ? points_gifts_put_in_tx(g, n, NULL) : CR_OK;
	if (e)
		log_error("seed: gifts: %s", cr_strerror(e));
	return e;
}

static cr_err add_users(const struct cr_config *cfg, json_t *users, const char *password)
{
	char hash[AUTH_HASH_CHARS];
	cr_err e = auth_hash_password(cfg, password, hash);
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u)
	{
		if (e)
			return e;
		struct user_fields f = {
			.username = json_string_value(json_object_get(u, "username")),
			.display_name = json_string_value(json_object_get(u, "display_name")),
			.role = json_string_value(json_object_get(u, "role")),
			.position = json_string_value(json_object_get(u, "position")),
			.hire_date = json_string_value(json_object_get(u, "hire_date")),
			.password_hash = hash,
			.interests = json_object_get(u, "interests"),
			.weak_skills = json_object_get(u, "weak_skills"),
		};
		const char *team = json_string_value(json_object_get(u, "team"));
		if (!f.username || !f.display_name || !f.role) {
			log_error("seed: user %zu needs username, display_name and role", i);
			return CR_EINVAL;
		}
		if (team) {
			f.has_team = true;
			e = teams_id_by_name(team, true, &f.team_id);
		}
		struct cr_problem why = {0};
		int64_t id;
		if (!e)
			e = users_create(&f, &id, &why);
		if (e)
			log_error("seed: user %s: %s %s", f.username, cr_strerror(e),
				  cr_problem_explains(&why, e) ? why.detail : "");
	}
	return e;
}

/* The service-metric catalogue: each entry as the admin API takes it. */
static cr_err add_metrics(json_t *metrics)
{
	size_t i;
	json_t *m;
	json_array_foreach(metrics, i, m)
	{
		json_t *label = json_object_get(m, "label");
		struct kpi_metric_fields f = {
			.name = json_string_value(json_object_get(m, "name")),
			.label_en = json_string_value(json_object_get(label, "en")),
			.label_zh = json_string_value(json_object_get(label, "zh")),
			.unit = json_string_value(json_object_get(m, "unit")),
			.direction = json_string_value(json_object_get(m, "direction")),
			.per_skill = json_is_true(json_object_get(m, "per_skill")),
			.tag = json_string_value(json_object_get(m, "tag")),
			.target = json_number_value(json_object_get(m, "target")),
			.min_value = json_number_value(json_object_get(m, "min")),
			.max_value = json_number_value(json_object_get(m, "max")),
		};
		int64_t id;
		cr_err e = f.name && f.label_en && f.direction ? kpi_metric_create(&f, &id, NULL)
							       : CR_EINVAL;
		if (e) {
			log_error("seed: metric %zu: %s", i, cr_strerror(e));
			return e;
		}
	}
	return CR_OK;
}

/* The points shop, stocked, so the demo's agents have something to redeem. */
static cr_err add_shop(json_t *items)
{
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		const char *name = json_string_value(json_object_get(it, "name"));
		struct cr_labels labels = seed_labels(it);
		json_int_t price = json_integer_value(json_object_get(it, "price"));
		json_int_t stock = json_integer_value(json_object_get(it, "stock"));
		int64_t id;
		cr_err e = name && price > 0 && stock >= 0
				   ? shop_item_create(
					     name, &labels,
					     json_string_value(json_object_get(it, "description")),
					     price, stock, true, &id, NULL)
				   : CR_EINVAL;
		if (e) {
			log_error("seed: shop item %zu: %s", i, cr_strerror(e));
			return e;
		}
	}
	return CR_OK;
}

cr_err seed_load(const struct cr_config *cfg, const char *path)
{
	if (has_users())
		return CR_OK;
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		log_error("seed %s: line %d: %s", path, jerr.line, jerr.text);
		return CR_EINVAL;
	}
	const char *password = json_string_value(json_object_get(root, "password"));
	cr_err e = password ? store_begin() : CR_EINVAL;
	if (!e)
		e = add_tags(json_object_get(root, "tags"));
	if (!e)
		e = add_named(json_object_get(root, "teams"), "team", teams_save);
	if (!e)
		e = add_named(json_object_get(root, "positions"), "position", positions_save);
	if (!e)
		e = add_users(cfg, json_object_get(root, "users"), password);
	if (!e)
		e = add_metrics(json_object_get(root, "metrics"));
	if (!e)
		e = add_shop(json_object_get(root, "shop"));
	if (!e)
		e = add_gifts(json_object_get(root, "gifts"));
	e = store_end(e);
	json_decref(root);
	if (!e)
		log_info("loaded demo seed from %s", path);
	return e;
}
