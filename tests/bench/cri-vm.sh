#!/bin/bash
# The CRI benchmark inside the VM tier's guest (pure cgroup v2, every
# controller): containerd's CRI plugin with a runc and a corral handler (the
# runc v2 shim, BinaryName = corral). N times under each: a pod sandbox and
# one container (`true`) started, waited for and removed through the CRI;
# then N times `ctr run --rm` of the same image with each as the runc binary.
# Seconds per cycle, and corral's time as a ratio of runc's.
#   [PODS=100] [ONLY_STREAMS=1] tests/bench/cri-vm.sh B [N]
# (ONLY_STREAMS: the streaming server's figures alone)
set -u
B=${1:-build}
N=${2:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$root/$B" ;; esac
guest=$(mktemp "${TMPDIR:-/tmp}/corral-bench-guest.XXXXXX")
trap 'rm -f "$guest"' EXIT
# the guest gets the tree at its own path and the build dir as \$1 and \$2
cat >"$guest" <<G
#!/bin/bash
cd "\$1" && B="\$2" N=$N PODS=${PODS:-100} ONLY_STREAMS=${ONLY_STREAMS:-} tests/bench/cri-guest.sh 2>&1 | tee "\$VM_OUT/cri.txt"
G
chmod +x "$guest"
# containerd's hundred pods (a shim and a pause each) outgrow the tier's 1.5 GiB
CORRAL_VM_MEM=${CORRAL_VM_MEM:-4096} "$root/tests/vm/run.sh" "$B" "$guest" >/dev/null 2>&1
cat "$B/vm/out/cri.txt" 2>/dev/null || { echo "cri-vm: no result; see $B/vm/out/console.log"; exit 1; }
