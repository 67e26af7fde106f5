/* Rows of a statement as JSON objects. See include/casereel/report_rows.h. */
#include "casereel/report_rows.h"

#include "casereel/store.h"

json_t *report_rows(sqlite3_stmt *st, const char *const *columns, size_t ncols, size_t max_rows)
{
	json_t *rows = json_array();
	int rc = SQLITE_ROW;
	while (rows && json_array_size(rows) < max_rows && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row = json_object();
		for (size_t c = 0; row && c < ncols; c++) {
			json_t *v;
			switch (sqlite3_column_type(st, (int)c)) {
			case SQLITE_INTEGER:
				v = json_integer(sqlite3_column_int64(st, (int)c));
				break;
			case SQLITE_FLOAT: v = json_real(sqlite3_column_double(st, (int)c)); break;
			case SQLITE_NULL: v = json_null(); break;
			default:
				v = json_string((const char *)sqlite3_column_text(st, (int)c));
				break;
			}
			json_object_set_new(row, columns[c], v);
		}
		json_array_append_new(rows, row);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		/* a statement stopped midway is no short answer to pass off as whole */
		store_error(rc, "report rows");
		json_decref(rows);
		return NULL;
	}
	return rows;
}
