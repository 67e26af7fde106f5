/* A throwaway SQLite database for unit tests: a new temporary directory per
 * test binary, every migration applied, removed at the end. Header-only,
 * since each test binary is one .c file: include it as "../test_db.h". */
#ifndef CASEREEL_TEST_DB_H
#define CASEREEL_TEST_DB_H

#include <stdio.h>
#include <stdlib.h>

#include "casereel/store.h"

static char test_db_dir[] = "/tmp/casereel-unit-XXXXXX";

/* Opens the database (store_init) in a new temporary directory and runs
 * `seed_sql` on it (NULL: nothing). 0, or -1 on failure, as a cmocka group
 * setup returns. */
static inline int test_db_open(const char *seed_sql)
{
	char path[sizeof test_db_dir + 16];
	if (!mkdtemp(test_db_dir))
		return -1;
	snprintf(path, sizeof path, "%s/test.db", test_db_dir);
	if (store_init(path) != CR_OK)
		return -1;
	return !seed_sql || store_exec(seed_sql) == CR_OK ? 0 : -1;
}

/* Closes this thread's connection and removes the directory; 0 or -1. */
static inline int test_db_close(void)
{
	char cmd[sizeof test_db_dir + 16];
	store_close_thread();
	snprintf(cmd, sizeof cmd, "rm -rf %s", test_db_dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
