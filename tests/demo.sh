#!/bin/bash
# `make demo`: the whole path on a built-in default, with nothing downloaded:
# build a busybox OCI image from Debian's busybox-static, import it into a
# store (verifying every blob), build a bundle from it, and run it.
set -eu
B=${1:-build}
cd "$(dirname "$0")/.."
tests/fixtures/mkbusybox.sh "$B"
demo="$(pwd)/$B/demo"
corral="$(pwd)/$B/bin/corral"
if [ -d "$demo/bundle" ]; then "$corral" bundle remove "$demo/bundle" 2>/dev/null || true; fi
rm -rf "$demo"
mkdir -p "$demo"
echo "+ build a busybox OCI image with umoci"
umoci init --layout "$demo/image" >/dev/null
umoci new --image "$demo/image:latest" >/dev/null
umoci unpack --image "$demo/image:latest" "$demo/unpacked" >/dev/null
cp -a "$B/fixtures/busybox/rootfs/." "$demo/unpacked/rootfs/"
umoci repack --image "$demo/image:latest" "$demo/unpacked" >/dev/null
umoci config --image "$demo/image:latest" --config.env PATH=/bin:/usr/bin \
	--config.cmd sh --config.cmd -c \
	--config.cmd 'echo "hello from corral: pid $$ in $(hostname), as $(id -un)"' >/dev/null
rm -rf "$demo/unpacked"
echo "+ corral image import --name busybox:demo oci:$demo/image:latest"
"$corral" image import --store "$demo/store" --name busybox:demo "oci:$demo/image:latest"
echo "+ corral bundle create --image busybox:demo $demo/bundle"
"$corral" bundle create --store "$demo/store" --image busybox:demo "$demo/bundle"
echo "+ corral run demo"
rc=0
(cd "$demo/bundle" && "$corral" --root "$demo/state" run "demo-$$" </dev/null) || rc=$?
"$corral" bundle remove "$demo/bundle"
exit $rc
