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
# start NAME CMD...: run it, and wait for its 256 MiB
start() {
	local name=$1
	shift
	: >"$work/$name.ck"
	: >"$work/$name.rs"
	mkdir -p "$work/$name"
	cp "$work/config.json" "$work/$name/config.json"
	cp -a "$work/rootfs" "$work/$name/rootfs" # (runc takes no symlinked rootfs)
	# stdio on /dev/null: runc hands a pipe on, never a file of the host's
	(cd "$work/$name" && "$@" run -d "b-$name" </dev/null >/dev/null 2>&1) || { echo "$name: run failed"; return 1; }
	for _ in $(seq 300); do "$@" exec "b-$name" test -e /dev/shm/ready 2>/dev/null && break; sleep 0.1; done
}
# round NAME CMD...: one checkpoint and restore, timed
round() {
	local name=$1 t0 t1 t2
	shift
	rm -rf "$work/img-$name"
	t0=$(now)
	"$@" checkpoint --image-path "$work/img-$name" "b-$name" 2>"$work/$name.err" ||
		{ echo "$name: checkpoint: $(tail -1 "$work/$name.err")"; return 1; }
	t1=$(now)
	(cd "$work/$name" && "$@" restore -d --image-path "$work/img-$name" "b-$name" </dev/null >/dev/null 2>"$work/$name.err") ||
		{ echo "$name: restore: $(tail -1 "$work/$name.err")"; return 1; }
	t2=$(now)
	du -sm "$work/img-$name" | cut -f1 >"$work/$name.mib"
	rm -rf "$work/img-$name" # (the guest's memory holds both runtimes' containers)
	echo $((t1 - t0)) >>"$work/$name.ck"
	echo $((t2 - t1)) >>"$work/$name.rs"
}
report() {
	local name=$1 k
	echo "$name: image $(cat "$work/$name.mib") MiB"
	for k in ck rs; do
		sort -n "$work/$name.$k" | awk -v n="$name $k" '{a[NR]=$1; s+=$1} END {printf "%-12s median %.3f s  mean %.3f s  (N=%d)\n", n, a[int((NR+1)/2)]/1e6, s/NR/1e6, NR}'
	done
}
CORRAL=("$B/bin/corral" --root "$work/rc")
RUNC=(runc --root "$work/rr")
start corral "${CORRAL[@]}" && start runc "${RUNC[@]}" || exit 1
# the rounds alternate, so that neither runtime gets the warmer machine
for i in $(seq "$N"); do
	round corral "${CORRAL[@]}" && round runc "${RUNC[@]}" || exit 1
done
"${CORRAL[@]}" delete -f b-corral >/dev/null 2>&1
"${RUNC[@]}" delete -f b-runc >/dev/null 2>&1
report corral
report runc
med() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
awk -v c="$(med "$work/corral.ck")" -v r="$(med "$work/runc.ck")" 'BEGIN {printf "corral/runc checkpoint (median): %.2f\n", c / r}'
awk -v c="$(med "$work/corral.rs")" -v r="$(med "$work/runc.rs")" 'BEGIN {printf "corral/runc restore (median): %.2f\n", c / r}'
