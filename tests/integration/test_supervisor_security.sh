#!/bin/bash
# What corrald gives its containers, seen with an attacker's eye: an exec
# is confined as the container's own processes are, and nothing of the
# daemon's own standing is handed on. Each test cleans up its daemon,
# monitors, containers, cgroups and mounts, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
ESCAPE="$B/tests/helpers/escape"

# field NAME of /proc/PID/status, from text
field() { echo "$1" | awk -v k="$2:" '$1 == k {print $2}'; }

# corrald.service runs at OOMScoreAdjust=-500; a container must not inherit
# the daemon's value (raised here: this host may not lower it).
test_svs_containers_do_not_inherit_the_daemons_oom_score_adj() {
	trap cleanup_sv EXIT
	echo 300 >/proc/self/oom_score_adj
	start_sv
	assert_eq "$(cat /proc/"$CORRALD_PID"/oom_score_adj)" 300 "corrald's own"
	assert_eq "$(ctl run "$IMG" cat /proc/self/oom_score_adj)" 0 "the container's"
}

# corral-monitor ignores SIGPIPE, and posix_spawn hands it libc's own
# signals ignored: none of that reaches a container's process or an exec.
test_svs_processes_start_with_default_signals() {
	trap cleanup_sv EXIT
	start_sv
	local st
	st=$(ctl run "$IMG" cat /proc/self/status)
	assert_eq "$(field "$st" SigIgn)/$(field "$st" SigBlk)" 0000000000000000/0000000000000000 "the init's"
	ctl run -d --name web "$IMG" sleep 100 >/dev/null
	st=$(ctl exec web cat /proc/self/status)
	assert_eq "$(field "$st" SigIgn)/$(field "$st" SigBlk)" 0000000000000000/0000000000000000 "an exec's"
}

# Exec runs as the container's own processes do. It once ran with every
# capability, without no_new_privileges, seccomp or rlimits.
test_svs_exec_is_confined_as_the_container() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name web "$IMG" sleep 100 >/dev/null
	local init exec
	init=$(ctl exec web cat /proc/1/status)
	exec=$(ctl exec web cat /proc/self/status)
	for f in CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs Seccomp Uid Gid Groups; do
		assert_eq "$(field "$exec" $f)" "$(field "$init" $f)" "exec's $f against the init's"
	done
	assert_eq "$(field "$exec" CapEff)" 00000000800405fb "exec's CapEff (podman's default set)"
	assert_eq "$(field "$exec" NoNewPrivs)" 1 "exec's NoNewPrivs"
	assert_eq "$(field "$exec" Seccomp)" 2 "exec's Seccomp"
	assert_eq "$(ctl exec web sh -c 'grep "open files" /proc/self/limits')" \
		"$(ctl exec web sh -c 'grep "open files" /proc/1/limits')" "exec's RLIMIT_NOFILE"
	# in a child cgroup of the container's
	local cg
	cg=$(ctl exec web grep "^0::" /proc/self/cgroup)
	case "$cg" in 0::/exec-*) ;; *) fail "exec's cgroup: $cg" ;; esac
	ctl rm -f web >/dev/null
}

# A container that plants a setuid binary gains nothing when an operator
# execs it as another user: no_new_privileges holds, and capabilities stay
# the container's.
test_svs_exec_as_a_user_cannot_regain_root() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$FIXTURES/images/oci:test" img:1 >/dev/null
	ctl run -d --name web -v "$ESCAPE:/escape:ro" img:1 sleep 100 >/dev/null
	ctl exec web sh -c 'cp /escape /suidx && chmod 4755 /suidx'
	assert_eq "$(ctl exec web /suidx ids)" "uid=0 euid=0" "as root"
	assert_eq "$(ctl exec -u 1000 web /suidx ids)" "uid=1000 euid=1000" "setuid root ignored"
	local st
	st=$(ctl exec -u 1000 web cat /proc/self/status)
	assert_eq "$(field "$st" CapEff)" 0000000000000000 "a user's CapEff"
	assert_eq "$(field "$st" CapBnd)" 00000000800405fb "a user's CapBnd"
}

# --user, --env, --workdir and exit codes as podman exec has them.
test_svs_exec_options_and_exit_codes() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name web -e KEEP=1 -e OVER=old "$IMG" sleep 100 >/dev/null
	assert_eq "$(ctl exec -u app -w /tmp -e OVER=new -e NEW=2 web sh -c 'id -u; id -g; pwd; echo $KEEP$OVER$NEW')" \
		"1000
1000
/tmp
1new2" "user name, workdir, env added and replaced"
	assert_eq "$(ctl exec -u 1234:99 web sh -c 'echo $(id -u) $(id -g)')" "1234 99" "UID:GID"
	local rc=0 out
	ctl exec web sh -c 'exit 7' || rc=$?
	assert_eq "$rc" 7 "the command's exit code"
	rc=0
	out=$(ctl exec web nosuch 2>&1) || rc=$?
	assert_eq "$rc" 127 "a command that is not found"
	assert_contains "$out" '"nosuch": executable file not found' "why"
	rc=0
	out=$(ctl exec -w /nonexistent web true 2>&1) || rc=$?
	assert_eq "$rc" 127 "a working directory that is not there"
	assert_contains "$out" "process.cwd: /nonexistent" "why"
	out=$(ctl exec -u nosuchuser web true 2>&1) && fail "an unknown user ran"
	assert_contains "$out" "nosuchuser" "unknown user named"
	# output that is not UTF-8 (or holds NUL): byte for byte through corralctl
	# (Streams); mended in a varlink reply, never a broken one
	assert_eq "$(ctl exec web printf 'a\377b\000c' | od -An -tx1 | tr -d ' \n')" 61ff620063 "binary output"
	assert_eq "$(ctl call Exec '{"id":"web","command":["printf","a\\377b\\000c"]}' | jq -j .stdout |
		od -An -tx1 | tr -d ' \n')" 61efbfbd62efbfbd63 "binary output in a reply"
	out=$(ctl exec -w relative web true 2>&1) && fail "a relative workdir ran"
	assert_contains "$out" "workdir" "relative workdir refused"
}

# At the timeout, and when the client hangs up, the command and all it
# started are killed, and nothing is left: no process, no child cgroup.
test_svs_exec_timeout_and_hangup_kill_everything() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name web "$IMG" sleep 100 >/dev/null
	local id cg out
	id=$(ctl --json inspect web | jq -r '.[0].id')
	cg=/sys/fs/cgroup/unified/corral-$TID/$id
	[ -d /sys/fs/cgroup/unified ] || cg=/sys/fs/cgroup/corral-$TID/$id
	out=$(ctl call Exec '{"id":"web","command":["sh","-c","sleep 3011 & sleep 3012"],"timeout":1}')
	assert_eq "$(echo "$out" | jq -c '[.exitCode, .timedOut]')" "[137,true]" "timed out"
	timeout 1 "$CORRALCTL" --socket "$SOCK" exec web sh -c 'sleep 3013 & sleep 3014' && fail "hang-up"
	wait_for 5 sh -c '! pgrep -f "sleep 301[1-4]"'
	wait_for 5 sh -c "! ls -d $cg/*/"
	# what finished normally left nothing either
	ctl exec web true
	[ -z "$(ls -d "$cg"/*/ 2>/dev/null)" ] || fail "child cgroups left: $(ls -d "$cg"/*/)"
}

# podman's default 11 capabilities (apt-get in a container needs CHOWN,
# DAC_OVERRIDE, FOWNER and SETUID), changed by --cap-add and --cap-drop.
test_svs_default_capabilities_and_cap_add_drop() {
	trap cleanup_sv EXIT
	start_sv
	caps() { field "$(ctl run "$@" cat /proc/self/status)" CapEff; }
	assert_eq "$(caps "$IMG")" 00000000800405fb "podman's default set"
	assert_eq "$(ctl run "$IMG" sh -c 'touch /tmp/f && chown 1000:1000 /tmp/f && stat -c %u /tmp/f')" 1000 "chown as root"
	assert_eq "$(caps --cap-drop ALL "$IMG")" 0000000000000000 "--cap-drop ALL"
	assert_eq "$(caps --cap-drop ALL --cap-add net_raw "$IMG")" 0000000000002000 "--cap-drop ALL --cap-add net_raw"
	assert_eq "$(caps --cap-add CAP_SYS_ADMIN --cap-drop chown "$IMG")" 00000000802405fa "add SYS_ADMIN, drop CHOWN"
	local out
	out=$(ctl run --cap-add NOPE "$IMG" true 2>&1) && fail "an unknown capability was taken"
	assert_contains "$out" "spec.capAdd" "the field"
	assert_contains "$out" '"NOPE"' "the name"
}

# The exec's child cgroup is inside the container's: its limits hold.
test_svs_exec_counts_against_the_containers_memory_limit() {
	trap cleanup_sv EXIT
	need_memory_controller
	start_sv
	ctl run -d --name web --memory 16m "$IMG" sleep 100 >/dev/null
	local rc=0
	ctl exec web sh -c 'x=$(head -c 64m /dev/zero | tr "\0" x); echo survived' || rc=$?
	assert_eq "$rc" 137 "the exec was OOM-killed"
	assert_eq "$(ctl exec web echo alive)" alive "the container lives on"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
