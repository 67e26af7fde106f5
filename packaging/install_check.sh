#!/bin/sh
# Checks what `make install` put under PREFIX on this machine: systemd's
# own verifier on the unit (which also runs the binary's path check and
# `man casereel`), failing on any line it says about the unit, and the
# installed binary's man subcommand rendered by man(1).
# usage: packaging/install_check.sh PREFIX [UNIT_DIR]
set -u
prefix=$1
unit=${2:-$prefix/lib/systemd/system}/casereel.service
fail() {
	echo "install-check: FAIL: $*" >&2
	exit 1
}
[ -f "$unit" ] || fail "$unit is missing"
[ -x "$prefix/bin/casereel" ] || fail "$prefix/bin/casereel is missing"
[ -f "$prefix/share/casereel/web/index.html" ] || fail "the web client is not in $prefix/share/casereel/web"
[ -f "$prefix/share/casereel/seeds/demo.json" ] || fail "the seed is not in $prefix/share/casereel/seeds"
out=$(systemd-analyze verify "$unit" 2>&1)
rc=$?
[ -n "$out" ] && echo "$out"
[ $rc -eq 0 ] || fail "systemd-analyze verify exited $rc"
if echo "$out" | grep -q 'casereel'; then
	fail "systemd-analyze verify has something to say about $unit"
fi
grep -q "ExecStart=$prefix/bin/casereel serve" "$unit" || fail "$unit does not start $prefix/bin/casereel"
page=$(MANWIDTH=80 man "$prefix/share/man/man1/casereel.1" 2>&1) || fail "man cannot render the page: $page"
echo "$page" | grep -q -- '--port' || fail "the man page lists no flags"
echo "install-check: $unit verified by systemd-analyze; man casereel renders $(echo "$page" | wc -l) lines"
