#!/bin/bash
# corrald and AppArmor: where it is on, its containers run under its own
# profile, corral-default, loaded at startup; root may name another or
# unconfined; a group member may name none. Where it is off (this host),
# no profile is put in a container's config.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"

apparmor_on() {
	[ -d /sys/kernel/security/apparmor ] && grep -q '^Y' /sys/module/apparmor/parameters/enabled 2>/dev/null
}
config_of() { jq -r "$2" "$STATE_D/containers/$(ctl --json inspect "$1" | jq -r '.[0].id')/config.json"; }

test_sva_default_profile_and_who_may_choose() {
	trap cleanup_sv EXIT
	start_sv_group
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	# a member names no profile: unconfined, nor any other
	local p out
	for p in unconfined corral-default; do
		out=$(mctl 65534 call CreateContainer "{\"spec\":{\"image\":\"app:1\",\"apparmorProfile\":\"$p\"}}" 2>&1) &&
			fail "a member's apparmorProfile $p was accepted"
		assert_contains "$out" "io.corral.Supervisor.PolicyViolation" "member's $p: the error"
		assert_contains "$out" '"field":"spec.apparmorProfile"' "member's $p: the field"
	done
	# and as podman spells it
	out=$(mctl 65534 run --security-opt apparmor=unconfined app:1 true 2>&1) && fail "a member's --security-opt ran"
	assert_contains "$out" "spec.apparmorProfile" "member's --security-opt: the field"
	out=$(ctl run --security-opt bogus=1 app:1 true 2>&1) && fail "an unknown --security-opt ran"
	assert_eq "$out" "corralctl: invalid --security-opt bogus=1: unknown option (known: no-new-privileges, apparmor=, seccomp=, label=, systempaths=unconfined)" "unknown --security-opt"
	[ -z "$(ls "$STATE_D/containers")" ] || fail "a refused request left a directory"
	if ! apparmor_on; then
		# root's profile is refused at Create, as the runtime would refuse it at start
		out=$(ctl create --name named --security-opt apparmor=web app:1 true 2>&1) && fail "a profile was taken where AppArmor is off"
		assert_contains "$out" 'apparmorProfile: "web": AppArmor is not enabled on this host' "root's profile, AppArmor off"
		[ -z "$(ls "$STATE_D/containers")" ] || fail "the refused profile left a directory"
		ctl create --name plain app:1 true >/dev/null
		assert_eq "$(config_of plain .process.apparmorProfile)" null "no profile where AppArmor is off"
		return 0
	fi
	# AppArmor on: the default profile, enforced, and root's choice
	grep -q '^corral-default (enforce)' /sys/kernel/security/apparmor/profiles || fail "corral-default is not loaded"
	ctl run -d --name conf app:1 sleep 1000 >/dev/null
	assert_eq "$(config_of conf .process.apparmorProfile)" corral-default "the default in the config"
	assert_eq "$(settled "corral-default (enforce)" ctl exec conf cat /proc/1/attr/current)" "corral-default (enforce)" "the container's profile"
	out=$(ctl exec conf sh -c 'echo c >/proc/sysrq-trigger' 2>&1) && fail "the profile let /proc/sysrq-trigger be written"
	ctl run -d --name free --security-opt apparmor=unconfined app:1 sleep 1000 >/dev/null
	assert_eq "$(settled unconfined ctl exec free cat /proc/1/attr/current)" unconfined "root's unconfined"
	ctl run -d --name priv --privileged app:1 sleep 1000 >/dev/null
	assert_eq "$(settled unconfined ctl exec priv cat /proc/1/attr/current)" unconfined "privileged"
	# a profile the kernel has not loaded is refused at Create, naming it,
	# as containerd and CRI-O refuse it (critest's "unloaded profile")
	local before
	before=$(ls "$STATE_D/containers" | wc -l)
	out=$(ctl create --name unloaded --security-opt apparmor=corral-no-such-profile app:1 true 2>&1) &&
		fail "an unloaded profile was taken"
	assert_contains "$out" 'apparmorProfile: "corral-no-such-profile" is not loaded' "an unloaded profile"
	assert_eq "$(ls "$STATE_D/containers" | wc -l)" "$before" "the refused profile left a directory"
}

# the policy's apparmor_profile: the admin's profile instead of corral-default
test_sva_policy_names_the_profile() {
	apparmor_on || skip "AppArmor is off on this host (the VM tier boots a kernel with it on)"
	command -v apparmor_parser >/dev/null || skip "apparmor_parser is missing (tests/deps.sh installs apparmor)"
	trap 'cleanup_sv; apparmor_parser -R "$T/site" >/dev/null 2>&1; true' EXIT
	printf 'profile corral-test-site flags=(attach_disconnected,mediate_deleted) {\n  file,\n  capability,\n  signal,\n  unix,\n}\n' >"$T/site"
	apparmor_parser -r -K "$T/site" || fail "apparmor_parser could not load the site profile"
	echo '{"apparmor_profile": "corral-test-site"}' >"$T/p.json"
	start_sv --policy "$T/p.json"
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	ctl run -d --name site app:1 sleep 1000 >/dev/null
	assert_eq "$(settled "corral-test-site (enforce)" ctl exec site cat /proc/1/attr/current)" "corral-test-site (enforce)" "the policy's profile"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do run_test "$t"; done
