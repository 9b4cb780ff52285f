#!/bin/bash
# One member of the access group loads corrald as far as its bounds let it:
# every broker connection its session's sockets take, and its job queue
# filled to its quota with commands near 64 KiB. corrald's memory stays
# bounded, and a second member is still answered.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
IMGS="$FIXTURES/images"
VLCALL="$B/tests/helpers/vlcall"

cleanup_load() {
	set +e
	[ -n "${HOLD_PID:-}" ] && kill "$HOLD_PID" 2>/dev/null
	[ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null
	for s in $(ctl --json session ls 2>/dev/null | jq -r '.[].name' 2>/dev/null); do
		ctl session rm -f "$s" >/dev/null 2>&1
	done
	cleanup_sv
}

rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$CORRALD_PID/status"; }
# the broker socket, on the host, of a container of a session
broker_of() { echo "$STATE_D/sessions/$1/broker/$2/broker.sock"; }


# Member a: a session of 3 containers, 80 connections asked on each of
# their broker sockets (64 taken each), and 100 queued jobs (its quota) of
# 64021 bytes of command each, behind root's one running job. Meanwhile
# member b's calls and its session's broker are answered in time, and
# corrald's VmRSS, sampled every 0.1 s, stays under 64 MiB.
test_member_load_keeps_corrald_bounded() {
	trap cleanup_load EXIT
	chmod 755 "$T"
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	start_sv --group "$g" --max-jobs 1
	local a=(setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	local b=(setpriv --reuid 4242 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 30)
	ctl image import "oci:$IMGS/oci:test" img:1 >/dev/null
	local blocker socks=() i id bsock idle
	blocker=$(ctl job submit --stop-timeout 1 "$IMG" sleep 1000)
	"${a[@]}" session create sa --share uts >/dev/null || fail "a's session"
	for i in 1 2 3; do
		id=$("${a[@]}" run -d --session sa --name "a$i" img:1 sleep 1000) || fail "a's container $i"
		socks+=("$(broker_of sa@65534 "$id")")
	done
	"${b[@]}" session create sb --share uts >/dev/null || fail "b's session"
	id=$("${b[@]}" run -d --session sb --name b1 img:1 sleep 1000) || fail "b's container"
	bsock=$(broker_of sb@4242 "$id")
	wait_for 10 test -S "$bsock"
	"${b[@]}" session state set sb k '{"v":1}' >/dev/null || fail "b's state"
	idle=$(rss_kb)
	# the sampler: corrald's VmRSS every 0.1 s
	(while :; do rss_kb; sleep 0.1; done) >"$T/rss" 2>/dev/null &
	SAMPLER=$!
	# a's connections
	mkfifo "$T/hold.in"
	sleep 1000 >"$T/hold.in" &
	local holder=$!
	python3 "$ROOTDIR/tests/integration/broker_hold.py" -k 80 "${socks[@]}" <"$T/hold.in" >"$T/hold.out" &
	HOLD_PID=$!
	wait_for 30 grep -q served "$T/hold.out"
	assert_eq "$(cat "$T/hold.out")" "served 192 closed 48" "64 connections on each of a's sockets"
	# a's jobs, to its quota
	local arg args=() n=0 out
	arg=$(head -c 4000 /dev/zero | tr '\0' x)
	for i in $(seq 16); do args+=("$arg"); done
	for i in $(seq 100); do "${a[@]}" job submit img:1 true "${args[@]}" >/dev/null && n=$((n + 1)); done
	assert_eq "$n" 100 "a's jobs queued"
	out=$("${a[@]}" job submit img:1 true "${args[@]}" 2>&1) && fail "a's 101st job: $out"
	assert_contains "$out" "unprivileged.max_jobs=100" "the 101st is refused"
	assert_eq "$("${a[@]}" --json job ls | jq length)" 100 "a lists its 100 jobs, page by page"
	# b, meanwhile: its calls and its broker, each answered in time
	local t0 ms
	t0=$(date +%s%N)
	assert_eq "$("${b[@]}" session state get sb k | jq -c .)" '{"v":1}' "b's session state"
	assert_eq "$("${b[@]}" --json ps | jq -r '.[].name')" b1 "b's ps"
	assert_contains "$("$VLCALL" "$bsock" '{"method":"io.corral.Broker.Whoami"}')" '"member":"b1"' "b's broker"
	assert_contains "$("$VLCALL" "$bsock" \
		'{"method":"io.corral.Broker.Publish","parameters":{"topic":"t","data":{"n":1}}}')" '"delivered"' "b publishes"
	assert_contains "$("$VLCALL" "$bsock" \
		'{"method":"io.corral.Broker.StateGet","parameters":{"key":"k"}}')" '"v":1' "b reads its state by the broker"
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -lt 5000 ] || fail "b's calls took $ms ms"
	sleep 0.5
	kill "$SAMPLER"
	wait "$SAMPLER" 2>/dev/null || true
	SAMPLER=
	local peak last
	peak=$(sort -n "$T/rss" | tail -1)
	last=$(tail -1 "$T/rss")
	echo "corrald VmRSS under one member's load (192 broker connections, 100 jobs of 64 kB): idle ${idle} kB," \
		"peak ${peak} kB, after ${last} kB; b's calls ${ms} ms" | tee -a "$B/results/jobs_figures.txt" >&2
	[ "$peak" -lt 65536 ] || fail "corrald's VmRSS reached $peak kB"
	kill "$holder"
	wait "$HOLD_PID" 2>/dev/null || true
	HOLD_PID=
	ctl job cancel "$blocker" >/dev/null
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
