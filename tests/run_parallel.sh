#!/usr/bin/env bash
# run_parallel.sh JOBS LOGDIR PROGRAM...: runs the programs (unit-test
# binaries), JOBS at once, each one's output into LOGDIR/<its path>.log;
# then shows every output whole, in the order given, under "== PROGRAM".
# Exits 1 when any program failed, naming them last.
set -uo pipefail
jobs=$1 logs=$2
shift 2
rm -rf "$logs"
mkdir -p "$logs"
log_of() { echo "$logs/$(echo "$1" | tr / _).log"; }
export -f log_of
export logs

# each program's exit status goes into its log's twin, .rc
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c \
	'log=$(log_of "$1"); "$1" > "$log" 2>&1; echo $? > "$log.rc"' bash {}

failed=()
for t in "$@"; do
	log=$(log_of "$t")
	echo "== $t"
	cat "$log" 2>/dev/null
	[ "$(cat "$log.rc" 2>/dev/null)" = 0 ] || failed+=("$t")
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "failed: ${failed[*]}"
	exit 1
fi
