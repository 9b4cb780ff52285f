#!/bin/bash
# corral exec and ps: an exec joins the container's namespaces, cgroup and
# seccomp filter, with its options, tty and exit codes; ps lists what runs.
. "$(dirname "$0")/lib.sh"

start_sleeper() {
	mkbundle sleep 1000
	cfg '.hostname="exec-box" | .mounts += [{"destination":"/run","type":"tmpfs","source":"tmpfs","options":["size=64k"]}]'
	(cd "$BUNDLE" && cr create "$TID" && cr start "$TID")
}

test_exec_sees_container_namespaces() {
	start_sleeper
	out=$(cr exec "$TID" sh -c 'hostname; echo $$; cat /proc/1/cmdline | tr "\0" " "; echo; grep " /run " /proc/self/mountinfo | wc -l; cat /proc/self/cgroup | tail -1')
	assert_eq "$(echo "$out" | sed -n 1p)" exec-box "hostname"
	p=$(echo "$out" | sed -n 2p)
	[ "$p" -gt 1 ] && [ "$p" -lt 100 ] || fail "pid in the container's pid namespace: $p"
	assert_eq "$(echo "$out" | sed -n 3p)" "sleep 1000 " "pid 1 is the container's init"
	assert_eq "$(echo "$out" | sed -n 4p)" 1 "the container's /run tmpfs"
	assert_eq "$(echo "$out" | sed -n 5p)" "0::/" "cgroup namespace"
	init=$(cr state "$TID" | jq -r .pid)
	for ns in mnt pid net ipc uts cgroup; do
		cr exec "$TID" readlink /proc/self/ns/$ns >"$T/ns"
		assert_eq "$(cat "$T/ns")" "$(readlink /proc/$init/ns/$ns)" "$ns namespace"
	done
}

test_exec_exit_codes() {
	start_sleeper
	cr exec "$TID" true || fail "true failed"
	rc=0; cr exec "$TID" sh -c 'exit 7' || rc=$?
	assert_eq "$rc" 7 "exit 7"
	rc=0; cr exec "$TID" sh -c 'kill -KILL $$' || rc=$?
	assert_eq "$rc" 137 "killed by SIGKILL"
	if cr exec "$TID" nosuchcmd 2>"$T/err"; then fail "missing command succeeded"; fi
	assert_eq "$(cat "$T/err")" "corral: exec $TID: exec: \"nosuchcmd\": executable file not found in \$PATH" "error"
}

test_exec_options() {
	start_sleeper
	out=$(cr exec -u 1000:1000 -e FOO=bar -e PATH=/bin --cwd /tmp "$TID" sh -c 'id -u; id -g; pwd; echo $FOO $PATH')
	assert_eq "$out" "1000
1000
/tmp
bar /bin" "user, env, cwd"
	# CAP_SYS_ADMIN is bit 21
	eff=$(cr exec --cap CAP_SYS_ADMIN "$TID" grep CapEff /proc/self/status | awk '{print $2}')
	[ $(( 0x$eff & (1 << 21) )) -ne 0 ] || fail "--cap CAP_SYS_ADMIN: CapEff $eff"
	eff=$(cr exec "$TID" grep CapEff /proc/self/status | awk '{print $2}')
	assert_eq "$eff" 0000000020000420 "the container's capabilities by default"
	cat >"$T/process.json" <<'EOF'
{"args":["sh","-c","echo from-file $X; id -u"],"cwd":"/","env":["X=1","PATH=/bin"],"user":{"uid":1,"gid":1}}
EOF
	assert_eq "$(cr exec -p "$T/process.json" "$TID")" "from-file 1
1" "--process"
	cr exec -d --pid-file "$T/pid" "$TID" sleep 77
	p=$(cat "$T/pid")
	assert_eq "$(tr '\0' ' ' </proc/$p/cmdline)" "sleep 77 " "--detach and --pid-file"
	echo via-fd3 >"$T/fd3"
	out=$(cr exec --preserve-fds 1 "$TID" sh -c 'cat <&3; ls /proc/self/fd | wc -l' 3<"$T/fd3" 4<"$T/fd3")
	assert_eq "$out" "via-fd3
5" "--preserve-fds 1: fd 3 and no more"
	if cr exec -u nobody "$TID" true 2>"$T/err"; then fail "bad --user accepted"; fi
	assert_contains "$(cat "$T/err")" "--user \"nobody\": must be UID or UID:GID" "bad user"
}

test_exec_no_new_privs() {
	mkbundle sleep 1000
	cfg '.process.noNewPrivileges=false'
	(cd "$BUNDLE" && cr create "$TID" && cr start "$TID")
	assert_eq "$(cr exec "$TID" grep NoNewPrivs /proc/self/status)" "NoNewPrivs:	0" "the container's setting"
	assert_eq "$(cr exec --no-new-privs "$TID" grep NoNewPrivs /proc/self/status)" "NoNewPrivs:	1" "--no-new-privs"
}

test_exec_tty_console_socket() {
	start_sleeper
	"$B/tests/helpers/recvtty" "$S/tty.sock" $'tty; echo in-$((6*7)); exit 4\n' 10 >"$T/tty.out" 2>"$T/tty.err" &
	rpid=$!
	for _ in $(seq 50); do [ -S "$S/tty.sock" ] && break; sleep 0.05; done
	rc=0; cr exec -t --console-socket "$S/tty.sock" "$TID" sh || rc=$?
	wait $rpid
	assert_eq "$rc" 4 "exit code through the pty"
	out=$(tr -d '\r' <"$T/tty.out")
	assert_contains "$out" "/dev/pts/" "tty inside"
	assert_contains "$out" "in-42" "shell over the pty"
}

test_exec_stopped_or_missing_is_one_line() {
	mkbundle true
	(cd "$BUNDLE" && cr create "$TID" && cr start "$TID")
	wait_status "$TID" stopped
	local rc=0
	cr exec "$TID" true 2>"$T/err" || rc=$?
	assert_eq "$rc" 255 "exec into a stopped container: runc's exit code for a failed exec"
	assert_eq "$(cat "$T/err")" "corral: exec $TID: cannot exec in a stopped container" "stopped"
	if cr exec nosuch true 2>"$T/err"; then fail "exec into a missing container"; fi
	assert_eq "$(cat "$T/err")" "corral: exec nosuch: container \"nosuch\" does not exist" "missing"
}

test_seccomp_in_run_and_exec() {
	for nnp in true false; do
		mkbundle sh -c 'mkdir /tmp/x 2>&1; grep ^Seccomp: /proc/self/status'
		cfg --argjson n $nnp '.process.noNewPrivileges=$n |
			.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}'
		out=$(run_ctr "$TID-$nnp")
		assert_contains "$out" "Operation not permitted" "mkdir refused (noNewPrivileges $nnp)"
		assert_contains "$out" "Seccomp:	2" "filter mode"
	done
	cfg '.process.args=["sleep","1000"]'
	(cd "$BUNDLE" && cr create "$TID" && cr start "$TID")
	out=$(cr exec "$TID" sh -c 'mkdir /tmp/y 2>&1; grep ^Seccomp: /proc/self/status')
	assert_contains "$out" "Operation not permitted" "exec under the container's filter"
	assert_contains "$out" "Seccomp:	2" "exec filter mode"
}

test_ps_lists_container_pids() {
	mkbundle sh -c 'sleep 1000 & sleep 1001; true'
	(cd "$BUNDLE" && cr create "$TID" && cr start "$TID")
	init=$(cr state "$TID" | jq -r .pid)
	for _ in $(seq 50); do [ "$(cr ps --format json "$TID" | jq length)" = 3 ] && break; sleep 0.1; done
	pids=$(cr ps --format json "$TID")
	assert_eq "$(echo "$pids" | jq length)" 3 "three processes: $pids"
	assert_eq "$(echo "$pids" | jq "index($init) != null")" true "the init is listed"
	for p in $(echo "$pids" | jq '.[]'); do
		[ "$p" = "$init" ] || assert_eq "$(awk '{print $4}' /proc/$p/stat)" "$init" "pid $p is the init's child"
	done
	table=$(cr ps "$TID")
	assert_contains "$table" "sleep 1000" "table"
	assert_contains "$table" "sleep 1001" "table"
	cr exec -d "$TID" sleep 1002
	assert_contains "$(cr ps "$TID")" "sleep 1002" "an exec'd process is listed"
	cr kill --all "$TID" KILL
	wait_status "$TID" stopped
	assert_eq "$(cr ps --format json "$TID")" "[]" "stopped: no processes"
	if cr ps nosuch 2>"$T/err"; then fail "ps of a missing container"; fi
	assert_eq "$(cat "$T/err")" "corral: ps nosuch: container \"nosuch\" does not exist" "missing"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
