#!/bin/bash
# corral-broker inside the containers of a session (the fixtures' broker image
# carries it at /usr/local/bin): publish and subscribe, request and serve
# (with a command and with --echo), a timeout, the session's state with
# compare-and-set and a watch, whoami, and its errors and exit statuses.
# Sessions here share ipc and uts only: no network is needed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
BROKER_IMG="$FIXTURES/images/broker"

cleanup_broker_cli() {
	set +e
	# the background execs first, then the session and its members
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ -n "${CORRALD_PID:-}" ] && kill -0 "$CORRALD_PID" 2>/dev/null; then
		ctl session rm -f s1 >/dev/null 2>&1
	fi
	cleanup_sv
}

# A session s1 of members a and b, from the broker image.
setup_session() {
	[ -d "$BROKER_IMG" ] || skip "no $BROKER_IMG: mkimages.sh found no static corral-broker (make first)"
	start_sv
	ctl image import "oci:$BROKER_IMG:test" broker:1 >/dev/null
	ctl session create s1 --share ipc,uts >/dev/null
	ctl run -d --session s1 --name a broker:1 sleep 1000 >/dev/null
	ctl run -d --session s1 --name b broker:1 sleep 1000 >/dev/null
}

cb() { # MEMBER ARGS...: corral-broker in MEMBER
	local m=$1
	shift
	ctl exec "$m" corral-broker "$@"
}

delivered_to_one() { [ "$(cb b pub news '{"n":1}')" = 1 ]; }

test_sbc_pub_sub_between_members() {
	trap cleanup_broker_cli EXIT
	setup_session
	cb a sub -n 2 news other >"$T/got" 2>"$T/err" &
	local sub=$!
	# published until the subscription is in place: then it has one
	wait_for 10 delivered_to_one
	cb b pub other 'plain words' >/dev/null
	wait "$sub" || fail "sub: $(cat "$T/err")"
	assert_eq "$(jq -c '[.topic, .from, .data]' "$T/got" | tr '\n' ' ')" \
		'["news","b",{"n":1}] ["other","b","plain words"] ' "what a got"
	assert_eq "$(jq -r '.seq > 0 and .sent > 0' "$T/got" | sort -u)" true "seq and sent"
	# nobody listens now
	assert_eq "$(cb b pub news 2)" 0 "delivered to no one"
}

serves() { cb b req --timeout 2 "$1" "$2" >"$T/answer" 2>/dev/null; }

slow_req() {
	local rc=0 t0 t1
	t0=$(date +%s%N)
	cb b req --timeout 1 slow 1 >/dev/null 2>"$T/slow.err" || rc=$?
	t1=$(date +%s%N)
	echo "$rc" >"$T/slow.rc"
	echo "$t0 $t1" >"$T/slow.t"
	! grep -q NoServer "$T/slow.err"
}

test_sbc_request_serve_and_timeout() {
	trap cleanup_broker_cli EXIT
	setup_session
	# a command's output, JSON when it is JSON, else a string
	cb a serve -n 2 ask -- sh -c 'read n; echo "hello $n"' 2>"$T/serve.err" &
	local srv=$!
	wait_for 10 serves ask '"ada"'
	assert_eq "$(cat "$T/answer")" '"hello ada"' "the answer of a's command"
	assert_eq "$(cb b req --to a ask '{"k":[1,2]}')" '"hello {\"k\":[1,2]}"' "JSON data on the command's stdin"
	wait "$srv" || fail "serve -n 2 did not end well: $(cat "$T/serve.err")"

	cb a serve --echo -n 1 echo/* &
	srv=$!
	wait_for 10 serves echo/x '{"same":true}'
	assert_eq "$(cat "$T/answer")" '{"same":true}' "--echo's answer"
	wait "$srv" || fail "serve --echo -n 1 did not end"

	# nobody serves: NoServer, exit 1, one line naming the error and topic
	local rc=0 err
	err=$(cb b req nobody 1 2>&1 >/dev/null) || rc=$?
	assert_eq "$rc" 1 "req without a server: exit status"
	assert_contains "$err" 'corral-broker: Request: io.corral.Broker.NoServer {"topic":"nobody"}' "req without a server"

	# a server too slow: Timeout after the asked timeout (asked again while
	# the server is not in place yet)
	cb a serve -n 1 slow -- sleep 5 2>/dev/null &
	wait_for 10 slow_req
	assert_eq "$(cat "$T/slow.rc")" 1 "a slow server: exit status"
	assert_contains "$(cat "$T/slow.err")" 'io.corral.Broker.Timeout {"topic":"slow"}' "a slow server"
	local t0 t1
	read -r t0 t1 <"$T/slow.t"
	[ $(((t1 - t0) / 1000000)) -lt 4000 ] || fail "the timeout of 1 s took $(((t1 - t0) / 1000000)) ms"
}

test_sbc_state_cas_and_watch() {
	trap cleanup_broker_cli EXIT
	setup_session
	# set by the host, read by a member
	ctl session state set s1 cfg/mode '{"fast":true}' >/dev/null
	assert_eq "$(cb a state get cfg/mode)" '{"fast":true}' "the host's value, in a"
	assert_eq "$(cb a state get --json cfg/mode)" '{"value":{"fast":true},"version":1}' "with its version"
	# compare-and-set
	local rc=0 err
	err=$(cb b state set cfg/mode '"slow"' --expect 0 2>&1 >/dev/null) || rc=$?
	assert_eq "$rc" 1 "--expect 0 on a key that exists: exit status"
	assert_contains "$err" 'corral-broker: StateSet: io.corral.Broker.Conflict {"key":"cfg/mode","version":1}' \
		"--expect 0 on a key that exists"
	assert_eq "$(cb b state set cfg/mode '"slow"' --expect 1)" 2 "the new version"
	assert_eq "$(ctl session state get s1 cfg/mode)" '"slow"' "the host reads b's value"
	# a watch: the keys as they are, then each change
	cb a state watch -n 3 cfg/ >"$T/watch" 2>"$T/watch.err" &
	local w=$!
	wait_for 10 grep -q cfg/mode "$T/watch"
	cb b state set cfg/new 7 >/dev/null
	cb b state rm cfg/mode --expect 2
	wait "$w" || fail "watch -n 3: $(cat "$T/watch.err")"
	assert_eq "$(jq -c '[.key, .value, .version]' "$T/watch" | tr '\n' ' ')" \
		'["cfg/mode","slow",2] ["cfg/new",7,1] ["cfg/mode",null,2] ' "what the watch saw"
	assert_eq "$(cb a state ls cfg/ | tr '\n' ' ')" "cfg/new " "ls after the removal"
	rc=0
	err=$(cb a state get cfg/mode 2>&1 >/dev/null) || rc=$?
	assert_eq "$rc" 1 "get of a removed key: exit status"
	assert_contains "$err" 'io.corral.Broker.NoSuchKey {"key":"cfg/mode"}' "get of a removed key"
}

test_sbc_whoami_and_usage() {
	trap cleanup_broker_cli EXIT
	setup_session
	assert_eq "$(cb a whoami | jq -r '.session + " " + .member')" "s1 a" "whoami in a"
	assert_eq "$(cb b whoami | jq -r .member)" "b" "whoami in b"
	local rc=0
	cb a bogus >/dev/null 2>&1 || rc=$?
	assert_eq "$rc" 2 "an unknown command: exit status"
	rc=0
	cb a state set onlykey >/dev/null 2>&1 || rc=$?
	assert_eq "$rc" 2 "a missing argument: exit status"
	rc=0
	cb a sub -n 0 x >/dev/null 2>&1 || rc=$?
	assert_eq "$rc" 2 "-n 0: exit status"
	# a bad topic: the broker's InvalidMessage, exit 1
	rc=0
	local err
	err=$(cb a pub 'bad topic' 1 2>&1 >/dev/null) || rc=$?
	assert_eq "$rc" 1 "a bad topic: exit status"
	assert_contains "$err" "io.corral.Broker.InvalidMessage" "a bad topic"
	# no broker socket outside a session: one line, exit 1
	ctl run -d --name loner broker:1 sleep 1000 >/dev/null
	rc=0
	err=$(ctl exec loner corral-broker whoami 2>&1 >/dev/null) || rc=$?
	assert_eq "$rc" 1 "outside a session: exit status"
	assert_contains "$err" "corral-broker: connect: connect /run/corral/broker.sock" "outside a session"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_sbc_"); do
	run_test "$t"
done
