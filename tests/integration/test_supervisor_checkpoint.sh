#!/bin/bash
# time: each case is criu dumps and restores through corrald; a criu round trip takes 5 to 10 s under the VM's TCG
# corralctl checkpoint and restore through corrald: the container's counter
# goes on after a restore, its output reaches its log again through a new
# monitor, which also records its end; --leave-running; events; the
# refusals (noNewPrivileges under criu < 3.19, nothing to restore, another
# member's container). criu works in the VM tier (Debian's kernel 6.1).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/supervisor_lib.sh"
IMG="$FIXTURES/busybox/rootfs"
. "$(dirname "$0")/network_lib.sh"

need_criu() {
	command -v criu >/dev/null || skip "criu is not installed (tests/deps.sh installs it)"
	criu check >/dev/null 2>&1 || skip "criu cannot work on this host's kernel (the VM tier runs it)"
}
# A counter on stdout and in /dev/shm (a tmpfs: criu carries its files).
# --privileged: corrald's containers have noNewPrivileges, which criu
# before 3.19 cannot restore (the refusal test)
# The file is written whole, by a rename: a read never sees it empty.
COUNTER='i=0; while :; do i=$((i+1)); echo "n $i"; echo $i >/dev/shm/n.new; mv /dev/shm/n.new /dev/shm/n; sleep 0.1; done'
count() { ctl exec "$1" cat /dev/shm/n; }
wait_count() { # name min
	for _ in $(seq 100); do [ "$(count "$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0; sleep 0.1; done
	fail "$1: the counter did not reach $2"
}
# NAME N: NAME's counter has gone past N
counts_past() { [ "$(count "$1")" -gt "$2" ]; }
field() { ctl inspect --format "{{.State.$2}}" "$1"; }

test_ctl_checkpoint_restore_goes_on() {
	need_criu
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name cnt --privileged --restart always "$IMG" sh -c "$COUNTER" >/dev/null
	wait_count cnt 5
	local pid before newpid
	pid=$(field cnt Pid)
	ctl checkpoint cnt || fail "checkpoint"
	assert_eq "$(field cnt Status) $(field cnt Checkpointed)" "exited true" "checkpointed, down"
	kill -0 "$pid" 2>/dev/null && fail "its init $pid still runs"
	sleep 1.5 # --restart always: nothing brings it back but a restore
	assert_eq "$(field cnt Status)" exited "no restart after a checkpoint"
	before=$(ctl logs cnt | tail -1 | awk '{print $2}')
	ctl restore cnt || fail "restore"
	assert_eq "$(field cnt Status) $(field cnt Checkpointed)" "running false" "running again"
	newpid=$(field cnt Pid)
	[ "$newpid" != "$pid" ] && kill -0 "$newpid" || fail "the restored init $newpid does not run"
	# from where it was (its log line comes just before the file's write)
	local n
	n=$(count cnt)
	[ "$n" -ge $((before - 1)) ] || fail "the counter started again at $n (it was at $before)"
	wait_for 30 counts_past cnt "$n"
	# its stdout is the new monitor's: the log goes on from where it was
	# (30 s, as the waits before it: a guest beside four others took over 5)
	wait_for 30 sh -c "ctl() { \"$CORRALCTL\" --socket \"$SOCK\" \"\$@\"; }; ctl logs cnt | grep -qx 'n $((before + 3))'"
	assert_eq "$(ctl logs cnt | grep -c '^n 1$')" 1 "the counter never started again"
	ctl events --since 1m --until 0s --filter container=cnt >"$T/ev"
	assert_contains "$(cat "$T/ev")" "checkpoint" "a checkpoint event"
	assert_contains "$(cat "$T/ev")" "restore" "a restore event"
	[ -d "$STATE_D/containers/$(ctl inspect --format '{{.Id}}' cnt)/checkpoint" ] && fail "the checkpoint is left after the restore"
	# the new monitor records its end, and the restart policy is back
	ctl stop -t 1 cnt >/dev/null
	assert_eq "$(field cnt Status)" exited "stopped"
	ctl rm cnt >/dev/null
	kill -0 "$newpid" 2>/dev/null && fail "$newpid runs after rm"
	assert_eq "$(ls "$STATE_D/runtime" 2>/dev/null)" "" "no runtime state left"
}

test_ctl_checkpoint_leave_running() {
	need_criu
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name lr --privileged "$IMG" sh -c "$COUNTER" >/dev/null
	wait_count lr 3
	local pid n
	pid=$(field lr Pid)
	ctl checkpoint --leave-running lr || fail "checkpoint --leave-running"
	assert_eq "$(field lr Status) $(field lr Pid) $(field lr Checkpointed)" "running $pid false" "still running, the same init"
	n=$(count lr)
	wait_for 30 counts_past lr "$n"
	out=$(ctl restore lr 2>&1) && fail "restore of a running container"
	assert_contains "$out" "running" "restore says it runs"
}

test_ctl_checkpoint_refusals() {
	need_criu
	trap cleanup_sv EXIT
	start_sv_group
	local out pid
	# corrald's default: noNewPrivileges, which criu 3.17 would drop
	ctl run -d --name nnp "$IMG" sleep 1000 >/dev/null
	pid=$(field nnp Pid)
	if criu --version | awk '/Version/ { split($2, v, "."); exit !(v[1] == 3 && v[2] < 19) }'; then
		out=$(ctl checkpoint nnp 2>&1) && fail "checkpoint of a noNewPrivileges container under criu < 3.19"
		assert_eq "$(echo "$out" | wc -l)" 1 "one line: $out"
		assert_contains "$out" "noNewPrivileges" "names the field"
		assert_eq "$(field nnp Status) $(field nnp Pid) $(field nnp Checkpointed)" "running $pid false" "it runs on"
	fi
	out=$(ctl restore nnp 2>&1) && fail "restore of a running container"
	ctl stop -t 1 nnp >/dev/null
	out=$(ctl restore nnp 2>&1) && fail "restore with no checkpoint"
	assert_contains "$out" "no checkpoint" "says why"
	# a member reaches only its own containers
	ctl image import "oci:$FIXTURES/images/oci:test" bb:1 >/dev/null
	mctl 1001 run -d --name mine bb:1 sleep 1000 >/dev/null || fail "member run"
	out=$(mctl 1002 checkpoint mine 2>&1) && fail "another member's checkpoint"
	assert_contains "$out" "no such container" "another's is not there"
	out=$(mctl 1002 restore mine 2>&1) && fail "another member's restore"
	assert_contains "$out" "no such container" "another's is not there"
	assert_eq "$(field mine@1001 Status)" running "it runs on"
}

# A session's containers, checkpointed and restored together: each goes on in
# the session's own net, ipc and uts namespaces, which stay the session's
# (criu leaves the network namespace out as external, and joins the rest).
test_ctl_checkpoint_session_together() {
	need_criu
	trap cleanup_sv EXIT
	start_sv
	ctl session create pod --share net,ipc,uts >/dev/null
	local m ns
	for m in a b; do
		ctl run -d --name $m --session pod --privileged "$IMG" sh -c "$COUNTER" >/dev/null || fail "member $m"
	done
	wait_count a 3
	wait_count b 3
	ns=$(ctl exec a sh -c 'readlink /proc/self/ns/net /proc/self/ns/ipc /proc/self/ns/uts' | tr '\n' ' ')
	assert_eq "$(ctl exec b sh -c 'readlink /proc/self/ns/net /proc/self/ns/ipc /proc/self/ns/uts' | tr '\n' ' ')" "$ns" \
		"a and b share the session's namespaces"
	ctl checkpoint a b >/dev/null || fail "checkpoint a b"
	for m in a b; do
		assert_eq "$(field $m Status) $(field $m Checkpointed)" "exited true" "$m checkpointed"
	done
	ctl restore a b >/dev/null || fail "restore a b"
	for m in a b; do
		assert_eq "$(field $m Status)" running "$m runs again"
		assert_eq "$(ctl exec $m sh -c 'readlink /proc/self/ns/net /proc/self/ns/ipc /proc/self/ns/uts' | tr '\n' ' ')" \
			"$ns" "$m is back in the session's namespaces"
		assert_eq "$(ctl exec $m hostname)" pod "$m's hostname"
		assert_eq "$(ctl logs $m | grep -c '^n 1$')" 1 "$m's counter never started again"
	done
	local n
	n=$(count a)
	wait_for 30 counts_past a "$n"
}

# podman's --export and --import: the checkpoint as one file, the
# container removed, then made again from the file, and under another name
# beside the first: each counter goes on from where it was.
test_ctl_checkpoint_export_import() {
	need_criu
	trap cleanup_sv EXIT
	start_sv
	# an image of the store: its rootfs has an upper directory to carry
	ctl image import "oci:$FIXTURES/images/oci:test" bb:1 >/dev/null
	ctl run -d --name ex --privileged bb:1 sh -c "echo seen >/marker; rm /bin/true; $COUNTER" >/dev/null
	wait_count ex 5
	local n id
	ctl checkpoint --export "$T/ex.tar" ex >/dev/null || fail "checkpoint --export"
	assert_eq "$(stat -c %a "$T/ex.tar")" 600 "the file is the caller's alone"
	n=$(ctl logs ex | tail -1 | awk '{print $2}')
	ctl rm ex >/dev/null
	# a real archive, truncated, and with one byte of criu's pages changed:
	# refused in one line, nothing made, nothing staged
	local size out bad
	size=$(stat -c %s "$T/ex.tar")
	head -c $((size * 2 / 3)) "$T/ex.tar" >"$T/cut.tar"
	python3 - "$T/ex.tar" "$T/flip.tar" <<-'EOF'
		import sys
		d = bytearray(open(sys.argv[1], "rb").read())
		at = d.rfind(b"checkpoint/pages-1.img") + 512 + 100  # in its data, past its header
		d[at] ^= 0xff
		open(sys.argv[2], "wb").write(d)
	EOF
	for bad in cut flip; do
		out=$(ctl restore --import "$T/$bad.tar" 2>&1) && fail "$bad: imported"
		assert_eq "$(echo "$out" | wc -l)" 1 "$bad: one line: $out"
		assert_eq "$(ctl ps -a -q | wc -l)" 0 "$bad: no container was made"
		assert_eq "$(ls -A "$STATE_D/containers" | grep -c '^\.import-')" 0 "$bad: nothing staged is left"
	done
	id=$(ctl restore --import "$T/ex.tar") || fail "restore --import"
	assert_eq "$(ctl inspect --format '{{.Id}} {{.State.Status}} {{.State.Checkpointed}}' ex)" "$id running false" \
		"made again, and running"
	local now
	now=$(count ex)
	[ "$now" -ge $((n - 1)) ] || fail "the counter started again at $now (it was at $n)"
	wait_for 30 counts_past ex "$now"
	assert_eq "$(ctl exec ex cat /marker)" seen "its rootfs changes came along"
	ctl exec ex test -e /bin/true && fail "a file it removed is back"
	ctl restore --import "$T/ex.tar" --name ex2 >/dev/null || fail "restore --import --name beside the first"
	[ "$(count ex2)" -ge "$n" ] || fail "the second copy's counter: $(count ex2)"
	assert_eq "$(ls -A "$STATE_D/containers" | grep -c '^\.import-')" 0 "no staging directory is left"
	ctl rm -f ex ex2 >/dev/null
	assert_eq "$(ls "$STATE_D/runtime" 2>/dev/null)" "" "no runtime state left"
}

# corrald killed while criu dumps: the dump goes on without it, and the
# corrald that starts after finds the container checkpointed (not ended,
# and not restarted by its policy), and restores it.
test_ctl_checkpoint_across_a_restart() {
	need_criu
	trap cleanup_sv EXIT
	start_sv
	# a process of 128 MiB beside the counter: a dump of seconds
	ctl run -d --name slow --privileged --restart always -v "$B/tests/helpers/memtouch:/memtouch:ro" "$IMG" \
		sh -c "/memtouch 128 & $COUNTER" >/dev/null
	wait_count slow 3
	wait_for 30 ctl exec slow test -e /dev/shm/ready
	local pid n
	pid=$(field slow Pid)
	ctl checkpoint slow >"$T/ckpt.out" 2>&1 &
	# (the guest has no pgrep; builtins only: a fork per process made one
	# look take seconds on a loaded guest, and a dump could end unseen)
	dumping() {
		local f argv
		for f in /proc/[0-9]*/cmdline; do
			mapfile -d '' -t argv <"$f" 2>/dev/null || continue
			[ "${argv[0]:-}" = corral-monitor ] && [ "${argv[1]:-}" = --checkpoint ] &&
				[[ " ${argv[*]} " == *" --id $1 "* ]] && return 0
		done
		return 1
	}
	wait_for 30 dumping "$(ctl inspect --format '{{.Id}}' slow)" ||
		fail "no dump began: checkpoint said [$(cat "$T/ckpt.out")]; state $(ctl --json inspect slow | jq -c '.[0].state')"
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true # (killed: its status is 137)
	start_sv
	wait_for 60 sh -c "! kill -0 $pid 2>/dev/null"
	wait_for 10 sh -c "[ \"\$(\"$CORRALCTL\" --socket \"$SOCK\" inspect --format '{{.State.Checkpointed}}' slow)\" = true ]"
	assert_eq "$(field slow Status)" exited "down, checkpointed"
	sleep 1.5 # --restart always: nothing brings it back but a restore
	assert_eq "$(field slow Status)" exited "no restart after the checkpoint"
	ctl restore slow >/dev/null || fail "restore"
	n=$(count slow)
	wait_for 30 counts_past slow "$n"
}

# A container on a network of its own (corrald's bridge, in a network
# namespace of the test's): criu leaves the network out (--empty-ns net),
# the end detaches it, and the restore attaches it again as a start does:
# the restored server answers at its address, with lo up.
test_ctl_checkpoint_own_network() {
	need_criu
	need_cni
	trap cleanup_sv EXIT
	start_sv_netns
	ctl run -d --name web --privileged "$IMG" \
		sh -c "while :; do nc -l -p 8080 -e echo hello; done & $COUNTER" >/dev/null || fail "run"
	wait_count web 3
	local ip n
	ip_of() { ctl --json inspect "$1" | jq -r '.[0].networks["corral"].ipAddress'; }
	hello() { inns "$IMG/bin/busybox" nc -w 3 "$1" 8080 </dev/null; }
	ip=$(ip_of web)
	wait_for 10 sh -c "nsenter --net='$T/netns' '$IMG/bin/busybox' nc -w 3 $ip 8080 </dev/null | grep -q hello"
	ctl checkpoint web >/dev/null 2>"$T/err" || fail "checkpoint: $(cat "$T/err")"
	assert_eq "$(field web Status) $(field web Checkpointed)" "exited true" "checkpointed"
	no_veth() { [ "$(inns ip -o link show type veth | wc -l)" = 0 ]; }
	wait_for 10 no_veth # (CNI's DEL runs after the end is recorded)
	ctl restore web >/dev/null 2>"$T/err" || fail "restore: $(cat "$T/err")"
	ip=$(ip_of web)
	[ -n "$ip" ] && [ "$ip" != null ] || fail "no address after the restore"
	wait_for 10 sh -c "nsenter --net='$T/netns' '$IMG/bin/busybox' nc -w 3 $ip 8080 </dev/null | grep -q hello"
	assert_eq "$(hello "$ip")" hello "the restored server answers at $ip"
	assert_eq "$(ctl exec web cat /sys/class/net/lo/operstate)" unknown "lo is up"
	n=$(count web)
	wait_for 30 counts_past web "$n"
	ctl rm -f web >/dev/null
	wait_for 10 no_veth
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
