#!/bin/bash
# `make demo`: run a busybox container from a bundle the build makes itself
# out of Debian's busybox-static. Nothing is downloaded.
set -eu
B=${1:-build}
cd "$(dirname "$0")/.."
tests/fixtures/mkbusybox.sh "$B"
demo="$B/demo"
rm -rf "$demo"
mkdir -p "$demo"
(cd "$demo" && "../bin/corral" spec)
jq --arg r "$(pwd)/$B/fixtures/busybox/rootfs" \
	'.root.path=$r | .process.terminal=false | .hostname="corral-demo" |
	 .process.args=["sh","-c","echo \"hello from corral: pid $$ on $(hostname)\"; id; ls /"]' \
	"$demo/config.json" >"$demo/config.tmp" && mv "$demo/config.tmp" "$demo/config.json"
echo "+ corral run demo   (bundle: $demo)"
exec "$B/bin/corral" --root "$(pwd)/$B/demo/state" run --bundle "$demo" "demo-$$" </dev/null
