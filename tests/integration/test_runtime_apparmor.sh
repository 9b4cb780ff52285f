#!/bin/bash
# AppArmor: process.apparmorProfile and exec --apparmor, side by side with
# runc. Where AppArmor is off (this host), a profile is refused as runc
# refuses it; where it is on (the VM tier boots Debian's kernel with it),
# the profile is applied at the process's exec and enforced.
# time: in the VM tier about 70 s: apparmor_parser compiles the test profile, and each case runs runc and corral side by side, under TCG
. "$(dirname "$0")/lib.sh"

AA_PROFILE=corral-test-deny

apparmor_on() {
	[ -d /sys/kernel/security/apparmor ] && grep -q '^Y' /sys/module/apparmor/parameters/enabled 2>/dev/null
}
need_apparmor() {
	apparmor_on || skip "AppArmor is off on this host (the VM tier boots a kernel with it on)"
	command -v apparmor_parser >/dev/null || skip "apparmor_parser is missing (tests/deps.sh installs apparmor)"
	command -v runc >/dev/null || skip "runc is not installed (tests/deps.sh installs it)"
}

# A profile that allows everything a container does but reading /secret;
# loaded for the test, unloaded by the caller's trap.
load_deny_profile() {
	cat >"$T/profile" <<EOF
profile $AA_PROFILE flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  ptrace,
  unix,
  mount,
  umount,
  pivot_root,
  deny /secret r,
}
EOF
	apparmor_parser -r -K "$T/profile" || fail "apparmor_parser could not load the test profile"
}

# A sleeper with the profile and a readable /secret, under runc ($TID-r) and corral ($TID).
start_both() {
	echo the-secret >"$T/secret"
	mkbundle sleep 300
	cfg --arg s "$T/secret" --arg p "$AA_PROFILE" '.process.apparmorProfile=$p |
		.mounts += [{"destination":"/secret","type":"bind","source":$s,"options":["bind","ro"]}]'
	(cd "$BUNDLE" && runc --root "$T/runc" run -d "$TID-r" </dev/null >/dev/null 2>&1) || fail "runc run -d"
	(cd "$BUNDLE" && cr run -d "$TID" </dev/null >/dev/null) || fail "corral run -d"
}

# refused_with_profile PROFILE ERROR: corral's run of the bundle with that
# profile fails with that one line and leaves no state
refused_with_profile() {
	cfg --arg p "$1" '.process.apparmorProfile=$p'
	local out
	if out=$(run_ctr "$TID" 2>&1); then fail "a run with profile $1 ran"; fi
	assert_eq "$out" "corral: run $TID: $2" "the refusal of profile $1"
	[ -z "$(ls "$STATE" 2>/dev/null)" ] || fail "the refused create left state: $(ls "$STATE")"
}

test_a_profile_where_apparmor_is_off_is_refused() {
	apparmor_on && skip "AppArmor is on here: the refusal is for hosts without it"
	mkbundle true
	refused_with_profile web "config.json: process.apparmorProfile: \"web\": AppArmor is not enabled on this host"
	if command -v runc >/dev/null; then
		if (cd "$BUNDLE" && runc --root "$T/runc" run "$TID-r" </dev/null >/dev/null 2>&1); then
			runc --root "$T/runc" delete -f "$TID-r" >/dev/null 2>&1
			fail "runc ran it: the reference has changed"
		fi
	fi
	# exec: --apparmor, and a process file's profile
	cfg '.process.apparmorProfile="" | .process.args=["sleep","30"]'
	(cd "$BUNDLE" && cr run -d "$TID" </dev/null) || fail "run -d without a profile"
	out=$(cr exec --apparmor web "$TID" true 2>&1) && fail "exec --apparmor ran"
	assert_eq "$out" "corral: exec $TID: --apparmor: \"web\": AppArmor is not enabled on this host" "exec --apparmor"
	echo '{"args":["true"],"cwd":"/","user":{"uid":0,"gid":0},"apparmorProfile":"web"}' >"$T/p.json"
	out=$(cr exec -p "$T/p.json" "$TID" 2>&1) && fail "exec -p with a profile ran"
	assert_eq "$out" "corral: exec $TID: process.apparmorProfile: \"web\": AppArmor is not enabled on this host" "exec -p"
	cr exec --apparmor "" "$TID" true || fail "an empty --apparmor is none"
	assert_eq "$("$CORRAL" features | jq .linux.apparmor.enabled)" false "features"
	cr delete -f "$TID"
}

# The issue's four cases, each against runc in the same boot: run gets the
# profile and it is enforced; exec gets the container's; exec --apparmor
# its own; a process file without one gets the container's.
test_profile_applied_and_enforced_as_runc() {
	need_apparmor
	trap 'runc --root "$T/runc" delete -f "$TID-r" >/dev/null 2>&1; apparmor_parser -R "$T/profile" >/dev/null 2>&1; true' EXIT
	load_deny_profile
	assert_eq "$("$CORRAL" features | jq .linux.apparmor.enabled)" true "features"
	start_both
	local rt run id got want="$AA_PROFILE (enforce)"
	echo '{"args":["cat","/proc/self/attr/current"],"cwd":"/","user":{"uid":0,"gid":0},"env":["PATH=/bin:/usr/bin"]}' >"$T/p.json"
	for rt in runc corral; do
		if [ $rt = runc ]; then run=(runc --root "$T/runc"); id=$TID-r; else run=(cr); id=$TID; fi
		got=$(settled "$want" "${run[@]}" exec "$id" cat /proc/1/attr/current)
		assert_eq "$got" "$want" "the init's profile under $rt"
		got=$("${run[@]}" exec "$id" cat /proc/self/attr/current)
		assert_eq "$got" "$want" "exec's profile under $rt"
		if got=$("${run[@]}" exec "$id" cat /secret 2>&1); then fail "$rt: /secret was read: $got"; fi
		assert_contains "$got" "Permission denied" "the denied file under $rt"
		got=$("${run[@]}" exec --apparmor unconfined "$id" sh -c 'cat /proc/self/attr/current; cat /secret')
		assert_eq "$got" "unconfined
the-secret" "exec --apparmor unconfined under $rt"
		# a process file that names no profile: runc takes it whole and runs
		# the process unconfined (moby#36456: the engines name the profile in
		# the file); corral never gives an exec less than its container's
		got=$("${run[@]}" exec -p "$T/p.json" "$id")
		[ $rt = corral ] && assert_eq "$got" "$want" "exec -p without a profile under corral"
	done
	# with holes in the fds passed on, none of the runtime's own (the host's
	# /proc, the attribute it wrote) takes one
	got=$(cr exec --preserve-fds 3 "$TID" sh -c 'for f in 3 4 5; do [ -e /proc/self/fd/$f ] && echo "fd $f open"; done; true' 3<"$T/p.json")
	assert_eq "$got" "fd 3 open" "fds 3 to 5 of an exec with --preserve-fds 3 and only fd 3 open"
	# run in the foreground: the process itself reads its profile and is
	# denied. Each stream apart: runc relays stdout and stderr through a
	# pipe each, so their order in one pipe is its copiers'
	cfg '.process.args=["sh","-c","cat /proc/self/attr/current; cat /secret || echo denied"]'
	want=$(cd "$BUNDLE" && runc --root "$T/runc" run "$TID-f" </dev/null 2>"$T/runc.err")
	got=$(run_ctr "$TID-f" 2>"$T/corral.err") || fail "corral run: $got $(cat "$T/corral.err")"
	assert_eq "$got" "$want" "run's stdout under corral and under runc"
	assert_eq "$(cat "$T/corral.err")" "$(cat "$T/runc.err")" "run's stderr under corral and under runc"
	assert_eq "$got" "$AA_PROFILE (enforce)
denied" "run's profile and its denied file"
	assert_contains "$(cat "$T/corral.err")" "Permission denied" "run's denied file"
	cfg '.process.args=["sh","-c","for f in 3 4 5; do [ -e /proc/self/fd/$f ] && echo \"fd $f open\"; done; true"]'
	got=$(cd "$BUNDLE" && cr run --preserve-fds 3 "$TID-p" 3<"$T/p.json" </dev/null)
	assert_eq "$got" "fd 3 open" "fds 3 to 5 of a run with --preserve-fds 3 and only fd 3 open"
	cr delete -f "$TID"
}

test_a_profile_that_is_not_loaded() {
	need_apparmor
	mkbundle true
	refused_with_profile corral-no-such-profile "AppArmor profile \"corral-no-such-profile\": no profile of that name is loaded"
	if (cd "$BUNDLE" && runc --root "$T/runc" run "$TID-r" </dev/null >/dev/null 2>&1); then
		runc --root "$T/runc" delete -f "$TID-r" >/dev/null 2>&1
		fail "runc ran it: the reference has changed"
	fi
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do run_test "$t"; done
