#!/bin/bash
# What corral adds to criu: checkpoint and restore of a container whose
# process has written 256 MiB, corral against runc in one guest of the VM
# tier (criu cannot work with the host's kernel). See checkpoint-guest.sh.
#   tests/bench/checkpoint-vm.sh B [N]
set -u
B=${1:-build}
N=${2:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$root/$B" ;; esac
make -s -C "$root" "$B/tests/helpers/memtouch" || exit 1
guest=$(mktemp "${TMPDIR:-/tmp}/corral-bench-guest.XXXXXX")
trap 'rm -f "$guest"' EXIT
cat >"$guest" <<G
#!/bin/bash
cd "\$1" && tests/bench/checkpoint-guest.sh "\$2" "$N" 2>&1 | tee "\$VM_OUT/checkpoint.txt"
G
chmod +x "$guest"
"$root/tests/vm/run.sh" "$B" "$guest" >/dev/null 2>&1
cat "$B/vm/out/checkpoint.txt" 2>/dev/null || { echo "checkpoint-vm: no result; see $B/vm/out/console.log"; exit 1; }
