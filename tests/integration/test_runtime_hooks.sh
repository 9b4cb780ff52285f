#!/bin/bash
# OCI hooks: order, state on stdin, where they run, timeouts, and what a
# failing one does at each point of the lifecycle.
. "$(dirname "$0")/lib.sh"

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
	# a sleep of a length no other lane's process has
	local d="29.$$"
	cfg --arg d "$d" '.hooks.createContainer=[{"path":"/bin/sleep","args":["sleep",$d],"timeout":1}]'
	start=$(date +%s)
	if run_ctr "$TID" 2>"$T/err"; then fail "hook past its timeout accepted"; fi
	[ $(($(date +%s) - start)) -lt 10 ] || fail "the timeout did not cut the hook short"
	assert_contains "$(cat "$T/err")" "hooks.createContainer[0]: /bin/sleep timed out after 1 s" "error"
	[ -z "$(pgrep -f "^sleep $d\$" || true)" ] || fail "hook still running"
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

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
