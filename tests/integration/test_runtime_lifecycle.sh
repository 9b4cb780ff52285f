#!/bin/bash
# A container's lifecycle under the corral CLI: create, start, kill, delete,
# state and list; exit codes, pid files, the console and terminal, passed
# fds, the log file; rollback of a create that fails; its cgroup.
. "$(dirname "$0")/lib.sh"

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

# what the runtime records (its state, the config it keeps, --pid-file) is
# not synced, as runc and crun do not: none of it outlives the machine, and
# a sync waits on every other writer of the disk
test_run_syncs_nothing() {
	mkbundle true
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq \
		-e trace=execve,fsync,fdatasync,syncfs,sync,sync_file_range -o "$T/run.strace" \
		"$CORRAL" --root "$STATE" run --bundle "$BUNDLE" --pid-file "$T/pid" "$TID" </dev/null ||
		fail "run under strace failed"
	assert_eq "$(grep -cE '^[0-9]+ +(fsync|fdatasync|syncfs|sync|sync_file_range)\(' "$T/run.strace")" 0 \
		"sync calls of a run: $(grep -E '^[0-9]+ +(fsync|fdatasync|syncfs|sync|sync_file_range)\(' "$T/run.strace" | head -3)"
	grep -qE '^[0-9]+ +execve\(' "$T/run.strace" || fail "strace saw nothing of the run"
	[ -s "$T/pid" ] || fail "--pid-file not written"
}

# what a machine that went down right after create leaves of an unsynced
# state: an empty file. The container is one being created, as with no
# state at all, and delete --force removes what is left
test_empty_state_after_a_crash() {
	mkdir -p "$STATE/$TID"
	: >"$STATE/$TID/state.json"
	assert_eq "$(cr state "$TID" | jq -r .status)" creating "state of an empty state file"
	assert_contains "$(cr delete "$TID" 2>&1)" "is being created" "delete without --force"
	cr delete --force "$TID" || fail "delete --force of an empty state failed"
	[ ! -e "$STATE/$TID" ] || fail "its directory was left"
	mkdir -p "$STATE/$TID"
	printf '{"id":' >"$STATE/$TID/state.json"
	assert_contains "$(cr state "$TID" 2>&1)" "invalid JSON" "a state cut short is not guessed at"
	rm -rf "${STATE:?}/$TID"
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
	wait_for 10 catches "$(cr state "$TID" | jq -r .pid)" 10
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

# Engines match runc's exit codes and texts after a process has gone:
# containerd's TaskExit runs `kill --all ID 9` and takes only success,
# "container not running" or "does not exist" (it also matches "does not
# exist" after delete). Every verb an engine calls, on a stopped and on a
# missing container, under runc and corral side by side.
test_verbs_after_exit_as_runc() {
	command -v runc >/dev/null || skip "runc is not installed (tests/deps.sh installs it)"
	mkbundle true
	RROOT="$T/runc-root"; local rt id out rc want
	trap 'runc --root "$RROOT" delete -f "r$TID" >/dev/null 2>&1; true' EXIT
	verbs=("kill ID 9" "kill --all ID 9" "kill ID" "pause ID" "resume ID" "update --memory 100000000 ID"
		"exec ID true" "events --stats ID" "start ID" "state ID" "ps --format json ID" "delete ID"
		"kill ID 9" "kill --all ID 9" "state ID" "delete ID" "delete --force ID" "ps ID" "exec ID true"
		"pause ID" "update --memory 100000000 ID" "events --stats ID")
	for rt in runc corral; do
		if [ "$rt" = runc ]; then run=(runc --root "$RROOT"); id="r$TID"; else run=(cr); id=$TID; fi
		(cd "$BUNDLE" && "${run[@]}" create "$id" && "${run[@]}" start "$id") >/dev/null
		for _ in $(seq 50); do [ "$("${run[@]}" state "$id" | jq -r .status)" = stopped ] && break; sleep 0.1; done
		for i in "${!verbs[@]}"; do
			rc=0; out=$("${run[@]}" ${verbs[$i]//ID/$id} 2>&1 >/dev/null) || rc=$?
			if [ "$rt" = runc ]; then
				rcs[$i]=$rc
				# runc's own text, without its logger's dress
				msgs[$i]=$(sed -n 's/.*msg="\(exec failed: \)\{0,1\}\(.*\)"$/\2/p' <<<"$out" | head -1)
				continue
			fi
			assert_eq "$rc" "${rcs[$i]}" "exit code of '${verbs[$i]}' (${msgs[$i]})"
			case "${verbs[$i]}" in events*|start*) continue ;; esac
			want=${msgs[$i]//r$TID/$TID}
			# corral names the container where runc does not
			out=${out//container \"$TID\" /container }
			[ -z "$want" ] || assert_contains "$out" "$want" "text of '${verbs[$i]}'"
			[ -n "$want" ] || assert_eq "$out" "" "text of '${verbs[$i]}'"
		done
	done
	# the two answers containerd needs, by name
	(cd "$BUNDLE" && cr create "$TID" && cr start "$TID")
	wait_status "$TID" stopped
	cr kill --all "$TID" 9 || fail "kill --all of a stopped container failed"
	out=$(cr kill "$TID" 9 2>&1) && fail "kill of a stopped container succeeded"
	assert_eq "$out" "corral: kill $TID: container not running" "kill of a stopped container"
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
	"$B/tests/helpers/recvtty" "$S/tty.sock" $'tty; echo in-$((6*7)); exit 4\n' 10 >"$T/tty.out" 2>"$T/tty.err" &
	rpid=$!
	for _ in $(seq 50); do [ -S "$S/tty.sock" ] && break; sleep 0.05; done
	(cd "$BUNDLE" && cr create --console-socket "$S/tty.sock" "$TID")
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
	# the commit built from, also after an incremental build (version.c
	# alone holds it, made again when it changes)
	local head
	head=$(git -C "$ROOTDIR" rev-parse --short HEAD 2>/dev/null) || return 0
	assert_contains "$out" "commit: $head" "the commit of the tree it was built from"
}

# COMMAND --help, as a person at a terminal types it after runc's: what it
# does, and nothing run; checkpoint and restore list their options (podman
# reads restore's)
test_command_help() {
	local out
	out=$(cr run --help) || fail "run --help: $out"
	assert_contains "$out" "run: create and start a container" "run --help"
	assert_eq "$(cr list -q | wc -l)" 0 "run --help ran nothing"
	assert_contains "$(cr spec -h)" "spec: write a default config.json" "spec -h"
	[ ! -e config.json ] || fail "spec -h wrote a config.json"
	assert_contains "$(cr restore --help)" "--lsm-mount-context" "restore's own --help"
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
	# where it is instead: on a hybrid host, a cgroup v1 mount
	local v1
	v1=$(awk '$9=="cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)
	if [ -n "$v1" ]; then
		assert_contains "$(cat "$T/err")" "memory is bound to cgroup v1 at $v1" "where memory is"
		out=$("$CORRAL" features 2>"$T/ferr" | jq -r '.annotations["io.github.corral.cgroup2.missing"]')
		assert_contains "$out" "memory is bound to cgroup v1 at $v1" "features names it"
		assert_contains "$(cat "$T/ferr")" "lacks" "features says so on stderr"
	fi
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
