/* Bulk CSV import of users for onboarding: all rows or none. Every row is
 * checked first (given passwords against the policy) and all problems are
 * reported together; then passwords are hashed outside the write lock and
 * the rows go in one transaction. A generated password must be changed at
 * first login. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casereel/app.h"
#include "casereel/auth.h"
#include "casereel/csv.h"
#include "casereel/fields.h"
#include "casereel/passwords.h"
#include "casereel/users.h"

#define MAX_ROWS               1000
#define MAX_ERRORS             50
#define INITIAL_PASSWORD_CHARS 12

enum column {
	COL_USERNAME,
	COL_DISPLAY_NAME,
	COL_ROLE,
	COL_TEAM,
	COL_POSITION,
	COL_HIRE_DATE,
	COL_PASSWORD,
	COL_INTERESTS,
	COL_WEAK_SKILLS,
	COL_EMPLOYEE_ID,
	NCOLS
};

static const char *const column_names[NCOLS] = {
	"username",  "display_name", "role",      "team",        "position",
	"hire_date", "password",     "interests", "weak_skills", "employee_id"};

/* Columns people typed: checked and put in NFC (text_person). */
static const int typed_columns[] = {COL_DISPLAY_NAME, COL_TEAM, COL_POSITION};
#define NTYPED (sizeof typed_columns / sizeof typed_columns[0])

struct row {
	const char *col[NCOLS]; /* "" when the column is absent */
	char *typed[NTYPED];    /* the NFC copies col[] points to for typed_columns */
	char password[129];
	bool generated;
	char hash[AUTH_HASH_CHARS];
	json_t *interests, *weak_skills;
	int64_t id;
	size_t line;
};

struct import {
	const struct cr_config *cfg;
	int map[NCOLS]; /* column → CSV field index, -1 when absent */
	struct row *rows;
	size_t nrows;
	json_t *errors;
};

/* One bad row: its line, column and the reason, with the problem type
 * (`type`, a slug) when the reason has one of its own, else NULL. */
static void row_problem(struct import *im, size_t line, const char *field, const char *type,
			const char *detail)
{
	json_t *e = json_pack("{s:I, s:s, s:s}", "line", (json_int_t)line, "field", field, "detail",
			      detail);
	if (e && type)
		json_object_set_new(e, "type", json_string(type));
	if (json_array_size(im->errors) < MAX_ERRORS)
		json_array_append_new(im->errors, e);
	else
		json_decref(e);
}

static void row_error(struct import *im, size_t line, const char *field, const char *detail)
{
	row_problem(im, line, field, NULL, detail);
}

static bool read_header(struct import *im, struct csv *c, struct cr_response *res)
{
	char *fields[NCOLS + 1], err[96];
	size_t n;
	for (int i = 0; i < NCOLS; i++)
		im->map[i] = -1;
	if (csv_next(c, fields, NCOLS, &n, err, sizeof err) != 1) {
		http_problem(res, 422, "invalid-csv", "the first line must name the columns: %s",
			     "username,display_name,role,team,position,hire_date,password,"
			     "interests,weak_skills,employee_id");
		return false;
	}
	for (size_t f = 0; f < n; f++) {
		int col = -1;
		for (int i = 0; i < NCOLS; i++)
			if (!strcmp(fields[f], column_names[i]))
				col = i;
		if (col < 0 || im->map[col] >= 0) {
			http_problem(res, 422, "invalid-csv", "column '%s' is unknown or repeated",
				     fields[f]);
			return false;
		}
		im->map[col] = (int)f;
	}
	if (im->map[COL_USERNAME] < 0 || im->map[COL_DISPLAY_NAME] < 0) {
		http_problem(res, 422, "invalid-csv",
			     "the columns username and display_name are required");
		return false;
	}
	return true;
}

/* "a;b;c" → ["a","b","c"]; NULL on an empty list. */
static json_t *split_tags(const char *s)
{
	if (!*s)
		return NULL;
	json_t *arr = json_array();
	const char *p = s;
	while (arr && *p) {
		size_t len = strcspn(p, ";");
		if (len)
			json_array_append_new(arr, json_stringn(p, len));
		p += len + (p[len] == ';');
	}
	return arr;
}

static void check_row(struct import *im, struct row *r)
{
	const char **c = r->col;
	for (size_t i = 0; i < NCOLS; i++)
		if (!utf8_valid(c[i])) {
			row_error(im, r->line, column_names[i],
				  "not UTF-8 text: save the file as UTF-8");
			return;
		}
	for (size_t k = 0; k < NTYPED; k++) {
		struct cr_problem bad = {0};
		int col = typed_columns[k];
		if (text_person(c[col], column_names[col], &r->typed[k], &bad) == CR_OK)
			c[col] = r->typed[k];
		else
			row_error(im, r->line, column_names[col],
				  bad.detail[0] ? bad.detail : "the text could not be checked");
	}
	if (!users_username_valid(c[COL_USERNAME]))
		row_error(im, r->line, "username", "1 to 32 letters, digits, '.', '_' or '-'");
	size_t dn = utf8_length(c[COL_DISPLAY_NAME]);
	if (dn < 1 || dn > 64)
		row_error(im, r->line, "display_name", "1 to 64 characters");
	if (*c[COL_ROLE] && user_role_from_name(c[COL_ROLE]) == CR_ROLE_NONE)
		row_error(im, r->line, "role", "agent, trainer or admin");
	if (utf8_length(c[COL_TEAM]) > 64 || utf8_length(c[COL_POSITION]) > 64)
		row_error(im, r->line, "team", "team and position are at most 64 characters");
	if (utf8_length(c[COL_EMPLOYEE_ID]) > 64)
		row_error(im, r->line, "employee_id", "at most 64 characters");
	if (*c[COL_HIRE_DATE] && !date_is_valid(c[COL_HIRE_DATE]))
		row_error(im, r->line, "hire_date", "a date like 2024-03-31");
	struct cr_problem why = {0};
	if (*c[COL_PASSWORD] &&
	    passwords_check(im->cfg, c[COL_PASSWORD], c[COL_USERNAME], "password", &why))
		row_problem(im, r->line, "password", why.type,
			    why.detail[0] ? why.detail : "the password could not be checked");
	for (size_t i = 0; i + 1 < im->nrows; i++) { /* r is the last row read */
		if (!strcasecmp(im->rows[i].col[COL_USERNAME], c[COL_USERNAME]))
			row_error(im, r->line, "username", "appears twice in the file");
		if (*c[COL_EMPLOYEE_ID] &&
		    !strcmp(im->rows[i].col[COL_EMPLOYEE_ID], c[COL_EMPLOYEE_ID]))
			row_error(im, r->line, "employee_id", "appears twice in the file");
	}
}

static bool read_rows(struct import *im, struct csv *c, struct cr_response *res)
{
	char *fields[NCOLS + 1], err[96];
	size_t n;
	int rc;
	size_t line = c->line;
	while ((rc = csv_next(c, fields, NCOLS, &n, err, sizeof err)) == 1) {
		if (im->nrows == MAX_ROWS) {
			http_problem(res, 413, "too-large", "at most %d users per import",
				     MAX_ROWS);
			return false;
		}
		struct row *r = &im->rows[im->nrows++];
		r->line = line;
		for (int i = 0; i < NCOLS; i++)
			r->col[i] =
				im->map[i] >= 0 && (size_t)im->map[i] < n ? fields[im->map[i]] : "";
		check_row(im, r);
		line = c->line;
	}
	if (rc < 0) {
		http_problem(res, 422, "invalid-csv", "line %zu: %s", c->line, err);
		return false;
	}
	if (im->nrows == 0) {
		http_problem(res, 422, "invalid-csv",
			     "the file has no users after the header line");
		return false;
	}
	return true;
}

static cr_err hash_passwords(struct import *im, const struct cr_config *cfg)
{
	for (size_t i = 0; i < im->nrows; i++) {
		struct row *r = &im->rows[i];
		if (*r->col[COL_PASSWORD]) {
			snprintf(r->password, sizeof r->password, "%s", r->col[COL_PASSWORD]);
		} else {
			auth_random_password(r->password, INITIAL_PASSWORD_CHARS);
			r->generated = true;
		}
		cr_err e = auth_hash_password(cfg, r->password, r->hash);
		if (e)
			return e;
	}
	return CR_OK;
}

/* The rows as the users module takes them (the tag lists are kept in the
 * rows, to be freed with them). NULL when out of memory. */
static struct users_import_row *import_rows(struct import *im)
{
	struct users_import_row *out = calloc(im->nrows ? im->nrows : 1, sizeof *out);
	for (size_t i = 0; out && i < im->nrows; i++) {
		struct row *r = &im->rows[i];
		out[i] = (struct users_import_row){
			.f = {.username = r->col[COL_USERNAME],
			      .display_name = r->col[COL_DISPLAY_NAME],
			      .role = *r->col[COL_ROLE] ? r->col[COL_ROLE] : "agent",
			      .position = r->col[COL_POSITION],
			      .employee_id = r->col[COL_EMPLOYEE_ID],
			      .has_employee_id = *r->col[COL_EMPLOYEE_ID] != '\0',
			      .password_hash = r->hash,
			      /* only the admin has seen a generated one */
			      .must_change_password = r->generated,
			      .has_must_change = true,
			      .hire_date = *r->col[COL_HIRE_DATE] ? r->col[COL_HIRE_DATE] : NULL,
			      .interests = r->interests = split_tags(r->col[COL_INTERESTS]),
			      .weak_skills = r->weak_skills = split_tags(r->col[COL_WEAK_SKILLS])},
			.team = r->col[COL_TEAM],
		};
	}
	return out;
}

static void answer_created(struct import *im, struct cr_response *res)
{
	json_t *users = json_array();
	for (size_t i = 0; i < im->nrows; i++) {
		struct row *r = &im->rows[i];
		json_t *u = json_pack("{s:I, s:s}", "id", (json_int_t)r->id, "username",
				      r->col[COL_USERNAME]);
		if (u && r->generated)
			json_object_set_new(u, "initial_password", json_string(r->password));
		json_array_append_new(users, u);
	}
	http_json(res, 201,
		  json_pack("{s:I, s:o}", "created", (json_int_t)im->nrows, "users", users));
}

static void import_users(struct cr_request *req, struct cr_response *res)
{
	struct import im = {.cfg = req->cfg,
			    .rows = calloc(MAX_ROWS, sizeof(struct row)),
			    .errors = json_array()};
	struct users_import_row *users = NULL;
	char *buf = malloc(req->body_len + 1);
	if (!im.rows || !im.errors || !buf) {
		http_error(res, CR_ENOMEM, "import");
		goto out;
	}
	memcpy(buf, req->body, req->body_len + 1);
	struct csv c;
	csv_init(&c, buf, req->body_len);
	if (!read_header(&im, &c, res) || !read_rows(&im, &c, res))
		goto out;
	if (json_array_size(im.errors)) {
		http_problem(res, 422, "invalid-rows",
			     "%zu problem(s) in the file; nothing was imported",
			     json_array_size(im.errors));
		json_object_set(res->json, "errors", im.errors);
		goto out;
	}
	cr_err e = hash_passwords(&im, req->cfg);
	struct cr_problem why = {0};
	size_t line = 0, bad = SIZE_MAX;
	if (!e)
		e = (users = import_rows(&im)) ? CR_OK : CR_ENOMEM;
	if (!e)
		e = users_import(users, im.nrows, &why, &bad);
	if (bad < im.nrows)
		line = im.rows[bad].line;
	for (size_t i = 0; !e && i < im.nrows; i++)
		im.rows[i].id = users[i].id;
	if (e == CR_EINVAL || e == CR_ECONFLICT) {
		bool told = cr_problem_explains(&why, e);
		http_problem(res, e == CR_EINVAL ? 422 : 409, "invalid-rows",
			     "line %zu: %s; nothing was imported", line, told ? why.detail : "");
		/* the row at fault, as the rows checked before writing are told */
		if (line && told) {
			row_problem(&im, line, why.field ? why.field : "", why.type, why.detail);
			json_object_set(res->json, "errors", im.errors);
		}
	} else if (e)
		http_error(res, e, "import");
	else
		answer_created(&im, res);
out:
	for (size_t i = 0; im.rows && i < im.nrows; i++) {
		json_decref(im.rows[i].interests);
		json_decref(im.rows[i].weak_skills);
		sodium_memzero(im.rows[i].password, sizeof im.rows[i].password);
		for (size_t k = 0; k < NTYPED; k++)
			free(im.rows[i].typed[k]);
	}
	free(users);
	free(im.rows);
	json_decref(im.errors);
	free(buf);
}

static const struct cr_route routes[] = {
	{"POST", "/api/v1/users/import", CR_ROLE_ADMIN, CR_BODY_CSV, import_users, NULL},
};

/* every row hashes a password: --query-timeout-long */
static const struct cr_route_extra long_import = {.long_queries = true};

cr_err api_user_import_register(struct router *r)
{
	return router_add_extra(r, routes, sizeof routes / sizeof routes[0], &long_import);
}
