#!/bin/bash
# `make check`: unit, integration and VM suites, then one total line.
set -u
SANITIZE=${1:-}
cd "$(dirname "$0")/.."
B=build
[ "$SANITIZE" = 1 ] && B=build/sanitize
rc=0
start=$SECONDS
# the machine's speed, before anything runs: it scales the target below
probe_ms=$(tests/speed_probe.sh)
# The VM tier's guests boot and run while the host tier runs: each tier
# waits on containers, registries and daemons far more than it computes.
# What the tiers run is built first, so that the VM tier starts at once
# (it is the longest chain), and lint and unit tests run beside it.
make -s -j"$(nproc)" test-deps SANITIZE="$SANITIZE" || rc=1
tests/fixtures/mkall.sh build >/dev/null ||
	echo "check: the fixtures could not be made (each tier says what fails)"
# The VM tier (tests/vm/tier.sh), each guest on one vCPU: its default,
# systemd and SELinux boots run one after another beside the host tier,
# and the clients' and CRI boots beside each other once the host tier is
# done, so that the chains end about together. (fc9: 1438 s with the
# default boot alone beside the host tier, and the systemd boot alone for
# the last 7 minutes; fc10: 1499 s with two chains and the host tier all
# at once. Stop 85:
# the host tier ended at 3175 s, the default and systemd boots (1350 and
# 1910 s) about 285 s later, and the clients' and SELinux boots (865 and
# 120 s) at 4160 s, one core idle for the last 600 s of it: the SELinux
# boot went to the first chain, and the clients' boot became two.)
vm=""
if [ -x tests/vm/run.sh ] && [ "$SANITIZE" != 1 ] && [ "${CHECK_VM_APART:-0}" != 1 ]; then
	mkdir -p "$B/results"
	( tests/vm/tier.sh "$B" default systemd selinux >"$B/results/vm-tier.log" 2>&1; echo $? >"$B/results/vm-tier.rc" ) &
	vm=$!
fi
make -s -j"$(nproc)" check-lint SANITIZE="$SANITIZE" || rc=1
make -s -j"$(nproc)" check-unit SANITIZE="$SANITIZE" || rc=1
make -s -j"$(nproc)" check-integration SANITIZE="$SANITIZE" || rc=1
# when each chain ends, so that a run past its target says which chain to shorten
ends="the host tier ended at $((SECONDS - start)) s"
if [ -n "$vm" ]; then
	tests/vm/tier.sh "$B" clients >"$B/results/vm-clients.log" 2>&1 &
	clients=$!
	tests/vm/tier.sh "$B" cri >"$B/results/vm-cri.log" 2>&1 || rc=1
	wait "$clients" || rc=1
	ends+=", the clients' and CRI boots after it at $((SECONDS - start)) s"
	wait "$vm"
	ends+=", the default, systemd and SELinux boots beside them by $((SECONDS - start)) s"
	cat "$B/results/vm-tier.log" "$B/results/vm-clients.log" "$B/results/vm-cri.log"
	[ "$(cat "$B/results/vm-tier.rc" 2>/dev/null)" = 0 ] || rc=1
elif [ -x tests/vm/run.sh ] && [ "$SANITIZE" != 1 ]; then
	make -s check-vm || rc=1
fi
tp=0 tf=0 ts=0
[ -f "$B/results/unit.txt" ] && read -r p f s <"$B/results/unit.txt" && tp=$((tp+p)) tf=$((tf+f)) ts=$((ts+s))
for r in lint integration vm vm-selinux/vm vm-systemd/vm vm-clients/vm vm-cri/vm; do
	x="$B/results/$r.txt"
	[ -f "$x" ] || continue
	tp=$((tp + $(grep -c '^pass' "$x"))); tf=$((tf + $(grep -c '^fail' "$x"))); ts=$((ts + $(grep -c '^skip' "$x")))
done
# The target: 30 minutes (DESIGN) on a machine as fast as the one it was
# set on, whose speed probe took PROBE_REF_MS, and as much more as a slower
# machine's probe says (the same suite took 14 minutes on one 2-core
# machine, and 44 to 50 on others that were slower all through). A run
# past it says so, with when each chain ended and the slowest files, and
# does not fail: a wall time is no case's assertion (speed is the
# benchmarks'), and this one moves with the machine's load (one commit
# took 2505 and 2882 s on one machine, its probe reading 550 and 546 ms;
# another run's probe read 881 ms). A run past CHECK_LIMIT seconds (88
# minutes) fails, naming the slowest files: CI stops a run at 90, and
# then nothing lands; what CI runs beside make check took 8 s at stop 85.
# (75 minutes failed a run of 4675 s that CI would have taken, its probe
# reading 1987 ms; the next read 3263 ms. 85 minutes came within 296 s of
# failing one of 4804 s, its probe reading 2088 ms: the limit is now CI's
# own less two minutes: .ci/run spends 10 s outside make check.)
PROBE_REF_MS=420
probe_ms=${probe_ms:-$PROBE_REF_MS}
total=$((SECONDS - start))
echo "$total" >"$B/results/total-seconds.txt"
scale=$((probe_ms > PROBE_REF_MS ? probe_ms : PROBE_REF_MS))
target=$((1800 * scale / PROBE_REF_MS))
limit=${CHECK_LIMIT:-5280}
echo "check: $ends"
echo "check: target ${target} s (30 minutes, scaled by the speed probe: ${probe_ms} ms here, ${PROBE_REF_MS} ms where it was set), limit ${limit} s"
slowest() { tests/times.sh "$B" 8 | sed -n '/^slowest files/,/^whole run/p' | sed 's/^/    /'; }
if [ "$SANITIZE" != 1 ] && [ "$total" -gt "$limit" ]; then
	echo "FAIL check-limit: the run took ${total} s, past its limit of ${limit} s; the slowest files:"
	slowest
	tf=$((tf + 1))
elif [ "$SANITIZE" != 1 ] && [ "$total" -gt "$target" ]; then
	echo "check: past the target: the run took ${total} s, against ${target} s; the slowest files:"
	slowest
fi
[ "$tf" -ne 0 ] && rc=1
# CI keeps only the end of the output: the failing cases' own lines go last
if [ "$tf" -ne 0 ]; then
	echo "check: what the failing cases printed:"
	{
		cat "$B"/results/integration-logs/*.log "$B/results/vm-failures.txt" \
			"$B/results/vm-selinux/vm-failures.txt" "$B/results/vm-systemd/vm-failures.txt" \
			"$B/results/vm-clients/vm-failures.txt" "$B/results/vm-cri/vm-failures.txt"
	} 2>/dev/null | awk '/^FAIL / { on = 1; print; next } /^[^ ]/ { on = 0 } on' | head -120 | sed 's/^/    /'
fi
echo "check: the whole run took ${total} s (make check-times: the slowest cases)"
echo "check: $tp passed, $tf failed, $ts skipped"
exit $rc
