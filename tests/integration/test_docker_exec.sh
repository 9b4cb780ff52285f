#!/bin/bash
# Docker's exec through corrald's docker socket: create, start (hijacked,
# or detached) and inspect are three connections, so three corral-dockers;
# corrald keeps the instance between them (ExecCreate, ExecStart,
# ExecInspect), and its container's monitor writes its exit code for the
# inspect that the docker CLI makes once the stream has ended.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null


api() { curl -s --unix-socket "$S/docker.sock" "$@"; }

# docker exec as people type it: output, exit codes, stdin, env, workdir
# and user, detached, and a terminal
test_dk_exec_with_the_cli() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	dock run -d --name web busybox:latest sleep 1000 >/dev/null
	assert_eq "$(dock exec web echo hi)" hi "docker exec echo"
	local rc=0
	dock exec web sh -c 'exit 7' || rc=$?
	assert_eq "$rc" 7 "the exit code"
	assert_eq "$(dock exec web sh -c 'echo err >&2' 2>&1 >/dev/null)" err "stderr on stderr"
	assert_eq "$(printf 'one\ntwo\n' | dock exec -i web cat)" "$(printf 'one\ntwo')" "stdin with -i"
	assert_eq "$(dock exec -e X=1 -w /tmp -u 1000 web sh -c 'echo $X $PWD $(id -u)')" "1 /tmp 1000" \
		"env, workdir and user"
	dock exec -d web sh -c 'touch /tmp/x'
	wait_for 10 sh -c "DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker exec web test -e /tmp/x"
	local out
	rc=0
	out=$(script -qec "env DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker exec -t web sh -c 'tty; exit 3'" /dev/null </dev/null) || rc=$?
	assert_contains "$out" "/dev/pts/" "a terminal with -t"
	assert_eq "$rc" 3 "its exit code through the terminal"
	# the CLI sends its terminal's size with POST /exec/{id}/resize
	out=$(script -qec "stty rows 31 cols 97; env DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker exec -t web sh -c 'sleep 0.5; stty size'" /dev/null </dev/null)
	assert_contains "$out" "31 97" "the terminal's size"
	rc=0
	out=$(dock exec web /nonexistent 2>&1) || rc=$?
	assert_eq "$rc" 127 "a command not found"
	dock stop -t 1 web >/dev/null
	out=$(dock exec web echo hi 2>&1) && fail "exec into a stopped container succeeded: $out"
	assert_contains "$out" "is not running" "the error for a stopped container"
	out=$(dock exec nosuch echo hi 2>&1) && fail "exec into nothing succeeded"
	assert_contains "$out" "No such container" "the error for a missing container"
	dock rm -f web >/dev/null
}

# The API's shapes: create's 201, inspect before and after, a second start,
# resize, and the errors
test_dk_exec_api_shapes() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	dock run -d --name web busybox:latest sleep 1000 >/dev/null
	local id cid
	cid=$(dock inspect -f '{{.Id}}' web)
	api -o "$T/c" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		-d '{"Cmd":["sh","-c","sleep 0.3; exit 5"],"User":"1000","Tty":false}' \
		http://d/v1.41/containers/web/exec >"$T/code"
	assert_eq "$(cat "$T/code")" 201 "create answers 201"
	id=$(jq -r .Id "$T/c")
	[ ${#id} = 64 ] || fail "create's Id [$id]"
	api "http://d/v1.41/exec/$id/json" >"$T/i"
	assert_eq "$(jq -c '[.ID == "'"$id"'", .Running, .ExitCode, .ContainerID == "'"$cid"'", .ProcessConfig.entrypoint, .ProcessConfig.arguments, .ProcessConfig.user, .ProcessConfig.tty, .ProcessConfig.privileged, .CanRemove, .DetachKeys, .OpenStdin]' "$T/i")" \
		'[true,false,null,true,"sh",["-c","sleep 0.3; exit 5"],"1000",false,false,false,"",false]' "inspect before the start"
	assert_eq "$(api -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"Detach":true}' "http://d/v1.41/exec/$id/start")" \
		200 "a detached start"
	assert_eq "$(api "http://d/v1.41/exec/$id/json" | jq -c '[.Running, .ExitCode, .Pid > 0]')" '[true,null,true]' "inspect while it runs"
	wait_for 10 sh -c "curl -s --unix-socket '$S/docker.sock' http://d/v1.41/exec/$id/json | jq -e '.ExitCode == 5' >/dev/null"
	assert_eq "$(api "http://d/v1.41/exec/$id/json" | jq -c '[.Running, .ExitCode]')" '[false,5]' "inspect once it has ended"
	api -X POST -H 'Content-Type: application/json' -d '{"Detach":true}' "http://d/v1.41/exec/$id/start" >"$T/again"
	assert_contains "$(jq -r .message "$T/again")" "runs once" "a second start is refused"
	assert_eq "$(api -o /dev/null -w '%{http_code}' -X POST "http://d/v1.41/exec/$id/resize?h=24&w=80")" 409 \
		"resizing one that has ended"
	api -o "$T/n" -w '%{http_code}' "http://d/v1.41/exec/0123abcd/json" >"$T/code"
	assert_eq "$(cat "$T/code") $(jq -r .message "$T/n")" "404 No such exec instance: 0123abcd" "an unknown exec"
	assert_eq "$(api -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"Cmd":[]}' http://d/v1.41/containers/web/exec)" \
		400 "an empty command"
	dock stop -t 1 web >/dev/null
	api -o "$T/s" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"Cmd":["true"]}' \
		http://d/v1.41/containers/web/exec >"$T/code"
	assert_eq "$(cat "$T/code") $(jq -r .message "$T/s")" "409 Container web is not running" "a stopped container"
	dock rm -f web >/dev/null
}

# A container keeps 256 instances: the oldest that has ended goes first,
# else the oldest never started; all go with the container
test_dk_exec_instances_are_bounded() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	dock run -d --name web busybox:latest sleep 1000 >/dev/null
	mk() { api -X POST -H 'Content-Type: application/json' -d '{"Cmd":["true"]}' http://d/v1.41/containers/web/exec | jq -r .Id; }
	local first ended last
	first=$(mk)
	ended=$(mk)
	api -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"Detach":true}' "http://d/v1.41/exec/$ended/start"
	wait_for 10 sh -c "curl -s --unix-socket '$S/docker.sock' http://d/v1.41/exec/$ended/json | jq -e '.ExitCode == 0' >/dev/null"
	# the 3rd to the 256th on one kept-alive connection, as an SDK sends them
	api -X POST -H 'Content-Type: application/json' -d '{"Cmd":["true"]}' \
		$(for i in $(seq 3 256); do echo http://d/v1.41/containers/web/exec; done) | grep -o '"Id":"[0-9a-f]\{64\}"' >"$T/ids"
	assert_eq "$(sort -u "$T/ids" | wc -l)" 254 "254 more instances made"
	last=$(mk)
	[ ${#last} = 64 ] || fail "the 257th create: [$last]"
	assert_eq "$(api "http://d/v1.41/exec/$ended/json" | jq -r .message)" "No such exec instance: $ended" "the ended one went"
	assert_eq "$(api "http://d/v1.41/exec/$first/json" | jq -r .ID)" "$first" "the older one never started stays"
	last=$(mk)
	assert_eq "$(api "http://d/v1.41/exec/$first/json" | jq -r .message)" "No such exec instance: $first" \
		"then the oldest never started"
	dock rm -f web >/dev/null
	dock run -d --name web busybox:latest sleep 1000 >/dev/null
	assert_eq "$(api "http://d/v1.41/exec/$last/json" | jq -r .message)" "No such exec instance: $last" \
		"gone with its container"
	dock rm -f web >/dev/null
}

# The Docker SDK for Python's exec_run
test_dk_exec_python_sdk() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	local out
	out=$(python3 - "$S/docker.sock" <<'EOF'
import sys, docker
c = docker.DockerClient(base_url="unix://" + sys.argv[1], version="auto")
ct = c.containers.run("busybox:latest", ["sleep", "1000"], detach=True, name="sdk")
r = ct.exec_run(["sh", "-c", "echo out; echo err >&2; exit 3"])
# two pipes: which line is read first is the scheduler's, as with dockerd
print(r.exit_code, repr(b"".join(sorted(r.output.splitlines(True)))))
r = ct.exec_run(["sh", "-c", "echo out; echo err >&2"], demux=True)
print(r.exit_code, r.output)
ct.remove(force=True)
EOF
)
	assert_eq "$(echo "$out" | head -1)" "3 b'err\\nout\\n'" "exec_run: exit code and output (in either order)"
	assert_eq "$(echo "$out" | sed -n 2p)" "0 (b'out\\n', b'err\\n')" "exec_run demux"
}

# Members: an exec instance is its container's, which only its owner sees
test_dk_exec_members() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533
	cp "$IMGS/test.oci.tar" "$T/img.tar"
	chmod 644 "$T/img.tar"
	chmod 755 "$T"
	mctl 4242 image import "oci-archive:$T/img.tar" m:1 >/dev/null
	mctl 4343 image import "oci-archive:$T/img.tar" m:1 >/dev/null
	dockm 4242 run -d --name a m:1 sleep 1000 >/dev/null || fail "member 4242 could not run"
	assert_eq "$(dockm 4242 exec a echo mine)" mine "the owner execs"
	local out id
	out=$(dockm 4343 exec a echo theirs 2>&1) && fail "4343 exec'd into 4242's container: $out"
	assert_contains "$out" "No such container" "4343's exec"
	id=$(as_uid 4242 curl -s --unix-socket "$S/docker.sock" -X POST -H 'Content-Type: application/json' \
		-d '{"Cmd":["sh","-c","exit 4"]}' http://d/v1.41/containers/a/exec | jq -r .Id)
	[ ${#id} = 64 ] || fail "4242's exec create: [$id]"
	out=$(as_uid 4343 curl -s --unix-socket "$S/docker.sock" "http://d/v1.41/exec/$id/json" | jq -r .message)
	assert_eq "$out" "No such exec instance: $id" "4343 inspects 4242's exec"
	out=$(as_uid 4343 curl -s --unix-socket "$S/docker.sock" -X POST -H 'Content-Type: application/json' \
		-d '{"Detach":true}' "http://d/v1.41/exec/$id/start" | jq -r .message)
	assert_eq "$out" "No such exec instance: $id" "4343 starts 4242's exec"
	assert_eq "$(as_uid 4242 curl -s --unix-socket "$S/docker.sock" "http://d/v1.41/exec/$id/json" | jq -c '[.Running, .ExitCode]')" \
		'[false,null]' "4242's exec was not started"
	dockm 4242 rm -f a >/dev/null
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
