#!/bin/bash
# corrald's own CRI (corral-cri): stats of containers and pods (from
# corrald's Stats), kubelet's evented PLEG (GetContainerEvents, a server
# stream) and CheckpointContainer. corrald runs in a network namespace of
# the test's own, its pods on its default network, corral (network_lib.sh).
# The memory figures and the checkpoint need what this host lacks (a
# memory controller on cgroup v2, a kernel criu works with): they run in
# the VM tier (tests/vm/guest-suite.sh).
# time: about 30 s (7 cases), each with a corrald of its own
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/network_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

IMG="$FIXTURES/busybox/rootfs"
PY=/usr/bin/python3
CRIDIR="$ROOTDIR/tests/integration/cri"

start_cri() {
	need_cni
	command -v protoc >/dev/null || skip "no protoc (protobuf-compiler)"
	$PY -c 'import grpc, google.protobuf' 2>/dev/null || skip "no python3-grpcio or python3-protobuf"
	mkdir -p "$T/pb"
	protoc --python_out="$T/pb" -I "$ROOTDIR/supervisor/cri" "$ROOTDIR/supervisor/cri/runtime_v1.proto" ||
		fail "protoc"
	start_sv_netns --cri-socket "$S/cri.sock" --cri-user 65533:65533
	ctl image import "oci:$FIXTURES/images/oci:test" busybox:latest >/dev/null
}
cri() { CRI_PB="$T/pb" "$CRIDIR/cri_call.py" --sock "$S/cri.sock" "$@"; }
# calls on one connection, as kubelet makes them (one corral-cri)
conn() { CRI_PB="$T/pb" "$CRIDIR/cri_conn.py" --sock "$S/cri.sock" "$@"; }

pod() { # NAME [LABEL]: a pod's id
	cri RunPodSandbox '{"config":{"metadata":{"name":"'"$1"'","namespace":"n","uid":"u-'"$1"'"},"labels":{"app":"'"${2:-$1}"'"}}}' |
		jq -r .podSandboxId
}
ctr() { # POD NAME SCRIPT [CONFIG JSON]: a started container's id
	local id
	id=$(cri CreateContainer '{"podSandboxId":"'"$1"'","config":{"metadata":{"name":"'"$2"'"},"labels":{"name":"'"$2"'"},
		"image":{"image":"busybox:latest"},"command":["sh","-c",'"$(jq -Rn --arg s "$3" '$s')"']'"${4:+,$4}"'}}' |
		jq -r .containerId)
	cri StartContainer '{"containerId":"'"$id"'"}' >/dev/null && echo "$id"
}
run_in() { cri ExecSync '{"containerId":"'"$1"'","cmd":["sh","-c",'"$(jq -Rn --arg s "$2" '$s')"'],"timeout":20}'; }
ids() { jq -r '.stats[].attributes.id' | sort | tr '\n' ' '; }

# CPU: the usage grows, and usage_nano_cores is reckoned between two calls
# on one connection (0 at the first, as containerd); the writable layer is
# what the container wrote; attributes are kubelet's config's
test_cri_container_stats_cpu() {
	trap cleanup_sv EXIT
	start_cri
	local p c out
	p=$(pod cpu)
	c=$(ctr "$p" burner 'dd if=/dev/zero of=/written bs=1k count=512 2>/dev/null; while :; do :; done')
	sleep 0.5
	out=$(conn calls ContainerStats '{"containerId":"'"$c"'"}' sleep 1 ContainerStats '{"containerId":"'"$c"'"}')
	local first second
	first=$(sed -n 1p <<<"$out") second=$(sed -n 2p <<<"$out")
	assert_eq "$(jq -r '.stats.attributes | "\(.id) \(.metadata.name) \(.labels.name)"' <<<"$first")" "$c burner burner" "attributes"
	assert_eq "$(jq -r '.stats.cpu.usageNanoCores.value // 0' <<<"$first")" 0 "the first sample's rate"
	local u1 u2 rate dt
	u1=$(jq -r .stats.cpu.usageCoreNanoSeconds.value <<<"$first")
	u2=$(jq -r .stats.cpu.usageCoreNanoSeconds.value <<<"$second")
	rate=$(jq -r .stats.cpu.usageNanoCores.value <<<"$second")
	dt=$(($(jq -r .stats.cpu.timestamp <<<"$second") - $(jq -r .stats.cpu.timestamp <<<"$first")))
	[ "$u1" -gt 0 ] && [ "$u2" -gt "$u1" ] || fail "the CPU used did not grow: $u1, then $u2"
	# a busy loop: most of a core, and the rate is the usage over the time
	[ "$rate" -gt 200000000 ] || fail "usage_nano_cores $rate for a busy loop"
	local want
	want=$(((u2 - u1) * 1000000000 / dt))
	[ "$rate" -ge $((want - 1)) ] && [ "$rate" -le $((want + 1)) ] ||
		fail "usage_nano_cores $rate: the usage between the samples over their time is $want"
	[ "$(jq -r .stats.writableLayer.usedBytes.value <<<"$second")" -ge 524288 ] ||
		fail "the writable layer: $(jq -c .stats.writableLayer <<<"$second")"
	# memory is sampled with the CPU (critest reads its timestamp); with no
	# memory controller (this host) its figures are unset, never 0
	assert_eq "$(jq -r '.stats.memory.timestamp' <<<"$second")" "$(jq -r .stats.cpu.timestamp <<<"$second")" \
		"memory's timestamp"
	if ! has_memory_controller; then
		assert_eq "$(jq -c '.stats.memory | del(.timestamp)' <<<"$second")" '{}' "memory with no controller"
	fi
	# a stopped container: no CPU figures to give, found still
	cri StopContainer '{"containerId":"'"$c"'","timeout":0}' >/dev/null
	out=$(cri ContainerStats '{"containerId":"'"$c"'"}')
	assert_eq "$(jq -r '"\(.stats.attributes.id) \(.stats.cpu)"' <<<"$out")" "$c null" "a stopped container's stats"
	assert_contains "$(cri ContainerStats '{"containerId":"0123"}')" "error: NOT_FOUND" "a missing container"
	assert_contains "$(cri ContainerStats '{"containerId":"../x"}')" "error: INVALID_ARGUMENT" "a bad id"
	# one of corral's own is not the CRI's
	ctl run -d --name own "$IMG" sleep 100 >/dev/null
	assert_contains "$(cri ContainerStats '{"containerId":"'"$(ctl inspect --format '{{.Id}}' own)"'"}')" \
		"error: NOT_FOUND" "corral's own container"
}

# memory: the working set grows with what the container holds, not with
# the page cache of a file it wrote once (inactive_file, which the kernel
# reclaims first: kubelet's working set, as containerd's), and what is left
# below its limit is available_bytes (the VM tier: a memory controller)
test_cri_container_stats_memory() {
	trap cleanup_sv EXIT
	need_memory_controller
	start_cri
	local p c out before after avail
	p=$(pod mem)
	c=$(ctr "$p" holder 'sleep 1000' '"linux":{"resources":{"memoryLimitInBytes":268435456}}')
	before=$(cri ContainerStats '{"containerId":"'"$c"'"}' | jq -r .stats.memory.workingSetBytes.value)
	run_in "$c" 'dd if=/dev/zero of=/dev/shm/held bs=1M count=48 2>/dev/null' >/dev/null
	out=$(cri ContainerStats '{"containerId":"'"$c"'"}')
	after=$(jq -r .stats.memory.workingSetBytes.value <<<"$out")
	avail=$(jq -r .stats.memory.availableBytes.value <<<"$out")
	[ "$before" -gt 0 ] && [ $((after - before)) -ge $((46 << 20)) ] ||
		fail "the working set: $before, then $after after 48 MiB held"
	local usage
	usage=$(jq -r .stats.memory.usageBytes.value <<<"$out")
	assert_eq "$avail" "$((268435456 - after))" "available below the limit, less the working set"
	[ "$usage" -ge "$after" ] || fail "usage $usage is below the working set $after"
	run_in "$c" 'dd if=/dev/zero of=/cached bs=1M count=32 2>/dev/null; sync' >/dev/null
	out=$(cri ContainerStats '{"containerId":"'"$c"'"}')
	local cache
	cache=$(( $(jq -r .stats.memory.usageBytes.value <<<"$out") - $(jq -r .stats.memory.workingSetBytes.value <<<"$out") ))
	[ "$cache" -ge $((24 << 20)) ] || fail "a 32 MiB file written once: usage less the working set is $cache bytes"
}

# ListContainerStats and ListPodSandboxStats by pod, id and labels: only
# what is asked for, only running containers, and a pod's figures are its
# containers' summed
test_cri_list_stats_filtered() {
	trap cleanup_sv EXIT
	start_cri
	local a b ca1 ca2 cb out
	a=$(pod a web) b=$(pod b db)
	ca1=$(ctr "$a" a1 'sleep 1000')
	ca2=$(ctr "$a" a2 'sleep 1000')
	cb=$(ctr "$b" b1 'sleep 1000')
	cri CreateContainer '{"podSandboxId":"'"$b"'","config":{"metadata":{"name":"idle"},"image":{"image":"busybox:latest"},"command":["true"]}}' >/dev/null
	assert_eq "$(cri ListContainerStats '{}' | ids)" "$(printf '%s\n' "$ca1" "$ca2" "$cb" | sort | tr '\n' ' ')" "every running container"
	assert_eq "$(cri ListContainerStats '{"filter":{"podSandboxId":"'"$a"'"}}' | ids)" \
		"$(printf '%s\n' "$ca1" "$ca2" | sort | tr '\n' ' ')" "pod a's"
	assert_eq "$(cri ListContainerStats '{"filter":{"podSandboxId":"'"${b:0:12}"'"}}' | ids)" "$cb " "by a pod id's prefix"
	assert_eq "$(cri ListContainerStats '{"filter":{"labelSelector":{"name":"a2"}}}' | ids)" "$ca2 " "by label"
	assert_eq "$(cri ListContainerStats '{"filter":{"id":"'"$cb"'"}}' | ids)" "$cb " "by id"
	assert_eq "$(cri ListPodSandboxStats '{}' | ids)" "$(printf '%s\n' "$a" "$b" | sort | tr '\n' ' ')" "every pod"
	out=$(cri ListPodSandboxStats '{"filter":{"labelSelector":{"app":"web"}}}')
	assert_eq "$(ids <<<"$out")" "$a " "pods by label"
	assert_eq "$(jq -r '.stats[0].linux.containers[].attributes.id' <<<"$out" | sort | tr '\n' ' ')" \
		"$(printf '%s\n' "$ca1" "$ca2" | sort | tr '\n' ' ')" "pod a's containers"
	assert_eq "$(jq -r '.stats[0].linux.cpu.usageCoreNanoSeconds.value' <<<"$out")" \
		"$(jq '[.stats[0].linux.containers[].cpu.usageCoreNanoSeconds.value | tonumber] | add' <<<"$out")" "pod a's CPU summed"
	assert_eq "$(jq -r '.stats[0].linux.process.processCount.value' <<<"$out")" 2 "pod a's processes"
	assert_eq "$(jq -r '.stats[0].attributes | "\(.metadata.name) \(.labels.app)"' <<<"$out")" "a web" "pod a's attributes"
	# a stopped pod is not ready: no stats, as containerd
	cri StopPodSandbox '{"podSandboxId":"'"$b"'"}' >/dev/null
	assert_eq "$(cri ListPodSandboxStats '{}' | ids)" "$a " "the ready pods"
	assert_contains "$(cri PodSandboxStats '{"podSandboxId":"'"$b"'"}')" "error: UNAVAILABLE" "a stopped pod's stats"
}

# a pod's network: its eth0 on corrald's default network, counted after it
# pinged its gateway (lo's traffic is not the pod's network)
test_cri_pod_stats_network() {
	trap cleanup_sv EXIT
	start_cri
	local p c before after
	p=$(pod net)
	c=$(ctr "$p" pinger 'sleep 1000' '"linux":{"securityContext":{"capabilities":{"addCapabilities":["NET_RAW"]}}}')
	before=$(cri PodSandboxStats '{"podSandboxId":"'"$p"'"}')
	assert_eq "$(jq -r .stats.linux.network.defaultInterface.name <<<"$before")" eth0 "the pod's interface"
	run_in "$c" 'ping -c 1 -s 4000 127.0.0.1' >/dev/null
	run_in "$c" 'ping -c 5 -i 0.2 -s 1000 $(ip route | awk "/default/ {print \$3}")' | jq -r .stdout | base64 -d |
		grep -q '5 packets received' || fail "no answer from the gateway"
	after=$(cri PodSandboxStats '{"podSandboxId":"'"$p"'"}')
	local rx tx
	rx=$(($(jq -r .stats.linux.network.defaultInterface.rxBytes.value <<<"$after") - $(jq -r .stats.linux.network.defaultInterface.rxBytes.value <<<"$before")))
	tx=$(($(jq -r .stats.linux.network.defaultInterface.txBytes.value <<<"$after") - $(jq -r .stats.linux.network.defaultInterface.txBytes.value <<<"$before")))
	# five echoes of 1008 bytes each way, the loopback's 4000 not among them
	[ "$rx" -ge 5040 ] && [ "$rx" -lt 9000 ] && [ "$tx" -ge 5040 ] && [ "$tx" -lt 9000 ] ||
		fail "eth0 received $rx and sent $tx bytes for five pings of 1008"
	assert_eq "$(jq -c .stats.linux.network.interfaces <<<"$after")" \
		"$(jq -c '[.stats.linux.network.defaultInterface]' <<<"$after")" "the pod's interfaces"
}

# kubelet's evented PLEG: one stream, the four events of a container in
# order, each with its pod's status and the pod's containers', then a
# pod's own (created and started, stopped; its removal leaves no status to
# send)
test_cri_container_events() {
	trap cleanup_sv EXIT
	start_cri
	local p out
	p=$(pod ev)
	out=$(conn events "$p") || fail "the event stream: $out"
	assert_eq "$out" "CONTAINER_CREATED_EVENT ours pod=ours SANDBOX_READY n/ev created_at=True statuses=1 mine=CONTAINER_CREATED
CONTAINER_STARTED_EVENT ours pod=ours SANDBOX_READY n/ev created_at=True statuses=1 mine=CONTAINER_RUNNING
CONTAINER_STOPPED_EVENT ours pod=ours SANDBOX_READY n/ev created_at=True statuses=1 mine=CONTAINER_EXITED
CONTAINER_DELETED_EVENT ours pod=ours SANDBOX_READY n/ev created_at=True statuses=0 mine=-
pod CONTAINER_CREATED_EVENT: SANDBOX_READY evpod
pod CONTAINER_STARTED_EVENT: SANDBOX_READY evpod
pod CONTAINER_STOPPED_EVENT: SANDBOX_NOTREADY evpod
pod CONTAINER_DELETED_EVENT: none" "the events"
}

# a stream the client cancels gives its connection to corrald back, also
# when no event comes after: corral-cri does not keep it for ever
test_cri_events_cancel_leaks_nothing() {
	trap cleanup_sv EXIT
	start_cri
	connections() { ctl --json info | jq .connections; }
	back_to() { [ "$(connections)" -le "$1" ]; }
	local base line
	coproc CHURN { conn churn 20; }
	read -r -t 30 line <&"${CHURN[0]}" && [ "$line" = base ] || fail "the client: $line"
	base=$(connections)
	echo >&"${CHURN[1]}"
	read -r -t 60 line <&"${CHURN[0]}" && [ "$line" = churned ] || fail "the churn: $line"
	# each stream's connection is closed within a second of its cancel
	wait_for 10 back_to "$base" || fail "corrald has $(connections) connections, $base before 20 streams"
	local to_client=${CHURN[1]}
	exec {to_client}>&-
	wait "$CHURN_PID"
	assert_eq "$(cri ListPodSandbox | jq -c .)" '{"items":[]}' "the CRI answers after"
}

need_criu() {
	command -v criu >/dev/null || skip "criu is not installed (tests/deps.sh installs it)"
	criu check >/dev/null 2>&1 || skip "criu cannot work on this host's kernel (the VM tier runs it)"
}

# kubelet's checkpoint: a tar at the location it names (made by corrald as
# the client, mode 0600, and only where there is none), the container
# running on
test_cri_checkpoint_container() {
	trap cleanup_sv EXIT
	need_criu
	start_cri
	local p c
	p=$(pod ck)
	# kubelet's default: no no_new_privs, which criu before 3.19 cannot restore
	c=$(ctr "$p" counter 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n; sleep 0.1; done' '"linux":{"securityContext":{}}')
	assert_eq "$(cri CheckpointContainer '{"containerId":"'"$c"'","location":"'"$T/ck.tar"'","timeout":60}')" "{}" "the checkpoint"
	assert_eq "$(stat -c %a "$T/ck.tar")" 600 "the archive's mode"
	tar -tf "$T/ck.tar" >"$T/entries" || fail "not a tar: $(head -c 200 "$T/ck.tar")"
	grep -q 'pages-[0-9]*.img' "$T/entries" || fail "no criu image in it: $(head -5 "$T/entries")"
	assert_eq "$(cri ContainerStatus '{"containerId":"'"$c"'"}' | jq -r .status.state)" CONTAINER_RUNNING "it runs on"
	# a file that is there is not overwritten
	assert_contains "$(cri CheckpointContainer '{"containerId":"'"$c"'","location":"'"$T/ck.tar"'"}')" \
		"File exists" "a location that is there"
	assert_contains "$(cri CheckpointContainer '{"containerId":"'"$c"'","location":"relative.tar"}')" \
		"error: INVALID_ARGUMENT" "a relative location"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
