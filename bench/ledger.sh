#!/usr/bin/env bash
# bench/ledger.sh: points transfers per second sustained by CLIENTS
# concurrent clients, each POSTing tips (one ledger transfer, one tip row,
# one idempotency key each) with a fresh Idempotency-Key, against a real
# casereel with durable commits (journal_mode=WAL, synchronous=FULL: every
# acknowledged tip was fsynced). Tips go through the ledger's group commit:
# each in its own savepoint, many per BEGIN IMMEDIATE ... COMMIT.
#
# usage: bench/ledger.sh
# env:
#   CLIENTS=32      concurrent clients (wrk -c: keep-alive connections)
#   WRK_THREADS=2   wrk -t
#   DURATION=10     measured seconds
#   WARMUP=2        unmeasured seconds first
#   GOAL=2000       transfers/s the run must reach (reported, exit 3 with STRICT=1)
#   STRICT=0
#   HTTP_THREADS="" casereel --http-threads; empty for its default. A
#                   points write waiting for its batch's commit holds no
#                   HTTP thread (its connection is parked), so the batch
#                   size is bounded by the clients, not the threads.
#   SKIP_BUILD=0    1: do not run make first
#   KEEP_TMP=0      1: keep the data dir
# The load is wrk with bench/ledger.lua (fresh Idempotency-Key per request).
# transfers/s is counted in the database: new point_transfers rows over the
# measured window. Needs wrk, sqlite3, curl and jq.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
CLIENTS=${CLIENTS:-32}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
GOAL=${GOAL:-2000}
STRICT=${STRICT:-0}
HTTP_THREADS=${HTTP_THREADS-}
WRK_THREADS=${WRK_THREADS:-2}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_TMP=${KEEP_TMP:-0}

[ "$SKIP_BUILD" = 1 ] || make -C "$repo" -s bin/casereel >/dev/null
tmp=$(mktemp -d /tmp/casereel-ledger-bench.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	[ "$KEEP_TMP" = 1 ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

# --rate-tips 0/0: the per-user tip budget (a burst of 10 a minute by
# default) would refuse all but a few of a load generator's tips; this
# measures the ledger, not the budget
args=(serve --port 0 --data "$tmp" --seed "$repo/seeds/demo.json" --demo --demo-clips 0
	--transcode-workers 0 --access-log 0 --rate-tips 0/0)
[ -n "$HTTP_THREADS" ] && args+=(--http-threads "$HTTP_THREADS")
"$repo/bin/casereel" "${args[@]}" >"$tmp/stdout" 2>"$tmp/stderr" &
pid=$!
for _ in $(seq 100); do
	port=$(grep -o 'listening on http://[^ ]*' "$tmp/stdout" 2>/dev/null | grep -o '[0-9]*$' || true)
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { echo "server did not start:"; cat "$tmp/stderr"; exit 1; }
url="http://127.0.0.1:$port"
db="$tmp/casereel.db"

# A published clip owned by the admin for the agents to tip, and rules that
# never refuse a tip (a huge company-funded allowance, no pair cap), so every
# request is one transfer. Test-only setup straight in the database.
sqlite3 -cmd '.timeout 10000' "$db" "
  INSERT INTO videos(owner_id, title, status, source_bytes, duration, created_at, updated_at, published_at)
    SELECT id, 'Ledger bench clip', 'published', 0, 60, strftime('%s'), strftime('%s'), strftime('%s')
    FROM users WHERE username = 'admin';
  UPDATE points_rules SET free_tip_points = 1000000000, tip_pair_cap = 1000000000 WHERE id = 1;"
video=$(sqlite3 "$db" "SELECT MAX(id) FROM videos")
tokens=
for u in agent1 agent2 agent3 agent4 agent5 agent6 agent7 agent8; do
	t=$(curl -sf "$url/api/v1/auth/login" -H 'content-type: application/json' \
		-d "{\"username\":\"$u\",\"password\":\"demo1234\"}" | jq -r .token)
	tokens="$tokens${tokens:+,}$t"
done

export LEDGER_VIDEO=$video LEDGER_TOKENS=$tokens
wrk_run() { wrk -t "$WRK_THREADS" -c "$CLIENTS" -d "$1" -s "$here/ledger.lua" "$url" ; }
[ "$WARMUP" -gt 0 ] && wrk_run "$WARMUP" >/dev/null
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; } # utime + stime, clock ticks
before=$(sqlite3 -cmd '.timeout 10000' "$db" "SELECT COUNT(*) FROM point_transfers")
cpu0=$(cpu)
out=$(wrk_run "$DURATION")
cpu1=$(cpu)
after=$(sqlite3 -cmd '.timeout 10000' "$db" "SELECT COUNT(*) FROM point_transfers")
sum=$(sqlite3 -cmd '.timeout 10000' "$db" "SELECT SUM(balance) FROM point_accounts")
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

line=$(echo "$out" | grep '^LEDGER ')
[ -n "$line" ] || { echo "wrk failed:"; echo "$out"; exit 1; }
echo "$out" | grep -E 'Socket errors' || true
secs=$(echo "$line" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
non201=$(echo "$line" | sed 's/.*non201=\([0-9]*\).*/\1/')
rate=$(awk -v n=$((after - before)) -v s="$secs" 'BEGIN { printf "%d", n / s }')
echo "$line"
echo "transfers committed in the measured window: $((after - before)); sum of balances: $sum"
awk -v t=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" -v n=$((after - before)) -v s="$secs" 'BEGIN {
	printf "server CPU: %.2f cores busy, %.3f ms per transfer; machine load average: %s\n",
		t / hz / s, n ? t / hz * 1000 / n : 0, "'"$(cut -d' ' -f1-3 /proc/loadavg)"'" }'
echo "ledger: $rate transfers/s sustained with $CLIENTS clients, durable commits" \
	"(http threads: ${HTTP_THREADS:-default}; goal $GOAL/s)"
[ "$non201" = 0 ] || { echo "broken run: $non201 tips were not 201"; exit 1; }
[ "$sum" = 0 ] || { echo "ledger broken: balances sum to $sum"; exit 1; }
if [ "$rate" -lt "$GOAL" ]; then
	echo "below goal"
	[ "$STRICT" = 1 ] && exit 3
fi
exit 0
