#!/bin/bash
# The fourth attack on the Docker socket and corrald's bounds, each as a
# member of corrald's group (4242, the attacker) against root and another
# member (4343): connection churn, a request libmicrohttpd cannot read, a
# client that sends nothing, bytes that are not UTF-8, a long connection
# that would grow its process, helpers that would outlive corrald.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

CHURN="$ROOTDIR/tests/integration/churn.py"
dockers() { pgrep -P "$CORRALD_PID" -x corral-docker | wc -l; }
# field NAME JSON: a count churn.py printed
field() { jq -r ".$1" <<<"$2"; }

# One member connects and closes as fast as it can, on both sockets: past
# its rate (connect-rate-per-uid) each connection is refused at once, before
# a corral-docker is started for it, and said so in the audit log once a
# second; root and another member who keep to their bounds connect and are
# answered all along. The rates are lowered and the churner runs four
# workers, so that it outruns them on any machine: the control socket's to
# 200 a second (burst 400), the Docker socket's to 10 (burst 20). One worker
# waits for each answer, a corral-docker to start for each: it made 23 a
# second on a slow machine, under the 20 a second and burst of 40 once set
# here, and was never refused.
test_dka_connection_churn_is_refused_before_a_process_starts() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533 --audit-log "$T/audit.log" \
		--connect-rate-per-uid 200 --connect-rate-burst 400 --docker-connect-rate-per-uid 10 --docker-connect-rate-burst 20
	chmod 755 "$T"
	local churn="" k
	for k in docker varlink; do
		as_uid 4242 "$CHURN" churn "$k" "$S/$([ $k = docker ] && echo docker || echo c).sock" 5 4 >"$T/churn-$k" &
		churn="$churn $!"
	done
	"$CHURN" probe docker "$S/docker.sock" 5 10 >"$T/root-docker" &
	local p1=$!
	"$CHURN" probe varlink "$SOCK" 5 10 >"$T/root-varlink" &
	local p2=$!
	as_uid 4343 "$CHURN" probe docker "$S/docker.sock" 5 5 >"$T/member-docker" &
	local p3=$!
	wait $churn $p1 $p2 $p3
	local out
	for k in churn-docker churn-varlink root-docker root-varlink member-docker; do echo "$k: $(cat "$T/$k")"; done
	out=$(cat "$T/churn-docker")
	[ "$(field refused "$out")" -gt 0 ] || fail "the churner was never refused on the Docker socket: $out"
	# the burst (20) and 10 a second for 5 s, with room for the clock
	[ "$(field ok "$out")" -le 90 ] || fail "the churner was served past its rate: $out"
	out=$(cat "$T/churn-varlink")
	[ "$(field refused "$out")" -gt 0 ] || fail "never refused on varlink: $out"
	[ "$(field ok "$out")" -le 1600 ] || fail "served past its rate on varlink: $out"
	for k in root-docker root-varlink member-docker; do
		out=$(cat "$T/$k")
		assert_eq "$(field connect "$out")" 0 "$k: connections that failed"
		assert_eq "$(field refused "$out")" 0 "$k: refused"
		[ "$(field ok "$out")" -ge 20 ] || fail "$k: too few answers: $out"
	done
	local audited
	audited=$(jq -c 'select(.method == "connect" and .uid == 4242 and .result == "RateLimited") | .target' "$T/audit.log" | sort | uniq -c)
	echo "audited: $audited"
	for k in docker varlink; do
		local n
		n=$(jq -c "select(.method == \"connect\" and .uid == 4242 and .target == \"$k\")" "$T/audit.log" | wc -l)
		[ "$n" -ge 1 ] && [ "$n" -le 7 ] || fail "$k: $n audit lines for 5 s of refusals (one a second at most)"
	done
	assert_contains "$(jq -r 'select(.target == "docker") | .detail' "$T/audit.log" | head -1)" "connections refused: past 10 a second" "the audit's detail"
	wait_for 10 sh -c "[ \$(pgrep -P $CORRALD_PID -x corral-docker | wc -l) -eq $DOCKER_STANDBYS ]"
}

# A chunk-size line longer than libmicrohttpd's buffer (0.9.75 spins on it
# for ever): the corral-docker serving it ends, the client gone or not
test_dka_a_request_that_cannot_be_read_ends_its_process() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533
	local hold
	for hold in 0 10; do
		as_uid 4242 /usr/bin/python3 - "$S/docker.sock" "$hold" <<-'PY' &
		import socket, sys, time
		s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
		s.sendall(b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n10;" + b"a" * 70000)
		time.sleep(float(sys.argv[2]))
		PY
		local client=$!
		wait_for 5 sh -c "grep -c 'a request that cannot be read' '$T/corrald.log' | grep -qx $(((hold > 0) + 1))"
		kill -0 "$client" 2>/dev/null || [ "$hold" = 0 ] || fail "the client ended before its process"
		wait_for 5 sh -c "[ \$(pgrep -P $CORRALD_PID -x corral-docker | wc -l) -eq $DOCKER_STANDBYS ]"
		kill "$client" 2>/dev/null || true
		wait "$client" 2>/dev/null || true
	done
	local p
	for p in $(pgrep -P "$CORRALD_PID" -x corral-docker); do
		[ "$(awk '{print $14 + $15}' "/proc/$p/stat")" -lt 100 ] || fail "a corral-docker used a second of CPU"
	done
	assert_eq "$(dockm 4343 version --format '{{.Server.APIVersion}}')" 1.41 "another member, after"
}

# A client that sends half a request and then nothing is let go after
# docker-idle-timeout; a header line past the bound is refused
test_dka_a_silent_client_is_let_go() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533 --docker-idle-timeout 2
	local out
	out=$(as_uid 4242 /usr/bin/python3 - "$S/docker.sock" <<-'PY'
	import socket, sys, time
	s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
	s.sendall(b"GET /_pi")
	t = time.monotonic(); s.settimeout(30)
	print(s.recv(100), round(time.monotonic() - t))
	s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
	s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\nX-Long: " + b"a" * 100000 + b"\r\n\r\n")
	s.settimeout(30)
	print(s.recv(100).split(b"\r\n")[0].decode())
	PY
	)
	assert_eq "$(head -1 <<<"$out")" "b'' 2" "half a request, then nothing: let go after the idle timeout"
	assert_contains "$(tail -1 <<<"$out")" "HTTP/1.1 431" "a header line past the bound"
	wait_for 5 sh -c "[ \$(pgrep -P $CORRALD_PID -x corral-docker | wc -l) -eq $DOCKER_STANDBYS ]"
}

# A path or query parameter that is not UTF-8 once unescaped (JSON, which
# carries every string to corrald, is UTF-8) is refused 400 by its name,
# and the connection goes on; before, it broke corral-docker's call to
# corrald (a 500, and a warning in corrald's log each time). A body that is
# not UTF-8 is refused as JSON that is not.
test_dka_bytes_that_are_not_utf8_are_refused_by_name() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533
	local out
	out=$(as_uid 4242 /usr/bin/python3 - "$S/docker.sock" <<-'PY'
	import json, socket, sys
	s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(10)
	f = s.makefile("rb")
	def call(method, path, body=b""):
	    s.sendall(b"%s /v1.41%s HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
	              b"Content-Length: %d\r\n\r\n%s" % (method, path, len(body), body))
	    status = f.readline().split()[1].decode()
	    n = 0
	    while True:
	        h = f.readline().strip()
	        if not h:
	            break
	        if h.lower().startswith(b"content-length:"):
	            n = int(h.split(b":")[1])
	    body = f.read(n)
	    print(status, json.loads(body)["message"] if body.startswith(b"{") else body.decode())
	call(b"POST", b"/containers/create?name=a%ffb", b'{"Image": "busybox:latest"}')
	call(b"GET", b"/containers/json?filters=%7B%22name%22%3A%5B%22%c0%af%22%5D%7D")
	call(b"GET", b"/images/%ff/json")
	call(b"POST", b"/containers/%ed%a0%80/start")
	call(b"GET", b"/containers/json?%ff=1")
	call(b"POST", b"/containers/create", b'{"Image": "busybox:latest", "Cmd": ["\xff"]}')
	call(b"GET", b"/_ping")
	PY
	)
	assert_eq "$out" "400 invalid query parameter name: not UTF-8
400 invalid query parameter filters: not UTF-8
400 invalid path: not UTF-8
400 invalid path: not UTF-8
400 a query parameter's name is not UTF-8
400 body: invalid JSON: not UTF-8
200 OK" "each refused by name, on one connection that goes on"
	! grep "not UTF-8; disconnecting" "$T/corrald.log" || fail "a call to corrald broke"
	assert_eq "$(dockm 4343 version --format '{{.Server.APIVersion}}')" 1.41 "another member, after"
}

# One member's keep-alive connection of many requests: the corral-docker
# serving it stays its size (it leaked each call's parameters once, some
# 2.6 KiB a request: a member could grow it without bound). Its memory is
# read after 500 requests of each kind and again after 2000 more (the old
# leak: 5 MiB; the bound, 1 MiB).
test_dka_a_long_connection_does_not_grow_its_process() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533
	member_import 4242 m:1
	mctl 4242 run -d --name x m:1 sleep 1000 >/dev/null
	mctl 4242 volume create v >/dev/null
	local out
	out=$(as_uid 4242 /usr/bin/python3 - "$S/docker.sock" "$CORRALD_PID" <<-'PY'
	import socket, subprocess, sys
	s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
	def get(path):
	    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: d\r\n\r\n")
	    buf = b""
	    while b"\r\n\r\n" not in buf:
	        buf += s.recv(65536)
	    head, body = buf.split(b"\r\n\r\n", 1)
	    assert head.startswith(b"HTTP/1.1 200"), head
	    n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
	    while len(body) < n:
	        body += s.recv(65536)
	def rss():  # the largest corral-docker's, in KiB: the one serving this
	    kib = []
	    for p in subprocess.check_output(["pgrep", "-P", sys.argv[2], "-x", "corral-docker"]).split():
	        with open("/proc/%s/status" % p.decode()) as f:
	            kib += [int(l.split()[1]) for l in f if l.startswith("VmRSS")]
	    return max(kib)
	for path in ("/v1.41/containers/x/json", "/v1.41/networks/bridge", "/v1.41/volumes/v"):
	    for _ in range(500):
	        get(path)
	    before = rss()
	    for _ in range(2000):
	        get(path)
	    print(path, rss() - before)
	PY
	) || fail "the client: $out"
	local path grew
	while read -r path grew; do
		[ "$grew" -lt 1024 ] || fail "$path: corral-docker grew by $grew KiB over 2000 requests"
	done <<<"$out"
	assert_eq "$(wc -l <<<"$out")" 3 "the three kinds measured: $out"
}

# corrald killed while its helpers are busy, each after its change of
# credentials (which clears a parent-death signal set before it): a
# corral-docker serving a member's held connection, and a corral-copy
# streaming a member's file to a client that does not read. None is left.
# each corral-copy of corrald's runs as the member (uid not 0)
copies_took_member_ids() {
	local p
	for p in $(pgrep -P "$CORRALD_PID" -x corral-copy); do
		[ "$(awk '/^Uid:/ {print $2}' "/proc/$p/status")" != 0 ] || return 1
	done
}

test_dka_helpers_end_with_corrald() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533
	member_import 4242 m:1
	mctl 4242 run -d --name big m:1 sh -c 'head -c 30000000 /dev/zero >/tmp/big; touch /tmp/done; sleep 1000' >/dev/null
	wait_for 20 mctl 4242 exec big test -e /tmp/done
	mkfifo "$T/hold"
	as_uid 4242 /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"GET /_pi"); sys.stdin.read()' \
		"$S/docker.sock" <"$T/hold" &
	local holder=$!
	exec 7>"$T/hold"
	# the copy's reader stops after 1 byte: corral-copy blocks on its stream
	mkfifo "$T/cp"
	(mctl 4242 cp big:/tmp/big - >"$T/cp") &
	local cp=$!
	exec 8<"$T/cp"
	wait_for 10 pgrep -P "$CORRALD_PID" -x corral-copy
	wait_for 10 sh -c "[ \$(pgrep -P $CORRALD_PID -x corral-docker | wc -l) -eq $((DOCKER_STANDBYS + 1)) ]"
	local helpers p
	helpers=$(pgrep -P "$CORRALD_PID" -x 'corral-docker|corral-copy' | tr '\n' ' ')
	# it opens the container's root as root, then takes the member's ids
	wait_for 10 copies_took_member_ids || fail "corral-copy did not take the member's ids"
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	local left=""
	for _ in $(seq 100); do
		left=""
		for p in $helpers; do
			[ -d "/proc/$p" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && left="$left $p"
		done
		[ -z "$left" ] && break
		sleep 0.05
	done
	exec 7>&- 8<&-
	kill "$holder" "$cp" 2>/dev/null || true
	wait "$holder" "$cp" 2>/dev/null || true
	[ -z "$left" ] || fail "helpers outlived corrald:$(for p in $left; do echo -n " $p $(tr '\0' ' ' <"/proc/$p/cmdline")"; done)"
}

# A member's log streams: each holds at most LOGS_STREAM_QUEUE of corrald
# while its reader reads nothing (paused, resumed from the file), and a
# member has 16 open at most; the 17th is refused, root's are not counted
test_dka_followers_who_never_read_cost_the_follower() {
	trap cleanup_sv EXIT
	start_sv_group --docker-socket "$S/docker.sock" --docker-user 65533:65533
	member_import 4242 m:1
	mctl 4242 run -d --name w m:1 sh -c 'while :; do head -c 1000000 /dev/zero | tr "\0" x | fold -w 99; sleep 0.1; done' >/dev/null
	local rss0 i groups=()
	rss0=$(awk '/VmRSS/ {print $2}' "/proc/$CORRALD_PID/status")
	for i in $(seq 16); do
		if [ $((i % 2)) = 0 ]; then
			setsid setpriv --reuid 4242 --regid 12345 --groups 65534 sh -c \
				"'$CORRALCTL' --socket '$SOCK' logs -f w | sleep 1000" &
		else
			setsid setpriv --reuid 4242 --regid 12345 --groups 65534 sh -c \
				"curl -s -N --unix-socket '$S/docker.sock' 'http://d/v1.41/containers/w/logs?follow=1&stdout=1' | sleep 1000" &
		fi
		groups+=($!)
	done
	echo "${groups[*]}" >"$T/groups"
	trap 'for g in $(cat "$T/groups"); do kill -- "-$g" 2>/dev/null || true; done; cleanup_sv' EXIT
	wait_for 20 sh -c "'$CORRALCTL' --socket '$SOCK' metrics >/dev/null; [ \$(ls /proc/$CORRALD_PID/fd | wc -l) -gt 30 ]"
	sleep 2 # the followers' buffers fill and stay full (what is measured is a size)
	local out
	out=$(mctl 4242 logs -f w 2>&1 | head -c 300) && true
	assert_contains "$out" "uid 4242 has 16 log streams open, the most one member may" "the 17th stream"
	out=$(as_uid 4242 curl -s --max-time 10 --unix-socket "$S/docker.sock" 'http://d/v1.41/containers/w/logs?follow=1&stdout=1' |
		head -c 300 | tr -d '\0') && true
	assert_contains "$out" "16 log streams" "the 17th through the Docker API"
	[ "$(timeout 10 "$CORRALCTL" --socket "$SOCK" logs --tail 3 w@4242 | grep -c xxxx)" -ge 1 ] || fail "root's own logs, beside them"
	assert_eq "$(dockm 4343 version --format '{{.Server.APIVersion}}')" 1.41 "another member, beside them"
	local rss1
	rss1=$(awk '/VmRSS/ {print $2}' "/proc/$CORRALD_PID/status")
	echo "corrald RSS: $rss0 kB, then $rss1 kB with 16 stalled followers"
	[ "$rss1" -lt $((rss0 + 16 * 1024)) ] || fail "16 stalled followers grew corrald from $rss0 to $rss1 kB"
}

# A member's container with the labels of root's compose service (its
# project, its service, its number, the config hash compose would run) does
# not pass for root's: root's docker-compose up makes its own container,
# and the member's is left alone. Before, compose took the member's for
# its service, up to date: root's exec and logs went to the member's.
test_dka_a_member_cannot_pass_for_roots_compose_service() {
	trap cleanup_sv EXIT
	compose_file <<'EOF'
version: "3"
services:
  web:
    image: busybox:latest
    command: ["sleep", "1000"]
    network_mode: none
EOF
	start_sv_group $(docker_flags)
	import_busybox
	member_import 4242 busybox:latest
	local hash wd since
	since=$(date +%s)
	hash=$(dc proj config --hash web | awk '{print $2}')
	[ -n "$hash" ] || fail "no config hash from docker-compose"
	wd="$T/proj"
	dockm 4242 run -d --name evil --label com.docker.compose.project=proj --label com.docker.compose.service=web \
		--label com.docker.compose.oneoff=False --label com.docker.compose.container-number=1 \
		--label com.docker.compose.config-hash="$hash" --label com.docker.compose.version=1.29.2 \
		--label com.docker.compose.project.working_dir="$wd" \
		--label com.docker.compose.project.config_files="$wd/docker-compose.yml" \
		--network none busybox:latest sleep 1000 >/dev/null || fail "the member's container"
	# and the name root's up will give its container (each owner's names are its own)
	dockm 4242 create --name proj_web_1 --network none busybox:latest true >/dev/null || fail "the member's proj_web_1"
	local out
	out=$(dc proj up -d 2>&1) || fail "root's up: $out"
	assert_not_contains "$out" "up-to-date" "root's compose took no container for its own"
	assert_eq "$(dock ps --filter label=com.docker.compose.project=proj --format '{{.Names}}')" proj_web_1 \
		"root's label filter: root's service alone"
	assert_eq "$(dock exec proj_web_1 cat /proc/1/cmdline | tr '\0' ' ')" "sleep 1000 " "root's own container runs it"
	assert_eq "$(dockm 4242 inspect -f '{{.State.Running}}' evil)" true "the member's runs on, untouched"
	out=$(dock ps -a --format '{{.Names}}' | sort | tr '\n' ' ')
	assert_eq "$out" "evil@4242 proj_web_1 proj_web_1@4242 " "root still sees every container, a member's as NAME@UID"
	dc proj down >/dev/null 2>&1 || fail "root's down"
	assert_eq "$(dockm 4242 inspect -f '{{.State.Running}}' evil)" true "root's down leaves the member's"
	# the events compose follows (up's log printer, --abort-on-container-exit): root's alone
	local events
	events=$(dock events --since "$since" --until "$(($(date +%s) + 1))" --filter type=container \
		--filter label=com.docker.compose.project=proj --format '{{.Actor.Attributes.name}} {{.Action}}' | sort -u)
	assert_contains "$events" "proj_web_1 start" "root's label filter of events: root's service"
	assert_not_contains "$events" "evil" "and not the member's container"
	assert_contains "$(dock events --since "$since" --until "$(($(date +%s) + 1))" --filter type=container \
		--format '{{.Actor.Attributes.name}} {{.Action}}')" "evil@4242 start" "root's events without a label filter: every one"
	dockm 4242 rm -f evil proj_web_1 >/dev/null
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
