#!/usr/bin/env bash
# Layering check (`make layering-check`): domain and store code never sees
# HTTP, and API handlers run no SQL. Prints each violation; exits 1 if any.
#  1. A file under src/ outside src/http/, src/api/ and src/main.c includes
#     no HTTP header: the seed list below, microhttpd.h, or any header of
#     include/casereel/ that includes one of them (directly or not).
#  2. A file under src/api/ calls no sqlite3_* function and no store_*
#     function, and includes neither sqlite3.h nor casereel/store.h: its
#     domain module runs the SQL.
set -uo pipefail
cd "$(dirname "$0")/.."

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
	grep -nE '\bsqlite3_[a-z_0-9]+|\bstore_[a-z_]+[[:space:]]*\(|#include[[:space:]]*[<"](sqlite3\.h|casereel/store\.h)' "$f" |
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
