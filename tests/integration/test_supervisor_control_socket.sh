#!/bin/bash
# corrald and corralctl: the control socket, access checks, robustness,
# systemd integration. Every test stops its daemon, also on failure.
. "$(dirname "$0")/lib.sh"

# ---- helpers: a daemon on a private socket and state directory under $T ----
CORRALD="$B/bin/corrald"
CORRALCTL="$B/bin/corralctl"
PY=/usr/bin/python3

# start_corrald [FLAG VALUE]... : sets SOCK, STATE_D, CORRALD_PID
start_corrald() {
	SOCK="$S/c.sock"
	STATE_D="$T/state"
	: >"$T/corrald.conf"
	"$CORRALD" --config "$T/corrald.conf" --socket "$SOCK" --state-dir "$STATE_D" \
		--cgroup-delegate no --default-network none "$@" >>"$T/corrald.log" 2>&1 &
	CORRALD_PID=$!
	echo "$CORRALD_PID" >>"$T/.daemons"
	local i
	for i in $(seq 100); do
		[ -S "$SOCK" ] && "$CORRALCTL" --socket "$SOCK" --timeout 2 ping >/dev/null 2>&1 && return 0
		kill -0 "$CORRALD_PID" 2>/dev/null || { cat "$T/corrald.log" >&2; fail "corrald exited"; return 1; }
		sleep 0.05
	done
	fail "corrald did not answer on $SOCK"
}

# Stop every daemon this test started; runs from the EXIT trap.
stop_corralds() {
	[ -f "$T/.daemons" ] || return 0
	local p
	for p in $(cat "$T/.daemons"); do
		kill -TERM "$p" 2>/dev/null || continue
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -f "$T/.daemons"
}

ctl() { "$CORRALCTL" --socket "$SOCK" --timeout 10 "$@"; }

need_python() {
	[ -x "$PY" ] || skip "needs $PY for raw socket clients"
}

daemon_alive() {
	kill -0 "$CORRALD_PID" 2>/dev/null || fail "corrald (pid $CORRALD_PID) died"
}


test_supervisor_units_verify() {
	trap stop_corralds EXIT
	local d="$T/units" m="$T/man"
	mkdir -p "$d" "$m/man1" "$m/man5" "$m/man8"
	# the installed path does not exist here: point ExecStart at the build
	sed "s#^ExecStart=/usr/local/bin/corrald#ExecStart=$CORRALD#" \
		"$ROOTDIR/supervisor/systemd/corrald.service" >"$d/corrald.service"
	cp "$ROOTDIR/supervisor/systemd/corrald.socket" "$d/"
	grep -q '^ExecStart=/usr/local/bin/corrald$' "$ROOTDIR/supervisor/systemd/corrald.service" ||
		fail "ExecStart is not the installed path"
	# Documentation= pages are checked too: serve ours
	ln -s "$ROOTDIR/man/corralctl.1" "$m/man1/"
	ln -s "$ROOTDIR/man/corrald.conf.5" "$m/man5/"
	ln -s "$ROOTDIR/man/corrald.8" "$m/man8/"
	local out
	out=$(cd "$d" && MANPATH="$m" systemd-analyze verify corrald.socket corrald.service 2>&1) ||
		fail "systemd-analyze verify: $out"
	[ -z "$out" ] || fail "systemd-analyze verify warned: $out"
	local svc="$ROOTDIR/supervisor/systemd/corrald.service"
	for want in Type=notify KillMode=process KeyringMode=private; do
		grep -qx "$want" "$svc" || fail "corrald.service lacks $want"
	done
	# containers and monitors are scopes of their own: a unit that held
	# them could not be restarted while they run (test_supervisor_service.sh)
	! grep -q '^Delegate=' "$svc" || fail "corrald.service delegates its cgroup"
	grep -qx 'SocketMode=0660' "$ROOTDIR/supervisor/systemd/corrald.socket" || fail "socket mode"
}

test_supervisor_ping_info_describe_metrics() {
	trap stop_corralds EXIT
	start_corrald
	assert_eq "$(ctl ping)" "ok" "ping"
	assert_eq "$(stat -c %a "$SOCK")" "660" "socket mode"
	local info
	info=$(ctl info)
	assert_contains "$info" "stateDir       $STATE_D" "info"
	assert_contains "$info" "pid            $CORRALD_PID" "info pid"
	# the description served is the file, byte for byte
	ctl describe >"$T/described"
	cmp "$T/described" "$ROOTDIR/supervisor/api/io.corral.Supervisor.varlink" || fail "description differs"
	local gi
	gi=$(ctl call org.varlink.service.GetInfo)
	assert_contains "$gi" '"io.corral.Supervisor"' "GetInfo interfaces"
	# lifecycle methods name what is missing
	local out rc=0
	out=$(ctl call Start '{"id":"web"}' 2>&1) || rc=$?
	assert_eq "$rc" 125 "Start exit code"
	assert_contains "$out" "io.corral.Supervisor.NoSuchContainer" "Start"
	out=$(ctl call CreateContainer '{"spec":{"image":"busybox","env":["=NOPE"]}}' 2>&1) || true
	assert_contains "$out" '"parameter":"spec.env[0]"' "CreateContainer field"
	out=$(ctl call Nope 2>&1) || true
	assert_contains "$out" "org.varlink.service.MethodNotFound" "unknown method"
	local m
	m=$(ctl metrics)
	assert_contains "$m" 'corral_rpc_requests_total{method="io.corral.Supervisor.Ping",result="ok"}' "metrics"
	assert_contains "$m" 'corral_rpc_duration_seconds_bucket{method="io.corral.Supervisor.Start",le="+Inf"} 1' "histogram"
	assert_contains "$m" 'corral_rpc_requests_total{method="other",result="error"} 1' "unknown methods pooled"
	# a clean stop removes the socket
	kill -TERM "$CORRALD_PID"
	for _ in $(seq 50); do kill -0 "$CORRALD_PID" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$CORRALD_PID" 2>/dev/null && fail "corrald ignored SIGTERM"
	[ ! -e "$SOCK" ] || fail "socket left behind"
	wait "$CORRALD_PID" 2>/dev/null || fail "corrald exited non-zero on SIGTERM"
}

nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }

test_supervisor_nonroot_refused_and_audited() {
	trap stop_corralds EXIT
	chmod 755 "$T"
	# mode 0666 so that the peer check, not the file mode, is what refuses
	start_corrald --socket-mode 0666 --group no-such-group-$$
	local out rc=0
	out=$(nobody "$CORRALCTL" --socket "$SOCK" ping 2>&1) || rc=$?
	assert_eq "$rc" 125 "exit code of a refused call"
	assert_contains "$out" "io.corral.Supervisor.PermissionDenied" "refusal"
	local audit="$STATE_D/audit.log"
	[ -s "$audit" ] || fail "no audit entry"
	assert_contains "$(cat "$audit")" '"uid":65534,"gid":65534' "audit peer"
	assert_contains "$(cat "$audit")" '"method":"io.corral.Supervisor.Ping","result":"io.corral.Supervisor.PermissionDenied"' "audit entry"
	assert_eq "$(stat -c %a "$audit")" "600" "audit log mode"
	# root is still served
	assert_eq "$(ctl ping)" "ok" "root after refusal"
	# an audited mutation by root
	ctl call Remove '{"id":"web","force":true}' >/dev/null 2>&1 || true
	assert_contains "$(tail -1 "$audit")" '"uid":0,' "root audited"
	assert_contains "$(tail -1 "$audit")" '"target":"web"' "audit target"
}

test_supervisor_group_members_allowed() {
	trap stop_corralds EXIT
	chmod 755 "$T"
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	start_corrald --group "$g"
	assert_eq "$(stat -c %g "$SOCK")" "65534" "socket group"
	assert_eq "$(nobody "$CORRALCTL" --socket "$SOCK" ping)" "ok" "primary group member"
	# a supplementary member, with another primary group
	assert_eq "$(setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" ping)" "ok" \
		"supplementary group member"
	# and not a member: the 0660 socket does not even let it connect
	local rc=0 out
	out=$(setpriv --reuid 65534 --regid 12345 --clear-groups "$CORRALCTL" --socket "$SOCK" ping 2>&1) || rc=$?
	assert_eq "$rc" 125 "non-member"
	assert_contains "$out" "Permission denied" "non-member connect"
}

test_supervisor_malformed_messages() {
	trap stop_corralds EXIT
	need_python
	start_corrald --max-message-size 1M
	"$PY" - "$SOCK" <<'PYEOF' || fail "malformed-message checks failed"
import socket, sys, time
path = sys.argv[1]

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s

pending = {}
def reply(s):
    # one message: pipelined replies may come in one read
    buf = pending.pop(s, b"")
    while b"\0" not in buf:
        d = s.recv(65536)
        if not d:
            return None
        buf += d
    msg, _, rest = buf.partition(b"\0")
    pending[s] = rest
    return msg.decode()

def closed(s):
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True

# not JSON / not an object / not a call: disconnected
for junk in [b"hello\0", b"[1,2]\0", b'{"parameters":{}}\0', b"\xff\xfe\0", b'{"method":"a.B","more":"x"}\0']:
    s = conn(); s.sendall(junk)
    assert closed(s), junk
# deep nesting is refused before it is built
s = conn(); s.sendall(b"[" * 200000 + b"\0"); assert closed(s)
# a message that never ends: cut at the bound, the daemon does not grow
s = conn()
try:
    for _ in range(40):
        s.sendall(b" " * 65536)
except (BrokenPipeError, ConnectionResetError):
    pass
assert closed(s)
# a missing NUL then hang-up: nothing to answer, no harm
s = conn(); s.sendall(b'{"method":"io.corral.Supervisor.Ping"}'); s.shutdown(socket.SHUT_WR); assert closed(s)
# wrong types and unknown names get varlink errors, and the connection stays
s = conn()
s.sendall(b'{"method":"io.corral.Supervisor.Kill","parameters":{"id":7}}\0')
r = reply(s); assert '"error":"io.corral.Supervisor.InvalidParameter"' in r and '"parameter":"id"' in r, r
s.sendall(b'{"method":"io.corral.Supervisor.Ping","parameters":{"extra":1}}\0')
r = reply(s); assert '"parameter":"extra"' in r, r
s.sendall(b'{"method":"io.corral.Nope.Ping"}\0')
r = reply(s); assert "org.varlink.service.InterfaceNotFound" in r, r
s.sendall(b'{"method":"io.corral.Supervisor.Events"}\0')
r = reply(s); assert "org.varlink.service.ExpectedMore" in r, r
# pipelined calls are answered in order
s.sendall(b'{"method":"io.corral.Supervisor.Ping"}\0{"method":"io.corral.Supervisor.GetInfo"}\0')
r = reply(s); assert r == '{"parameters":{}}', r
assert '"version"' in reply(s)
# a client that sends and never reads does not block others
lazy = conn()
lazy.sendall(b'{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.corral.Supervisor"}}\0' * 500)
t = conn(); t.sendall(b'{"method":"io.corral.Supervisor.Ping"}\0')
assert reply(t) == '{"parameters":{}}'
PYEOF
	daemon_alive
	assert_eq "$(ctl ping)" "ok" "ping after abuse"
	local rss
	rss=$(awk '/VmRSS/ {print $2}' /proc/"$CORRALD_PID"/status)
	echo "corrald RSS after abuse: ${rss} kB"
	[ "$rss" -lt 65536 ] || fail "corrald RSS ${rss} kB after abuse"
}

# a call nested 2,000,000 deep (4 MB, inside the default message bound),
# also behind a comment, is refused on its text before a tree is built; the
# peer is cut off, and a client connected before it, and one after, are served
test_supervisor_deeply_nested_call() {
	trap stop_corralds EXIT
	need_python
	start_corrald
	"$PY" - "$SOCK" <<'PYEOF' || fail "deeply nested call checks failed"
import socket, sys
path = sys.argv[1]

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    return s

def ping(s):
    s.sendall(b'{"method":"io.corral.Supervisor.Ping"}\0')
    buf = b""
    while not buf.endswith(b"\0"):
        d = s.recv(65536)
        assert d, "connection closed"
        buf += d
    assert buf == b'{"parameters":{}}\0', buf

before = conn(); ping(before)
n = 2000000
# plain, and behind a comment holding a quote (yajl takes comments: the
# depth check once took the brackets after it for a string's, and the
# tree's free overflowed the stack)
for comment in (b"", b'/*"*/', b'// "\n'):
    s = conn()
    s.sendall(b'{"method":"io.corral.Supervisor.Ping"' + comment + b',"parameters":{"x":' + b"[" * n + b"]" * n + b"}}\0")
    try:
        rest = s.recv(65536)
    except ConnectionResetError:
        rest = b""
    assert rest == b"", rest
    ping(before)
ping(conn())
PYEOF
	daemon_alive
	assert_eq "$(ctl ping)" "ok" "ping after the nested call"
	assert_contains "$(cat "$T/corrald.log")" "nested deeper than 64 levels" "corrald logs why"
}

test_supervisor_200_concurrent_clients() {
	trap stop_corralds EXIT
	need_python
	start_corrald
	"$PY" - "$SOCK" 200 <<'PYEOF' || fail "concurrent pings failed"
import socket, sys, time, selectors
path, n = sys.argv[1], int(sys.argv[2])
socks = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    socks.append(s)
# all 200 are open at once; each pings 20 times, one call in flight each
lat = []
sel = selectors.DefaultSelector()
state = {}
for s in socks:
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    state[s] = [0, b"", time.perf_counter()]
    s.send(b'{"method":"io.corral.Supervisor.Ping"}\0')
done = 0
deadline = time.time() + 60
while done < n and time.time() < deadline:
    for key, _ in sel.select(timeout=1):
        s = key.fileobj
        st = state[s]
        d = s.recv(4096)
        assert d, "server closed a connection"
        st[1] += d
        while b"\0" in st[1]:
            msg, st[1] = st[1].split(b"\0", 1)
            assert msg == b'{"parameters":{}}', msg
            lat.append(time.perf_counter() - st[2])
            st[0] += 1
            if st[0] == 20:
                done += 1
                sel.unregister(s)
            else:
                st[2] = time.perf_counter()
                s.send(b'{"method":"io.corral.Supervisor.Ping"}\0')
assert done == n, "only %d of %d clients finished" % (done, n)
lat.sort()
print("pings: %d, p50 %.0f us, p99 %.0f us" % (len(lat), lat[len(lat)//2]*1e6, lat[int(len(lat)*0.99)]*1e6))
PYEOF
	daemon_alive
	assert_contains "$(ctl info)" "connections    1" "connections closed again"
}

test_supervisor_connection_limits() {
	trap stop_corralds EXIT
	need_python
	chmod 755 "$T"
	local g
	g=$(getent group 65534 | cut -d: -f1)
	start_corrald --group "$g" --max-connections-per-uid 3
	nobody "$PY" - "$SOCK" <<'PYEOF' || fail "per-uid limit not enforced"
import socket, sys, time
path = sys.argv[1]
socks = []
for _ in range(4):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.settimeout(5); s.connect(path); socks.append(s)
time.sleep(0.2)
for i, s in enumerate(socks):
    try:
        s.sendall(b'{"method":"io.corral.Supervisor.Ping"}\0')
        r = s.recv(100)
    except (BrokenPipeError, ConnectionResetError):
        r = b""
    assert (r == b'{"parameters":{}}\0') == (i < 3), (i, r)
PYEOF
	# root is not limited per uid
	assert_eq "$(ctl ping)" "ok" "root"
	assert_contains "$(ctl metrics)" "corral_rpc_connections_refused_total 1" "refused counted"
	assert_contains "$(cat "$T/corrald.log")" "too many connections from this uid" "refusal logged"
}

test_supervisor_second_daemon_and_stale_socket() {
	trap stop_corralds EXIT
	start_corrald
	local rc=0 out
	out=$("$CORRALD" --config "$T/corrald.conf" --socket "$SOCK" --state-dir "$T/state2" \
		--cgroup-delegate no 2>&1) || rc=$?
	assert_eq "$rc" 1 "second daemon exit code"
	assert_contains "$out" "another server is listening on it" "second daemon"
	assert_eq "$(ctl ping)" "ok" "first daemon still serves"
	# a crashed daemon leaves a stale socket: the next one takes it over
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	[ -S "$SOCK" ] || fail "expected a stale socket"
	start_corrald
	assert_eq "$(ctl ping)" "ok" "after a stale socket"
}

# A socket path past sun_path's 107 bytes is refused in one line, before
# anything is made (the suite's own sockets live in short directories)
test_supervisor_socket_path_too_long() {
	trap stop_corralds EXIT
	local long rc=0 out
	long="$S/$(printf 'd%.0s' $(seq 100))"
	mkdir "$long"
	out=$("$CORRALD" --config /dev/null --socket "$long/c.sock" --state-dir "$T/st" \
		--cgroup-delegate no 2>&1) || rc=$?
	assert_eq "$rc" 1 "exit code"
	assert_eq "$(tail -1 <<<"$out")" "corrald: $long/c.sock: socket path longer than 107 bytes" "the error, in one line"
	assert_eq "$(ls -A "$long")" "" "no socket made"
}

test_supervisor_bad_settings() {
	trap stop_corralds EXIT
	local rc=0 out
	out=$("$CORRALD" --config /dev/null --max-connections 0 2>&1) || rc=$?
	assert_eq "$rc" 2 "bad flag exit code"
	assert_eq "$out" 'corrald: --max-connections: max-connections: must be an integer from 1 to 65536, not "0"' "bad flag"
	printf 'socket = %s\nbogus = 1\n' "$S/x.sock" >"$T/bad.conf"
	rc=0
	out=$("$CORRALD" --config "$T/bad.conf" 2>&1) || rc=$?
	assert_eq "$rc" 2 "bad file exit code"
	assert_eq "$out" "corrald: $T/bad.conf:2: unknown setting bogus" "bad file"
	printf 'max-connections = 7\n' >"$T/ok.conf"
	out=$("$CORRALD" --config "$T/ok.conf" --print-config --max-connections-per-uid=3)
	assert_contains "$out" "max-connections = 7" "file applied"
	assert_contains "$out" "max-connections-per-uid = 3" "flag applied"
}

test_supervisor_socket_activation_and_notify() {
	trap stop_corralds EXIT
	need_python
	command -v systemd-socket-activate >/dev/null || skip "needs systemd-socket-activate"
	SOCK="$S/act.sock"
	local notify="$S/notify.sock"
	# a notify listener that records what corrald says
	"$PY" - "$notify" "$T/notified" <<'PYEOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(15)
with open(sys.argv[2], "w") as f:
    end = time.time() + 15
    while time.time() < end:
        try:
            f.write(s.recv(4096).decode() + "\n"); f.flush()
        except socket.timeout:
            break
PYEOF
	local listener=$!
	echo "$listener" >>"$T/.daemons"
	for _ in $(seq 50); do [ -S "$notify" ] && break; sleep 0.05; done
	: >"$T/corrald.conf"
	NOTIFY_SOCKET="$notify" WATCHDOG_USEC=200000 systemd-socket-activate -l "$SOCK" \
		-E NOTIFY_SOCKET -E WATCHDOG_USEC \
		"$CORRALD" --config "$T/corrald.conf" --state-dir "$T/state" --socket "$S/unused.sock" \
		--cgroup-delegate no --default-network none >>"$T/corrald.log" 2>&1 &
	CORRALD_PID=$!
	echo "$CORRALD_PID" >>"$T/.daemons"
	# the socket exists before corrald runs; the first call starts it
	for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.05; done
	assert_eq "$(ctl ping)" "ok" "ping through the activated socket"
	[ ! -e "$S/unused.sock" ] || fail "corrald bound its own socket despite LISTEN_FDS"
	assert_contains "$(ctl info)" "pid            $CORRALD_PID" "activated corrald"
	for _ in $(seq 100); do grep -q WATCHDOG=1 "$T/notified" 2>/dev/null && break; sleep 0.05; done
	local n
	n=$(cat "$T/notified")
	assert_contains "$n" "READY=1" "READY"
	assert_contains "$n" "STATUS=serving activated socket" "STATUS"
	assert_contains "$n" "WATCHDOG=1" "WATCHDOG"
}

test_supervisor_events_stream() {
	trap stop_corralds EXIT
	start_corrald
	# replay from the epoch: the daemon's own start event
	local out rc=0
	out=$(timeout 2 "$CORRALCTL" --socket "$SOCK" call --more Events '{"since":"0"}') || rc=$?
	assert_eq "$rc" 124 "a stream runs until stopped"
	assert_contains "$out" '"action": "start"' "start event"
	assert_contains "$out" "\"pid\": \"$CORRALD_PID\"" "start event attributes"
	# a live subscriber sees the daemon stop: subscribed once its replay
	# (the start) has come, not merely connected (a SIGTERM between its
	# connect and its call cut it off before it asked)
	"$CORRALCTL" --socket "$SOCK" call --more Events '{"filters":{"type":"daemon"},"since":"0"}' >"$T/events" 2>&1 &
	local sub=$!
	wait_for 10 grep -q '"action": "start"' "$T/events" || fail "the subscriber's replay: $(cat "$T/events")"
	kill -TERM "$CORRALD_PID"
	wait "$sub" || true
	assert_contains "$(cat "$T/events")" '"action": "stop"' "stop event"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_supervisor'); do
	run_test "$t"
done
