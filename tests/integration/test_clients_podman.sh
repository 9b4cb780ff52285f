#!/bin/bash
# time: each case runs the same podman commands under runc and corral; under the VM's TCG a podman command takes about a second
# corral under podman, as its users drive it: every case runs under runc
# and under corral, with the same podman, image and options, and must give
# the same. podman keeps its storage, run state and config under $T; its
# containers go below a cgroup parent named for the test.
. "$(dirname "$0")/lib.sh"

command -v podman >/dev/null || { echo "SKIP test_clients_podman.sh: podman is not installed (tests/deps.sh installs it)"; echo "skip test_clients_podman" >>"$RESULTS"; exit 0; }

IMAGE_TAR="$B/tmp/podman-busybox.tar"
[ -f "$IMAGE_TAR" ] || tar -C "$FIXTURES/busybox/rootfs" -cf "$IMAGE_TAR" .

# podman NAME-OF-RUNTIME ARGS...: a podman of this test's own. This host
# lacks CAP_SYS_RESOURCE, so the default 1048576 nofile and nproc limits
# are lowered; its cgroup v2 has no pids controller, so no pids limit.
pm() {
	local rt=$1
	shift
	[ "$rt" = corral ] && rt=$CORRAL
	TMPDIR="$T/pm/tmp" CONTAINERS_CONF="$T/containers.conf" podman --root "$T/pm/root" --runroot "$PM_RUN" --tmpdir "$T/pm/tmp" \
		--storage-driver vfs --cgroup-manager "$PM_CGM" --events-backend file --runtime "$rt" "$@"
}
# CLIENT_CGROUP_DRIVER=systemd (the VM tier's systemd boot): podman's
# cgroup_manager = "systemd", its containers scopes in a slice of the test's
PM_CGM=${CLIENT_CGROUP_DRIVER:-cgroupfs}
RUNTIMES="runc corral"

setup_podman() {
	mkdir -p "$T/pm"
	# podman wants its run root under 50 characters
	PM_RUN=$(mktemp -d /tmp/corral-pm.XXXXXX)
	echo "$PM_RUN" >"$T/pm/runroot"
	CP="--cgroup-parent=/corral-podman-$TID"
	# a slice's name has no '-' of its own: each one is a level
	[ "$PM_CGM" = systemd ] && CP="--cgroup-parent=corralpm_${TID//-/_}.slice"
	cat >"$T/containers.conf" <<EOC
[containers]
# no network but lo: podman's default bridge would call CNI in the host's
# network namespace (a cni-podman0 bridge, and CNI's chains in its iptables)
netns = "none"
pids_limit = 0
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
cgroupns = "private"
[engine]
cgroup_manager = "$PM_CGM"
image_copy_tmp_dir = "$T/pm/tmp"
EOC
	mkdir -p "$T/pm/tmp"
	pm runc import -q "$IMAGE_TAR" localhost/bb:1 >/dev/null
	trap cleanup_podman EXIT
}
cleanup_podman() {
	for rt in $RUNTIMES; do pm "$rt" rm -af -t 0 >/dev/null 2>&1; done
	for rt in $RUNTIMES; do pm "$rt" system reset -f >/dev/null 2>&1 && break; done
	rm -rf "$PM_RUN"
	[ "$PM_CGM" = systemd ] && systemctl stop "corralpm_${TID//-/_}.slice" >/dev/null 2>&1
	# podman leaves the cgroup parent it was given; conmon's cleanup after
	# a --rm may still be leaving it (seen once in a full run, stop 54)
	wait_for 10 cgroups_gone "corral-podman-$TID" 2>/dev/null || true
}
# script(1) echoes the end of input as "^@" wherever it falls: left out.
# Its input stays open (sleep) while a pty case runs: at its end podman may
# hang up before the container has written.
# Runs the case under each runtime; corral's output must be runc's.
# OUT_runc and OUT_corral keep them for the test's own assertions.
run_both() { # function (given the runtime)
	local got rt
	for rt in $RUNTIMES; do
		got=$("$@" "$rt" 2>&1 | sed 's/\^@//g')
		printf -v "OUT_$rt" '%s' "$got"
		[ "$rt" = runc ] || assert_eq "$got" "$OUT_runc" "$* under corral, against runc"
	done
}

case_run_rm_and_exit_codes() {
	local rt=$1
	pm "$rt" run --rm $CP localhost/bb:1 echo hello
	pm "$rt" run --rm $CP localhost/bb:1 sh -c 'exit 7'; echo "rc=$?"
	pm "$rt" run --rm $CP localhost/bb:1 /nonexistent >/dev/null 2>&1; echo "rc=$?"
	# a file that is no program: podman's 126 comes from the runtime's text
	pm "$rt" run --rm $CP localhost/bb:1 /etc/passwd >/dev/null 2>&1; echo "rc=$?"
}
test_podman_run_rm_and_exit_codes() {
	setup_podman
	run_both case_run_rm_and_exit_codes
	assert_eq "$OUT_corral" "hello
rc=7
rc=127
rc=126" "output and exit codes"
}

case_detach_exec_logs() {
	local rt=$1
	local c="d-$rt"
	pm "$rt" run -d --name "$c" $CP localhost/bb:1 sh -c 'echo started; sleep 100' >/dev/null
	pm "$rt" exec "$c" sh -c 'echo in-exec; exit 4'; echo "rc=$?"
	on_a_pty "$(declare -f pm); T='$T'; CORRAL='$CORRAL'; PM_RUN='$PM_RUN'; PM_CGM='$PM_CGM'; pm $rt exec -t $c sh -c 'tty >/dev/null && echo on-a-tty'" | tr -d '\r'
	pm "$rt" logs "$c"
	pm "$rt" rm -f -t 0 "$c" >/dev/null
}
test_podman_detach_exec_and_logs() {
	setup_podman
	run_both case_detach_exec_logs
	assert_eq "$OUT_corral" "in-exec
rc=4
on-a-tty
started" "exec, exec -t and logs"
}

case_stop_kill_pause() {
	local rt=$1
	local c="s-$rt"
	pm "$rt" run -d --name "$c" $CP localhost/bb:1 sh -c 'trap "echo got-term; exit 3" TERM; while :; do sleep 0.1; done' >/dev/null
	wait_for 10 catches "$(pm "$rt" inspect -f '{{.State.Pid}}' "$c")" 15
	pm "$rt" pause "$c" >/dev/null && pm "$rt" inspect -f '{{.State.Status}}' "$c"
	pm "$rt" unpause "$c" >/dev/null && pm "$rt" inspect -f '{{.State.Status}}' "$c"
	pm "$rt" stop -t 10 "$c" >/dev/null
	pm "$rt" inspect -f '{{.State.ExitCode}}' "$c"
	pm "$rt" logs "$c"
	pm "$rt" start "$c" >/dev/null && pm "$rt" kill -s KILL "$c" >/dev/null && pm "$rt" wait "$c"
	pm "$rt" rm -f -t 0 "$c" >/dev/null
}
test_podman_stop_kill_pause() {
	setup_podman
	run_both case_stop_kill_pause
	assert_eq "$OUT_corral" "paused
running
3
got-term
137" "pause, unpause, stop of a TERM trap, kill"
}

case_interactive() {
	local rt=$1
	on_a_pty "$(declare -f pm); T='$T'; CORRAL='$CORRAL'; PM_RUN='$PM_RUN'; PM_CGM='$PM_CGM'; printf 'echo typed-\$((6*7))\\nexit 5\\n' | pm $rt run -i --rm $CP localhost/bb:1 sh; echo rc=\$?" | tr -d '\r'
	on_a_pty "$(declare -f pm); T='$T'; CORRAL='$CORRAL'; PM_RUN='$PM_RUN'; PM_CGM='$PM_CGM'; pm $rt run -it --rm $CP localhost/bb:1 sh -c 'tty >/dev/null && echo on-a-tty; stty size'" | tr -d '\r'
}
test_podman_interactive_and_pty() {
	setup_podman
	run_both case_interactive
	assert_contains "$OUT_corral" "typed-42" "stdin reaches the process"
	assert_contains "$OUT_corral" "rc=5" "its exit code"
	assert_contains "$OUT_corral" "on-a-tty" "-it gives a pty"
}

case_options() {
	local rt=$1
	mkdir -p "$T/vol" && echo host-file >"$T/vol/f"
	pm "$rt" run --rm $CP --user 1000:1000 localhost/bb:1 sh -c 'id -u; id -g'
	pm "$rt" run --rm $CP --read-only localhost/bb:1 sh -c 'touch /x 2>/dev/null || echo ro; touch /tmp/y && echo tmp-rw'
	pm "$rt" run --rm $CP --tmpfs /etc:tmpcopyup localhost/bb:1 sh -c 'grep -c root /etc/passwd; grep -c " /etc tmpfs" /proc/self/mounts'
	pm "$rt" run --rm $CP --cap-drop ALL localhost/bb:1 grep CapEff /proc/self/status
	pm "$rt" run --rm $CP --cap-drop ALL --cap-add NET_ADMIN localhost/bb:1 grep CapEff /proc/self/status
	pm "$rt" run --rm $CP -v "$T/vol:/data:ro" localhost/bb:1 sh -c 'cat /data/f; touch /data/x 2>/dev/null || echo ro-vol'
	pm "$rt" run --rm $CP --init localhost/bb:1 sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo'
	# podman gives a device's fileMode as the host's st_mode, type bits and all
	pm "$rt" run --rm $CP --device /dev/null:/dev/mynull localhost/bb:1 sh -c 'ls -l /dev/mynull | cut -c1-10; echo x >/dev/mynull && echo written'
	pm "$rt" run --rm $CP --privileged localhost/bb:1 sh -c 'test -c /dev/null && echo devices'
	# a tmpfs's own mode and owner (tmpfs-mode, U=true) are kept when it
	# copies up (runc 1.1 keeps a mode only where the image has no directory)
	pm "$rt" run --rm $CP --mount type=tmpfs,destination=/tt,tmpfs-mode=0700 localhost/bb:1 sh -c 'ls -lnd /tt | cut -c1-10'
	pm "$rt" run --rm $CP --user 5:5 --mount type=tmpfs,destination=/etc,U=true localhost/bb:1 \
		sh -c 'stat -c "%u:%g" /etc; grep -c root /etc/passwd'
	# no pids limit (0 or -1, podman's "unlimited") needs no pids controller
	pm "$rt" run --rm $CP --pids-limit 0 localhost/bb:1 echo pids-0
	pm "$rt" run --rm $CP --pids-limit -1 localhost/bb:1 echo pids-unlimited
}
test_podman_options() {
	setup_podman
	run_both case_options
	assert_eq "$OUT_corral" "1000
1000
ro
tmp-rw
1
1
CapEff:	0000000000000000
CapEff:	0000000000001000
host-file
ro-vol
/run/podman-init -- sh -c cat /proc/1/cmdline | tr \"\\0\" \" \"; echo 
crw-rw-rw-
written
devices
drwx------
5:5
1
pids-0
pids-unlimited" "user, read-only, tmpfs, caps, volume, init, devices, privileged, a tmpfs's mode and owner, no pids limit"
}

# Resource limits as podman asks for them, applied by the runtime through
# cgroup v2: the VM tier runs this, with every controller.
case_resources() {
	local rt=$1
	# 32m, not less: runc's own init (Go) was OOM-killed under 16m before its
	# start, now and then, on the VM's emulated CPU. The shell's stderr goes:
	# whether the OOM killer takes tr before the shell, and the shell says
	# "Killed", is the kernel's choice under either runtime
	pm "$rt" run --rm $CP --network none --memory 32m localhost/bb:1 sh -c 'exec 2>/dev/null; x=$(head -c 128m /dev/zero | tr "\0" x); echo survived'
	echo "rc=$?"
	pm "$rt" run --rm $CP --network none --pids-limit 10 --cpus 0.5 localhost/bb:1 \
		cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max
	pm "$rt" run -d --name "st-$rt" $CP --network none --memory 32m localhost/bb:1 sh -c 'x=$(head -c 8m /dev/zero | tr "\0" x); sleep 30' >/dev/null
	sleep 1
	pm "$rt" stats --no-stream --format '{{.MemLimit}}' "st-$rt"
	pm "$rt" rm -f -t 0 "st-$rt" >/dev/null
}
test_podman_resources_in_cgroup_v2() {
	local root=/sys/fs/cgroup/unified
	[ -d "$root" ] || root=/sys/fs/cgroup
	grep -qw memory "$root/cgroup.controllers" 2>/dev/null && grep -qw pids "$root/cgroup.controllers" ||
		skip "cgroup v2 here has no memory or pids controller (they are bound to v1); the VM tier runs this"
	setup_podman
	sed -i 's/^pids_limit = 0$/pids_limit = 2048/' "$T/containers.conf"
	run_both case_resources
	local out
	out=$OUT_corral
	assert_contains "$out" "rc=137" "--memory: OOM-killed"
	assert_contains "$out" "10
50000 100000" "--pids-limit and --cpus in the container's cgroup"
	assert_contains "$out" "33554432" "podman stats reads the container's own memory limit"
}

# podman's own default profile (containers-default-VERSION), which podman
# loads itself, is applied as under runc: the process's, exec's, and
# kept from what podman keeps from the container
case_apparmor() {
	local rt=$1
	local c="aa-$rt"
	pm "$rt" run --rm $CP localhost/bb:1 cat /proc/self/attr/current | sed 's/-[0-9.]* (/-V (/'
	pm "$rt" run -d --name "$c" $CP localhost/bb:1 sleep 1000 >/dev/null
	pm "$rt" exec "$c" cat /proc/self/attr/current | sed 's/-[0-9.]* (/-V (/'
	pm "$rt" exec "$c" sh -c 'echo h >/proc/sysrq-trigger' >/dev/null 2>&1; echo "sysrq rc=$?"
	pm "$rt" run --rm --security-opt apparmor=unconfined $CP localhost/bb:1 cat /proc/self/attr/current
	pm "$rt" rm -f -t 0 "$c" >/dev/null
}
test_podman_apparmor() {
	[ -d /sys/kernel/security/apparmor ] && grep -q '^Y' /sys/module/apparmor/parameters/enabled 2>/dev/null ||
		skip "AppArmor is off on this host (the VM tier boots a kernel with it on)"
	command -v apparmor_parser >/dev/null || skip "apparmor_parser is missing (tests/deps.sh installs apparmor)"
	setup_podman
	run_both case_apparmor
	local out
	out=$OUT_corral
	assert_eq "$(echo "$out" | sed -n '1p;2p;4p' | tr '\n' ' ')" \
		"containers-default-V (enforce) containers-default-V (enforce) unconfined " "podman's profile under corral"
	assert_not_contains "$out" "sysrq rc=0" "the profile's denials"
}

# RT C N: C's counter (/dev/shm/n, written whole by a rename) reaches N
# (100 reads, 0.2 s apart); the last value read is printed
pm_counter_reaches() {
	local v=0
	for _ in $(seq 100); do
		v=$(pm "$1" exec "$2" cat /dev/shm/n 2>/dev/null)
		[ "$v" -ge "$3" ] 2>/dev/null && break
		sleep 0.2
	done
	echo "$v"
}
PM_COUNTER='i=0; while :; do i=$((i+1)); echo $i >/dev/shm/n.new; mv /dev/shm/n.new /dev/shm/n; sleep 0.1; done'
# podman's container checkpoint and restore: the runtime's checkpoint and
# restore with podman's work paths; then an exported checkpoint imported
# as a new container. A counter in /dev/shm goes on from where it was.
case_checkpoint() {
	local rt=$1 n1 n2
	local c="ck-$rt"
	pm "$rt" run -d --name "$c" $CP localhost/bb:1 sh -c "$PM_COUNTER" >/dev/null
	pm_counter_reaches "$rt" "$c" 5 >/dev/null
	pm "$rt" container checkpoint "$c" >/dev/null || echo "checkpoint failed"
	pm "$rt" inspect -f '{{.State.Status}}' "$c"
	pm "$rt" container restore "$c" >/dev/null || echo "restore failed"
	pm "$rt" inspect -f '{{.State.Status}}' "$c"
	n1=$(pm "$rt" exec "$c" cat /dev/shm/n)
	n2=$(pm_counter_reaches "$rt" "$c" $((n1 + 1)))
	[ "$n1" -ge 5 ] && [ "$n2" -gt "$n1" ] && echo "goes on"
	pm "$rt" container checkpoint --export "$T/ck-$rt.tar.gz" "$c" >/dev/null || echo "export failed"
	pm "$rt" rm -f -t 0 "$c" >/dev/null
	pm "$rt" container restore --import "$T/ck-$rt.tar.gz" --name "$c-2" >/dev/null || echo "import failed"
	n1=$(pm "$rt" exec "$c-2" cat /dev/shm/n)
	n2=$(pm_counter_reaches "$rt" "$c-2" $((n1 + 1)))
	[ "$n1" -ge 5 ] && [ "$n2" -gt "$n1" ] && echo "imported, goes on"
	pm "$rt" rm -f -t 0 "$c-2" >/dev/null
}
# -t: conmon holds the pty's master; after the restore, the new master
# (--console-socket) is conmon's, and the output reaches podman's log again
case_checkpoint_tty() {
	local rt=$1 n
	local c="ckt-$rt"
	pm "$rt" run -d -t --name "$c" $CP localhost/bb:1 sh -c 'i=0; while :; do i=$((i+1)); echo $i; echo $i >/dev/shm/n.new; mv /dev/shm/n.new /dev/shm/n; sleep 0.1; done' >/dev/null
	pm_counter_reaches "$rt" "$c" 5 >/dev/null
	pm "$rt" container checkpoint "$c" >/dev/null || echo "checkpoint failed"
	pm "$rt" container restore "$c" >/dev/null || echo "restore failed"
	pm "$rt" inspect -f '{{.State.Status}}' "$c"
	n=$(pm "$rt" exec "$c" cat /dev/shm/n)
	for _ in $(seq 30); do
		[ "$(pm "$rt" logs "$c" | tr -d '\r' | tail -1)" -gt "$n" ] 2>/dev/null && break
		sleep 0.2
	done
	[ "$(pm "$rt" logs "$c" | tr -d '\r' | tail -1)" -gt "$n" ] 2>/dev/null && echo "its terminal reaches the log"
	pm "$rt" rm -f -t 0 "$c" >/dev/null
}
test_podman_checkpoint_restore() {
	command -v criu >/dev/null && criu check >/dev/null 2>&1 || skip "criu cannot work here (the VM tier runs it)"
	setup_podman
	run_both case_checkpoint
	assert_eq "$OUT_corral" "exited
running
goes on
imported, goes on" "podman's checkpoint and restore"
	run_both case_checkpoint_tty
	assert_eq "$OUT_corral" "running
its terminal reaches the log" "podman's checkpoint and restore of a container on a terminal"
}

# cgroup_manager = "systemd": podman asks the runtime for the systemd
# driver; the container is a scope of podman's slice, with Delegate=yes and
# podman's limits as its properties, gone with the container
case_systemd_scope() {
	local rt=$1 id u
	local c="sd-$rt"
	pm "$rt" run -d --name "$c" $CP --network none --memory 32m --pids-limit 50 localhost/bb:1 sleep 1000 >/dev/null
	id=$(pm "$rt" inspect -f '{{.Id}}' "$c")
	u=libpod-$id.scope
	echo "$(systemctl show -P Delegate "$u") $(systemctl show -P Slice "$u") $(systemctl show -P MemoryMax "$u") $(systemctl show -P TasksMax "$u")"
	pm "$rt" exec "$c" cat /proc/self/cgroup /sys/fs/cgroup/memory.max
	pm "$rt" rm -f -t 0 "$c" >/dev/null
	systemctl show -P LoadState "$u"
}
test_podman_systemd_cgroup_manager() {
	[ "$PM_CGM" = systemd ] || skip "podman's systemd cgroup manager: the VM tier's systemd boot runs this (CLIENT_CGROUP_DRIVER=systemd)"
	setup_podman
	sed -i 's/^pids_limit = 0$/pids_limit = 2048/' "$T/containers.conf"
	run_both case_systemd_scope
	assert_eq "$OUT_corral" "yes corralpm_${TID//-/_}.slice 33554432 50
0::/
33554432
not-found" "podman's scope under corral"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
