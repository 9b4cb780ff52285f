#!/bin/bash
# time: the non-reading subscriber case waits out corrald's 30 s cut-off of a full stream
# The IPC broker from the host side of the members' own sockets
# (<session dir>/broker/<id>/broker.sock, whose directory each member has
# bound read-only at /run/corral): the socket names the member, so speaking on it
# from here is what the member's processes do. Pub/sub, request/serve with a
# timeout, isolation between sessions, the ACL audited, rate limits with a
# flood beside a quiet member, a subscriber that never reads cut off with
# corrald's RSS bounded, and 1000 malformed messages. Each test cleans up
# its daemon, sessions, members and mounts, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
VLCALL="$B/tests/helpers/vlcall"
HOLD="$ROOTDIR/tests/integration/broker_hold.py"

cleanup_broker() {
	set +e
	for s in $(ctl --json session ls 2>/dev/null | jq -r '.[].name' 2>/dev/null); do
		ctl session rm -f "$s" >/dev/null 2>&1
	done
	cleanup_sv
}

# member SESSION NAME: start a member; prints its broker socket's host path
member() {
	local id
	id=$(ctl run -d --session "$1" --name "$2" "$IMG" sleep 1000) || fail "run --session $1 $2"
	echo "$STATE_D/sessions/$1/broker/$id/broker.sock"
}

call() { "$VLCALL" "$@"; }
pub() { echo "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"$1\",\"data\":$2}}"; }

# streams_at SESSION KIND N: corrald holds N open streams of KIND
# (subscribe, serve or watch) in the session: a publish from then on
# reaches them
streams_at() { ctl metrics | grep -qx "corral_broker_streams{session=\"$1\",kind=\"$2\"} $3"; }
# limited_in SESSION: a member's call there was refused by its rate limit
limited_in() { ctl metrics | grep -q "corral_broker_messages_rate_limited_total{session=\"$1\"} [1-9]"; }
# delivered SOCK TOPIC DATA: published, and queued for a subscriber
delivered() { call "$1" "$(pub "$2" "$3")" | grep -q '"delivered":[1-9]'; }

rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$CORRALD_PID/status"; }

test_broker_pub_sub_between_two_members() {
	trap cleanup_broker EXIT
	start_sv
	ctl session create --share ipc,uts s1 >/dev/null
	local a b
	a=$(member s1 alpha)
	b=$(member s1 beta)
	[ -S "$a" ] && [ -S "$b" ] || fail "no member sockets: $a $b"
	assert_contains "$(call "$a" '{"method":"io.corral.Broker.Whoami"}')" '"session":"s1","member":"alpha"' "whoami"
	# inside the member, the same socket is /run/corral/broker.sock
	ctl exec alpha test -S /run/corral/broker.sock || fail "alpha has no /run/corral/broker.sock"
	call "$b" -n 2 -w 10 '{"method":"io.corral.Broker.Subscribe","parameters":{"topics":["jobs/*"]},"more":true}' \
		>"$T/sub.out" &
	local sub=$!
	wait_for 10 streams_at s1 subscribe 1 # corrald holds the subscription
	assert_contains "$(call "$a" "$(pub jobs/1 '{"n":1}')")" '"delivered":1' "published to one subscriber"
	call "$a" "$(pub other 2)" >/dev/null
	assert_contains "$(ctl broker pub s1 jobs/2 '"from the host"' --json)" '"delivered": 1' "the host publishes"
	wait "$sub"
	assert_contains "$(sed -n 1p "$T/sub.out")" '"topic":"jobs/1","from":"alpha","data":{"n":1}' "beta heard alpha"
	assert_contains "$(sed -n 2p "$T/sub.out")" '"topic":"jobs/2","from":"host","data":"from the host"' "and the host"
}

test_broker_request_serve_and_timeout() {
	trap cleanup_broker EXIT
	start_sv
	ctl session create --share ipc,uts s1 >/dev/null
	local a b out id
	a=$(member s1 alpha)
	b=$(member s1 beta)
	assert_contains "$(call "$a" '{"method":"io.corral.Broker.Request","parameters":{"topic":"work","data":1}}')" \
		"io.corral.Broker.NoServer" "nobody serves"
	call "$b" -n 1 -w 10 '{"method":"io.corral.Broker.Serve","parameters":{"topics":["work"]},"more":true}' >"$T/serve.out" &
	local srv=$!
	wait_for 10 streams_at s1 serve 1
	# the host asks with a 1 s timeout; beta takes the request and never answers
	local t0 t1 rc=0
	t0=$(date +%s%N)
	out=$(ctl broker req --wait 1s s1 work '{"q":1}' 2>&1) || rc=$?
	t1=$(date +%s%N)
	assert_eq "$rc" 125 "the request failed"
	assert_contains "$out" "Timeout" "with Timeout"
	[ $(((t1 - t0) / 1000000)) -ge 900 ] && [ $(((t1 - t0) / 1000000)) -lt 5000 ] || fail "timed out after $(((t1 - t0) / 1000000)) ms"
	wait "$srv"
	assert_contains "$(cat "$T/serve.out")" '"message":{"topic":"work","from":"host","data":{"q":1}' "beta was asked"
	# now beta serves and answers: a second connection of beta's replies
	wait_for 10 streams_at s1 serve 0
	( call "$b" -n 1 -w 10 '{"method":"io.corral.Broker.Serve","parameters":{"topics":["work"]},"more":true}' >"$T/serve2.out"
	  id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$T/serve2.out")
	  call "$b" "{\"method\":\"io.corral.Broker.Reply\",\"parameters\":{\"id\":\"$id\",\"data\":\"done\"}}" >/dev/null ) &
	wait_for 10 streams_at s1 serve 1
	out=$(call "$a" '{"method":"io.corral.Broker.Request","parameters":{"to":"beta","topic":"work","data":2,"timeout":5}}')
	assert_contains "$out" '{"parameters":{"from":"beta","data":"done"}}' "beta's answer"
	wait "$!"
	ctl metrics | grep -q 'corral_broker_request_duration_seconds_count{session="s1"} 1' || fail "latency not recorded"
}

test_broker_sessions_are_apart() {
	trap cleanup_broker EXIT
	start_sv
	ctl session create --share ipc,uts s1 >/dev/null
	ctl session create --share ipc,uts s2 >/dev/null
	local a c
	a=$(member s1 alpha)
	c=$(member s2 gamma)
	ctl run -d --name loner "$IMG" sleep 1000 >/dev/null
	# a container in no session has no broker socket
	local ls
	ls=$(ctl exec loner sh -c "test -S /run/corral/broker.sock && echo broker.sock; true" 2>&1)
	case $ls in *broker.sock*) fail "a non-member has a broker socket: $ls" ;; esac
	# gamma (session 2) subscribes to everything; alpha's messages never reach it
	call "$c" -n 1 -w 2 '{"method":"io.corral.Broker.Subscribe","parameters":{"topics":["*"]},"more":true}' >"$T/g.out" &
	local g=$!
	wait_for 10 streams_at s2 subscribe 1
	assert_contains "$(call "$a" "$(pub news 1)")" '"delivered":0' "nobody in s1 heard"
	wait "$g"
	assert_eq "$(cat "$T/g.out")" "" "gamma heard nothing of s1"
	# alpha cannot name gamma: members are looked up only in its session
	assert_contains "$(call "$a" '{"method":"io.corral.Broker.Request","parameters":{"to":"gamma","topic":"x","data":1}}')" \
		'"error":"io.corral.Broker.NoSuchMember","parameters":{"member":"gamma"}' "another session's container"
	assert_contains "$(call "$c" '{"method":"io.corral.Broker.Whoami"}')" '"session":"s2"' "gamma is in s2"
	# nor reach the control socket's methods through the broker
	assert_contains "$(call "$a" '{"method":"io.corral.Supervisor.List"}')" "InterfaceNotFound" "no Supervisor here"
	# gone with its member
	ctl rm -f alpha >/dev/null
	[ -e "$a" ] && fail "alpha's socket outlived it"
	return 0
}

test_broker_acl_refusal_is_audited() {
	trap cleanup_broker EXIT
	start_sv
	cat >"$T/policy.json" <<-'P'
	{"members": [{"name": "alpha", "publish": ["jobs/*"]}, {"name": "*", "subscribe": ["*"]}]}
	P
	ctl session create --share ipc,uts --broker-policy "$T/policy.json" s1 >/dev/null
	local a
	a=$(member s1 alpha)
	assert_contains "$(call "$a" "$(pub secret 1)")" \
		'"error":"io.corral.Broker.Denied","parameters":{"action":"publish","topic":"secret"}' "refused"
	assert_contains "$(call "$a" "$(pub jobs/1 1)")" '"delivered":0' "allowed"
	grep -q '"target":"s1/alpha".*publish secret' "$STATE_D/audit.log" || fail "the refusal is not in the audit log"
	assert_contains "$(ctl metrics)" 'corral_broker_messages_denied_total{session="s1"} 1' "counted"
}

test_broker_flood_is_rate_limited_and_others_stay_fast() {
	trap cleanup_broker EXIT
	start_sv
	cat >"$T/policy.json" <<-'P'
	{"members": [{"name": "flood", "publish": ["*"], "rate": {"messages": 100, "burst": 100}},
	             {"name": "*", "publish": ["*"], "subscribe": ["*"]}]}
	P
	ctl session create --share ipc,uts --broker-policy "$T/policy.json" s1 >/dev/null
	local f q out
	f=$(member s1 flood)
	q=$(member s1 quiet)
	call "$f" -r 20000 "$(pub spam 1)" >"$T/flood.out" &
	local fl=$!
	wait_for 10 limited_in s1 # the flood runs, and is limited already
	out=$(call "$q" -r 500 "$(pub calm 1)")
	wait "$fl"
	local limited p99
	limited=$(awk '$1 == "io.corral.Broker.RateLimited" {print $2}' "$T/flood.out")
	[ "${limited:-0}" -gt 15000 ] || fail "the flood was not limited: $(cat "$T/flood.out")"
	assert_contains "$out" "ok 500" "the quiet member was never limited"
	p99=$(echo "$out" | awk '$1 == "p99" {print $2}')
	[ "$p99" -lt 20000 ] || fail "the quiet member's p99 was ${p99} us during the flood"
	assert_contains "$(cat "$T/flood.out")" "RateLimited" "RateLimited"
}

test_broker_non_reading_subscriber_is_cut_off_rss_bounded() {
	trap cleanup_broker EXIT
	# under ASan, freed memory waits in its quarantine: RSS would count it
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
	start_sv
	ctl session create --share ipc,uts s1 >/dev/null
	local a b before after
	a=$(member s1 alpha)
	b=$(member s1 beta)
	"$VLCALL" "$b" -s -w 40 '{"method":"io.corral.Broker.Subscribe","parameters":{"topics":["big"]},"more":true}' &
	local sleeper=$!
	wait_for 10 streams_at s1 subscribe 1
	before=$(rss_kb)
	local data
	data="\"$(head -c 60000 /dev/zero | tr '\0' x)\""
	call "$a" -r 2000 "$(pub big "$data")" >"$T/pub.out"  # 120 MB offered
	after=$(rss_kb)
	echo "corrald VmRSS before ${before} kB, after ${after} kB" >&2
	[ $((after - before)) -lt 20000 ] || fail "corrald grew by $((after - before)) kB for a subscriber that never reads"
	ctl metrics | grep -q 'corral_broker_messages_dropped_total{session="s1"} [1-9]' || fail "no drops counted"
	# full for 30 s: cut off
	wait_for 40 grep -q "stream full for 30s; disconnecting" "$T/corrald.log"
	kill "$sleeper" 2>/dev/null || true
	wait "$sleeper" 2>/dev/null || true
	ctl metrics | grep -q 'corral_broker_streams_disconnected_total{session="s1"} 1' || fail "not counted"
}

test_broker_survives_1000_malformed_messages() {
	trap cleanup_broker EXIT
	start_sv
	ctl session create --share ipc,uts s1 >/dev/null
	local a i
	a=$(member s1 alpha)
	local t0=$SECONDS
	for i in $(seq 250); do
		"$VLCALL" -w 1 "$a" 'not json' >/dev/null 2>&1 || true
		"$VLCALL" -w 1 "$a" '{"method":5}' >/dev/null 2>&1 || true
		"$VLCALL" -w 1 "$a" '{"method":"io.corral.Broker.Publish","parameters":{"topic":["x"],"data":1}}' >/dev/null 2>&1 || true
		"$VLCALL" -w 1 "$a" '{"method":"io.corral.Broker.Nope"}' >/dev/null 2>&1 || true
	done
	kill -0 "$CORRALD_PID" || fail "corrald died"
	ctl ping >/dev/null # corrald has handled every peer before it
	# 250 peers hung up on for garbage: the log says so at most 10 times in
	# each second of corrald's clock, and d whole seconds of the shell's
	# span at most d + 2 of those
	local d=$((SECONDS - t0)) lines
	lines=$(grep -c 'disconnecting' "$T/corrald.log")
	[ "$lines" -le $((10 * (d + 2))) ] || fail "$lines lines of faulty peers in $d s"
	assert_contains "$(call "$a" '{"method":"io.corral.Broker.Whoami"}')" '"member":"alpha"' "alpha still served"
	ctl ping >/dev/null || fail "the control socket no longer answers"
}

# Publish is served from its text (json_scan) when it can be: calls crafted
# to confuse that path, sent as raw bytes on alpha's socket, with beta
# subscribed. beta gets exactly alpha's name, the topic, and data that is
# what the tree's way makes of it (the same call with a space added, which
# only the tree takes); or nothing, and alpha an error or a hang-up. No
# frame beta reads is invalid JSON, has a key twice or another "from".
test_broker_publish_text_attacks() {
	trap cleanup_broker EXIT
	start_sv
	ctl session create --share ipc,uts s1 >/dev/null
	local a b
	a=$(member s1 alpha)
	b=$(member s1 beta)
	cat >"$T/attack.py" <<-'PY'
	import json, os, socket, sys
	A, B = sys.argv[1], sys.argv[2]
	P = b'{"method":"io.corral.Broker.Publish","parameters":'
	bad = []

	def conn(path):
	    # sockets deep in the state dir: past sun_path's 108 bytes, so by
	    # its directory
	    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	    os.chdir(os.path.dirname(path))
	    s.connect(os.path.basename(path))
	    return s

	class Peer:
	    def __init__(self, path):
	        self.s, self.buf = conn(path), b''
	    def send(self, msg):
	        self.s.sendall(msg + b'\0')
	    def frame(self, wait):
	        """the next NUL-ended frame, b'' on hang-up, None on timeout"""
	        self.s.settimeout(wait)
	        while b'\0' not in self.buf:
	            try:
	                d = self.s.recv(1 << 20)
	            except socket.timeout:
	                return None
	            if not d:
	                return b''
	            self.buf += d
	        f, self.buf = self.buf.split(b'\0', 1)
	        return f

	def no_dups(pairs):
	    keys = [k for k, _ in pairs]
	    if len(keys) != len(set(keys)):
	        raise ValueError('a key twice: %r' % keys)
	    return dict(pairs)

	def strict(raw):
	    # UTF-8 as RFC 3629 and JSON as RFC 8259: Python's own readers
	    return json.loads(raw.decode('utf-8', 'strict'), object_pairs_hook=no_dups)

	sub = Peer(B)
	sub.send(b'{"method":"io.corral.Broker.Subscribe","parameters":{"topics":["t","u"]},"more":true}')

	def heard(wait=1.0):
	    """(raw data bytes, parsed message) of beta's next frame, or None"""
	    f = sub.frame(wait)
	    if f is None:
	        return None
	    if f == b'':
	        bad.append('beta was hung up on')
	        return None
	    try:
	        msg = strict(f)
	    except Exception as e:
	        bad.append('beta got invalid JSON %r: %s' % (f[:200], e))
	        return None
	    m = msg['parameters']['message']
	    if set(msg) != {'parameters', 'continues'} or set(m) != {'topic', 'from', 'data', 'seq', 'sent'}:
	        bad.append('beta got other members: %r' % f[:200])
	    if m['from'] != 'alpha':
	        bad.append('beta got a message from %r' % m['from'])
	    head = b'{"parameters":{"message":{"topic":"' + m['topic'].encode() + b'","from":"alpha","data":'
	    tail = b',"seq":%d,"sent":%d}},"continues":true}' % (m['seq'], m['sent'])
	    if not f.startswith(head) or not f.endswith(tail):
	        bad.append('beta\'s frame is not framed as built: %r' % f[:200])
	        return None
	    return f[len(head):len(f) - len(tail)], m

	def publish(params, wait=2.0):
	    """alpha's reply to one Publish on a new connection: parsed, or 'hangup'"""
	    pub = Peer(A)
	    pub.send(P + params + b'}')
	    r = pub.frame(wait)
	    if r is None:
	        bad.append('no reply to %r' % params[:100])
	        return None
	    if r == b'':
	        return 'hangup'
	    return strict(r)

	def expect(name, params, data=None, topic=b't', slow=None, error=None, hangup=False):
	    """params sent; beta hears data (bytes) on topic, or nothing"""
	    r = publish(params)
	    if hangup:
	        if r != 'hangup':
	            bad.append('%s: not hung up on: %r' % (name, r))
	    elif error:
	        if not isinstance(r, dict) or r.get('error') != error:
	            bad.append('%s: reply %r, not %s' % (name, r, error))
	    elif not isinstance(r, dict) or r.get('parameters') != {'delivered': 1}:
	        bad.append('%s: reply %r' % (name, r))
	    h = heard(1.0 if data is not None else 0.3)
	    if data is None:
	        if h is not None:
	            bad.append('%s: beta heard %r' % (name, h[0][:200]))
	        return
	    if h is None:
	        bad.append('%s: beta heard nothing' % name)
	        return
	    got, m = h
	    if got != data or m['topic'] != topic.decode():
	        bad.append('%s: beta heard %r on %r, not %r' % (name, got[:200], m['topic'], data[:200]))
	    # the tree's way: the same call with a space the fast path declines
	    if slow is not None:
	        r2 = publish(slow)
	        h2 = heard()
	        if r2 != r or h2 is None or h2[0] != got:
	            bad.append('%s: the tree\'s way differs: %r %r' % (name, r2, h2 and h2[0][:200]))

	# plain: the fast path, data as it came
	expect('plain', b'{"topic":"t","data":{"a":[1,"x y"],"b":null}}', b'{"a":[1,"x y"],"b":null}',
	       slow=b'{"topic":"t","data":{"a":[1,"x y"],"b":null} }')
	expect('utf8', b'{"topic":"t","data":"caf\xc3\xa9 \xf0\x9f\x98\x80"}', b'"caf\xc3\xa9 \xf0\x9f\x98\x80"',
	       slow=b'{"topic":"t", "data":"caf\xc3\xa9 \xf0\x9f\x98\x80"}')
	# a comment whose quote would move a span into the members after it
	expect('comment', b'{"topic":"t",/* " */"data":{"a":1}}', b'{"a":1}')
	expect('comment forge', b'{"topic":"t","data":[/*"*/0],"from":"host","z":[/*"*/]}', b'[0]')
	expect('comment in data', b'{"topic":"t","data":"/*\\"*/\\",\\"from\\":\\"host"}',
	       b'"/*\\"*/\\",\\"from\\":\\"host"')
	# escapes and space: generated again, as yajl_gen writes it
	expect('escapes', b'{"topic":"t","data":{ "s" : "a\\"b\\\\c\\n\\u00e9\\/" , "n" : [1, 2] }}',
	       b'{"s":"a\\"b\\\\c\\n\xc3\xa9/","n":[1,2]}')
	expect('escaped key', b'{"topic":"t","d\\u0061ta":7}', b'7')
	# duplicates: the last one wins, as json_get has it
	expect('dup topic', b'{"topic":"t","topic":"u","data":1}', b'1', topic=b'u')
	expect('dup data', b'{"topic":"t","data":1,"data":[2]}', b'[2]')
	# forging "from": text that would close data and add a member
	expect('forge', b'{"topic":"t","data":1},"from":"host"', b'1')
	expect('forge in string', b'{"topic":"t","data":"1},\\"from\\":\\"host\\",\\"x\\":{"}',
	       b'"1},\\"from\\":\\"host\\",\\"x\\":{"')
	expect('forge members', b'{"topic":"t","data":1,"from":"host","seq":1}', b'1')
	expect('unknown parameter', b'{"topic":"t","data":{"x":1},"extra":true}', b'{"x":1}')
	# not JSON: the peer is hung up on, nothing is forwarded
	for name, d in [('ff', b'"\xff"'), ('overlong', b'"\xc0\x80"'), ('surrogate', b'"\xed\xa0\x80"'),
	                ('past 10ffff', b'"\xf4\x90\x80\x80"'), ('stray', b'"a\x80"'), ('cut', b'"\xe2\x82"'),
	                ('control', b'"a\x01b"'), ('bad escape', b'"\\x"'), ('01', b'01'), ('trailing comma', b'[1,]')]:
	    expect('invalid ' + name, b'{"topic":"t","data":' + d + b'}', hangup=True)
	# depth: 64 levels in all is the bound (call, parameters, 62 of data)
	expect('62 deep', b'{"topic":"t","data":' + b'[' * 62 + b']' * 62 + b'}', b'[' * 62 + b']' * 62)
	expect('63 deep', b'{"topic":"t","data":' + b'[' * 63 + b']' * 63 + b'}', hangup=True)
	# size: 64 KiB of data's text at most, either way
	s1 = b'"' + b'x' * 65534 + b'"'
	expect('65536', b'{"topic":"t","data":' + s1 + b'}', s1, slow=b'{"topic":"t","data":' + s1 + b' }')
	s2 = b'"' + b'x' * 65535 + b'"'
	expect('65537', b'{"topic":"t","data":' + s2 + b'}', error='io.corral.Broker.InvalidMessage')
	expect('65537 slow', b'{"topic":"t","data":' + s2 + b' }', error='io.corral.Broker.InvalidMessage')
	# topics: checked the same either way
	expect('bad topic', b'{"topic":"a b","data":1}', error='io.corral.Broker.InvalidMessage')
	expect('topic not string', b'{"topic":["t"],"data":1}', error='org.varlink.service.InvalidParameter')
	expect('no data', b'{"topic":"t"}', error='org.varlink.service.InvalidParameter')
	# beta's stream survived all of it
	expect('after', b'{"topic":"t","data":"end"}', b'"end"')
	for b_ in bad:
	    print('FAIL', b_)
	print('ok' if not bad else '%d failures' % len(bad))
	sys.exit(1 if bad else 0)
	PY
	python3 "$T/attack.py" "$a" "$b" >"$T/attack.out" 2>&1 || { cat "$T/attack.out" >&2; fail "attacks"; }
	assert_eq "$(tail -1 "$T/attack.out")" ok "every attack answered as the tree's way would"
	kill -0 "$CORRALD_PID" || fail "corrald died"
	assert_contains "$(call "$a" '{"method":"io.corral.Broker.Whoami"}')" '"member":"alpha"' "alpha still served"
}

# corrald.conf's rate-limit-per-uid: a uid calling the control socket too
# fast gets RateLimited with retryAfter; once it waits, it is served again.
test_broker_control_socket_rate_limited_per_uid() {
	trap cleanup_broker EXIT
	# one token a second: the ping after the burst is refused however slowly
	# the machine ran the burst (at 20/s, a slow run had refilled one)
	printf 'rate-limit-per-uid = 1\nrate-limit-burst = 20\n' >"$T/corrald.conf"
	start_sv
	local out limited
	out=$("$VLCALL" -r 200 "$SOCK" '{"method":"io.corral.Supervisor.Ping"}')
	limited=$(echo "$out" | awk '$1 == "io.corral.Supervisor.RateLimited" {print $2}')
	[ "${limited:-0}" -ge 150 ] || fail "200 pings at once, only ${limited:-0} limited: $out"
	out=$("$VLCALL" "$SOCK" '{"method":"io.corral.Supervisor.Ping"}')
	[[ $out =~ \"retryAfter\":(0\.[0-9]+|1\.0+)\} ]] || fail "retryAfter of at most a second: $out"
	sleep 1.2
	assert_contains "$("$VLCALL" "$SOCK" '{"method":"io.corral.Supervisor.Ping"}')" '"parameters":{' "served after waiting"
}

# corrald killed and started again: the members it adopts reach the new
# broker from inside, through the same /run/corral/broker.sock, without a
# restart (the socket is replaced on the host, in the member's directory).
test_broker_members_reach_it_after_corrald_restarts() {
	trap cleanup_broker EXIT
	local bimg="$FIXTURES/images/broker"
	[ -d "$bimg" ] || skip "no $bimg: mkimages.sh found no static corral-broker (make first)"
	start_sv
	ctl image import "oci:$bimg:test" broker:1 >/dev/null
	ctl session create --share ipc,uts s1 >/dev/null
	local id a
	id=$(ctl run -d --session s1 --name alpha broker:1 sleep 1000)
	a="$STATE_D/sessions/s1/broker/$id/broker.sock"
	assert_contains "$(ctl exec alpha corral-broker whoami)" alpha "served before"
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	! ctl exec alpha corral-broker whoami >/dev/null 2>&1 || fail "served with no corrald"
	start_sv
	assert_contains "$(call "$a" '{"method":"io.corral.Broker.Whoami"}')" '"member":"alpha"' "served again"
	assert_contains "$(ctl exec alpha corral-broker whoami)" alpha "alpha reaches the new broker from inside"
	assert_eq "$(ctl exec alpha stat -c %i /run/corral/broker.sock)" "$(stat -c %i "$a")" "alpha's socket is the new one"
}

# A member of the access group is the operator ("host") of its own sessions
# only: root's session is not there for it, to publish, subscribe or ask.
test_broker_member_is_not_host_of_roots_session() {
	trap cleanup_broker EXIT
	start_sv_group
	# a command, not a function: timeout runs it below
	local member=(setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" --timeout 10)
	ctl session create --share ipc,uts roots >/dev/null
	local a out
	a=$(member roots alpha)
	call "$a" -n 1 -w 5 '{"method":"io.corral.Broker.Subscribe","parameters":{"topics":["*"]},"more":true}' \
		>"$T/alpha.out" &
	local sub=$!
	wait_for 10 streams_at roots subscribe 1
	out=$("${member[@]}" broker pub roots cards '"4111 1111 1111 1111"' 2>&1) && fail "a member published as host in root's session: $out"
	assert_contains "$out" "no session named roots" "not there for the member"
	out=$("${member[@]}" broker req roots work 1 -w 1s 2>&1) && fail "a member asked in root's session: $out"
	assert_contains "$out" "no session named roots" "req: not there"
	assert_contains "$(ctl broker pub roots cards '"root"' --json)" '"delivered": 1' "root is host"
	wait "$sub" || fail "alpha's subscription: $(cat "$T/alpha.out")"
	assert_contains "$(cat "$T/alpha.out")" '"from":"host","data":"root"' "alpha heard root only"
	timeout 3 "${member[@]}" broker sub roots '*' >"$T/msub.out" 2>&1 &
	local msub=$!
	wait_for 10 grep -q "no session named roots" "$T/msub.out"
	ctl broker pub roots cards '"secret"' >/dev/null
	wait "$msub" 2>/dev/null || true
	assert_not_contains "$(cat "$T/msub.out")" secret "a member subscribed to root's session"
	assert_contains "$(cat "$T/msub.out")" "no session named roots" "sub: not there"
	# its own session it runs as host
	"${member[@]}" session create mine --share uts >/dev/null
	assert_contains "$("${member[@]}" broker pub mine t 1 --json)" '"delivered": 0' "host of its own"
}

# The session's state is under its broker policy too: a member the policy
# names nowhere reads and writes nothing; stateRead/stateWrite grant keys
# by pattern, a list or watch by its prefix; the host is not bound by it.
test_broker_state_obeys_the_policy() {
	trap cleanup_broker EXIT
	start_sv
	# the attack as found: a policy that names only alpha, beta reads and
	# overwrites the session's state
	echo '{"members": [{"name": "alpha", "publish": ["*"]}]}' >"$T/p0.json"
	ctl session create --share ipc,uts --broker-policy "$T/p0.json" s0 >/dev/null
	local b0
	b0=$(member s0 beta0)
	ctl session state set s0 token '"t0"' >/dev/null
	assert_contains "$(call "$b0" '{"method":"io.corral.Broker.StateGet","parameters":{"key":"token"}}')" \
		'"error":"io.corral.Broker.Denied"' "beta0 read state its policy does not grant"
	call "$b0" '{"method":"io.corral.Broker.StateSet","parameters":{"key":"token","value":"x"}}' >/dev/null
	assert_eq "$(ctl session state get s0 token)" '"t0"' "beta0 overwrote the state"
	cat >"$T/policy.json" <<-'P'
	{"members": [{"name": "alpha", "publish": ["*"], "stateRead": ["cfg/*"], "stateWrite": ["cfg/alpha"]}]}
	P
	ctl session create --share ipc,uts --broker-policy "$T/policy.json" s1 >/dev/null
	local a b
	a=$(member s1 alpha)
	b=$(member s1 beta)
	ctl session state set s1 cfg/db '"postgres"' >/dev/null
	ctl session state set s1 card '"4111"' >/dev/null
	get() { call "$1" "{\"method\":\"io.corral.Broker.StateGet\",\"parameters\":{\"key\":\"$2\"}}"; }
	set_() { call "$1" "{\"method\":\"io.corral.Broker.StateSet\",\"parameters\":{\"key\":\"$2\",\"value\":$3}}"; }
	lst() { call "$1" "{\"method\":\"io.corral.Broker.StateList\",\"parameters\":{\"prefix\":\"$2\"}}"; }
	local denied='"error":"io.corral.Broker.Denied"'
	assert_contains "$(get "$b" cfg/db)" "$denied" "beta, named nowhere, reads"
	assert_contains "$(set_ "$b" cfg/db '"evil"')" "$denied" "beta writes"
	assert_contains "$(call "$b" '{"method":"io.corral.Broker.StateRemove","parameters":{"key":"card"}}')" "$denied" "beta removes"
	assert_contains "$(lst "$b" "")" "$denied" "beta lists"
	assert_contains "$(get "$a" cfg/db)" '"value":"postgres"' "alpha reads cfg/*"
	assert_contains "$(get "$a" card)" "$denied" "alpha reads outside cfg/*"
	assert_contains "$(lst "$a" cfg/)" '"cfg/db"' "alpha lists cfg/"
	assert_contains "$(lst "$a" "")" "$denied" "alpha lists everything"
	assert_contains "$(set_ "$a" cfg/alpha 1)" '"version":1' "alpha writes its key"
	assert_contains "$(set_ "$a" cfg/db '"evil"')" "$denied" "alpha writes another"
	assert_eq "$(ctl session state get s1 cfg/db)" '"postgres"' "the host's value stands"
	assert_eq "$(ctl session state get s1 card)" '"4111"' "and its other key"
	grep -q '"target":"s1/beta".*stateRead cfg/db' "$STATE_D/audit.log" || fail "the refusal is not in the audit log"
}


# A member's socket takes 64 connections and a session's sockets 512: one
# member that opens more is refused (closed), while the session's other
# members, and other sessions, are still served. Without the bounds, one
# member held all 8192 of the broker's connections.
test_broker_connections_bounded_per_member_and_session() {
	trap cleanup_broker EXIT
	start_sv
	ctl session create --share ipc,uts s1 >/dev/null
	ctl session create --share ipc,uts s2 >/dev/null
	local m=() i other
	for i in $(seq 9); do m+=("$(member s1 "m$i")"); done
	other=$(member s2 other)
	# m1 asks for 100: 64 served, 36 closed; it keeps its 64
	mkfifo "$T/hold.in"
	sleep 1000 >"$T/hold.in" &
	local holder=$!
	python3 "$HOLD" -k 100 "${m[0]}" <"$T/hold.in" >"$T/hold1.out" &
	local holders=($!)
	wait_for 20 grep -q served "$T/hold1.out"
	assert_eq "$(cat "$T/hold1.out")" "served 64 closed 36" "one member's socket"
	# m2 is still served, m1 no more
	assert_eq "$(python3 "$HOLD" 1 "${m[1]}")" "served 1 closed 0" "another container of the session"
	assert_eq "$(python3 "$HOLD" 1 "${m[0]}")" "served 0 closed 1" "m1, at its bound"
	# m2..m8 take 64 each: with m1's, the session's 512
	for i in $(seq 1 7); do
		python3 "$HOLD" -k 64 "${m[$i]}" <"$T/hold.in" >"$T/hold-m$i.out" &
		holders+=($!)
	done
	for i in $(seq 1 7); do
		wait_for 20 grep -q served "$T/hold-m$i.out"
		assert_eq "$(cat "$T/hold-m$i.out")" "served 64 closed 0" "m$((i + 1))'s 64"
	done
	assert_eq "$(python3 "$HOLD" 1 "${m[8]}")" "served 0 closed 1" "m9: the session is full"
	assert_eq "$(python3 "$HOLD" 5 "$other")" "served 5 closed 0" "another session is served"
	assert_contains "$(ctl metrics)" 'corral_broker_connections_refused_total{session="s1"} 38' "refusals counted"
	assert_contains "$(ctl metrics)" 'corral_broker_connections_refused_total{session="s2"} 0' "none in s2"
	# the holders go: m9 is served again
	kill "$holder"
	wait "${holders[@]}"
	wait_for 10 sh -c "python3 '$HOLD' 1 '${m[8]}' | grep -q 'served 1'"
}

# 504 subscribers (8 members, 63 each) that never read, and 300 messages
# of 60 kB: corrald holds at most 1 MiB in a queue, 64 KiB (or a message)
# on a connection, 32 MiB in all queues and 16 MiB on all connections,
# dropping the oldest of the fullest queues and cutting off who holds the
# most. Before these bounds, corrald grew by about 350 kB per subscriber.
test_broker_many_non_reading_subscribers_bounded_in_all() {
	trap cleanup_broker EXIT
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
	start_sv
	ctl session create --share ipc,uts s1 >/dev/null
	local socks=() i p before after
	for i in $(seq 8); do socks+=("$(member s1 "m$i")"); done
	p=$(member s1 pub)
	cat >"$T/subs.py" <<-'PY'
	import os, socket, sys
	paths = ['/proc/self/fd/%d/broker.sock' % os.open(os.path.dirname(a), os.O_PATH) for a in sys.argv[1:]]
	conns = []
	for i in range(504):
	    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	    s.connect(paths[i % len(paths)])
	    s.sendall(b'{"method":"io.corral.Broker.Subscribe","parameters":{"topics":["big"]},"more":true}\0')
	    conns.append(s)
	print('subscribed', flush=True)
	sys.stdin.read()
	PY
	mkfifo "$T/subs.in"
	sleep 1000 >"$T/subs.in" &
	local holder=$!
	python3 "$T/subs.py" "${socks[@]}" <"$T/subs.in" >"$T/subs.out" &
	local subs=$!
	wait_for 20 grep -q subscribed "$T/subs.out"
	wait_for 20 sh -c "[ \$(ls /proc/$CORRALD_PID/fd | wc -l) -gt 504 ]"
	before=$(rss_kb)
	local data
	data="\"$(head -c 60000 /dev/zero | tr '\0' x)\""
	call "$p" -r 300 "$(pub big "$data")" >"$T/pub.out" # 18 MB offered to each subscriber
	after=$(rss_kb)
	echo "corrald VmRSS with 504 non-reading subscribers: before ${before} kB, after ${after} kB" >&2
	[ $((after - before)) -lt 120000 ] || fail "corrald grew by $((after - before)) kB"
	assert_contains "$(cat "$T/pub.out")" "ok 300" "every publish answered"
	ctl metrics | grep -q 'corral_broker_messages_dropped_total{session="s1"} [1-9]' || fail "no drops counted"
	ctl metrics | grep -q 'corral_broker_streams_disconnected_total{session="s1"} [1-9]' || fail "nobody cut off"
	# another member still hears what is published
	call "${socks[0]}" -n 1 -w 10 '{"method":"io.corral.Broker.Subscribe","parameters":{"topics":["small"]},"more":true}' \
		>"$T/small.out" &
	local small=$!
	wait_for 10 delivered "$p" small 1 # the first message that corrald queues for it
	wait "$small"
	assert_contains "$(cat "$T/small.out")" '"topic":"small"' "a reader is still served"
	kill "$holder"
	wait "$subs"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
