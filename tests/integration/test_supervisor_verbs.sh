#!/bin/bash
# time: in the VM tier, pause, top and prune each start a corrald under TCG
# corrald's podman-like container methods, called through varlink: generated
# names, Restart, Pause and Unpause, Top, Port, Rename, ContainerPrune, Stop
# that says when it had to SIGKILL, errors that name the true state, and
# Events with until and filters. Each test cleans up its daemon, monitors,
# containers, cgroups and mounts, also on failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
IMG="$FIXTURES/busybox/rootfs"

# create NAME-OR-"" ARGS...: CreateContainer from the busybox rootfs; prints the reply
create() {
	local name=$1
	shift
	local args
	args=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	ctl call CreateContainer "$(jq -nc --arg i "$IMG" --arg n "$name" --argjson a "$args" \
		'{spec: ({image: $i, command: $a} + (if $n == "" then {} else {name: $n} end))}')"
}
state_of() { ctl call Inspect "{\"id\":\"$1\"}" | jq -r ".container.state.$2"; }
# the error a call gets: its name and parameters, on one line
call_error() { ctl call "$@" 2>&1 >/dev/null && echo "no error" || true; }

test_svv_generated_names_are_adjective_noun() {
	trap cleanup_sv EXIT
	start_sv
	local names="" i n id
	for i in 1 2 3 4 5; do
		n=$(create "" hostname | jq -r .name)
		[[ $n =~ ^[a-z]+_[a-z]+$ ]] || fail "generated name: [$n]"
		id=$(ctl call Inspect "{\"id\":\"$n\"}" | jq -r .container.id)
		assert_not_contains "$id" "$n" "the name is not the id"
		case " $names " in *" $n "*) fail "name $n given twice" ;; esac
		names="$names $n"
	done
	# the hostname is the name unless given
	ctl call Start "{\"id\":\"$n\"}" >/dev/null
	assert_eq "$(ctl wait "$n")" 0 "hostname ran"
	assert_eq "$(ctl logs "$n")" "$n" "hostname defaults to the name"
}

test_svv_restart_stops_then_starts() {
	trap cleanup_sv EXIT
	start_sv
	create web sh -c 'trap "exit 3" TERM; echo up; while :; do sleep 0.1; done' >/dev/null
	ctl call Start '{"id":"web"}' >/dev/null
	local pid1 pid2
	pid1=$(state_of web pid)
	wait_for 10 catches "$pid1" 15
	timeout 20 "$CORRALCTL" --socket "$SOCK" call Restart '{"id":"web","timeout":5}' >/dev/null ||
		fail "Restart failed"
	assert_eq "$(state_of web status)" running "running after Restart"
	pid2=$(state_of web pid)
	[ "$pid2" != "$pid1" ] || fail "the same process after Restart: $pid1"
	assert_eq "$(state_of web exitCode)" 3 "the stop signal ended the first run"
	kill -0 "$pid1" 2>/dev/null && fail "the first process still runs"
	# a container that is not running is just started
	wait_for 10 catches "$pid2" 15
	ctl call Stop '{"id":"web"}' >/dev/null
	ctl call Restart '{"id":"web"}' >/dev/null
	assert_eq "$(state_of web status)" running "Restart of a stopped container starts it"
	timeout 2 "$CORRALCTL" --socket "$SOCK" --json events --since 0 >"$T/ev" || true
	assert_eq "$(jq -s '[.[] | select(.name == "web" and .action == "restart")] | length' "$T/ev")" 2 \
		"restart events"
	assert_contains "$(call_error Restart '{"id":"nosuch"}')" NoSuchContainer "Restart of nothing"
}

# COUNT: the ticker's counter has gone past COUNT (written whole, by a rename)
ticked_past() { [ "$(cat /proc/"$pid"/root/tmp/n)" -gt "$1" ]; }

test_svv_pause_freezes_and_unpause_thaws() {
	trap cleanup_sv EXIT
	start_sv
	create ticker sh -c 'trap "exit 9" TERM; i=0; while :; do i=$((i+1)); echo $i >/tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.05; done' >/dev/null
	ctl call Start '{"id":"ticker"}' >/dev/null
	local pid cg a b
	pid=$(state_of ticker pid)
	cg=$(cgroup_of ticker)
	wait_for 30 ticked_past 0
	ctl call Pause '{"id":"ticker"}' >/dev/null
	assert_eq "$(state_of ticker status)" paused "status after Pause"
	assert_eq "$(cat "$cg/cgroup.freeze")" 1 "cgroup.freeze"
	grep -q "frozen 1" "$cg/cgroup.events" || fail "cgroup.events: $(cat "$cg/cgroup.events")"
	a=$(cat /proc/"$pid"/root/tmp/n)
	sleep 0.5
	b=$(cat /proc/"$pid"/root/tmp/n)
	assert_eq "$b" "$a" "a paused container does not run"
	assert_eq "$(ctl --json ps | jq -r '.[].state.status')" paused "ps lists it without -a"
	assert_eq "$(state_of ticker pid)" "$pid" "its pid while paused"
	local e
	e=$(call_error Exec '{"id":"ticker","command":["true"]}')
	assert_contains "$e" '"state":"paused"' "Exec names the state"
	assert_contains "$e" "unpause" "Exec says what to do"
	assert_contains "$(call_error Pause '{"id":"ticker"}')" "paused already" "second Pause"
	assert_contains "$(call_error Start '{"id":"ticker"}')" '"state":"paused"' "Start of a paused one"
	ctl call Unpause '{"id":"ticker"}' >/dev/null
	assert_eq "$(state_of ticker status)" running "status after Unpause"
	assert_eq "$(cat "$cg/cgroup.freeze")" 0 "thawed"
	wait_for 30 ticked_past "$b" # (CI, stop 53: a fixed 0.3 s, and a read of the file while it was rewritten)
	assert_contains "$(call_error Unpause '{"id":"ticker"}')" "not paused" "Unpause of a running one"
	# Stop of a paused container: signalled, thawed, and it acts on the signal
	ctl call Pause '{"id":"ticker"}' >/dev/null
	assert_eq "$(ctl call Stop '{"id":"ticker","timeout":10}' | jq -c .)" '{"exitCode":9,"killed":false}' \
		"Stop of a paused container"
	# and Kill of a paused one, paused once its shell has set its trap (a
	# run here once waited for ever: the SIGTERM came first, and was dropped)
	ctl call Start '{"id":"ticker"}' >/dev/null
	wait_for 30 catches "$(state_of ticker pid)" 15
	ctl call Pause '{"id":"ticker"}' >/dev/null
	ctl call Kill '{"id":"ticker","signal":"SIGTERM"}' >/dev/null
	assert_eq "$(ctl wait ticker)" 9 "Kill of a paused container reaches it"
	assert_contains "$(call_error Pause '{"id":"ticker"}')" '"state":"exited"' "Pause of an exited one"
}

test_svv_top_lists_the_processes() {
	trap cleanup_sv EXIT
	start_sv
	create busy sh -c 'sleep 1000 & exec sleep 2000' >/dev/null
	ctl call Start '{"id":"busy"}' >/dev/null
	# both sleeps started (the shell execs the second)
	wait_for 10 sh -c "$CORRALCTL --socket $SOCK call Top '{\"id\":\"busy\"}' | jq -e '[.processes[][3]] | sort == [\"sleep 1000\", \"sleep 2000\"]' >/dev/null"
	ctl call Top '{"id":"busy"}' >"$T/top"
	assert_eq "$(jq -c .titles "$T/top")" '["PID","USER","TIME","COMMAND"]' "titles"
	assert_eq "$(jq -r '.processes | map(.[3]) | sort | join(",")' "$T/top")" "sleep 1000,sleep 2000" "commands"
	assert_eq "$(jq -r '.processes | map(.[0]) | sort | join(",")' "$T/top")" "1,2" "pids as the container sees them"
	assert_eq "$(jq -r '.processes[0][1]' "$T/top")" root "USER from the container's /etc/passwd"
	[[ $(jq -r '.processes[0][2]' "$T/top") =~ ^[0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] || fail "TIME: $(jq -c . "$T/top")"
	# ps -ef's columns (Docker's top): the host's pids
	ctl call Top '{"id":"busy","columns":"ps-ef"}' >"$T/top"
	assert_eq "$(jq -c .titles "$T/top")" '["UID","PID","PPID","C","STIME","TTY","TIME","CMD"]' "ps -ef's titles"
	local pid
	pid=$(ctl --json inspect busy | jq -r '.[0].state.pid // .[0].pid')
	assert_eq "$(jq -r --arg p "$pid" '.processes[] | select(.[1] == $p) | .[7]' "$T/top")" "sleep 2000" "the host's pid of its init"
	assert_contains "$(call_error Top '{"id":"busy","columns":"aux"}')" '"parameter":"columns"' "columns named"
	ctl call Stop '{"id":"busy","timeout":0}' >/dev/null
	assert_contains "$(call_error Top '{"id":"busy"}')" '"state":"exited"' "Top of a stopped container"
}

test_svv_port_is_empty_until_networks() {
	trap cleanup_sv EXIT
	start_sv
	create p true >/dev/null
	assert_eq "$(ctl call Port '{"id":"p"}' | jq -c .)" '{"ports":[]}' "Port"
	assert_contains "$(call_error Port '{"id":"nosuch"}')" NoSuchContainer "Port of nothing"
}

test_svv_rename_rewrites_the_record() {
	trap cleanup_sv EXIT
	start_sv
	local id
	id=$(create old sleep 1000 | jq -r .id)
	create other true >/dev/null
	ctl call Start '{"id":"old"}' >/dev/null
	ctl call Rename '{"id":"old","name":"new"}' >/dev/null
	assert_eq "$(ctl call Inspect '{"id":"new"}' | jq -r .container.id)" "$id" "found by the new name"
	assert_contains "$(call_error Inspect '{"id":"old"}')" NoSuchContainer "the old name is free"
	assert_eq "$(jq -r .name "$STATE_D/containers/$id/record.json")" new "record.json"
	assert_eq "$(ctl call List '{}' | jq -r '.containers[].name')" new "List has the new name"
	local e
	e=$(call_error Rename '{"id":"new","name":"other"}')
	assert_contains "$e" NameInUse "a name in use"
	assert_contains "$e" '"name":"other"' "the error names it"
	assert_contains "$(call_error Rename '{"id":"new","name":"-bad name"}')" InvalidParameter "a bad name"
	ctl call Rename '{"id":"new","name":"new"}' >/dev/null || fail "renaming to its own name"
	# the name stays across a restart of corrald, and the container runs on
	kill -TERM "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv
	assert_eq "$(state_of new status)" running "running after corrald's restart"
}

test_svv_container_prune_removes_the_stopped() {
	trap cleanup_sv EXIT
	start_sv
	local ex cr
	ex=$(create ended true | jq -r .id)
	cr=$(create fresh true | jq -r .id)
	create live sleep 1000 >/dev/null
	ctl call Start '{"id":"ended"}' >/dev/null
	ctl call Start '{"id":"live"}' >/dev/null
	ctl wait ended >/dev/null
	ctl call ContainerPrune '{}' >"$T/p"
	assert_eq "$(jq -r '.removed | sort | join(" ")' "$T/p")" "$(printf '%s\n' "$ex" "$cr" | sort | tr '\n' ' ' | sed 's/ $//')" \
		"removed: the exited and the created"
	assert_eq "$(ctl call List '{"all":true}' | jq -r '.containers[].name')" live "the running one stays"
	[ ! -e "$STATE_D/containers/$ex" ] || fail "its directory is left"
	assert_eq "$(ctl call ContainerPrune '{}' | jq -c .removed)" "[]" "nothing left to prune"
	ctl call SystemPrune '{}' >"$T/s"
	assert_eq "$(jq -c '[.containers, .images]' "$T/s")" "[[],[]]" "SystemPrune with nothing to do"
}

test_svv_stop_says_when_it_killed() {
	trap cleanup_sv EXIT
	start_sv
	create deaf sleep 1000 >/dev/null
	create polite sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
	ctl call Start '{"id":"deaf"}' >/dev/null
	ctl call Start '{"id":"polite"}' >/dev/null
	wait_for 10 catches "$(state_of polite pid)" 15
	# pid 1 has no handler for SIGTERM: only SIGKILL ends it
	assert_eq "$(ctl call Stop '{"id":"deaf","timeout":1}' | jq -c .)" '{"exitCode":137,"killed":true}' "SIGKILL said"
	assert_eq "$(ctl call Stop '{"id":"polite","timeout":10}' | jq -c .)" '{"exitCode":0,"killed":false}' "a clean stop"
	assert_eq "$(ctl call Stop '{"id":"polite"}' | jq -c .)" '{"exitCode":0,"killed":false}' "Stop of a stopped one"
}

test_svv_errors_name_the_true_state() {
	trap cleanup_sv EXIT
	start_sv
	create brief true >/dev/null
	create made true >/dev/null
	ctl call Start '{"id":"brief"}' >/dev/null
	ctl wait brief >/dev/null
	local e
	e=$(call_error Kill '{"id":"brief"}')
	assert_contains "$e" '"state":"exited"' "Kill of an exited container"
	assert_contains "$e" "it is not running" "Kill's reason"
	assert_contains "$(call_error Kill '{"id":"made"}')" '"state":"created"' "Kill of a created container"
	# kill one just as it ends, many times: never "running: it is not running"
	local i
	for i in $(seq 10); do
		create "q$i" sh -c 'exit 0' >/dev/null
		ctl call Start "{\"id\":\"q$i\"}" >/dev/null
		e=$(call_error Kill "{\"id\":\"q$i\"}")
		[ "$e" = "no error" ] && continue
		assert_not_contains "$e" '"state":"running"' "a state that is not true"
	done
}

test_svv_events_until_and_filters() {
	trap cleanup_sv EXIT
	start_sv
	# g1: no id begins so (the container filter matches an id by its prefix:
	# b1's might have begun with a1)
	create g1 true >/dev/null
	create b1 true >/dev/null
	ctl call Start '{"id":"g1"}' >/dev/null
	ctl wait g1 >/dev/null
	local now
	now=$(date +%s)
	# since and until in the past: the stream ends by itself
	timeout 5 "$CORRALCTL" --socket "$SOCK" call --more Events "{\"since\":\"0\",\"until\":\"$((now + 1))\"}" \
		>"$T/all" || fail "Events with until did not end"
	grep -q '"action": "create"' "$T/all" || fail "no create event: $(cat "$T/all")"
	timeout 5 "$CORRALCTL" --socket "$SOCK" call --more Events \
		"{\"since\":\"0\",\"until\":\"$((now + 1))\",\"filters\":{\"container\":\"g1\",\"event\":\"create\"}}" >"$T/f" ||
		fail "filtered Events did not end"
	assert_eq "$(grep -c '"action"' "$T/f")" 1 "one create of g1"
	grep -q '"name": "g1"' "$T/f" || fail "filtered: $(cat "$T/f")"
	# until in the future: live events until then, then the end
	local t0 t1
	t0=$(date +%s%N)
	timeout 10 "$CORRALCTL" --socket "$SOCK" call --more Events "{\"until\":\"$((now + 3))\"}" >"$T/live" &
	local ev=$!
	sleep 0.5
	ctl call Start '{"id":"b1"}' >/dev/null
	wait "$ev" || fail "Events with a future until did not end by itself"
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -ge 1000 ] || fail "it ended before until"
	grep -q '"action": "start"' "$T/live" || fail "no live start event: $(cat "$T/live")"
	assert_contains "$(call_error --more Events '{"filters":{"label":"x"}}')" InvalidParameter "an unknown filter"
	assert_contains "$(call_error --more Events '{"until":"soon"}')" '"parameter":"until"' "a bad until"
}

# Attack: a member of the access group listens to the event stream, live
# and replayed (--since 0), while root and another member work. It hears of
# its own container and of root's image (shared read-only), and of nothing
# of root's or the other member's: no container, secret or session, not by
# name, not by id. Root hears of everything.
test_svv_events_member_hears_only_its_own() {
	trap cleanup_sv EXIT
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	chmod 755 "$T"
	start_sv --group "$g"
	"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
	ctl image import "oci:$FIXTURES/images/oci:test" bb:1 >/dev/null
	as() { local u=$1; shift; setpriv --reuid "$u" --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" "$@"; }
	timeout 8 setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" events --json \
		>"$T/live" 2>&1 &
	local ev=$! rootid theirid f leak
	sleep 0.5
	rootid=$(ctl create --name rootctr bb:1 true) || fail "root's create"
	echo x | ctl secret create rootsecret - >/dev/null
	theirid=$(as 4242 create --name theirctr bb:1 true) || fail "the other member's create"
	echo y | as 4242 secret create theirsecret - >/dev/null || fail "the other member's secret"
	as 4242 session create theirsess >/dev/null || fail "the other member's session"
	as 65534 create --name minectr bb:1 true >/dev/null || fail "the member's create"
	sleep 0.5
	kill "$ev" 2>/dev/null || true
	wait "$ev" 2>/dev/null || true
	timeout 3 setpriv --reuid 65534 --regid 12345 --groups 65534 "$CORRALCTL" --socket "$SOCK" events --since 0 \
		--json >"$T/replay" 2>&1 || true
	for f in live replay; do
		grep -q '"minectr"' "$T/$f" || fail "$f: the member's own container: $(cat "$T/$f")"
		for leak in rootctr "${rootid:0:12}" theirctr "${theirid:0:12}" rootsecret theirsecret theirsess; do
			assert_not_contains "$(cat "$T/$f")" "$leak" "$f: a member hears of $leak"
		done
	done
	jq -s -e 'any(.[]; .type == "image" and .action == "import" and .name == "localhost/bb:1")' "$T/replay" >/dev/null ||
		fail "replay: root's image import, shared: $(cat "$T/replay")"
	timeout 3 "$CORRALCTL" --socket "$SOCK" events --since 0 --json >"$T/root" 2>&1 || true
	for f in rootctr theirctr rootsecret theirsecret theirsess minectr; do
		grep -q "\"$f\"" "$T/root" || fail "root does not hear of $f: $(cat "$T/root")"
	done
}

for t in $(declare -F | awk '{print $3}' | grep "^test_svv_"); do
	run_test "$t"
done
