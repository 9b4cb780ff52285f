#!/bin/bash
# What the systemd cgroup driver costs: `create` with --systemd-cgroup
# (a transient scope through systemd's D-Bus API) under corral, runc and
# crun, N times each, in one guest that boots systemd as PID 1 (the VM
# tier's systemd mode), and corral's cgroupfs create for scale. Milliseconds
# per create (median and mean; delete is not timed), and corral's time as a
# ratio of runc's.
#   tests/bench/systemd-vm.sh B [N]
set -u
B=${1:-build}
N=${2:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$root/$B" ;; esac
"$root/tests/fixtures/mkbusybox.sh" "$B" >/dev/null || { echo "systemd-vm: fixtures"; exit 1; }
guest=$(mktemp "${TMPDIR:-/tmp}/corral-bench-guest.XXXXXX")
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<G
#!/bin/bash
cd "\$1" && tests/bench/systemd-guest.sh "\$2" "$N" 2>&1 | tee "\$VM_OUT/systemd.txt"
G
chmod +x "$guest"
CORRAL_VM_SYSTEMD=1 "$root/tests/vm/run.sh" "$B" "$guest" >/dev/null 2>&1
cat "$B/vm/out/systemd.txt" 2>/dev/null || { echo "systemd-vm: no result; see $B/vm/out/console.log"; exit 1; }
