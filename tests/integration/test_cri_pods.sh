#!/bin/bash
# corrald's own CRI (corral-cri): kubelet's sequence for a Pod through the
# socket, as kubelet makes the calls (cri/kubelet_pod.py, grpc with the
# project's runtime_v1.proto), the CRI's answers to bad input, pods that
# outlive corrald, members of the group through the CRI, and Status beside
# containerd's (cri/cri_lib.sh's image service alone). corrald runs
# in a network namespace of the test's own (network_lib.sh). The same
# script runs beside containerd's CRI in the VM tier, where cgroups have
# their controllers (tests/vm).
# time: about 50 s (12 cases), each with a corrald of its own
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
. "$(dirname "$0")/network_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

. "$(dirname "$0")/cri/cri_lib.sh"
. "$(dirname "$0")/cri/own_cri.sh"
kpod() { # SCENARIO [ids]: as kubelet, as root
	CRI_PB="$T/pb" $PY "$CRIDIR/kubelet_pod.py" "$@" --sock "$S/cri.sock" --image busybox:latest \
		--logdir "$T/logs" --cgparent "/corral-$TID/kubepods/pod-$1"
}
cri() { CRI_PB="$T/pb" "$CRIDIR/cri_call.py" --sock "$S/cri.sock" "$@"; }

# what a removed pod may not leave: its session, its containers, mounts,
# the pinned namespaces, a veth in corrald's namespace, a process, a cgroup
leftovers() { # POD [CONTAINER...]
	local id
	[ -d "$STATE_D/sessions/$1" ] && echo "session directory"
	for id in "$@"; do
		awk -v id="$id" 'index($5, id) {print "mount " $5}' /proc/self/mountinfo
		[ -d "$STATE_D/containers/$id" ] && echo "container directory $id"
		find "/sys/fs/cgroup/unified/corral-$TID" -name "$id" 2>/dev/null | sed 's/^/cgroup /'
		pgrep -f -- "--id $id" | sed 's/^/process /'
	done
	inns ip -o link show type veth | sed 's/^/veth /'
}
nothing_left() { [ -z "$(leftovers "$@")" ]; }

test_cri_kubelet_pod() {
	trap cleanup_sv EXIT
	start_cri
	local out
	out=$(kpod pod) || { echo "$out"; fail "kubelet's sequence"; }
	assert_eq "$(grep -v '^ids:' <<<"$out")" "pod state: SANDBOX_READY
pod metadata: corral-test/web/web-uid
pod labels: {\"app\": \"web\", \"tier\": \"test\"}
pod annotations: {\"note\": \"kept whole\"}
pod has an address: True
pod network mode: POD
server log: stdout/ready
probe: 0 web
resolv.conf: nameserver 10.96.0.10; search corral-test.svc.cluster.local svc.cluster.local; options ndots:5
client exit: 0 Completed
client log: pong
client log path: True
client times: True
client image: True
relist pods: 1
relist containers: client=CONTAINER_EXITED server=CONTAINER_RUNNING
running: server
selected pods: 1
unselected pods: 0
restarted client: attempt 1 exit 0
server after stop: CONTAINER_EXITED
pod after stop: SANDBOX_NOTREADY address=False
create in a stopped pod: FAILED_PRECONDITION
pods left: 0
containers left: 0" "what kubelet sees"
	# shellcheck disable=SC2046
	set -- $(sed -n 's/^ids: //p' <<<"$out")
	# an operator sees the node's pods by their Kubernetes names
	local kept
	kept=$(kpod keep) || fail "keep: $kept"
	assert_contains "$(ctl session ls)" "corral-test/kept" "corralctl session ls names the pod"
	assert_contains "$(ctl ps)" "k8s_k_kept_corral-test_kept-uid_0" "corralctl ps names its container"
	kpod check $kept >/dev/null || fail "the kept pod's removal"
	wait_for 10 nothing_left "$@" || fail "the removed pod left: $(leftovers "$@")"
	# the CRI log stayed where kubelet keeps it
	[ -s "$T/logs/web/server_0.log" ] || fail "no server log at kubelet's path"
	assert_eq "$(ctl session ls --json | jq length)" 0 "sessions left"
}

conditions() { cri Status | jq -r '[.status.conditions[] | "\(.type)=\(.status) \(.reason)"] | join("; ")'; }
cd_conditions() {
	CRI_PB="$CD/pb" "$PY" "$CRIDIR/cri_call.py" --sock "$CDS/c.sock" Status |
		jq -r '[.status.conditions[] | "\(.type)=\(.status) \(.reason)"] | join("; ")'
}
cd_network_ready() { [ "$(cd_conditions)" = "RuntimeReady=true ; NetworkReady=true " ]; }

# kubelet holds a node NotReady while its runtime says the network is not:
# so corral's CRI says it is only when a pod would get one, as containerd's
# does only with a CNI config. containerd's CRI, in the same namespace with
# a CNI directory of its own, is the reference: first empty, then with a
# network's config, which it loads as it comes.
test_cri_network_ready() {
	command -v containerd >/dev/null || skip "containerd is not installed (tests/deps.sh installs it)"
	trap 'stop_containerd_images; cleanup_sv' EXIT
	start_cri --default-network none
	CD="$T/containerd"
	mkdir -p "$T/hosts"
	start_containerd_images "$T/netns" "$T/hosts" || fail "containerd's CRI did not start"
	local ref
	ref=$(cd_conditions)
	assert_eq "$ref" "RuntimeReady=true ; NetworkReady=false NetworkPluginNotReady" "containerd's, no CNI config"
	assert_eq "$(conditions)" "$ref" "corral's, default-network none, as containerd's with no CNI config"
	assert_contains "$(cri Status | jq -r '.status.conditions[1].message')" "default-network is none" "it says why"
	cat >"$CD/cni/10-ready.conflist" <<-EOC
	{"cniVersion": "0.4.0", "name": "ready", "plugins": [{"type": "bridge", "bridge": "corralready0",
	 "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.238.0.0/24"}]], "dataDir": "$CD/ipam"}}]}
	EOC
	wait_for 10 cd_network_ready
	stop_sv
	start_sv_netns --cri-socket "$S/cri.sock" --cri-user 65533:65533
	assert_eq "$(conditions)" "$(cd_conditions)" "corral's with its default network, as containerd's with a CNI config"
}

test_cri_errors() {
	trap cleanup_sv EXIT
	start_cri
	local out
	out=$(kpod errors) || { echo "$out"; fail "the error scenario"; }
	assert_eq "$out" "no metadata: INVALID_ARGUMENT
unknown handler: NOT_FOUND
status of a missing pod: NOT_FOUND
a bad pod id: INVALID_ARGUMENT
stop a missing pod: OK
remove a missing pod: OK
status of a missing container: NOT_FOUND
stop a missing container: OK
remove a missing container: OK
start a missing container: NOT_FOUND
create in a missing pod: NOT_FOUND
create without an image: INVALID_ARGUMENT
create from a missing image: NOT_FOUND
a long name that is not ASCII: INVALID_ARGUMENT CreateContainer: InvalidParameter spec.name: must be 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit
a group without a user: INVALID_ARGUMENT CreateContainer: config.linux.security_context.run_as_group (without run_as_user or run_as_username)
a seccomp path without localhost/: INVALID_ARGUMENT CreateContainer: config.linux.security_context.seccomp_profile_path (not runtime/default, unconfined or localhost/PATH)
exec past its timeout: DEADLINE_EXCEEDED
exec timeout honoured: True
exec of nothing: INVALID_ARGUMENT
exec of a missing file: 127
stop, then again: OK OK
exec in a stopped container: FAILED_PRECONDITION
exec URL of a removed container: NOT_FOUND
unimplemented: UNIMPLEMENTED" "the CRI's answers"
	# each error names what was wrong
	assert_contains "$(cri PodSandboxStatus '{"podSandboxId":"../x"}')" "pod_sandbox_id \"../x\": not a pod's id" "a bad id"
	assert_contains "$(cri Exec '{}')" "Exec: cmd is empty" "Exec without a command"
	assert_contains "$(cri Exec '{"containerId":"abc","cmd":["true"]}')" "Exec: one of stdin, stdout and stderr must be set" \
		"Exec of no stream"
	assert_contains "$(cri Attach '{"containerId":"abc","tty":true,"stdout":true,"stderr":true}')" \
		"Attach: tty and stderr cannot both be set" "Attach of a terminal with stderr"
	assert_contains "$(cri PortForward '{"podSandboxId":"abc","port":[70000]}')" "PortForward: port[0] 70000: not a port" \
		"PortForward of no port"
	assert_contains "$(cri RunPodSandbox '{"config":{"metadata":{"name":"a","namespace":"n","uid":"u"},"portMappings":[{"protocol":"SCTP","containerPort":1,"hostPort":2}]}}')" \
		"port_mappings[0]: SCTP" "SCTP"
	# a pod's name as long as Kubernetes allows (253): its container is made
	local long pod
	long=$(printf 'p%.0s' $(seq 240))
	pod=$(cri RunPodSandbox '{"config":{"metadata":{"name":"'$long'","namespace":"n","uid":"u"}}}' | jq -r .podSandboxId)
	assert_contains "$(cri CreateContainer '{"podSandboxId":"'$pod'","config":{"metadata":{"name":"c"},"image":{"image":"busybox:latest"},"command":["true"]}}')" \
		"containerId" "a container of a pod with a 240-byte name"
	cri RemovePodSandbox '{"podSandboxId":"'$pod'"}' >/dev/null
	assert_eq "$(ctl session ls --json | jq length)" 0 "sessions left by refused calls"
}

# kubelet's security context and resources, read back inside the container
# (the limits themselves in the VM tier, where cgroups have controllers)
test_cri_security() {
	trap cleanup_sv EXIT
	start_cri
	# (ContainerStatus.resources: what CreateContainer gave, and Update kept)
	local out limits=--no-limits expect_limits="update: INVALID_ARGUMENT True
status resources: 0 0 0 0 500" expect_huge="hugepages and unified: UNKNOWN True"
	# with the controllers (the VM tier): the limits, and their update
	if grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null &&
		grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control; then
		limits=
		# cpu.weight of 512 shares, as the OCI runtimes convert them
		expect_limits="limits: 67108864
20
update: 100663296
50000 100000
status resources: 100663296 100000 50000 512 500"
		expect_huge="hugepages and unified: 4194304 50331648
after update: 2097152 67108864"
	fi
	out=$(kpod security $limits --status-resources) || { echo "$out"; fail "the security scenario"; }
	assert_eq "$out" "id: 1000
2000
2000 3000 3001
status: CapEff: 0000000000000400
CapAmb: 0000000000000400
NoNewPrivs: 1
Seccomp: 2
read-only root: Read-only file system
seccomp profile: Operation not permitted
masked: 0
sysctl: 81
oom_score_adj: 500
device: c
written
$expect_limits
status info: True
$expect_huge
ambient SYS_ADMIN: INVALID_ARGUMENT True" "the container's confinement (no cgroup controllers here: the update and the start say so)"
	assert_eq "$(ctl ps -a --json | jq length)" 0 "containers left"
}

# shareProcessNamespace: the pod's containers in one PID namespace under
# catatonit -P, one with its own beside them, nothing left in it once the
# pod is removed; TARGET (kubectl debug --target) joins another's; hostPID and
# hostIPC pods have the host's namespaces; a pod without hostUsers has its
# containers in user namespaces of kubelet's mappings, idmapped mounts too
test_cri_namespaces() {
	trap cleanup_sv EXIT
	start_cri
	local out
	out=$(kpod namespaces) || { echo "$out"; fail "the namespaces scenario"; }
	assert_eq "$out" "one sees: sleep 10001 sleep 10002
two sees: sleep 10001 sleep 10002
own sees: sleep 10003
pid 1: catatonit -P
debug sees: sleep 10003 sleep 10004
TARGET of no container: INVALID_ARGUMENT True
left in its PID namespace: 0
host's pid and ipc: True
handler has user namespaces: True
in the user namespace: 0 0 65534 0
its uid on the host: 0
a mount of other mappings: UNIMPLEMENTED True" "what the pods' containers see"
	assert_eq "$(ctl ps -a --json | jq length)" 0 "containers left"
	assert_eq "$(ctl session ls --json | jq length)" 0 "sessions left"
}

# kubelet's relist on a connection kept open is answered from corral-cri's
# store: each list compared with a new connection's, which asks corrald
# (cri/cri_relist.py): the client's own changes at once, another client's
# and a container's end within 10 s, every filter; and with corrald frozen
# the kept connection still lists
test_cri_relist_from_the_store() {
	trap cleanup_sv EXIT
	start_cri
	local out
	out=$(CRI_PB="$T/pb" $PY "$CRIDIR/cri_relist.py" --sock "$S/cri.sock" --image busybox:latest \
		--logdir "$T/logs" --corrald "$CORRALD_PID" --cgparent "/corral-$TID/kubepods/relist" 2>&1) ||
		{ echo "$out"; fail "the relist scenario"; }
	echo "$out"
	assert_eq "$(grep -v -e ': same$' -e '^filter: state finds' <<<"$out")" "lists with corrald frozen: True
left: 0 pods, 0 containers" "what the kept connection saw that was not the truth"
	assert_eq "$(grep -c ': same$' <<<"$out")" 27 "the lists compared"
	assert_eq "$(sed -n 's/^filter: state finds: //p' <<<"$out")" 1 "running containers found by the state filter"
}

# SELinux options (the VM tier's SELinux boot): the container's process
# label and its tmpfs's context, the policy's container defaults
# (lxc_contexts) at the level kubelet gives. Debian's lxc_contexts names
# container_t, which its policy has not (it has no container module): the
# container is refused, naming the label, rather than failing in the
# runtime's mounts; with an operator's lxc_contexts of types the policy has,
# the labels are applied. Where SELinux is off the same options are ignored,
# as containerd ignores them (test_cri_security gives them there).
test_cri_selinux() {
	grep -q " /sys/fs/selinux selinuxfs " /proc/mounts && [ "$(tr -d '\0' </proc/self/attr/current)" != kernel ] ||
		skip "SELinux is not on here (the VM tier's CORRAL_VM_MODE=selinux boots with it)"
	local out
	# (not local: the EXIT trap runs after the function has returned)
	LXC_CTX=/etc/selinux/$(sed -n 's/^SELINUXTYPE=//p' /etc/selinux/config 2>/dev/null)/contexts/lxc_contexts
	cp "$LXC_CTX" "$T/lxc_contexts.orig" || fail "no $LXC_CTX"
	trap 'cp "$T/lxc_contexts.orig" "$LXC_CTX"; cleanup_sv' EXIT
	start_cri
	if ! seinfo_has_container_t; then
		out=$(kpod security --selinux --selinux-level s0:c3,c4 --no-limits) && fail "labels of no type were applied: $out"
		assert_contains "$out" "error: INVALID_ARGUMENT" "the policy's own defaults, of a type it has not"
		assert_contains "$out" "system_u:system_r:container_t:s0:c3,c4 is not a context of the loaded policy (its defaults: $LXC_CTX)" \
			"what the refusal says"
	fi
	printf 'process = "system_u:system_r:initrc_t:s0"\nfile = "system_u:object_r:tmpfs_t:s0"\n' >"$LXC_CTX"
	out=$(kpod security --selinux --selinux-level s0:c3,c4 --no-limits) || { echo "$out"; fail "the security scenario"; }
	assert_eq "$(grep -A1 '^selinux:' <<<"$out")" 'selinux: system_u:system_r:initrc_t:s0:c3,c4
context="system_u:object_r:tmpfs_t:s0:c3,c4"' "the labels"
}
# whether the loaded policy has container_t (Debian's has not)
seinfo_has_container_t() { printf 'system_u:system_r:container_t:s0\0' >/sys/fs/selinux/context 2>/dev/null; }

# kill -9 of corrald: the pod and its container run on, and the CRI shows
# them with the same ids and states afterwards
test_cri_pods_outlive_corrald() {
	trap cleanup_sv EXIT
	start_cri
	local ids out
	ids=$(kpod keep) || fail "keep: $ids"
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv_netns --cri-socket "$S/cri.sock" --cri-user 65533:65533
	# shellcheck disable=SC2086
	out=$(kpod check $ids) || { echo "$out"; fail "after the restart"; }
	assert_eq "$out" "pod: kept SANDBOX_READY
container: k CONTAINER_RUNNING
probe: kept
removed: True" "the pod after corrald's restart"
	# shellcheck disable=SC2086
	wait_for 10 nothing_left $ids || fail "left: $(leftovers $ids)"
}

# a member of the group through the CRI: its pods are its own, and what
# only root may ask for (a log at a path of its choosing) is refused.
# Root's CRI view (kubelet's node) holds root's objects only: kubelet would
# trust a member's labels (a log path it rotates and deletes, a pod uid it
# kills for), and GC its containers and images.
test_cri_member() {
	trap cleanup_sv EXIT
	need_cni
	mkdir -p "$T/pb"
	protoc --python_out="$T/pb" -I "$ROOTDIR/supervisor/cri" "$ROOTDIR/supervisor/cri/runtime_v1.proto" || fail protoc
	chmod -R a+rX "$T/pb"
	start_sv_netns --cri-socket "$S/cri.sock" --cri-user 65533:65533 --group "$(getent group 65534 | cut -d: -f1)"
	chmod 755 "$T" "$S"
	cp "$FIXTURES/images/test.oci.tar" "$T/img.tar" && chmod 644 "$T/img.tar"
	mctl 4242 image import "oci-archive:$T/img.tar" busybox:latest >/dev/null
	mcri() { local u=$1; shift; as_uid "$u" env CRI_PB="$T/pb" "$CRIDIR/cri_call.py" --sock "$S/cri.sock" "$@"; }
	local pod
	pod=$(mcri 4242 RunPodSandbox '{"config":{"metadata":{"name":"m","namespace":"n","uid":"u"}}}' | jq -r .podSandboxId)
	[ -n "$pod" ] && [ "$pod" != null ] || fail "the member's pod: $pod"
	assert_eq "$(mcri 4242 ListPodSandbox | jq '.items | length')" 1 "the member's pods"
	assert_eq "$(mcri 4343 ListPodSandbox | jq '.items | length')" 0 "another member's view"
	assert_contains "$(mcri 4343 PodSandboxStatus "{\"podSandboxId\":\"$pod\"}")" "error: NOT_FOUND" "another member's status"
	assert_eq "$(cri ListPodSandbox | jq '.items | length')" 0 "root's CRI view"
	assert_contains "$(cri PodSandboxStatus "{\"podSandboxId\":\"$pod\"}")" "error: NOT_FOUND" "root's CRI status"
	assert_contains "$(ctl session ls)" "n/m" "root's varlink view"
	# a pod whose log directory is the host's /etc: corrald's monitor (root)
	# would write there
	local evil
	evil=$(mcri 4242 RunPodSandbox '{"config":{"metadata":{"name":"e","namespace":"n","uid":"e"},"logDirectory":"/etc"}}' | jq -r .podSandboxId)
	assert_contains "$(mcri 4242 CreateContainer '{"podSandboxId":"'$evil'","config":{"metadata":{"name":"c"},"image":{"image":"busybox:latest"},"logPath":"evil.log","command":["true"]}}')" \
		"error: PERMISSION_DENIED" "a member's log path"
	[ -e /etc/evil.log ] && { rm -f /etc/evil.log; fail "the member's log path was written"; }
	mcri 4242 RemovePodSandbox "{\"podSandboxId\":\"$evil\"}" >/dev/null
	local cid
	cid=$(mcri 4242 CreateContainer '{"podSandboxId":"'$pod'","config":{"metadata":{"name":"c"},"image":{"image":"busybox:latest"},"command":["sleep","100"]}}' | jq -r .containerId)
	assert_contains "$(mcri 4343 ContainerStatus "{\"containerId\":\"$cid\"}")" "error: NOT_FOUND" "another member's container"
	assert_contains "$(mcri 4343 RemoveContainer "{\"containerId\":\"$cid\"}")" "{}" "removing another's is a no-op"
	assert_eq "$(mcri 4242 ContainerStatus "{\"containerId\":\"$cid\"}" | jq -r .status.state)" CONTAINER_CREATED "still there"
	# the member forges a CRI container over varlink: its pod's labels, and
	# a log path of root's files, that kubelet would rotate and delete
	local forged
	# shellcheck disable=SC2046
	forged=$(mctl 4242 create --name forged $(mctl 4242 --json inspect "$cid" |
		jq -r '.[0].labels | to_entries[] | "--label=\(.key)=\(.value)"') \
		--label io.kubernetes.cri.log-path=/etc/passwd busybox:latest true) || fail "the forged container: $forged"
	assert_eq "$(mcri 4242 ListContainers | jq '.containers | length')" 2 "the member's own CRI view"
	assert_eq "$(cri ListContainers | jq '.containers | length')" 0 "root's CRI view of containers"
	assert_contains "$(cri ContainerStatus "{\"containerId\":\"$forged\"}")" "error: NOT_FOUND" "the forged container to root's CRI"
	assert_eq "$(cri ListImages | jq '[.images[]? | select(.repoTags[]? == "busybox:latest")] | length')" 0 "the member's image to root's CRI"
	assert_contains "$(ctl ps -a)" forged "root's varlink view"
	mctl 4242 rm forged >/dev/null
	mcri 4242 RemovePodSandbox "{\"podSandboxId\":\"$pod\"}" >/dev/null
	assert_eq "$(mcri 4242 ListPodSandbox | jq '.items | length')" 0 "pods after the member's removal"
}

# Attack: a member takes the names kubelet's next containers will have
# (k8s_NAME_POD_NAMESPACE_UID_ATTEMPT: all of it is in the pod's spec, and
# in /var/log/pods on the node), the restarted one's too. Each owner's names
# are its own: kubelet's pod runs its whole sequence, and the member's
# containers stay its own. Before, the first CreateContainer was refused
# with the name in use, and the pod never started.
test_cri_a_member_cannot_take_kubelets_names() {
	trap cleanup_sv EXIT
	start_cri --group "$(getent group 65534 | cut -d: -f1)"
	chmod 755 "$T" "$S"
	cp "$FIXTURES/images/test.oci.tar" "$T/img.tar" && chmod 644 "$T/img.tar"
	mctl 4242 image import "oci-archive:$T/img.tar" m:1 >/dev/null
	local n out
	for n in server_web_corral-test_web-uid_0 client_web_corral-test_web-uid_0 client_web_corral-test_web-uid_1; do
		mctl 4242 create --name "k8s_$n" m:1 true >/dev/null || fail "the member's k8s_$n"
	done
	out=$(kpod pod) || { echo "$out"; fail "kubelet's sequence beside the member's names"; }
	assert_contains "$out" "client exit: 0 Completed" "kubelet's client ran"
	assert_contains "$out" "restarted client: attempt 1 exit 0" "and ran again as attempt 1"
	assert_contains "$out" "containers left: 0" "kubelet's containers, removed"
	assert_eq "$(mctl 4242 ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" \
		"k8s_client_web_corral-test_web-uid_0 k8s_client_web_corral-test_web-uid_1 k8s_server_web_corral-test_web-uid_0 " \
		"the member's containers, its own still"
	assert_eq "$(ctl ps -a --format '{{.Names}}' | grep -vc @4242)" 0 "nothing of kubelet's left"
}

# what only root may ask of a container, asked by a member over varlink:
# each refused, naming the field, and nothing made
test_cri_member_spec_refusals() {
	trap cleanup_sv EXIT
	start_sv_group
	cp "$FIXTURES/images/test.oci.tar" "$T/img.tar" && chmod 644 "$T/img.tar"
	mctl 4242 image import "oci-archive:$T/img.tar" busybox:latest >/dev/null
	local field extra out
	for extra in '"logPath":"/etc/x.log"' '"cgroupParent":"/"' '"maskedPaths":[]' '"readonlyPaths":[]' \
		'"seccompProfile":"unconfined"' '"devices":[{"hostPath":"/dev/sda"}]' '"resources":{"oomScoreAdj":-1000}' \
		'"sysctls":{"kernel.msgmax":"1"}'; do
		field=$(sed 's/^"\([a-zA-Z]*\)".*/\1/' <<<"$extra")
		out=$(mctl 4242 call CreateContainer "{\"spec\":{\"image\":\"busybox:latest\",\"command\":[\"true\"],$extra}}" 2>&1) &&
			fail "a member's $field was taken: $out"
		assert_contains "$out" "PermissionDenied" "a member's $field"
		assert_contains "$out" "$field" "the refusal names $field"
	done
	# a safe sysctl is the member's to set
	mctl 4242 call CreateContainer '{"spec":{"image":"busybox:latest","command":["true"],"sysctls":{"net.ipv4.ip_unprivileged_port_start":"80"}}}' \
		>/dev/null || fail "a member's safe sysctl"
	assert_eq "$(ctl ps -a --json | jq length)" 1 "containers made"
	[ ! -e /etc/x.log ] || fail "a member's log path was made"
}

# recursiveReadOnly (RuntimeHandlerFeatures says corral has it): a
# read-only bind whose submounts are read-only too, where a plain
# read-only one leaves a submount writable, as runc and containerd do; and
# what the CRI requires of it (readonly, private propagation) refused
test_cri_recursive_read_only_mounts() {
	trap 'umount "$T/host/sub" 2>/dev/null; cleanup_sv' EXIT
	start_cri
	mkdir -p "$T/host/sub"
	mount -t tmpfs sub "$T/host/sub"
	local pod cfg c out
	cfg='{"metadata":{"name":"rro","namespace":"n","uid":"u-rro"}}'
	pod=$(cri RunPodSandbox '{"config":'"$cfg"'}' | jq -r .podSandboxId)
	mk() { # NAME MOUNT-JSON: the created container's id, or the error
		local out
		out=$(cri CreateContainer '{"podSandboxId":"'"$pod"'","sandboxConfig":'"$cfg"',"config":{"metadata":{"name":"'"$1"'"},
			"image":{"image":"busybox:latest"},"command":["sleep","1000"],"mounts":['"$2"']}}') || true
		jq -r .containerId <<<"$out" 2>/dev/null || echo "$out"
	}
	write() { # ID PATH: what a write there gives
		cri StartContainer '{"containerId":"'"$1"'"}' >/dev/null
		cri ExecSync '{"containerId":"'"$1"'","cmd":["sh","-c","touch '"$2"' && echo written || echo refused"],"timeout":20}' |
			jq -r .stdout | base64 -d
	}
	local m='"containerPath":"/m","hostPath":"'"$T/host"'","readonly":true'
	c=$(mk rro "{$m,\"recursiveReadOnly\":true}")
	assert_eq "$(write "$c" /m/sub/x)" refused "a submount of a recursively read-only bind"
	assert_eq "$(write "$c" /m/x)" refused "the recursively read-only bind"
	c=$(mk ro "{$m}")
	assert_eq "$(write "$c" /m/sub/x)" written "a submount of a plain read-only bind (runc's too)"
	assert_eq "$(write "$c" /m/x)" refused "the plain read-only bind"
	out=$(mk rw '{"containerPath":"/m","hostPath":"'"$T/host"'","recursiveReadOnly":true}' 2>&1)
	assert_contains "$out" "INVALID_ARGUMENT" "recursive without readonly"
	assert_contains "$out" "mounts[].recursive_read_only (needs readonly and private propagation)" "the field named"
	out=$(mk slave "{$m,\"recursiveReadOnly\":true,\"propagation\":\"PROPAGATION_HOST_TO_CONTAINER\"}" 2>&1)
	assert_contains "$out" "INVALID_ARGUMENT" "recursive with rslave propagation"
	# corrald's own, as varlink takes it
	out=$(ctl call CreateContainer '{"spec":{"image":"busybox:latest","command":["true"],"mounts":[{"source":"'"$T/host"'","destination":"/m","recursiveReadonly":true}]}}' 2>&1) &&
		fail "recursiveReadonly without readonly was taken: $out"
	assert_contains "$out" '"parameter":"spec.mounts[0].recursiveReadonly","reason":"needs readonly, and private or rprivate propagation"' \
		"corrald's refusal"
	[ ! -e "$T/host/x" ] || fail "the read-only bind was written"
	cri RemovePodSandbox '{"podSandboxId":"'"$pod"'"}' >/dev/null
}

# kubelet's log rotation: it renames the file, then asks for a reopen
test_cri_log_reopen() {
	trap cleanup_sv EXIT
	start_cri
	local pod cid
	pod=$(cri RunPodSandbox '{"config":{"metadata":{"name":"l","namespace":"n","uid":"u"},"logDirectory":"'"$T/logs/l"'"}}' | jq -r .podSandboxId)
	cid=$(cri CreateContainer '{"podSandboxId":"'$pod'","config":{"metadata":{"name":"c"},"image":{"image":"busybox:latest"},"logPath":"c.log","command":["sh","-c","i=0; while :; do echo n$i; i=$((i+1)); sleep 0.05; done"]}}' | jq -r .containerId)
	cri StartContainer '{"containerId":"'$cid'"}' >/dev/null
	has_lines() { [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ]; }
	wait_for 10 has_lines "$T/logs/l/c.log" 3 || fail "no log at kubelet's path"
	mv "$T/logs/l/c.log" "$T/logs/l/c.log.1"
	assert_eq "$(cri ReopenContainerLog '{"containerId":"'$cid'"}')" "{}" "the reopen"
	wait_for 10 has_lines "$T/logs/l/c.log" 3 || fail "no new log after the reopen"
	local last first
	last=$(tail -1 "$T/logs/l/c.log.1" | awk '{print $4}')
	first=$(head -1 "$T/logs/l/c.log" | awk '{print $4}')
	assert_eq "${first#n}" "$((${last#n} + 1))" "the new file goes on where the old one ended"
	assert_contains "$(ctl logs --tail 1 "$cid")" "n" "corralctl logs reads kubelet's file"
	cri StopContainer '{"containerId":"'$cid'","timeout":0}' >/dev/null
	assert_contains "$(cri ReopenContainerLog '{"containerId":"'$cid'"}')" "error: FAILED_PRECONDITION" "a stopped container's reopen"
	cri RemovePodSandbox '{"podSandboxId":"'$pod'"}' >/dev/null
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
