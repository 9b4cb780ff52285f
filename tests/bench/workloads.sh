#!/bin/bash
# A Deployment of N replicas of busybox `sleep` (N=500), applied to
# corrald, beside podman starting the same N containers in a loop of
# `podman run -d`, in one run. Reports:
#   - the time to converge (apply until N replicas are ready), and podman's loop;
#   - corrald's RSS at N, and each monitor's (median, max);
#   - List p99 at N (200 calls of a varlink client, all containers);
#   - the time to delete it all (delete workload, until every replica is
#     gone), and podman's rm -af.
# Targets: convergence >= 5x faster than podman's loop, corrald <= 16 MiB
# RSS at 500, List p99 <= 5 ms. Both run with no network (--network none;
# a replica's session gets lo only), in a network namespace of their own.
#   tests/bench/workloads.sh B [N]     (root)
# Never a timed test: it prints figures.
set -u
B=${1:-build}
N=${2:-${N:-500}}
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$root/$B" ;; esac
[ "$(id -u)" -eq 0 ] || { echo "workloads: needs root"; exit 0; }
if [ -z "${CORRAL_BENCH_NETNS:-}" ]; then
	CORRAL_BENCH_NETNS=1 exec unshare -n -- "$0" "$B" "$N"
fi
ip link set lo up
CNI=/usr/lib/cni
OCI="$B/fixtures/images/oci"
[ -f "$OCI/index.json" ] || "$root/tests/fixtures/mkimages.sh" "$B" >/dev/null
[ -f "$OCI/index.json" ] || { echo "workloads: no image fixture $OCI (tests/fixtures/mkimages.sh)"; exit 1; }
VLCALL="$B/tests/helpers/vlcall"
[ -x "$VLCALL" ] || make -s -C "$root" "$VLCALL" >/dev/null 2>&1

d=$(mktemp -d "${TMPDIR:-/tmp}/corral-bench-wl.XXXXXX")
cgp="/corral-bench-wl-$$"
sock="$d/c.sock"
BENCH_NAME=workloads
. "$root/tests/bench/podman_lib.sh"
ctl() { "$B/bin/corralctl" --socket "$sock" --timeout 5m "$@"; }
pid=""
cleanup() {
	set +e
	trap - EXIT INT TERM
	if [ -n "$pid" ]; then
		ctl delete workload big >/dev/null 2>&1
		for id in $(ctl --json ps -a 2>/dev/null | jq -r '.[].id'); do ctl rm -f "$id" >/dev/null 2>&1; done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	bench_release
}
trap cleanup EXIT
trap 'exit 130' INT TERM
now() { echo "${EPOCHREALTIME/./}"; }
secs() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1e6 }'; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

ulimit -n 65536 2>/dev/null
: >"$d/corrald.conf"
"$B/bin/corrald" --config "$d/corrald.conf" --socket "$sock" --state-dir "$d/state" \
	--cgroup-delegate no --cgroup-parent "$cgp-corral" --cni-config-dir "$d/net.d" \
	--default-network none --log-level warning 2>"$d/corrald.err" &
pid=$!
for _ in $(seq 100); do ctl ping >/dev/null 2>&1 && break; sleep 0.05; done
ctl ping >/dev/null 2>&1 || { echo "workloads: corrald did not start: $(tail -3 "$d/corrald.err")"; exit 1; }
ctl image import "oci:$OCI:test" bench:1 >/dev/null || { echo "workloads: corral could not import the image"; exit 1; }
podman_setup

cat >"$d/big.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: big
  labels: {app: big}
spec:
  replicas: $N
  selector:
    matchLabels: {app: big}
  template:
    metadata:
      labels: {app: big}
    spec:
      containers:
      - name: sleep
        image: bench:1
        command: ["sleep", "100000"]
EOF
rss0=$(rss_kb "$pid")
a=$(now)
ctl apply -f "$d/big.yaml" >/dev/null || { echo "workloads: apply failed"; exit 1; }
while [ "$(ctl --json get workloads | jq -r '.[0].ready')" != "$N" ]; do
	[ $(($(now) - a)) -gt 1800000000 ] && { echo "workloads: $N replicas did not converge in 30 min"; exit 1; }
	sleep 0.2
done
b=$(now)
converge=$((b - a))
rss=$(rss_kb "$pid")
mons=$(for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = corral-monitor ] || continue
	tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qs -- "$d/" && awk '/^VmRSS/ { print $2 }' "$p/status"
done | sort -n)
nmon=$(echo "$mons" | grep -c .)
mon_med=$(echo "$mons" | awk '{ a[NR] = $1 } END { print NR ? a[int((NR + 1) / 2)] : "-" }')
mon_max=$(echo "$mons" | tail -1)
list=$("$VLCALL" "$sock" -r 200 '{"method":"io.corral.Supervisor.List","parameters":{"all":true}}' 2>&1)
list_p50=$(echo "$list" | awk '$1 == "p50" { print $2 }')
list_p99=$(echo "$list" | awk '$1 == "p99" { print $2 }')
a=$(now)
ctl delete workload big >/dev/null || { echo "workloads: delete failed"; exit 1; }
b=$(now)
delete=$((b - a))
left=$(ctl --json ps -a | jq length)

pm_run="-" pm_rm="-"
if [ -n "$podman_ok" ]; then
	a=$(now)
	for i in $(seq "$N"); do
		pm run -d "${PM_ARGS[@]}" --network none --name "p$i" bench:1 sleep 100000 >/dev/null 2>"$d/err" ||
			{ echo "workloads: podman run $i: $(tail -2 "$d/err")"; podman_ok=""; break; }
	done
	b=$(now)
	[ -n "$podman_ok" ] && pm_run=$((b - a))
	a=$(now)
	pm rm -af -t 0 >/dev/null 2>&1
	b=$(now)
	[ -n "$podman_ok" ] && pm_rm=$((b - a))
fi

echo "workloads: a Deployment of $N replicas of busybox sleep, beside $N x podman run -d (kernel $(uname -r), $(nproc) CPUs,"
echo "  $(podman --version 2>/dev/null || echo no podman)${PM_ARGS[1]:+ with ${PM_ARGS[2]:-its default runtime}}; both --network none)"
printf '  %-44s %10s\n' "corral: converge (apply until $N ready)" "$(secs "$converge") s"
if [ "$pm_run" != "-" ]; then
	printf '  %-44s %10s\n' "podman: $N x run -d" "$(secs "$pm_run") s"
	printf '  %-44s %10s\n' "ratio podman / corral (target >= 5)" "$(awk -v p="$pm_run" -v c="$converge" 'BEGIN { printf "%.1f", p / c }')"
fi
printf '  %-44s %10s\n' "corrald RSS before / at $N (target <= 16 MiB)" "$rss0 / $rss kB"
printf '  %-44s %10s\n' "monitors: $nmon, RSS median / max" "$mon_med / $mon_max kB"
printf '  %-44s %10s\n' "List of $N, p50 / p99 (target p99 <= 5 ms)" "$list_p50 / $list_p99 us"
printf '  %-44s %10s\n' "corral: delete workload, until all gone" "$(secs "$delete") s ($left left)"
[ "$pm_rm" != "-" ] && printf '  %-44s %10s\n' "podman: rm -af -t 0" "$(secs "$pm_rm") s"
exit 0
