#!/bin/bash
# What corrald gives its containers, seen with an attacker's eye: an exec
# is confined as the container's own processes are, and nothing of the
# daemon's own standing is handed on. Each test cleans up its daemon,
# monitors, containers, cgroups and mounts, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
IMG="$FIXTURES/busybox/rootfs"

# corrald.service runs at OOMScoreAdjust=-500; a container must not inherit
# the daemon's value (raised here: this host may not lower it).
test_svs_containers_do_not_inherit_the_daemons_oom_score_adj() {
	trap cleanup_sv EXIT
	echo 300 >/proc/self/oom_score_adj
	start_sv
	assert_eq "$(cat /proc/"$CORRALD_PID"/oom_score_adj)" 300 "corrald's own"
	assert_eq "$(ctl run "$IMG" cat /proc/self/oom_score_adj)" 0 "the container's"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
