#!/bin/bash
# `make demo`: the whole path on a built-in default, with nothing downloaded:
# build a busybox OCI image from Debian's busybox-static; run it with the
# runtime alone (import into a store, verifying every blob, a bundle, corral
# run); then the supervisor: corrald on private paths under $B/demo (no
# network: --default-network none), its socket in a directory of its own
# under /run (a socket's path holds 107 bytes, and a checkout's may be
# long), the image imported and a container run, listed, read and exec'd
# into through corralctl, and corrald stopped.
# It leaves build/demo/image (the README's next step imports it) and
# nothing else: no process, mount, cgroup or state.
set -eu
B=${1:-build}
cd "$(dirname "$0")/.."
# its physical path: the cleanup matches mountinfo's paths, which have no symlink
mkdir -p "$B"
B=$(cd "$B" && pwd -P)
tests/fixtures/mkbusybox.sh "$B"
demo="$B/demo"
bin="$B/bin"
corral="$bin/corral"
sv="$demo/corrald"
run_dir=""
cgroup="/corral-demo-$$"
corrald_pid=""

# on every exit: the containers, corrald, its monitors, mounts and cgroup
leave_nothing() {
	set +e
	if [ -n "$corrald_pid" ] && kill -0 "$corrald_pid" 2>/dev/null; then
		"$bin/corralctl" --socket "$run_dir/corrald.sock" rm -f demo >/dev/null 2>&1
		kill -TERM "$corrald_pid"
		for _ in $(seq 100); do kill -0 "$corrald_pid" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$corrald_pid" 2>/dev/null
	fi
	local p m cg
	for p in /proc/[0-9]*; do
		{ tr "\0" " " <"$p/cmdline"; } 2>/dev/null | grep -qs -- "$sv/" && kill -KILL "${p#/proc/}" 2>/dev/null
	done
	for m in $(awk -v d="$demo/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount -l "$m"
	done
	[ -d "$demo/bundle" ] && "$corral" bundle remove "$demo/bundle" >/dev/null 2>&1
	for cg in /sys/fs/cgroup/unified$cgroup /sys/fs/cgroup$cgroup; do
		[ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	rm -rf "$sv" "$demo/store" "$demo/state" "$demo/bundle"
	[ -z "$run_dir" ] || rm -rf "$run_dir"
}
trap leave_nothing EXIT
say() { echo "+ $*"; }

if [ -d "$demo/bundle" ]; then "$corral" bundle remove "$demo/bundle" 2>/dev/null || true; fi
rm -rf "$demo"
mkdir -p "$demo"
say "build a busybox OCI image with umoci"
umoci init --layout "$demo/image" >/dev/null
umoci new --image "$demo/image:latest" >/dev/null
umoci unpack --image "$demo/image:latest" "$demo/unpacked" >/dev/null
cp -a "$B/fixtures/busybox/rootfs/." "$demo/unpacked/rootfs/"
umoci repack --image "$demo/image:latest" "$demo/unpacked" >/dev/null
umoci config --image "$demo/image:latest" --config.env PATH=/bin:/usr/bin \
	--config.cmd sh --config.cmd -c \
	--config.cmd 'echo "hello from corral: pid $$ in $(hostname), as $(id -un)"' >/dev/null
rm -rf "$demo/unpacked"

echo "== the runtime alone"
say "corral image import --name busybox:demo oci:$demo/image:latest"
"$corral" image import --store "$demo/store" --name busybox:demo "oci:$demo/image:latest"
say "corral bundle create --image busybox:demo $demo/bundle"
"$corral" bundle create --store "$demo/store" --image busybox:demo "$demo/bundle"
say "corral run demo"
(cd "$demo/bundle" && "$corral" --root "$demo/state" run "demo-$$" </dev/null)
"$corral" bundle remove "$demo/bundle"

echo "== the supervisor: corrald on $sv, no network"
mkdir -p "$sv"
run_dir=$(mktemp -d /run/corral-demo.XXXXXX)
: >"$sv/corrald.conf"
say "corrald --socket $run_dir/corrald.sock --state-dir $sv/state --default-network none &"
"$bin/corrald" --config "$sv/corrald.conf" --socket "$run_dir/corrald.sock" --state-dir "$sv/state" \
	--cgroup-delegate no --cgroup-parent "$cgroup" --default-network none >"$sv/corrald.log" 2>&1 &
corrald_pid=$!
ctl() { "$bin/corralctl" --socket "$run_dir/corrald.sock" --timeout 30 "$@"; }
for _ in $(seq 200); do
	ctl --timeout 2 ping >/dev/null 2>&1 && break
	kill -0 "$corrald_pid" 2>/dev/null || { cat "$sv/corrald.log" >&2; exit 1; }
	sleep 0.05
done
run() { say "corralctl $*"; ctl "$@"; }
run image import "$demo/image" busybox:demo
run run -d --name demo busybox:demo sh -c 'echo "hello from corrald: $(hostname)"; exec sleep 600' >/dev/null
for _ in $(seq 100); do [ -n "$(ctl logs demo)" ] && break; sleep 0.05; done
run ps
run logs demo
run exec demo ps
run rm -f demo >/dev/null
say "stop corrald"
kill -TERM "$corrald_pid"
wait "$corrald_pid" || true
corrald_pid=""
