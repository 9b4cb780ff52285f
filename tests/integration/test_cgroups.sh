#!/bin/bash
# time: 14 cases, each a container with limits; in the VM tier (TCG) about 6 s a case
# cgroup v2: resources enforced, stats, freeze, kill, delete, update and the
# eBPF device filter. Tests that need controllers skip on hosts whose cgroup2
# hierarchy has none (they run in the VM tier, `make check-vm`).
. "$(dirname "$0")/lib.sh"

cgmnt() { awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo; }
need_cgroup2() { [ -n "$(cgmnt)" ] || skip "no cgroup2 mount on this host"; }
# needs_controllers c...: skip unless the cgroup2 root offers them all
needs_controllers() {
	need_cgroup2
	local have c
	have=$(cat "$(cgmnt)/cgroup.controllers")
	for c in "$@"; do
		case " $have " in *" $c "*) ;; *) skip "needs cgroup v2 controllers (VM tier): no $c here" ;; esac
	done
}
# The container's cgroup directory (set after create).
cgdir() { echo "$(cgmnt)/corral-it/$TID"; }
with_cgroup_path() { cfg --arg p "/corral-it/$TID" '.linux.cgroupsPath=$p'; }
create_started() { (cd "$BUNDLE" && cr create "$TID" </dev/null >/dev/null 2>&1) && cr start "$TID"; }
cleanup_parent() { rmdir "$(cgmnt)/corral-it" 2>/dev/null || true; }
# wait_for CMD...: up to 10 s
wait_for() {
	local i
	for i in $(seq 100); do "$@" && return 0; sleep 0.1; done
	return 1
}

test_cgroups_oom_kill_reported() {
	needs_controllers memory
	# the shell's variable grows past the limit: the kernel OOM-kills it
	mkbundle sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived ${#x}'
	cfg '.linux.resources={"memory":{"limit":16777216,"swap":16777216}}'
	rc=0
	out=$(run_ctr "$TID" 2>"$T/err") || rc=$?
	assert_eq "$rc" 137 "exit code of an OOM-killed container"
	assert_not_contains "$out" survived "output"
	assert_contains "$(cat "$T/err")" "OOM-killed" "stderr"
}

test_cgroups_pids_max_refuses_forks() {
	needs_controllers pids
	# ash gives up at the first failed fork: count how far it got
	mkbundle sh -c 'i=0; while [ $i -lt 20 ]; do echo started $i; sleep 30 & i=$((i+1)); done; echo all-forked'
	cfg '.linux.resources={"pids":{"limit":6}}'
	rc=0
	out=$(run_ctr "$TID" 2>"$T/err") || rc=$?
	assert_contains "$(cat "$T/err")" "can't fork" "forks beyond pids.max fail"
	assert_not_contains "$out" all-forked "the loop"
	assert_not_contains "$out" "started 6" "forks past the limit"
	assert_contains "$out" "started 4" "forks below the limit"
	[ "$rc" -ne 0 ] || fail "exit code 0"
}

test_cgroups_cpu_weight_max_throttles() {
	needs_controllers cpu
	mkbundle sh -c 'while :; do :; done'
	cfg '.linux.resources={"cpu":{"shares":512,"quota":20000,"period":100000}}'
	with_cgroup_path
	create_started
	d=$(cgdir)
	assert_eq "$(cat "$d/cpu.weight")" 20 "cpu.weight from shares 512"
	assert_eq "$(cat "$d/cpu.max")" "20000 100000" "cpu.max"
	sleep 1.5
	thr=$(awk '$1=="nr_throttled"{print $2}' "$d/cpu.stat")
	usage=$(awk '$1=="usage_usec"{print $2}' "$d/cpu.stat")
	cr delete --force "$TID"
	cleanup_parent
	[ "$thr" -gt 0 ] || fail "nr_throttled is $thr under cpu.max 20%"
	echo "nr_throttled=$thr usage_usec=$usage"
}

test_cgroups_io_max_written() {
	needs_controllers io
	local dev
	dev=$(cat /sys/block/ram0/dev 2>/dev/null || cat /sys/block/loop0/dev 2>/dev/null) ||
		skip "no ram0 or loop0 block device to throttle"
	maj=${dev%:*} min=${dev#*:}
	mkbundle sleep 100
	cfg --argjson a "$maj" --argjson i "$min" '.linux.resources={"blockIO":{"weight":500,
		"throttleReadBpsDevice":[{"major":$a,"minor":$i,"rate":1048576}],
		"throttleWriteIOPSDevice":[{"major":$a,"minor":$i,"rate":100}]}}'
	with_cgroup_path
	create_started
	d=$(cgdir)
	iomax=$(cat "$d/io.max")
	weight=$(cat "$d/io.weight" 2>/dev/null || cat "$d/io.bfq.weight")
	cr delete --force "$TID"
	cleanup_parent
	assert_contains "$iomax" "$dev rbps=1048576 wbps=max riops=max wiops=100" "io.max"
	assert_contains "$weight" "default" "io weight"
}

test_cgroups_device_filter_refuses_existing_node() {
	need_cgroup2
	mkbundle sh -c 'echo probe >/dev/kmsg 2>/dev/null && echo kmsg-open || echo kmsg-refused; echo x >/dev/null && echo null-ok; test -c /dev/kmsg && echo node-exists'
	cfg '.linux.devices=[{"path":"/dev/kmsg","type":"c","major":1,"minor":11,"fileMode":438}]
		| .linux.resources={"devices":[{"allow":false,"access":"rwm"}]}'
	out=$(run_ctr "$TID")
	assert_contains "$out" node-exists "the node was made"
	assert_contains "$out" kmsg-refused "a device outside the allow-list"
	assert_contains "$out" null-ok "a default device"
	# allowing it (write only) lets it through
	cfg '.linux.resources.devices += [{"allow":true,"type":"c","major":1,"minor":11,"access":"w"}]'
	out=$(run_ctr "$TID")
	assert_contains "$out" kmsg-open "an allowed device"
}

# Progress is the cgroup's CPU time (cpu.stat is there without controllers):
# a loop that wrote a file stalled for seconds in ext4's discard on a busy
# disk, frozen or not.
usage_usec() { awk '$1 == "usage_usec" { print $2 }' "$1/cpu.stat"; }
test_cgroups_pause_resume() {
	need_cgroup2
	mkbundle sh -c 'while :; do :; done'
	with_cgroup_path
	create_started
	d=$(cgdir)
	ran() { [ "$(usage_usec "$d")" -gt 0 ]; }
	wait_for ran || fail "the loop never ran"
	cr pause "$TID"
	assert_eq "$(cr state "$TID" | jq -r .status)" paused "state after pause"
	assert_contains "$(cat "$d/cgroup.events")" "frozen 1" "cgroup.events"
	a=$(usage_usec "$d"); sleep 0.5; b=$(usage_usec "$d")
	assert_eq "$b" "$a" "a frozen loop uses no CPU"
	rc=0; cr pause "$TID" 2>"$T/err" || rc=$?
	[ "$rc" -ne 0 ] || fail "pausing a paused container succeeded"
	assert_contains "$(cat "$T/err")" "container not running (it is paused)" "second pause"
	cr resume "$TID"
	assert_eq "$(cr state "$TID" | jq -r .status)" running "state after resume"
	assert_contains "$(cat "$d/cgroup.events")" "frozen 0" "cgroup.events"
	progressed() { [ "$(usage_usec "$d")" -gt "$b" ]; }
	wait_for progressed || fail "no progress after resume"
	# delete --force of a paused container works too
	cr pause "$TID"
	cr delete --force "$TID"
	[ ! -d "$d" ] || fail "cgroup left after delete"
	cleanup_parent
}

test_cgroups_delete_force_kills_forkers() {
	need_cgroup2
	mkbundle sh -c 'i=0; while [ $i -lt 100 ]; do sleep 300 & i=$((i+1)); done; while :; do sleep 300 & sleep 0.01; done'
	with_cgroup_path
	create_started
	d=$(cgdir)
	nprocs() { [ "$(wc -l <"$d/cgroup.procs")" -ge 100 ]; }
	wait_for nprocs || fail "only $(wc -l <"$d/cgroup.procs") processes started"
	start=${EPOCHREALTIME/./}
	cr delete --force "$TID"
	ms=$(((${EPOCHREALTIME/./} - start) / 1000))
	[ ! -d "$d" ] || fail "cgroup left after delete"
	cleanup_parent
	[ "$ms" -lt 5000 ] || fail "delete --force took ${ms} ms"
	echo "delete --force of 100+ processes: ${ms} ms"
}

# A runtime killed in the middle of create (here by its createRuntime hook,
# after the cgroup is made and before the full state is saved) leaves a
# state that says "creating" and names the cgroup: delete --force removes
# both. Before, the state directory went and the cgroup stayed.
test_cgroups_creator_killed_midway_leaves_nothing() {
	need_cgroup2
	trap 'rmdir "$(cgdir)" 2>/dev/null || true; cleanup_parent' EXIT # should the test fail
	mkbundle true
	with_cgroup_path
	printf '#!/bin/sh\nkill -KILL $PPID\n' >"$T/killer.sh"
	chmod +x "$T/killer.sh"
	cfg --arg h "$T/killer.sh" '.hooks.createRuntime=[{"path":$h}]'
	rc=0
	(cd "$BUNDLE" && cr create "$TID" </dev/null >/dev/null 2>&1) || rc=$?
	assert_eq "$rc" 137 "the runtime was killed"
	d=$(cgdir)
	[ -d "$d" ] || fail "no cgroup was made before the hook"
	assert_eq "$(cr state "$TID" | jq -r .status)" creating "status of a half-made container"
	assert_eq "$(jq -r .cgroup_path "$STATE/$TID/state.json")" "/corral-it/$TID" "the state names the cgroup"
	out=$(cr delete "$TID" 2>&1) && fail "delete without --force worked"
	assert_contains "$out" "is being created" "delete without --force"
	cr delete --force "$TID"
	[ ! -d "$d" ] || fail "cgroup left after delete --force"
	[ ! -e "$STATE/$TID" ] || fail "state left after delete --force"
	cleanup_parent
}

test_cgroups_update_memory_live() {
	needs_controllers memory pids
	mkbundle sleep 100
	cfg '.linux.resources={"memory":{"limit":67108864}}'
	with_cgroup_path
	create_started
	d=$(cgdir)
	assert_eq "$(cat "$d/memory.max")" 67108864 "memory.max at create"
	cr update --memory 32m "$TID"
	assert_eq "$(cat "$d/memory.max")" 33554432 "memory.max after update"
	echo '{"pids":{"limit":20},"memory":{"limit":50331648}}' | cr update -r - "$TID"
	assert_eq "$(cat "$d/pids.max")" 20 "pids.max after update -r"
	assert_eq "$(cat "$d/memory.max")" 50331648 "memory.max after update -r"
	# no limit (-1, and 0 as the spec reads it) lifts the one set
	echo '{"pids":{"limit":-1}}' | cr update -r - "$TID"
	assert_eq "$(cat "$d/pids.max")" max "pids.max after a limit of -1"
	echo '{"pids":{"limit":20}}' | cr update -r - "$TID" && echo '{"pids":{"limit":0}}' | cr update -r - "$TID"
	assert_eq "$(cat "$d/pids.max")" max "pids.max after a limit of 0"
	rc=0; cr update --memory lots "$TID" 2>"$T/err" || rc=$?
	[ "$rc" -ne 0 ] || fail "update --memory lots succeeded"
	assert_contains "$(cat "$T/err")" 'memory.limit: "lots" is not a size' "bad value"
	rc=0; echo '{"cpu":{"shares":1}}' | cr update -r - "$TID" 2>"$T/err" || rc=$?
	[ "$rc" -ne 0 ] || fail "update with cpu.shares 1 succeeded"
	assert_contains "$(cat "$T/err")" "linux.resources.cpu.shares: 1 is out of range" "bad JSON value"
	cr delete --force "$TID"
	[ ! -d "$d" ] || fail "cgroup left after delete"
	cleanup_parent
}

test_cgroups_limits_gone_after_delete() {
	needs_controllers memory pids cpu
	mkbundle sleep 100
	cfg '.linux.resources={"memory":{"limit":33554432,"reservation":1048576},"pids":{"limit":50},
		"cpu":{"shares":2048},"unified":{"memory.high":"30000000"}}'
	with_cgroup_path
	create_started
	d=$(cgdir)
	assert_eq "$(cat "$d/memory.max")" 33554432 "memory.max"
	assert_eq "$(cat "$d/memory.low")" 1048576 "memory.low"
	assert_eq "$(cat "$d/memory.high")" 29999104 "memory.high (page-rounded)"
	assert_eq "$(cat "$d/pids.max")" 50 "pids.max"
	assert_eq "$(cat "$d/cpu.weight")" 79 "cpu.weight"
	cr delete --force "$TID"
	[ ! -d "$d" ] || fail "cgroup left after delete"
	cleanup_parent
}

test_cgroups_leaf_move_for_delegation() {
	needs_controllers memory
	parent="$(cgmnt)/corral-it-$TID"
	mkdir "$parent"
	sleep 300 &
	sp=$!
	echo "$sp" >"$parent/cgroup.procs"
	mkbundle true
	cfg --arg p "/corral-it-$TID/ctr" '.linux.cgroupsPath=$p | .linux.resources={"memory":{"limit":33554432}}'
	rc=0; run_ctr "$TID" 2>"$T/err" || rc=$?
	moved=$(cat "$parent/corral-leaf/cgroup.procs" 2>/dev/null)
	kill "$sp"; wait "$sp" 2>/dev/null || true
	leaf_empty() { [ -z "$(cat "$parent/corral-leaf/cgroup.procs" 2>/dev/null)" ]; }
	wait_for leaf_empty || true
	rmdir "$parent/ctr" 2>/dev/null || true
	rmdir "$parent/corral-leaf" "$parent" || true
	assert_eq "$rc" 0 "run with a process in the parent: $(cat "$T/err")"
	assert_eq "$moved" "$sp" "the parent's process moved to its leaf"
}

test_cgroups_missing_controllers_named() {
	need_cgroup2
	have=$(cat "$(cgmnt)/cgroup.controllers")
	case " $have " in *" memory "*) skip "this hierarchy has the controllers (checked on hosts without them)" ;; esac
	mkbundle true
	cfg '.linux.resources={"memory":{"limit":1048576},"pids":{"limit":10}}'
	rc=0; run_ctr "$TID" 2>"$T/err" || rc=$?
	[ "$rc" -ne 0 ] || fail "resources without controllers succeeded"
	assert_contains "$(cat "$T/err")" "lacks the memory pids controllers" "names the missing controllers"
	[ -z "$(ls "$STATE" 2>/dev/null)" ] || fail "state left behind"
	# and with no resources, it proceeds
	cfg 'del(.linux.resources)'
	run_ctr "$TID"
}

# Where no cgroup2 hierarchy can be had (its mount hidden in a private mount
# namespace), a config with a device rule or a limit is refused, as runc
# refuses it; once it ran with no cgroup and no device filter at all, so
# CAP_MKNOD opened the host's disks. Without resources it runs.
test_cgroups_hidden_hierarchy_refuses_confinement() {
	mkbundle sh -c 'mknod /tmp/sda b 8 0 && head -c 1 /tmp/sda >/dev/null && echo OPENED'
	cfg '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"]) | .root.readonly=false'
	own_rootfs
	hidden() { # run "$@" with every cgroup2 mount covered by a tmpfs (found
		# in mountinfo: busybox's stat, the VM guest's, names no cgroup2fs)
		unshare -m sh -c 'for m in $(awk '"'"'$9 == "cgroup2" { print $5 }'"'"' /proc/self/mountinfo | sort -r); do
			mount -t tmpfs none "$m"; done; exec "$@"' sh "$@"
	}
	for res in '{"devices":[{"allow":false,"access":"rwm"}]}' '{"memory":{"limit":67108864}}' '{"pids":{"limit":50}}'; do
		cfg --argjson r "$res" '.linux.resources=$r'
		rc=0; out=$(cd "$BUNDLE" && hidden "$CORRAL" --root "$STATE" run "$TID" </dev/null 2>&1) || rc=$?
		[ "$rc" -ne 0 ] || fail "resources $res ran with no cgroup2 hierarchy: $out"
		assert_not_contains "$out" OPENED "the container opened the host's disk"
		assert_contains "$out" "no cgroup2" "the error names the missing hierarchy"
		assert_eq "$(echo "$out" | wc -l)" 1 "one line"
		[ -z "$(ls "$STATE" 2>/dev/null)" ] || fail "a refused create left state: $(ls "$STATE")"
	done
	cfg 'del(.linux.resources) | .process.args=["echo","ran"]'
	assert_eq "$(cd "$BUNDLE" && hidden "$CORRAL" --root "$STATE" run "$TID" </dev/null)" ran "no resources: it runs"
}

test_cgroups_events_stats() {
	need_cgroup2
	mkbundle sleep 100
	with_cgroup_path
	create_started
	out=$(cr events --stats "$TID")
	cr delete --force "$TID"
	cleanup_parent
	assert_eq "$(echo "$out" | jq -r .type)" stats "type"
	assert_eq "$(echo "$out" | jq -r .id)" "$TID" "id"
	[ "$(echo "$out" | jq '.data.cpu.usage.total')" -gt 0 ] || fail "no cpu usage in $out"
	if grep -qw memory "$(cgmnt)/cgroup.controllers"; then
		[ "$(echo "$out" | jq '.data.memory.usage.usage')" -gt 0 ] || fail "no memory usage in $out"
		[ "$(echo "$out" | jq '.data.pids.current')" -ge 1 ] || fail "no pids in $out"
	fi
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
