#!/bin/bash
# `make check-vm`: the VM tier's five boots in two chains, each boot on one
# vCPU, so that two chains fill a 2-core host: the default, CRI and SELinux
# boots, beside the systemd boot and then the clients' boot.
# Each chain's output is printed whole once both are done.
#   tests/vm/tier.sh B [BOOT...]   (BOOT: default, selinux, systemd,
#                                   clients or cri; given, those in order,
#                                   alone)
# `make check` runs default, systemd and selinux beside the host tier, and
# clients beside cri once the host tier is done (tests/run-all.sh).
set -u
B=${1:-build}
shift
here=$(cd "$(dirname "$0")" && pwd)
logs="$B/results/vm-chains"
mkdir -p "$logs"
chain() { # BOOT...
	local rc=0 boot t0
	for boot in "$@"; do
		t0=$SECONDS
		case $boot in
		default) "$here/run.sh" "$B" || rc=1 ;;
		selinux|systemd|clients|cri) CORRAL_VM_MODE=$boot "$here/run.sh" "$B" || rc=1 ;;
		*) echo "tests/vm/tier.sh: $boot: no such boot (default, selinux, systemd, clients or cri)" >&2; return 2 ;;
		esac
		echo "vm-tier: the $boot boot took $((SECONDS - t0)) s"
	done
	return $rc
}
[ $# -gt 0 ] && { chain "$@"; exit; }
# the fixtures both chains use, made before they start
"$here/../fixtures/mkall.sh" "$B" >/dev/null
chain default cri selinux >"$logs/a.log" 2>&1 &
a=$!
chain systemd clients >"$logs/b.log" 2>&1 &
b=$!
rc=0
wait "$a" || rc=1
wait "$b" || rc=1
cat "$logs/a.log" "$logs/b.log"
exit $rc
