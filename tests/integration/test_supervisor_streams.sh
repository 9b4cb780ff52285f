#!/bin/bash
# Interactive containers and streaming exec (issue 14, parts 1 and 2):
# corralctl run -it / attach / exec -i -t on a real terminal (tmux), the
# Streams protocol through corrald to the container's monitor, and exec
# output as it comes. Each test stops its daemon, monitors and containers.
# time: about 80 s (12 cases), each with a corrald of its own, a terminal or streams through it, and hostile clients
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/term_lib.sh"
IMG="$FIXTURES/busybox/rootfs"
PY=/usr/bin/python3

cleanup_streams() {
	term_cleanup
	cleanup_sv
}
# The corralctl that term_run started (for its fds, and its end).
ctl_pid() { pgrep -f -- "$CORRALCTL --socket $SOCK .*$1" | head -1; }
state_of() { ctl --json inspect "$1" | jq -r '(if type == "array" then .[0] else .container end).state.status'; }
# attach_a_line ID: attach, send "ping", print the first line that comes
# back. The end of our stdin leaves the container's open (attach is not its
# only client), so the client is ended; without sig-proxy, the container
# does not get that signal.
attach_a_line() {
	(echo ping; sleep 5) | timeout 3 $CORRALCTL --socket "$SOCK" attach --sig-proxy=false "$1" | head -1
}

# The issue's first case: a shell to type into, that reads the keys and
# prints to the screen, with the terminal's size, and its exit code.
test_st_run_it_shell_types_resizes_and_exits() {
	need_tmux
	trap cleanup_streams EXIT
	start_sv
	term_run "stty -g >$T/stty.before; $CORRALCTL --socket $SOCK run -it --name sh1 $IMG sh; rc=\$?; stty -g >$T/stty.after; (exit \$rc)"
	wait_screen '^/ #'
	term send-keys -t t 'echo typed-$((6*7))' Enter
	wait_screen '^typed-42$'
	term send-keys -t t 'stty size' Enter
	wait_screen '^24 80$'
	# the window changes: SIGWINCH, a RESIZE frame, the pty follows
	term resize-window -t t -x 100 -y 30
	sleep 0.3
	term send-keys -t t 'stty size' Enter
	wait_screen '^30 100$'
	# keys are raw: ctrl-c reaches the shell (a new prompt), not corralctl
	term send-keys -t t 'sleep 30' Enter
	sleep 1
	term send-keys -t t C-c
	term send-keys -t t 'echo after-$((1+1))' Enter
	wait_screen '^after-2$'
	term send-keys -t t 'exit 7' Enter
	wait_screen '^EXITED=7$'
	assert_eq "$(state_of sh1)" exited "state after exit"
	# the terminal is as it was
	assert_eq "$(cat "$T/stty.after")" "$(cat "$T/stty.before")" "terminal restored"
}

# The terminal's size is the process's from its first instruction (the
# spec's consoleSize, as podman sets it), not once a resize after the start
# has come: a program that looks once saw 0x0.
test_st_run_it_has_its_size_from_the_start() {
	need_tmux
	trap cleanup_streams EXIT
	start_sv
	term_run "$CORRALCTL --socket $SOCK run -it --rm $IMG stty size"
	wait_screen '^EXITED='
	assert_eq "$(screen | tr -d '\r' | grep -E '^(24 80|EXITED=.*|stty.*)$' | tr '\n' ' ')" "24 80 EXITED=0 " "run -it"
	term_run "$CORRALCTL --socket $SOCK create -it --name made $IMG stty size >/dev/null && $CORRALCTL --socket $SOCK start -ai made"
	wait_screen '^EXITED='
	assert_eq "$(screen | tr -d '\r' | grep -E '^(24 80|EXITED=.*|stty.*)$' | tr '\n' ' ')" "24 80 EXITED=0 " \
		"create -it on the terminal, then start -ai"
}

# ctrl-p ctrl-q detaches; the container runs on; attach takes it back.
test_st_detach_and_attach_again() {
	need_tmux
	trap cleanup_streams EXIT
	start_sv
	term_run "$CORRALCTL --socket $SOCK run -it --name sh2 $IMG sh"
	wait_screen '^/ #'
	term send-keys -t t 'echo first' Enter
	wait_screen '^first$'
	local mon id before
	id=$(ctl --json inspect sh2 | jq -r '(if type == "array" then .[0] else .container end).id')
	mon=$(pgrep -f "corral-monitor.*--id $id" | head -1)
	term send-keys -t t C-p C-q
	wait_screen 'EXITED=0$'
	assert_eq "$(state_of sh2)" running "running after a detach"
	# the detached client is gone from the monitor: no fd of it is left
	before=$(ls /proc/"$mon"/fd | wc -l)
	term_run "$CORRALCTL --socket $SOCK attach sh2"
	sleep 0.5
	term send-keys -t t 'echo second-$((2+3))' Enter
	wait_screen '^second-5$'
	term send-keys -t t C-p C-q
	wait_screen 'EXITED=0$'
	wait_for 5 sh -c "[ \$(ls /proc/$mon/fd | wc -l) -le $before ]"
	# a detach sequence of one's own
	term_run "$CORRALCTL --socket $SOCK attach --detach-keys ctrl-x,q sh2"
	sleep 0.5
	term send-keys -t t C-x q
	wait_screen 'EXITED=0$'
	assert_eq "$(state_of sh2)" running "running after the second detach"
	term_run "$CORRALCTL --socket $SOCK attach sh2"
	sleep 0.5
	term send-keys -t t 'exit 3' Enter
	wait_screen '^EXITED=3$'
	local out
	out=$(ctl attach --detach-keys ctrl-pp sh2 2>&1) && fail "bad detach keys accepted"
	assert_contains "$out" "--detach-keys" "bad detach keys named"
}

# run --rm -it, detached from: it runs on, and is removed once it ends, as
# in podman; an attached run --rm is removed when its client returns.
test_st_rm_it_detached_is_removed_at_its_end() {
	need_tmux
	trap cleanup_streams EXIT
	start_sv
	term_run "$CORRALCTL --socket $SOCK run --rm -it --name rm1 $IMG sh"
	wait_screen '^/ #'
	term send-keys -t t C-p C-q
	wait_screen 'EXITED=0$'
	assert_eq "$(state_of rm1)" running "running after a detach"
	term_run "$CORRALCTL --socket $SOCK attach rm1"
	sleep 0.5
	term send-keys -t t 'exit 5' Enter
	wait_screen '^EXITED=5$'
	assert_eq "$(ctl ps -a --filter name=rm1 -q)" "" "removed once it ended"
	# attached to the end: its exit code, no error, and gone on return
	term_run "$CORRALCTL --socket $SOCK run --rm -it --name rm2 $IMG sh"
	wait_screen '^/ #'
	term send-keys -t t 'exit 4' Enter
	wait_screen '^EXITED=4$'
	screen | grep -q corralctl && fail "an error on the screen: $(screen)"
	assert_eq "$(ctl ps -a --filter name=rm2 -q)" "" "removed on return"
	# one that never starts is removed too, with its exit code
	local rc=0
	ctl run --rm --name rm3 "$IMG" /no/such/cmd 2>/dev/null || rc=$?
	assert_eq "$rc" 127 "exit code of a command not found"
	assert_eq "$(ctl ps -a --filter name=rm3 -q)" "" "removed after a failed start"
	rc=0
	ctl run -d --rm --name rm4 "$IMG" /no/such/cmd >/dev/null 2>&1 || rc=$?
	assert_eq "$(ctl ps -a --filter name=rm4 -q)" "" "run -d --rm removed after a failed start"
}

# Ctrl-C on a foreground run is the container's (sig-proxy), as in podman;
# with --sig-proxy=false it only ends the client, and the container runs on.
test_st_ctrl_c_on_foreground_run() {
	need_tmux
	trap cleanup_streams EXIT
	start_sv
	term_run "$CORRALCTL --socket $SOCK run --name trapper $IMG sh -c 'trap \"echo got-INT; exit 3\" INT; echo ready; while :; do sleep 0.1; done'"
	wait_screen '^ready$'
	term send-keys -t t C-c
	wait_screen 'got-INT$'
	wait_screen '^EXITED=3$'
	assert_eq "$(state_of trapper)" exited "stopped by Ctrl-C"
	term_run "$CORRALCTL --socket $SOCK run --sig-proxy=false --name keeper $IMG sh -c 'trap \"echo got-INT\" INT; echo ready; while :; do sleep 0.1; done'"
	wait_screen '^ready$'
	term send-keys -t t C-c
	wait_screen 'EXITED=130$'
	assert_not_contains "$(screen)" "got-INT" "not passed on"
	assert_eq "$(state_of keeper)" running "runs on without sig-proxy"
}

# run -it attaches before the start: the first bytes are on the screen, and
# a foreground run gets every line of a burst at its start.
test_st_no_output_lost_at_start() {
	trap cleanup_sv EXIT
	start_sv
	local out
	out=$(ctl run "$IMG" sh -c 'seq 1 50000; echo err-line >&2' 2>"$T/err")
	assert_eq "$(echo "$out" | head -1)" 1 "first line"
	assert_eq "$(echo "$out" | wc -l)" 50000 "every line"
	assert_eq "$(cat "$T/err")" err-line "stderr on stderr"
	# interactive, non-terminal: stdin in, and its end closes the container's
	out=$(printf 'one\ntwo\n' | ctl run -i "$IMG" sh -c 'cat; echo eof-seen; exit 4') && fail "exit code 4 lost"
	assert_eq "$out" "$(printf 'one\ntwo\neof-seen')" "run -i"
	local rc=0
	printf 'x\n' | ctl run -i "$IMG" sh -c 'cat >/dev/null; exit 9' || rc=$?
	assert_eq "$rc" 9 "run -i exit code"
}

test_st_exec_stdin_and_exit_codes() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name web "$IMG" sleep 1000 >/dev/null
	assert_eq "$(echo hi | ctl exec -i web cat)" hi "echo hi | exec -i web cat"
	assert_eq "$(seq 1 3 | ctl exec -i web sh -c 'wc -l')" 3 "end of input closes stdin"
	local rc=0
	ctl exec web sh -c 'exit 7' || rc=$?
	assert_eq "$rc" 7 "exit code"
	rc=0
	echo x | ctl exec -i web sh -c 'exit 8' || rc=$?
	assert_eq "$rc" 8 "exit code with -i"
	rc=0
	ctl exec web no-such-command 2>"$T/err" || rc=$?
	assert_eq "$rc" 127 "not found"
	assert_contains "$(cat "$T/err")" "no-such-command" "why"
	rc=0
	ctl exec -i web no-such-command </dev/null 2>/dev/null || rc=$?
	assert_eq "$rc" 127 "not found with -i"
	# -e (and -e KEY: ours), --env-file, -w, -u
	printf '# a comment\n\nFROM_FILE=f1\n  SPACED=s p\n' >"$T/env"
	local out
	out=$(MINE=m1 ctl exec -e A=1 -e MINE -e UNSET_HERE --env-file "$T/env" -w /tmp -u nobody web \
		sh -c 'echo "$A $MINE ${UNSET_HERE-unset} $FROM_FILE $SPACED $(pwd) $(id -u)"')
	assert_eq "$out" "1 m1 unset f1 s p /tmp 65534" "-e, --env-file, -w, -u"
	# -d: at once, and it runs
	local t0
	t0=$(date +%s)
	ctl exec -d web sh -c 'sleep 2; touch /tmp/detached-ran' >/dev/null
	[ $(($(date +%s) - t0)) -le 1 ] || fail "exec -d waited"
	wait_for 5 "$CORRALCTL" --socket "$SOCK" exec web test -e /tmp/detached-ran
}

# Output as it comes: a line a second arrives a second apart, not at the end.
test_st_exec_streams_as_output_comes() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name web "$IMG" sleep 1000 >/dev/null
	ctl exec web sh -c 'for i in 1 2 3 4; do echo line $i; sleep 1; done' |
		while read -r l; do echo "$(date +%s.%N) $l"; done >"$T/times"
	assert_eq "$(wc -l <"$T/times")" 4 "lines"
	local spread
	spread=$(awk 'NR == 1 {a = $1} END {printf "%.1f", $1 - a}' "$T/times")
	awk -v s="$spread" 'BEGIN { exit !(s >= 2.5) }' || fail "lines came together ($spread s apart): not streamed"
	# the same through Streams (-i)
	ctl exec -i web sh -c 'for i in 1 2 3; do echo s$i; sleep 1; done' </dev/null |
		while read -r l; do echo "$(date +%s.%N) $l"; done >"$T/times2"
	spread=$(awk 'NR == 1 {a = $1} END {printf "%.1f", $1 - a}' "$T/times2")
	awk -v s="$spread" 'BEGIN { exit !(s >= 1.5) }' || fail "-i: lines came together ($spread s apart)"
	# varlink "more" replies, as any client sees them
	ctl call --more Exec '{"id":"web","command":["sh","-c","echo a; sleep 0.3; echo b >&2; exit 2"]}' >"$T/more"
	assert_eq "$(jq -c 'select(.stdout) | .stdout' "$T/more" | tr -d '\n')" '"a\n"' "a stdout reply"
	assert_eq "$(jq -c 'select(.stderr) | .stderr' "$T/more" | tr -d '\n')" '"b\n"' "a stderr reply"
	assert_eq "$(jq -c 'select(.exitCode != null) | .exitCode' "$T/more")" 2 "the last reply"
	# output that ends on a cut UTF-8 sequence: the piece held back for the
	# rest comes before the last reply (it once went to no call, and the
	# monitor fell over)
	ctl call --more Exec '{"id":"web","command":["sh","-c","printf \"$0\"; sleep 0.3","a\\303"]}' >"$T/cut"
	assert_eq "$(jq -j 'select(.stdout) | .stdout' "$T/cut")" "a$(printf '\357\277\275')" "the held piece, mended"
	assert_eq "$(jq -c 'select(.exitCode != null) | .exitCode' "$T/cut")" 0 "then the last reply"
	assert_eq "$(ctl exec web echo still)" still "the monitor serves on"
}

# No limit unless one is asked: the client used to give up at its call
# timeout (30 s by default); here 2 s, and an exec of 3 s.
test_st_exec_longer_than_the_call_timeout() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name web "$IMG" sleep 1000 >/dev/null
	assert_eq "$("$CORRALCTL" --socket "$SOCK" --timeout 2 exec web sh -c 'sleep 3; echo done')" done \
		"an exec past the client's call timeout"
}

# Past 1 MiB: complete when streamed, and flagged when it had to be cut.
test_st_exec_big_output_complete_or_flagged() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name web "$IMG" sleep 1000 >/dev/null
	local want
	want=$(seq 1 400000 | md5sum)
	assert_eq "$(ctl exec web seq 1 400000 | md5sum)" "$want" "2.6 MB"
	assert_eq "$(ctl exec -i web seq 1 400000 </dev/null | md5sum)" "$want" "2.6 MB with -i"
	assert_eq "$(ctl call --more Exec '{"id":"web","command":["seq","1","400000"]}' |
		jq -j 'select(.stdout) | .stdout' | md5sum)" "$want" "2.6 MB through more replies"
	# byte for byte: binary output too
	assert_eq "$(ctl exec web head -c 3000000 /dev/zero | wc -c)" 3000000 "3 MB of NULs"
	assert_eq "$(ctl exec web cat /bin/busybox | md5sum)" "$(md5sum <"$IMG/bin/busybox")" "a binary"
	# one reply: cut at 1 MiB, and it says so
	ctl call Exec '{"id":"web","command":["seq","1","400000"]}' >"$T/one"
	assert_eq "$(jq .truncated "$T/one")" true "truncated flag"
	assert_eq "$(jq -j .stdout "$T/one" | wc -c)" 1048576 "kept 1 MiB"
	# a reader that lags slows the command down and loses nothing
	assert_eq "$(ctl exec web seq 1 400000 | (sleep 2; md5sum))" "$want" "a slow reader"
}

# exec -t: a terminal, of the client's size
test_st_exec_tty() {
	need_tmux
	trap cleanup_streams EXIT
	start_sv
	ctl run -d --name web "$IMG" sleep 1000 >/dev/null
	term_run "$CORRALCTL --socket $SOCK exec -it web sh"
	wait_screen '^/ #'
	term send-keys -t t 'tty; stty size' Enter
	wait_screen '^/dev/pts/[0-9]+$'
	wait_screen '^24 80$'
	term send-keys -t t 'exit 5' Enter
	wait_screen '^EXITED=5$'
	# without a terminal of ours: still a pty for the command
	assert_contains "$(ctl exec -t web tty </dev/null | tr -d '\r')" "/dev/pts/" "exec -t"
}

# The monitor serves clients itself, never blocked by one: a client that
# reads nothing costs the log nothing, a client that sends garbage is
# dropped, and nothing of the host's reaches the container.
test_st_hostile_clients_and_fds() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d -i --name web "$IMG" sh -c 'while read l; do echo "got $l"; done' >/dev/null
	local id mon
	id=$(ctl --json inspect web | jq -r '(if type == "array" then .[0] else .container end).id')
	mon=$(pgrep -f "corral-monitor.*--id $id" | head -1)
	# garbage after the upgrade: dropped, and the container runs on
	"$PY" - "$SOCK" <<'PYEOF' || fail "garbage client"
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"method":"io.corral.Supervisor.Attach","parameters":{"id":"web"},"upgrade":true}\0')
r = b''
while not r.endswith(b'\0'):
    r += s.recv(1)
assert b'"parameters":{}' in r, r
s.sendall(b'GET / HTTP/1.0\r\n\r\n' * 100)
s.settimeout(5)
while s.recv(65536):
    pass  # the monitor closes on us
PYEOF
	assert_eq "$(state_of web)" running "after garbage"
	local fds_before
	fds_before=$(ls /proc/"$mon"/fd | wc -l)
	# a client that never reads while the container writes 8 MB
	"$PY" - "$SOCK" >"$T/slow.out" 2>&1 <<'PYEOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"method":"io.corral.Supervisor.Attach","parameters":{"id":"web"},"upgrade":true}\0')
time.sleep(30)
PYEOF
	local slow=$!
	sleep 0.5
	ctl exec web sh -c 'head -c 8000000 /dev/zero | tr "\0" x >/proc/1/fd/1; echo; echo burst-end >/proc/1/fd/1' >/dev/null
	wait_for 10 sh -c "'$CORRALCTL' --socket '$SOCK' logs web | grep -q burst-end"
	# a second client still gets what the container says
	assert_eq "$(attach_a_line web)" "got ping" "another client served"
	kill "$slow" 2>/dev/null
	wait "$slow" 2>/dev/null || true
	wait_for 5 sh -c "[ \$(ls /proc/$mon/fd | wc -l) -le $fds_before ]"
	# clients at once are bounded (the monitor's fds are): one past the bound
	# is told so and let go; the rest are served
	"$PY" - "$SOCK" <<'PYEOF' || fail "client bound"
import socket, sys
def attach():
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
    s.sendall(b'{"method":"io.corral.Supervisor.Attach","parameters":{"id":"web","stdin":false},"upgrade":true}\0')
    r = b''
    while not r.endswith(b'\0'):
        r += s.recv(1)
    return s
held = [attach() for _ in range(32)]
extra = attach()
extra.settimeout(5)
said = b''
while True:
    b = extra.recv(4096)
    if not b:
        break
    said += b
assert b'as many clients' in said, said
for s in held:
    s.close()
PYEOF
	wait_for 5 sh -c "[ \$(ls /proc/$mon/fd | wc -l) -le $fds_before ]"
	assert_eq "$(state_of web)" running "after too many clients"
	# the container's init holds its stdio and nothing else of ours
	assert_eq "$(ctl exec web ls /proc/1/fd | sort -n | tr '\n' ' ')" "0 1 2 " "the init's fds"
	ctl run -i --name fdcheck "$IMG" ls /proc/self/fd </dev/null >"$T/fds"
	assert_eq "$(sort -n "$T/fds" | tr '\n' ' ')" "0 1 2 3 " "fds of a process attached from its start"
	# Attach needs the upgrade, and a running (or created) container
	local out
	out=$(ctl call Attach '{"id":"web"}' 2>&1) && fail "Attach without upgrade"
	assert_contains "$out" "upgrade" "upgrade asked for"
	out=$(ctl attach fdcheck 2>&1) && fail "attach to an exited container"
	assert_contains "$out" "not running" "exited container"
}

# A member of the access group (not root) attaches and execs through
# corrald, which checks it; the monitor's socket stays root's.
test_st_group_member_attach_and_exec() {
	trap cleanup_sv EXIT
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	chmod 755 "$T"
	start_sv --group "$g"
	"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
	ctl image import "oci:$FIXTURES/images/oci:test" t:1 >/dev/null
	member() { setpriv --reuid 65534 --regid 65534 --clear-groups "$CORRALCTL" --socket "$SOCK" "$@"; }
	# root's container, with the host's /etc bound in: not there for a
	# member (not all of /: a recursive bind of it would hold every other
	# lane's mounts, a session's namespace files among them, while it runs)
	ctl run -d --name rootweb -v /etc:/host/etc "$IMG" sleep 1000 >/dev/null
	local verb out
	for verb in "exec rootweb cat /host/etc/shadow" "attach rootweb" "inspect rootweb" "stop rootweb" \
		"logs rootweb" "cp rootweb:/host/etc/shadow -" "rm -f rootweb"; do
		out=$(timeout 10 setpriv --reuid 65534 --regid 65534 --clear-groups "$CORRALCTL" --socket "$SOCK" $verb \
			2>&1 </dev/null) && fail "a member's $verb worked: $out"
		assert_contains "$out" "no such container: rootweb" "a member's $verb"
	done
	assert_eq "$(member ps -aq)" "" "a member lists none of root's containers"
	assert_eq "$(status_of rootweb)" running "root's container runs on"
	# its own container it reaches
	member run -d -i --name web t:1 sh -c 'while read l; do echo "got $l"; done' >/dev/null
	assert_eq "$(member ps -a --format '{{.Names}}')" web "a member lists its own"
	assert_eq "$(echo hi | member exec -i web cat)" hi "member exec -i"
	assert_eq "$(member exec web echo out)" out "member exec"
	assert_eq "$(CORRALCTL="setpriv --reuid 65534 --regid 65534 --clear-groups $CORRALCTL" attach_a_line web)" \
		"got ping" "member attach"
	local id
	id=$(ctl --json inspect web@65534 | jq -r '(if type == "array" then .[0] else .container end).id')
	assert_eq "$(stat -c %a "$STATE_D/containers/$id/monitor.sock")" 600 "monitor.sock is root's"
	setpriv --reuid 65534 --regid 65534 --clear-groups "$PY" - "$STATE_D/containers/$id/monitor.sock" <<'PYEOF' &&
import socket, sys
socket.socket(socket.AF_UNIX).connect(sys.argv[1])
PYEOF
		fail "a member reached the monitor directly"
	return 0
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
