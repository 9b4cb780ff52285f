#!/bin/bash
# docker attach and its detach, as a person at a terminal (tmux) uses the
# docker CLI 20.10 against corrald's Docker socket: ctrl-p ctrl-q (and
# --detach-keys) leave the container running, as dockerd does; the
# detachKeys of the API itself, for a client that sends them raw; stdin
# that ends, with StdinOnce and without.
# time: about 45 s (5 cases), each a corrald and docker CLIs on terminals
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
. "$(dirname "$0")/term_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

cleanup_attach() {
	term_cleanup
	cleanup_sv
}
running() { dock inspect -f '{{.State.Running}}' "$1"; }
# the docker CLI on a terminal, as the test's user would type it
# attach_on_term ARGS...: docker attach ARGS on a new terminal, once the
# shell's prompt shows there (Enter makes it draw one)
attach_on_term() {
	term_run "$(docker_cmd attach "$@")"
	term send-keys -t t Enter
	wait_screen '^/data #'
}
docker_cmd() { echo "env DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' '$DOCKER_CLI_DIR/docker' $*"; }

# docker run -dit, then docker attach: ctrl-p ctrl-q detaches and the shell
# runs on (it got EOF, and exited, before); attach takes it back; a
# detach sequence of one's own; exit ends it
test_dkat_detach_leaves_it_running() {
	need_tmux
	trap cleanup_attach EXIT
	start_docker
	import_busybox
	dock run -dit --name sh1 busybox:latest sh >/dev/null
	assert_eq "$(dock inspect -f '{{.Config.OpenStdin}} {{.Config.StdinOnce}} {{.Config.Tty}}' sh1)" "true false true" "run -dit's config"
	attach_on_term sh1
	term send-keys -t t 'echo one-$((1+1))' Enter
	wait_screen '^one-2$'
	term send-keys -t t C-p C-q
	# the docker CLI 20.10's words and status for a detach, as with dockerd
	wait_screen 'read escape sequence'
	wait_screen '^EXITED=1$'
	sleep 0.5 # what an EOF would have done, it would have done by now
	assert_eq "$(running sh1)" true "running after ctrl-p ctrl-q"
	attach_on_term --detach-keys ctrl-x,y sh1
	term send-keys -t t 'echo two-$((2+1))' Enter
	wait_screen '^two-3$'
	term send-keys -t t C-p C-q
	sleep 1
	screen | grep -q '^EXITED=' && fail "ctrl-p ctrl-q detached where the keys were ctrl-x,y"
	term send-keys -t t C-x y
	wait_screen '^EXITED=1$'
	assert_eq "$(running sh1)" true "running after its own detach keys"
	attach_on_term sh1
	term send-keys -t t C-u # the line ctrl-p (history) left
	term send-keys -t t 'exit 5' Enter
	wait_screen '^EXITED=5$'
	assert_eq "$(running sh1)" false "ended by exit"
}

# docker run -it (StdinOnce: attached from its creation): ctrl-p ctrl-q
# detaches and it runs on; attached again, it answers
test_dkat_run_it_detach() {
	need_tmux
	trap cleanup_attach EXIT
	start_docker
	import_busybox
	term_run "$(docker_cmd run -it --name sh2 busybox:latest sh)"
	wait_screen '^/data #'
	assert_eq "$(dock inspect -f '{{.Config.StdinOnce}}' sh2)" true "run -it's StdinOnce"
	term send-keys -t t C-p C-q
	wait_screen 'EXITED=[0-9]+$'
	sleep 0.5
	assert_eq "$(running sh2)" true "running after a detach from run -it"
	attach_on_term sh2
	term send-keys -t t 'echo back-$((4+4))' Enter
	wait_screen '^back-8$'
	dock rm -f sh2 >/dev/null
}

# The API's own detachKeys, for a client that sends the keys raw (as
# python3-docker's attach_socket does): the attach ends and the
# container runs on; bad keys are a 400 naming them
test_dkat_api_detach_keys() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	dock run -dit --name sh3 busybox:latest sh >/dev/null
	local out
	out=$(python3 - "$S/docker.sock" <<-'PY'
	import socket, sys, time
	def attach(query):
	    s = socket.socket(socket.AF_UNIX)
	    s.connect(sys.argv[1])
	    s.sendall(b"POST /v1.41/containers/sh3/attach?stream=1&stdin=1&stdout=1" + query +
	              b" HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
	    s.settimeout(10)
	    head = b""
	    while b"\r\n\r\n" not in head:
	        head += s.recv(1)
	    return s, head.split(b"\r\n")[0].decode()
	def until(s, text):
	    got = b""
	    while text not in got:
	        got += s.recv(4096)
	    return got
	s, status = attach(b"&detachKeys=ctrl-a,b")
	print(status)
	s.sendall(b"echo raw-$((5+5))\n")
	until(s, b"raw-10")
	s.sendall(b"\x01b")
	rest = b""
	while True:  # the attach ends: the connection is closed
	    b = s.recv(4096)
	    if not b:
	        break
	    rest += b
	print("closed")
	s, status = attach(b"&detachKeys=ctrl-pp")
	print(status, s.recv(4096).decode(errors="replace").split("\r\n")[-1])
	PY
	) || fail "the raw client: $out"
	assert_contains "$out" "HTTP/1.1 101" "the attach"
	assert_contains "$out" "closed" "the detach keys ended it"
	assert_eq "$(running sh3)" true "running after the API's detach"
	assert_contains "$out" "HTTP/1.1 400" "bad detach keys"
	assert_contains "$out" "Invalid detach keys (ctrl-pp)" "... named"
	dock rm -f sh3 >/dev/null
}

# Stdin that ends: docker run -i (StdinOnce) closes the container's and its
# output comes whole; the end of an attach's input to a run -di one (no
# StdinOnce) ends that attach, whole frames to its last, and leaves the
# container's stdin open for the next client, as dockerd does. (The docker
# CLI's attach then waits for the container's exit, with dockerd too.)
test_dkat_stdin_that_ends() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	assert_eq "$(printf 'a\nb\n' | dock run -i --rm busybox:latest sh -c 'cat; echo done')" "a
b
done" "run -i: the end of stdin, then the rest of the output"
	dock run -di --name cat1 busybox:latest sh -c 'while read l; do echo "got $l"; done; echo eof' >/dev/null
	local out
	out=$(python3 - "$S/docker.sock" "$(dirname "$0")" <<-'PY'
	import socket, struct, sys
	sys.path.insert(0, sys.argv[2])
	from docker_hijack import attach
	for word in (b"first", b"second"):
	    s, got = attach(sys.argv[1], "cat1")
	    s.sendall(word + b"\n")
	    s.shutdown(socket.SHUT_WR)
	    while True:  # until corral-docker ends the attach
	        b = s.recv(4096)
	        if not b:
	            break
	        got += b
	    lines = []
	    while got:  # whole frames only: [stream, 0, 0, 0, size BE32] data
	        kind, size = got[0], struct.unpack(">I", got[4:8])[0]
	        assert kind in (1, 2) and len(got) >= 8 + size, got
	        lines.append(got[8:8 + size].decode())
	        got = got[8 + size:]
	    print(word.decode(), "ended:", "".join(lines).strip() or "-")
	PY
	) || fail "the raw client: $out"
	echo "$out"
	assert_contains "$out" "first ended:" "the first attach ended with its input"
	assert_contains "$out" "second ended:" "the second attach ended with its input"
	# should the input be lost, what the container, its monitor and corrald saw
	wait_for 10 sh -c "DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker logs cat1 | grep -qx 'got second'" ||
		{ echo "its log: $(dock logs cat1 2>&1 | tr '\n' '|') running: $(running cat1)"
		  local pid
		  pid=$(dock inspect -f '{{.State.Pid}}' cat1)
		  echo "its stdin: $(ls -l "/proc/$pid/fd/0" 2>&1), waiting in $(cat "/proc/$pid/wchan" 2>&1)"
		  echo "its monitor's fds: $(ls -l "/proc/$(ps -o ppid= -p "$pid" | tr -d ' ')/fd" 2>&1 | awk 'NR > 1 {print $NF}' | tr '\n' ' ')"
		  tail -n 5 $(find "$STATE_D" -name monitor.log) "$T/corrald.log"; false; }
	assert_contains "$(dock logs cat1)" "got first" "the first client's input"
	assert_eq "$(running cat1)" true "still running: its stdin was left open"
	dock rm -f cat1 >/dev/null
}

# a client that sends all that the container's side takes while it reads
# nothing, and hangs up: its input waits (the monitor stops reading it
# while the container's stdin is full), and all of it still reaches the
# container once it reads
test_dkat_input_past_a_full_stdin_then_gone() {
	trap cleanup_sv EXIT
	start_docker
	import_busybox
	mkdir "$T/gate" && touch "$T/gate/go"
	dock run -di --name slow -v "$T/gate:/t" busybox:latest \
		sh -c 'while [ -e /t/go ]; do sleep 0.1; done; head -c "$(cat /t/n)" | wc -c; sleep 1000' >/dev/null
	python3 - "$S/docker.sock" "$T/gate/n" "$(dirname "$0")" <<-'PY' || fail "the raw client"
	import socket, sys
	sys.path.insert(0, sys.argv[3])
	from docker_hijack import attach
	s, _ = attach(sys.argv[1], "slow", "stream=1&stdin=1&stdout=1")
	s.settimeout(2)  # until the chain holds no more: 2 s with nothing taken
	sent = 0
	try:
	    while sent < (64 << 20):
	        sent += s.send(b"x" * 16384)
	except socket.timeout:
	    pass
	open(sys.argv[2], "w").write(str(sent))
	s.close()
	PY
	local n
	n=$(cat "$T/gate/n")
	[ "$n" -gt 327680 ] || fail "only $n bytes taken: the container's stdin should hold more"
	rm "$T/gate/go" # only now does the container read its stdin
	wait_for 20 sh -c "DOCKER_CONFIG='$T/dc0' DOCKER_HOST='unix://$S/docker.sock' docker logs slow | grep -qx $n" ||
		fail "the container read [$(dock logs slow 2>&1)] of the $n bytes sent"
	dock rm -f slow >/dev/null
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
