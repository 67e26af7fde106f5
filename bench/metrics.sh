#!/usr/bin/env bash
# The learning loop against its goals (issue 13): CSV ingest rate (durable),
# agent profile p99, one full push-rule pass, impact reports for 20 paths, on a
# generated center of AGENTS agents x DAYS days x 8 metric series. The ingest
# peer is sqlite3's own CSV import of the same file into a table with the same
# key, on the same disk, in the same run (WAL, synchronous=FULL as ours).
# Then the same file through the real server: POST /api/v1/metrics/import
# (streamed to disk, 202, checked, written in chunks) until its status says
# done, with the server's memory before and at its peak.
#   bench/metrics.sh                      # 2,000 agents x 90 days (1.44 M rows)
#   AGENTS=10000 DAYS=365 bench/metrics.sh   # 29 M rows
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS=${AGENTS:-2000}
DAYS=${DAYS:-90}
make -s build/release/bench/loop_bench bin/casereel >/dev/null
dir=$(mktemp -d "${TMPDIR:-/tmp}/casereel-metrics-XXXXXX")
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$dir"' EXIT

build/release/bench/loop_bench --dir "$dir" --agents "$AGENTS" --days "$DAYS" >"$dir/ours.txt" 2>"$dir/ours.err"
val() { awk -v k="$1" '$1 == k { print $2 }' "$dir/ours.txt"; }
rows=$(val ingest_rows)

sqlite3 "$dir/peer.db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
  CREATE TABLE raw(date TEXT, username TEXT, metric TEXT, tag TEXT, value REAL,
                   PRIMARY KEY (username, metric, tag, date)) WITHOUT ROWID;" >/dev/null
start=$(date +%s.%N)
sqlite3 "$dir/peer.db" "PRAGMA synchronous=FULL;" ".mode csv" ".import --skip 1 $dir/metrics.csv raw"
peer_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
peer_rate=$(awk -v r="$rows" -v s="$peer_s" 'BEGIN { print r / s }')

# the server on a copy of the generated center, its values gone (a first import)
mkdir "$dir/server"
sqlite3 "$dir/bench.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
cp "$dir/bench.db" "$dir/server/casereel.db"
sqlite3 "$dir/server/casereel.db" "DELETE FROM metric_values; DELETE FROM metric_overwrites;
  DELETE FROM pushes; DELETE FROM path_assignments; DELETE FROM metric_imports;" >/dev/null
echo benchpassword | bin/casereel admin create benchadmin --data "$dir/server" >/dev/null
bin/casereel serve --data "$dir/server" --port 0 --access-log 0 --timezone UTC \
	--metrics-csv-max $((4 << 30)) >"$dir/server.out" 2>"$dir/server.err" &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$dir/server.out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$dir/server.out")
token=$(curl -sf "$url/api/v1/auth/login" -H 'content-type: application/json' \
	-d '{"username":"benchadmin","password":"benchpassword"}' | jq -r .token)
kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$server_pid/status"; }
rss_before=$(kib VmRSS)
bytes=$(stat -c %s "$dir/metrics.csv")
start=$(date +%s.%N)
id=$(curl -sf "$url/api/v1/metrics/import" -H "authorization: Bearer $token" \
	-H 'content-type: text/csv' --data-binary "@$dir/metrics.csv" | jq -r .import_id)
state=queued
while [ "$state" = queued ] || [ "$state" = checking ] || [ "$state" = applying ]; do
	sleep 0.05
	state=$(curl -sf "$url/api/v1/metrics/imports/$id" -H "authorization: Bearer $token" | jq -r .state)
done
http_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
rss_peak=$(kib VmHWM)
[ "$state" = done ] || { echo "the server's import ended $state" >&2; exit 1; }

printf '%s agents x %s days x 8 series = %s rows (%s)\n\n' "$AGENTS" "$DAYS" "$rows" "$(date -u +%FT%TZ)"
printf '| figure | casereel | peer (sqlite3 .import) | ratio | goal |\n|---|---|---|---|---|\n'
printf '| CSV ingest, durable | %.0f rows/s | %.0f rows/s | %.2f | >= 100,000 rows/s |\n' \
	"$(val ingest_rate)" "$peer_rate" "$(awk -v a="$(val ingest_rate)" -v b="$peer_rate" 'BEGIN { print a / b }')"
printf '| the same file over HTTP, sent to done | %.0f rows/s (%.1f s, %.0f MB) | | %.2f | >= 100,000 rows/s |\n' \
	"$(awk -v r="$rows" -v s="$http_s" 'BEGIN { print r / s }')" "$http_s" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" \
	"$(awk -v r="$rows" -v s="$http_s" -v p="$peer_rate" 'BEGIN { print r / s / p }')"
printf '| server memory, before / peak during it | %.0f / %.0f MB | | | far below the file |\n' \
	"$(awk -v k="$rss_before" 'BEGIN { print k / 1024 }')" "$(awk -v k="$rss_peak" 'BEGIN { print k / 1024 }')"
printf '| profile p50 / p99 | %s / %s ms | | | p99 <= 20 ms (50 ms at 29 M rows) |\n' "$(val profile_p50)" "$(val profile_p99)"
printf '| push-rule pass (4 rules) | %s s, %s pushes | | | <= 2 s (30 s at 29 M rows) |\n' "$(val rule_pass)" "$(val rule_pass_fired)"
printf '| impact, 20 paths | %s s | | | <= 1 s |\n' "$(val impact_20_paths)"
