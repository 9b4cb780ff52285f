#!/bin/bash
# `make check-times`: the slowest cases and files of the last run, host and
# VM tiers (lib.sh's run_test and the runners record them in $B/results).
#   tests/times.sh [B] [N]
B=${1:-build}
N=${2:-20}
R="$B/results"
tiers=("host:$R" "vm:$R" "vm-selinux:$R/vm-selinux" "vm-systemd:$R/vm-systemd" "vm-clients:$R/vm-clients" "vm-cri:$R/vm-cri")
# KIND (cases or times) FORMAT: each tier's record, a row a line
rows() {
	local t f
	for t in "${tiers[@]}"; do
		f="${t#*:}/$([ "${t%%:*}" = host ] && echo integration || echo vm)-$1.txt"
		[ -f "$f" ] && awk -v t="${t%%:*}" -v fmt="$2" '{ printf fmt, $1, t, $2, $3 }' "$f"
	done
}
cases() { rows cases '%8.1f  %-10s %s %s\n'; }
files() { rows times '%8d  %-10s %s%s\n'; }
cpu() { rows cpu '%8d  %-10s %s%s\n'; }
[ -n "$(cases)" ] || { echo "check-times: no timings in $R (run make check first)" >&2; exit 1; }
echo "slowest cases (seconds, tier, file, case):"
cases | sort -rn | head -"$N"
echo "slowest files (seconds, tier, file):"
files | sort -rn | head -"$N"
echo "most CPU (seconds its processes used, tier, file; in a VM, the guest's seconds):"
cpu | sort -rn | head -"$N"
# a file past a minute says why in its first lines ("# time: ...")
echo "files over 60 s, and why (their '# time:' line):"
files | awk '$1 > 60 { print $3 }' | sort -u | while read -r f; do
	why=$(head -15 "$(dirname "$0")/integration/$f" 2>/dev/null | sed -n 's/^# time: //p' | head -1)
	printf '  %-34s %s\n' "$f" "${why:-(it does not say)}"
done
[ -f "$R/total-seconds.txt" ] && echo "whole run: $(cat "$R/total-seconds.txt") s"
exit 0
