#!/bin/bash
# What corrald knows survives a restart of corrald: events in a bounded,
# rotated file under the state directory (since and until reach back across
# restarts; a member still sees only its own), and containers' health
# (healthy at once after a restart, in ps, inspect and a workload's READY).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/workloads_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"

restart_sv() {
	kill -TERM "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv "$@"
}
# the events' names NAME of type TYPE that events --since ... lists, as one line
events_of() {
	local type=$1
	shift
	timeout 5 "$CORRALCTL" --socket "$SOCK" events --json --filter "type=$type" "$@" |
		jq -r '"\(.action):\(.name)"' | tr '\n' ' '
}
now_rfc3339() { date -u +%Y-%m-%dT%H:%M:%S.%NZ; }

# Events from before a restart are listed after it (--since), --until
# bounds them; the file rotates at events-log-max-size into one older file;
# a torn last line (corrald killed mid-write) is skipped; a member sees only
# its own events, read back from the file too.
test_persist_events_across_restart() {
	trap cleanup_sv EXIT
	echo "events-log-max-size = 4096" >"$T/corrald.conf"
	start_sv_group
	echo v >"$T/v"
	chmod 644 "$T/v"
	ctl secret create before "$T/v" >/dev/null
	mctl 4242 secret create mine "$T/v" >/dev/null
	local mid
	mid=$(now_rfc3339)
	restart_sv --group "$(getent group 65534 | cut -d: -f1)"
	ctl secret create after "$T/v" >/dev/null
	assert_eq "$(events_of secret --since 10m --until 0s)" "create:before create:mine create:after " \
		"root lists the events of before the restart"
	assert_eq "$(events_of secret --since 10m --until "$mid")" "create:before create:mine " "--until bounds them"
	assert_eq "$(events_of daemon --since 10m --until 0s | grep -o start | wc -l)" 2 "both corralds' starts"
	assert_eq "$(mctl 4242 events --json --filter type=secret --since 10m --until 0s | jq -r .name | tr '\n' ' ')" \
		"mine " "a member sees its own only, from the file"
	assert_eq "$(mctl 4243 events --json --filter type=secret --since 10m --until 0s | jq -r .name | tr '\n' ' ')" \
		"" "another member sees none of them"
	[ "$(stat -c %a "$STATE_D/events.log")" = 600 ] || fail "events.log is $(stat -c %a "$STATE_D/events.log")"
	# a line cut short by a kill -9
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	printf '{"ts":1,"uid":0,"shared":false,"event":{"type":"secret","act' >>"$STATE_D/events.log"
	start_sv --group "$(getent group 65534 | cut -d: -f1)"
	ctl secret create torn "$T/v" >/dev/null
	assert_eq "$(events_of secret --since 10m --until 0s)" "create:before create:mine create:after create:torn " \
		"a torn last line is skipped, and the next event is whole"
	# rotation: 4 KiB kept as the live file plus one older
	local i
	for i in $(seq 40); do ctl secret rm "s$i" >/dev/null 2>&1 || true; ctl secret create "s$i" "$T/v" >/dev/null; done
	[ -f "$STATE_D/events.log.1" ] || fail "no rotation"
	[ ! -e "$STATE_D/events.log.2" ] || fail "more than one rotated file"
	[ "$(stat -c %s "$STATE_D/events.log")" -le 4096 ] && [ "$(stat -c %s "$STATE_D/events.log.1")" -le 4096 ] ||
		fail "not bounded: $(ls -l "$STATE_D"/events.log*)"
	restart_sv --group "$(getent group 65534 | cut -d: -f1)"
	assert_contains "$(events_of secret --since 10m --until 0s)" "create:s30 create:s31" "the rotated file is read too"
	assert_eq "$(events_of secret --since 10m --until 0s | grep -c create:before)" 0 "the oldest are gone"
}

# A healthy container is healthy at once after a restart of corrald (its
# status, streak and log are in its record), and a workload's replicas stay
# ready: its checks run every 3 s, later than these looks.
test_persist_health_across_restart() {
	trap cleanup_workloads EXIT
	start_sv
	ctl image import "oci:$FIXTURES/images/oci:test" bb:1 >/dev/null
	ctl run -d --name web --health-cmd 'echo fine' --health-interval 3s "$IMG" sleep 1000 >/dev/null
	cat >"$T/wl.yaml" <<-EOF
	apiVersion: apps/v1
	kind: Deployment
	metadata:
	  name: dep
	spec:
	  replicas: 2
	  selector:
	    matchLabels:
	      app: dep
	  template:
	    metadata:
	      labels:
	        app: dep
	    spec:
	      containers:
	      - name: main
	        image: bb:1
	        command: ["sleep", "1000"]
	        livenessProbe:
	          exec:
	            command: ["true"]
	          periodSeconds: 3
	EOF
	ctl apply -f "$T/wl.yaml" >/dev/null
	wait_for 30 converged dep 2 || fail "did not converge: $(ctl describe workload dep)"
	wait_for 10 sh -c "$CORRALCTL --socket $SOCK inspect --json web | jq -e '.[0].state.health.status == \"healthy\"'"
	local before
	before=$(ctl inspect --json web | jq -c '.[0].state.health')
	restart_sv
	assert_eq "$(ctl inspect --json web | jq -c '.[0].state.health')" "$before" "inspect: the same health, log and all"
	case "$(ctl ps --format '{{.Status}}' --filter name=web)" in
	Up*"(healthy)") ;;
	*) fail "ps STATUS after a restart: $(ctl ps --format '{{.Status}}' --filter name=web)" ;;
	esac
	wait_for 2 converged dep 2 || fail "READY after a restart: $(ctl get workloads)"
	# a container that ends starts its checks over
	ctl restart -t 1 web >/dev/null
	assert_eq "$(ctl inspect --json web | jq -r '.[0].state.health.status')" starting "a new run starts over"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_persist_'); do
	run_test "$t"
done
