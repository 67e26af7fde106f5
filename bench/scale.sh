#!/usr/bin/env bash
# bench/scale.sh: casereel at enterprise scale on one machine (issue 18).
# Builds the scaled data set once (bench/seed_scale.sql on a demo database,
# plus a login session for each of the first SNAPSHOTS scale users, minted
# straight into the sessions table so no argon2id is spent before the
# measurement), keeps it in DATASET and starts the real server on a copy.
# Rows (ROWS, any subset, in this order):
#   leaderboard  GET /api/v1/leaderboards/creators?period=week as trainer1
#   analytics    GET /api/v1/analytics/videos, /users, /teams (first page)
#   sigterm      SIGTERM while the creators leaderboard runs: seconds to exit
#   idle         server CPU over IDLE_SECONDS with no requests (/proc/PID/stat)
#   feed         first feed pages at CONNECTIONS connections for FEED_SECONDS,
#                every request a viewer new to the server (cold p50/p90/p99,
#                from a pool of COLD_POOL sessions), then VIEWERS viewers'
#                first page again and again (warm p99). The load is wrk with
#                bench/scale_feed.lua: node's client spent more CPU per
#                request than the server's warm page, on the same 2 cores,
#                and its queue was most of what it timed (its figures are
#                still printed, as notes)
#   restart      SIGTERM, start again: ms to the first answered feed page
#   rss          RSS after SNAPSHOTS distinct viewers' feed pages (snapshots)
#   endpoints    every trainer/admin GET of `casereel routes`: ms each
#   rush         RUSH logins (argon2id as configured) at CONNECTIONS while
#                the VIEWERS viewers read the feed: logins' wall time, the
#                feed's p99 meanwhile
# It prints one table: row, measured, goal, met.
#
# usage: bench/scale.sh          env:
#   USERS=100000 CLIPS=100000 WATCHES=5000000 TEAMS=200   data set sizes
#   DATASET=/tmp/casereel-scale-U-C-W.db  the built data set (reused)
#   VIEWERS=300 CONNECTIONS=32 SNAPSHOTS=8192 IDLE_SECONDS=20 RUSH=1000
#   COLD_POOL=12000 FEED_SECONDS=3
#   ROWS="leaderboard analytics sigterm idle feed restart rss endpoints rush"
#   MAX_TIME=120     curl --max-time per measured request
#   SKIP_BUILD=0     1: do not run `make bin/casereel` first
#   KEEP_TMP=0       1: keep the run directory (logs, answers)
#   SERVER_ARGS=""   extra `casereel serve` arguments
# Exit status: 0 ok, 1 a broken run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
USERS=${USERS:-100000}
CLIPS=${CLIPS:-100000}
WATCHES=${WATCHES:-5000000}
TEAMS=${TEAMS:-200}
DATASET=${DATASET:-/tmp/casereel-scale-$USERS-$CLIPS-$WATCHES.db}
VIEWERS=${VIEWERS:-300}
CONNECTIONS=${CONNECTIONS:-32}
SNAPSHOTS=${SNAPSHOTS:-8192}
IDLE_SECONDS=${IDLE_SECONDS:-20}
RUSH=${RUSH:-1000}
COLD_POOL=${COLD_POOL:-12000}
FEED_SECONDS=${FEED_SECONDS:-3}
ROWS=${ROWS:-leaderboard analytics sigterm idle feed restart rss endpoints rush}
MAX_TIME=${MAX_TIME:-120}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_TMP=${KEEP_TMP:-0}
SERVER_ARGS=${SERVER_ARGS:-}
BIN=$repo/bin/casereel
HOST=127.0.0.1
LOAD="node $here/scale_load.mjs"

die() { echo "bench/scale.sh: FAIL: $*" >&2; exit 1; }
note() { echo "bench/scale.sh: $*" >&2; }
for t in sqlite3 curl node python3 wrk; do command -v "$t" >/dev/null || die "$t is missing"; done
((SNAPSHOTS >= VIEWERS)) || die "SNAPSHOTS must be at least VIEWERS"
((USERS >= SNAPSHOTS + RUSH + COLD_POOL)) || die "USERS must cover SNAPSHOTS + RUSH + COLD_POOL"

tmp=$(mktemp -d /tmp/casereel-scale.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	if [[ $KEEP_TMP == 1 ]]; then note "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

stop_pid() { # pid: TERM, wait up to 20 s, then KILL
	local p=$1 i
	kill -TERM "$p" 2>/dev/null || true
	for i in $(seq 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

[[ $SKIP_BUILD == 1 ]] || make -C "$repo" -s bin/casereel >&2 || die "make bin/casereel failed"

# launch DIR [ARGS...]: the server on DIR/data; sets pid, port, base.
launch() {
	local dir=$1 i
	shift
	: >"$dir/stdout"
	# shellcheck disable=SC2086
	"$BIN" serve --bind "$HOST" --port 0 --data "$dir/data" --access-log 0 $SERVER_ARGS "$@" \
		>>"$dir/stdout" 2>>"$dir/stderr" &
	pid=$!
	pids+=("$pid")
	port=""
	for i in $(seq 30000); do # migrations of a large set take minutes
		port=$(sed -n "s|^casereel listening on http://$HOST:\([0-9][0-9]*\).*|\1|p" "$dir/stdout")
		[[ -n $port ]] && break
		kill -0 "$pid" 2>/dev/null || { cat "$dir/stderr" >&2; die "casereel exited at start-up"; }
		sleep 0.02
	done
	[[ -n $port ]] || die "casereel did not print its port"
	base=http://$HOST:$port
}

ms_now() { date +%s%3N; }

# ------------------------------------------------------------- data set
# mint_sessions DB FROM TO: a login session for scale users FROM..TO-1 that
# lack one: token "scale-bench-<i, 31 digits>" (43 characters like a real
# one), stored as BLAKE2b-256 as auth.c does
mint_sessions() {
	python3 - "$2" "$3" <<'PY' | sqlite3 "$1" || die "sessions failed"
import hashlib, sys
print("BEGIN;")
for i in range(int(sys.argv[1]), int(sys.argv[2])):
    h = hashlib.blake2b(("scale-bench-%031d" % i).encode(), digest_size=32).hexdigest()
    print("INSERT OR IGNORE INTO sessions(token_hash, user_id, created_at, expires_at) SELECT x'%s',"
          " id, unixepoch(), 4102444800 FROM users WHERE username = 'scale%d';" % (h, i))
print("COMMIT;")
PY
}
build_dataset() {
	local d=$tmp/build
	mkdir -p "$d/data"
	chmod 700 "$d/data"
	note "building the data set ($USERS users, $CLIPS clips, $WATCHES watches) into $DATASET"
	launch "$d" --demo --seed "$repo/seeds/demo.json" --demo-clips 0
	stop_pid "$pid"
	sqlite3 "$d/data/casereel.db" -cmd ".parameter set @users $USERS" \
		-cmd ".parameter set @clips $CLIPS" -cmd ".parameter set @watches $WATCHES" \
		-cmd ".parameter set @teams $TEAMS" <"$here/seed_scale.sql" >"$d/seed.out" 2>&1 ||
		{ cat "$d/seed.out" >&2; die "bench/seed_scale.sql failed"; }
	mint_sessions "$d/data/casereel.db" 0 "$SNAPSHOTS"
	sqlite3 "$d/data/casereel.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
	mv "$d/data/casereel.db" "$DATASET"
	rm -rf "$d"
}
# brings DATASET to this binary's schema and search index in place (a hard
# link as the data directory's database), so each run's copy starts at once
# and no backlog is indexed while a run measures
prepare_dataset() {
	local d=$tmp/prepare i
	mkdir -p "$d/data"
	chmod 700 "$d/data"
	ln "$DATASET" "$d/data/casereel.db"
	note "bringing $DATASET up to date (migrations, search index)"
	launch "$d"
	for i in $(seq 3600); do
		grep -q "search: the index holds every clip" "$d/stderr" && break
		grep -q "search: indexing clips" "$d/stderr" || { ((i < 20)) || break; }
		sleep 1
	done
	stop_pid "$pid"
	rm -rf "$d"
}
[[ -s $DATASET ]] || build_dataset
prepare_dataset
# the cold feed's viewers: after the rush's users, never used for anything else
cold_from=$((SNAPSHOTS + RUSH))
mint_sessions "$DATASET" "$cold_from" $((cold_from + COLD_POOL))
n_sessions=$(sqlite3 "$DATASET" "SELECT count(*) FROM sessions WHERE expires_at = 4102444800")
((n_sessions >= SNAPSHOTS)) || die "$DATASET has $n_sessions bench sessions, fewer than SNAPSHOTS; delete it"
for i in $(seq 0 $((SNAPSHOTS - 1))); do printf 'scale-bench-%031d\n' "$i"; done >"$tmp/all_tokens"
head -n "$VIEWERS" "$tmp/all_tokens" >"$tmp/viewers"
for i in $(seq "$cold_from" $((cold_from + COLD_POOL - 1))); do printf 'scale-bench-%031d\n' "$i"; done >"$tmp/cold_pool"

run=$tmp/run
mkdir -p "$run/data"
chmod 700 "$run/data"
cp "$DATASET" "$run/data/casereel.db"
note "first start on a copy (migrations of a new binary run here)"
t0=$(ms_now)
launch "$run"
first_start_ms=$(($(ms_now) - t0))

login() { # USER: prints a token (password demo1234)
	curl -sS --max-time 30 -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"demo1234\"}" "$base/api/v1/auth/login" |
		sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([A-Za-z0-9_-]*\)".*/\1/p'
}
trainer=$(login trainer1)
admin=$(login admin)
[[ -n $trainer && -n $admin ]] || die "trainer1/admin login failed"

# timed TOKEN PATH: prints "ms status bytes" of one GET
timed() {
	curl -sS --max-time "$MAX_TIME" -o "$tmp/answer" -H "Authorization: Bearer $1" \
		-w '%{time_total} %{http_code} %{size_download}\n' "$base$2" 2>/dev/null |
		awk '{ printf "%.1f %s %s\n", $1 * 1000, $2, $3 }' || echo "$MAX_TIME""000 timeout 0"
}

table=()
row() { table+=("$1|$2|$3|$4"); } # name measured goal met
met_le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0) ? "yes" : "NO" }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

want() { [[ " $ROWS " == *" $1 "* ]]; }

# get_row NAME PATH GOAL_MS TOKEN
get_row() {
	local r ms code bytes
	r=$(timed "$4" "$2")
	read -r ms code bytes <<<"$r"
	note "$1: $ms ms, status $code, $bytes bytes"
	if [[ $code == 200 ]]; then
		row "$1" "$ms ms ($bytes B)" "≤ $3 ms" "$(met_le "$ms" "$3")"
	else
		row "$1" "status $code after $ms ms" "≤ $3 ms" NO
	fi
}

if want leaderboard; then
	get_row "GET leaderboards/creators?period=week" "/api/v1/leaderboards/creators?period=week" 200 "$trainer"
	get_row "GET leaderboards/learners?period=week" "/api/v1/leaderboards/learners?period=week" 200 "$trainer"
fi
if want analytics; then
	get_row "GET analytics/videos" /api/v1/analytics/videos 300 "$trainer"
	get_row "GET analytics/users" /api/v1/analytics/users 300 "$trainer"
	get_row "GET analytics/teams" /api/v1/analytics/teams 200 "$trainer"
fi
if want idle; then
	sleep 5 # what start-up and the requests above set off settles (a catalogue refresh)
	c0=$(cpu_ticks "$pid")
	sleep "$IDLE_SECONDS"
	c1=$(cpu_ticks "$pid")
	idle=$(awk -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v s="$IDLE_SECONDS" \
		'BEGIN { printf "%.2f", 100 * d / hz / s }')
	row "idle server CPU (${IDLE_SECONDS} s)" "$idle% of a core" "≤ 1%" "$(met_le "$idle" 1)"
fi
if want feed; then
	# one page for a viewer outside the measured ones: the catalogue's first
	# build (which the restart row times) is done before cold pages are timed
	curl -sS --max-time "$MAX_TIME" -o /dev/null -H "Authorization: Bearer $(tail -n 1 "$tmp/all_tokens")" \
		"$base/api/v1/feed?limit=10" || true
	# feed_wrk TOKENS ONCE: FEED_SECONDS of first pages; prints wrk's JSON line
	feed_wrk() {
		FEED_TOKENS=$1 FEED_ONCE=$2 FEED_THREADS=2 FEED_PATH='/api/v1/feed?limit=10' \
			wrk -t 2 -c "$CONNECTIONS" -d "${FEED_SECONDS}s" -s "$here/scale_feed.lua" "$base" | tail -n 1
	}
	cold=$(feed_wrk "$tmp/cold_pool" 1)
	node_cold=$($LOAD get "$base/api/v1/feed?limit=10" "$tmp/viewers" "$CONNECTIONS" 1)
	node_warm=$($LOAD get "$base/api/v1/feed?limit=10" "$tmp/viewers" "$CONNECTIONS" 3)
	warm=$(feed_wrk "$tmp/viewers" 0)
	note "feed cold (wrk): $cold"
	note "feed warm (wrk): $warm"
	note "feed cold, $VIEWERS viewers (node client): $node_cold"
	note "feed warm, $VIEWERS viewers x 3 (node client): $node_warm"
	jf() { node -e "const j=JSON.parse(process.argv[1]);console.log(j['$2'])" "$1"; }
	[[ $(jf "$cold" exhausted) == 0 ]] || die "the cold pool ran out: raise COLD_POOL"
	[[ $(jf "$cold" failed) == 0 && $(jf "$warm" failed) == 0 ]] || die "feed requests failed"
	row "feed cold: $(jf "$cold" requests) viewers new to the server, $CONNECTIONS conns, ${FEED_SECONDS} s" \
		"p50 $(jf "$cold" p50), p90 $(jf "$cold" p90), p99 $(jf "$cold" p99) ms" "p99 ≤ 50 ms" \
		"$(met_le "$(jf "$cold" p99)" 50)"
	row "feed warm: $VIEWERS viewers again, $(jf "$warm" requests) pages, $CONNECTIONS conns" \
		"p50 $(jf "$warm" p50), p99 $(jf "$warm" p99) ms" "p99 ≤ 10 ms" \
		"$(met_le "$(jf "$warm" p99)" 10)"
fi
if want sigterm; then
	curl -sS --max-time 60 -o /dev/null -H "Authorization: Bearer $trainer" \
		"$base/api/v1/leaderboards/creators?period=month" 2>/dev/null &
	slow=$!
	sleep 0.5
	t0=$(ms_now)
	kill -TERM "$pid"
	for i in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	gone=$(($(ms_now) - t0))
	kill -0 "$pid" 2>/dev/null && { gone=">30000"; kill -KILL "$pid"; }
	wait "$pid" 2>/dev/null || true
	wait "$slow" 2>/dev/null || true
	row "SIGTERM during the creators leaderboard" "exit after $gone ms" "≤ 10000 ms" \
		"$(met_le "${gone#>}" 10000)"
	launch "$run"
	trainer=$(login trainer1)
	admin=$(login admin)
fi
if want restart; then
	stop_pid "$pid"
	t0=$(ms_now)
	launch "$run"
	tok=$(head -n 1 "$tmp/viewers")
	for i in $(seq 3000); do
		code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
			"$base/api/v1/feed?limit=10" || true)
		[[ $code == 200 ]] && break
		sleep 0.02
	done
	restart=$(($(ms_now) - t0))
	row "restart to the first answered feed page" "$restart ms" "" ""
	row "first start on the data set (schema upgrade)" "$first_start_ms ms to listening" "" ""
	trainer=$(login trainer1)
	admin=$(login admin)
fi
if want rss; then
	r0=$(rss_mb "$pid")
	out=$($LOAD get "$base/api/v1/feed?limit=10" "$tmp/all_tokens" "$CONNECTIONS" 1)
	note "rss: $SNAPSHOTS viewers: $out"
	row "RSS with $SNAPSHOTS viewer snapshots" "$(rss_mb "$pid") MB (before: $r0 MB)" "" ""
fi
if want endpoints; then
	uid=$(sqlite3 "$run/data/casereel.db" "SELECT id FROM users WHERE username = 'scale7'")
	vid=$(sqlite3 "$run/data/casereel.db" "SELECT max(id) FROM videos WHERE status = 'published'")
	first_id() { # TABLE
		sqlite3 "$run/data/casereel.db" "SELECT COALESCE(min(id), 0) FROM $1" 2>/dev/null || echo 0
	}
	while read -r method path role _; do
		[[ $method == GET && ($role == trainer || $role == admin) ]] || continue
		tok=$trainer
		[[ $role == admin ]] && tok=$admin
		p=$path
		case $path in
		*/users/\{id\}) p=${path/\{id\}/$uid} ;;
		*/videos/\{id\}) p=${path/\{id\}/$vid} ;;
		*/assignments/\{id\}) p=${path/\{id\}/$(first_id assignments)} ;;
		*/paths/\{id\}*) p=${path/\{id\}/$(first_id paths)} ;;
		*/push-rules/\{id\}) p=${path/\{id\}/$(first_id push_rules)} ;;
		*/imports/\{id\}) p=${path/\{id\}/$(first_id metric_imports)} ;;
		*/leaderboards/\{board\}) p=${path/\{board\}/learners} ;;
		esac
		[[ $p == *"{"* ]] && continue
		read -r ms code bytes <<<"$(timed "$tok" "$p")"
		row "GET $p ($role)" "$ms ms, $code, $bytes B" "" ""
	done < <("$BIN" routes)
fi
if want rush; then
	sed -n "$((SNAPSHOTS + 1)),$((SNAPSHOTS + RUSH))p" <(for i in $(seq 0 $((USERS - 1))); do echo "scale$i"; done) \
		>"$tmp/rush_users"
	$LOAD login "$base/api/v1/auth/login" "$tmp/rush_users" "$CONNECTIONS" demo1234 >"$tmp/rush.json" &
	rush=$!
	feed=$($LOAD get "$base/api/v1/feed?limit=10" "$tmp/viewers" 8 10)
	wait "$rush"
	logins=$(cat "$tmp/rush.json")
	note "rush logins: $logins; feed meanwhile: $feed"
	lw=$(node -e "const j=JSON.parse(process.argv[1]);console.log((j.wall_ms/1000).toFixed(1)+' s, '+j.failed+' failed')" "$logins")
	fp=$(node -e "console.log(JSON.parse(process.argv[1]).p99)" "$feed")
	row "$RUSH logins at $CONNECTIONS conns" "$lw" "≤ 30 s" \
		"$(met_le "${lw%% s*}" 30)"
	row "feed p99 during the logins (8 conns)" "$fp ms" "p99 ≤ 50 ms" "$(met_le "$fp" 50)"
fi
stop_pid "$pid"

echo
echo "bench/scale.sh $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(git -C "$repo" rev-parse --short HEAD)"
echo "data set: $(sqlite3 "$run/data/casereel.db" "SELECT (SELECT count(*) FROM users) || ' users, ' || (SELECT count(*) FROM videos WHERE status = 'published') || ' published clips, ' || (SELECT count(*) FROM watches) || ' watches, ' || (SELECT count(*) FROM likes) || ' likes, ' || (SELECT count(*) FROM point_transfers) || ' transfers, ' || (SELECT count(*) FROM checkins) || ' check-ins'")"
echo
echo "| row | measured | goal | met |"
echo "|---|---|---|---|"
for r in "${table[@]}"; do
	IFS='|' read -r a b c d <<<"$r"
	echo "| $a | $b | $c | $d |"
done
