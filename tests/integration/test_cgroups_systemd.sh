#!/bin/bash
# time: each case asks systemd (the systemd boot's PID 1) for scopes, beside runc; under TCG a unit call takes seconds
# The systemd cgroup driver (--systemd-cgroup), side by side with runc's:
# the container's cgroup is a transient scope with Delegate=yes and the
# limits as unit properties. Needs systemd as PID 1: the VM tier's systemd
# mode (CORRAL_VM_SYSTEMD=1 tests/vm/run.sh build).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
IMG="$FIXTURES/busybox/rootfs"

need_systemd() {
	[ -d /run/systemd/system ] || skip "needs systemd as PID 1 (CORRAL_VM_SYSTEMD=1 tests/vm/run.sh)"
	command -v runc >/dev/null || skip "runc is not installed (tests/deps.sh installs it)"
	RROOT="$T/runc-root"
	trap 'for i in $(runc --root "$RROOT" list -q 2>/dev/null); do runc --root "$RROOT" delete -f "$i"; done >/dev/null 2>&1; true' EXIT
}
# rt RUNTIME ARGS...: runc or corral, with the systemd driver
rt() {
	local r=$1
	shift
	if [ "$r" = runc ]; then runc --root "$RROOT" --systemd-cgroup "$@"; else cr --systemd-cgroup "$@"; fi
}
unit_of() { echo "ct$1-$TID.scope"; } # runtime: the scope a test's container gets
cgpath() { cfg --arg p "system.slice:ct$1:$TID" '.linux.cgroupsPath=$p'; }
prop() { systemctl show -P "$2" "$1"; } # unit property
stopped() { [ "$(rt "$1" state "$TID" | jq -r .status)" = stopped ]; }
gone() { [ "$(systemctl show -P LoadState "$1")" = not-found ]; }
LIMITS='{"memory":{"limit":67108864,"swap":100663296},"cpu":{"shares":512,"quota":50000,"period":100000,"cpus":"0"},
 "pids":{"limit":64},"blockIO":{"weight":500},"unified":{"memory.high":"50331648"}}'

test_systemd_scope_delegates_with_limits() {
	need_systemd
	mkbundle sh -c 'cat /proc/self/cgroup; exec sleep 300'
	cfg --argjson l "$LIMITS" '.linux.resources=$l | .linux.namespaces |= (map(select(.type != "cgroup")) + [{"type":"cgroup"}])'
	local r u p
	for r in runc corral; do
		cgpath "$r"
		(cd "$BUNDLE" && rt "$r" create "$TID" </dev/null >"$T/out.$r" 2>&1) || { cat "$T/out.$r"; fail "$r create"; }
		u=$(unit_of "$r")
		assert_eq "$(prop "$u" Delegate)" yes "$r: Delegate"
		assert_eq "$(prop "$u" Slice)" system.slice "$r: Slice"
		assert_eq "$(prop "$u" ActiveState)" active "$r: ActiveState"
		for p in MemoryMax MemorySwapMax CPUWeight CPUQuotaPerSecUSec TasksMax IOWeight AllowedCPUs; do
			echo "$r $p=$(prop "$u" $p)" >>"$T/props"
		done
		# in the scope itself, with the rest written into its cgroup
		p=/sys/fs/cgroup/system.slice/$u
		assert_eq "$(cat "$p/memory.max")" 67108864 "$r: memory.max"
		assert_eq "$(cat "$p/memory.high")" 50331648 "$r: memory.high (no unit property)"
		assert_eq "$(cat "$p/pids.max")" 64 "$r: pids.max"
		assert_eq "$(cat "$p/cpu.max")" "50000 100000" "$r: cpu.max"
		assert_eq "$(rt "$r" state "$TID" | jq .pid)" "$(cat "$p/cgroup.procs")" "$r: the init is in the scope"
		rt "$r" start "$TID"
		wait_for 10 grep -q '^0::' "$T/out.$r"
		# (runc warns on stderr of a device systemd cannot find)
		assert_eq "$(grep -v 'level=warning' "$T/out.$r")" "0::/" "$r: the cgroup namespace is rooted at the scope"
	done
	sed -n 's/^corral //p' "$T/props" >"$T/corral"
	sed -n 's/^runc //p' "$T/props" >"$T/runc"
	# IOWeight apart: whether runc sets it depends on its version
	diff <(grep -v ^IOWeight "$T/runc") <(grep -v ^IOWeight "$T/corral") || fail "unit properties differ from runc's"
	grep -qx IOWeight=4950 "$T/corral" || fail "IOWeight"
	grep -qx MemoryMax=67108864 "$T/corral" || fail "MemoryMax"
	grep -qx MemorySwapMax=33554432 "$T/corral" || fail "MemorySwapMax"
	grep -qx CPUWeight=20 "$T/corral" || fail "CPUWeight"
	grep -qx CPUQuotaPerSecUSec=500ms "$T/corral" || fail "CPUQuotaPerSecUSec"
	grep -qx TasksMax=64 "$T/corral" || fail "TasksMax"
	grep -qx AllowedCPUs=0 "$T/corral" || fail "AllowedCPUs"
	rt corral features | jq -e '.linux.cgroup.systemd == true' >/dev/null || fail "features: systemd"
}

test_systemd_update_changes_unit_and_cgroup() {
	need_systemd
	mkbundle sleep 300
	cfg --argjson l "$LIMITS" '.linux.resources=$l'
	local r u
	for r in runc corral; do
		cgpath "$r"
		(cd "$BUNDLE" && rt "$r" run -d "$TID" </dev/null >/dev/null 2>&1) || fail "$r run -d"
		rt "$r" update --memory 33554432 --memory-swap 67108864 --pids-limit 32 --cpu-quota 25000 "$TID" ||
			fail "$r update"
		u=$(unit_of "$r")
		assert_eq "$(prop "$u" MemoryMax)" 33554432 "$r: MemoryMax after update"
		assert_eq "$(prop "$u" TasksMax)" 32 "$r: TasksMax after update"
		assert_eq "$(prop "$u" CPUQuotaPerSecUSec)" 250ms "$r: CPUQuotaPerSecUSec after update"
		assert_eq "$(cat "/sys/fs/cgroup/system.slice/$u/memory.max")" 33554432 "$r: memory.max after update"
		assert_eq "$(cat "/sys/fs/cgroup/system.slice/$u/pids.max")" 32 "$r: pids.max after update"
		assert_eq "$(cat "/sys/fs/cgroup/system.slice/$u/cpu.max")" "25000 100000" "$r: cpu.max after update"
	done
}

test_systemd_oom_and_no_unit_after_delete() {
	need_systemd
	# the shell's variable grows past 16 MiB: the kernel OOM-kills it
	mkbundle sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived ${#x}'
	cfg '.linux.resources={"memory":{"limit":16777216,"swap":16777216}}'
	local r rc out
	for r in runc corral; do
		cgpath "$r"
		rc=0
		out=$(cd "$BUNDLE" && rt "$r" run "$TID" </dev/null 2>"$T/err") || rc=$?
		assert_eq "$rc" 137 "$r: exit code of an OOM-killed container"
		assert_not_contains "$out" survived "$r: output"
		gone "$(unit_of "$r")" || fail "$r: $(unit_of "$r") is left after run"
	done
	# delete --force of a running one, and of a stopped one
	mkbundle sleep 300
	for r in runc corral; do
		cgpath "$r"
		(cd "$BUNDLE" && rt "$r" run -d "$TID" </dev/null >/dev/null 2>&1) || fail "$r run -d"
		rt "$r" delete --force "$TID"
		gone "$(unit_of "$r")" || fail "$r: $(unit_of "$r") is left after delete --force"
		(cd "$BUNDLE" && rt "$r" run -d "$TID" </dev/null >/dev/null 2>&1) || fail "$r run -d"
		rt "$r" kill "$TID" KILL
		wait_for 10 stopped "$r"
		rt "$r" delete "$TID"
		gone "$(unit_of "$r")" || fail "$r: $(unit_of "$r") is left after delete"
		[ ! -e "/sys/fs/cgroup/system.slice/$(unit_of "$r")" ] || fail "$r: its cgroup is left"
	done
	# a create that fails after the scope was made leaves none
	cfg '.mounts+=[{"destination":"/x","type":"bind","source":"/no/such/dir","options":["bind"]}]'
	cgpath corral
	(cd "$BUNDLE" && cr --systemd-cgroup create "$TID" </dev/null >/dev/null 2>"$T/err") && fail "create with a bad mount"
	gone "$(unit_of corral)" || fail "$(unit_of corral) is left after a failed create"
	[ ! -e "$STATE/$TID" ] || fail "state left after a failed create"
}

# corrald's cgroup-manager: systemd where PID 1 is (auto), as podman's
test_systemd_corrald_cgroup_manager() {
	need_systemd
	trap cleanup_sv EXIT
	start_sv --cgroup-parent machine.slice
	local id u
	ctl run -d --name s --memory 32m "$IMG" sleep 300 >/dev/null
	id=$(ctl --json ps -a | jq -r '.[0].id')
	u=corral-$id.scope
	assert_eq "$(prop "$u" Delegate)" yes "corrald's container: Delegate"
	assert_eq "$(prop "$u" Slice)" machine.slice "corrald's container: Slice"
	assert_eq "$(prop "$u" MemoryMax)" 33554432 "corrald's container: MemoryMax"
	assert_eq "$(cat "/sys/fs/cgroup/machine.slice/$u/memory.max")" 33554432 "memory.max"
	ctl top s >/dev/null || fail "top reads the scope's processes"
	ctl rm -f s >/dev/null
	gone "$u" || fail "$u is left after rm -f"
	cleanup_sv
	# cgroupfs: a directory under cgroup-parent, and no unit
	start_sv --cgroup-manager cgroupfs
	ctl run -d --name f "$IMG" sleep 300 >/dev/null
	id=$(ctl --json ps -a | jq -r '.[0].id')
	[ -d "/sys/fs/cgroup/corral-$TID/$id" ] || fail "cgroupfs: no /corral-$TID/$id"
	gone "corral-$id.scope" || fail "cgroupfs: a scope was made"
	ctl rm -f f >/dev/null
	# a path is no slice
	cleanup_sv
	local out
	out=$(timeout 10 "$CORRALD" --config /dev/null --socket "$S/x.sock" --state-dir "$T/x" \
		--cgroup-manager systemd --cgroup-parent /x 2>&1) && fail "a path as the systemd manager's slice"
	assert_contains "$out" 'cgroup-parent: "/x" must be a slice' "the error"
}

# Checkpoint and restore under the systemd driver (podman's default on a
# systemd host): the restored tree is in a new scope of the same name, with
# its limits, beside runc; delete stops it.
test_systemd_checkpoint_restore() {
	need_systemd
	command -v criu >/dev/null && criu check >/dev/null 2>&1 || skip "criu cannot work here"
	mkbundle sh -c 'i=0; while :; do i=$((i+1)); echo $i >/dev/shm/n.new; mv /dev/shm/n.new /dev/shm/n; sleep 0.1; done'
	cfg '.process.noNewPrivileges=false | .linux.resources={"pids":{"limit":64}}'
	local r u pid n
	for r in runc corral; do
		cgpath "$r"
		u=$(unit_of "$r")
		(cd "$BUNDLE" && rt "$r" run -d "$TID" </dev/null >/dev/null 2>&1) || fail "$r run -d"
		wait_for 10 sh -c "[ \"\$(cat /sys/fs/cgroup/system.slice/$u/pids.current 2>/dev/null || echo 0)\" -ge 1 ]"
		wait_for 30 cr_counts_past "$r" 2
		rt "$r" checkpoint --image-path "$T/img-$r" "$TID" 2>"$T/err" || fail "$r checkpoint: $(cat "$T/err")"
		wait_for 10 gone "$u"
		(cd "$BUNDLE" && rt "$r" restore -d --image-path "$T/img-$r" "$TID" </dev/null >/dev/null 2>"$T/err") ||
			fail "$r restore: $(cat "$T/err")"
		pid=$(rt "$r" state "$TID" | jq .pid)
		assert_eq "$(prop "$u" ActiveState)" active "$r: the scope is back"
		grep -qx "$pid" "/sys/fs/cgroup/system.slice/$u/cgroup.procs" || fail "$r: the restored init $pid is not in $u"
		assert_eq "$(cat "/sys/fs/cgroup/system.slice/$u/pids.max")" 64 "$r: its limit"
		n=$(cr_exec "$r" cat /dev/shm/n)
		[ "$n" -gt 2 ] || fail "$r: the counter started again at $n"
		wait_for 30 cr_counts_past "$r" "$n"
		rt "$r" delete -f "$TID"
		wait_for 10 gone "$u"
	done
}
cr_exec() { local r=$1; shift; rt "$r" exec "$TID" "$@"; }
# RT N: the container's counter (written whole, by a rename) is past N
cr_counts_past() { [ "$(cr_exec "$1" cat /dev/shm/n)" -gt "$2" ]; }

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
