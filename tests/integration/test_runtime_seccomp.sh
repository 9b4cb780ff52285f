#!/bin/bash
# seccomp from linux.seccomp and the default profile, and the network
# namespace a container gets.
. "$(dirname "$0")/lib.sh"

SYSPROBE="$B/tests/helpers/sysprobe"

# Bind the static probe into the container at /probe.
with_probe() {
	cfg --arg p "$SYSPROBE" '.mounts += [{"destination":"/probe","type":"bind","source":$p,"options":["bind","ro"]}]'
}

test_errno_ret() {
	mkbundle sh -c 'mkdir /tmp/x; echo rc=$?'
	cfg '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}'
	out=$(run_ctr "$TID" 2>&1)
	assert_contains "$out" "Permission denied" "errnoRet 13 is EACCES"
	assert_contains "$out" "rc=1" "mkdir failed"
}

test_kill_process_is_159() {
	mkbundle uname
	cfg '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["uname"],"action":"SCMP_ACT_KILL_PROCESS"}]}'
	rc=0; run_ctr "$TID" >/dev/null 2>&1 || rc=$?
	assert_eq "$rc" 159 "exit code of a process killed by SIGSYS"
}

test_args_comparison() {
	# write(2) of exactly 2 bytes ("b\n") fails; others pass
	mkbundle sh -c 'echo aa; echo b; echo ccc'
	cfg '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["write"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":2,"value":2,"op":"SCMP_CMP_EQ"}]}]}'
	out=$(run_ctr "$TID" 2>/dev/null)
	assert_eq "$out" "aa
ccc" "SCMP_CMP_EQ on the count"
	# and a masked comparison: counts whose low bit is set (odd) fail
	mkbundle sh -c 'echo aa; echo b; echo cccc; echo dd; true'
	cfg '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["write"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":2,"value":1,"valueTwo":1,"op":"SCMP_CMP_MASKED_EQ"}]}]}'
	out=$(run_ctr "${TID}b" 2>/dev/null)
	assert_eq "$out" "b" "SCMP_CMP_MASKED_EQ: only the even-sized write passes"
}

test_notify_listener_answers() {
	mkbundle sh -c 'echo ppid=$PPID'
	cfg --arg s "$S/listener.sock" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","listenerPath":$s,"listenerMetadata":"corral-test",
		"syscalls":[{"names":["getppid"],"action":"SCMP_ACT_NOTIFY"}]}'
	"$B/tests/helpers/seccomp_listener" "$S/listener.sock" 4242 "$T/state.json" &
	lpid=$!
	for _ in $(seq 50); do [ -S "$S/listener.sock" ] && break; sleep 0.05; done
	out=$(run_ctr "$TID")
	wait $lpid
	assert_eq "$out" "ppid=4242" "the listener's answer"
	assert_eq "$(jq -r .metadata "$T/state.json")" corral-test "listenerMetadata"
	assert_eq "$(jq -r '.fds[0]' "$T/state.json")" seccompFd "fds"
	assert_eq "$(jq -r .state.id "$T/state.json")" "$TID" "state.id"
}

test_default_profile() {
	mkbundle sh -c '/probe keyctl add_key unshare mount clone3; ls / >/dev/null && echo ls-ok; echo x | sed s/x/y/; date >/dev/null && echo date-ok; grep ^Seccomp: /proc/self/status'
	with_probe
	cfg '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	[ "$(jq -r .linux.seccomp.defaultAction "$BUNDLE/config.json")" = SCMP_ACT_ERRNO ] || fail "corral spec has no default profile"
	out=$(run_ctr "$TID")
	# even with CAP_SYS_ADMIN the profile refuses these
	assert_contains "$out" "keyctl: EPERM" keyctl
	assert_contains "$out" "add_key: EPERM" add_key
	assert_contains "$out" "unshare: EPERM" unshare
	assert_contains "$out" "mount: EPERM" mount
	assert_contains "$out" "clone3: ENOSYS" "clone3 falls back"
	assert_contains "$out" "ls-ok" "ls works"
	assert_contains "$out" "y" "sed works"
	assert_contains "$out" "date-ok" "date works"
	assert_contains "$out" "Seccomp:	2" "filter mode"
}

test_unknown_action_is_an_error() {
	mkbundle true
	cfg '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_BOGUS"}]}'
	if run_ctr "$TID" 2>"$T/err"; then fail "unknown action accepted"; fi
	assert_eq "$(cat "$T/err")" "corral: run $TID: config.json: linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_BOGUS\"" "error"
	cfg '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":"read","action":"SCMP_ACT_ALLOW"}]}'
	if run_ctr "$TID" 2>"$T/err"; then fail "wrong type accepted"; fi
	assert_contains "$(cat "$T/err")" "linux.seccomp.syscalls[0].names: must be an array, not string" "type error"
	[ -z "$(ls "$STATE" 2>/dev/null)" ] || fail "state left behind"
}

test_unknown_syscall_is_skipped() {
	mkbundle echo fine
	cfg '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["no_such_syscall_at_all"],"action":"SCMP_ACT_ERRNO"}]}'
	assert_eq "$(run_ctr "$TID")" fine "runs"
}

test_netns_only_lo_up_and_answers() {
	# polls, bounded, rather than sleeps: the listener is up once port 7777
	# (1E61) is in LISTEN (0A), on v4 or v6 (busybox nc takes ::), and the
	# word is there once it has come. The listener's stdin stays open: at
	# its EOF busybox nc may close before the word arrives. One line:
	# mkbundle splits its arguments on newlines.
	local up='grep -qE ":1E61 0+:0000 0A" /proc/net/tcp /proc/net/tcp6'
	mkbundle sh -c "ls /sys/class/net; cat /sys/class/net/lo/operstate; sleep 10 | nc -l -p 7777 >/tmp/got & i=0; until $up || [ \$i = 100 ]; do sleep 0.05; i=\$((i+1)); done; echo ping | nc 127.0.0.1 7777; i=0; until [ -s /tmp/got ] || [ \$i = 100 ]; do sleep 0.05; i=\$((i+1)); done; cat /tmp/got"
	cfg '.mounts += [{"destination":"/tmp","type":"tmpfs","source":"tmpfs"}]'
	out=$(run_ctr "$TID")
	assert_eq "$(echo "$out" | sed -n 1p)" lo "only lo"
	assert_eq "$(echo "$out" | sed -n 2p)" unknown "lo is up (loopback reports unknown)"
	assert_eq "$(echo "$out" | sed -n 3p)" ping "127.0.0.1 answers"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
