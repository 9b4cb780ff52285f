#!/bin/bash
# `make check`: unit, integration and VM suites, then one total line.
set -u
SANITIZE=${1:-}
cd "$(dirname "$0")/.."
B=build
[ "$SANITIZE" = 1 ] && B=build/sanitize
rc=0
start=$SECONDS
# the machine's speed, before anything runs: it scales the budget below
probe_ms=$(tests/speed_probe.sh)
# The VM tier's guests boot and run while the host tier runs: each tier
# waits on containers, registries and daemons far more than it computes.
# What the tiers run is built first, so that the VM tier starts at once
# (it is the longest chain), and lint and unit tests run beside it.
make -s -j"$(nproc)" test-deps SANITIZE="$SANITIZE" || rc=1
tests/fixtures/mkall.sh build >/dev/null ||
	echo "check: the fixtures could not be made (each tier says what fails)"
# The VM tier (tests/vm/tier.sh), each guest on one vCPU: its default and
# systemd boots run one after another beside the host tier, and the
# clients' and SELinux boots once the host tier is done, so that the two
# chains end about together. (fc9: 1438 s with the default boot alone
# beside the host tier, and the systemd boot alone for the last 7 minutes;
# fc10: 1499 s with two chains and the host tier all at once. Stop 83:
# the host tier ended at 1777 s and the clients' boot at 2611 s, the
# default, SELinux and systemd boots at 2802 s: 1513, 132 and 1063 s.)
vm=""
if [ -x tests/vm/run.sh ] && [ "$SANITIZE" != 1 ] && [ "${CHECK_VM_APART:-0}" != 1 ]; then
	mkdir -p "$B/results"
	( tests/vm/tier.sh "$B" default systemd >"$B/results/vm-tier.log" 2>&1; echo $? >"$B/results/vm-tier.rc" ) &
	vm=$!
fi
make -s -j"$(nproc)" check-lint SANITIZE="$SANITIZE" || rc=1
make -s -j"$(nproc)" check-unit SANITIZE="$SANITIZE" || rc=1
make -s -j"$(nproc)" check-integration SANITIZE="$SANITIZE" || rc=1
# when each chain ends, so that a run past its budget says which to shorten
ends="the host tier ended at $((SECONDS - start)) s"
if [ -n "$vm" ]; then
	tests/vm/tier.sh "$B" clients selinux >"$B/results/vm-clients.log" 2>&1 || rc=1
	ends+=", the clients' and SELinux boots after it at $((SECONDS - start)) s"
	wait "$vm"
	ends+=", the default and systemd boots beside them by $((SECONDS - start)) s"
	cat "$B/results/vm-tier.log" "$B/results/vm-clients.log"
	[ "$(cat "$B/results/vm-tier.rc" 2>/dev/null)" = 0 ] || rc=1
elif [ -x tests/vm/run.sh ] && [ "$SANITIZE" != 1 ]; then
	make -s check-vm || rc=1
fi
tp=0 tf=0 ts=0
[ -f "$B/results/unit.txt" ] && read -r p f s <"$B/results/unit.txt" && tp=$((tp+p)) tf=$((tf+f)) ts=$((ts+s))
for r in lint integration vm vm-selinux/vm vm-systemd/vm vm-clients/vm; do
	x="$B/results/$r.txt"
	[ -f "$x" ] || continue
	tp=$((tp + $(grep -c '^pass' "$x"))); tf=$((tf + $(grep -c '^fail' "$x"))); ts=$((ts + $(grep -c '^skip' "$x")))
done
# The budget: a run past it fails, naming the slowest files, so that the
# next change cannot quietly push the suite toward CI's 90 minutes. It is
# 30 minutes (DESIGN) on a machine as fast as the one it was set on, whose
# speed probe took PROBE_REF_MS; a slower machine gets as much more as its
# probe says (the same suite took 14 minutes on one 2-core machine, and 44
# to 50 on others that were slower all through).
PROBE_REF_MS=420
probe_ms=${probe_ms:-$PROBE_REF_MS}
total=$((SECONDS - start))
echo "$total" >"$B/results/total-seconds.txt"
scale=$((probe_ms > PROBE_REF_MS ? probe_ms : PROBE_REF_MS))
budget=${CHECK_BUDGET:-$((1800 * scale / PROBE_REF_MS))}
echo "check: $ends"
echo "check: budget ${budget} s (30 minutes, scaled by the speed probe: ${probe_ms} ms here, ${PROBE_REF_MS} ms where it was set)"
if [ "$SANITIZE" != 1 ] && [ "$total" -gt "$budget" ]; then
	echo "FAIL check-budget: the run took ${total} s, past its budget of ${budget} s; the slowest files:"
	tests/times.sh "$B" 8 | sed -n '/^slowest files/,/^whole run/p' | sed 's/^/    /'
	tf=$((tf + 1))
fi
[ "$tf" -ne 0 ] && rc=1
# CI keeps only the end of the output: the failing cases' own lines go last
if [ "$tf" -ne 0 ]; then
	echo "check: what the failing cases printed:"
	{
		cat "$B"/results/integration-logs/*.log "$B/results/vm-failures.txt" \
			"$B/results/vm-selinux/vm-failures.txt" "$B/results/vm-systemd/vm-failures.txt" \
			"$B/results/vm-clients/vm-failures.txt"
	} 2>/dev/null | awk '/^FAIL / { on = 1; print; next } /^[^ ]/ { on = 0 } on' | head -120 | sed 's/^/    /'
fi
echo "check: the whole run took ${total} s (make check-times: the slowest cases)"
echo "check: $tp passed, $tf failed, $ts skipped"
exit $rc
