#!/bin/bash
# time: each case is criu dumps and restores, beside runc; a criu round trip takes 5 to 10 s under the VM's TCG
# checkpoint and restore through criu, side by side with runc: a counter
# goes on in the restored container, state says running with its new pid,
# and delete leaves nothing; --leave-running; a bind mount; the refusals.
# criu works in the VM tier (Debian's kernel 6.1); on a host where it
# cannot, checkpoint says why in one line and the container runs on.
. "$(dirname "$0")/lib.sh"

need_runc() { command -v runc >/dev/null || skip "runc is not installed (tests/deps.sh installs it)"; }
need_criu() {
	command -v criu >/dev/null || skip "criu is not installed (tests/deps.sh installs it)"
	criu check >/dev/null 2>&1 || skip "criu cannot work on this host's kernel (the VM tier runs it)"
	need_runc
	RROOT="$T/runc-root"
	trap 'for i in $(runc --root "$RROOT" list -q 2>/dev/null); do runc --root "$RROOT" delete -f "$i"; done >/dev/null 2>&1; true' EXIT
}
# rt RUNTIME ARGS...
rt() {
	local r=$1
	shift
	if [ "$r" = runc ]; then runc --root "$RROOT" "$@"; else cr "$@"; fi
}
# A counter in the container's /dev/shm (a tmpfs: criu carries its files)
counter_bundle() {
	mkbundle sh -c 'i=0; while :; do i=$((i+1)); echo $i >/dev/shm/n; [ -d /data ] && echo $i >/data/n; sleep 0.1; done'
	# criu before 3.19 does not restore no_new_privs (see the refusal test)
	cfg '.process.noNewPrivileges=false'
}
count() { # the counter, once it holds a number (it truncates the file as it writes it)
	local v
	for _ in $(seq 50); do v=$(rt "$1" exec "$TID" cat /dev/shm/n 2>/dev/null); [ -n "$v" ] && break; sleep 0.02; done
	echo "${v:-0}"
}
host_n() { # the bind's counter, once it holds a number
	local v
	for _ in $(seq 50); do v=$(cat "$T/data/n" 2>/dev/null); [ -n "$v" ] && break; sleep 0.02; done
	echo "${v:-0}"
}
wait_count() { # runtime min
	for _ in $(seq 100); do [ "$(count "$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0; sleep 0.1; done
	fail "$1: the counter did not reach $2"
}

test_checkpoint_restore_counter_goes_on() {
	need_criu
	counter_bundle
	local r before pid newpid after
	for r in runc corral; do
		(cd "$BUNDLE" && rt "$r" run -d "$TID" </dev/null >/dev/null 2>&1) || fail "$r run -d"
		wait_count "$r" 5
		pid=$(rt "$r" state "$TID" | jq .pid)
		rt "$r" checkpoint --image-path "$T/img-$r" "$TID" || fail "$r checkpoint"
		[ -f "$T/img-$r/inventory.img" ] || fail "$r: no images"
		rt "$r" state "$TID" >/dev/null 2>&1 && fail "$r: the container is still there after checkpoint"
		kill -0 "$pid" 2>/dev/null && fail "$r: its init $pid still runs"
		[ -z "$(find /sys/fs/cgroup -maxdepth 3 -name "*$TID*")" ] || fail "$r: a cgroup is left after checkpoint"
		(cd "$BUNDLE" && rt "$r" restore -d --image-path "$T/img-$r" "$TID" </dev/null >/dev/null 2>"$T/err") ||
			fail "$r restore: $(cat "$T/err")"
		assert_eq "$(rt "$r" state "$TID" | jq -r .status)" running "$r: status after restore"
		newpid=$(rt "$r" state "$TID" | jq .pid)
		kill -0 "$newpid" || fail "$r: the restored init $newpid does not run"
		before=$(count "$r")
		sleep 0.5
		after=$(count "$r")
		[ "$after" -gt "$before" ] || fail "$r: the counter stopped at $before"
		[ "$before" -ge 5 ] || fail "$r: the counter started again ($before)"
		rt "$r" delete -f "$TID"
		kill -0 "$newpid" 2>/dev/null && fail "$r: $newpid runs after delete"
		[ -z "$(find /sys/fs/cgroup -maxdepth 3 -name "*$TID*")" ] || fail "$r: a cgroup is left after delete"
	done
	assert_eq "$(ls "$STATE")" "" "no state left"
}

test_checkpoint_leave_running() {
	need_criu
	counter_bundle
	local r pid
	for r in runc corral; do
		(cd "$BUNDLE" && rt "$r" run -d "$TID" </dev/null >/dev/null 2>&1) || fail "$r run -d"
		wait_count "$r" 3
		pid=$(rt "$r" state "$TID" | jq .pid)
		rt "$r" checkpoint --leave-running --image-path "$T/img-$r" "$TID" || fail "$r checkpoint --leave-running"
		assert_eq "$(rt "$r" state "$TID" | jq -r '"\(.status) \(.pid)"')" "running $pid" "$r: still running, the same init"
		[ -f "$T/img-$r/inventory.img" ] || fail "$r: no images"
		local n
		n=$(count "$r")
		sleep 0.3
		[ "$(count "$r")" -gt "$n" ] || fail "$r: the counter stopped"
		rt "$r" delete -f "$TID"
	done
}

# A bind of a host directory: an external mount on dump, bound again from
# its source on restore; the restored counter writes the host's file.
test_checkpoint_bind_mount() {
	need_criu
	counter_bundle
	mkdir -p "$T/data"
	cfg --arg d "$T/data" '.mounts += [{"destination":"/data","type":"bind","source":$d,"options":["rbind","rw"]}]'
	local r n
	for r in runc corral; do
		(cd "$BUNDLE" && rt "$r" run -d "$TID" </dev/null >/dev/null 2>&1) || fail "$r run -d"
		wait_count "$r" 3
		rt "$r" checkpoint --image-path "$T/img-$r" "$TID" || fail "$r checkpoint"
		(cd "$BUNDLE" && rt "$r" restore -d --image-path "$T/img-$r" "$TID" </dev/null >/dev/null 2>"$T/err") ||
			fail "$r restore: $(cat "$T/err")"
		# (the counter truncates the file as it writes it: read until a number)
		n=$(host_n)
		for _ in $(seq 50); do [ "$(host_n)" -gt "$n" ] && break; sleep 0.1; done
		[ "$(host_n)" -gt "$n" ] || fail "$r: the host's file did not go on from $n"
		rt "$r" delete -f "$TID"
	done
}

# Restore runs the prestart and createRuntime hooks, as runc does, at
# criu's setup-namespaces: the restored init's pid in the state, and its
# namespaces already the ones it keeps. A failing hook fails the restore
# with its own error, and nothing is left.
test_checkpoint_restore_runs_runtime_hooks() {
	need_criu
	local r newpid k
	for r in runc corral; do
		counter_bundle
		(cd "$BUNDLE" && rt "$r" run -d "$TID" </dev/null >/dev/null 2>&1) || fail "$r run -d"
		wait_count "$r" 3
		rt "$r" checkpoint --image-path "$T/img-$r" "$TID" || fail "$r checkpoint"
		# (added after the run: create would run them too)
		for k in prestart createRuntime; do
			cfg --arg k "$k" --arg f "$T/hook-$r-$k" '.hooks[$k] = [{"path":"/bin/sh","env":["PATH=/usr/bin:/bin"],"args":["sh","-c",
				"s=$(cat); echo \"$s\" >\"$0\"; readlink /proc/$(echo \"$s\" | jq .pid)/ns/net >\"$0.ns\"", $f]}]'
		done
		(cd "$BUNDLE" && rt "$r" restore -d --image-path "$T/img-$r" "$TID" </dev/null >/dev/null 2>"$T/err") ||
			fail "$r restore: $(cat "$T/err")"
		newpid=$(rt "$r" state "$TID" | jq .pid)
		for k in prestart createRuntime; do
			assert_eq "$(jq -r '"\(.id) \(.pid)"' "$T/hook-$r-$k")" "$TID $newpid" "$r: $k's state"
			assert_eq "$(cat "$T/hook-$r-$k.ns")" "$(readlink "/proc/$newpid/ns/net")" "$r: $k saw the namespace"
		done
		rt "$r" delete -f "$TID"
	done
	counter_bundle
	(cd "$BUNDLE" && cr run -d "$TID" </dev/null >/dev/null 2>&1) || fail "run -d"
	wait_count corral 3
	cr checkpoint --image-path "$T/img-fail" "$TID" || fail "checkpoint"
	cfg '.hooks.prestart = [{"path":"/bin/sh","args":["sh","-c","echo no way >&2; exit 3"]}]'
	(cd "$BUNDLE" && cr restore -d --image-path "$T/img-fail" "$TID" </dev/null >/dev/null 2>"$T/err") &&
		fail "restore with a failing prestart hook succeeded"
	grep -q 'hooks.prestart\[0\]' "$T/err" || fail "the error does not name the hook: $(cat "$T/err")"
	assert_eq "$(ls "$STATE")" "" "no state left"
	grep -q criu-root /proc/self/mountinfo && fail "criu's root is still mounted"
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -name "*$TID*")" ] || fail "a cgroup is left"
	[ -z "$(leaked_processes "$T")" ] || fail "a restored process runs on"
}

# A restore killed while criu runs: delete --force still finds all it made
# (its state names the cgroup from the start), the rootfs it bound for
# criu too, and whatever criu went on to restore without it.
# no criu of this test's runs (another lane's may): each holds $T/img open
criu_of_ours_gone() {
	local p
	for p in $(grep -lsx criu /proc/[0-9]*/comm); do
		p=${p%/comm}
		ls -l "$p/fd" "$p/cwd" 2>/dev/null | grep -q -- "-> $T/" && return 1
	done
	return 0
}
test_checkpoint_killed_restore_is_deleted() {
	need_criu
	counter_bundle
	(cd "$BUNDLE" && cr run -d "$TID" </dev/null >/dev/null 2>&1) || fail "run -d"
	wait_count corral 3
	cr checkpoint --image-path "$T/img" "$TID" || fail "checkpoint"
	(cd "$BUNDLE" && exec "$CORRAL" --root "$STATE" restore -d --image-path "$T/img" "$TID" </dev/null >/dev/null 2>&1) &
	local pid=$!
	wait_for 20 grep -q " $STATE/$TID/criu-root " /proc/self/mountinfo
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true # (killed: its status is 137)
	# (criu goes on without it; the guest has no pgrep)
	wait_for 60 criu_of_ours_gone
	cr delete -f "$TID" 2>"$T/err" || fail "delete -f: $(cat "$T/err")"
	grep -q " $STATE/" /proc/self/mountinfo && fail "criu's root is still mounted"
	assert_eq "$(ls "$STATE")" "" "no state left"
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -name "*$TID*")" ] || fail "a cgroup is left"
	[ -z "$(leaked_processes "$T")" ] || fail "a restored process runs on"
}

# Its stdout and stderr a file of the host's (run -d >FILE 2>&1), of no
# mount of the container's: the dump names it external (file[MNT:INODE]),
# and restore hands its own stdout in its place, as for a pipe. criu checks
# that file's size, so it must be the same file (restore >>FILE); another
# is refused with criu's reason, and nothing is left. corral alone: runc
# passes pipes on, and criu finds no such file in the container.
test_checkpoint_stdout_a_host_file() {
	need_criu
	mkbundle sh -c 'i=0; while :; do i=$((i+1)); echo $i; echo "e$i" >&2; sleep 0.1; done'
	cfg '.process.noNewPrivileges=false'
	(cd "$BUNDLE" && cr run -d "$TID" </dev/null >"$T/out" 2>&1) || fail "run -d: $(cat "$T/out")"
	wait_for 10 sh -c "[ \$(grep -c '^[0-9]' '$T/out') -ge 3 ]"
	cr checkpoint --image-path "$T/img" "$TID" 2>"$T/err" || fail "checkpoint: $(cat "$T/err")"
	assert_eq "$(jq -r '.[1:] | map(test("^file\\[[0-9a-f]+:[0-9a-f]+\\]$")) | all' "$T/img/descriptors.json")" true \
		"stdout and stderr named external: $(cat "$T/img/descriptors.json")"
	local last
	last=$(grep '^[0-9]' "$T/out" | tail -1)
	(cd "$BUNDLE" && cr restore -d --image-path "$T/img" "$TID" </dev/null >"$T/other" 2>&1) &&
		fail "restored with another file as its stdout"
	assert_contains "$(cat "$T/other")" "has bad size 0" "criu's reason"
	assert_eq "$(ls "$STATE")" "" "the refused restore left nothing"
	(cd "$BUNDLE" && cr restore -d --image-path "$T/img" "$TID" </dev/null >>"$T/out" 2>&1) ||
		fail "restore: $(tail -1 "$T/out")"
	wait_for 10 grep -qx "$((last + 2))" "$T/out"
	grep -qx "$((last + 1))" "$T/out" || fail "the counter did not go on from $last"
	grep -qx "e$((last + 1))" "$T/out" || fail "stderr does not reach the file again"
	cr delete -f "$TID"
}

# Its own network namespace is left out of the dump, as runc leaves it
# (criu's dump of one runs ip and iptables-save), and restore gives it lo
# and the config's net.* sysctls again before any process runs: a server
# bound to 127.0.0.1 is restored listening. (runc restores it with lo
# down: "loopback: do nothing".)
test_checkpoint_own_network_namespace() {
	need_criu
	mkbundle sh -c 'mkdir -p /dev/shm/www && echo hello >/dev/shm/www/x && httpd -f -p 127.0.0.1:8080 -h /dev/shm/www'
	cfg '.process.noNewPrivileges=false | .linux.sysctl = {"net.ipv4.ping_group_range":"0 0"}'
	(cd "$BUNDLE" && cr run -d "$TID" </dev/null >/dev/null 2>&1) || fail "run -d"
	for _ in $(seq 50); do cr exec "$TID" wget -qO- http://127.0.0.1:8080/x >/dev/null 2>&1 && break; sleep 0.1; done
	cr checkpoint --image-path "$T/img" "$TID" 2>"$T/err" || fail "checkpoint: $(cat "$T/err")"
	[ -e "$T/img/network.empty" ] || fail "the dump does not say the network was left out"
	grep -q 'ip addr save' "$T/img/dump.log" && fail "criu dumped the network namespace"
	(cd "$BUNDLE" && cr restore -d --image-path "$T/img" "$TID" </dev/null >/dev/null 2>"$T/err") ||
		fail "restore: $(cat "$T/err")"
	assert_eq "$(cr exec "$TID" wget -qO- http://127.0.0.1:8080/x)" hello "the server on 127.0.0.1 after restore"
	assert_eq "$(cr exec "$TID" cat /proc/sys/net/ipv4/ping_group_range | tr -s '\t ' ' ')" "0 0" "the net sysctl"
	cr delete -f "$TID"
}

# Its own network namespace, with an established TCP connection inside it
# (--tcp-established): the server goes on receiving from the same client.
# corral alone: runc 1.1.5's dump of it fails here ("criu failed: type
# NOTIFY errno 0"; runc always asks criu for an empty network namespace).
test_checkpoint_tcp_established() {
	need_criu
	# (one line: mkbundle passes each line as an argument of its own)
	mkbundle sh -c 'nc -l -p 5000 -e sh -c "while read l; do echo \$l >/dev/shm/got; done" & sleep 0.5; i=0; while :; do i=$((i+1)); echo $i; sleep 0.1; done | nc 127.0.0.1 5000'
	cfg '.process.noNewPrivileges=false'
	local r=corral n got
	for r in corral; do
		(cd "$BUNDLE" && rt "$r" run -d "$TID" </dev/null >/dev/null 2>&1) || fail "$r run -d"
		# the connection is up once a line has come through it
		wait_for 30 rt "$r" exec "$TID" test -s /dev/shm/got
		[ "$(rt "$r" state "$TID" | jq -r .status)" = running ] || fail "$r: the container ended"
		rt "$r" checkpoint --tcp-established --image-path "$T/img-$r" "$TID" 2>"$T/err" || fail "$r checkpoint: $(cat "$T/err")"
		(cd "$BUNDLE" && rt "$r" restore -d --tcp-established --image-path "$T/img-$r" "$TID" </dev/null >/dev/null 2>"$T/err") ||
			fail "$r restore: $(cat "$T/err")"
		n=$(rt "$r" exec "$TID" cat /dev/shm/got)
		sleep 0.6
		got=$(rt "$r" exec "$TID" cat /dev/shm/got)
		[ "$n" -ge 5 ] && [ "$got" -gt "$n" ] || fail "$r: the connection did not go on ($n, then $got)"
		rt "$r" delete -f "$TID"
	done
}

# A config with noNewPrivileges: criu before 3.19 would restore it without
# (runc restores it so); corral refuses before anything is dumped.
# A container on a terminal (--console-socket): its shell reads the first
# terminal, then after the checkpoint, the tree gone, and restore with
# another console socket, it reads and answers on the new one (criu gets
# the new pty's peer in place of the dump's, which was external).
test_checkpoint_terminal() {
	need_criu
	mkbundle sh -c 'while read l; do echo "got $l"; done'
	cfg '.process.noNewPrivileges=false | .process.terminal=true'
	local r out
	for r in runc corral; do
		"$B/tests/helpers/recvtty" "$S/tty1.sock" $'one\n' 60 >"$T/tty1.$r" 2>&1 &
		for _ in $(seq 50); do [ -S "$S/tty1.sock" ] && break; sleep 0.1; done
		(cd "$BUNDLE" && rt "$r" run -d --console-socket "$S/tty1.sock" "$TID" </dev/null >/dev/null 2>"$T/err") ||
			fail "$r run -d: $(cat "$T/err")"
		for _ in $(seq 100); do grep -q 'got one' "$T/tty1.$r" && break; sleep 0.1; done
		grep -q 'got one' "$T/tty1.$r" || fail "$r: the first terminal: $(cat "$T/tty1.$r")"
		rt "$r" checkpoint --image-path "$T/tty-img-$r" "$TID" 2>"$T/err" || fail "$r checkpoint: $(cat "$T/err")"
		"$B/tests/helpers/recvtty" "$S/tty2.sock" $'two\n' 60 >"$T/tty2.$r" 2>&1 &
		for _ in $(seq 50); do [ -S "$S/tty2.sock" ] && break; sleep 0.1; done
		(cd "$BUNDLE" && rt "$r" restore -d --console-socket "$S/tty2.sock" --image-path "$T/tty-img-$r" "$TID" \
			</dev/null >/dev/null 2>"$T/err") || fail "$r restore: $(cat "$T/err")"
		for _ in $(seq 100); do grep -q 'got two' "$T/tty2.$r" && break; sleep 0.1; done
		grep -q 'got two' "$T/tty2.$r" || fail "$r: the restored shell does not answer on the new terminal: $(cat "$T/tty2.$r")"
		assert_eq "$(rt "$r" state "$TID" | jq -r .status)" running "$r: running"
		rt "$r" delete -f "$TID"
		rm -f "$S/tty1.sock" "$S/tty2.sock"
	done
	# a terminal's container is restored onto one
	out=$(cd "$BUNDLE" && cr restore -d --image-path "$T/tty-img-corral" "$TID" 2>&1) && fail "restore without a console socket"
	assert_contains "$out" "process.terminal" "names the field"
}

test_checkpoint_refusals() {
	command -v criu >/dev/null || skip "criu is not installed (tests/deps.sh installs it)"
	counter_bundle
	cfg '.process.noNewPrivileges=true'
	run_ctr -d "$TID" >/dev/null 2>&1 || fail "run -d"
	local pid out
	pid=$(cr state "$TID" | jq .pid)
	out=$(cr checkpoint --image-path "$T/img" "$TID" 2>&1) && fail "checkpoint of a no_new_privs container"
	if [ "$(criu --version | sed -n 's/^Version: \([0-9]*\)\.\([0-9]*\).*/\1\2/p')" -lt 319 ]; then
		assert_eq "$out" "corral: checkpoint $TID: process.noNewPrivileges: criu $(criu --version | sed -n 's/^Version: //p') cannot restore it (criu 3.19 or later can): the container was not checkpointed" "the refusal"
	fi
	assert_eq "$(cr state "$TID" | jq -r '"\(.status) \(.pid)"')" "running $pid" "still running"
	[ ! -e "$T/img" ] || fail "images were made"
	# where criu cannot work, its own check says why, in one line
	cfg '.process.noNewPrivileges=false'
	cr delete -f "$TID"
	run_ctr -d "$TID" >/dev/null 2>&1 || fail "run -d"
	pid=$(cr state "$TID" | jq .pid)
	if ! criu check >/dev/null 2>&1; then
		out=$(cr checkpoint --image-path "$T/img" "$TID" 2>&1) && fail "checkpoint where criu cannot work"
		assert_eq "$(echo "$out" | wc -l)" 1 "one line: [$out]"
		assert_contains "$out" "cannot checkpoint on this host: \`criu check\` says: " "criu's reason"
		assert_eq "$(cr state "$TID" | jq -r '"\(.status) \(.pid)"')" "running $pid" "still running"
	fi
	# podman's probe of a runtime that can checkpoint, and of restore's
	# --lsm-mount-context (for restoring into a pod)
	cr checkpoint --help >/dev/null || fail "checkpoint --help"
	cr restore --help | grep -q -- --lsm-mount-context || fail "restore --help has no --lsm-mount-context"
	# what runc takes and corral does not do, by name
	out=$(cr checkpoint --lazy-pages "$TID" 2>&1) && fail "--lazy-pages"
	assert_eq "$out" "corral: checkpoint: --lazy-pages is not supported" "--lazy-pages"
	# a restore from no checkpoint leaves nothing
	out=$(cd "$BUNDLE" && cr restore -d --image-path "$T/none" "r$TID" 2>&1) && fail "restore from nothing"
	assert_contains "$out" "--image-path $T/none: no checkpoint there" "restore from nothing"
	[ ! -e "$STATE/r$TID" ] || fail "state left by a failed restore"
	cr delete -f "$TID"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
