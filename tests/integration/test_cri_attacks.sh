#!/bin/bash
# corral-cri under attack: a client of the CRI socket sends bytes nghttp2
# cannot parse, gRPC framing and messages past their bounds, more streams
# than it may open, rapid resets, calls whose answers it never reads or
# never opens a window for, and more connections than a member may hold. Each case asserts corral-cri's
# answer, and that corrald and another client go on: corrald is the one
# started, a Version call on another connection is answered, and the
# corral-cri that served the attacker ends once the attacker has gone.
# The attacker is cri/h2_attack.py (raw HTTP/2, its frames by hand); the
# other client is cri/cri_call.py (python3-grpcio).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

PY=/usr/bin/python3
CRIDIR="$ROOTDIR/tests/integration/cri"
CRI_STANDBYS=2 # compat/handoff.c's HELPER_STANDBYS: started ahead of a connection
# the most one corral-cri may hold at its peak (VmHWM): the 64 MiB budget
# for unpacking, a 16 MiB message, and the process's own few MB
CRI_MAX_KB=$((128 * 1024))

file_skip() {
	echo "SKIP test_cri_attacks.sh: $*"
	echo "skip test_cri_attacks" >>"$RESULTS"
	exit 0
}
command -v protoc >/dev/null || file_skip "protoc is not installed (protobuf-compiler)"
$PY -c 'import grpc, google.protobuf' 2>/dev/null ||
	file_skip "Debian's python3-grpcio and python3-protobuf are not installed (tests/deps.sh)"
# cri_call.py's messages, made once for the file
CRI_PB="$TESTROOT/cri-attacks-pb.$$"
mkdir -p "$CRI_PB"
protoc --python_out="$CRI_PB" -I "$ROOTDIR/supervisor/cri" "$ROOTDIR/supervisor/cri/runtime_v1.proto" ||
	file_skip "protoc could not compile runtime_v1.proto"
trap 'rm -rf "$CRI_PB"' EXIT

# start_cri [FLAG VALUE]...: corrald with its CRI socket, its standbys up
start_cri() {
	local how=start_sv
	[ "${1:-}" = group ] && how=start_sv_group && shift
	$how --cri-socket "$S/cri.sock" --cri-user 65533:65533 "$@" || return 1
	CRI="$S/cri.sock"
	wait_for 10 helpers_are "$CRI_STANDBYS"
}
helpers() { pgrep -P "$CORRALD_PID" -x corral-cri | wc -l; }
# the CPU (clock ticks) of corrald's children it has reaped: a corral-cri's
# once goes_on has seen it gone
reaped_cpu() { awk '{print $16 + $17}' "/proc/$CORRALD_PID/stat"; }
helpers_are() { [ "$(helpers)" -eq "$1" ]; }
# attack NAME [ARG]: h2_attack.py's JSON, with corrald's corral-cri watched
attack() { "$PY" "$CRIDIR/h2_attack.py" "$CRI" "$@" --watch "$CORRALD_PID"; }
# ccall METHOD JSON: one call of grpc's client, its answer as JSON
ccall() { CRI_PB="$CRI_PB" "$PY" "$CRIDIR/cri_call.py" --sock "$CRI" --timeout 60 "$@"; }
# j FILTER JSON: a value of the attack's answer (jc: as JSON)
j() { jq -r "$1" <<<"$2"; }
jc() { jq -c "$1" <<<"$2"; }
# other_version: another client (grpc's) is answered
other_version() {
	local out
	out=$(CRI_PB="$CRI_PB" "$PY" "$CRIDIR/cri_call.py" --sock "$CRI" --timeout 10 Version 2>&1)
	assert_eq "$(jq -r .runtimeName <<<"$out" 2>/dev/null)" corral "another client's Version: $out"
}
# goes_on: corrald is the one started and answers, another client's call
# is answered, and no corral-cri serves the attacker any more; each ended
# well (corrald logs a helper's failure: a crash, a sanitizer's report, a
# system call its filter refused)
goes_on() {
	kill -0 "$CORRALD_PID" 2>/dev/null || fail "corrald ($CORRALD_PID) is gone"
	ctl ping >/dev/null || fail "corrald does not answer"
	other_version
	wait_for 10 helpers_are "$CRI_STANDBYS" || fail "corral-cri processes left: $(helpers), not $CRI_STANDBYS"
	! grep "corral-cri exited with" "$T/corrald.log" || fail "a corral-cri failed"
}
# small JSON WHAT [KB]: the attacker's corral-cri at its peak stayed under
# KB (CRI_MAX_KB); not under ASan, whose quarantine keeps freed memory
small() {
	local kb max=${3:-$CRI_MAX_KB}
	kb=$(j .watch.hwm_kb "$1")
	echo "$2: corral-cri's peak RSS $kb kB"
	case "$B" in *sanitize*) return 0 ;; esac
	[ "$kb" -lt "$max" ] || fail "$2: corral-cri's peak RSS $kb kB, past $max kB"
}

# Bytes nghttp2 cannot parse: the connection ends with the GOAWAY for the
# error at once, and its process with it. The CONTINUATION flood (HEADERS
# without END_HEADERS, then CONTINUATION frames for ever: CVE-2024-28182's
# pattern) is ended after nghttp2's 8, not after the 100000 sent.
test_cria_bytes_nghttp2_cannot_parse_end_the_connection() {
	trap cleanup_sv EXIT
	start_cri
	local a code out
	for a in garbage:PROTOCOL_ERROR oversize-frame:FRAME_SIZE_ERROR bad-hpack:COMPRESSION_ERROR \
		continuation:PROTOCOL_ERROR; do
		code=${a#*:} a=${a%%:*}
		out=$(attack "$a")
		echo "$a: $out"
		assert_eq "$(j .goaway.code "$out")" "$code" "$a: GOAWAY's code"
		assert_eq "$(j .closed "$out")" true "$a: the connection closed"
		[ "$(j '.secs < 5' "$out")" = true ] || fail "$a: closed after $(j .secs "$out") s"
		case $a in
		oversize-frame) assert_eq "$(j .goaway.debug "$out")" "too large frame size" "$a: GOAWAY's debug data" ;;
		continuation) [ "$(j '.continuations_sent < 100000' "$out")" = true ] || fail "the flood was read to its end" ;;
		esac
		goes_on
	done
}

# gRPC's framing is checked before a method runs, on each stream: the
# connection goes on after each refusal
test_cria_grpc_framing_is_refused_with_its_status() {
	trap cleanup_sv EXIT
	start_cri
	local out k
	out=$(attack framing)
	echo "$out" | jq -c 'del(.watch) | to_entries[]'
	for k in not_protobuf:INVALID_ARGUMENT compressed_flag:UNIMPLEMENTED grpc_encoding_gzip:UNIMPLEMENTED \
		short_prefix:INVALID_ARGUMENT two_messages:INVALID_ARGUMENT prefix_claims_more:INVALID_ARGUMENT \
		unknown_method:UNIMPLEMENTED unknown_service:UNIMPLEMENTED not_grpc:INVALID_ARGUMENT \
		socket_path_authority:OK get_method:UNIMPLEMENTED not_utf8:INVALID_ARGUMENT not_utf8_nested:INVALID_ARGUMENT \
		then:OK; do
		assert_eq "$(j ".${k%%:*}.status" "$out")" "${k#*:}" "${k%%:*}"
	done
	assert_contains "$(j .not_protobuf.message "$out")" "not a valid runtime.v1.VersionRequest" "a body that is not protobuf"
	assert_contains "$(j .unknown_method.message "$out")" "/runtime.v1.RuntimeService/NoSuchThing" "the method named"
	assert_eq "$(j .not_utf8.message "$out")" "Version: version is not UTF-8" "a string that is not UTF-8"
	assert_eq "$(j .not_utf8_nested.message "$out")" "ListContainers: filter.label_selector[0].value is not UTF-8" \
		"one in a map of a message, by its path"
	# a path longer than any method's: the stream is reset
	assert_eq "$(j .long_path.rst "$out")" INTERNAL_ERROR "a 4000-byte :path"
	goes_on
}

# A message's prefix that claims CRI_MAX_MESSAGE + 1 bytes is refused at
# the prefix, the body never sent; a message of exactly the bound is a
# valid VersionRequest and answered, one byte more is refused
test_cria_a_message_past_16_MiB_is_refused_at_its_prefix() {
	trap cleanup_sv EXIT
	start_cri
	local out
	out=$(attack claim-over)
	echo "claim-over: $out"
	assert_eq "$(j .status "$out")" RESOURCE_EXHAUSTED "a prefix past the bound"
	assert_eq "$(j .message "$out")" "a message of 16777217 bytes, past the bound of 16777216" "its message"
	[ "$(j '.secs < 2' "$out")" = true ] || fail "refused after $(j .secs "$out") s, not at the prefix"
	assert_eq "$(j .then.status "$out")" OK "the connection's next call"
	out=$(attack message 16777216)
	echo "16 MiB: $out"
	assert_eq "$(j .status "$out")" OK "a VersionRequest of exactly 16 MiB"
	small "$out" "a 16 MiB message"
	out=$(attack message 16777217)
	echo "16 MiB + 1: $out"
	assert_eq "$(j .status "$out")" RESOURCE_EXHAUSTED "a VersionRequest of 16 MiB + 1"
	assert_eq "$(j .then.status "$out")" OK "the connection's next call"
	goes_on
}

# A StatusRequest of a million unknown fields (2 MB on the wire, a
# protobuf-c block each) and one of 16 MiB of them: refused once unpacking
# passes its 64 MiB budget, counted as memory is (a block's overhead
# included); a few thousand are answered, as proto3 ignores them
test_cria_unpacking_stays_within_its_budget() {
	trap cleanup_sv EXIT
	start_cri
	local out n
	out=$(attack unknown-fields 1000)
	assert_eq "$(j .status "$out")" OK "1000 unknown fields: $out"
	for n in 1000000 8388605; do
		out=$(attack unknown-fields $n)
		echo "$n unknown fields: $out"
		assert_eq "$(j .status "$out")" RESOURCE_EXHAUSTED "$n unknown fields"
		assert_eq "$(j .message "$out")" "Status: the request unpacks past the 67108864 bytes requests may hold" "its message"
		assert_eq "$(j .then.status "$out")" OK "the connection's next call"
		small "$out" "$n unknown fields"
	done
	goes_on
}

# A header block past 64 KiB: of many small fields or of one large one
# (nghttp2 takes up to 64 KiB a string), each with its DATA right behind;
# the stream is reset and the connection goes on
test_cria_header_blocks_past_64_KiB_reset_their_stream() {
	trap cleanup_sv EXIT
	start_cri
	local out
	out=$(attack headers)
	echo "$out"
	assert_eq "$(j .many_fields.rst "$out")" INTERNAL_ERROR "70 fields of 1 KB"
	assert_eq "$(j .one_field.rst "$out")" INTERNAL_ERROR "one field of 80 KB"
	assert_eq "$(j .then.status "$out")" OK "the connection's next call"
	goes_on
}

# 1000 calls at once, past the 128 streams corral-cri allows: before the
# client has acknowledged that bound, each stream past it is refused
# (RST_STREAM REFUSED_STREAM) and the connection goes on; after, opening
# one more is a connection error (nghttp2's GOAWAY), as RFC 9113 allows
test_cria_streams_past_128_are_refused() {
	trap cleanup_sv EXIT
	start_cri
	local out
	out=$(attack streams 1000)
	echo "before the ACK: $out"
	[ "$(j '.ok >= 128 and .refused > 0 and .ok + .refused == 1000' "$out")" = true ] ||
		fail "1000 streams: $(j .ok "$out") answered, $(j .refused "$out") refused, others: $(jc .other "$out")"
	assert_eq "$(j .then.status "$out")" OK "the connection's next call"
	out=$(attack streams-acked 1000)
	echo "after the ACK: $out"
	assert_eq "$(j .goaway.code "$out")" PROTOCOL_ERROR "past the acknowledged bound"
	assert_eq "$(j .goaway.debug "$out")" "request HEADERS: max concurrent streams exceeded" "GOAWAY's debug data"
	assert_eq "$(j .closed "$out")" true "the connection closed"
	goes_on
}

# Rapid reset (CVE-2023-44487): a call's HEADERS, then its RST_STREAM.
# Within nghttp2's burst (1000) the connection goes on and answers; past
# it, the connection ends; its corral-cri's CPU stays under a second
# either way.
test_cria_rapid_reset_ends_the_connection() {
	trap cleanup_sv EXIT
	start_cri
	local out cpu
	cpu=$(reaped_cpu)
	out=$(attack rapid-reset 900)
	echo "900: $out"
	assert_eq "$(j .goaway "$out")" null "900 resets: a GOAWAY"
	assert_eq "$(j .then.status "$out")" OK "after 900 resets, a call on the connection"
	goes_on
	echo "900 resets: $(($(reaped_cpu) - cpu)) ticks of CPU"
	[ $(($(reaped_cpu) - cpu)) -lt "$(getconf CLK_TCK)" ] || fail "900 resets cost $(($(reaped_cpu) - cpu)) ticks"
	cpu=$(reaped_cpu)
	out=$(attack rapid-reset 100000)
	echo "100000: $out"
	assert_eq "$(j .goaway.code "$out")" INTERNAL_ERROR "past the reset rate"
	[ "$(j '.resets_sent < 10000 and .secs < 5' "$out")" = true ] || fail "the resets went on: $out"
	goes_on
	echo "100000 resets: $(($(reaped_cpu) - cpu)) ticks of CPU"
	[ $(($(reaped_cpu) - cpu)) -lt "$(getconf CLK_TCK)" ] || fail "the resets cost $(($(reaped_cpu) - cpu)) ticks"
}

# A client asks for answers for 4 s and reads none. With the server's
# SETTINGS acknowledged unread, the streams past its bound end the
# connection: a GOAWAY that the socket takes ends it there; one that it
# cannot take (the socket full of answers) leaves corral-cri reading on
# and dropping what comes, no larger at the end than at half time. Never acknowledged,
# each stream past the bound is refused with a frame that cannot be sent:
# past 4096 of them, the client is let go. Either way corral-cri holds a
# few MB, another client is answered, and the process ends with the
# connection.
test_cria_a_client_that_never_reads_holds_little() {
	trap cleanup_sv EXIT
	start_cri
	local out
	never_reads no-read
	out=$(cat "$T/no-read.json")
	if [ "$(j .watch_mid "$out")" = null ]; then
		assert_eq "$(j .send_failed "$out")" true "the connection, when it did not last to half time"
	else case "$B" in *sanitize*) ;; *)
		[ "$(j '.watch.hwm_kb - .watch_mid.hwm_kb' "$out")" -lt 1024 ] ||
			fail "corral-cri grew from $(j .watch_mid.hwm_kb "$out") kB at half time to $(j .watch.hwm_kb "$out") kB"
	esac fi
	never_reads no-read-no-ack
	assert_eq "$(j .send_failed "$(cat "$T/no-read-no-ack.json")")" true "never acknowledged: the client let go"
}
# never_reads ATTACK: the attack for 4 s (its JSON in $T/ATTACK.json), and
# another client's call meanwhile
never_reads() {
	(sleep 0.5 && other_version) >"$T/other" 2>&1 &
	local other=$! out
	out=$(attack "$1" 4)
	echo "$1: $out"
	echo "$out" >"$T/$1.json"
	wait "$other" || fail "$1: another client, meanwhile: $(cat "$T/other")"
	[ "$(j .requests_sent "$out")" -gt 128 ] || fail "$1: only $(j .requests_sent "$out") calls sent"
	small "$out" "$1" $((16 * 1024))
	goes_on
}

# A client that opens no window (SETTINGS_INITIAL_WINDOW_SIZE 0) and asks
# 96 ExecSync calls (32 in each of three containers, as many as one runs at
# once) that answer 2 MB each: corral-cri holds at most 64 MiB of them
# (requests and answers not read, in all), the calls past that fail with
# RESOURCE_EXHAUSTED and why, and those held come whole once the window
# opens. Before, it held every answer (192 MB here; 128 calls of 16 MiB, 2
# GiB, a connection).
test_cria_answers_held_for_a_closed_window_are_bounded() {
	trap cleanup_sv EXIT
	start_cri
	ctl image import "oci:$FIXTURES/images/oci:test" busybox:latest >/dev/null
	local pod cid cids="" out i
	pod=$(ccall RunPodSandbox '{"config":{"metadata":{"name":"w","namespace":"n","uid":"w"}}}' | jq -r .podSandboxId)
	for i in 0 1 2; do
		cid=$(ccall CreateContainer '{"podSandboxId":"'"$pod"'","config":{"metadata":{"name":"c'$i'"},"image":{"image":"busybox:latest"},"command":["sleep","1000"]}}' |
			jq -r .containerId)
		ccall StartContainer '{"containerId":"'"$cid"'"}' >/dev/null || fail "StartContainer"
		cids=$cids${cids:+,}$cid
	done
	out=$(attack zero-window "$cids 32 1000000")
	echo "zero-window: $out"
	[ "$(j '.statuses.OK' "$out")" -ge 16 ] || fail "too few calls held: $(jc .statuses "$out")"
	[ "$(j '.statuses.RESOURCE_EXHAUSTED' "$out")" -ge 16 ] || fail "too few refused: $(jc .statuses "$out")"
	assert_eq "$(j '.statuses.OK + .statuses.RESOURCE_EXHAUSTED' "$out")" 96 "every call held or refused"
	assert_eq "$(j .ok_with_all_bytes "$out")" "$(j .statuses.OK "$out")" "each held answer came whole once the window opened"
	assert_eq "$(jc .messages "$out")" '["ExecSync: the connection holds 64 MiB of answers and requests its client has not read"]' \
		"the refusal says why"
	assert_eq "$(j .before.data_bytes "$out")" 0 "nothing sent through a closed window"
	assert_eq "$(j .then.status "$out")" OK "the connection goes on"
	# the 64 MiB held, what comes from corrald meanwhile, the process: not the 192 MB asked
	small "$(jq -c '{watch: .held}' <<<"$out")" zero-window $((176 * 1024))
	ccall RemovePodSandbox '{"podSandboxId":"'"$pod"'"}' >/dev/null
	goes_on
}

# A member holds 32 CRI connections at most: the 33rd is refused before a
# process is started for it, with HTTP/2's SETTINGS and a GOAWAY that says
# why; root and another member connect meanwhile
test_cria_a_member_holds_at_most_32_connections() {
	trap cleanup_sv EXIT
	start_cri group
	mkfifo "$T/hold"
	as_uid 4242 "$PY" "$CRIDIR/h2_attack.py" "$CRI" connections 33 --hold <"$T/hold" >"$T/out" &
	local holder=$!
	exec 7>"$T/hold"
	wait_for 30 test -s "$T/out"
	local out
	out=$(cat "$T/out")
	echo "$out"
	assert_eq "$(j .ok "$out")" 32 "connections served"
	assert_eq "$(j '.refused[0].index' "$out")" 33 "the one refused"
	assert_eq "$(j '.refused[0].goaway.code' "$out")" ENHANCE_YOUR_CALM "its GOAWAY"
	assert_eq "$(j '.refused[0].goaway.debug' "$out")" "uid 4242 has 32 CRI connections open, the most one member may" "its debug data"
	assert_eq "$(helpers)" $((32 + CRI_STANDBYS)) "corral-cri processes"
	other_version
	out=$(as_uid 4343 "$PY" "$CRIDIR/h2_attack.py" "$CRI" version)
	assert_eq "$(j .status "$out")" OK "another member: $out"
	exec 7>&-
	wait "$holder"
	goes_on
}

# A uid outside corrald's group: the socket's mode keeps it out, and where
# the mode lets it in, corrald closes the connection before a process is
# started for it
test_cria_a_uid_outside_the_group_is_refused() {
	trap cleanup_sv EXIT
	start_cri group
	local out
	out=$(setpriv --reuid 4444 --regid 4444 --clear-groups "$PY" "$CRIDIR/h2_attack.py" "$CRI" version)
	assert_eq "$(j .connect_error "$out")" "Permission denied" "the socket's mode"
	chmod 666 "$CRI"
	out=$(setpriv --reuid 4444 --regid 4444 --clear-groups "$PY" "$CRIDIR/h2_attack.py" "$CRI" version)
	echo "$out"
	assert_eq "$(j .closed "$out")" true "the connection closed"
	assert_eq "$(jc .frames "$out")" "{}" "frames before the close"
	grep -q "cri socket: uid 4444 is not in corrald's group; refused" "$T/corrald.log" || fail "no log line for uid 4444"
	assert_eq "$(helpers)" "$CRI_STANDBYS" "corral-cri processes"
	goes_on
}

# grpc-timeout: a deadline already past ("0S", "1n") ends a call that asks
# corrald with DEADLINE_EXCEEDED (unless corrald's answer comes first: each
# is tried 20 times), one answered at once is OK; a value that is not
# gRPC's is ignored. None waits.
test_cria_grpc_timeouts_never_hang() {
	trap cleanup_sv EXIT
	start_cri
	local out k
	out=$(attack timeouts)
	echo "$out" | jq -c 'del(.watch, .total_secs, .then) | to_entries[] | [.key, .value.statuses, .value.secs]'
	[ "$(j '[to_entries[] | select(.value | objects | .secs >= 5)] | length' "$out")" = 0 ] ||
		fail "calls that waited: $(jc '[to_entries[] | select(.value | objects | .secs >= 5) | .key]' "$out")"
	for k in "Status 0S" "Status 0n" "Status 1n" "Status 1u"; do
		assert_eq "$(j ".\"$k\".statuses | del(.OK, .DEADLINE_EXCEEDED) | length" "$out")" 0 "$k: statuses"
		[ "$(j ".\"$k\".statuses.DEADLINE_EXCEEDED // 0" "$out")" -ge 1 ] || fail "$k: never DEADLINE_EXCEEDED in 20 calls"
	done
	for k in "Status 30S" "Status 99999999H" "Status abc" "Status 1x" "Status " "Status S" "Status -1S" \
		"Status 123456789S" "Status 1.5S" "Version 30S" "Version abc" "Version -1S"; do
		assert_eq "$(jc ".\"$k\".statuses" "$out")" '{"OK":1}' "$k"
	done
	for k in "Version 0S" "Version 0n" "Version 1n" "Version 1u"; do
		assert_eq "$(jc ".\"$k\".statuses" "$out")" '{"OK":20}' "$k"
	done
	assert_eq "$(j .then.status "$out")" OK "the connection's next call"
	goes_on
}

# The process that serves a connection runs as cri-user, with no
# capability and no way to gain one, under its seccomp filter; so do the
# standbys, confined before they take a connection
test_cria_the_process_is_confined() {
	trap cleanup_sv EXIT
	start_cri
	mkfifo "$T/hold"
	"$PY" "$CRIDIR/h2_attack.py" "$CRI" version --hold <"$T/hold" >"$T/out" &
	local holder=$!
	exec 7>"$T/hold"
	wait_for 10 test -s "$T/out"
	assert_eq "$(j .status "$(cat "$T/out")")" OK "the held connection's call"
	assert_eq "$(helpers)" $((CRI_STANDBYS + 1)) "corral-cri processes"
	local p got
	for p in $(pgrep -P "$CORRALD_PID" -x corral-cri); do
		got=$(awk '/^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):/ {$1 = $1; print}' "/proc/$p/status")
		assert_eq "$got" "Uid: 65533 65533 65533 65533
Gid: 65533 65533 65533 65533
Groups:
CapInh: 0000000000000000
CapPrm: 0000000000000000
CapEff: 0000000000000000
CapBnd: 0000000000000000
CapAmb: 0000000000000000
NoNewPrivs: 1
Seccomp: 2" "corral-cri $p"
	done
	exec 7>&-
	wait "$holder"
	goes_on
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
