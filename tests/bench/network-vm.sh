#!/bin/bash
# The network benchmark inside the VM tier's guest (pure cgroup v2, every
# controller), where podman and crun run: this host's hybrid cgroups they
# refuse. tests/vm/run.sh copies in podman, conmon, the CNI plugins,
# iptables and the netfilter modules.
#   tests/bench/network-vm.sh B [N]
set -u
B=${1:-build}
N=${2:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$root/$B" ;; esac
# the image fixture is built here: the guest has no umoci or skopeo
"$root/tests/fixtures/mkimages.sh" "$B" >/dev/null || { echo "network-vm: no image fixture"; exit 1; }
guest=$(mktemp "${TMPDIR:-/tmp}/corral-bench-guest.XXXXXX")
trap 'rm -f "$guest"' EXIT
# the guest gets the tree at its own path and the build dir as \$1 and \$2
cat >"$guest" <<G
#!/bin/bash
cd "\$1" && tests/bench/network.sh "\$2" "$N" 2>&1 | tee "\$VM_OUT/network.txt"
G
chmod +x "$guest"
CORRAL_VM_VERBOSE=1 "$root/tests/vm/run.sh" "$B" "$guest" >/dev/null 2>&1
cat "$B/vm/out/network.txt" 2>/dev/null || { echo "network-vm: no result; see $B/vm/out/console.log"; exit 1; }
