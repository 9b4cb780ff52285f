#!/bin/bash
# The CRI's streaming server (corral-stream): kubectl exec, attach and
# port-forward as kubelet brings them, the URL from corrald's CRI answered
# over SPDY/3.1 by the tests' own client (cri/spdy_client.py, proven
# against containerd's server in the VM tier's CRI boot), and clients
# that attack it. corrald runs in a network namespace of the test's own,
# and so does every client of the server, which listens on its loopback.
# time: about 105 s (19 cases), each with a corrald of its own
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/network_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

. "$(dirname "$0")/cri/own_cri.sh"
# a scenario of cri_client.py, in corrald's network namespace
scenario() { # NAME
	inns env CRI_PB="$T/pb" timeout -k 5 120 $PY "$CRIDIR/cri_client.py" "$1" --sock "$S/cri.sock" --handler "" \
		--image busybox:latest --cgparent "/corral-$TID/kubepods" --dir "$T/run"
}
# scenario_is NAME EXPECTED WHAT: its lines are those
scenario_is() { assert_eq "$(scenario "$1" 2>&1)" "$2" "$3"; }
helpers() { pgrep -P "$CORRALD_PID" -x corral-stream | wc -l; }

# kubectl exec: the scenario the CRI boot runs beside containerd and
# runc, here through corrald's CRI and its streaming server
test_cri_stream_exec() {
	trap cleanup_sv EXIT
	start_cri
	scenario_is streams "pod: ready
pod has an address: True
exec protocol: v4.channel.k8s.io
exec: stdout=b'out\n' stderr=b'err\n' exit=3
exec stdin: stdout=b'hello\ndone\n' exit=0
exec tty: stdout=b'33 111' exit=4
a URL used twice: refused
containers left: 0
left behind: nothing" "kubectl exec through corrald's streaming server"
}

# exec over a WebSocket: v4, v5 and base64.channel.k8s.io, a terminal
test_cri_stream_websocket() {
	trap cleanup_sv EXIT
	start_cri
	scenario_is websocket "pod: ready
pod has an address: True
ws v4: first=(1, b'') stdout=b'out\n' stderr=b'err\n' exit=3
ws base64: protocol=base64.channel.k8s.io stdout=b'b64\n' status='command terminated with non-zero exit co'
ws v4 base64: protocol=v4.base64.channel.k8s.io stdout=b'b64\n' stderr=b'e\n' exit=6
ws tty: stdout=b'21 77' exit=0
ws v5 stdin: protocol=v5.channel.k8s.io stdout=b'hello\ndone\n' exit=0
containers left: 0
left behind: nothing" "kubectl exec over a WebSocket"
}

# kubectl attach: the container's stdio, stdin open
test_cri_stream_attach() {
	trap cleanup_sv EXIT
	start_cri
	scenario_is attach "pod: ready
pod has an address: True
attach: stdout=b'got:hello\n' stderr=b'bye\n' status=Success
attached container: exit 5
its log: ready got:hello
containers left: 0
left behind: nothing" "kubectl attach through corrald's streaming server"
}

# kubectl port-forward: into the pod's network namespace, never the host's
test_cri_stream_port_forward() {
	trap cleanup_sv EXIT
	start_cri
	scenario_is forward "pod: ready
pod has an address: True
forward: HTTP/1.1 200 OK hello-from-pod
forward to a closed port: data=b'' error=True ended=True
forward twice on one connection: HTTP/1.1 200 OK hello-from-pod | HTTP/1.1 200 OK hello-from-pod
forward beside it: HTTP/1.1 200 OK hello-from-pod
containers left: 0
left behind: nothing" "kubectl port-forward through corrald's streaming server"
}

# A URL is its caller's: a member gets none for root's container or pod,
# its own serves it, and it may hold 32 at once (root's share untouched)
test_cri_stream_tokens_are_the_callers() {
	trap cleanup_sv EXIT
	start_cri --group "$(getent group 65534 | cut -d: -f1)"
	chmod 755 "$T" "$S"
	local root_ctr own i out url
	root_ctr=$(ctl run -d busybox:latest sleep 1000) || fail "root's container"
	own=$(mctl 4242 run -d busybox:latest sleep 1000) || fail "the member's container"
	out=$(mctl 4242 call StreamPrepare "{\"kind\":\"exec\",\"id\":\"$root_ctr\",\"command\":[\"id\"]}" 2>&1) &&
		fail "a member got a URL for root's container: $out"
	assert_contains "$out" "NoSuchContainer" "a member asking for root's container"
	ctl call SessionCreate '{"name":"rootpod"}' >/dev/null || fail "root's session"
	out=$(mctl 4242 call StreamPrepare '{"kind":"portforward","id":"rootpod"}' 2>&1) &&
		fail "a member got a URL for root's pod: $out"
	assert_contains "$out" "NoSuchSession" "a member asking for root's pod"
	# a session that shares no network namespace forwards to the host's
	# ports (corrald's namespace): root's host-network pods' only
	mctl 4242 call SessionCreate '{"name":"hostless","share":"ipc"}' >/dev/null || fail "the member's session"
	out=$(mctl 4242 call StreamPrepare '{"kind":"portforward","id":"hostless"}' 2>&1) &&
		fail "a member got a port-forward into the host's network namespace: $out"
	assert_contains "$out" "PermissionDenied" "a member's port-forward of a session with no network namespace"
	ctl call SessionCreate '{"name":"roothost","share":"ipc"}' >/dev/null || fail "root's session"
	ctl call StreamPrepare '{"kind":"portforward","id":"roothost"}' | jq -e .url >/dev/null ||
		fail "root's port-forward of its host-network session"
	# the member's own pod forwards (its grant names it as root does,
	# NAME@UID: that owner's session at the ask, not a later one's)
	mctl 4242 session create fwd >/dev/null || fail "the member's session with a network"
	local web
	web=$(mctl 4242 run -d --session fwd busybox:latest sh -c \
		'mkdir -p /tmp/www && echo mine >/tmp/www/i && exec httpd -f -p 127.0.0.1:8080 -h /tmp/www')
	wait_for 10 mctl 4242 exec "$web" wget -qO /dev/null http://127.0.0.1:8080/i
	url=$(mctl 4242 call StreamPrepare '{"kind":"portforward","id":"fwd"}' | jq -r .url) || fail "the member's pod URL"
	out=$(inns $PY -c "import sys; sys.path.insert(0, '$CRIDIR'); import spdy_client
r = spdy_client.port_forward('$url', [(8080, b'GET /i HTTP/1.0\\r\\n\\r\\n')])[0]
print(r['data'].split(b'\\r\\n')[-1])")
	assert_eq "$out" "b'mine\\n'" "the member's port-forward into its own pod"
	mctl 4242 session rm -f fwd >/dev/null
	mctl 4242 call SessionRemove '{"name":"hostless"}' >/dev/null
	ctl call SessionRemove '{"name":"roothost"}' >/dev/null
	url=$(mctl 4242 call StreamPrepare "{\"kind\":\"exec\",\"id\":\"$own\",\"command\":[\"echo\",\"mine\"]}" | jq -r .url) ||
		fail "the member's own container"
	out=$(inns $PY -c "import sys; sys.path.insert(0, '$CRIDIR'); import spdy_client
r = spdy_client.stream_exec('$url'); print(r['stdout'], r['exit'])")
	assert_eq "$out" "b'mine\n' 0" "the member's exec through its URL"
	for i in $(seq 32); do
		mctl 4242 call StreamPrepare "{\"kind\":\"exec\",\"id\":\"$own\",\"command\":[\"true\"]}" >/dev/null ||
			fail "the member's URL $i of 32"
	done
	out=$(mctl 4242 call StreamPrepare "{\"kind\":\"exec\",\"id\":\"$own\",\"command\":[\"true\"]}" 2>&1) &&
		fail "a member's 33rd URL at once: $out"
	assert_contains "$out" "RateLimited" "a member's 33rd URL"
	ctl call StreamPrepare "{\"kind\":\"exec\",\"id\":\"$root_ctr\",\"command\":[\"true\"]}" >/dev/null ||
		fail "root's URL while a member holds 32"
	ctl call SessionRemove '{"name":"rootpod"}' >/dev/null
}

# A member's redeemed URLs hold a helper each while their connections
# last: 32 at most, the 33rd refused, so that the 256 helpers stay for
# root and the other members (tokens are used up by their redeeming: a
# member could mint and hold them all)
test_cri_stream_a_member_holds_at_most_32_connections() {
	trap cleanup_sv EXIT
	start_cri --group "$(getent group 65534 | cut -d: -f1)"
	chmod 755 "$T" "$S"
	local own root_ctr i out
	own=$(mctl 4242 run -d busybox:latest sleep 1000) || fail "the member's container"
	root_ctr=$(ctl run -d busybox:latest sleep 1000) || fail "root's container"
	prep() { # UID CONTAINER: an exec URL
		as_uid "$1" "$CORRALCTL" --socket "$SOCK" call StreamPrepare \
			"{\"kind\":\"exec\",\"id\":\"$2\",\"command\":[\"echo\",\"served\"]}" | jq -r .url
	}
	for i in $(seq 32); do prep 4242 "$own"; done >"$T/urls" || fail "the member's 32 URLs"
	out=$(PREP33="$(declare -f as_uid prep); CORRALCTL=$CORRALCTL SOCK=$SOCK prep 4242 $own" \
		PREP_ROOT="$(declare -f as_uid prep); CORRALCTL=$CORRALCTL SOCK=$SOCK prep 0 $root_ctr" \
		inns $PY - "$T/urls" <<-PY 2>&1
	import os, socket, subprocess, sys, urllib.parse
	sys.path.insert(0, "$CRIDIR")
	import spdy_client
	held = [spdy_client.upgrade(u.strip(), ["v4.channel.k8s.io"])[0] for u in open(sys.argv[1])]
	print("held:", len(held))
	u = urllib.parse.urlparse(subprocess.check_output(["bash", "-c", os.environ["PREP33"]], text=True).strip())
	s = socket.create_connection((u.hostname, u.port), timeout=15)
	s.sendall(("POST %s HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
	           "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n" % (u.path, u.netloc)).encode())
	got = b""
	while True:
	    more = s.recv(4096)
	    if not more:
	        break
	    got += more
	print("the 33rd:", got.split(b"\r\n", 1)[0].decode(), "/", got.split(b"\r\n\r\n", 1)[-1].decode().strip())
	r = spdy_client.stream_exec(subprocess.check_output(["bash", "-c", os.environ["PREP_ROOT"]], text=True).strip())
	print("root's exec meanwhile:", r["stdout"], r["exit"])
	PY
	) || true
	assert_eq "$out" "held: 32
the 33rd: HTTP/1.1 404 Not Found / its owner holds 32 streaming connections open, the most one member may
root's exec meanwhile: b'served\n' 0" "a member's 33rd connection"
	still_whole
}

attack() { # CASE
	inns env CRI_PB="$T/pb" timeout -k 5 120 $PY "$CRIDIR/stream_attack.py" "$1" --sock "$S/cri.sock" \
		--image busybox:latest --cgparent "/corral-$TID/kubepods" --dir "$T/run"
}
# after an attack: corrald answers, and no helper but the standbys is left
still_whole() {
	ctl ping >/dev/null || fail "corrald does not answer after the attack"
	local i
	for i in $(seq 100); do [ "$(helpers)" -le 2 ] && break; sleep 0.1; done
	[ "$(helpers)" -le 2 ] || fail "corral-stream helpers left after the attack: $(helpers)"
}

test_cri_stream_attack_heads() {
	trap cleanup_sv EXIT
	start_cri
	assert_eq "$(attack upgrade 2>&1)" "pod: ready
pod has an address: True
no upgrade asked: HTTP/1.1 426 Upgrade Required
a path of no kind: HTTP/1.1 404 Not Found
a forged token: HTTP/1.1 404 Not Found
a head past 16 KiB: HTTP/1.1 431 Request Header Fields Too Large
an exec token at attach's path: HTTP/1.1 404 Not Found
then at its own: HTTP/1.1 404 Not Found
containers left: 0
left behind: nothing" "bad upgrades"
	still_whole
}

test_cri_stream_attack_frames() {
	trap cleanup_sv EXIT
	start_cri
	local out
	out=$(attack frames 2>&1)
	assert_contains "$out" "a frame past its bound: closed" "a frame past its bound"
	assert_contains "$out" "inflating to 64 MiB): closed" "a compression bomb"
	assert_contains "$out" "left behind: nothing" "what the pod left"
	still_whole
}

test_cri_stream_attack_websocket() {
	trap cleanup_sv EXIT
	start_cri
	assert_eq "$(attack ws 2>&1)" "pod: ready
pod has an address: True
an unmasked frame: closed
a message past its bound: closed
fragments past the bound: closed
containers left: 0
left behind: nothing" "hostile WebSocket frames"
	still_whole
}

test_cri_stream_attack_streams() {
	trap cleanup_sv EXIT
	start_cri
	assert_eq "$(attack streams 2>&1)" "pod: ready
pod has an address: True
streams opened: 3000, refused some
a ping after: answered
containers left: 0
left behind: nothing" "thousands of streams"
	still_whole
}

test_cri_stream_attack_flood() {
	trap cleanup_sv EXIT
	start_cri
	assert_eq "$(attack flood 2>&1)" "pod: ready
pod has an address: True
another exec meanwhile: b'served\n' in time
the helpers' memory: bounded
the flood's command once its client went: killed
containers left: 0
left behind: nothing" "a client that never reads"
	still_whole
}

# stdin sent without end to a command that never reads it: the server
# stops reading the client, as kubelet's does, and holds no more of it
test_cri_stream_attack_stdin_flood() {
	trap cleanup_sv EXIT
	start_cri
	assert_eq "$(attack stdinflood 2>&1)" "pod: ready
pod has an address: True
the helpers' memory: bounded
another exec meanwhile: b'served\n' in time
containers left: 0
left behind: nothing" "a client whose stdin nobody reads"
	still_whole
}

# port-forward into ports that never read, 16 streams at once: the server
# stops reading the client once 4 MiB waits for them all, as kubelet's
test_cri_stream_attack_port_forward_flood() {
	trap cleanup_sv EXIT
	start_cri
	assert_eq "$(attack pfflood 2>&1)" "pod: ready
pod has an address: True
the helpers' memory: bounded
another exec meanwhile: b'served\n' in time
containers left: 0
left behind: nothing" "a port-forward client whose pods read nothing"
	still_whole
}

# a half-close of the client's ends only its side (containerd 1.6 cuts the
# answer short: 28 of 32 MiB in the benchmark)
test_cri_stream_port_forward_half_close() {
	trap cleanup_sv EXIT
	start_cri
	assert_eq "$(attack halfclose 2>&1)" "pod: ready
pod has an address: True
an answer after the client's half-close: whole
containers left: 0
left behind: nothing" "a half-closed port-forward"
}

# a client's half-close while the pod holds its end open: the helper
# waits, spending nothing (it spun a core till the pod closed)
test_cri_stream_port_forward_half_open_waits_idle() {
	trap cleanup_sv EXIT
	start_cri
	assert_eq "$(attack halfopen 2>&1)" "pod: ready
pod has an address: True
a half-closed port-forward's helper: idle
its connection: open
containers left: 0
left behind: nothing" "a port-forward half-closed by its client"
	still_whole
}

# a client that PINGs and never reads: the helper stops reading it
# (its answers grew its memory without bound), and once idle it ends,
# though its client holds the connection (it waited to flush for ever)
test_cri_stream_attack_ping_flood() {
	trap cleanup_sv EXIT
	start_cri --stream-idle-timeout 2
	assert_eq "$(attack pingflood 2>&1)" "pod: ready
pod has an address: True
the helpers' memory: bounded
another exec meanwhile: b'served\n' in time
its helper, the client holding on unread: ended
containers left: 0
left behind: nothing" "a client that PINGs and never reads"
	still_whole
}

# stream-idle-timeout (kubelet's is 4 h; 2 s here)
test_cri_stream_idle_timeout() {
	trap cleanup_sv EXIT
	start_cri --stream-idle-timeout 2
	assert_eq "$(attack idle 2>&1)" "pod: ready
pod has an address: True
an idle stream: ended after 2 s
containers left: 0
left behind: nothing" "an idle stream"
	still_whole
}

test_cri_stream_pings_keep_it_open() {
	trap cleanup_sv EXIT
	start_cri
	assert_eq "$(attack pings 2>&1)" "pod: ready
pod has an address: True
a PING every millisecond for 3.5 s: each answered, the connection open
containers left: 0
left behind: nothing" "a client that pings without end"
	still_whole
}

test_cri_stream_attack_silent() {
	trap cleanup_sv EXIT
	start_cri
	assert_eq "$(attack silent 2>&1)" "pod: ready
pod has an address: True
a head never ended: closed after 10 s
an exec beside 300 silent connections: b'served\n' in time
helpers running: bounded
containers left: 0
left behind: nothing" "a client that never sends its head"
	still_whole
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
