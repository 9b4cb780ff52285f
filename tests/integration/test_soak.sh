#!/bin/bash
# Every landing soaked: tests/soak/run.sh, short, with a fixed seed and a
# random one (random operations from root and two members while the
# nemesis kills corrald, monitors and helpers and fills the disk; the
# invariants after every fault), and the soak's own test: a bug of each
# kind planted makes it fail, naming it. SOAK_OPS sets the length (the VM
# tier's is shorter). Where systemd is PID 1 (the VM tier's systemd boot)
# corrald is a unit, which the nemesis also restarts through systemctl;
# where criu works, containers are checkpointed and restored too. `make
# soak` runs it long.
. "$(dirname "$0")/lib.sh"

SOAK="$ROOTDIR/tests/soak/run.sh"
OPS=${SOAK_OPS:-240}

# soak ARGS...: a run; its summary in the case's log, its seed in a failure
soak() {
	local out rc=0
	out=$("$SOAK" --ops "$OPS" --faults $((OPS / 20)) "$@" "$B" 2>&1) || rc=$?
	grep '^soak:' <<<"$out" >&2
	[ "$rc" = 0 ] || fail "$(grep -m5 VIOLATION <<<"$out"; grep -m1 'replay with' <<<"$out"; grep -m1 '^soak: [a-z ]*:' <<<"$out")"
	assert_contains "$out" " 0 violations" "the soak's summary"
}

test_soak_fixed_seed() {
	soak --seed 1
}

test_soak_random_seed() {
	soak
}

# each planted before the last check; none of the runs above planted any
test_soak_finds_planted_bugs() {
	local kind words out
	for kind in orphan-mount:"accounted: mount STATE/containers/ffffffffffff" bad-blob:"store: blob" \
		member-read:"members: uid 4242 lists" leaked-fd:"bounded: corrald holds" \
		orphan-veth:"accounted: veth soakplant" orphan-cgroup:"accounted: cgroup eeeeeeeeeeeeeeeeeee" \
		orphan-lease:"accounted: lease 10.88.255.250 on corral of soakplant"; do
		words=${kind#*:} kind=${kind%%:*}
		out=$("$SOAK" --seed 7 --ops 24 --faults 2 --plant "$kind" "$B" 2>&1) && fail "the soak passed with $kind planted"
		assert_contains "$out" "VIOLATION $words" "the soak with $kind planted"
	done
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
