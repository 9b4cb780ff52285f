#!/bin/bash
# Workloads pull their images as Kubernetes does (corral-kube(5)):
# imagePullPolicy Always, IfNotPresent and Never, counted in the
# registry's manifest GETs; its default by tag; ErrImagePull, then
# ImagePullBackOff, and a workload that recovers once its image is there;
# the policy's pull gate;
# imagePullSecrets against a registry with Basic auth, their values shown
# nowhere; and a member's workload that pulls with its own secrets and
# logins only. The registries and corrald share the test's netns
# (registry_lib.sh).
# time: about 80 s (6 cases): each pull policy of a Pod, against a registry of the tests' own
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/workloads_lib.sh"
. "$(dirname "$0")/network_lib.sh"
. "$(dirname "$0")/registry_lib.sh"

file_skip() {
	echo "SKIP test_supervisor_kube_pull.sh: $*"
	echo "skip test_supervisor_kube_pull" >>"$RESULTS"
	exit 0
}
for t in docker-registry skopeo htpasswd openssl jq nsenter unshare setpriv; do
	command -v $t >/dev/null || file_skip "$t is not installed (tests/deps.sh installs it)"
done
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
BB="oci:$FIXTURES/images/oci:test"

# start_kp MODE [corrald flags]: a registry "r" of MODE (tls or basic) with
# library/busybox:1 and :latest, and corrald beside it, trusting its CA
start_kp() {
	local mode=$1
	shift
	trap cleanup_workloads EXIT # reg_setup puts reg_cleanup in front
	reg_setup
	reg_start r "$mode" >/dev/null
	reg_push "$REG_r" "$BB" library/busybox:1
	reg_push "$REG_r" "$BB" library/busybox:latest
	start_sv_netns --default-network none --registry-certs-dir "$REG_CERTS_D" "$@"
}

# pod NAME IMAGE [POLICY [SECRET]]: a Pod of one sleeper, as kubectl users
# write one; POLICY "-" leaves imagePullPolicy out
pod() {
	cat <<-EOF
	apiVersion: v1
	kind: Pod
	metadata:
	  name: $1
	spec:
	  containers:
	  - name: main
	    image: $2
	    command: ["sleep", "1000"]
	EOF
	[ "${3:--}" = - ] || echo "    imagePullPolicy: $3"
	[ -z "${4:-}" ] || printf '  imagePullSecrets:\n  - name: %s\n' "$4"
}

manifest_gets() { reg_gets r /manifests/; }
replica_of() { ctl --json session ls | jq -r ".[] | select(.labels[\"io.corral.workload\"] == \"$1\") | .name"; }
other_replica() { local r; r=$(replica_of "$1"); [ -n "$r" ] && [ "$r" != "$2" ]; }
# replace NAME: its one replica removed by hand, and made again by the loop
replace() {
	local old
	old=$(replica_of "$1")
	ctl session rm -f "$old" >/dev/null
	wait_for 30 other_replica "$1" "$old" || fail "$1's replica was not made again"
	wait_for 60 converged "$1" 1 || fail "$1 did not converge again: $(ctl describe workload "$1")"
}
reason() { field "$1" reason; }
# mconverged UID NAME: the member's workload, as the member sees it
mconverged() { [ "$(mctl "$1" --json get workloads | jq -r ".[] | select(.name == \"$2\") | .status")" = converged ]; }
reason_has() { case "$(reason "$1")" in *"$2"*) return 0 ;; esac; return 1; }

# Always pulls each time a replica is made, and replicas made together
# share one pull; IfNotPresent pulls only what the store lacks; Never
# pulls nothing, and a missing image is ErrImageNeverPull.
test_kp_each_policy() {
	start_kp tls
	local img=$REG_r/library/busybox:1 one two
	reg_log_mark r
	pod always "$img" Always >"$T/always.yaml"
	ctl apply -f "$T/always.yaml" >/dev/null
	wait_for 60 converged always 1 || fail "Always did not converge: $(ctl describe workload always)"
	one=$(manifest_gets)
	[ "$one" -ge 1 ] || fail "Always pulled nothing"
	assert_eq "$(ctl --json ps | jq -r '.[0].image')" "$img" "the container runs the pulled image by its name"
	replace always
	assert_eq "$(manifest_gets)" $((2 * one)) "Always pulls again for a new replica"
	ctl delete workload always >/dev/null
	# three replicas made at once: one pull
	reg_log_mark r
	cat >"$T/three.yaml" <<-EOF
	apiVersion: apps/v1
	kind: Deployment
	metadata:
	  name: three
	spec:
	  replicas: 3
	  selector:
	    matchLabels: {app: three}
	  template:
	    metadata:
	      labels: {app: three}
	    spec:
	      containers:
	      - name: main
	        image: $img
	        imagePullPolicy: Always
	        command: ["sleep", "1000"]
	EOF
	ctl apply -f "$T/three.yaml" >/dev/null
	wait_for 60 converged three 3 || fail "three did not converge: $(ctl describe workload three)"
	assert_eq "$(manifest_gets)" "$one" "three replicas made together share one pull"
	ctl delete workload three >/dev/null
	# IfNotPresent: what the store lacks is pulled once
	reg_push "$REG_r" "$BB" library/busybox:2
	reg_log_mark r
	pod ifnp "$REG_r/library/busybox:2" IfNotPresent >"$T/ifnp.yaml"
	ctl apply -f "$T/ifnp.yaml" >/dev/null
	wait_for 60 converged ifnp 1 || fail "IfNotPresent did not converge: $(ctl describe workload ifnp)"
	two=$(manifest_gets)
	[ "$two" -ge 1 ] || fail "IfNotPresent did not pull the image the store lacked"
	replace ifnp
	assert_eq "$(manifest_gets)" "$two" "IfNotPresent does not pull what the store has"
	ctl delete workload ifnp >/dev/null
	# Never: the store's, and no GET; a missing one is ErrImageNeverPull
	reg_log_mark r
	pod never "$img" Never >"$T/never.yaml"
	ctl apply -f "$T/never.yaml" >/dev/null
	wait_for 60 converged never 1 || fail "Never did not converge on an image the store has"
	replace never
	pod never3 "$REG_r/library/busybox:3" Never >"$T/never3.yaml"
	reg_push "$REG_r" "$BB" library/busybox:3
	reg_log_mark r
	ctl apply -f "$T/never3.yaml" >/dev/null
	wait_for 10 backing_off never3 "ErrImageNeverPull: container image \"$REG_r/library/busybox:3\" is not present with pull policy of Never" ||
		fail "no ErrImageNeverPull while backing off: $(ctl describe workload never3)"
	assert_eq "$(manifest_gets)" 0 "Never made no GET"
	assert_eq "$(sessions_of never3)" 0 "no replica session made"
}

# No imagePullPolicy: Always for :latest or no tag, IfNotPresent for a tag.
test_kp_default_policy_by_tag() {
	start_kp tls
	local name img n
	for name in latest notag tagged; do
		case $name in
		latest) img=$REG_r/library/busybox:latest ;;
		notag) img=$REG_r/library/busybox ;;
		tagged) img=$REG_r/library/busybox:1 ;;
		esac
		pod "$name" "$img" >"$T/$name.yaml"
		assert_not_contains "$(cat "$T/$name.yaml")" imagePullPolicy "the manifest leaves it out"
		reg_log_mark r
		ctl apply -f "$T/$name.yaml" >/dev/null
		wait_for 60 converged "$name" 1 || fail "$name did not converge: $(ctl describe workload "$name")"
		n=$(manifest_gets)
		[ "$n" -ge 1 ] || fail "$name: the first replica pulled nothing"
		replace "$name"
		if [ "$name" = tagged ]; then
			assert_eq "$(manifest_gets)" "$n" "$name: IfNotPresent by default, not pulled again"
		else
			assert_eq "$(manifest_gets)" $((2 * n)) "$name: Always by default, pulled again"
		fi
		ctl delete workload "$name" >/dev/null
	done
}

# An image the registry lacks: ErrImagePull, then ImagePullBackOff, with
# no replica made; once pushed, the workload converges and says so.
test_kp_err_image_pull_then_backoff_then_recovers() {
	start_kp tls
	local img=$REG_r/library/late:1
	pod late "$img" >"$T/late.yaml"
	ctl apply -f "$T/late.yaml" >/dev/null
	wait_for 10 reason_has late "ErrImagePull: failed to pull image \"$img\": " ||
		fail "no ErrImagePull: $(ctl describe workload late)"
	# one answer says both: once the back-off is over, the next pull runs
	# (progressing) with the reason kept until it fails again, as the
	# kubelet keeps it, and a slow machine's next call can land there
	wait_for 10 backing_off late "ImagePullBackOff: back-off pulling image \"$img\": " ||
		fail "no ImagePullBackOff while backing off: $(ctl describe workload late)"
	assert_contains "$(ctl describe workload late)" "Reason:      ImagePullBackOff" "describe says it"
	assert_contains "$(ctl get workloads)" "ImagePullBackOff" "get workloads says it"
	assert_eq "$(sessions_of late)" 0 "no replica made"
	assert_contains "$(ctl events --since 5m --until 0s --filter type=workload)" "ErrImagePull" "the failures are events"
	# backed off, not spinning: a few tries in 4 s, not dozens
	local a1 a2
	a1=$(field late actions)
	sleep 4
	a2=$(field late actions)
	[ $((a2 - a1)) -le 3 ] || fail "the loop spins: $a1 then $a2 tries in 4 s"
	reg_push "$REG_r" "$BB" library/late:1
	wait_for 90 converged late 1 || fail "did not recover once the image was pushed: $(ctl describe workload late)"
	assert_eq "$(reason late)" null "no reason once converged"
	assert_eq "$(ctl --json ps | jq -r '.[0].image')" "$img" "it runs the pushed image"
}

# The policy's pull gate holds for the loop's pulls: a registry off
# images.registries is ErrImagePull (PolicyViolation), audited as the
# workload's user's ImagePull, and nothing reaches the registry.
test_kp_policy_gate() {
	echo '{"images": {"registries": ["registry.example.com"]}}' >"$T/policy.json"
	start_kp tls --policy "$T/policy.json"
	local img=$REG_r/library/busybox:1
	reg_log_mark r
	pod gated "$img" >"$T/gated.yaml"
	ctl apply -f "$T/gated.yaml" >/dev/null
	wait_for 10 reason_has gated "ErrImagePull: failed to pull image \"$img\": PolicyViolation: " ||
		fail "the policy did not refuse the pull: $(ctl describe workload gated)"
	assert_contains "$(reason gated)" "images.registries=[registry.example.com]" "the limit is named"
	assert_contains "$(grep PolicyViolation "$STATE_D/audit.log" | tail -1)" "io.corral.Supervisor.ImagePull" "audited as a pull"
	assert_eq "$(reg_gets r /v2/)" 0 "the registry saw nothing"
	assert_eq "$(sessions_of gated)" 0 "no replica made"
}

# A secret holding a dockerconfigjson, named in imagePullSecrets as
# kubectl users write it, pulls from a registry with Basic auth; without
# it the registry refuses. Its value is in no log, event, audit or answer.
test_kp_image_pull_secrets() {
	start_kp basic
	local img=$REG_r/library/busybox:1 auth
	auth=$(jq -r ".auths[\"$REG_r\"].auth" "$REG_AUTH_FILE")
	# as `kubectl create secret docker-registry` writes it
	jq -n --arg r "$REG_r" --arg u "$REG_USER" --arg p "$REG_PASS" --arg a "$auth" \
		'{auths: {($r): {username: $u, password: $p, auth: $a}}}' >"$T/cfg.json"
	ctl secret create regcred "$T/cfg.json" >/dev/null
	echo not-json-at-all-s3cr3t | ctl secret create notcfg - >/dev/null
	pod anon "$img" IfNotPresent >"$T/anon.yaml"
	ctl apply -f "$T/anon.yaml" >/dev/null
	wait_for 10 reason_has anon "ErrImagePull: failed to pull image \"$img\": " || fail "no ErrImagePull: $(ctl describe workload anon)"
	assert_contains "$(reason anon)" "log in to $REG_r first" "the registry refused an anonymous pull"
	# a Deployment exactly as kubectl users write one
	cat >"$T/private.yaml" <<-EOF
	apiVersion: apps/v1
	kind: Deployment
	metadata:
	  name: private
	  labels:
	    app: private
	spec:
	  replicas: 2
	  selector:
	    matchLabels:
	      app: private
	  template:
	    metadata:
	      labels:
	        app: private
	    spec:
	      containers:
	      - name: app
	        image: $img
	        imagePullPolicy: IfNotPresent
	        command: ["sleep", "1000"]
	      imagePullSecrets:
	      - name: regcred
	EOF
	assert_eq "$(ctl apply -f "$T/private.yaml")" "deployment/private created" "applied"
	wait_for 60 converged private 2 || fail "did not converge with the secret: $(ctl describe workload private)"
	# a missing secret is skipped, as the kubelet skips it; one that is no
	# dockerconfigjson is the reason
	pod nosecret "$REG_r/library/busybox:latest" Always nosuch >"$T/nosecret.yaml"
	ctl apply -f "$T/nosecret.yaml" >/dev/null
	wait_for 10 reason_has nosecret "(imagePullSecrets: nosuch: no such secret)" || fail "the missing secret is not named: $(ctl describe workload nosecret)"
	assert_contains "$(reason nosecret)" "log in to $REG_r first" "pulled without it"
	pod badcfg "$REG_r/library/busybox:latest" Always notcfg >"$T/badcfg.yaml"
	ctl apply -f "$T/badcfg.yaml" >/dev/null
	wait_for 10 reason_has badcfg "imagePullSecrets: notcfg: not a dockerconfigjson" || fail "a bad secret is not the reason: $(ctl describe workload badcfg)"
	# the values: nowhere
	local seen
	seen=$(
		cat "$T/corrald.log" "$STATE_D/audit.log" 2>/dev/null
		ctl events --since 5m --until 0s
		ctl --json get workloads
		for w in anon private nosecret badcfg; do ctl --json describe workload $w; done
		ctl --json inspect $(ctl --json ps -a | jq -r '.[].id')
	)
	assert_not_contains "$seen" "$auth" "the secret's auth"
	assert_not_contains "$seen" "$REG_PASS" "the password"
	assert_not_contains "$seen" "s3cr3t" "a bad secret's text"
}

# A member's workload pulls with its own secrets and logins: another
# member's, and root's, are not there for it.
test_kp_member_uses_only_its_own() {
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	chmod 755 "$T"
	start_kp basic --group "$g"
	local img=$REG_r/library/busybox:1 auth
	auth=$(jq -r ".auths[\"$REG_r\"].auth" "$REG_AUTH_FILE")
	jq -n --arg r "$REG_r" --arg a "$auth" '{auths: {($r): {auth: $a}}}' >"$T/cfg.json"
	mctl 4242 secret create acred "$T/cfg.json" >/dev/null
	ctl secret create rootcred "$T/cfg.json" >/dev/null
	# a's own secret serves a's workload
	pod apod "$img" IfNotPresent acred >"$T/apod.yaml"
	mctl 4242 apply -f "$T/apod.yaml" >/dev/null
	wait_for 60 mconverged 4242 apod ||
		fail "a's workload did not converge with a's secret: $(mctl 4242 describe workload apod)"
	# b names a's secret, then root's: neither is there for b
	local who
	for who in acred rootcred; do
		pod "b-$who" "$img" Always "$who" >"$T/b-$who.yaml"
		mctl 4343 apply -f "$T/b-$who.yaml" >/dev/null
		wait_for 10 reason_has "b-$who@4343" "(imagePullSecrets: $who: no such secret)" ||
			fail "b used $who: $(ctl describe workload "b-$who@4343")"
		assert_contains "$(reason "b-$who@4343")" "log in to $REG_r first" "b pulled without $who"
		assert_eq "$(sessions_of "b-$who")" 0 "no replica of b's made with $who"
	done
	# a logs in: b's pull still has no credentials
	echo "$REG_PASS" | mctl 4242 login --username "$REG_USER" --password-stdin "$REG_r" >/dev/null
	pod bpod "$img" Always >"$T/bpod.yaml"
	mctl 4343 apply -f "$T/bpod.yaml" >/dev/null
	wait_for 10 reason_has bpod@4343 "log in to $REG_r first" ||
		fail "b used a's login: $(ctl describe workload bpod@4343)"
	# a's login serves a's workload without a secret
	pod apod2 "$img" Always >"$T/apod2.yaml"
	mctl 4242 apply -f "$T/apod2.yaml" >/dev/null
	wait_for 60 mconverged 4242 apod2 ||
		fail "a's login did not serve a's workload: $(ctl describe workload apod2@4242)"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_kp_'); do
	run_test "$t"
done
