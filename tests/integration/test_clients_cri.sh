#!/bin/bash
# time: each case starts containerd with its CRI plugin and a gRPC client, and runs its pods under runc and corral, and through corrald's own CRI
# corral under Kubernetes' CRI: containerd's CRI plugin with two runtime
# handlers, "runc" and "corral" (the runc v2 shim with BinaryName = corral),
# a CNI bridge network, a catatonit pause image, and a CRI client of the
# tests' own (cri/cri_client.py: grpc, with messages protoc generates from
# supervisor/cri/runtime_v1.proto). Each test runs one scenario under both handlers; corral
# must give what runc gives. One containerd serves the whole file. Each
# scenario runs a third time through corrald's own CRI (corral-cri(8)),
# with no containerd at all, and must give what containerd with runc gives.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/network_lib.sh"
. "$(dirname "$0")/cri/cri_lib.sh"

file_skip() {
	echo "SKIP test_clients_cri.sh: $*"
	echo "skip test_clients_cri" >>"$RESULTS"
	exit 0
}
for t in containerd containerd-shim-runc-v2 ctr runc protoc catatonit; do
	command -v $t >/dev/null || file_skip "$t is not installed (tests/deps.sh installs it)"
done
$PY -c 'import grpc, google.protobuf' 2>/dev/null || file_skip "Debian's python3-grpcio and python3-protobuf are not installed (tests/deps.sh)"
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] ||
	file_skip "the CNI plugins are not installed (containernetworking-plugins)"
# a pod sandbox has a cgroup with the cpu, memory and pids controllers, which
# corral manages on cgroup v2 only
for c in cpu memory pids; do
	grep -qw $c /sys/fs/cgroup/cgroup.controllers 2>/dev/null && grep -qw $c /sys/fs/cgroup/cgroup.subtree_control ||
		file_skip "the $c controller is not on this host's cgroup v2 hierarchy (not enabled, or bound to cgroup v1), which corral needs for a pod's cgroups: the VM tier runs this file"
done
ip link show "$BRIDGE" >/dev/null 2>&1 && file_skip "a link named $BRIDGE is already there"

"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
"$ROOTDIR/tests/fixtures/mkpause.sh" "$(dirname "$FIXTURES")" >/dev/null

# containerd's own state, shared by the file's tests
CD="$TESTROOT/cri-$$"

# CLIENT_CGROUP_DRIVER=systemd (the VM tier's systemd boot): containerd's
# SystemdCgroup = true, as kubelet's cgroupDriver systemd needs; a pod's
# parent is then a slice, as kubelet names one, and each container a scope
CRI_SYSTEMD_CGROUP=false
[ "${CLIENT_CGROUP_DRIVER:-}" = systemd ] && CRI_SYSTEMD_CGROUP=true
cgparent() { # runtime
	if [ "$CRI_SYSTEMD_CGROUP" = true ]; then echo "corralcri_${TID//-/_}_$1.slice"; else echo "/$TID-$1"; fi
}

# corrald's own CRI (corral-cri(8)), the third beside containerd's two
# handlers: the same scenario through corrald's socket, no containerd,
# shim or pause container; its results are compared with runc's
# (own_same). Under the systemd driver corrald is systemd's manager too,
# and kubelet's parent is a slice.
start_own_cri() {
	trap cleanup_sv EXIT
	local flags=(--cri-socket "$S/cri.sock" --cri-user 65533:65533 --stream-address auto)
	[ "$CRI_SYSTEMD_CGROUP" = true ] && flags+=(--cgroup-manager systemd --cgroup-parent "corral_${TID//-/_}.slice")
	start_sv_netns "${flags[@]}" || return 1
	ctl image import "docker-archive:$FIXTURES/images/docker-legacy.tar" "$IMAGE" >/dev/null
}
# in corrald's network namespace, where its streaming server listens
cri_own() { # what [options]
	nsenter --net="$T/netns" env CRI_PB="$CD/pb" "$PY" "$CRIDIR/cri_client.py" "$1" --sock "$S/cri.sock" --handler "" \
		--image "$IMAGE" "${@:2}"
}

# run_scenario NAME: the scenario under each handler, and through
# corrald's own CRI ("own"), at the same time (the VM tier's time is
# short), into $T/NAME.RT
run_scenario() {
	local rt t0=$SECONDS jobs=()
	start_own_cri || fail "corrald with its CRI did not start"
	for rt in $RUNTIMES; do
		cri "$1" --handler "$rt" --cgparent "$(cgparent "$rt")" --dir "$T/$rt" >"$T/$1.$rt" 2>"$T/$1.$rt.err" &
		jobs+=($!)
	done
	# bounded: a call that hangs ends the scenario with what it saw
	timeout -k 5 240 bash -c "$(declare -f cri_own); $(declare -p CD PY CRIDIR S T IMAGE); cri_own \"\$@\"" _ \
		"$1" --cgparent "$(cgparent own)" --dir "$T/own" >"$T/$1.own" 2>"$T/$1.own.err" &
	jobs+=($!)
	# these alone: corrald, started in this shell too, runs on
	wait "${jobs[@]}"
	echo "== $1 ($((SECONDS - t0)) s)"
	for rt in $RUNTIMES own; do
		echo "== $1 under $rt"; cat "$T/$1.$rt" "$T/$1.$rt.err"
	done
	grep -qx 'left behind: nothing' "$T/$1.own" || { echo "== corrald's log"; tail -30 "$T/corrald.log"; }
	for rt in $RUNTIMES; do
		# a pod that was not removed must not hold up the next test
		grep -qx 'left behind: nothing' "$T/$1.$rt" || cri cleanup >/dev/null 2>&1 || true
		rmdir "/sys/fs/cgroup/$TID-$rt" 2>/dev/null || true
		[ "$CRI_SYSTEMD_CGROUP" = true ] && systemctl stop "$(cgparent "$rt")" >/dev/null 2>&1
		true
	done
	grep -qx 'left behind: nothing' "$T/$1.own" || cri_own cleanup >/dev/null 2>&1 || true
	rmdir "/sys/fs/cgroup/$TID-own" 2>/dev/null || true
	[ "$CRI_SYSTEMD_CGROUP" = true ] && systemctl stop "$(cgparent own)" >/dev/null 2>&1
	true
}
# same NAME: corral's results are runc's, and so are corrald's own CRI's
# but for what says whose it is (the LSM profile: containerd's own, or
# corral's corral-default)
same() {
	[ "$(cat "$T/$1.corral")" = "$(cat "$T/$1.runc")" ] ||
		fail "$1: corral's results differ from runc's: $(diff "$T/$1.runc" "$T/$1.corral" | grep '^[<>]' | tr '\n' ' ')"
	own_same "$1"
}
# Known differences, each in corral-cri(8): corrald's Exec gives its
# output as text (a NUL is U+FFFD), and a command that is not there is
# exit 127 (containerd with runc: the exec fails, UNKNOWN)
own_same() {
	local mine ref
	mine=$(sed -e 's/corral-default (enforce)/PROFILE/' -e '/^exec sees pid 1: /d' \
		-e '/^exec of a missing command: /d' "$T/$1.own")
	ref=$(sed -e 's/cri-containerd.apparmor.d (enforce)/PROFILE/' -e '/^exec sees pid 1: /d' \
		-e '/^exec of a missing command: /d' "$T/$1.runc")
	grep -q '^exec sees pid 1: sleep.*100000' "$T/$1.own" || ! grep -q '^exec sees pid 1' "$T/$1.own" ||
		fail "$1: through corrald's CRI, pid 1 is not sleep: $(grep '^exec sees pid 1' "$T/$1.own")"
	[ "$mine" = "$ref" ] ||
		fail "$1: corrald's own CRI differs from containerd's with runc: $(diff <(echo "$ref") <(echo "$mine") | grep '^[<>]' | tr '\n' ' ')" \
			"$(grep 'cri_client.py' "$T/$1.own.err" | head -12 | tr '\n' ' ')"
}
# expect NAME LINE...: every line is in each handler's results
expect() {
	local name=$1 rt l
	shift
	for rt in $RUNTIMES; do
		for l in "$@"; do
			grep -qxF -- "$l" "$T/$name.$rt" || fail "$name under $rt: no line [$l]"
		done
	done
}
CLEAN=("containers left: 0" "left behind: nothing")

test_cri_pod_localhost_exec_sync() {
	run_scenario localhost
	expect localhost "pod: ready" "pod has an address: True" \
		"client exit: 0 Completed" "server exit: 0 Completed" \
		"client got: ['pong']" "server got: ['ping']" \
		"exec: stdout='out\npod-localhost\n' stderr='err\n' exit=5" \
		"exec sees pid 1: sleep 100000" "exec exit 0: 0" \
		"exec timeout within 15 s: True" "timed-out exec left running: False" \
		"${CLEAN[@]}"
	# where AppArmor is on, containerd's own profile confines both, as the
	# runtime default that a pod's containers get
	if [ -d /sys/kernel/security/apparmor ] && grep -q '^Y' /sys/module/apparmor/parameters/enabled 2>/dev/null; then
		expect localhost "LSM label of the container: cri-containerd.apparmor.d (enforce)" \
			"LSM label of the exec: cri-containerd.apparmor.d (enforce)"
	fi
	! grep -q '^error' "$T"/localhost.* || fail "errors: $(grep -h '^error' "$T"/localhost.*)"
	same localhost
}

test_cri_exit_codes_oom_and_stop() {
	run_scenario exits
	expect exits "three: exit=3 reason=Error" "ok: exit=0 reason=Completed" \
		"three times set: True" "oom times set: True" "ok times set: True" "three logged: ['bye']" \
		"stopped: state=CONTAINER_EXITED exit=137 reason=Error" "stop took under 15 s: True" \
		"stop again: ok" "${CLEAN[@]}"
	# containerd 1.6's shim has given reason=Error for the OOM kill in some
	# runs, under runc too (the reference here): under the systemd driver
	# for either runtime, and under cgroupfs for runc. corral's own reason
	# is asserted under cgroupfs; the rest must be runc's.
	local oom="OOMKilled"
	[ "$CRI_SYSTEMD_CGROUP" = true ] && oom="\(OOMKilled\|Error\)"
	grep -qx "oom: exit=137 reason=$oom" "$T/exits.corral" || fail "exits under corral: the OOM kill: $(grep '^oom:' "$T/exits.corral")"
	grep -qx "oom: exit=137 reason=\(OOMKilled\|Error\)" "$T/exits.runc" || fail "exits under runc: the OOM kill: $(grep '^oom:' "$T/exits.runc")"
	[ "$(grep -v '^oom:' "$T/exits.corral")" = "$(grep -v '^oom:' "$T/exits.runc")" ] ||
		fail "exits: corral's results differ from runc's: $(diff "$T/exits.runc" "$T/exits.corral" | grep '^[<>]' | tr '\n' ' ')"
	# corrald's own CRI reports the OOM kill as its monitor saw it
	grep -qx "oom: exit=137 reason=OOMKilled" "$T/exits.own" || fail "exits through corrald's CRI: the OOM kill: $(grep '^oom:' "$T/exits.own")"
	[ "$(grep -v '^oom:' "$T/exits.own")" = "$(grep -v '^oom:' "$T/exits.runc")" ] ||
		fail "exits: corrald's own CRI differs from runc's: $(diff "$T/exits.runc" "$T/exits.own" | grep '^[<>]' | tr '\n' ' ')"
}

test_cri_stats_and_update_resources() {
	run_scenario stats
	expect stats "busy cgroup: PARENT/ID" "idle cgroup: PARENT/ID" \
		"busy cpu from its cgroup: True" "idle cpu from its cgroup: True" \
		"busy memory from its cgroup: True" "idle memory from its cgroup: True" \
		"busy used over 0.05 s of cpu in 1.5 s: True" "busy grew over 10 times more than idle: True" \
		"listed stats: ['busy', 'idle']" "listed stats have cpu and memory: True" "busy cpu.max: 10000 100000" \
		"idle memory.max: 33554432" "idle memory.max after update: 67108864" \
		"busy cpu.max after update: 50000 100000" "busy memory.max after update: 50331648" \
		"${CLEAN[@]}"
	same stats
}

test_cri_bidirectional_mount() {
	local rt
	for rt in $RUNTIMES own; do
		# the host path must be on a shared mount
		mkdir -p "$T/$rt/bidir"
		mount --bind "$T/$rt/bidir" "$T/$rt/bidir"
		mount --make-rshared "$T/$rt/bidir"
	done
	run_scenario bidirectional
	for rt in $RUNTIMES own; do umount "$T/$rt/bidir"; done
	expect bidirectional "mount in the container: exit=0 stdout='shared:\n' stderr=''" \
		"container's mount on the host: True" "host reads the container's file: from-container" \
		"host's mount in the container: exit=0 stdout='1\nfrom-host\n'" \
		"${CLEAN[@]}"
	same bidirectional
}

# a mount whose host path does not exist: containerd makes it, a
# directory 0755, and so does corrald's CRI
test_cri_missing_host_path_is_made() {
	run_scenario missing_host_path
	expect missing_host_path "host path made: True 755" "the container wrote into it: in" "${CLEAN[@]}"
	same missing_host_path
}

# shareProcessNamespace: one PID namespace for the pod (containerd's under
# its pause container, corrald's under catatonit -P), a container with
# its own beside it, nothing left in it once the pod is removed
test_cri_shared_pid_namespace() {
	run_scenario shared_pid
	expect shared_pid "one sees: ['sleep 100001', 'sleep 100002']" "two sees: ['sleep 100001', 'sleep 100002']" \
		"own sees: ['sleep 100003']" "two is in one's PID namespace: True" "pid 1 is a pause process: True" \
		"${CLEAN[@]}"
	same shared_pid
}

# hostPID and hostIPC: the host's namespaces and /dev/shm
test_cri_host_pid_and_ipc() {
	run_scenario host_pid_ipc
	expect host_pid_ipc "the host's pid namespace: True" "the host's ipc namespace: True" \
		"the host's /dev/shm: exit=0 from-host" "sees this client: True" "${CLEAN[@]}"
	same host_pid_ipc
}

# kubectl exec through the streaming server whose URL the CRI's Exec
# answers (SPDY/3.1, cri/spdy_client.py): stdout and stderr apart, the exit
# code in v4's Status, stdin piped and closed, a terminal sized, a URL used
# once. containerd's own streaming server serves both handlers, corrald's
# (corral-stream) its own CRI
test_cri_exec_streams() {
	run_scenario streams
	expect streams "exec protocol: v4.channel.k8s.io" "exec: stdout=b'out\n' stderr=b'err\n' exit=3" \
		"exec stdin: stdout=b'hello\ndone\n' exit=0" "exec tty: stdout=b'33 111' exit=4" \
		"a URL used twice: refused" "${CLEAN[@]}"
	same streams
}

# exec over a WebSocket (cri/ws_client.py): v4 and base64.channel.k8s.io
# beside containerd's server; v5 (newer than containerd 1.6's) and a
# terminal sized over the resize channel (containerd 1.6 leaves it 0x0 under
# either handler, as SPDY's resize stream does not) through corrald's alone
test_cri_exec_websocket() {
	run_scenario websocket
	expect websocket "ws v4: first=(1, b'') stdout=b'out\n' stderr=b'err\n' exit=3" \
		"ws base64: protocol=base64.channel.k8s.io stdout=b'b64\n' status='command terminated with non-zero exit co'" \
		"ws v4 base64: protocol=v4.base64.channel.k8s.io stdout=b'b64\n' stderr=b'e\n' exit=6" "${CLEAN[@]}"
	local l r
	for l in "ws v5 stdin: protocol=v5.channel.k8s.io stdout=b'hello\ndone\n' exit=0" "ws tty: stdout=b'21 77' exit=0"; do
		grep -qxF "$l" "$T/websocket.own" || fail "through corrald's CRI: no line [$l]"
	done
	for r in corral own; do
		[ "$(grep -v -e '^ws v5' -e '^ws tty' "$T/websocket.$r")" = "$(grep -v -e '^ws v5' -e '^ws tty' "$T/websocket.runc")" ] ||
			fail "websocket: $r's results differ from runc's: $(diff "$T/websocket.runc" "$T/websocket.$r" | grep '^[<>]' | tr '\n' ' ')"
	done
}

# kubectl attach (the container's stdio, stdin open) and port-forward (an
# HTTP server on the pod's loopback alone; a port nobody listens on; two
# connections on one stream and another beside it), each server beside
# the others
test_cri_attach_and_port_forward() {
	run_scenario attach
	expect attach "attach: stdout=b'got:hello\n' stderr=b'bye\n' status=Success" "attached container: exit 5" \
		"${CLEAN[@]}"
	same attach
	run_scenario forward
	expect forward "forward: HTTP/1.1 200 OK hello-from-pod" "forward to a closed port: data=b'' error=True ended=True" \
		"forward twice on one connection: HTTP/1.1 200 OK hello-from-pod | HTTP/1.1 200 OK hello-from-pod" \
		"forward beside it: HTTP/1.1 200 OK hello-from-pod" "${CLEAN[@]}"
	same forward
}

t0=$SECONDS
start_containerd || {
	echo "FAIL test_clients_cri.sh: containerd with its CRI plugin did not start"
	cat "$CD/log" 2>/dev/null | tail -20 | sed 's/^/    /'
	echo "fail test_clients_cri-containerd" >>"$RESULTS"
	stop_containerd
	exit 0
}
trap stop_containerd EXIT
echo "containerd's CRI ready, with its images, in $((SECONDS - t0)) s"
for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
echo "test_clients_cri.sh: $((SECONDS - t0)) s with containerd's start"
