#!/bin/bash
# Health checks (spec.healthcheck, the image's Healthcheck, --health-*):
# status, log, events, onFailure, confinement and timeouts; and corrald's
# own Health(), /healthz and /readyz. Each test cleans up its daemon,
# monitors, containers, cgroups and mounts, also on failure.
# time: about 65 s (10 cases): health checks run on their intervals until they turn healthy or unhealthy, and restarts on failure
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"

# the Container object
insp() { ctl inspect --json "$1" | jq '.[0]'; }
health_of() { insp "$1" | jq -r '.state.health.status // "none"'; }
has_health() { [ "$(health_of "$1")" = "$2" ]; }
# the last result's FIELD
last_result() { insp "$1" | jq -r ".state.health.log[-1].$2 // empty"; }

# An OCI layout at $T/hc with tag "hc": the fixture's "test" with the
# Healthcheck HC (Docker's form) in its config.
health_image() {
	local d="$T/hc" hc=$1 m c nc nm
	cp -a "$FIXTURES/images/oci" "$d"
	m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "test") | .digest' \
		"$d/index.json")
	m="$d/blobs/sha256/${m#sha256:}"
	c=$(jq -r .config.digest "$m")
	jq -c --argjson hc "$hc" '.config.Healthcheck = $hc' "$d/blobs/sha256/${c#sha256:}" >"$T/cfg"
	nc=$(sha256sum "$T/cfg" | cut -d' ' -f1)
	cp "$T/cfg" "$d/blobs/sha256/$nc"
	jq -c --arg dg "sha256:$nc" --argjson sz "$(stat -c %s "$T/cfg")" '.config.digest = $dg | .config.size = $sz' \
		"$m" >"$T/man"
	nm=$(sha256sum "$T/man" | cut -d' ' -f1)
	cp "$T/man" "$d/blobs/sha256/$nm"
	jq --arg dg "sha256:$nm" --argjson sz "$(stat -c %s "$T/man")" \
		'.manifests += [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $dg, size: $sz,
		  annotations: {"org.opencontainers.image.ref.name": "hc"}}]' "$d/index.json" >"$T/idx"
	mv "$T/idx" "$d/index.json"
}

# starting, then healthy, then unhealthy after its retries; the streak and
# the log in inspect, the changes as health_status events, (healthy) in ps
test_svh_failing_check_turns_unhealthy() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name web --health-cmd 'cat /tmp/ok' --health-interval 200ms --health-retries 3 \
		"$IMG" sh -c 'echo fine >/tmp/ok; exec sleep 100' >/dev/null
	wait_for 10 has_health web healthy
	assert_eq "$(last_result web exitCode)/$(last_result web output)" "0/fine" "a passing check's result"
	case "$(ctl ps --format '{{.Status}}' --filter name=web)" in
	Up*"(healthy)") ;;
	*) fail "ps STATUS: $(ctl ps --format '{{.Status}}' --filter name=web)" ;;
	esac
	ctl exec web rm /tmp/ok
	wait_for 10 has_health web unhealthy
	local j
	j=$(insp web)
	[ "$(jq '.state.health.failingStreak' <<<"$j")" -ge 3 ] || fail "failingStreak: $j"
	wait_for 5 sh -c "[ \$($CORRALCTL --socket $SOCK inspect --json web | jq '.[0].state.health.log | length') = 5 ]"
	sleep 0.5
	j=$(insp web)
	assert_eq "$(jq '.state.health.log | length' <<<"$j")" 5 "results kept: the last 5"
	assert_eq "$(jq -r '.state.health.log[-1].exitCode' <<<"$j")" 1 "a failing check's exit code"
	case "$(jq -r '.state.health.log[-1].output' <<<"$j")" in
	*"No such file"*) ;;
	*) fail "a failing check's output: $j" ;;
	esac
	[ -n "$(jq -r '.state.health.log[-1].start' <<<"$j")" ] || fail "no start time"
	assert_eq "$(jq -r .state.status <<<"$j")" running "onFailure none leaves it running"
	timeout 2 "$CORRALCTL" --socket "$SOCK" events --since 0 --json >"$T/ev" || true
	assert_eq "$(jq -r 'select(.action == "health_status") | .attributes.health_status' "$T/ev" | tr '\n' ' ')" \
		"starting healthy unhealthy " "health_status events"
	ctl metrics | grep -q 'corral_container_health{id="[0-9a-f]*",name="web",status="unhealthy"} 1' ||
		fail "no health gauge: $(ctl metrics | grep health)"
}

# onFailure restart restarts it (restartCount rises, health starts over);
# kill kills it
test_svh_on_failure_restart_and_kill() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name r --health-cmd false --health-interval 200ms --health-retries 2 \
		--health-on-failure restart --stop-timeout 1 "$IMG" sleep 100 >/dev/null
	ctl run -d --name k --health-cmd false --health-interval 200ms --health-retries 2 \
		--health-on-failure kill "$IMG" sleep 100 >/dev/null
	wait_for 15 sh -c "[ \$($CORRALCTL --socket $SOCK inspect --json r | jq '.[0].state.restartCount') -ge 1 ]"
	timeout 2 "$CORRALCTL" --socket "$SOCK" events --since 0 --json >"$T/ev" || true
	[ "$(jq -r 'select(.name == "r") | select(.action == "health_status") |
		.attributes.health_status' "$T/ev" | grep -c starting)" -ge 2 ] ||
		fail "a restart does not start its checks over in starting: $(grep health_status "$T/ev" | head)"
	wait_for 10 is_status k exited
	assert_eq "$(insp k | jq .state.exitCode)" 137 "killed with SIGKILL"
	assert_eq "$(health_of k)" none "an exited container has no health"
	# the metrics count every state ps -a shows, exited included; r goes
	# first, as it restarts for ever and is exited for a moment each time
	ctl rm -f r >/dev/null
	ctl metrics >"$T/m"
	assert_eq "$(grep -c '^corral_containers{state="exited"} 1$' "$T/m")" 1 "exited in the metrics: $(grep ^corral_containers "$T/m")"
	assert_eq "$(awk '/^corral_containers\{/ { n += $2 } END { print n }' "$T/m")" "$(ctl ps -a -q | wc -l)" \
		"the series add up to ps -a"
}

# onFailure restart of a container that ignores its stop signal: SIGKILL
# after the stop timeout, one start, and then nothing more (the stop's kill
# belongs to the run it stopped, and no check runs while it is stopping)
test_svh_on_failure_restart_ignoring_sigterm() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name r --health-cmd 'cat /tmp/ok' --health-interval 200ms --health-retries 1 \
		--health-on-failure restart --stop-timeout 2 \
		"$IMG" sh -c 'trap "" TERM; echo ok >/tmp/ok; while :; do sleep 0.1; done' >/dev/null
	wait_for 10 has_health r healthy
	ctl exec r sh -c 'rm /tmp/ok; sleep 0.5; echo back >/tmp/ok'
	wait_for 10 sh -c "[ \$($CORRALCTL --socket $SOCK inspect --json r | jq '.[0].state.restartCount') = 1 ]"
	wait_for 10 has_health r healthy
	local started
	started=$(insp r | jq -r .state.startedAt)
	sleep 3 # past the stop timeout of the restart's stop
	local j
	j=$(insp r)
	assert_eq "$(jq -r '[.state.status, .state.restartCount, .state.startedAt, .state.health.status] | join(" ")' <<<"$j")" \
		"running 1 $started healthy" "one restart, then left alone"
	timeout 2 "$CORRALCTL" --socket "$SOCK" events --since 0 --json >"$T/ev" || true
	assert_eq "$(jq -r 'select(.name == "r") | select(.action == "health_status") | .attributes.health_status' "$T/ev" |
		tr '\n' ' ')" "starting healthy unhealthy starting healthy " "no check passed while it was stopping"
}

# Failures in the start period do not count, until a first success
test_svh_start_period_failures_do_not_count() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name s --health-cmd 'cat /tmp/up' --health-interval 200ms --health-retries 1 \
		--health-start-period 1h "$IMG" sleep 100 >/dev/null
	wait_for 10 sh -c "[ \$($CORRALCTL --socket $SOCK inspect --json s | jq '.[0].state.health.log | length') -ge 3 ]"
	assert_eq "$(health_of s)/$(insp s | jq .state.health.failingStreak)" starting/0 "failures in the start period"
	ctl exec s touch /tmp/up
	wait_for 10 has_health s healthy
	ctl exec s rm /tmp/up
	wait_for 10 has_health s unhealthy # after a success, the start period is over
}

# The image's HEALTHCHECK is the default; --no-healthcheck turns it off; a
# restart of corrald keeps it (it is in the record). The image asks for a
# check every millisecond: root's container gets one a second, as a member's
test_svh_image_healthcheck_is_the_default() {
	trap cleanup_sv EXIT
	health_image '{"Test": ["CMD-SHELL", "echo from-image"], "Interval": 1000000, "Retries": 2}'
	start_sv
	ctl image import "oci:$T/hc:hc" hc:1 >/dev/null
	local id
	id=$(ctl run -d --name img hc:1 sleep 100)
	ctl run -d --name off --no-healthcheck hc:1 sleep 100 >/dev/null
	assert_eq "$(jq -r .healthcheck.interval "$STATE_D/containers/$id/record.json")" 1s "the image's 1 ms raised to 1 s"
	wait_for 10 has_health img healthy
	assert_eq "$(last_result img output)" from-image "the image's check ran"
	assert_eq "$(insp off | jq -c .state.health)" null "--no-healthcheck"
	kill -TERM "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null
	start_sv
	wait_for 10 has_health img healthy
	assert_eq "$(insp off | jq -c .state.health)" null "--no-healthcheck, after a restart"
}

# The check runs as the container's user, in its namespaces and root
test_svh_check_is_confined() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name c -u 1000 --hostname boxy \
		--health-cmd "id -u; hostname; cat /proc/1/comm; test ! -e $S/c.sock && echo no-host-fs" --health-interval 200ms \
		"$IMG" sleep 100 >/dev/null
	wait_for 10 has_health c healthy
	assert_eq "$(last_result c output | xargs)" "1000 boxy sleep no-host-fs" "the check's view"
}

# A check that hangs is cut at its timeout, counts as a failure and leaves
# no process behind
test_svh_hanging_check_is_cut() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name h --health-cmd 'sleep 987' --health-interval 2s --health-timeout 300ms \
		"$IMG" sleep 100 >/dev/null
	wait_for 10 sh -c "[ -n \"\$($CORRALCTL --socket $SOCK inspect --json h | jq -r '.[0].state.health.log[0].end // empty')\" ]"
	local j
	j=$(insp h)
	assert_eq "$(jq -r '.state.health.log[0].exitCode' <<<"$j")" -1 "a cut check's exit code"
	case "$(jq -r '.state.health.log[0].output' <<<"$j")" in
	*timeout*) ;;
	*) fail "a cut check's output: $j" ;;
	esac
	assert_eq "$(jq -r '.state.health.failingStreak' <<<"$j")" 1 "counted as a failure"
	wait_for 1 sh -c "! ps -eo args | grep -q '^sleep 987'"
}

# Bad fields are named, in the client and in corrald
test_svh_bad_fields_are_named() {
	trap cleanup_sv EXIT
	start_sv
	local out
	out=$(ctl create --health-cmd true --health-retries 0 "$IMG" 2>&1) && fail "retries 0 taken"
	case "$out" in *--health-retries*) ;; *) fail "client: $out" ;; esac
	out=$(ctl create --health-interval 1s "$IMG" 2>&1) && fail "--health-interval alone taken"
	case "$out" in *"needs --health-cmd"*) ;; *) fail "client: $out" ;; esac
	out=$(ctl call CreateContainer "{\"spec\": {\"image\": \"$IMG\", \"healthcheck\": {\"command\": [\"true\"], \"interval\": \"soon\"}}}" 2>&1) &&
		fail "interval soon taken"
	case "$out" in *spec.healthcheck.interval*) ;; *) fail "corrald: $out" ;; esac
	out=$(ctl call CreateContainer "{\"spec\": {\"image\": \"$IMG\", \"healthcheck\": {\"command\": []}}}" 2>&1) &&
		fail "an empty command taken"
	case "$out" in *spec.healthcheck.command*) ;; *) fail "corrald: $out" ;; esac
	assert_eq "$(ctl --json ps -a | jq length)" 0 "nothing was created"
}

# corrald's own health: Health(), /healthz and /readyz
test_svh_daemon_health() {
	trap cleanup_sv EXIT
	local port=$((20000 + $$ % 20000))
	start_sv --metrics-listen "127.0.0.1:$port"
	local h
	h=$(ctl call Health)
	assert_eq "$(jq -r .status <<<"$h")" ok "overall: $h"
	assert_eq "$(jq -r '[.components[].name] | join(",")' <<<"$h")" store,monitors,loop,disk "components"
	assert_eq "$(ctl health | head -1)" ok "corralctl health"
	ctl health | grep -Eq '^  store +ok +.*is writable$' || fail "corralctl health: $(ctl health)"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" 200 "/healthz"
	assert_eq "$(curl -s "http://127.0.0.1:$port/readyz")" ok "/readyz"
	# the state directory made read-only: the store fails, /readyz says so
	mount --bind "$STATE_D" "$STATE_D" && mount -o remount,bind,ro "$STATE_D" ||
		skip "cannot bind-mount the state directory read-only here"
	# the store is probed at most every 5 s (a probe fsyncs): within 10 s
	wait_for 10 sh -c "[ \"\$(curl -s -o '$T/rz' -w '%{http_code}' 'http://127.0.0.1:$port/readyz')\" = 503 ]" ||
		fail "/readyz of a read-only store: $(cat "$T/rz")"
	grep -q '^store: ' "$T/rz" || fail "/readyz body: $(cat "$T/rz")"
	assert_eq "$(ctl call Health | jq -r .status)" failing "Health() of a read-only store"
	umount "$STATE_D"
	wait_for 10 sh -c "[ \"\$($CORRALCTL --socket $SOCK call Health | jq -r .status)\" = ok ]" ||
		fail "Health() once it is writable again: $(ctl call Health)"
}

# A check that prints megabytes: its exit code counts, corrald keeps a
# bounded tail of its output (the monitor sends at most 16 KiB a stream).
test_svh_loud_check_is_bounded() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name loud --health-cmd 'head -c 3000000 /dev/zero | tr "\\0" x; echo; echo done >&2' \
		--health-interval 300ms "$IMG" sleep 100 >/dev/null
	wait_for 10 has_health loud healthy
	local out
	out=$(last_result loud output)
	[ "${#out}" -le 4096 ] || fail "the kept output is ${#out} bytes"
	assert_contains "$out" "done" "the tail has stderr's last line"
	assert_eq "$(last_result loud exitCode)" 0 "its exit code"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
