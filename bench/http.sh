#!/usr/bin/env bash
# bench/http.sh: GET /api/v1/me on casereel vs nginx serving the same bytes
# as a static file, both on 127.0.0.1, measured one after the other with wrk.
#
# usage: bench/http.sh            (or: make bench-http)
# env:
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
#   GOAL=0.5           required casereel/nginx req/s ratio
#   STRICT=0           1: exit 3 when the best casereel row misses the goal
#   SKIP_BUILD=0       1: do not run `make bin/casereel` first
#   KEEP_TMP=0         1: keep the temp dir (logs, nginx.conf, wrk output)
# Exit status: 0 ok, 1 a broken run (no token, non-2xx, socket errors, a
# server that died...), 3 goal missed with STRICT=1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
HTTP_THREADS=${HTTP_THREADS:-}
GOAL=${GOAL:-0.5}
STRICT=${STRICT:-0}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_TMP=${KEEP_TMP:-0}
ROUNDS=${ROUNDS:-1}
QUIET_WAIT=${QUIET_WAIT:-60}
NGINX=${NGINX:-/usr/sbin/nginx}
SEED=${SEED:-$repo/seeds/demo.json}
BIN=$repo/bin/casereel
HOST=127.0.0.1

die() { echo "bench/http.sh: FAIL: $*" >&2; exit 1; }
note() { echo "bench/http.sh: $*" >&2; }

for tool in wrk curl awk "$NGINX"; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done
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
# start_casereel THREADS: sets cr_pid, cr_port, cr_url, token.
start_casereel() {
	local threads=$1 dir="$tmp/cr-${1:-default}"
	mkdir -p "$dir/data"
	chmod 700 "$dir/data"
	local args=(serve --bind "$HOST" --port 0 --data "$dir/data" --demo --seed "$SEED" --access-log 0)
	[[ -n $threads ]] && args+=(--http-threads "$threads")
	# no demo video clips: making them transcodes for a minute on both cores
	local usage
	usage=$("$SERVER" 2>&1 || true)
	[[ $usage == *--demo-clips* ]] && args+=(--demo-clips 0)
	: >"$dir/stdout"
	"$SERVER" "${args[@]}" >>"$dir/stdout" 2>"$dir/stderr" &
	cr_pid=$!
	pids+=("$cr_pid")
	cr_port=""
	local i
	for i in $(seq 300); do
		cr_port=$(sed -n "s|^casereel listening on http://$HOST:\([0-9][0-9]*\).*|\1|p" "$dir/stdout")
		[[ -n $cr_port ]] && break
		kill -0 "$cr_pid" 2>/dev/null || { cat "$dir/stderr" >&2; die "casereel exited at start-up"; }
		sleep 0.1
	done
	[[ -n $cr_port ]] || { cat "$dir/stderr" >&2; die "casereel did not print its port in 30 s"; }
	cr_url="http://$HOST:$cr_port/api/v1/me"

	local login code
	login=$(curl -sS --max-time 10 -o "$dir/login.json" -w '%{http_code}' \
		-H 'Content-Type: application/json' \
		-d '{"username":"agent1","password":"demo1234"}' \
		"http://$HOST:$cr_port/api/v1/auth/login") || die "login request failed"
	[[ $login == 200 ]] || { cat "$dir/login.json" >&2; die "login answered $login"; }
	token=$(sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([A-Za-z0-9_-]*\)".*/\1/p' "$dir/login.json")
	[[ ${#token} -ge 16 ]] || { cat "$dir/login.json" >&2; die "no token in the login answer"; }

	code=$(curl -sS --max-time 10 -o "$dir/me.json" -w '%{http_code}' \
		-H "Authorization: Bearer $token" "$cr_url") || die "GET /api/v1/me failed"
	[[ $code == 200 ]] || { cat "$dir/me.json" >&2; die "GET /api/v1/me answered $code"; }
	[[ -s $dir/me.json ]] || die "GET /api/v1/me answered an empty body"
	cr_me="$dir/me.json"
}

# ------------------------------------------------------------------ nginx
# start_nginx FILE: serves FILE as /api/v1/me; sets ng_pid, ng_port, ng_url.
start_nginx() {
	local dir="$tmp/nginx" try port
	mkdir -p "$dir/root/api/v1" "$dir/temp" "$dir/logs"
	cp "$1" "$dir/root/api/v1/me"
	# run as root, nginx's workers become nobody: they must reach the file
	chmod 755 "$tmp" "$dir" "$dir/root" "$dir/root/api" "$dir/root/api/v1"
	chmod 644 "$dir/root/api/v1/me"
	for try in $(seq 10); do
		# below the ephemeral range, so wrk's and curl's own sockets never hold it
		port=$((20000 + RANDOM % 12000))
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && continue
		cat >"$dir/nginx.conf" <<-EOF
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
			    server {
			        listen $HOST:$port;
			        root $dir/root;
			        location / {
			            default_type application/json;
			            add_header Cache-Control no-store;
			            add_header X-Content-Type-Options nosniff;
			        }
			    }
			}
		EOF
		"$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" 2>"$dir/stderr" &
		ng_pid=$!
		pids+=("$ng_pid")
		ng_url="http://$HOST:$port/api/v1/me"
		if wait_http "$ng_url" "$ng_pid"; then
			ng_port=$port
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

# run_wrk NAME URL PID TOKEN ROUND: warm-up, then the measured run. Appends
# a row to $tmp/rows: name round req/s p50 p99 VmRSS:RssAnon srv% wrk% other%
# srv_us/req.
run_wrk() {
	local name=$1 url=$2 pid=$3 token=$4 round=$5 out="$tmp/wrk-$1-$5.txt"
	if ((WARMUP > 0)); then
		wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${WARMUP}s" -H "Authorization: Bearer $token" \
			"$url" >"$tmp/warm-$name.txt" 2>&1 || { cat "$tmp/warm-$name.txt" >&2; die "wrk warm-up of $name failed"; }
	fi
	kill -0 "$pid" 2>/dev/null || die "$name died during the warm-up"
	rm -f "$tmp/rss-$name"
	start_sampler "$pid" "$tmp/rss-$name"
	local t0 t1 b0 b1 TIMEFORMAT='%U %S'
	t0=$(cpu_ticks "$pid")
	b0=$(busy_ticks)
	note "round $round: measuring $name for ${DURATION}s ($url)"
	{ time wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency \
		-H "Authorization: Bearer $token" "$url" >"$out" 2>&1; } 2>"$tmp/time-$name" ||
		{ cat "$out" >&2; die "wrk against $name failed"; }
	b1=$(busy_ticks)
	t1=$(cpu_ticks "$pid")
	stop_sampler
	kill -0 "$pid" 2>/dev/null || { cat "$out" >&2; die "$name died during the run"; }
	sed 's/^/    /' "$out" >&2

	local non2xx sockerr rps p50 p99 rss cpu
	non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
	[[ -z $non2xx || $non2xx == 0 ]] || die "$name: wrk saw $non2xx non-2xx/3xx responses"
	sockerr=$(sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$out")
	if [[ -n $sockerr ]]; then
		read -r c r w t <<<"$sockerr"
		((c + r + w + t == 0)) || die "$name: wrk socket errors: connect $c, read $r, write $w, timeout $t"
	fi
	rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
	p50=$(awk '$1 == "50%" {print $2}' "$out")
	p99=$(awk '$1 == "99%" {print $2}' "$out")
	[[ -n $rps && -n $p50 && -n $p99 ]] || die "$name: cannot read req/s and latency from wrk"
	awk -v r="$rps" 'BEGIN { exit !(r > 0) }' || die "$name: 0 requests/s"
	rss=$(cat "$tmp/rss-$name" 2>/dev/null || rss_kib "$pid")
	rss=${rss// /:} # "VmRSS:RssAnon", one field of the row
	# CPU of the server, of wrk, and of everything else on the machine
	# (other processes steal from both sides: a large "other" spoils the run)
	local hz wrk_cpu other
	hz=$(getconf CLK_TCK)
	cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$DURATION" 'BEGIN { printf "%.0f", 100 * d / hz / s }')
	wrk_cpu=$(awk -v s="$DURATION" '{ printf "%.0f", 100 * ($1 + $2) / s }' "$tmp/time-$name")
	other=$(awk -v b=$((b1 - b0)) -v hz="$hz" -v s="$DURATION" -v c="$cpu" -v w="$wrk_cpu" \
		'BEGIN { o = 100 * b / hz / s - c - w; printf "%.0f", o < 0 ? 0 : o }')
	((other <= 25)) || note "WARNING: other processes used ${other}% CPU during the $name run; the numbers are unreliable"
	# server CPU per request: steadier than req/s when the box is shared
	local nreq us_req
	nreq=$(awk '/ requests in / {print $1; exit}' "$out")
	us_req=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="${nreq:-0}" 'BEGIN { printf "%.1f", n ? 1e6 * d / hz / n : 0 }')
	echo "$name $round $rps $(to_ms "$p50") $(to_ms "$p99") $rss $cpu $wrk_cpu $other $us_req" >>"$tmp/rows"
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

note "casereel $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, ${DURATION}s x ${CONNECTIONS} connections x ${WRK_THREADS} wrk threads, $ROUNDS round(s)"
: >"$tmp/rows"
t_name=() t_url=() t_pid=() t_token=()
for th in "${thread_list[@]}"; do
	start_casereel "$th"
	t_name+=("casereel${th:+(t=$th)}") t_url+=("$cr_url") t_pid+=("$cr_pid") t_token+=("$token")
	if [[ ${#t_name[@]} == 1 ]]; then
		# nginx serves the exact bytes casereel answered
		start_nginx "$cr_me"
		curl -sS --max-time 5 -o "$tmp/nginx-me.json" -H "Authorization: Bearer $token" "$ng_url" ||
			die "GET from nginx failed"
		cmp -s "$cr_me" "$tmp/nginx-me.json" || die "nginx does not serve the bytes casereel answered"
		note "/api/v1/me body: $(wc -c <"$cr_me") bytes; nginx on :$ng_port"
	elif [[ $(wc -c <"$cr_me") != $(wc -c <"$tmp/nginx/root/api/v1/me") ]]; then
		die "casereel (t=$th) answered a body of another size"
	fi
	note "${t_name[-1]} on :$cr_port"
done
# nginx gets the same request bytes, Authorization header included
t_name+=(nginx) t_url+=("$ng_url") t_pid+=("$ng_pid") t_token+=("${t_token[0]}")

for round in $(seq "$ROUNDS"); do
	for i in "${!t_name[@]}"; do
		wait_quiet
		run_wrk "${t_name[i]}" "${t_url[i]}" "${t_pid[i]}" "${t_token[i]}" "$round"
	done
done
for dir in "$tmp"/cr-*; do
	grep -v ' info \| access \|EXTERNAL_LOGGER is not the first\|Thread pool is not used' "$dir/stderr" >&2 || true
done

# ------------------------------------------------------------------ report
# rows: name round req/s p50 p99 rss_kib srv% wrk% other% srv_us/req; a target's
# numbers are the medians over its rounds (RSS and "other": the maximum).
summary=$(awk '
	function median(list,    n, a, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	!($1 in seen) { seen[$1] = 1; order[++n] = $1 }
	{ rps[$1] = rps[$1] " " $3; p50[$1] = p50[$1] " " $4; p99[$1] = p99[$1] " " $5
	  srv[$1] = srv[$1] " " $7; wrk[$1] = wrk[$1] " " $8; usr[$1] = usr[$1] " " $10
	  split($6, m, ":"); if (m[1] > rss[$1]) rss[$1] = m[1]; if (m[2] > anon[$1]) anon[$1] = m[2]
	  if ($9 > oth[$1]) oth[$1] = $9 }
	END { for (i = 1; i <= n; i++) { k = order[i]
		print k, median(rps[k]), median(p50[k]), median(p99[k]), rss[k], anon[k], median(srv[k]), median(wrk[k]), oth[k], median(usr[k]) } }
' "$tmp/rows")
ng_rps=$(awk '$1 == "nginx" {print $2}' <<<"$summary")
echo
echo "GET /api/v1/me, wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s x $ROUNDS round(s) on $HOST, $(nproc) cores ($(date -u '+%Y-%m-%d %H:%M UTC'))"
echo
printf '| %-18s | %9s | %7s | %7s | %7s | %8s | %7s | %7s | %7s | %7s | %8s |\n' target "req/s" "p50 ms" "p99 ms" \
	"RSS MiB" "anon MiB" "srv CPU" "us/req" "wrk CPU" "other" "vs nginx"
echo "|--------------------|-----------|---------|---------|---------|----------|---------|---------|---------|---------|----------|"
best=0
while read -r name rps p50 p99 rss anon cpu wcpu other usreq; do
	ratio=$(awk -v a="$rps" -v b="$ng_rps" 'BEGIN { printf "%.2fx", a / b }')
	printf '| %-18s | %9.0f | %7.2f | %7.2f | %7.1f | %8.1f | %6.0f%% | %7.1f | %6.0f%% | %6.0f%% | %8s |\n' "$name" \
		"$rps" "$p50" "$p99" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
		"$(awk -v k="$anon" 'BEGIN { print k / 1024 }')" "$cpu" "$usreq" "$wcpu" "$other" "$ratio"
	if [[ $name != nginx ]]; then
		best=$(awk -v a="$rps" -v b="$ng_rps" -v m="$best" 'BEGIN { r = a / b; print (r > m ? r : m) }')
	fi
done <<<"$summary"
echo
((ROUNDS == 1)) || echo "req/s, p50, p99, CPU, us/req: median of $ROUNDS rounds; RSS and other: the maximum."
echo "RSS: peak VmRSS sampled every 0.2 s during the measured run (nginx: master + workers);"
echo "     anon: peak RssAnon, the same without pages of mapped files (shared libraries)."
echo "CPU: CPU time / wall time of the run (200% = both cores) of the server, of wrk, and of"
echo "     everything else on the machine; a large \"other\" means a disturbed run."
echo "us/req: server CPU microseconds per request (user + system)."
if awk -v r="$best" -v g="$GOAL" 'BEGIN { exit !(r >= g) }'; then
	printf 'verdict: PASS, casereel/nginx req/s = %.2fx >= %sx goal\n' "$best" "$GOAL"
else
	printf 'verdict: MISS, casereel/nginx req/s = %.2fx < %sx goal\n' "$best" "$GOAL"
	[[ $STRICT == 1 ]] && exit 3
fi
exit 0
