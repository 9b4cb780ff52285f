# Helpers for the corrald integration tests: start a daemon on a private
# socket and state directory under $T, and always stop it again.
CORRALD="$B/bin/corrald"
CORRALCTL="$B/bin/corralctl"
PY=/usr/bin/python3

# start_corrald [FLAG VALUE]... : sets SOCK, STATE_D, CORRALD_PID
start_corrald() {
	SOCK="$T/corrald.sock"
	STATE_D="$T/state"
	: >"$T/corrald.conf"
	"$CORRALD" --config "$T/corrald.conf" --socket "$SOCK" --state-dir "$STATE_D" \
		--cgroup-delegate no "$@" >>"$T/corrald.log" 2>&1 &
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
