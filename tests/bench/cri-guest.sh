#!/bin/bash
# Inside the guest (tests/bench/cri-vm.sh): the CRI and `ctr run --rm`
# cycles under runc and corral, N of each. B and N come from the caller.
set -u
. tests/integration/lib.sh
. tests/integration/cri/cri_lib.sh
CD="$TESTROOT/cri-bench"
trap stop_containerd EXIT
start_containerd || { echo "cri bench: containerd's CRI did not start"; tail -5 "$CD/log"; exit 1; }
declare -A pod run
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
ratio() { echo "$1 $2" | awk '{printf "%.2f", $2 / $1}'; }
printf '%-42s %8s %8s %7s\n' "CRI: pod + container start, wait, remove" "${pod[runc]}" "${pod[corral]}" "$(ratio "${pod[runc]}" "${pod[corral]}")"
printf '%-42s %8s %8s %7s\n' "ctr run --rm true" "${run[runc]}" "${run[corral]}" "$(ratio "${run[runc]}" "${run[corral]}")"
