#!/bin/bash
# The lifecycle benchmark inside the VM tier's guest (pure cgroup v2, every
# controller), with crun and runc copied in with their libraries.
#   tests/bench/lifecycle-vm.sh B [N]
set -u
B=${1:-build}
N=${2:-25}
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$root/$B" ;; esac
guest=$(mktemp "${TMPDIR:-/tmp}/corral-bench-guest.XXXXXX")
trap 'rm -f "$guest" "$B/tests/helpers/corral-fixed"' EXIT
# the guest gets the tree at its own path and the build dir as \$1 and \$2
cat >"$guest" <<G
#!/bin/bash
cd "\$1" && tests/bench/lifecycle.sh "\$2" "$N" 2>&1 | tee "\$VM_OUT/lifecycle.txt"
G
chmod +x "$guest"
# the guest has no compiler: lifecycle.sh's corral-fixed is made here (and
# removed after, so that no other boot carries it)
make -s -C "$root" B="$B" "$B/tests/helpers/corral-fixed" >/dev/null
CORRAL_VM_VERBOSE=1 "$root/tests/vm/run.sh" "$B" "$guest" >/dev/null 2>&1
cat "$B/vm/out/lifecycle.txt" 2>/dev/null || { echo "lifecycle-vm: no result; see $B/vm/out/console.log"; exit 1; }
