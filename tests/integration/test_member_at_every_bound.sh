#!/bin/bash
# One member (4242) holds every per-member bound of corrald at once: its
# most pulls running, log streams open and unread, exec sessions, corrald's
# helpers (copies it never reads), Docker API connections and control
# socket connections, and it churns connections on
# both sockets. Each bound refuses the next one in a line naming it, and
# root and another member (4343), who keep to their bounds, are answered
# all along and can work. What the answers cost in time is measured by
# tests/bench/admission.sh, not here.
# time: about 60 s (1 case): a hostile registry, a 10 MB/s writer and a member at every bound
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/docker_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

CHURN="$ROOTDIR/tests/integration/churn.py"
field() { jq -r ".$1" <<<"$2"; }
pulls_run() { [ "$(pgrep -fc "image pull --store $STATE_D")" -ge "$1" ]; }
no_pull_runs() { ! pgrep -f "image pull --store $STATE_D" >/dev/null; } # not from sh -c, whose own line matches
dockers() { pgrep -P "$CORRALD_PID" -x corral-docker | wc -l; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$CORRALD_PID/status"; }
log_streams() { ctl metrics | awk '$1 == "corral_log_streams" {print $2}'; }
# the exec sessions held in w (sleep 1000; its writer sleeps 0.1)
execs_held() { ctl exec w@4242 ps -o args | grep -cx 'sleep 1000'; }
streams_are() { [ "$(log_streams)" = "$1" ]; }
helpers_are() { [ "$(pgrep -c -P "$CORRALD_PID" -x corral-copy)" = "$1" ]; }
execs_are() { [ "$(execs_held)" = "$1" ]; }

# attacker COMMAND...: as 4242, in a process group of its own (its pgid in
# $T/groups), its output in a file: the EXIT trap kills every group, so
# nothing it started outlives the case or holds the case's output open
attacker() {
	setsid setpriv --reuid 4242 --regid 12345 --groups 65534 "$@" </dev/null >>"$T/attacker.out" 2>&1 &
	echo $! >>"$T/groups"
	disown $! # its end, killed, is no news for the case's output
}
kill_attackers() {
	local - g
	set +e # a group already gone is no failure: the trap goes on to cleanup_sv
	for g in $(cat "$T/groups" 2>/dev/null); do kill -KILL -- "-$g" 2>/dev/null; done
	rm -f "$T/groups"
}

# hold.py docker|varlink SOCKET MAX FLAG: opens connections that send
# nothing (half a Docker request) until one is refused, or MAX; prints the
# count held and the refusal, makes FLAG, and holds them until killed. A
# refusal comes at once (429, or closed); a connection not answered in
# 0.3 s (Docker) or 0.05 s (varlink) is held; a late refusal counts one too many
hold_script() {
	cat >"$T/hold.py" <<-'PY'
	import socket, sys, time
	kind, path, most, flag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
	wait = 0.3 if kind == "docker" else 0.05
	held, refusal, t0 = [], "", time.monotonic()
	log = open(flag + ".log", "w", buffering=1)
	for _ in range(most):
	    s = socket.socket(socket.AF_UNIX)
	    s.connect(path)
	    log.write("%.2f s: connection %d\n" % (time.monotonic() - t0, len(held) + 1))
	    if kind == "docker":
	        try:
	            s.sendall(b"GET /_pi")
	        except OSError:  # refused and closed first: its answer is still there to read
	            pass
	    s.settimeout(wait)
	    try:
	        got = s.recv(4096)
	    except socket.timeout:
	        held.append(s)
	        continue
	    s.settimeout(5)  # a refusal: the rest of it, to its end
	    while True:
	        try:
	            more = s.recv(4096)
	        except OSError:  # reset: corrald closed with our request unread
	            break
	        if not more:
	            break
	        got += more
	    refusal = got.decode(errors="replace").replace("\r\n", " ") or "closed at once"
	    break
	print(kind, "held", len(held), "refused:", refusal, flush=True)
	open(flag, "w").close()
	time.sleep(100000)
	PY
	chmod 755 "$T/hold.py"
}

# held_all FLAG: hold.py is done; if not within 90 s (each connection spawns a
# corral-docker, slow on a loaded machine), what it got to
held_all() {
	local i
	for i in $(seq 900); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	fail "hold.py did not finish in 90 s; its last lines: $(tail -n 3 "$1.log" 2>&1 | tr '\n' ';') what it said: $(tail -n 3 "$T/attacker.out" | tr '\n' ';')"
}

test_mab_a_member_at_every_bound_holds_up_nobody() {
	trap 'kill_attackers; cleanup_sv' EXIT
	reg_setup
	reg_start_hostile h
	chmod 755 "$T"
	mkdir -m 1777 "$T/flags"
	start_sv_reg --group "$(getent group 65534 | cut -d: -f1)" --registry-insecure "$REG_h" \
		$(docker_flags) --audit-log "$T/audit.log"
	local rss0 out r
	rss0=$(rss)
	# pulls: unprivileged.max_pulls (4) trickle on, a byte every half second
	# (made while the store has none of their layers); the 5th is refused
	for r in a b c d; do attacker "$CORRALCTL" --socket "$SOCK" pull "$REG_h/$r/neverends:test"; done
	wait_for 20 pulls_run 4
	wait_for 20 grep -q "^GET /v2/a/neverends/blobs/" "$REG_DIR/h.log"
	out=$(mctl 4242 pull "$REG_h/e/neverends:test" 2>&1) && fail "a 5th pull of 4242's ran: $out"
	assert_contains "$out" "unprivileged.max_pulls=4" "the 5th pull"
	import_busybox
	member_import 4242 m:1
	member_import 4343 m:1
	mctl 4242 run -d --name w m:1 sh -c 'while :; do head -c 1000000 /dev/zero | tr "\0" x | fold -w 99; sleep 0.1; done' >/dev/null
	# log streams: 16 that never read, half through each socket; the 17th is refused
	local i
	for i in $(seq 8); do
		attacker sh -c "'$CORRALCTL' --socket '$SOCK' logs -f w | sleep 1000"
		attacker sh -c "curl -s -N --unix-socket '$S/docker.sock' 'http://d/v1.41/containers/w/logs?follow=1&stdout=1' | sleep 1000"
	done
	wait_for 20 streams_are 16
	out=$(mctl 4242 logs -f w 2>&1 | head -c 300) && true
	assert_contains "$out" "uid 4242 has 16 log streams open, the most one member may" "the 17th log stream"
	# exec sessions, held open
	for i in $(seq 8); do attacker "$CORRALCTL" --socket "$SOCK" exec w sleep 1000; done
	wait_for 20 execs_are 8
	# corrald's helpers: 16 copies out of w that are never read, each a
	# corral-copy blocked on its stream; the 17th is refused
	mctl 4242 exec w sh -c 'head -c 20000000 /dev/zero >/tmp/big' || fail "w's big file"
	for i in $(seq 16); do attacker sh -c "'$CORRALCTL' --socket '$SOCK' cp w:/tmp/big - | sleep 1000"; done
	wait_for 20 helpers_are 16
	out=$(mctl 4242 cp w:/tmp/big - 2>&1 >/dev/null) && fail "a 17th helper of 4242's ran: $out"
	assert_contains "$out" "uid 4242 has 16 of corrald's helpers at work already" "the 17th helper"
	# Docker API connections: 8 followers, and the rest up to 32 held; the 33rd is refused
	hold_script
	attacker /usr/bin/python3 "$T/hold.py" docker "$S/docker.sock" 40 "$T/flags/docker"
	held_all "$T/flags/docker"
	assert_contains "$(cat "$T/attacker.out")" "docker held 24 refused: HTTP/1.1 429" "the 33rd Docker API connection"
	assert_contains "$(cat "$T/attacker.out")" "uid 4242 has 32 Docker API connections open" "what it is told"
	# control socket connections, up to its cap (max-connections-per-uid)
	attacker /usr/bin/python3 "$T/hold.py" varlink "$SOCK" 200 "$T/flags/varlink"
	held_all "$T/flags/varlink"
	assert_contains "$(cat "$T/attacker.out")" "refused: closed at once" "a control socket connection past the cap"
	grep -q "too many connections from this uid" "$T/corrald.log" || fail "the cap's refusal not logged"

	# and churn on both sockets, while root and 4343 ask, 10 times a second
	# each; on the control socket in four workers, past its default rate
	# (1000 a second) on a slow machine too, where one made 1587
	attacker "$CHURN" churn docker "$S/docker.sock" 8
	attacker "$CHURN" churn varlink "$SOCK" 8 4
	"$CHURN" probe docker "$S/docker.sock" 6 10 >"$T/root-docker" &
	local probes=$!
	"$CHURN" probe varlink "$SOCK" 6 10 >"$T/root-varlink" &
	probes="$probes $!"
	as_uid 4343 "$CHURN" probe docker "$S/docker.sock" 6 10 >"$T/member-docker" &
	probes="$probes $!"
	as_uid 4343 "$CHURN" probe varlink "$SOCK" 6 10 >"$T/member-varlink" &
	probes="$probes $!"
	# and they work: a container each, a pull of 4343's, a list
	assert_eq "$(ctl run --rm busybox:latest echo root)" root "root runs a container"
	assert_eq "$(mctl 4343 run --rm m:1 echo member)" member "another member runs one"
	assert_eq "$(ctl cp w@4242:/etc/hostname - | tar -t)" hostname "root copies out of 4242's container"
	mctl 4343 pull -q "$REG_h/t/good:test" >/dev/null || fail "another member's pull"
	assert_not_contains "$(dockm 4343 ps -a --format '{{.Names}}')" w "another member's Docker ps"
	assert_contains "$(dock ps --format '{{.Names}}')" w@4242 "root's Docker ps: 4242's as NAME@UID"
	wait $probes
	local k
	for k in root-docker root-varlink member-docker member-varlink; do
		out=$(cat "$T/$k")
		echo "$k: $out"
		assert_eq "$(field connect "$out")" 0 "$k: connections that failed"
		assert_eq "$(field refused "$out")" 0 "$k: refused"
		[ "$(field ok "$out")" -ge 20 ] || fail "$k: too few answers: $out"
	done
	# every bound still held: nothing of 4242's was let go to serve the others
	pulls_run 4 || fail "4242's pulls ended"
	helpers_are 16 || fail "4242's copies ended: $(pgrep -c -P "$CORRALD_PID" -x corral-copy)"
	[ "$(dockers)" -ge $((DOCKER_STANDBYS + 32)) ] || fail "4242's Docker API connections were let go: $(dockers)"
	[ "$(jq -c 'select(.uid == 4242 and .result == "RateLimited")' "$T/audit.log" | wc -l)" -ge 1 ] ||
		fail "the churn was never refused for its rate"
	# refusals at the caps are said once a second, not once each: a member
	# at its cap wrote 8,700 lines in 8 s to corrald's log
	local lines
	lines=$(wc -l <"$T/corrald.log")
	echo "corrald's log: $lines lines; audited refusals: $(jq -r 'select(.method == "connect") | .target + " " + .result' "$T/audit.log" | sort | uniq -c | tr '\n' ' ')"
	[ "$lines" -lt 200 ] || fail "corrald's log has $lines lines: $(sed 's/[0-9]\+/N/g' "$T/corrald.log" | sort | uniq -c | sort -rn | head -3)"
	[ "$(jq -c 'select(.uid == 4242 and .result == "TooManyConnections")' "$T/audit.log" | wc -l)" -ge 1 ] ||
		fail "the refusals at the caps were not audited"
	local rss1
	rss1=$(rss)
	echo "corrald RSS: $rss0 kB, then $rss1 kB with a member at every bound"
	[ "$rss1" -lt $((64 * 1024)) ] || fail "corrald grew to $rss1 kB"

	# 4242 lets go: all it held is freed, and it is served again
	kill_attackers
	wait_for 20 sh -c "[ \$(pgrep -P $CORRALD_PID -x corral-docker | wc -l) -eq $DOCKER_STANDBYS ]"
	wait_for 20 no_pull_runs
	wait_for 20 execs_are 0
	wait_for 20 streams_are 0
	wait_for 20 helpers_are 0
	wait_for 20 mctl 4242 ps
	assert_contains "$(mctl 4242 logs --tail 3 w)" xxxx "4242's logs, after"
	assert_eq "$(dockm 4242 version --format '{{.Server.APIVersion}}')" 1.41 "4242's Docker API, after"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
