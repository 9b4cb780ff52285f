#!/bin/bash
# Names are checked whole (issue 43, item 7). A NUL in any string of a call
# ("\u0000", which yajl decodes into the middle of a C string) is refused
# where the call is parsed, with InvalidParameter naming the parameter, for
# every method (nul_walk.py walks them all from corrald's own interface
# description); a control byte or an over-long value in a string that names
# something is refused with its field; free text keeps its tabs and
# newlines. Before: ImagePull of .../t/good\u0000:1 pulled .../t/good:latest,
# and Login to 127.0.0.1:5800\u0000x was kept as 127.0.0.1:5800.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/registry_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"
WALK="$ROOTDIR/tests/integration/nul_walk.py"
VLCALL="$B/tests/helpers/vlcall"
SV=io.corral.Supervisor

# vl METHOD PARAMS-JSON: one call's reply, on one line (PARAMS-JSON is sent
# as written: "\u0000" stays an escape)
vl() { "$VLCALL" "$SOCK" "{\"method\":\"$SV.$1\",\"parameters\":$2}"; }

# refused REPLY FIELD WHY: InvalidParameter naming FIELD, its reason holding WHY
refused() {
	assert_eq "$(echo "$1" | jq -r .error)" "$SV.InvalidParameter" "error of [$1]"
	assert_eq "$(echo "$1" | jq -r .parameters.parameter)" "$2" "parameter of [$1]"
	assert_contains "$(echo "$1" | jq -r .parameters.reason)" "$3" "reason of [$1]"
}

# Every string parameter of every method, with a NUL, as root and as a
# member of the access group: refused naming it, the connection kept.
test_snul_walk_every_method() {
	trap cleanup_sv EXIT
	start_sv_group
	/usr/bin/python3 "$WALK" "$SOCK" >"$T/walk-root.out" 2>&1 || { cat "$T/walk-root.out" >&2; fail "the walk as root"; }
	as_uid 4242 /usr/bin/python3 "$WALK" "$SOCK" >"$T/walk-member.out" 2>&1 ||
		{ grep BREACH "$T/walk-member.out" >&2; fail "the walk as a member"; }
	tail -n 1 "$T"/walk-*.out
	grep -q "^walked [1-9][0-9] methods, [1-9][0-9][0-9]* calls .*, 0 breaches" "$T/walk-root.out" || fail "the walk did not run"
	# a NUL outside the parameters is no call to answer: the peer is hung up on
	local out rc=0
	out=$("$VLCALL" "$SOCK" "{\"method\":\"$SV.Ping\\u0000x\"}") || rc=$?
	assert_eq "$rc" 3 "a method name with a NUL: hung up [$out]"
	ctl ping >/dev/null || fail "corrald does not answer after the walk"
	grep -q 'holds a NUL' "$T/corrald.log" || fail "corrald did not log the NUL in a method's name"
}

# The findings: the pull and the login that a NUL cut short.
test_snul_pull_and_login_not_cut() {
	for t in openssl nsenter unshare; do
		command -v $t >/dev/null || skip "$t is not installed (tests/deps.sh installs it)"
	done
	trap 'cleanup_sv; reg_cleanup' EXIT
	reg_setup
	reg_start_hostile h
	cat >"$T/corrald-netns" <<-WRAP
	#!/bin/sh
	exec nsenter --net="$T/netns" "$B/bin/corrald" "\$@"
	WRAP
	chmod +x "$T/corrald-netns"
	CORRALD="$T/corrald-netns" start_sv --registry-insecure "$REG_h"
	local out
	out=$(vl ImagePull "{\"reference\":\"$REG_h/t/good\\u0000:1\"}")
	refused "$out" reference "NUL"
	assert_eq "$(ctl --json images | jq length)" 0 "no image pulled"
	grep -q "/v2/t/good/" "$REG_LOG_h" && fail "the registry was asked for t/good: $(grep /v2/t/good/ "$REG_LOG_h" | head -2)"
	out=$(vl Login "{\"registry\":\"$REG_h\\u0000x\",\"username\":\"u\",\"password\":\"p\"}")
	refused "$out" registry "NUL"
	out=$(vl Login '{"registry":"127.0.0.1:5800\u0000x","username":"u","password":"p"}')
	refused "$out" registry "NUL"
	out=$(vl Logout "{\"registry\":\"$REG_h\\u0000x\"}")
	refused "$out" registry "NUL"
	[ -z "$(ls "$STATE_D/logins" 2>/dev/null | grep -v '^key$')" ] || fail "a login was kept: $(ls "$STATE_D/logins")"
	# the same registry, named whole, is pulled from
	assert_contains "$(ctl pull "$REG_h/t/good:1" 2>&1)" "$REG_h/t/good:1" "a pull named whole"
}

# Control bytes and over-long values in what names something are refused
# with the field; free text keeps its tabs and newlines.
test_snul_names_checked_whole() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" t:1 >/dev/null
	local long out
	long=$(printf 'a%.0s' $(seq 300))
	# a container's name with a control byte, at create and at rename
	out=$(vl CreateContainer '{"spec":{"image":"t:1","name":"web\u0001x","command":["true"]}}')
	refused "$out" spec.name "control byte"
	ctl create --name web t:1 true >/dev/null
	out=$(vl Rename '{"id":"web","name":"w\nx"}')
	refused "$out" name "control byte"
	out=$(vl Inspect '{"id":"web\u0007"}')
	refused "$out" id "control byte"
	out=$(vl Kill '{"id":"web","signal":"KILL\u001b"}')
	refused "$out" signal "control byte"
	# a 300-byte image name, wherever an image is named
	out=$(vl CreateContainer "{\"spec\":{\"image\":\"$long\",\"command\":[\"true\"]}}")
	refused "$out" spec.image "300 bytes"
	out=$(vl ImageInspect "{\"image\":\"$long:1\"}")
	refused "$out" image "300 bytes"
	out=$(vl JobSubmit "{\"job\":{\"image\":\"localhost/$long\",\"command\":[\"true\"]}}")
	refused "$out" job.image "310 bytes"
	out=$(vl ImageList "{\"names\":[\"t:1\",\"$long\"]}")
	refused "$out" "names[1]" "300 bytes"
	# what was taken before: a label's key, a list filter, a job's image
	out=$(vl SessionCreate '{"name":"s1","share":"uts","labels":{"k\u0001":"v"}}')
	refused "$out" labels "a key holds a control byte"
	out=$(vl List '{"labels":{"k\n":"v"}}')
	refused "$out" labels "a key holds a control byte"
	out=$(vl JobSubmit '{"job":{"image":"t:1\n","command":["true"]}}')
	refused "$out" job.image "control byte"
	out=$(vl SecretRemove "{\"name\":\"$long\"}")
	refused "$out" name "300 bytes"
	assert_eq "$(ctl --json session ls | jq length)" 0 "no session made"
	assert_eq "$(ctl --json job ls | jq length)" 0 "no job queued"
	# free text: a tab in env, a newline in an argument, in a state's value
	assert_eq "$(ctl run --rm -e "$(printf 'A=x\ty')" t:1 sh -c "$(printf 'printf "%%s|" "$A"\necho two')")" \
		"$(printf 'x\ty|two')" "a tab in env, a newline in an argument"
	ctl session create --share uts s2 >/dev/null
	out=$(vl SessionStateSet '{"name":"s2","key":"k","value":"[1,\n\t2]"}')
	assert_eq "$(echo "$out" | jq -r .error)" null "a state's value with a newline and a tab: [$out]"
	ctl session rm -f s2 >/dev/null
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
