#!/bin/bash
# time: each case runs containerd's ctr under runc and corral; under the VM's TCG containerd and each ctr command take seconds
# corral under containerd, as `ctr` drives it: a private containerd under
# $T, its runc v2 shim with corral as the runc binary (--runc-binary), and
# every case under runc too, which must give the same.
. "$(dirname "$0")/lib.sh"

if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
	echo "SKIP test_clients_ctr.sh: containerd is not installed (tests/deps.sh installs it)"
	echo "skip test_clients_ctr" >>"$RESULTS"
	exit 0
fi
IMAGE="$FIXTURES/images/docker-legacy.tar"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
RUNTIMES="runc corral"

start_containerd() {
	mkdir -p "$T/cd"
	cat >"$T/cd/config.toml" <<EOC
version = 2
root = "$T/cd/root"
state = "$T/cd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$S/cd.sock"
[ttrpc]
  address = "$S/cdt.sock"
EOC
	containerd -c "$T/cd/config.toml" --log-level warn >"$T/cd/log" 2>&1 &
	CD_PID=$!
	trap stop_containerd EXIT
	for _ in $(seq 100); do ctr version >/dev/null 2>&1 && break; sleep 0.05; done
	ctr images import "$IMAGE" >/dev/null
	IMG=$(ctr images ls -q | head -1)
}
stop_containerd() {
	for id in $(ctr tasks ls -q 2>/dev/null); do ctr tasks kill -s KILL "$id" >/dev/null 2>&1; done
	sleep 0.2
	for id in $(ctr containers ls -q 2>/dev/null); do
		ctr tasks rm -f "$id" >/dev/null 2>&1
		ctr containers rm "$id" >/dev/null 2>&1
	done
	kill "$CD_PID" 2>/dev/null
	wait "$CD_PID" 2>/dev/null
	# containerd keeps its snapshots mounted until it is told otherwise
	for m in $(awk -v d="$T/cd/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do umount -l "$m"; done
	[ "$CTR_CGM" = systemd ] && systemctl stop "$(ctr_slice)" >/dev/null 2>&1
	wait_for 10 cgroups_gone "corral-ctr-$TID" 2>/dev/null || true
}
ctr() { command ctr --address "$S/cd.sock" "$@"; }
rtbin() { [ "$1" = corral ] && echo "$CORRAL" || command -v runc; }
# CLIENT_CGROUP_DRIVER=systemd (the VM tier's systemd boot): the shim asks
# the runtime for the systemd driver (--runc-systemd-cgroup), and each
# container is a scope in a slice of the test's
CTR_CGM=${CLIENT_CGROUP_DRIVER:-cgroupfs}
ctr_slice() { echo "corralctr_${TID//-/_}.slice"; }
# ctr run with the runtime's binary and a cgroup named for the test
crun_() { # runtime ctr-run-options... image id command...
	local rt=$1
	shift
	if [ "$CTR_CGM" = systemd ]; then
		ctr run --runc-binary "$(rtbin "$rt")" --runc-systemd-cgroup --cgroup "$(ctr_slice):ctr:$rt$RANDOM" "$@"
	else
		ctr run --runc-binary "$(rtbin "$rt")" --cgroup "/corral-ctr-$TID/$rt-$RANDOM" "$@"
	fi
}
# Runs the case under each runtime; corral's output must be runc's but for
# the runtime's name in ids. script's "^@" and containerd's log lines (its
# "task ... exit with non-zero exit code 137" comes or not with the timing)
# are left out; OUT_runc and OUT_corral keep each for the test's assertions.
run_both() { # function (given the runtime)
	local got rt
	for rt in $RUNTIMES; do
		got=$("$@" "$rt" 2>&1 | sed -e 's/\^@//g' | grep -v '^time="[^"]*" level=')
		printf -v "OUT_$rt" '%s' "$got"
		got=$(sed -e "s/-$rt\b/-RT/g" <<<"$got")
		if [ "$rt" = runc ]; then local want=$got; else assert_eq "$got" "$want" "$* under corral, against runc"; fi
	done
}

case_run() {
	local rt=$1
	crun_ "$rt" --rm "$IMG" "r-$rt" sh -c 'echo hello; exit 3'; echo "rc=$?"
	crun_ "$rt" --rm --read-only "$IMG" "ro-$rt" sh -c 'touch /x 2>/dev/null || echo ro'
	crun_ "$rt" --rm --privileged "$IMG" "p-$rt" sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; ls /dev/kmsg'
	crun_ "$rt" --rm "$IMG" "u-$rt" sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status'
	on_a_pty "$(declare -f ctr crun_ rtbin ctr_slice); T='$T'; TID='$TID'; CORRAL='$CORRAL'; CTR_CGM='$CTR_CGM'; crun_ $rt --rm -t $IMG t-$rt sh -c 'tty >/dev/null && echo on-a-tty'" | tr -d '\r'
}
test_ctr_run_exit_codes_tty_read_only_privileged() {
	start_containerd
	run_both case_run
	# privileged: every capability this host's bounding set has
	local all
	all=$(awk '$1 == "CapBnd:" {print $2}' /proc/self/status)
	assert_eq "$OUT_corral" "hello
rc=3
ro
CapEff:	$all
Seccomp:	0
/dev/kmsg
CapEff:	00000000a80425fb
Seccomp:	0
on-a-tty" "run, exit code, read-only, privileged, default (ctr adds no seccomp), tty"
}

case_task() {
	local rt=$1
	local id="d-$rt"
	# two processes at every moment, for ps to count (a loop of short
	# sleeps is one process between them, long enough under TCG to be seen)
	crun_ "$rt" -d "$IMG" "$id" sh -c 'trap "exit 9" USR1; sleep 1000 & wait'
	# the exec lives on a moment after it writes: ctr's FIFO reader opens
	# in a goroutine, and the exit can reach ctr first, whose Delete then
	# cancels an open that has not returned, losing the output (containerd
	# 1.6's cio, under either runtime: containerd#8326)
	ctr task exec --exec-id e1 "$id" sh -c 'echo in-exec; sleep 1; exit 4'; echo "exec rc=$?"
	echo "ps lines: $(ctr task ps "$id" | tail -n +2 | wc -l)"
	ctr task pause "$id" && ctr task ls | awk -v i="$id" '$1 == i {print $3}'
	ctr task resume "$id" && ctr task ls | awk -v i="$id" '$1 == i {print $3}'
	ctr task kill -s USR1 "$id"
	for _ in $(seq 100); do ctr task ls | awk -v i="$id" '$1 == i {print $3}' | grep -q STOPPED && break; sleep 0.05; done
	ctr task ls | awk -v i="$id" '$1 == i {print $3}'
	ctr task rm "$id" | tail -1
	ctr container rm "$id"
}
test_ctr_task_exec_ps_pause_kill() {
	start_containerd
	run_both case_task
	local out
	out=$OUT_corral
	assert_contains "$out" "in-exec
exec rc=4" "task exec and its exit code"
	assert_contains "$out" "PAUSED
RUNNING
STOPPED" "pause, resume, and kill"
	[ "$(echo "$out" | sed -n 's/^ps lines: //p')" -ge 2 ] || fail "task ps: $out"
}

# the systemd driver: the task is a scope of the test's slice, with
# Delegate=yes and ctr's memory limit as its property, gone with the task
case_systemd() {
	local rt=$1
	local id="s-$rt" n=$RANDOM u
	u="ctr-$rt$n.scope"
	ctr run -d --runc-binary "$(rtbin "$rt")" --runc-systemd-cgroup --cgroup "$(ctr_slice):ctr:$rt$n" \
		--memory-limit 33554432 "$IMG" "$id" sleep 1000
	echo "$(systemctl show -P Delegate "$u") $(systemctl show -P MemoryMax "$u") $(systemctl show -P ActiveState "$u")"
	cat "/sys/fs/cgroup/$(ctr_slice)/$u/memory.max"
	ctr task kill -s KILL "$id"
	for _ in $(seq 100); do ctr task ls | awk -v i="$id" '$1 == i {print $3}' | grep -q STOPPED && break; sleep 0.05; done
	ctr task rm "$id" >/dev/null
	ctr container rm "$id"
	systemctl show -P LoadState "$u"
}
test_ctr_systemd_cgroup_driver() {
	[ "$CTR_CGM" = systemd ] || skip "the systemd driver: the VM tier's systemd boot runs this (CLIENT_CGROUP_DRIVER=systemd)"
	start_containerd
	run_both case_systemd
	assert_eq "$OUT_corral" "yes 33554432 active
33554432
not-found" "ctr's task under corral's systemd driver"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
