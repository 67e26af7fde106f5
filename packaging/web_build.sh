#!/bin/sh
# The web client as it is served and installed: copies SRC (web/) to OUT
# (build/web) with app/ and vendor/ under v/<hash>/, <hash> naming their
# contents, and an index.html that points there, so the server can let
# browsers cache those files for a year; each text file of 1 KiB or more
# gets a gzip -9 twin (x.js.gz) for clients that take gzip. sw.js (the
# service worker) gets the list of this release's files to cache.
# usage: packaging/web_build.sh SRC OUT
set -eu
src=$1
out=$2
[ -f "$src/index.html" ] && [ -f "$src/sw.js" ] && [ -d "$src/app" ] || { echo "$0: $src is not the web client" >&2; exit 1; }
mkdir -p "$src/vendor"
# names and bytes of every file, so a rename makes a new version too
hash=$(cd "$src" && find app vendor -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
tmp="$out.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp/v/$hash"
cp -R "$src/app" "$src/vendor" "$tmp/v/$hash/"
sed -e "s#\"/app/#\"/v/$hash/app/#g" -e "s#\"/vendor/#\"/v/$hash/vendor/#g" \
	"$src/index.html" >"$tmp/index.html"
# the service worker caches this release's files: its list is the build's;
# hls.js is left out (browsers with native HLS never need it: the worker
# caches it when a page first fetches it)
shell=$(cd "$tmp" && find "v/$hash" -type f ! -name "*.gz" ! -name "hls.min.js" | LC_ALL=C sort | sed 's#^#"/#; s#$#"#' | paste -sd, -)
sed -e "s#\[/\* files of this release, filled in by the build \*/\]#[$shell]#" "$src/sw.js" >"$tmp/sw.js"
grep -q "\"/v/$hash/app/main.js\"" "$tmp/sw.js" || { echo "$0: sw.js did not get the file list" >&2; exit 1; }
sed -e "s#\"/app/#\"/v/$hash/app/#g" "$src/manifest.webmanifest" >"$tmp/manifest.webmanifest"
if grep -q '"/app/\|"/vendor/' "$tmp/index.html" "$tmp/manifest.webmanifest"; then
	echo "$0: index.html still names an unversioned file" >&2
	exit 1
fi
find "$tmp" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.css' -o -name '*.svg' \
	-o -name '*.html' -o -name '*.json' -o -name '*.map' -o -name '*.webmanifest' \) \
	-size +1023c -exec gzip -9 -n -k {} \;
rm -rf "$out"
mv "$tmp" "$out"
echo "web client $hash in $out"
