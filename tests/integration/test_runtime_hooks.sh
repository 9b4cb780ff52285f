#!/bin/bash
# The runtime beyond the core: hooks, exec, user and time namespaces,
# idmapped mounts, ps and features.
. "$(dirname "$0")/lib.sh"

USERNS_MAPS='.linux.namespaces += [{"type":"user"}] |
	.linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}] |
	.linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]'

wait_status() { # id status
	for _ in $(seq 50); do
		[ "$(cr state "$1" | jq -r .status)" = "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 did not become $2"
}

# A host hook that appends "KIND STATUS PID ID HOSTNAME MNTNS ARG2 $HOOKVAR"
# to $T/hooks.log, from the state on its stdin.
write_hook() {
	cat >"$T/hook.sh" <<'EOF'
#!/bin/sh
s=$(cat)
echo "$1 $(echo "$s" | jq -r '[.status, (.pid|tostring), .id] | join(" ")') $(hostname) $(readlink /proc/self/ns/mnt) $2 $HOOKVAR" >>"$3"
EOF
	chmod +x "$T/hook.sh"
}

hook_json() { # kind -> one hook entry
	jq -n --arg h "$T/hook.sh" --arg k "$1" --arg l "$T/hooks.log" \
		'{path:$h, args:["hook.sh",$k,"arg-ok",$l], env:["PATH=/usr/bin:/bin","HOOKVAR=env-ok"], timeout:10}'
}

# Joining a container's pid namespace by path must not put the runtime's
# later children there: prestart and poststop hooks run in the runtime's.
test_hooks_of_a_joined_pid_namespace_stay_in_the_runtimes() {
	mkbundle sleep 30
	(cd "$BUNDLE" && cr run -d "$TID-a" </dev/null)
	pid=$(cr state "$TID-a" | jq -r .pid)
	mkbundle true
	printf '#!/bin/sh\nreadlink /proc/self/ns/pid >>%s/hookns\n' "$T" >"$T/ns.sh"
	chmod +x "$T/ns.sh"
	cfg --arg p "/proc/$pid/ns/pid" --arg h "$T/ns.sh" '.linux.namespaces |= map(if .type == "pid" then .path=$p else . end)
		| .hooks.prestart=[{path:$h}] | .hooks.poststop=[{path:$h}]'
	run_ctr "$TID-b"
	assert_eq "$(sort -u "$T/hookns")" "$(readlink /proc/self/ns/pid)" "the hooks' pid namespace"
	assert_eq "$(wc -l <"$T/hookns")" 2 "both hooks ran"
	cr kill "$TID-a" KILL
}

test_hooks_run_in_order_with_state() {
	mkbundle sh -c 'echo main'
	write_hook
	mkdir "$T/in"
	cfg '.hostname="box" | .mounts += [{"destination":"/run","type":"bind","source":"'"$T/in"'","options":["rbind"]}]'
	for k in prestart createRuntime createContainer poststart poststop; do
		cfg --argjson h "$(hook_json $k)" ".hooks.$k=[\$h]"
	done
	# startContainer's path is resolved in the container
	cat >"$T/in/start.sh" <<'EOF'
#!/bin/sh
st=$(sed 's/.*"status":"\([a-z]*\)".*/\1/')
echo "startContainer $st $(hostname)" >/run/start.log
EOF
	chmod +x "$T/in/start.sh"
	cfg '.hooks.startContainer=[{"path":"/run/start.sh"}]'
	out=$(run_ctr "$TID")
	assert_eq "$out" main "container output"
	log=$(cat "$T/hooks.log")
	assert_eq "$(echo "$log" | awk '{print $1, $2}' | tr '\n' ' ')" \
		"prestart creating createRuntime creating createContainer creating poststart running poststop stopped " \
		"hook order and the status each saw"
	pid=$(echo "$log" | awk 'NR==1{print $3}')
	[ "$pid" -gt 1 ] || fail "prestart saw pid [$pid]"
	assert_eq "$(echo "$log" | awk 'NR<=4{print $3}' | sort -u)" "$pid" "same init pid for create-phase hooks and poststart"
	assert_eq "$(echo "$log" | awk 'NR==5{print $3}')" 0 "poststop pid"
	assert_eq "$(echo "$log" | awk '{print $4}' | sort -u)" "$TID" "container id in every state"
	assert_eq "$(echo "$log" | awk '{print $7 $8}' | sort -u)" "arg-okenv-ok" "hook args and env"
	# where they ran: the runtime's namespaces, or the container's
	hostmnt=$(readlink /proc/self/ns/mnt)
	assert_eq "$(echo "$log" | awk '$1=="prestart"||$1=="createRuntime"||$1=="poststart"||$1=="poststop"{print $5, $6}' | sort -u)" \
		"$(hostname) $hostmnt" "runtime-namespace hooks"
	cc=$(echo "$log" | awk '$1=="createContainer"{print $5, $6}')
	assert_contains "$cc" "box " "createContainer in the container's uts namespace"
	assert_not_contains "$cc" "$hostmnt" "createContainer in the container's mount namespace"
	assert_eq "$(cat "$T/in/start.log")" "startContainer created box" "startContainer inside the container"
}

test_failing_create_runtime_hook_rolls_back() {
	mkbundle sleep 100
	write_hook
	cfg --argjson h "$(hook_json poststop)" '.hooks.createRuntime=[{"path":"/bin/false"}] | .hooks.poststop=[$h]'
	if (cd "$BUNDLE" && cr create "$TID") 2>"$T/err"; then fail "create with a failing hook succeeded"; fi
	assert_eq "$(cat "$T/err")" "corral: create $TID: hooks.createRuntime[0]: /bin/false exited with status 1" "error"
	[ -z "$(ls "$STATE")" ] || fail "state left behind: $(ls "$STATE")"
	# the lifecycle continues at poststop once the container is destroyed
	assert_eq "$(awk '{print $1, $2}' "$T/hooks.log")" "poststop stopped" "poststop after the rollback"
}

test_missing_hook_binary_is_clear() {
	mkbundle true
	cfg '.hooks.prestart=[{"path":"/nonexistent/hook"}]'
	if run_ctr "$TID" 2>"$T/err"; then fail "missing hook accepted"; fi
	assert_eq "$(cat "$T/err")" "corral: run $TID: hooks.prestart[0]: exec /nonexistent/hook: No such file or directory" "error"
	[ -z "$(ls "$STATE")" ] || fail "state left behind"
}

test_hook_timeout_kills_it() {
	mkbundle true
	cfg '.hooks.createContainer=[{"path":"/bin/sleep","args":["sleep","30"],"timeout":1}]'
	start=$(date +%s)
	if run_ctr "$TID" 2>"$T/err"; then fail "hook past its timeout accepted"; fi
	[ $(($(date +%s) - start)) -lt 10 ] || fail "the timeout did not cut the hook short"
	assert_contains "$(cat "$T/err")" "hooks.createContainer[0]: /bin/sleep timed out after 1 s" "error"
	[ -z "$(pgrep -f '^sleep 30$' || true)" ] || fail "hook still running"
}

test_poststart_failure_is_a_warning() {
	mkbundle sh -c 'exit 3'
	cfg '.hooks.poststart=[{"path":"/bin/false"}]'
	rc=0; run_ctr "$TID" 2>"$T/err" || rc=$?
	assert_eq "$rc" 3 "container exit code is unaffected"
	assert_contains "$(cat "$T/err")" "hooks.poststart[0]: /bin/false exited with status 1" "warning"
}

test_start_container_hook_failure_fails_start() {
	mkbundle sleep 100
	cfg '.hooks.startContainer=[{"path":"/bin/false"}]'
	(cd "$BUNDLE" && cr create "$TID")
	if cr start "$TID" 2>"$T/err"; then fail "start succeeded"; fi
	assert_eq "$(cat "$T/err")" "corral: start $TID: hooks.startContainer[0]: /bin/false exited with status 1" "error"
	wait_status "$TID" stopped
}

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
	"$B/tests/helpers/recvtty" "$T/tty.sock" $'tty; echo in-$((6*7)); exit 4\n' 10 >"$T/tty.out" 2>"$T/tty.err" &
	rpid=$!
	for _ in $(seq 50); do [ -S "$T/tty.sock" ] && break; sleep 0.05; done
	rc=0; cr exec -t --console-socket "$T/tty.sock" "$TID" sh || rc=$?
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
	if cr exec "$TID" true 2>"$T/err"; then fail "exec into a stopped container"; fi
	assert_eq "$(cat "$T/err")" "corral: exec $TID: container \"$TID\" is stopped" "stopped"
	if cr exec nosuch true 2>"$T/err"; then fail "exec into a missing container"; fi
	assert_eq "$(cat "$T/err")" "corral: exec nosuch: container \"nosuch\" does not exist" "missing"
}

test_userns_root_inside_and_maps() {
	mkbundle sh -c 'id -u; cat /proc/self/uid_map /proc/self/gid_map | tr -s " "'
	cfg "$USERNS_MAPS"
	out=$(run_ctr "$TID")
	assert_eq "$out" "0
 0 100000 65536
 0 100000 65536" "uid and maps"
}

test_userns_exec_joins_user_namespace() {
	mkbundle sleep 1000
	cfg "$USERNS_MAPS"
	(cd "$BUNDLE" && cr create "$TID" && cr start "$TID")
	assert_eq "$(cr exec "$TID" sh -c 'id -u; cat /proc/self/uid_map | tr -s " "')" "0
 0 100000 65536" "exec in the user namespace"
	p=$(cr state "$TID" | jq -r .pid)
	assert_eq "$(awk '/^Uid/{print $2}' /proc/$p/status)" 100000 "init's host uid"
}

test_userns_root_cannot_write_host_root_file() {
	mkbundle sh -c 'cat /run/secret; echo x >>/run/secret && echo wrote; touch /run/new && echo created; true'
	cfg "$USERNS_MAPS"
	mkdir "$T/hf"
	echo secret >"$T/hf/secret"
	chmod 644 "$T/hf/secret"
	cfg '.mounts += [{"destination":"/run","type":"bind","source":"'"$T/hf"'","options":["rbind"]}]'
	out=$(run_ctr "$TID" 2>&1)
	assert_contains "$out" secret "readable"
	assert_not_contains "$out" wrote "write to a host-root file"
	assert_not_contains "$out" created "create in a host-root directory"
	assert_eq "$(cat "$T/hf/secret")" secret "file unchanged"
}

test_idmapped_rootfs() {
	mkbundle sh -c 'stat -c %u:%g /bin/busybox; touch /newfile && echo wrote'
	own_rootfs
	cfg "$USERNS_MAPS"
	# without the idmap the image's root-owned files are nobody's
	out=$(run_ctr "$TID" 2>&1 || true)
	assert_contains "$out" "65534:65534" "not idmapped"
	assert_not_contains "$out" wrote "not idmapped: write refused"
	cfg '.annotations["run.oci.idmap-rootfs"]="true"'
	out=$(run_ctr "${TID}b")
	assert_eq "$out" "0:0
wrote" "idmapped rootfs"
	assert_eq "$(stat -c %u:%g "$BUNDLE/rootfs/newfile")" "0:0" "owner on the host"
}

test_idmapped_bind_mount_with_own_mappings() {
	mkbundle sh -c 'stat -c %u /run/f; stat -c %u /run2/f'
	mkdir "$T/d"
	touch "$T/d/f"
	cfg '.mounts += [{"destination":"/run","type":"bind","source":"'"$T/d"'","options":["rbind"],
		"uidMappings":[{"containerID":0,"hostID":1234,"size":1}],"gidMappings":[{"containerID":0,"hostID":1234,"size":1}]},
		{"destination":"/home","type":"bind","source":"'"$T/d"'","options":["rbind"]}]'
	cfg '.process.args=["sh","-c","stat -c %u /run/f; stat -c %u /home/f"]'
	assert_eq "$(run_ctr "$TID")" "1234
0" "idmapped and plain views of one file"
	cfg '.mounts[-1].options += ["idmap"]'
	if run_ctr "${TID}b" 2>"$T/err"; then fail "idmap without any mappings accepted"; fi
	assert_contains "$(cat "$T/err")" "idmap needs uidMappings and gidMappings" "error"
}

test_time_offsets() {
	mkbundle sh -c 'cut -d. -f1 /proc/uptime; cat /proc/self/timens_offsets | tr -s " "'
	cfg '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets={"boottime":{"secs":864000},"monotonic":{"secs":1000,"nanosecs":5}}'
	host=$(cut -d. -f1 /proc/uptime)
	out=$(run_ctr "$TID")
	up=$(echo "$out" | sed -n 1p)
	[ "$up" -ge $((host + 864000)) ] && [ "$up" -lt $((host + 864000 + 30)) ] || fail "uptime $up, host $host"
	assert_contains "$out" "monotonic 1000 5" "monotonic offset"
	assert_contains "$out" "boottime 864000 0" "boottime offset"
	mkbundle true
	cfg '.linux.timeOffsets={"boottime":{"secs":1}}'
	if run_ctr "${TID}b" 2>"$T/err"; then fail "offsets without a time namespace"; fi
	assert_contains "$(cat "$T/err")" "linux.timeOffsets: needs a time namespace" "error"
}

test_personality_linux32() {
	[ "$(uname -m)" = x86_64 ] || skip "LINUX32 is tested on x86_64 only"
	mkbundle uname -m
	cfg '.linux.personality={"domain":"LINUX32"}'
	assert_eq "$(run_ctr "$TID")" i686 "uname -m"
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

test_features_match_the_runtime() {
	f=$("$CORRAL" features)
	echo "$f" | jq -e . >/dev/null || fail "features is not JSON"
	assert_eq "$(echo "$f" | jq -r .ociVersionMax)" 1.2.0 ociVersionMax
	assert_eq "$(echo "$f" | jq -c .hooks)" '["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]' hooks
	assert_eq "$(echo "$f" | jq -r '.linux.mountExtensions.idmap.enabled')" true idmap
	assert_eq "$(echo "$f" | jq -r '.linux.netDevices.enabled')" true netDevices
	for k in apparmor selinux intelRdt; do
		assert_eq "$(echo "$f" | jq -r ".linux.$k.enabled")" false "$k"
	done
	assert_eq "$(echo "$f" | jq -r '.linux.cgroup.v2, .linux.cgroup.v1' | tr '\n' ' ')" "true false " cgroup
	echo "$f" | jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") != null' >/dev/null || fail "capabilities"
	echo "$f" | jq -e '.mountOptions | (index("ridmap") != null) and (index("rro") != null)' >/dev/null || fail "mountOptions"
	# every namespace it names can be created
	for ns in $(echo "$f" | jq -r '.linux.namespaces[]'); do
		mkbundle true
		case $ns in
		user) cfg "$USERNS_MAPS" ;;
		mount) ;;
		*) cfg --arg n "$ns" '.linux.namespaces |= (map(select(.type != $n)) + [{"type":$n}])' ;;
		esac
		run_ctr "$TID-$ns" || fail "namespace $ns"
	done
	# every seccomp action it names (but NOTIFY, which needs a listener)
	# loads, and every operator
	for a in $(echo "$f" | jq -r '.linux.seccomp.actions[]' | grep -v NOTIFY); do
		mkbundle true
		cfg --arg a "$a" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["acct"],"action":$a}]}'
		run_ctr "$TID-$a" || fail "seccomp action $a"
	done
	ops=$(echo "$f" | jq -c '[.linux.seccomp.operators[] | {"index":0,"value":1,"valueTwo":1,"op":.}]')
	mkbundle true
	cfg --argjson o "$ops" '.linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["acct"],"action":"SCMP_ACT_ERRNO","args":$o}]}'
	run_ctr "$TID-ops" || fail "seccomp operators"
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

test_net_devices_move_and_return() {
	dev="crt$$"
	ip link add "$dev" type veth peer name "${dev}p" 2>/dev/null || skip "cannot create a veth pair here"
	trap 'ip link del "$dev" 2>/dev/null' EXIT
	mkbundle sh -c 'ip -o link | cut -d: -f2 | cut -d@ -f1 | tr -d " " | tr "\n" " "'
	cfg --arg d "$dev" '.linux.netDevices={($d):{"name":"eth7"}}'
	assert_eq "$(run_ctr "$TID")" "lo eth7 " "interfaces inside"
	ip link show "$dev" >/dev/null || fail "device not returned after run"
	# a create that fails gives it back too
	cfg '.hooks.createRuntime=[{"path":"/bin/false"}]'
	if run_ctr "${TID}b" 2>/dev/null; then fail "failing hook accepted"; fi
	ip link show "$dev" >/dev/null || fail "device not returned after a failed create"
	cfg 'del(.hooks) | .process.args=["sleep","1000"]'
	(cd "$BUNDLE" && cr create "${TID}c")
	if ip link show "$dev" >/dev/null 2>&1; then fail "device still on the host"; fi
	cr delete "${TID}c"
	ip link show "$dev" >/dev/null || fail "device not returned after delete"
	mkbundle true
	cfg --arg d "$dev" '.linux.netDevices={($d):{}} | .linux.namespaces |= map(select(.type != "network"))'
	if run_ctr "${TID}d" 2>"$T/err"; then fail "netDevices without a network namespace"; fi
	assert_contains "$(cat "$T/err")" "linux.netDevices: needs a" "error"
}

test_loopback_up_in_new_netns() {
	mkbundle sh -c 'ip -o link show lo; ip -o link | wc -l'
	out=$(run_ctr "$TID")
	assert_contains "$out" "LOOPBACK,UP" "lo is up"
	assert_eq "$(echo "$out" | tail -1)" 1 "lo is the only interface"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
