#!/bin/bash
# Inside the guest (tests/bench/cri-vm.sh): the CRI and `ctr run --rm`
# cycles under runc and corral, N of each. B and N come from the caller.
set -u
. tests/integration/lib.sh
. tests/integration/cri/cri_lib.sh
CD="$TESTROOT/cri-bench"
trap stop_containerd EXIT
start_containerd || { echo "cri bench: containerd's CRI did not start"; tail -5 "$CD/log"; exit 1; }
ratio() { echo "$1 $2" | awk '{printf "%.2f", $2 / $1}'; }
declare -A pod run
[ -n "${ONLY_STREAMS:-}" ] || {
for rt in $RUNTIMES; do
	cri bench --handler "$rt" --cgparent "/cri-bench-$rt" -n 1 >/dev/null # warm up
	pod[$rt]=$(cri bench --handler "$rt" --cgparent "/cri-bench-$rt" -n "$N")
	rmdir "/sys/fs/cgroup/cri-bench-$rt" 2>/dev/null
done
for rt in $RUNTIMES; do
	t0=$EPOCHREALTIME
	for i in $(seq "$N"); do
		ctr run --rm --runc-binary "$(rtbin "$rt")" --cgroup "/cri-bench-ctr/$rt-$i" "$IMAGE" "b-$rt-$i" true || echo "ctr run failed ($rt)"
	done
	run[$rt]=$(echo "$EPOCHREALTIME $t0 $N" | awk '{printf "%.3f", ($1 - $2) / $3}')
done
rmdir /sys/fs/cgroup/cri-bench-ctr 2>/dev/null
printf '%-42s %8s %8s %7s\n' "cycle (seconds each, $N runs)" runc corral ratio
printf '%-42s %8s %8s %7s\n' "CRI: pod + container start, wait, remove" "${pod[runc]}" "${pod[corral]}" "$(ratio "${pod[runc]}" "${pod[corral]}")"
printf '%-42s %8s %8s %7s\n' "ctr run --rm true" "${run[runc]}" "${run[corral]}" "$(ratio "${run[runc]}" "${run[corral]}")"
}

# corrald's own CRI beside containerd with runc: a pod with one container
# from RunPodSandbox to running, kubelet's relist at $PODS pods, and the
# memory each pod adds (proportional set sizes: containerd's shim and
# containerd; corrald, corral-cri and the monitor)
PODS=${PODS:-100}
. tests/integration/supervisor_lib.sh
. tests/integration/network_lib.sh
new_test_env cri-bench-own
trap 'cleanup_sv; stop_containerd' EXIT
# the same CNI plugins as containerd's pods have (a bridge, host-local),
# not corral's default network's four: the plugins' time is not the runtime's
mkdir -p "$T/net.d"
cat >"$T/net.d/crib.conflist" <<-EOC
{"cniVersion": "0.4.0", "name": "crib", "plugins": [
  {"type": "bridge", "bridge": "crib0", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.238.0.0/24"}]], "dataDir": "$T/ipam"}}]}
EOC
start_sv_netns --cri-socket "$S/cri.sock" --cri-user 65533:65533 --stream-address auto --default-network crib >/dev/null
ctl image import "docker-archive:$FIXTURES/images/docker-legacy.tar" "$IMAGE" >/dev/null
bench() { CRI_PB="$CD/pb" "$PY" "$CRIDIR/cri_bench.py" "$@" --image "$IMAGE"; }
declare -A start relist
med() { echo "${1%% *}"; }
[ -n "${ONLY_STREAMS:-}" ] || {
start[runc]=$(bench start --sock "$CDS/c.sock" --handler runc --cgparent /cri-bench-runc -n "$N")
start[own]=$(bench start --sock "$S/cri.sock" --cgparent /cri-bench-own -n "$N")
bench relist --relist-bin "$B/tests/helpers/cri_relist" --sock "$CDS/c.sock" --handler runc --cgparent /cri-bench-runc --pods "$PODS" \
	--procs 'containerd-shim-runc-v2' --procs '^containerd -c' >"$T/relist.runc"
bench relist --relist-bin "$B/tests/helpers/cri_relist" --sock "$S/cri.sock" --cgparent /cri-bench-own --pods "$PODS" \
	--procs 'corral-monitor' --procs 'corrald ' --procs '^corral-cri' >"$T/relist.own"
}
# the streaming server's: ExecSync, an exec through Exec's URL to its exit,
# and port-forward's throughput (the client in corrald's network namespace,
# where its server listens; containerd's listens on the guest's loopback)
bench streams --sock "$CDS/c.sock" --handler runc --cgparent /cri-bench-runc -n "$N" >"$T/streams.runc"
inns env CRI_PB="$CD/pb" "$PY" "$CRIDIR/cri_bench.py" streams --image "$IMAGE" --sock "$S/cri.sock" \
	--cgparent /cri-bench-own -n "$N" >"$T/streams.own"
rmdir /sys/fs/cgroup/cri-bench-runc /sys/fs/cgroup/cri-bench-own 2>/dev/null
echo
printf '%-44s %-26s %-26s %7s\n' "corrald's CRI beside containerd + runc" "containerd (med min max)" "corral (med min max)" ratio
[ -n "${ONLY_STREAMS:-}" ] || {
printf '%-44s %-26s %-26s %7s\n' "pod + container to running (s, N=$N)" "${start[runc]}" "${start[own]}" "$(ratio "$(med "${start[runc]}")" "$(med "${start[own]}")")"
r1=$(head -1 "$T/relist.runc") r2=$(head -1 "$T/relist.own")
printf '%-44s %-26s %-26s %7s\n' "relist at $PODS pods (s, 20 rounds)" "$r1" "$r2" "$(ratio "$(med "$r1")" "$(med "$r2")")"
f1=$(sed -n 's/^floor //p' "$T/relist.runc") f2=$(sed -n 's/^floor //p' "$T/relist.own")
printf '%-44s %-26s %-26s %7s\n' "  its floor: 2 Version calls (s)" "$f1" "$f2" "$(ratio "$(med "$f1")" "$(med "$f2")")"
above() { echo "$1 $2" | awk '{printf "%.4f", $1 - $2}'; }
a1=$(above "$(med "$r1")" "$(med "$f1")") a2=$(above "$(med "$r2")" "$(med "$f2")")
printf '%-44s %-26s %-26s %7s\n' "  relist above the floor (s, medians)" "$a1" "$a2" "$(ratio "$a1" "$a2")"
c1=$(sed -n 's/^compiled relist //p' "$T/relist.runc") c2=$(sed -n 's/^compiled relist //p' "$T/relist.own")
printf '%-44s %-26s %-26s %7s\n' "relist, a compiled client (s, 20 rounds)" "$c1" "$c2" "$(ratio "$(med "$c1")" "$(med "$c2")")"
f1=$(sed -n 's/^compiled floor //p' "$T/relist.runc") f2=$(sed -n 's/^compiled floor //p' "$T/relist.own")
printf '%-44s %-26s %-26s %7s\n' "  its floor: 2 Version calls (s)" "$f1" "$f2" "$(ratio "$(med "$f1")" "$(med "$f2")")"
shim=$(awk '/^mem containerd-shim/ {print $NF}' "$T/relist.runc")
cd_own=$(awk '/^mem \^containerd/ {print $NF}' "$T/relist.runc")
mon=$(awk '/^mem corral-monitor/ {print $NF}' "$T/relist.own")
cdd=$(awk '/^mem corrald/ {print $NF}' "$T/relist.own")
cri=$(awk '/^mem \^corral-cri/ {print $NF}' "$T/relist.own")
own=$((mon + cdd + cri))
printf '%-44s %-26s %-26s %7s\n' "memory per pod (kB PSS)" "shim $shim (+containerd $cd_own)" "$own (mon $mon, d $cdd, cri $cri)" "$(ratio "$shim" "$own")"
}
for k in execsync exec; do
	s1=$(sed -n "s/^$k //p" "$T/streams.runc") s2=$(sed -n "s/^$k //p" "$T/streams.own")
	printf '%-44s %-26s %-26s %7s\n' "$([ $k = exec ] && echo "exec of true through Exec's URL (s, N=$N)" || echo "ExecSync of true (s, N=$N)")" \
		"$s1" "$s2" "$(ratio "$(med "$s1")" "$(med "$s2")")"
done
s1=$(sed -n 's/^forward //p' "$T/streams.runc") s2=$(sed -n 's/^forward //p' "$T/streams.own")
printf '%-44s %-26s %-26s %7s\n' "port-forward, 32 MiB (MB/s, N=$((N / 4 > 3 ? N / 4 : 3)))" "$s1" "$s2" "$(ratio "$(med "$s1")" "$(med "$s2")")"
