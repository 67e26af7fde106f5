/* Schema migrations, oldest first. See include/casereel/schema.h. */
#include "casereel/schema.h"

const char *const schema_migrations[] = {
	/* 1: accounts, teams, skill tags, login sessions */
	"CREATE TABLE teams ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE tags ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  label TEXT NOT NULL,"
	"  onboarding INTEGER NOT NULL DEFAULT 0 CHECK (onboarding IN (0, 1)),"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  username TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  display_name TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('agent', 'trainer', 'admin')),"
	"  team_id INTEGER REFERENCES teams(id),"
	"  position TEXT NOT NULL DEFAULT '',"
	"  hire_date TEXT,"
	"  password_hash TEXT NOT NULL,"
	"  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX users_team ON users(team_id);"
	/* kind: 'interest' (wants to learn) or 'weak' (trainer-assessed gap) */
	"CREATE TABLE user_tags ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('interest', 'weak')),"
	"  PRIMARY KEY (user_id, kind, tag_id)) WITHOUT ROWID;"
	/* only a hash of each bearer token is stored */
	"CREATE TABLE sessions ("
	"  token_hash BLOB PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX sessions_user ON sessions(user_id);",
};

const size_t schema_migration_count = sizeof schema_migrations / sizeof schema_migrations[0];
