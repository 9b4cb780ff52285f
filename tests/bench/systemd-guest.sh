#!/bin/bash
# systemd-vm.sh's guest side (systemd is PID 1): B N
set -u
B=$1 N=$2
[ -d /run/systemd/system ] || { echo "systemd-guest: PID 1 is not systemd"; exit 1; }
work=$(mktemp -d /tmp/sdbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$B/bin/corral" spec) || exit 1
jq --arg r "$B/fixtures/busybox/rootfs" '.root.path=$r | .process.terminal=false | .process.args=["sleep","300"]
	| .linux.resources={"memory":{"limit":67108864},"pids":{"limit":64},"cpu":{"shares":512}}' \
	"$work/config.json" >"$work/c" && mv "$work/c" "$work/config.json"
now() { date +%s%N; }
# bench NAME CMD...: N creates, each of a fresh id, deleted after
bench() {
	local name=$1 i t0 t1 cgp
	shift
	: >"$work/$name.ms"
	for i in $(seq "$N"); do
		cgp="system.slice:b$name:$i"
		[ "$name" = corral-cgroupfs ] && cgp="/bench/$i"
		jq --arg p "$cgp" '.linux.cgroupsPath=$p' "$work/config.json" >"$work/c.json"
		mkdir -p "$work/$name" && cp "$work/c.json" "$work/$name/config.json"
		t0=$(now)
		(cd "$work/$name" && "$@" create "b$i" </dev/null >/dev/null 2>"$work/$name.err") ||
			{ echo "$name: create failed: $(tail -1 "$work/$name.err")"; return 1; }
		t1=$(now)
		echo $(((t1 - t0) / 1000)) >>"$work/$name.ms"
		"$@" delete -f "b$i" >/dev/null 2>&1
	done
	sort -n "$work/$name.ms" | awk -v n="$name" '{a[NR]=$1; s+=$1} END {printf "%-16s median %.2f ms  mean %.2f ms  (N=%d)\n", n, a[int((NR+1)/2)]/1000, s/NR/1000, NR}'
}
bench corral "$B/bin/corral" --root "$work/rc" --systemd-cgroup
bench runc runc --root "$work/rr" --systemd-cgroup
command -v crun >/dev/null && bench crun crun --root "$work/rn" --systemd-cgroup
bench corral-cgroupfs "$B/bin/corral" --root "$work/rf"
rmdir /sys/fs/cgroup/bench 2>/dev/null
c=$(sort -n "$work/corral.ms" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
r=$(sort -n "$work/runc.ms" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
awk -v c="$c" -v r="$r" 'BEGIN {printf "corral/runc (median create, systemd driver): %.2f\n", c / r}'
