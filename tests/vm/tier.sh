#!/bin/bash
# `make check-vm`: the VM tier's three boots in two chains, the default
# boot beside the SELinux boot and then the systemd boot. Each boot keeps
# about one of the host's cores busy, so two chains fill a 2-core host.
# Run at once, each chain's output is printed whole once both are done.
#   tests/vm/tier.sh B [default|others]   (one chain; default: both at once)
# `make check` runs both chains beside the host tier (tests/run-all.sh).
set -u
B=${1:-build}
which=${2:-both}
here=$(cd "$(dirname "$0")" && pwd)
logs="$B/results/vm-chains"
mkdir -p "$logs"
default() { "$here/run.sh" "$B"; }
others() {
	local rc=0
	CORRAL_VM_MODE=selinux "$here/run.sh" "$B" || rc=1
	CORRAL_VM_MODE=systemd "$here/run.sh" "$B" || rc=1
	return $rc
}
case $which in
default|others) "$which"; exit ;;
both) ;;
*) echo "usage: tests/vm/tier.sh B [default|others]" >&2; exit 2 ;;
esac
# the fixtures both chains use, made before they start
"$here/../fixtures/mkall.sh" "$B" >/dev/null
default >"$logs/default.log" 2>&1 &
a=$!
others >"$logs/others.log" 2>&1 &
b=$!
rc=0
wait "$a" || rc=1
wait "$b" || rc=1
cat "$logs/default.log" "$logs/others.log"
exit $rc
