#!/bin/bash
# The runtime core: a container from a bundle, as the OCI runtime-spec says.
. "$(dirname "$0")/lib.sh"

test_output_pid1_hostname_proc() {
	mkbundle sh -c 'echo hello; echo pid=$$; hostname; test -r /proc/self/status && echo proc-ok'
	cfg '.hostname="box1"'
	out=$(run_ctr "$TID")
	assert_eq "$out" "hello
pid=1
box1
proc-ok" "container output"
}

test_host_files_invisible() {
	mkbundle sh -c 'ls /tmp; test -e /work && echo host-visible; true'
	marker=/tmp/corral-host-marker-$$
	touch "$marker"
	rc=0; out=$(run_ctr "$TID") || rc=$?
	rm -f "$marker"
	assert_eq "$rc" 0 "exit code"
	assert_not_contains "$out" "corral-host-marker" "/tmp listing"
	assert_not_contains "$out" "host-visible" "host /work"
}

test_readonly_root_refuses_writes() {
	mkbundle sh -c 'if touch /newfile 2>/dev/null; then echo wrote; else echo refused; fi'
	out=$(run_ctr "$TID")
	assert_eq "$out" refused "write to read-only root"
	[ ! -e "$BUSYBOX_ROOTFS/newfile" ] || fail "file appeared in the shared rootfs"
}

test_masked_and_readonly_paths() {
	mkbundle sh -c 'wc -c </etc/passwd; ls /home | wc -l; cat /proc/sys/kernel/hostname >/dev/null && echo sys-readable; echo x >/proc/sys/kernel/hostname 2>/dev/null && echo sys-writable; true'
	cfg '.linux.maskedPaths += ["/etc/passwd", "/home"]'
	out=$(run_ctr "$TID")
	assert_eq "$(echo "$out" | sed -n 1p)" 0 "masked file reads empty"
	assert_eq "$(echo "$out" | sed -n 2p)" 0 "masked directory is empty"
	assert_contains "$out" sys-readable "readonly /proc/sys is readable"
	assert_not_contains "$out" sys-writable "readonly /proc/sys refuses writes"
}

# Capability sets in /proc/self/status equal the config's.
test_capabilities() {
	mkbundle grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status
	cfg '.process.capabilities = {"bounding":["CAP_KILL","CAP_NET_BIND_SERVICE","CAP_CHOWN"],
		"effective":["CAP_KILL","CAP_CHOWN"], "permitted":["CAP_KILL","CAP_CHOWN"],
		"inheritable":["CAP_KILL"], "ambient":["CAP_KILL"]}'
	out=$(run_ctr "$TID")
	# CAP_CHOWN=0, CAP_KILL=5, CAP_NET_BIND_SERVICE=10
	assert_contains "$out" "CapInh:	0000000000000020" CapInh
	assert_contains "$out" "CapPrm:	0000000000000021" CapPrm
	assert_contains "$out" "CapEff:	0000000000000021" CapEff
	assert_contains "$out" "CapBnd:	0000000000000421" CapBnd
	assert_contains "$out" "CapAmb:	0000000000000020" CapAmb
}

# A set that is absent is empty, as in runc: `podman --cap-drop ALL` writes
# "capabilities": {}; run as root without no_new_privileges, a full bounding
# set would hand every capability back at execve. runc 1.1 gives all zeros
# for each of these configs.
test_absent_capability_sets_are_empty() {
	mkbundle grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status
	cfg '.process.noNewPrivileges=false | .process.user={"uid":0,"gid":0}'
	for caps in null '{}' '{"effective":["CAP_KILL"],"permitted":["CAP_KILL"]}'; do
		cfg --argjson c "$caps" 'if $c == null then del(.process.capabilities) else .process.capabilities=$c end'
		out=$(run_ctr "$TID")
		for set in Inh Prm Eff Bnd Amb; do
			assert_contains "$out" "Cap$set:	0000000000000000" "Cap$set with capabilities $caps"
		done
	done
}

# `runc spec`'s own config lists ambient capabilities and no inheritable
# set: the kernel raises none of them, and runc skips them; so does corral.
test_runc_spec_config_runs_as_under_runc() {
	command -v runc >/dev/null || skip "runc is not installed (tests/deps.sh installs it)"
	mkbundle true
	rm "$BUNDLE/config.json"
	(cd "$BUNDLE" && runc spec)
	cfg --arg r "$BUSYBOX_ROOTFS" '.root.path=$r | .process.terminal=false | .process.args=["grep","^Cap","/proc/self/status"]'
	ours=$(run_ctr "$TID" 2>&1) || fail "corral refused runc spec's config: $ours"
	theirs=$(cd "$BUNDLE" && runc --root "$T/runc" run "$TID-runc" </dev/null 2>&1) || fail "runc: $theirs"
	assert_eq "$ours" "$theirs" "capabilities under corral and under runc"
	assert_contains "$ours" "CapEff:	0000000020000420" "the three listed"
}

# tmpcopyup (podman --read-only, --tmpfs): the tmpfs starts with what the
# rootfs had there, with the directory's mode; runc gives the same.
test_tmpcopyup_starts_with_the_rootfs_content() {
	mkbundle sh -c 'stat -c %a /etc; ls /etc | wc -l; grep -c root /etc/passwd; echo x >/etc/new && cat /etc/new; grep -c " /etc tmpfs" /proc/self/mounts'
	cfg '.root.readonly=true | .mounts += [{"destination":"/etc","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","tmpcopyup","mode=700","size=1m"]}]'
	ours=$(run_ctr "$TID" 2>&1) || fail "run: $ours"
	[ ! -e "$BUSYBOX_ROOTFS/etc/new" ] || fail "the write reached the rootfs"
	want=$(stat -c %a "$BUSYBOX_ROOTFS/etc")
	assert_eq "$ours" "$want
$(ls "$BUSYBOX_ROOTFS/etc" | wc -l)
1
x
1" "the copy, its mode, and a write to it"
	if command -v runc >/dev/null; then
		theirs=$(cd "$BUNDLE" && runc --root "$T/runc" run "$TID-runc" </dev/null 2>&1)
		assert_eq "$ours" "$theirs" "the same under runc"
	fi
}

# An option neither runc nor crun knows is refused by name, never handed
# to the kernel as filesystem data.
test_unknown_mount_option_is_refused() {
	mkbundle true
	cfg '.mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid","bogus"]}]'
	out=$(run_ctr "$TID" 2>&1) && fail "an unknown option was taken"
	assert_contains "$out" 'options: unknown option "bogus"' "named"
	assert_eq "$(echo "$out" | wc -l)" 1 "one line"
	cfg '.mounts[-1].options=["tmpcopyup"] | .mounts[-1].type="bind" | .mounts[-1].source="/tmp"'
	out=$(run_ctr "$TID" 2>&1) && fail "tmpcopyup on a bind was taken"
	assert_contains "$out" "tmpcopyup is for a tmpfs mount" "tmpcopyup on a bind"
	"$CORRAL" features | jq -e '.mountOptions | index("tmpcopyup") and index("nosymfollow")' >/dev/null ||
		fail "corral features does not list tmpcopyup and nosymfollow"
}

# runc's recursive access-time options: one mode at a time, the last wins.
test_recursive_atime_options() {
	mkbundle sh -c 'grep " /tmp " /proc/self/mounts | cut -d" " -f4'
	for case in 'rnoatime:rw,noatime' 'rnoatime ratime:rw,relatime' 'defaults acl rnostrictatime:rw,relatime'; do
		opts=$(echo "${case%%:*}" | tr ' ' '\n' | jq -R . | jq -s .)
		cfg --argjson o "$opts" '.mounts |= map(select(.destination != "/tmp")) | .mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":$o}]'
		assert_eq "$(run_ctr "$TID" 2>&1)" "${case#*:}" "options ${case%%:*}"
	done
}

# Without a mount namespace of its own, as under runc: no pivot_root, the
# rootfs is chrooted; and corral mounts nothing in a namespace it does not
# own (runc leaves such mounts behind), so what needs a mount is refused.
test_no_mount_namespace_is_chrooted() {
	mkbundle sh -c 'cat /marker; [ -e /proc/self ] && echo has-proc; sleep 30'
	own_rootfs
	echo inside >"$BUNDLE/rootfs/marker"
	cfg '.linux.namespaces |= map(select(.type != "mount"))'
	out=$(run_ctr "$TID" 2>&1) && fail "mounts without a mount namespace were taken"
	assert_contains "$out" "mounts: needs a mount namespace of the container's own (linux.namespaces has none)" "refused"
	cfg '.mounts=[] | del(.linux.maskedPaths) | del(.linux.readonlyPaths) | .root.readonly=false'
	before=$(wc -l </proc/self/mountinfo)
	(cd "$BUNDLE" && cr run -d "$TID" </dev/null >"$T/out" 2>&1)
	pid=$(cr state "$TID" | jq -r .pid)
	assert_eq "$(readlink /proc/"$pid"/ns/mnt)" "$(readlink /proc/self/ns/mnt)" "the init's mount namespace"
	assert_eq "$(readlink /proc/"$pid"/root)" "$BUNDLE/rootfs" "the init's root"
	assert_eq "$(cr exec "$TID" cat /marker)" inside "an exec is chrooted too"
	cr exec "$TID" ls "$T" >/dev/null 2>&1 && fail "an exec saw the host's files"
	assert_eq "$(wc -l </proc/self/mountinfo)" "$before" "no mount was made"
	cr kill "$TID" KILL
	for _ in $(seq 50); do [ "$(cr state "$TID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	assert_eq "$(head -1 "$T/out")" inside "the process is chrooted"
}

# Joining a mount namespace by path: chrooted into root.path as that
# namespace sees it (here "/": the other container's root), mounting nothing.
test_joined_mount_namespace() {
	mkbundle sleep 30
	own_rootfs
	echo from-a >"$BUNDLE/rootfs/marker"
	(cd "$BUNDLE" && cr run -d "$TID-a" </dev/null)
	pid=$(cr state "$TID-a" | jq -r .pid)
	mkdir -p "$T/b"
	jq --arg p "/proc/$pid/ns/mnt" '.root={"path":"/"} | .mounts=[] | del(.linux.maskedPaths) | del(.linux.readonlyPaths)
		| .process.args=["cat","/marker"] | .linux.namespaces |= map(if .type == "mount" then .path=$p else . end)' \
		"$BUNDLE/config.json" >"$T/b/config.json"
	before=$(wc -l </proc/"$pid"/mountinfo)
	assert_eq "$(cd "$T/b" && cr run "$TID-b" </dev/null 2>&1)" from-a "the other container's files"
	assert_eq "$(wc -l </proc/"$pid"/mountinfo)" "$before" "nothing mounted in the joined namespace"
	jq '.mounts=[{"destination":"/tmp","type":"tmpfs","source":"tmpfs"}]' "$T/b/config.json" >"$T/b/c" && mv "$T/b/c" "$T/b/config.json"
	out=$(cd "$T/b" && cr run "$TID-c" </dev/null 2>&1) && fail "a mount into a joined namespace was taken"
	assert_contains "$out" "linux.namespaces joins one by path" "refused"
	cr kill "$TID-a" KILL
}

test_default_capabilities() {
	mkbundle grep -E '^Cap(Eff|Bnd)' /proc/self/status
	out=$(run_ctr "$TID")
	# CAP_KILL(5) CAP_NET_BIND_SERVICE(10) CAP_AUDIT_WRITE(29)
	assert_contains "$out" "CapEff:	0000000020000420" CapEff
	assert_contains "$out" "CapBnd:	0000000020000420" CapBnd
}

test_user_groups_umask_cwd_env() {
	mkbundle sh -c 'id -u; id -g; id -G; umask; pwd; echo "$FOO"; grep NoNewPrivs /proc/self/status'
	cfg '.process.user={"uid":1000,"gid":1000,"additionalGids":[10,20],"umask":23} |
		.process.cwd="/home/app" | .process.env += ["FOO=bar baz"]'
	out=$(run_ctr "$TID")
	assert_eq "$out" "1000
1000
1000 10 20
0027
/home/app
bar baz
NoNewPrivs:	1" "identity"
}

test_missing_cwd_is_created() {
	mkbundle pwd
	own_rootfs
	cfg '.process.cwd="/srv/data/x"'
	out=$(run_ctr "$TID")
	assert_eq "$out" /srv/data/x "cwd"
}

test_lowered_rlimit() {
	mkbundle sh -c 'ulimit -n; ulimit -Hn'
	cfg '.process.rlimits=[{"type":"RLIMIT_NOFILE","soft":100,"hard":200}]'
	out=$(run_ctr "$TID")
	assert_eq "$out" "100
200" "RLIMIT_NOFILE"
}

test_exit_codes() {
	mkbundle true
	run_ctr "$TID" || fail "true exited $?"
	mkbundle sh -c 'exit 3'
	rc=0; run_ctr "${TID}b" || rc=$?
	assert_eq "$rc" 3 "exit 3"
	# without a pid namespace the init is not pid 1 and dies of SIGTERM
	mkbundle sh -c 'kill -TERM $$; sleep 5'
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	rc=0; run_ctr "${TID}c" || rc=$?
	assert_eq "$rc" 143 "killed by SIGTERM inside"
}

test_killed_from_outside_137() {
	mkbundle sleep 100
	(rc=0; cd "$BUNDLE" && cr run "$TID" </dev/null >/dev/null 2>&1 || rc=$?; echo $rc >"$T/rc") &
	for _ in $(seq 50); do
		[ "$(cr state "$TID" 2>/dev/null | jq -r .status)" = running ] && break
		sleep 0.1
	done
	cr kill "$TID" KILL
	wait
	assert_eq "$(cat "$T/rc")" 137 "exit code after SIGKILL"
	[ ! -d "$STATE/$TID" ] || fail "run left its state behind"
}

# --pid-file in a directory a container can write (a volume): every name the
# temporary file had before, <pid-file>.tmp.<pid>, for the next 3000 pids, is
# a symlink to a host file. Create neither truncates nor writes that file.
test_pid_file_beside_planted_symlinks() {
	mkbundle true
	mkdir -p "$T/vol" "$T/host"
	echo "host data" >"$T/host/file"
	local before next
	before=$(stat -c '%i %s %Y' "$T/host/file")
	next=$(cat /proc/sys/kernel/ns_last_pid)
	python3 - "$T/vol/pid" "$T/host/file" "$next" <<'PY'
import os, sys
pid_file, target, last = sys.argv[1], sys.argv[2], int(sys.argv[3])
for pid in range(last + 1, last + 3001):
    os.symlink(target, "%s.tmp.%d" % (pid_file, pid))
PY
	(cd "$BUNDLE" && cr create --pid-file "$T/vol/pid" "$TID")
	assert_eq "$(cat "$T/host/file")" "host data" "the host file's content"
	assert_eq "$(stat -c '%i %s %Y' "$T/host/file")" "$before" "the host file"
	[ -f "$T/vol/pid" ] && [ ! -L "$T/vol/pid" ] || fail "the pid file is not a plain file"
	assert_eq "$(cat "$T/vol/pid")" "$(cr state "$TID" | jq -r .pid)" "--pid-file"
	assert_eq "$(find "$T/vol" -type l | wc -l)" 3000 "the planted links, left alone"
	assert_eq "$(find "$T/vol" -type f | wc -l)" 1 "no temporary file left"
	cr delete --force "$TID"
}

test_lifecycle_sequence() {
	mkbundle sleep 100
	(cd "$BUNDLE" && cr create --pid-file "$T/pid" "$TID")
	assert_eq "$(cr state "$TID" | jq -r .status)" created "after create"
	pid=$(cr state "$TID" | jq -r .pid)
	assert_eq "$(cat "$T/pid")" "$pid" "--pid-file"
	assert_eq "$(cr state "$TID" | jq -r .bundle)" "$BUNDLE" "state.bundle"
	assert_eq "$(cr state "$TID" | jq -r .ociVersion)" "1.2.0" "state.ociVersion"
	# created: the init has not exec'd yet
	assert_contains "$(tr '\0' ' ' </proc/$pid/cmdline)" corral "init before start"
	cr start "$TID"
	assert_eq "$(cr state "$TID" | jq -r .status)" running "after start"
	# start returns once the init is told to go; its exec follows
	for _ in $(seq 50); do [ "$(tr '\0' ' ' </proc/$pid/cmdline)" = "sleep 100 " ] && break; sleep 0.1; done
	assert_eq "$(tr '\0' ' ' </proc/$pid/cmdline)" "sleep 100 " "init after start"
	if cr delete "$TID" 2>"$T/err"; then fail "delete of a running container succeeded"; fi
	assert_contains "$(cat "$T/err")" "is running" "delete refusal"
	assert_eq "$(wc -l <"$T/err")" 1 "one-line error"
	# pid 1 of a pid namespace ignores signals it has no handler for
	cr kill "$TID" KILL
	for _ in $(seq 50); do
		[ "$(cr state "$TID" | jq -r .status)" = stopped ] && break
		sleep 0.1
	done
	assert_eq "$(cr state "$TID" | jq -r .status)" stopped "after kill"
	cr delete "$TID"
	if cr state "$TID" 2>/dev/null; then fail "state after delete"; fi
	[ ! -d "$STATE/$TID" ] || fail "state directory left"
}

test_delete_created_and_force() {
	mkbundle sleep 100
	(cd "$BUNDLE" && cr create "$TID")
	cr delete "$TID"
	(cd "$BUNDLE" && cr create "$TID" && cr start "$TID")
	cr delete --force "$TID"
	[ ! -d "$STATE/$TID" ] || fail "force delete left state"
	# as runc: --force of an id that is not there is done, silently; without
	# --force it is an error, and so is an invalid id
	out=$(cr delete --force "$TID" 2>&1) || fail "delete --force of a missing id: $out"
	assert_eq "$out" "" "delete --force of a missing id says nothing"
	out=$(cr delete "$TID" 2>&1) && fail "delete of a missing id succeeded"
	assert_contains "$out" "does not exist" "delete of a missing id"
	out=$(cr delete --force ../x 2>&1) && fail "delete --force of an invalid id succeeded"
	assert_contains "$out" "invalid container id" "an invalid id"
}

test_kill_signal_names_and_all() {
	mkbundle sh -c 'trap "echo got-usr1 >/dev/shm/x; exit 7" USR1; sleep 100 & wait'
	(cd "$BUNDLE" && cr create "$TID" && cr start "$TID")
	sleep 0.2
	cr kill "$TID" SIGUSR1
	for _ in $(seq 50); do [ "$(cr state "$TID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	assert_eq "$(cr state "$TID" | jq -r .status)" stopped "USR1 by name"
	cr delete "$TID"
	(cd "$BUNDLE" && cr create "${TID}b" && cr start "${TID}b")
	sleep 0.2
	if cr kill "${TID}b" NOSUCH 2>"$T/err"; then fail "unknown signal accepted"; fi
	assert_contains "$(cat "$T/err")" 'unknown signal "NOSUCH"' "signal error"
	cr kill --all "${TID}b" 9
	for _ in $(seq 50); do [ "$(cr state "${TID}b" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	assert_eq "$(cr state "${TID}b" | jq -r .status)" stopped "kill --all 9"
}

test_list_table_and_json() {
	mkbundle sleep 100
	(cd "$BUNDLE" && cr create "$TID")
	assert_contains "$(cr list)" "$TID" "table"
	assert_eq "$(cr list --format json | jq -r '.[0].id + " " + .[0].status')" "$TID created" "json"
}

test_console_socket_pty() {
	mkbundle sh
	cfg '.process.terminal=true'
	"$B/tests/helpers/recvtty" "$T/tty.sock" $'tty; echo in-$((6*7)); exit 4\n' 10 >"$T/tty.out" 2>"$T/tty.err" &
	rpid=$!
	for _ in $(seq 50); do [ -S "$T/tty.sock" ] && break; sleep 0.05; done
	(cd "$BUNDLE" && cr create --console-socket "$T/tty.sock" "$TID")
	cr start "$TID"
	wait $rpid
	out=$(tr -d '\r' <"$T/tty.out")
	assert_contains "$out" "/dev/pts/0" "tty inside"
	assert_contains "$out" "in-42" "shell over the pty"
	for _ in $(seq 50); do [ "$(cr state "$TID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	assert_eq "$(cr state "$TID" | jq -r .status)" stopped "shell exited"
}

test_foreground_terminal_proxy() {
	command -v script >/dev/null || skip "script(1) from util-linux is missing"
	mkbundle sh -c 'tty; stty size; exit 5'
	cfg '.process.terminal=true'
	out=$(cd "$BUNDLE" && script -qec "stty rows 33 cols 77; $CORRAL --root $STATE run $TID" /dev/null </dev/null | tr -d '\r')
	assert_contains "$out" "/dev/pts/0" "tty"
	assert_contains "$out" "33 77" "window size"
}

test_preserve_fds_and_listen_fds() {
	mkbundle sh -c 'cat <&3; ls /proc/self/fd | wc -l; echo "$LISTEN_FDS"'
	echo via-fd3 >"$T/fd3"
	out=$(cd "$BUNDLE" && cr run --preserve-fds 1 "$TID" 3<"$T/fd3" 4<"$T/fd3" </dev/null)
	assert_contains "$out" via-fd3 "fd 3 passed"
	# 0 1 2 3 and the fd ls opens for the listing: fd 4 was not passed
	assert_eq "$(echo "$out" | sed -n 2p)" 5 "only preserved fds"
}

test_listen_fds_passthrough() {
	mkbundle sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3; cat <&4'
	echo sock-a >"$T/a"; echo sock-b >"$T/b"
	out=$(cd "$BUNDLE" && LISTEN_FDS=2 LISTEN_PID=$$ cr run "$TID" 3<"$T/a" 4<"$T/b" </dev/null)
	assert_eq "$out" "2 1
sock-a
sock-b" "LISTEN_FDS for the container's pid 1"
}

test_log_file_json() {
	mkbundle true
	cfg '.process.args=[]'
	if (cd "$BUNDLE" && "$CORRAL" --root "$STATE" --log "$T/log" --log-format json run "$TID") 2>"$T/err"; then
		fail "empty args accepted"
	fi
	assert_eq "$(jq -r .level "$T/log")" error "log level"
	assert_contains "$(jq -r .msg "$T/log")" "process.args: must be a non-empty array" "log message"
	assert_eq "$(cat "$T/err")" "corral: run $TID: config.json: process.args: must be a non-empty array" "stderr line"
}

test_version() {
	out=$("$CORRAL" --version)
	assert_contains "$out" "corral version" "version"
	assert_contains "$out" "spec: 1.2.0" "spec version"
	assert_contains "$out" "commit:" "commit"
}

test_rollback_after_failing_mount() {
	mkbundle true
	cfg '.mounts += [{"destination":"/data","type":"bind","source":"/nonexistent/src","options":["rbind"]}]'
	if run_ctr "$TID" 2>"$T/err"; then fail "bad mount accepted"; fi
	assert_contains "$(cat "$T/err")" "mounts[7]" "error names the mount"
	assert_contains "$(cat "$T/err")" "/nonexistent/src" "error names the source"
	assert_eq "$(wc -l <"$T/err")" 1 "one-line error"
	[ ! -d "$STATE/$TID" ] || fail "state left behind"
}

test_missing_binary_rolls_back() {
	mkbundle /bin/nonexistent-binary
	if run_ctr "$TID" 2>"$T/err"; then fail "missing binary accepted"; fi
	assert_contains "$(cat "$T/err")" 'exec: "/bin/nonexistent-binary"' "error"
	mkbundle nosuchcmd
	if run_ctr "${TID}b" 2>"$T/err"; then fail "missing binary accepted"; fi
	assert_eq "$(cat "$T/err")" "corral: run ${TID}b: exec: \"nosuchcmd\": executable file not found in \$PATH" "error"
	[ -z "$(ls "$STATE")" ] || fail "state left behind: $(ls "$STATE")"
}

test_bad_user_rolls_back() {
	mkbundle true
	cfg '.process.rlimits=[{"type":"RLIMIT_NOFILE","soft":1,"hard":99999999999}]'
	if run_ctr "$TID" 2>"$T/err"; then fail "raising the hard rlimit succeeded without CAP_SYS_RESOURCE?"; fi
	assert_contains "$(cat "$T/err")" "process.rlimits[0]" "error names the rlimit"
	[ -z "$(ls "$STATE")" ] || fail "state left behind"
}

test_duplicate_id_and_bad_id() {
	mkbundle sleep 100
	(cd "$BUNDLE" && cr create "$TID")
	if (cd "$BUNDLE" && cr create "$TID") 2>"$T/err"; then fail "duplicate id accepted"; fi
	assert_contains "$(cat "$T/err")" "already exists" "duplicate"
	if (cd "$BUNDLE" && cr create "../evil") 2>"$T/err"; then fail "bad id accepted"; fi
	assert_contains "$(cat "$T/err")" "invalid container id" "bad id"
	[ ! -e "$STATE/../evil" ] || fail "escaped the state root"
}

test_no_pivot() {
	mkbundle sh -c 'cat /proc/self/mountinfo | wc -l; echo ok'
	out=$(cd "$BUNDLE" && cr run --no-pivot "$TID" </dev/null)
	assert_contains "$out" ok "--no-pivot run"
}

test_cgroup_placement_and_removal() {
	[ -n "$(awk '$9=="cgroup2"{print $5}' /proc/self/mountinfo)" ] || skip "no cgroup2 mount on this host"
	mkbundle sleep 100
	cfg --arg p "/corral-it/$TID" '.linux.cgroupsPath=$p'
	(cd "$BUNDLE" && cr create "$TID")
	mnt=$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)
	pid=$(cr state "$TID" | jq -r .pid)
	assert_eq "$(cat "$mnt/corral-it/$TID/cgroup.procs")" "$pid" "init in its cgroup"
	cr delete --force "$TID"
	[ ! -d "$mnt/corral-it/$TID" ] || fail "cgroup left after delete"
	rmdir "$mnt/corral-it"
}

test_resources_need_controllers() {
	mkbundle true
	cfg '.linux.resources={"memory":{"limit":67108864}}'
	mnt=$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)
	if grep -qw memory "$mnt/cgroup.controllers" 2>/dev/null; then
		# with the controller (the VM tier) the limit applies and the run works
		run_ctr "$TID" || fail "run under a 64 MiB limit failed"
		return 0
	fi
	if run_ctr "$TID" 2>"$T/err"; then fail "memory limit accepted without a memory controller"; fi
	assert_contains "$(cat "$T/err")" "linux.resources" "names the field"
	assert_contains "$(cat "$T/err")" "memory" "names the missing controller"
	assert_eq "$(wc -l <"$T/err")" 1 "one-line error"
	[ -z "$(ls "$STATE" 2>/dev/null)" ] || fail "state left behind"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
