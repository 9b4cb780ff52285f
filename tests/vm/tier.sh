#!/bin/bash
# `make check-vm`: the VM tier's three boots, in two chains at once: the
# default boot, and the SELinux boot then the systemd boot. Each boot keeps
# the guest's two CPUs about one busy (one file at a time, or two in the
# default boot), so that two chains fill the host's cores where one chain
# left one idle. Each chain's output is printed whole once both are done.
#   tests/vm/tier.sh B
set -u
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
logs="$B/results/vm-chains"
rm -rf "$logs" && mkdir -p "$logs"
# the fixtures and the helpers both chains use, made before they start
"$here/../fixtures/mkbusybox.sh" "$B" >/dev/null && "$here/../fixtures/mkimages.sh" "$B" >/dev/null &&
	"$here/../fixtures/mkpause.sh" "$B" >/dev/null
"$here/run.sh" "$B" >"$logs/default.log" 2>&1 &
a=$!
{ rc=0; CORRAL_VM_MODE=selinux "$here/run.sh" "$B" || rc=1; CORRAL_VM_MODE=systemd "$here/run.sh" "$B" || rc=1; exit $rc; } \
	>"$logs/selinux-systemd.log" 2>&1 &
b=$!
rc=0
wait "$a" || rc=1
wait "$b" || rc=1
cat "$logs/default.log" "$logs/selinux-systemd.log"
exit $rc
