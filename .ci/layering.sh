#!/usr/bin/env bash
# Layering check (`make layering-check`): domain and store code never sees
# HTTP, and API handlers run no SQL. Prints each violation; exits 1 if any.
#  1. A file under src/ outside src/http/, src/api/ and src/main.c includes
#     no HTTP header: the seed list below, microhttpd.h, or any header of
#     include/casereel/ that includes one of them (directly or not).
#  2. A file under src/api/ calls no sqlite3_* function, none of the store
#     functions that run SQL or transactions (store_calls below), and does
#     not include sqlite3.h: its domain module runs the SQL.
set -uo pipefail
cd "$(dirname "$0")/.."

# What runs SQL or holds a transaction; store_reachable and
# store_schema_version (the health check) are status reads, allowed.
store_calls="store_stmt|store_run|store_exists|store_row_json|store_rows_json|store_done"
store_calls="$store_calls|store_begin|store_commit|store_rollback|store_end|store_read_begin"
store_calls="$store_calls|store_read_end|store_exec|store_error|store_db"

http_headers="http.h http_server.h router.h fields.h files.h range.h report.h idempotency.h"

# Grow the set to every public header that pulls one of them in.
changed=1
while [ "$changed" = 1 ]; do
	changed=0
	for h in include/casereel/*.h; do
		name=${h##*/}
		case " $http_headers " in *" $name "*) continue ;; esac
		for x in $http_headers; do
			if grep -q "^#include \"casereel/$x\"" "$h"; then
				http_headers="$http_headers $name"
				changed=1
				break
			fi
		done
	done
done

domain=$(for f in $(find src -name '*.[ch]' | sort); do
	case "$f" in src/http/* | src/api/* | src/main.c) continue ;; esac
	for x in $http_headers; do
		grep -n "^#include \"casereel/$x\"" "$f" | while IFS= read -r line; do
			echo "$f:${line%%:*}: domain code includes HTTP header casereel/$x"
		done
	done
	grep -n '^#include <microhttpd.h>' "$f" | while IFS= read -r line; do
		echo "$f:${line%%:*}: domain code includes microhttpd.h"
	done
done)

sql=$(for f in $(find src/api -name '*.[ch]' | sort); do
	grep -nE "\\bsqlite3_[a-z_0-9]+|\\b($store_calls)[[:space:]]*\\(|#include[[:space:]]*<sqlite3\\.h>" "$f" |
		while IFS= read -r line; do
			echo "$f:${line%%:*}: API handler touches the database: ${line#*:}"
		done
done)

if [ -n "$domain$sql" ]; then
	printf '%s\n' "$domain" "$sql" | grep -v '^$'
	echo "layering-check: failed (HTTP headers: $http_headers)"
	exit 1
fi
echo "layering-check: domain code includes no HTTP header; API handlers run no SQL"
