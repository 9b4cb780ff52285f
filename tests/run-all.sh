#!/bin/bash
# `make check`: unit, integration and VM suites, then one total line.
set -u
SANITIZE=${1:-}
cd "$(dirname "$0")/.."
B=build
[ "$SANITIZE" = 1 ] && B=build/sanitize
rc=0
make -s -j"$(nproc)" check-lint SANITIZE="$SANITIZE" || rc=1
make -s -j"$(nproc)" check-unit SANITIZE="$SANITIZE" || rc=1
make -s -j"$(nproc)" check-integration SANITIZE="$SANITIZE" || rc=1
if [ -x tests/vm/run.sh ] && [ "$SANITIZE" != 1 ]; then
	make -s check-vm || rc=1
fi
tp=0 tf=0 ts=0
[ -f "$B/results/unit.txt" ] && read -r p f s <"$B/results/unit.txt" && tp=$((tp+p)) tf=$((tf+f)) ts=$((ts+s))
for r in lint integration vm vm-selinux/vm vm-systemd/vm; do
	x="$B/results/$r.txt"
	[ -f "$x" ] || continue
	tp=$((tp + $(grep -c '^pass' "$x"))); tf=$((tf + $(grep -c '^fail' "$x"))); ts=$((ts + $(grep -c '^skip' "$x")))
done
[ "$tf" -ne 0 ] && rc=1
echo "check: $tp passed, $tf failed, $ts skipped"
exit $rc
