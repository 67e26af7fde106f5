#!/usr/bin/env bash
# bench/http.sh: casereel vs nginx serving the same bytes as static files,
# both on 127.0.0.1, measured one after the other with wrk. Targets (rows):
#   me     GET /api/v1/me as agent1 (demo seed)
#   feed   GET /api/v1/feed?limit=10 as bench5 on a catalogue of 10,000
#          published clips, 2,000 users, 1,000,000 watch events
#          (bench/seed_feed.sql); nginx serves one saved answer
#   feedgz the same with "Accept-Encoding: gzip": casereel gzips each answer
#          (level 1), nginx the saved one with gzip on at the same level; the
#          report's "gzip cost" line is the server CPU per request it adds
#   range  1 MiB Range requests (random 1 MiB-aligned offsets, seeded, see
#          bench/range.lua) on the 720p.mp4 of a clip uploaded through
#          POST /api/v1/videos and fetched by its signed URL; nginx serves the
#          same file (a hard link: same inode) under the same path
# Every casereel target reports the server's peak RSS under load.
#
# usage: bench/http.sh            (or: make bench-http)
# env:
#   TARGETS="me feed range"  rows to measure (any subset; feedgz too)
#   DURATION=10        seconds per measured run (wrk -d)
#   WARMUP=2           seconds of unmeasured load per target before its run
#   CONNECTIONS=64     wrk -c
#   WRK_THREADS=2      wrk -t
#   HTTP_THREADS=""    casereel --http-threads; a list ("1 2 4") measures
#                      one casereel row per value; empty: casereel's default
#   ROUNDS=1           measure every target this many times (alternating)
#                      and report medians
#   QUIET_WAIT=60      seconds to wait for other CPU load to go away before
#                      each run (then measure anyway, with a warning)
#   GOAL=0.6           me: required casereel/nginx req/s ratio (issue 15)
#   FEED_GOAL=0.5      feed: required casereel/nginx req/s ratio ...
#   FEED_P99_MS=20     ... and the largest casereel p99
#   FEEDGZ_GOAL=0.5    feedgz: required casereel/nginx req/s ratio
#   RANGE_GOAL=0.9     range: required casereel/nginx MiB/s ratio
#   RANGE_SEED=12345   seed of the range offsets (same for both servers)
#   STRICT=0           1: exit 3 when a goal is missed
#   SKIP_BUILD=0       1: do not run `make bin/casereel` first
#   KEEP_TMP=0         1: keep the temp dir (logs, nginx.conf, wrk output)
# Exit status: 0 ok, 1 a broken run (no token, non-2xx or non-206, socket
# errors, a server that died...), 3 a goal missed with STRICT=1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
HTTP_THREADS=${HTTP_THREADS:-}
GOAL=${GOAL:-0.6}
STRICT=${STRICT:-0}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_TMP=${KEEP_TMP:-0}
ROUNDS=${ROUNDS:-1}
QUIET_WAIT=${QUIET_WAIT:-60}
NGINX=${NGINX:-/usr/sbin/nginx}
SEED=${SEED:-$repo/seeds/demo.json}
TARGETS=${TARGETS:-me feed range}
FEED_GOAL=${FEED_GOAL:-0.5}
FEED_P99_MS=${FEED_P99_MS:-20}
FEEDGZ_GOAL=${FEEDGZ_GOAL:-0.5}
RANGE_GOAL=${RANGE_GOAL:-0.9}
RANGE_SEED=${RANGE_SEED:-12345}
FEED_SQL=$here/seed_feed.sql
RANGE_LUA=$here/range.lua
BIN=$repo/bin/casereel
HOST=127.0.0.1

die() { echo "bench/http.sh: FAIL: $*" >&2; exit 1; }
note() { echo "bench/http.sh: $*" >&2; }

read -r -a targets <<<"$TARGETS"
((${#targets[@]})) || die "TARGETS is empty"
want_feed=0 want_range=0 want_gzip=0
for t in "${targets[@]}"; do
	case $t in
	me) ;;
	feed) want_feed=1 ;;
	feedgz) want_feed=1 want_gzip=1 ;;
	range) want_range=1 ;;
	*) die "unknown target '$t' in TARGETS (me, feed, feedgz, range)" ;;
	esac
done
tools=(wrk curl awk cmp "$NGINX")
((want_feed)) && tools+=(sqlite3)
((want_range)) && tools+=(ffmpeg)
((want_gzip)) && tools+=(gzip)
for tool in "${tools[@]}"; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done
((want_feed == 0)) || [[ -r $FEED_SQL ]] || die "$FEED_SQL is missing"
((want_range == 0)) || [[ -r $RANGE_LUA ]] || die "$RANGE_LUA is missing"
[[ $RANGE_SEED =~ ^[0-9]+$ ]] || die "RANGE_SEED must be an integer"
[[ $DURATION =~ ^[0-9]+$ && $DURATION -gt 0 ]] || die "DURATION must be a positive integer"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be an integer"
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -gt 0 ]] || die "ROUNDS must be a positive integer"
[[ $QUIET_WAIT =~ ^[0-9]+$ ]] || die "QUIET_WAIT must be an integer"

# ---------------------------------------------------------------- clean-up
# Neither the temp dir nor the server's process name says "casereel": other
# jobs on a shared box may stop their servers by name (pkill -f casereel).
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crbench.XXXXXX")
pids=()     # every server process we started
sampler=""  # the RSS sampler of the current run

cleanup() {
	local rc=$?
	set +e
	[[ -n $sampler ]] && kill "$sampler" 2>/dev/null
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [[ $KEEP_TMP == 1 || $rc == 1 ]]; then
		note "temp files kept in $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stop_pid() { # pid: TERM, wait up to 5 s, then KILL
	local p=$1 i
	kill -TERM "$p" 2>/dev/null || true
	for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	local keep=()
	for i in "${pids[@]}"; do [[ $i == "$p" ]] || keep+=("$i"); done
	pids=("${keep[@]}")
}

# ------------------------------------------------------------------- build
if [[ $SKIP_BUILD != 1 ]]; then
	# only the server: a broken transcode/ build must not stop the benchmark
	make -C "$repo" -s bin/casereel >&2 || die "make bin/casereel failed"
fi
[[ -x $BIN ]] || die "$BIN is missing; run make"
mkdir -p "$tmp/bin"
cp "$BIN" "$tmp/bin/crserver" # the same bytes under another name (see tmp above)
SERVER=$tmp/bin/crserver

# ---------------------------------------------------------------- helpers
# The pid and its direct children (nginx: master + workers), without
# external commands: the RSS sampler should cost next to nothing.
family() {
	local f line out=$1
	for f in /proc/"$1"/task/*/children; do
		line=""
		read -r line <"$f" 2>/dev/null || true # no newline at its end
		out+=" $line"
	done
	echo "$out"
}

# "VmRSS RssAnon" of a process and its direct children, in KiB. Shared pages
# of the nginx workers count once per worker; RssAnon leaves out the pages of
# mapped files (shared libraries).
rss_kib() {
	local p k v total=0 anon=0
	for p in $(family "$1"); do
		while read -r k v _; do
			case $k in
			VmRSS:) total=$((total + v)) ;;
			RssAnon:) anon=$((anon + v)); break ;;
			esac
		done <"/proc/$p/status" 2>/dev/null || true
	done
	echo "$total $anon"
}

# CPU ticks (utime+stime) of a process and its direct children.
cpu_ticks() {
	local p f total=0
	for p in $(family "$1"); do
		# fields after the ")" that ends the command name; utime and stime are 14 and 15
		read -r -a f <<<"$(cat "/proc/$p/stat" 2>/dev/null | sed 's/.*) //')"
		((${#f[@]} > 12)) && total=$((total + f[11] + f[12]))
	done
	echo "$total"
}

# Busy CPU ticks of the whole machine (all but idle and iowait).
busy_ticks() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# Samples rss_kib every 0.2 s into $2 as the running maxima.
start_sampler() {
	local pid=$1 out=$2
	(
		max=0 amax=0
		while kill -0 "$pid" 2>/dev/null; do
			read -r r a <<<"$(rss_kib "$pid")"
			if ((r > max || a > amax)); then
				((r > max)) && max=$r
				((a > amax)) && amax=$a
				echo "$max $amax" >"$out.tmp" && mv "$out.tmp" "$out"
			fi
			sleep 0.2
		done
	) &
	sampler=$!
}
stop_sampler() {
	[[ -n $sampler ]] && { kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; }
	sampler=""
}

wait_http() { # url pid: until the url answers at all, or the pid dies
	local i
	for i in $(seq 100); do
		kill -0 "$2" 2>/dev/null || return 1
		curl -s -o /dev/null --max-time 1 "$1" && return 0
		sleep 0.1
	done
	return 1
}

# --------------------------------------------------------------- casereel
MiB=1048576

# launch_casereel DIR [ARGS...]: starts the server on DIR/data (a new
# database gets the demo seed); sets cr_pid and cr_port.
launch_casereel() {
	local dir=$1 usage i
	shift
	local args=(serve --bind "$HOST" --port 0 --data "$dir/data" --access-log 0 "$@")
	[[ -e $dir/data/casereel.db ]] || args+=(--demo --seed "$SEED")
	# no demo video clips: making them transcodes for a minute on both cores
	usage=$("$SERVER" 2>&1 || true)
	[[ $usage == *--demo-clips* ]] && args+=(--demo-clips 0)
	: >"$dir/stdout"
	"$SERVER" "${args[@]}" >>"$dir/stdout" 2>>"$dir/stderr" &
	cr_pid=$!
	pids+=("$cr_pid")
	cr_port=""
	for i in $(seq 300); do
		cr_port=$(sed -n "s|^casereel listening on http://$HOST:\([0-9][0-9]*\).*|\1|p" "$dir/stdout")
		[[ -n $cr_port ]] && break
		kill -0 "$cr_pid" 2>/dev/null || { cat "$dir/stderr" >&2; die "casereel exited at start-up"; }
		sleep 0.1
	done
	[[ -n $cr_port ]] || { cat "$dir/stderr" >&2; die "casereel did not print its port in 30 s"; }
}

# login PORT USER OUT: prints the token of USER (password demo1234).
login() {
	local code tok
	code=$(curl -sS --max-time 30 -o "$3" -w '%{http_code}' -H 'Content-Type: application/json' \
		-d "{\"username\":\"$2\",\"password\":\"demo1234\"}" \
		"http://$HOST:$1/api/v1/auth/login") || die "login request of $2 failed"
	[[ $code == 200 ]] || { cat "$3" >&2; die "login of $2 answered $code"; }
	tok=$(sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([A-Za-z0-9_-]*\)".*/\1/p' "$3")
	[[ ${#tok} -ge 16 ]] || { cat "$3" >&2; die "no token in the login answer of $2"; }
	echo "$tok"
}

# get_ok URL TOKEN OUT: GET that must answer 200 with a non-empty body.
get_ok() {
	local code
	code=$(curl -sS --max-time 30 -o "$3" -w '%{http_code}' -H "Authorization: Bearer $2" "$1") ||
		die "GET $1 failed"
	[[ $code == 200 ]] || { cat "$3" >&2; die "GET $1 answered $code"; }
	[[ -s $3 ]] || die "GET $1 answered an empty body"
}

# gzip_check URL TOKEN OUT: a GET with "Accept-Encoding: gzip" that must
# answer 200 with "Content-Encoding: gzip" and a body gzip reads.
gzip_check() {
	local code
	code=$(curl -sS --max-time 30 -o "$3" -D "$3.headers" -w '%{http_code}' -H "Authorization: Bearer $2" \
		-H 'Accept-Encoding: gzip' "$1") || die "GET $1 (gzip) failed"
	[[ $code == 200 ]] || die "GET $1 (gzip) answered $code"
	grep -qi '^content-encoding: gzip' "$3.headers" || die "GET $1 (gzip) answered without gzip"
	gzip -t "$3" 2>/dev/null || die "GET $1 (gzip) answered a body gzip cannot read"
}

# The data directory every casereel server starts from (a copy each):
# migrations + demo seed, the feed catalogue, one uploaded clip.
tpl=$tmp/tpl
video_id=""
prepare_template() {
	mkdir -p "$tpl/data"
	chmod 700 "$tpl/data"
	launch_casereel "$tpl"
	stop_pid "$cr_pid" # migrations ran, the demo users exist
	if ((want_feed)); then
		note "seeding the feed catalogue ($FEED_SQL, ~10 s)"
		sqlite3 "$tpl/data/casereel.db" <"$FEED_SQL" >"$tpl/seed.out" 2>&1 ||
			{ cat "$tpl/seed.out" >&2; die "bench/seed_feed.sql failed"; }
		local counts
		counts=$(sqlite3 "$tpl/data/casereel.db" "SELECT (SELECT count(*) FROM videos WHERE status = 'published')
			|| ' published clips, ' || (SELECT count(*) FROM users) || ' users, '
			|| (SELECT count(*) FROM watches) || ' watch rows'")
		note "catalogue: $counts"
	fi
	if ((want_range)); then
		note "making a 24 s 720x1280 test clip with ffmpeg"
		ffmpeg -nostdin -y -loglevel error \
			-f lavfi -i "testsrc2=size=720x1280:rate=30:duration=24,noise=alls=40:allf=t" \
			-f lavfi -i "sine=frequency=440:duration=24" \
			-c:v libx264 -preset ultrafast -b:v 8M -pix_fmt yuv420p -c:a aac -shortest \
			-movflags +faststart "$tmp/clip.mp4" 2>"$tmp/ffmpeg.err" ||
			{ cat "$tmp/ffmpeg.err" >&2; die "ffmpeg could not make the test clip"; }
		launch_casereel "$tpl"
		local tok code i status=""
		tok=$(login "$cr_port" agent1 "$tpl/login.json")
		code=$(curl -sS --max-time 120 -o "$tpl/upload.json" -w '%{http_code}' \
			-H "Authorization: Bearer $tok" -H 'Content-Type: video/mp4' \
			--data-binary @"$tmp/clip.mp4" "http://$HOST:$cr_port/api/v1/videos") || die "upload failed"
		[[ $code == 20[01] || $code == 202 ]] || { cat "$tpl/upload.json" >&2; die "upload answered $code"; }
		video_id=$(sed -n 's/^{"id":\([0-9][0-9]*\),.*/\1/p' "$tpl/upload.json")
		[[ -n $video_id ]] || { cat "$tpl/upload.json" >&2; die "no video id in the upload answer"; }
		note "uploaded clip $video_id; waiting for the transcode"
		for i in $(seq 600); do
			get_ok "http://$HOST:$cr_port/api/v1/videos/$video_id" "$tok" "$tpl/video.json"
			status=$(sed -n 's/.*"status":"\([a-z_]*\)".*/\1/p' "$tpl/video.json")
			[[ $status == processing ]] || break
			kill -0 "$cr_pid" 2>/dev/null || die "casereel died while transcoding"
			sleep 1
		done
		[[ $status == pending_review ]] || { cat "$tpl/video.json" >&2; die "clip $video_id ended as '$status'"; }
		stop_pid "$cr_pid"
		[[ -s $tpl/data/media/v/$video_id/720p.mp4 ]] || die "no 720p.mp4 for clip $video_id"
	fi
}

# start_casereel THREADS: a server on a copy of the template. Sets cr_pid,
# cr_port, cr_base, token (agent1), cr_me, and with feed: feed_token
# (bench5), cr_feed; with range: cr_mp4 (signed path), mp4_file.
start_casereel() {
	local threads=$1 dir="$tmp/cr-${1:-default}"
	mkdir -p "$dir"
	cp -a "$tpl/data" "$dir/data"
	local args=()
	[[ -n $threads ]] && args+=(--http-threads "$threads")
	launch_casereel "$dir" "${args[@]}"
	cr_base="http://$HOST:$cr_port"
	token=$(login "$cr_port" agent1 "$dir/login.json")
	get_ok "$cr_base/api/v1/me" "$token" "$dir/me.json"
	cr_me=$dir/me.json
	if ((want_feed)); then
		feed_token=$(login "$cr_port" bench5 "$dir/login5.json")
		get_ok "$cr_base/api/v1/feed?limit=10" "$feed_token" "$dir/feed.json"
		grep -q '^{"items":\[{' "$dir/feed.json" || { head -c 500 "$dir/feed.json" >&2; die "the feed answer has no items"; }
		cr_feed=$dir/feed.json
	fi
	if ((want_gzip)); then
		gzip_check "$cr_base/api/v1/feed?limit=10" "$feed_token" "$dir/feed.json.gz"
		gzip -dc "$dir/feed.json.gz" | grep -q '^{"items":\[{' || die "casereel's gzipped feed is not the feed"
	fi
	if ((want_range)); then
		get_ok "$cr_base/api/v1/videos/$video_id" "$token" "$dir/video.json"
		cr_mp4=$(sed -n 's|.*"mp4":"\(/media/v/[^"]*/720p\.mp4\)".*|\1|p' "$dir/video.json")
		[[ -n $cr_mp4 ]] || { cat "$dir/video.json" >&2; die "no urls.mp4 for clip $video_id"; }
		mp4_file=$dir/data/media/v/$video_id/720p.mp4
		local code
		code=$(curl -sS --max-time 30 -o "$dir/range0" -w '%{http_code}' -H "Range: bytes=$MiB-$((2 * MiB - 1))" \
			"$cr_base$cr_mp4") || die "GET $cr_mp4 failed"
		[[ $code == 206 ]] || die "casereel answered $code to a Range request on $cr_mp4"
		cmp -s "$dir/range0" <(tail -c +$((MiB + 1)) "$mp4_file" | head -c $MiB) ||
			die "casereel's 206 body is not bytes $MiB-$((2 * MiB - 1)) of the file"
	fi
}

# ------------------------------------------------------------------ nginx
# start_nginx: serves $tmp/nginx/root (filled by the caller); sets ng_pid,
# ng_port, ng_base.
start_nginx() {
	local dir="$tmp/nginx" port
	mkdir -p "$dir/temp" "$dir/logs"
	# run as root, nginx's workers become nobody: they must reach the files
	chmod 755 "$tmp" "$dir"
	find "$dir/root" -type d -exec chmod 755 {} +
	for _ in $(seq 10); do
		# below the ephemeral range, so wrk's and curl's own sockets never hold it
		port=$((20000 + RANDOM % 12000))
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && continue
		cat >"$dir/nginx.conf" <<-EOC
			daemon off;
			master_process on;
			worker_processes auto;
			pid $dir/nginx.pid;
			error_log $dir/logs/error.log warn;
			events { worker_connections 1024; }
			http {
			    access_log off;
			    client_body_temp_path $dir/temp/body;
			    proxy_temp_path $dir/temp/proxy;
			    fastcgi_temp_path $dir/temp/fastcgi;
			    uwsgi_temp_path $dir/temp/uwsgi;
			    scgi_temp_path $dir/temp/scgi;
			    sendfile on;
			    tcp_nopush on;
			    open_file_cache max=16;
			    open_file_cache_valid 60s;
			    keepalive_timeout 65;
			    keepalive_requests 1000000;
			    server_tokens off;
			    # for feedgz: what casereel does (level 1, from 1 KiB, Vary)
			    gzip on;
			    gzip_comp_level 1;
			    gzip_min_length 1024;
			    gzip_types application/json;
			    gzip_vary on;
			    server {
			        listen $HOST:$port;
			        root $dir/root;
			        location / {
			            default_type application/json;
			            add_header Cache-Control no-store;
			            add_header X-Content-Type-Options nosniff;
			        }
			        location /media/ {
			            types { video/mp4 mp4; }
			            default_type application/octet-stream;
			            add_header Cache-Control "public, max-age=3600, immutable";
			            add_header X-Content-Type-Options nosniff;
			        }
			    }
			}
		EOC
		"$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" 2>"$dir/stderr" &
		ng_pid=$!
		pids+=("$ng_pid")
		if wait_http "http://$HOST:$port/api/v1/me" "$ng_pid"; then
			ng_port=$port
			ng_base="http://$HOST:$port"
			return 0
		fi
		stop_pid "$ng_pid"
		grep -q 'Address already in use' "$dir/logs/error.log" "$dir/stderr" 2>/dev/null ||
			{ cat "$dir/stderr" "$dir/logs/error.log" >&2 2>/dev/null; die "nginx did not start"; }
	done
	die "no free port for nginx after 10 tries"
}

# ------------------------------------------------------------------- wrk
# Latency "2.22ms" / "850.00us" / "1.02s" -> milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.2f", n }'
}
# wrk's "Transfer/sec: 2.91MB" (1024-based units) -> MiB/s.
to_mib() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "B") n /= 1048576; else if (u == "KB") n /= 1024; else if (u == "GB") n *= 1024; else if (u == "TB") n *= 1048576
		printf "%.2f", n }'
}

# run_wrk NAME KIND URL PID TOKEN ROUND: warm-up, then the measured run.
# KIND range: bench/range.lua's 1 MiB ranges, no token; otherwise a GET with
# "Authorization: Bearer TOKEN". Appends a row to $tmp/rows: name round
# req/s p50 p99 VmRSS:RssAnon srv% wrk% other% srv_us/req MiB/s.
run_wrk() {
	local name=$1 kind=$2 url=$3 pid=$4 token=$5 round=$6
	local key=${name//[^A-Za-z0-9.=-]/_}
	local out="$tmp/wrk-$key-$round.txt"
	local args=(-t "$WRK_THREADS" -c "$CONNECTIONS")
	if [[ $kind == range ]]; then
		args+=(-s "$RANGE_LUA")
	else
		args+=(-H "Authorization: Bearer $token")
	fi
	[[ $kind == feedgz ]] && args+=(-H "Accept-Encoding: gzip")
	kill -0 "$pid" 2>/dev/null || die "$name is not running"
	if ((WARMUP > 0)); then
		wrk "${args[@]}" -d "${WARMUP}s" "$url" >"$tmp/warm-$key.txt" 2>&1 ||
			{ cat "$tmp/warm-$key.txt" >&2; die "wrk warm-up of $name failed"; }
	fi
	kill -0 "$pid" 2>/dev/null || die "$name died during the warm-up"
	rm -f "$tmp/rss-$key"
	start_sampler "$pid" "$tmp/rss-$key"
	local t0 t1 b0 b1 TIMEFORMAT='%U %S'
	t0=$(cpu_ticks "$pid")
	b0=$(busy_ticks)
	note "round $round: measuring $name for ${DURATION}s ($url)"
	{ time wrk "${args[@]}" -d "${DURATION}s" --latency "$url" >"$out" 2>&1; } 2>"$tmp/time-$key" ||
		{ cat "$out" >&2; die "wrk against $name failed"; }
	b1=$(busy_ticks)
	t1=$(cpu_ticks "$pid")
	stop_sampler
	kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; die "$name died during the run"; }
	sed 's/^/    /' "$out" >&2

	local non2xx sockerr rps p50 p99 rss cpu mib
	non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
	[[ -z $non2xx || $non2xx == 0 ]] || die "$name: wrk saw $non2xx non-2xx/3xx responses"
	sockerr=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$out")
	if [[ -n $sockerr ]]; then
		read -r c r w t <<<"$sockerr"
		((c + r + w + t == 0)) || die "$name: wrk socket errors: connect $c, read $r, write $w, timeout $t"
	fi
	if [[ $kind == range ]]; then
		# every answer a 206 of exactly 1 MiB: N answers read at least N MiB
		# plus headers, at most N x (1 MiB + 1 KiB) plus one partly read answer
		# per connection when wrk stops; one 200 with the whole file is > 8 MiB
		local rq by se
		read -r rq by se <<<"$(sed -n 's/^range\.lua: requests \([0-9]*\) bytes \([0-9]*\) status_errors \([0-9]*\)$/\1 \2 \3/p' "$out")"
		[[ -n $rq && -n $by && -n $se ]] || die "$name: no summary line from bench/range.lua"
		((se == 0)) || die "$name: $se answers with an error status"
		((rq > 0)) || die "$name: no answers"
		((by >= rq * (MiB + 100) && by <= rq * (MiB + 1024) + CONNECTIONS * (MiB + 1024))) ||
			die "$name: $by bytes for $rq answers: not all were 1 MiB 206 answers"
	fi
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
	mib=$(to_mib "$(awk '/^Transfer\/sec:/ {print $2}' "$out")")
	p50=$(awk '$1 == "50%" {print $2}' "$out")
	p99=$(awk '$1 == "99%" {print $2}' "$out")
	[[ -n $rps && -n $p50 && -n $p99 ]] || die "$name: cannot read req/s and latency from wrk"
	awk -v r="$rps" 'BEGIN { exit !(r > 0) }' || die "$name: 0 requests/s"
	rss=$(cat "$tmp/rss-$key" 2>/dev/null || rss_kib "$pid")
	rss=${rss// /:} # "VmRSS:RssAnon", one field of the row
	# CPU of the server, of wrk, and of everything else on the machine
	# (other processes steal from both sides: a large "other" spoils the run)
	local hz wrk_cpu other
	hz=$(getconf CLK_TCK)
	cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$DURATION" 'BEGIN { printf "%.0f", 100 * d / hz / s }')
	wrk_cpu=$(awk -v s="$DURATION" '{ printf "%.0f", 100 * ($1 + $2) / s }' "$tmp/time-$key")
	other=$(awk -v b=$((b1 - b0)) -v hz="$hz" -v s="$DURATION" -v c="$cpu" -v w="$wrk_cpu" \
		'BEGIN { o = 100 * b / hz / s - c - w; printf "%.0f", o < 0 ? 0 : o }')
	((other <= 25)) || note "WARNING: other processes used ${other}% CPU during the $name run; the numbers are unreliable"
	# server CPU per request: steadier than req/s when the box is shared
	local nreq us_req
	nreq=$(awk '/ requests in / {print $1; exit}' "$out")
	us_req=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="${nreq:-0}" 'BEGIN { printf "%.1f", n ? 1e6 * d / hz / n : 0 }')
	echo "$name $round $rps $(to_ms "$p50") $(to_ms "$p99") $rss $cpu $wrk_cpu $other $us_req $mib" >>"$tmp/rows"
}

# Waits (up to QUIET_WAIT s) until the machine is idle: other jobs on a
# 2-core box take their CPU from both wrk and the server.
wait_quiet() {
	local waited=0 b0 b1 busy
	while :; do
		b0=$(busy_ticks)
		sleep 1
		b1=$(busy_ticks)
		busy=$(((b1 - b0) * 100 / $(getconf CLK_TCK)))
		((busy <= 25)) && return 0
		((waited == 0)) && note "the machine is busy (${busy}% CPU); waiting up to ${QUIET_WAIT}s for it to calm down"
		waited=$((waited + 1))
		((waited < QUIET_WAIT)) || { note "WARNING: still ${busy}% busy; measuring anyway"; return 0; }
	done
}

# ------------------------------------------------------------------- main
read -r -a thread_list <<<"${HTTP_THREADS:-}"
((${#thread_list[@]})) || thread_list=("")

note "casereel $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, targets: ${targets[*]}, ${DURATION}s x ${CONNECTIONS} connections x ${WRK_THREADS} wrk threads, $ROUNDS round(s)"
prepare_template
: >"$tmp/rows"
# one entry per server target: group (me/feed/range), name, url, pid, token
t_group=() t_name=() t_url=() t_pid=() t_token=()
ngroot=$tmp/nginx/root
for th in "${thread_list[@]}"; do
	start_casereel "$th"
	label="casereel${th:+(t=$th)}"
	note "$label on :$cr_port"
	first=0
	if [[ ! -d $ngroot ]]; then
		# nginx serves the exact bytes this first server answered
		first=1
		me_token=$token ng_feed_token=${feed_token:-}
		mkdir -p "$ngroot/api/v1"
		cp "$cr_me" "$ngroot/api/v1/me"
		chmod 644 "$ngroot/api/v1/me"
		if ((want_feed)); then
			cp "$cr_feed" "$ngroot/api/v1/feed"
			chmod 644 "$ngroot/api/v1/feed"
		fi
		if ((want_range)); then
			mkdir -p "$ngroot$(dirname "$cr_mp4")"
			# the same inode as casereel's file (same bytes, same page cache)
			ln "$mp4_file" "$ngroot$cr_mp4" || die "cannot hard-link $mp4_file for nginx"
			range_path=$cr_mp4
			blocks=$(($(stat -c %s "$mp4_file") / MiB))
			((blocks >= 2)) || die "720p.mp4 is smaller than 2 MiB"
			export RANGE_BLOCKS=$blocks RANGE_SEED
			note "720p.mp4: $(stat -c %s "$mp4_file") bytes, $blocks whole MiB to pick ranges from"
		fi
		start_nginx
		note "nginx on :$ng_port"
	fi
	for g in "${targets[@]}"; do
		case $g in
		me)
			if ((first)); then
				get_ok "$ng_base/api/v1/me" "$token" "$tmp/nginx-me.json"
				cmp -s "$cr_me" "$tmp/nginx-me.json" || die "nginx does not serve the /me bytes casereel answered"
				note "/api/v1/me body: $(wc -c <"$cr_me") bytes"
			fi
			[[ $(wc -c <"$cr_me") == $(wc -c <"$ngroot/api/v1/me") ]] || die "$label answered a /me body of another size"
			t_group+=(me) t_name+=("me/$label") t_url+=("$cr_base/api/v1/me") t_pid+=("$cr_pid") t_token+=("$token")
			;;
		feed)
			if ((first)); then
				get_ok "$ng_base/api/v1/feed?limit=10" "$feed_token" "$tmp/nginx-feed.json"
				cmp -s "$cr_feed" "$tmp/nginx-feed.json" || die "nginx does not serve the feed bytes casereel answered"
				note "/api/v1/feed?limit=10 body: $(wc -c <"$cr_feed") bytes"
			fi
			t_group+=(feed) t_name+=("feed/$label") t_url+=("$cr_base/api/v1/feed?limit=10") t_pid+=("$cr_pid") t_token+=("$feed_token")
			;;
		feedgz)
			if ((first)); then
				gzip_check "$ng_base/api/v1/feed?limit=10" "$feed_token" "$tmp/nginx-feed.json.gz"
				gzip -dc "$tmp/nginx-feed.json.gz" | cmp -s "$cr_feed" - || die "nginx's gzipped feed is not the saved feed"
				note "/api/v1/feed?limit=10 gzipped: casereel $(wc -c <"$tmp/cr-${th:-default}/feed.json.gz") bytes, nginx $(wc -c <"$tmp/nginx-feed.json.gz") bytes"
			fi
			t_group+=(feedgz) t_name+=("feedgz/$label") t_url+=("$cr_base/api/v1/feed?limit=10") t_pid+=("$cr_pid") t_token+=("$feed_token")
			;;
		range)
			[[ $cr_mp4 == "$range_path" ]] || die "$label signs another URL ($cr_mp4)"
			if ((first)); then
				code=$(curl -sS --max-time 30 -o "$tmp/nginx-range0" -w '%{http_code}' \
					-H "Range: bytes=$MiB-$((2 * MiB - 1))" "$ng_base$range_path") || die "GET from nginx failed"
				[[ $code == 206 ]] || die "nginx answered $code to a Range request"
				cmp -s "$tmp/nginx-range0" "$tmp/cr-${th:-default}/range0" || die "nginx's 206 body differs from casereel's"
			fi
			t_group+=(range) t_name+=("range/$label") t_url+=("$cr_base$cr_mp4") t_pid+=("$cr_pid") t_token+=("")
			;;
		esac
	done
done
# nginx gets the same request bytes, Authorization header included
for g in "${targets[@]}"; do
	case $g in
	me) t_group+=(me) t_name+=(me/nginx) t_url+=("$ng_base/api/v1/me") t_token+=("$me_token") ;;
	feed) t_group+=(feed) t_name+=(feed/nginx) t_url+=("$ng_base/api/v1/feed?limit=10") t_token+=("$ng_feed_token") ;;
	feedgz) t_group+=(feedgz) t_name+=(feedgz/nginx) t_url+=("$ng_base/api/v1/feed?limit=10") t_token+=("$ng_feed_token") ;;
	range) t_group+=(range) t_name+=(range/nginx) t_url+=("$ng_base$range_path") t_token+=("") ;;
	esac
	t_pid+=("$ng_pid")
done

for round in $(seq "$ROUNDS"); do
	for g in "${targets[@]}"; do
		for i in "${!t_name[@]}"; do
			[[ ${t_group[i]} == "$g" ]] || continue
			wait_quiet
			run_wrk "${t_name[i]}" "$g" "${t_url[i]}" "${t_pid[i]}" "${t_token[i]}" "$round"
		done
	done
done
for dir in "$tmp"/cr-*; do
	grep -v ' info \| access \|EXTERNAL_LOGGER is not the first\|Thread pool is not used' "$dir/stderr" >&2 || true
done

# ------------------------------------------------------------------ report
# rows: name round req/s p50 p99 rss_kib srv% wrk% other% srv_us/req MiB/s;
# a target's numbers are the medians over its rounds (RSS and "other": the
# maximum).
summary=$(awk '
	function median(list,    n, a, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	!($1 in seen) { seen[$1] = 1; order[++n] = $1 }
	{ rps[$1] = rps[$1] " " $3; p50[$1] = p50[$1] " " $4; p99[$1] = p99[$1] " " $5
	  srv[$1] = srv[$1] " " $7; wrk[$1] = wrk[$1] " " $8; usr[$1] = usr[$1] " " $10; mib[$1] = mib[$1] " " $11
	  split($6, m, ":"); if (m[1] > rss[$1]) rss[$1] = m[1]; if (m[2] > anon[$1]) anon[$1] = m[2]
	  if ($9 > oth[$1]) oth[$1] = $9 }
	END { for (i = 1; i <= n; i++) { k = order[i]
		print k, median(rps[k]), median(p50[k]), median(p99[k]), rss[k], anon[k], median(srv[k]), median(wrk[k]), oth[k], median(usr[k]), median(mib[k]) } }
' "$tmp/rows")
echo
echo "casereel vs nginx, wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s x $ROUNDS round(s) on $HOST, $(nproc) cores ($(date -u '+%Y-%m-%d %H:%M UTC'))"
for g in "${targets[@]}"; do
	case $g in
	me) echo "me: GET /api/v1/me as agent1 ($(wc -c <"$cr_me") bytes)" ;;
	feed) echo "feed: GET /api/v1/feed?limit=10 as bench5 ($(wc -c <"$cr_feed") bytes; 10,000 clips, 2,000 users, 1M watches)" ;;
	feedgz) echo "feedgz: the same with Accept-Encoding: gzip ($(wc -c <"$tmp/nginx-feed.json.gz") bytes gzipped at level 1)" ;;
	range) echo "range: random 1 MiB-aligned 1 MiB Range requests on a $(stat -c %s "$mp4_file")-byte 720p.mp4 (seed $RANGE_SEED)" ;;
	esac
done
echo
printf '| %-20s | %8s | %8s | %7s | %7s | %7s | %8s | %7s | %7s | %7s | %7s | %8s |\n' target "req/s" "MiB/s" "p50 ms" "p99 ms" \
	"RSS MiB" "anon MiB" "srv CPU" "us/req" "wrk CPU" "other" "vs nginx"
echo "|----------------------|----------|----------|---------|---------|---------|----------|---------|---------|---------|---------|----------|"
verdicts=()
missed=0
for g in "${targets[@]}"; do
	ng_line=$(awk -v k="$g/nginx" '$1 == k' <<<"$summary")
	read -r _ ng_rps _ _ _ _ _ _ _ _ ng_mib <<<"$ng_line"
	best=0 best_p99=""
	while read -r name rps p50 p99 rss anon cpu wcpu other usreq mib; do
		[[ $name == "$g"/* ]] || continue
		# range compares throughput (MiB/s), the others req/s
		if [[ $g == range ]]; then
			ratio=$(awk -v a="$mib" -v b="$ng_mib" 'BEGIN { printf "%.2f", a / b }')
		else
			ratio=$(awk -v a="$rps" -v b="$ng_rps" 'BEGIN { printf "%.2f", a / b }')
		fi
		printf '| %-20s | %8.0f | %8.1f | %7.2f | %7.2f | %7.1f | %8.1f | %6.0f%% | %7.1f | %6.0f%% | %6.0f%% | %7sx |\n' \
			"${name/\// }" "$rps" "$mib" "$p50" "$p99" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
			"$(awk -v k="$anon" 'BEGIN { print k / 1024 }')" "$cpu" "$usreq" "$wcpu" "$other" "$ratio"
		if [[ $name != */nginx ]] && awk -v r="$ratio" -v m="$best" 'BEGIN { exit !(r > m) }'; then
			best=$ratio best_p99=$p99
		fi
	done <<<"$summary"
	case $g in
	me)
		if awk -v r="$best" -v g="$GOAL" 'BEGIN { exit !(r >= g) }'; then
			verdicts+=("verdict me:    PASS, casereel/nginx req/s = ${best}x >= ${GOAL}x")
		else
			verdicts+=("verdict me:    MISS, casereel/nginx req/s = ${best}x < ${GOAL}x")
			missed=1
		fi
		;;
	feed)
		ok_r=0 ok_p=0
		awk -v r="$best" -v g="$FEED_GOAL" 'BEGIN { exit !(r >= g) }' && ok_r=1
		awk -v p="$best_p99" -v g="$FEED_P99_MS" 'BEGIN { exit !(p <= g) }' && ok_p=1
		if ((ok_r && ok_p)); then
			verdicts+=("verdict feed:  PASS, casereel/nginx req/s = ${best}x >= ${FEED_GOAL}x, p99 ${best_p99} ms <= ${FEED_P99_MS} ms")
		else
			verdicts+=("verdict feed:  MISS, casereel/nginx req/s = ${best}x ($( ((ok_r)) && echo '>=' || echo '<') ${FEED_GOAL}x), p99 ${best_p99} ms ($( ((ok_p)) && echo '<=' || echo '>') ${FEED_P99_MS} ms)")
			missed=1
		fi
		;;
	feedgz)
		if awk -v r="$best" -v g="$FEEDGZ_GOAL" 'BEGIN { exit !(r >= g) }'; then
			verdicts+=("verdict feedgz: PASS, casereel/nginx req/s = ${best}x >= ${FEEDGZ_GOAL}x")
		else
			verdicts+=("verdict feedgz: MISS, casereel/nginx req/s = ${best}x < ${FEEDGZ_GOAL}x")
			missed=1
		fi
		;;
	range)
		if awk -v r="$best" -v g="$RANGE_GOAL" 'BEGIN { exit !(r >= g) }'; then
			verdicts+=("verdict range: PASS, casereel/nginx MiB/s = ${best}x >= ${RANGE_GOAL}x")
		else
			verdicts+=("verdict range: MISS, casereel/nginx MiB/s = ${best}x < ${RANGE_GOAL}x")
			missed=1
		fi
		;;
	esac
done
echo
((ROUNDS == 1)) || echo "req/s, MiB/s, p50, p99, CPU, us/req: median of $ROUNDS rounds; RSS and other: the maximum."
echo "vs nginx: req/s ratio to the nginx row of the same target (range: MiB/s ratio)."
echo "RSS: peak VmRSS sampled every 0.2 s during the measured run (nginx: master + workers);"
echo "     anon: peak RssAnon, the same without pages of mapped files (shared libraries)."
echo "CPU: CPU time / wall time of the run (200% = both cores) of the server, of wrk, and of"
echo "     everything else on the machine; a large \"other\" means a disturbed run."
echo "us/req: server CPU microseconds per request (user + system)."
# what gzip adds per request: feedgz's us/req minus feed's, per server
if [[ " ${targets[*]} " == *" feed "* && " ${targets[*]} " == *" feedgz "* ]]; then
	awk '$1 ~ /^feed\// { split($1, a, "/"); plain[a[2]] = $10 }
		$1 ~ /^feedgz\// { split($1, a, "/"); gz[a[2]] = $10; order[++n] = a[2] }
		END { for (i = 1; i <= n; i++) { k = order[i]; if (k in plain)
			printf "gzip cost: %s %+.1f us/req (feed %.1f -> feedgz %.1f)\n", k, gz[k] - plain[k], plain[k], gz[k] } }' <<<"$summary"
fi
printf '%s\n' "${verdicts[@]}"
((missed && STRICT == 1)) && exit 3
exit 0
