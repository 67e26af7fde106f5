/* The numbered schema migrations. Migration i (0-based) brings the database
 * from user_version i to i+1; applied in order at start, each in its own
 * transaction. Never edit a shipped migration: add a new one. */
#ifndef CASEREEL_SCHEMA_H
#define CASEREEL_SCHEMA_H

#include <stddef.h>

extern const char *const schema_migrations[];
extern const size_t schema_migration_count;

#endif
