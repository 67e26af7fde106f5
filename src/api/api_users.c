/* Admin user management: create, list, read, update. Bulk CSV import lives
 * in api_user_import.c. */
#include <stdio.h>
#include <string.h>

#include "casereel/app.h"
#include "casereel/auth.h"
#include "casereel/fields.h"
#include "casereel/passwords.h"
#include "casereel/users.h"

#define MAX_TAGS 32

/* Reads the profile fields shared by create and update. On create the
 * username, display name and password are required. A password an admin
 * sets must pass the policy and, unless must_change_password says false,
 * be changed by its user at first login. */
static bool read_user_fields(struct cr_request *req, struct cr_response *res, bool create,
			     struct user_fields *f, char hash[AUTH_HASH_CHARS])
{
	const char *password = NULL;
	bool has_role = false;
	if (create && !field_string(req, res, "username", true, 1, 32, &f->username, NULL))
		return false;
	if (create && !users_username_valid(f->username)) {
		http_invalid_field(res, "username",
				   "username must be 1 to 32 letters, digits, '.', '_' or '-', "
				   "starting with a letter or digit");
		return false;
	}
	if (!field_text(req, res, "display_name", create, 1, 64, &f->display_name, NULL) ||
	    !field_string(req, res, "password", create, 1, 1024, &password, NULL) ||
	    !field_bool(req, res, "must_change_password", false, &f->must_change_password,
			&f->has_must_change) ||
	    !field_string(req, res, "role", false, 1, 16, &f->role, &has_role) ||
	    !field_text(req, res, "position", false, 0, 64, &f->position, NULL) ||
	    !field_string(req, res, "employee_id", false, 0, 64, &f->employee_id,
			  &f->has_employee_id) ||
	    !field_date(req, res, "hire_date", &f->hire_date, &f->has_hire_date) ||
	    !field_int(req, res, "team_id", false, 1, INT64_MAX, true, &f->team_id, &f->has_team) ||
	    !field_bool(req, res, "active", false, &f->active, &f->has_active) ||
	    !field_string_array(req, res, "interests", MAX_TAGS, 32, &f->interests) ||
	    !field_string_array(req, res, "weak_skills", MAX_TAGS, 32, &f->weak_skills))
		return false;
	if (has_role && user_role_from_name(f->role) == CR_ROLE_NONE) {
		http_invalid_field(res, "role", "role must be agent, trainer or admin");
		return false;
	}
	if (password) {
		struct cr_problem why = {0};
		cr_err e = passwords_check(req->cfg, password, f->username, "password", &why);
		if (!e)
			e = auth_hash_password(req->cfg, password, hash);
		if (e) {
			http_fail(res, e, &why, "password");
			return false;
		}
		f->password_hash = hash;
		/* the admin knows it: the user makes it theirs at first login,
		 * unless the admin says otherwise */
		if (!f->has_must_change)
			f->has_must_change = f->must_change_password = true;
	}
	return true;
}

static void answer_user(struct cr_response *res, unsigned status, int64_t id)
{
	json_t *j = NULL;
	cr_err e = users_get_json(id, &j);
	if (e)
		http_error(res, e, "user");
	else
		http_json(res, status, j);
}

static void create_user(struct cr_request *req, struct cr_response *res)
{
	struct user_fields f = {0};
	char hash[AUTH_HASH_CHARS];
	if (!read_user_fields(req, res, true, &f, hash))
		return;
	struct cr_problem why = {0};
	int64_t id = 0;
	cr_err e = users_create(&f, &id, &why);
	if (e) {
		http_fail(res, e, &why, "user");
		return;
	}
	http_header(res, "Location", "/api/v1/users/%lld", (long long)id);
	answer_user(res, 201, id);
}

static void list_users(struct cr_request *req, struct cr_response *res)
{
	long limit, after, team;
	if (!http_query_long(req, res, "limit", 50, 1, 200, &limit) ||
	    !http_query_long(req, res, "after", 0, 0, INT64_MAX, &after) ||
	    !http_query_long(req, res, "team_id", 0, 0, INT64_MAX, &team))
		return;
	const char *q = http_query(req, "q");
	if (q && strlen(q) > 64) {
		http_invalid_field(res, "q", "q is longer than 64 characters");
		return;
	}
	json_t *items = NULL;
	cr_err e = users_list_json(after, limit, team, q, &items);
	if (e) {
		http_error(res, e, "user list");
		return;
	}
	size_t n = json_array_size(items);
	json_t *next = (long)n == limit ? json_integer(json_integer_value(json_object_get(
						  json_array_get(items, n - 1), "id")))
					: json_null();
	http_json(res, 200, json_pack("{s:o, s:o}", "items", items, "next_after", next));
}

static void get_user(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	if (http_path_id(req, res, 0, "user", &id))
		answer_user(res, 200, id);
}

static void update_user(struct cr_request *req, struct cr_response *res)
{
	int64_t id;
	struct user_fields f = {0};
	char hash[AUTH_HASH_CHARS];
	if (!http_path_id(req, res, 0, "user", &id) || !read_user_fields(req, res, false, &f, hash))
		return;
	if (id == req->user.id && ((f.has_active && !f.active) ||
				   (f.role && user_role_from_name(f.role) != CR_ROLE_ADMIN))) {
		http_problem(res, 409, "conflict",
			     "you cannot deactivate or demote yourself; ask another admin");
		return;
	}
	struct cr_problem why = {0};
	cr_err e = users_update(id, &f, &why);
	if (e)
		http_fail(res, e, &why, "user");
	else
		answer_user(res, 200, id);
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/users", CR_ROLE_ADMIN, CR_BODY_JSON, create_user, NULL},
	{"GET", "/api/v1/users", CR_ROLE_ADMIN, CR_BODY_NONE, list_users, NULL},
	{"GET", "/api/v1/users/{id}", CR_ROLE_ADMIN, CR_BODY_NONE, get_user, NULL},
	{"PATCH", "/api/v1/users/{id}", CR_ROLE_ADMIN, CR_BODY_JSON, update_user, NULL},
};

cr_err api_users_register(struct router *r)
{
	return router_add(r, routes, sizeof routes / sizeof routes[0]);
}
