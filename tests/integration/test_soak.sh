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
	# a failure in a VM leaves nothing behind but the case's output: what
	# corrald said last goes there too
	[ "$rc" = 0 ] || sed -n "/^== corrald's log, its end/,\$p" <<<"$out" >&2
	[ "$rc" = 0 ] || fail "$(grep -m5 VIOLATION <<<"$out"; grep -m1 'replay with' <<<"$out"; grep -m1 '^soak: [a-z ]*:' <<<"$out")"
	assert_contains "$out" " 0 violations" "the soak's summary"
}

test_soak_fixed_seed() {
	soak --seed 1
}

test_soak_random_seed() {
	soak
}

# each planted after the end's check, one at a time in one run, and taken
# out before the next: each check finds its own (and the end's check, on
# what the run made, nothing)
test_soak_finds_planted_bugs() {
	local kinds="" kind words out found
	local plants=(orphan-mount:"accounted: mount STATE/containers/ffffffffffff" bad-blob:"store: blob"
		member-read:"members: uid 4242 lists" orphan-veth:"accounted: veth soakplant"
		orphan-cgroup:"accounted: cgroup eeeeeeeeeeeeeeeeeee"
		orphan-lease:"accounted: lease 10.88.255.250 on corral of soakplant"
		leaked-fd:"bounded: corrald holds")
	for kind in "${plants[@]}"; do kinds+=,${kind%%:*}; done
	out=$("$SOAK" --seed 7 --ops 24 --faults 2 --plant "${kinds#,}" "$B" 2>&1) && fail "the soak passed with bugs planted"
	assert_eq "$(sed '/^soak: planted /,$d' <<<"$out" | grep -c '^VIOLATION')" 0 "violations before the first bug was planted"
	local before=""
	for kind in "${plants[@]}"; do
		words=${kind#*:} kind=${kind%%:*}
		# what this plant's check printed: up to the next plant
		found=$(awk -v k="soak: planted $kind" '$0 == k { on = 1; next } /^soak: planted / { on = 0 } on' <<<"$out")
		assert_contains "$found" "VIOLATION $words" "the soak with $kind planted"
		# the plant before was taken out
		[ -z "$before" ] || assert_not_contains "$found" "VIOLATION $before" "the soak with $kind planted, after the one before"
		before=$words
	done
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
