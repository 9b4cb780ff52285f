#!/bin/bash
# checkpoint-vm.sh's guest side: B N. A container whose process has
# written 256 MiB (tests/helpers/memtouch) is checkpointed and restored N
# times under corral and under runc, the same criu for both; seconds per
# checkpoint and per restore (median), and corral's as a ratio of runc's.
set -u
B=$1 N=$2
command -v criu >/dev/null && criu check >/dev/null 2>&1 || { echo "checkpoint-guest: criu cannot work here"; exit 1; }
work=$(mktemp -d /tmp/ckbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -a "$B/fixtures/busybox/rootfs" "$work/rootfs"
cp "$B/tests/helpers/memtouch" "$work/rootfs/bin/memtouch"
(cd "$work" && "$B/bin/corral" spec) || exit 1
jq '.process.terminal=false | .process.noNewPrivileges=false | .process.args=["memtouch","256"]' \
	"$work/config.json" >"$work/c" && mv "$work/c" "$work/config.json"
# microseconds (busybox's date has no %N)
now() { local t=$EPOCHREALTIME; echo "${t/./}"; }
# bench NAME CMD...: run, wait for its 256 MiB, then N checkpoint/restore rounds
bench() {
	local name=$1 i t0 t1 t2
	shift
	: >"$work/$name.ck"
	: >"$work/$name.rs"
	# stdio on /dev/null: criu does not dump a file of the host's
	(cd "$work" && "$@" run -d b1 </dev/null >/dev/null 2>&1) || { echo "$name: run failed"; return 1; }
	for _ in $(seq 300); do "$@" exec b1 test -e /dev/shm/ready 2>/dev/null && break; sleep 0.1; done
	for i in $(seq "$N"); do
		rm -rf "$work/img"
		t0=$(now)
		"$@" checkpoint --image-path "$work/img" b1 2>"$work/$name.err" || { echo "$name: checkpoint: $(tail -1 "$work/$name.err")"; return 1; }
		t1=$(now)
		(cd "$work" && "$@" restore -d --image-path "$work/img" b1 </dev/null >/dev/null 2>"$work/$name.err") ||
			{ echo "$name: restore: $(tail -1 "$work/$name.err")"; return 1; }
		t2=$(now)
		echo $((t1 - t0)) >>"$work/$name.ck"
		echo $((t2 - t1)) >>"$work/$name.rs"
	done
	"$@" delete -f b1 >/dev/null 2>&1
	echo "$name: image $(du -sm "$work/img" | cut -f1) MiB"
	for k in ck rs; do
		sort -n "$work/$name.$k" | awk -v n="$name $k" '{a[NR]=$1; s+=$1} END {printf "%-12s median %.3f s  mean %.3f s  (N=%d)\n", n, a[int((NR+1)/2)]/1e6, s/NR/1e6, NR}'
	done
}
bench corral "$B/bin/corral" --root "$work/rc" || exit 1
bench runc runc --root "$work/rr" || exit 1
med() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
awk -v c="$(med "$work/corral.ck")" -v r="$(med "$work/runc.ck")" 'BEGIN {printf "corral/runc checkpoint (median): %.2f\n", c / r}'
awk -v c="$(med "$work/corral.rs")" -v r="$(med "$work/runc.rs")" 'BEGIN {printf "corral/runc restore (median): %.2f\n", c / r}'
