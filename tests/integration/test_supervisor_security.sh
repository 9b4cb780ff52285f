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
	exec=$(ctl exec web cat /proc/self/status)
	# the init's capabilities are its own once its execve has committed them
	settled "$(grep ^CapEff <<<"$exec")" ctl exec web grep ^CapEff /proc/1/status >/dev/null
	init=$(ctl exec web cat /proc/1/status)
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
	# ALL is all that corrald may hand on (its bounding set; this host's
	# lacks SYS_RESOURCE), not every capability the kernel knows
	assert_eq "$(caps --cap-add ALL "$IMG")" "$(field "$(cat /proc/"$CORRALD_PID"/status)" CapBnd)" "--cap-add ALL"
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

# Members 4242 and 4343 share their primary group (12345), as members of
# "users" do on many hosts: 4242 imports an image and runs a container
# holding a setuid copy of the escape helper, made by its root (4242 on
# the host); prints the container's directory.
member_container_with_a_setuid_file() {
	cp "$FIXTURES/images/test.oci.tar" "$T/img.tar"
	chmod 644 "$T/img.tar"
	mctl 4242 image import "oci-archive:$T/img.tar" m:1 >/dev/null
	local id
	id=$(mctl 4242 run -d --name mine m:1 sleep 1000)
	mctl 4242 exec -i mine sh -c 'cat >/tmp/suidx && chmod 4755 /tmp/suidx' <"$ESCAPE"
	echo "$STATE_D/containers/$id"
}

# What 4343 (the same primary group as 4242) reaches of 4242's container
# on the host, one word each: read (its etc/passwd), write (in its tmp),
# exec (its setuid file, as the attack found it); "-" where it failed.
reach_of_4343() {
	local d=$1
	echo "$(as_uid 4343 cat "$d/rootfs/etc/passwd" >/dev/null 2>&1 && echo read || echo -)" \
		"$(as_uid 4343 sh -c "echo x >'$d/rootfs/tmp/planted'" 2>/dev/null && echo write || echo -)" \
		"$(as_uid 4343 "$d/rootfs/tmp/suidx" ids 2>/dev/null | grep -q euid=4242 && echo exec || echo -)"
}

# A member's container is its own, whatever groups it shares: its
# directory is root's, and its container's root (the member's uid) alone
# may pass, by an ACL entry; its overlay is nosuid,nodev on the host, so
# even where an fd reaches the setuid file past the directory, running it
# gives nobody the member's uid. The container itself still runs.
test_svs_members_who_share_a_group_do_not_reach_each_others_containers() {
	trap cleanup_sv EXIT
	start_sv_group
	local d
	d=$(member_container_with_a_setuid_file)
	assert_eq "$(reach_of_4343 "$d")" "- - -" "what 4343 reached of 4242's container"
	[ ! -e "$d/rootfs/tmp/planted" ] || fail "4343 planted a file in 4242's rootfs"
	assert_eq "$(stat -c %a:%u:%g "$d")" 710:0:0 "the directory: root's, the ACL's mask as its group bits"
	assert_eq "$(python3 -c 'import os, struct, sys
a = os.getxattr(sys.argv[1], "system.posix_acl_access")
print(" ".join("%x:%o:%d" % (t, p, -1 if i == 0xffffffff else i) for t, p, i in struct.iter_unpack("<HHI", a[4:])))' "$d")" \
		"1:7:-1 2:1:4242 4:0:-1 10:1:-1 20:0:-1" "its ACL: user:4242:--x, no group, no other"
	# the member, and the container's root, still pass
	as_uid 4242 test -x "$d/rootfs/tmp/suidx" || fail "4242 cannot reach its own container"
	mctl 4242 exec mine true || fail "4242's container no longer runs an exec"
	# inside, the user namespace's copy of the mount keeps a locked nosuid;
	# no_new_privileges would void the bit anyway
	assert_contains "$(mctl 4242 exec mine awk '$5 == "/"' /proc/self/mountinfo)" nosuid "the container's view"
	assert_eq "$(field "$(mctl 4242 exec mine cat /proc/self/status)" NoNewPrivs)" 1 "the member's exec"
	local opts
	opts=$(findmnt -n -o VFS-OPTIONS --mountpoint "$d/rootfs")
	assert_contains "$opts" nosuid "the host's mount of the overlay"
	assert_contains "$opts" nodev "the host's mount of the overlay"
	# past the directory (root hands 4343 an fd): the setuid bit does nothing
	assert_eq "$(as_uid 4343 /proc/self/fd/9 ids 9<"$d/rootfs/tmp/suidx")" "uid=4343 euid=4343" \
		"4242's setuid file, run by 4343 through an fd"
	# 4343's own container, made the same way, is as closed to 4242
	cp "$T/img.tar" "$T/img2.tar"
	mctl 4343 image import "oci-archive:$T/img2.tar" n:1 >/dev/null
	local other
	other=$(mctl 4343 run -d n:1 sleep 1000)
	as_uid 4242 ls "$STATE_D/containers/$other" >/dev/null 2>&1 && fail "4242 lists 4343's container"
	as_uid 4242 cat "$STATE_D/containers/$other/rootfs/etc/passwd" >/dev/null 2>&1 &&
		fail "4242 reads 4343's container"
	return 0
}

# A container an older corrald made (its directory root:<member gid>
# 0710 without an ACL, its overlay suid on the host, its config.json
# without io.corral.rootfs.suid) is brought to today's as corrald adopts
# it after a restart, and runs on.
test_svs_adoption_closes_a_container_an_older_corrald_made() {
	trap cleanup_sv EXIT
	start_sv_group
	local d
	d=$(member_container_with_a_setuid_file)
	python3 -c 'import os, sys; os.removexattr(sys.argv[1], "system.posix_acl_access")' "$d"
	chown 0:12345 "$d"
	chmod 0710 "$d"
	mount -o remount,bind,suid,nodev "$d/rootfs"
	jq 'del(.annotations["io.corral.rootfs.suid"])' "$d/config.json" >"$T/c.json"
	cat "$T/c.json" >"$d/config.json"
	assert_eq "$(reach_of_4343 "$d")" "read write exec" "the older layout, as the attack found it"
	rm -f "$d/rootfs/tmp/planted"
	kill -TERM "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv_group
	assert_eq "$(reach_of_4343 "$d")" "- - -" "what 4343 reached once corrald adopted it"
	assert_eq "$(stat -c %a:%u:%g "$d")" 710:0:0 "the directory: root's, with its ACL"
	assert_contains "$(findmnt -n -o VFS-OPTIONS --mountpoint "$d/rootfs")" nosuid,nodev "the host's mount"
	assert_eq "$(jq -r '.annotations["io.corral.rootfs.suid"]' "$d/config.json")" true "config.json"
	assert_eq "$(mctl 4242 exec mine echo alive)" alive "the container runs on"
}

# The overlay is nosuid on the host only: root's container sees its rootfs
# with suid, so a setuid file works inside where no_new_privileges is off
# (a privileged container, as podman's); a member's container keeps the
# locked nosuid of its user namespace's copy, and runs with
# no_new_privileges, which would void the bit in any case.
test_svs_setuid_works_inside_roots_container_but_not_on_the_host() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$FIXTURES/images/oci:test" img:1 >/dev/null
	local id
	id=$(ctl run -d --privileged --name web img:1 sleep 1000)
	ctl exec -i web sh -c 'cat >/suidx && chmod 4755 /suidx' <"$ESCAPE"
	assert_contains "$(findmnt -n -o VFS-OPTIONS --mountpoint "$STATE_D/containers/$id/rootfs")" nosuid,nodev \
		"the host's mount of the overlay"
	assert_eq "$(as_uid 4343 /proc/self/fd/9 ids 9<"$STATE_D/containers/$id/rootfs/suidx")" "uid=4343 euid=4343" \
		"root's setuid file, run on the host through an fd"
	assert_eq "$(ctl exec -u 1000 web /suidx ids)" "uid=1000 euid=0" "root's setuid file, inside"
	assert_not_contains "$(ctl exec web awk '$5 == "/"' /proc/self/mountinfo)" nosuid "the container's view"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
