#!/usr/bin/env bash
# The learning loop against its goals (issue 13): CSV ingest rate (durable),
# agent profile p99, one full push-rule pass, impact reports for 20 paths, on a
# generated center of AGENTS agents x DAYS days x 8 metric series. The ingest
# peer is sqlite3's own CSV import of the same file into a table with the same
# key, on the same disk, in the same run (WAL, synchronous=FULL as ours).
#   bench/metrics.sh                      # 2,000 agents x 90 days (1.44 M rows)
#   AGENTS=10000 DAYS=365 bench/metrics.sh   # 29 M rows
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS=${AGENTS:-2000}
DAYS=${DAYS:-90}
make -s build/release/bench/loop_bench >/dev/null
dir=$(mktemp -d "${TMPDIR:-/tmp}/casereel-metrics-XXXXXX")
trap 'rm -rf "$dir"' EXIT

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

printf '%s agents x %s days x 8 series = %s rows (%s)\n\n' "$AGENTS" "$DAYS" "$rows" "$(date -u +%FT%TZ)"
printf '| figure | casereel | peer (sqlite3 .import) | ratio | goal |\n|---|---|---|---|---|\n'
printf '| CSV ingest, durable | %.0f rows/s | %.0f rows/s | %.2f | >= 100,000 rows/s |\n' \
	"$(val ingest_rate)" "$peer_rate" "$(awk -v a="$(val ingest_rate)" -v b="$peer_rate" 'BEGIN { print a / b }')"
printf '| profile p50 / p99 | %s / %s ms | | | p99 <= 20 ms (50 ms at 29 M rows) |\n' "$(val profile_p50)" "$(val profile_p99)"
printf '| push-rule pass (4 rules) | %s s, %s pushes | | | <= 2 s (30 s at 29 M rows) |\n' "$(val rule_pass)" "$(val rule_pass_fired)"
printf '| impact, 20 paths | %s s | | | <= 1 s |\n' "$(val impact_20_paths)"
