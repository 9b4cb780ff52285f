#!/bin/bash
# `make check-vm`: the VM tier's three boots in two chains, the default
# boot and then the SELinux boot, beside the systemd boot. Each boot keeps
# about one of the host's cores busy, so two chains fill a 2-core host.
# Run at once, each chain's output is printed whole once both are done.
#   tests/vm/tier.sh B [lsm|systemd]   (one chain; default: both at once)
# `make check` starts the lsm chain beside the host tier, and the systemd
# boot once the host tier is done (tests/run-all.sh): the two chains then
# end about together.
set -u
B=${1:-build}
which=${2:-both}
here=$(cd "$(dirname "$0")" && pwd)
logs="$B/results/vm-chains"
mkdir -p "$logs"
lsm() {
	local rc=0
	"$here/run.sh" "$B" || rc=1
	CORRAL_VM_MODE=selinux "$here/run.sh" "$B" || rc=1
	return $rc
}
systemd() { CORRAL_VM_MODE=systemd "$here/run.sh" "$B"; }
case $which in
lsm|systemd) "$which"; exit ;;
both) ;;
*) echo "usage: tests/vm/tier.sh B [lsm|systemd]" >&2; exit 2 ;;
esac
# the fixtures both chains use, made before they start
"$here/../fixtures/mkall.sh" "$B" >/dev/null
lsm >"$logs/lsm.log" 2>&1 &
a=$!
systemd >"$logs/systemd.log" 2>&1 &
b=$!
rc=0
wait "$a" || rc=1
wait "$b" || rc=1
cat "$logs/lsm.log" "$logs/systemd.log"
exit $rc
