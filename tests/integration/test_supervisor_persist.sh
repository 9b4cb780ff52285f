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

# corrald killed between a change and its event (the soak found these):
# the next one says what the events file missed, so that each container's
# last event matches its state: a start answered and not said, a die
# recorded and not kept (a full disk), a removal done and not said.
test_persist_events_missed_are_said_at_adoption() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$FIXTURES/images/oci:test" bb:1 >/dev/null
	ctl run -d --name up bb:1 sleep 1000 >/dev/null
	ctl run --name done bb:1 sh -c 'exit 4' >/dev/null || true
	ctl run -d --name gone bb:1 sleep 1000 >/dev/null
	local gone_id
	gone_id=$(ctl --json inspect gone | jq -r '.[0].id')
	ctl rm -f gone >/dev/null
	# each last event in the file (a reply may come before its event)
	local last=(-e '"action":"start","id":"[0-9a-f]*","name":"up"' -e '"action":"die","id":"[0-9a-f]*","name":"done"'
		-e '"action":"remove","id":"[0-9a-f]*","name":"gone"')
	wait_for 10 sh -c "[ \$(grep -c $(printf "%q " "${last[@]}") '$STATE_D/events.log') = 3 ]" ||
		fail "the three events are not in the file: $(grep -c . "$STATE_D/events.log") lines"
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	# the file as such a kill leaves it: each one's last event not there
	grep -v "${last[@]}" "$STATE_D/events.log" >"$T/events.cut"
	cat "$T/events.cut" >"$STATE_D/events.log"
	start_sv
	assert_eq "$(events_of container --since 10m --until 0s --filter name=up | awk '{print $NF}')" "start:up" "up's last event"
	assert_eq "$(events_of container --since 10m --until 0s --filter name=done | awk '{print $NF}')" "die:done" "done's last event"
	assert_eq "$(events_of container --since 10m --until 0s --filter "id=$gone_id" | awk '{print $NF}')" "remove:gone" "gone's last event"
	# said once: a second start adds none
	restart_sv
	assert_eq "$(events_of container --since 10m --until 0s --filter name=up | grep -o start:up | wc -l)" 1 "up's start: the one made up, once"
}

# corrald killed inside a Create, after its directory and overlay and
# before its record (the soak found it): the next corrald removes what no
# client was told of, its mounts too; a directory whose record is there
# but unreadable stays, named in the log
test_persist_half_made_container_removed_at_start() {
	trap cleanup_sv EXIT
	start_sv
	stop_sv
	local half="$STATE_D/containers/$(printf 'e%.0s' $(seq 64))" kept="$STATE_D/containers/$(printf 'd%.0s' $(seq 64))"
	mkdir -p "$half/rootfs" "$kept"
	mount -t tmpfs half "$half/rootfs"
	echo '{"torn' >"$kept/record.json"
	start_sv
	wait_for 10 sh -c "[ ! -e '$half' ]" || fail "the half-made directory is still there: $(ls -a "$half")"
	assert_eq "$(grep -c " $half" /proc/self/mountinfo)" 0 "its overlay's mount"
	[ -f "$kept/record.json" ] || fail "a directory with an unreadable record was removed"
	assert_contains "$(cat "$T/corrald.log")" "skipping $kept" "the log names the unreadable one"
	rm -rf "$kept"
}

# One run with --rm that ended while corrald was down: the next corrald
# removes it as it adopts, says its die and its remove, and reads nothing
# of it after (the soak, under ASan, found adoption reading it freed)
test_persist_rm_container_ended_while_down() {
	trap cleanup_sv EXIT
	start_sv
	ctl image import "oci:$FIXTURES/images/oci:test" bb:1 >/dev/null
	ctl run -d --rm --name brief bb:1 sleep 1000 >/dev/null
	local pid
	pid=$(ctl --json inspect brief | jq -r '.[0].state.pid')
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	kill -KILL "$pid"
	wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
	start_sv
	assert_eq "$(ctl --json ps -a | jq length)" 0 "no container left"
	assert_eq "$(events_of container --since 10m --until 0s --filter name=brief | awk '{print $(NF-1), $NF}')" "die:brief remove:brief" \
		"its die and its remove"
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

# The state directory an earlier corrald wrote (tests/fixtures/state-60a9484:
# what corrald at 60a9484, before format.json, left of an exited container,
# a created one and a secret): read whole, brought to this format (its
# containers' directories to the owner-only layout), and noted in
# format.json; a newer format is refused by name, and nothing is changed.
test_persist_reads_an_older_state_and_refuses_a_newer() {
	trap cleanup_sv EXIT
	local fx="$ROOTDIR/tests/fixtures/state-60a9484" done=46dde5ae2ee359f4afe7c9e70370808acaed4b19a5b527584cf36b0399f6616e
	mkdir -p "$T/state"
	cp -a "$fx/." "$T/state/"
	# as that corrald left them: modes git does not keep
	chmod 0711 "$T/state" "$T/state/containers"
	chmod 0700 "$T/state/containers"/* "$T/state/secrets"
	chmod 0600 "$T/state/secrets"/* "$T/state/containers"/*/record.json
	chmod 0640 "$T/state/containers"/*/ctr.log
	start_sv
	assert_eq "$(ctl --json ps -a | jq -r 'sort_by(.name) | map("\(.name) \(.state.status)") | join(",")')" \
		"done exited,made created" "the earlier corrald's containers"
	assert_eq "$(ctl wait done)" 3 "done's exit status"
	assert_eq "$(ctl logs done 2>&1 | sort | tr '\n' ' ')" "one two " "done's log"
	assert_eq "$(ctl --json inspect made | jq -r '.[0].config.env[0]')" GREETING=hi "made's spec"
	assert_contains "$(ctl secret ls)" token "the earlier secret"
	assert_contains "$(events_of container --since 2026-01-01T00:00:00Z --until 0s)" "die:done" "the earlier events"
	# a line written before events had an owner is given one, from its uid
	assert_eq "$(timeout 5 "$CORRALCTL" --socket "$SOCK" events --json --filter type=container --filter event=die \
		--since 2026-01-01T00:00:00Z --until 0s | jq -r .owner)" 0 "an earlier event's owner"
	assert_eq "$(jq -r .format "$T/state/format.json")" 2 "format.json"
	assert_contains "$(cat "$T/corrald.log")" "format 1 brought to 2" "the start log"
	getfacl -p "$T/state/containers/$done" 2>/dev/null | grep -q '^user:0:' ||
		[ "$(stat -c %a "$T/state/containers/$done")" = 700 ] || fail "done's directory is not owner-only"
	ctl rm made >/dev/null
	assert_eq "$(ctl run --rm "$IMG" echo new)" new "a new container beside them"
	# a newer corrald's state: refused before anything is written
	kill -TERM "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	echo '{"format": 3, "writtenBy": "corrald 9.9.9 (future)"}' >"$T/state/format.json"
	local before out rc=0
	before=$(cd "$T/state" && find . -printf '%p %m %s %T@\n' | sort)
	out=$(timeout 30 "$CORRALD" --config "$T/corrald.conf" --socket "$S/c2.sock" --state-dir "$T/state" \
		--cgroup-delegate no --cgroup-parent "/corral-$TID" --default-network none 2>&1) || rc=$?
	[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "corrald started on a newer state ($rc): $out"
	assert_eq "$(tail -1 <<<"$out")" "corrald: state directory $T/state: its format 3 (written by corrald 9.9.9 (future)) is newer than this corrald's, 2: run that corrald or a newer one; nothing was changed" "the refusal"
	assert_eq "$(cd "$T/state" && find . -printf '%p %m %s %T@\n' | sort)" "$before" "nothing changed"
	[ ! -e "$S/c2.sock" ] || fail "a socket was left"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_persist_'); do
	run_test "$t"
done
