#!/bin/bash
# time: under TCG each systemctl restart of corrald takes seconds, and every case waits for a container's port through a restart
# corrald as the system service that `make install` sets up, under systemd
# as PID 1 (the VM tier's systemd boot): restart, stop and start,
# daemon-reload and a kill -9 (systemd's own restart) with a container on a
# published port and a workload running, each left running and adopted,
# and nothing of theirs in corrald's unit: each monitor has a scope of its
# own beside its container's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"

file_skip() {
	echo "SKIP test_supervisor_service.sh: $*"
	echo "skip test_supervisor_service" >>"$RESULTS"
	exit 0
}
[ -d /run/systemd/system ] || file_skip "needs systemd as PID 1 (the VM tier's systemd boot: CORRAL_VM_MODE=systemd)"
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/portmap ] || file_skip "the CNI plugins are not installed (containernetworking-plugins)"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

UNIT=corrald.service
SOCKET_PATH=/run/corral/corrald.sock
CGROOT=/sys/fs/cgroup
# the service's state on ext4 (the guest's root is an overlay: see
# test_supervisor_storage.sh for that), under the file's own directory
SVC_T="$TESTROOT/service-$$"

# as the service's users call it: the default socket
sctl() { "$CORRALCTL" --timeout 60 "$@"; }
# in the guest's own network namespace, where the service publishes ports
# (each test file runs in a namespace of its own)
hostnet() { nsenter --net=/proc/1/ns/net "$@"; }
get() { hostnet curl -sf --max-time 5 "$1"; }
main_pid() { systemctl show -P MainPID "$UNIT"; }
active() { [ "$(systemctl show -P ActiveState "$UNIT")" = active ] && sctl ping >/dev/null 2>&1; }
# every process in the unit's cgroup tree, one a line (the unit's cgroup
# as its main process's /proc says it)
unit_procs() {
	local cg
	cg=$(sed -n 's/^0:://p' "/proc/$(main_pid)/cgroup" 2>/dev/null)
	[ -n "$cg" ] && [ "$cg" != / ] || { echo "no cgroup for $UNIT"; return; }
	cat $(find "$CGROOT$cg" -name cgroup.procs) 2>/dev/null
}
# corrald alone in its unit: a helper it calls (a CNI plugin, the firewall
# tool, corral-images) is there only for the call, so this waits for it.
# The corral-docker and corral-cri corrald keeps started for its Docker and
# CRI sockets are its own children, and end with it (PR_SET_PDEATHSIG):
# they may stay, and no other.
own_docker_helper() { # PID MAIN
	case "$(cat "/proc/$1/comm" 2>/dev/null)" in corral-docker|corral-cri|corral-stream) ;; *) return 1 ;; esac
	[ "$(awk '{print $4}' "/proc/$1/stat" 2>/dev/null)" = "$2" ]
}
alone_in_unit() {
	local m p seen=""
	m=$(main_pid)
	for p in $(unit_procs); do
		if [ "$p" = "$m" ]; then
			seen=1
		elif ! own_docker_helper "$p" "$m"; then
			return 1
		fi
	done
	[ -n "$seen" ]
}
unit_comms() {
	local p
	for p in $(unit_procs); do echo "$p $(cat "/proc/$p/cmdline" 2>/dev/null | tr '\0' ' ')"; done
}

install_service() {
	mkdir -p "$SVC_T/state" /var/lib/corral /etc/corral
	mount --bind "$SVC_T/state" /var/lib/corral
	# the units and binaries as `make install` writes them (built already)
	make -s -C "$ROOTDIR" -o all install PREFIX=/usr/local >"$SVC_T/install.log" 2>&1 ||
		{ cat "$SVC_T/install.log"; return 1; }
	systemd-sysusers
	: >/etc/corral/corrald.conf
	systemctl daemon-reload
	systemctl start corrald.socket "$UNIT"
	wait_for 60 active || { systemctl status "$UNIT"; return 1; }
	sctl image import "oci:$FIXTURES/images/oci:test" bb:1 >/dev/null
}

uninstall_service() {
	set +e
	if active; then
		for id in $(sctl --json ps -a 2>/dev/null | jq -r '.[].id' 2>/dev/null); do sctl rm -f "$id"; done
		for w in $(sctl --json get workloads 2>/dev/null | jq -r '.[].name' 2>/dev/null); do sctl delete workload "$w"; done
	fi >/dev/null 2>&1
	systemctl stop corrald.socket "$UNIT" >/dev/null 2>&1
	for u in $(systemctl list-units --plain --no-legend 'corral-*.scope' | awk '{print $1}'); do
		systemctl stop "$u" >/dev/null 2>&1
	done
	umount -l /var/lib/corral 2>/dev/null
	for m in $(awk -v d="$SVC_T/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do umount -l "$m"; done
	systemctl stop corral-seal.service >/dev/null 2>&1
	rm -f /usr/local/lib/systemd/system/corrald.service /usr/local/lib/systemd/system/corrald.socket \
		/usr/local/lib/systemd/system/corral-seal.service
	systemctl daemon-reload
	rm -rf "$SVC_T"
}
trap uninstall_service EXIT
install_service || file_skip "the service did not start (see above)"

# web NAME PORT: a container serving "hello from NAME" on PORT
web() {
	sctl run -d --name "$1" --restart always -p "$2:80" --tmpfs /www bb:1 sh -c \
		"mkdir -p /www && echo 'hello from $1' >/www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
	wait_for 30 get "http://127.0.0.1:$2/"
}
pod() {
	cat <<-EOF
	apiVersion: v1
	kind: Pod
	metadata: {name: $1}
	spec:
	  containers:
	  - {name: main, image: bb:1, command: ["sleep", "100000"]}
	EOF
}
wl_ready() { [ "$(sctl --json get workloads | jq -r --arg n "$1" '.[] | select(.name == $n) | .status')" = converged ]; }
# a kubelet's pod through the service's CRI socket (corral-cri(8))
cri() { CRI_PB="$SVC_T/pb" "$ROOTDIR/tests/integration/cri/cri_call.py" --sock /run/corral/cri.sock "$@"; }
cri_pod() {
	mkdir -p "$SVC_T/pb"
	protoc --python_out="$SVC_T/pb" -I "$ROOTDIR/supervisor/cri" "$ROOTDIR/supervisor/cri/runtime_v1.proto" || return 1
	local cfg='{"metadata":{"name":"kp","namespace":"default","uid":"kp-1"},"hostname":"kp"}'
	CRI_POD=$(cri RunPodSandbox "{\"config\":$cfg}" | jq -r .podSandboxId)
	CRI_CTR=$(cri CreateContainer "{\"podSandboxId\":\"$CRI_POD\",\"sandboxConfig\":$cfg,\"config\":{\"metadata\":{\"name\":\"c\"},\"image\":{\"image\":\"bb:1\"},\"command\":[\"sleep\",\"100000\"]}}" | jq -r .containerId)
	cri StartContainer "{\"containerId\":\"$CRI_CTR\"}" >/dev/null || return 1
	CRI_PID=$(cri ContainerStatus "{\"containerId\":\"$CRI_CTR\",\"verbose\":true}" | jq -r '.info.info | fromjson | .pid')
	[ -n "$CRI_PID" ] && [ "$CRI_PID" != 0 ]
}
# the pod as kubelet sees it after a restart: ready, its container running
# the same process
cri_kept() {
	assert_eq "$(cri PodSandboxStatus "{\"podSandboxId\":\"$CRI_POD\"}" | jq -r .status.state)" SANDBOX_READY "the CRI pod"
	assert_eq "$(cri ContainerStatus "{\"containerId\":\"$CRI_CTR\",\"verbose\":true}" | jq -r '[.status.state, (.info.info | fromjson | .pid)] | join(" ")')" \
		"CONTAINER_RUNNING $CRI_PID" "the CRI container: the same process"
}

# What each way of restarting corrald must keep: the container's same
# process, serving on its port; the workload's same replica; corrald's
# unit holding corrald alone; each monitor in its own scope.
# kept NAME PORT PID REPLICA
kept() {
	local name=$1 port=$2 pid=$3 replica=$4 mon
	assert_eq "$(sctl --json inspect "$name" | jq -r '.[0].state.status')" running "$name is running, adopted"
	assert_eq "$(sctl --json inspect "$name" | jq -r '.[0].state.pid')" "$pid" "$name: the same process"
	assert_eq "$(get "http://127.0.0.1:$port/")" "hello from $name" "$name serves on its port"
	wait_for 30 wl_ready app || fail "the workload is not converged: $(sctl describe workload app)"
	assert_eq "$(sctl --json ps | jq -r '[.[] | select(.labels["io.corral.workload"] == "app") | .id] | join(",")')" \
		"$replica" "the workload's same replica"
	wait_for 30 alone_in_unit || fail "corrald's unit holds more than corrald: $(unit_comms | tr '\n' ';')"
	mon=$(awk '{print $4}' "/proc/$pid/stat")
	assert_eq "$(grep '^0::' "/proc/$mon/cgroup")" \
		"0::/machine.slice/corral-monitor-$(sctl --json inspect "$name" | jq -r '.[0].id').scope" "its monitor's own scope"
}

test_service_restarts_keep_containers_serving() {
	web web 18080
	pod app >"$T/app.yaml"
	sctl apply -f "$T/app.yaml" >/dev/null
	wait_for 60 wl_ready app || fail "the workload did not converge: $(sctl describe workload app)"
	local pid replica first
	pid=$(sctl --json inspect web | jq -r '.[0].state.pid')
	replica=$(sctl --json ps | jq -r '[.[] | select(.labels["io.corral.workload"] == "app") | .id] | join(",")')
	kept web 18080 "$pid" "$replica"
	cri_pod || fail "a pod through the CRI socket"
	first=$(main_pid)
	systemctl restart "$UNIT" || fail "systemctl restart: $(systemctl status "$UNIT" 2>&1 | tail -5)"
	wait_for 60 active || fail "not active after a restart"
	[ "$(main_pid)" != "$first" ] || fail "restart kept the same corrald"
	kept web 18080 "$pid" "$replica"
	cri_kept
	local cg
	cg=$(sed -n 's/^0:://p' "/proc/$(main_pid)/cgroup")
	systemctl stop "$UNIT"
	assert_eq "$(cat $(find "$CGROOT$cg" -name cgroup.procs 2>/dev/null) 2>/dev/null)" "" "nothing of corrald's unit outlives its stop"
	get http://127.0.0.1:18080/ >/dev/null || fail "the container stopped serving with corrald stopped"
	systemctl start "$UNIT" || fail "systemctl start after stop: $(systemctl status "$UNIT" 2>&1 | tail -5)"
	wait_for 60 active || fail "not active after stop and start"
	kept web 18080 "$pid" "$replica"
	systemctl daemon-reload
	wait_for 60 active || fail "not active after daemon-reload"
	kept web 18080 "$pid" "$replica"
	# kill -9: systemd's own restart (Restart=on-failure)
	first=$(main_pid)
	kill -KILL "$first"
	wait_for 60 sh -c "[ \"\$(systemctl show -P MainPID $UNIT)\" != $first ] && [ \"\$(systemctl show -P MainPID $UNIT)\" != 0 ]" ||
		fail "systemd did not start corrald again after kill -9: $(systemctl status "$UNIT" 2>&1 | tail -5)"
	wait_for 60 active || fail "not active after systemd's restart"
	kept web 18080 "$pid" "$replica"
	cri_kept
	cri RemovePodSandbox "{\"podSandboxId\":\"$CRI_POD\"}" >/dev/null
	# what systemd saw: no left-over process, no failed start
	local journal
	journal=$(journalctl -u "$UNIT" --no-pager -o cat 2>/dev/null)
	assert_not_contains "$journal" "Found left-over process" "the journal"
	assert_not_contains "$journal" "219/CGROUP" "the journal"
	sctl rm -f web >/dev/null
	sctl delete workload app >/dev/null
	# systemd stops a scope once its last process has gone, on its own time
	no_monitor_scope() { [ "$(systemctl list-units --plain --no-legend 'corral-monitor-*.scope' | wc -l)" = 0 ]; }
	wait_for 30 no_monitor_scope ||
		fail "monitor scopes left after rm: $(systemctl list-units --plain --no-legend 'corral-monitor-*.scope')"
}

# corral-seal.service as `make install` writes it: each runtime binary runs
# from a read-only overlayfs view bound over it, so that neither a `corral`
# call nor a monitor corrald starts makes a view of its own; `make install`
# under it replaces the files and puts the views back; stop takes them off.
SEALED="/usr/local/bin/corral /usr/local/bin/corral-monitor /usr/local/bin/corral-monitor-lean"
view_at() { awk -v p="$1" '$5 == p && / - overlay / && $6 ~ /^ro,/' /proc/self/mountinfo | grep -q .; }
test_service_seal_unit() {
	trap 'systemctl stop corral-seal.service >/dev/null 2>&1 || true' EXIT
	systemctl start corral-seal.service || fail "start: $(systemctl status corral-seal.service 2>&1 | tail -5)"
	local b mon out
	for b in $SEALED; do view_at "$b" || fail "no sealed view over $b: $(grep "$b" /proc/self/mountinfo)"; done
	out=$(/usr/local/bin/corral --debug --root "$T/rt" exec nosuch true 2>&1) && fail "exec of no container exited 0"
	assert_not_contains "$out" "sealed runtime:" "corral under corral-seal.service re-executing"
	sctl run -d --name sealed bb:1 sleep 1000 >/dev/null
	mon=$(awk '{print $4}' "/proc/$(sctl --json inspect sealed | jq -r '.[0].state.pid')/stat")
	# a monitor that made its own view runs from a detached mount (its
	# /proc/PID/exe reads /corral-monitor-lean); this one, the bound one
	assert_eq "$(readlink "/proc/$mon/exe")" /usr/local/bin/corral-monitor-lean "the monitor's binary"
	assert_eq "$(sctl exec sealed echo through the sealed monitor)" "through the sealed monitor" "exec"
	sctl rm -f sealed >/dev/null
	make -s -C "$ROOTDIR" -o all install PREFIX=/usr/local >"$T/install.log" 2>&1 || fail "make install under the seal: $(cat "$T/install.log")"
	for b in $SEALED; do
		view_at "$b" || fail "make install left no view over $b"
		cmp -s "$b" "$B/bin/$(basename "$b")" || fail "$b is not the build's"
	done
	systemctl stop corral-seal.service || fail "stop"
	for b in $SEALED; do ! view_at "$b" || fail "a view over $b after stop"; done
	out=$(/usr/local/bin/corral --debug --root "$T/rt" exec nosuch true 2>&1) && fail "exec of no container exited 0"
	assert_contains "$out" "sealed runtime: a read-only overlayfs view" "each call seals itself again"
}

# An upgrade in place: every binary replaced by a new file (as a package
# upgrade or make install does: the running ones keep their old inodes),
# then corrald restarted with a container running: its old monitor goes on
# with the new corrald (exec, logs, stop), and a new container gets the new
# monitor. (The new files are this build again: what is swapped is every
# file, under a running container, not the protocol's version.)
test_service_upgrade_in_place() {
	web old 18081
	local mon exe
	mon=$(awk '{print $4}' "/proc/$(sctl --json inspect old | jq -r '.[0].state.pid')/stat")
	make -s -C "$ROOTDIR" -o all install PREFIX=/usr/local >"$T/install.log" 2>&1 || fail "make install: $(cat "$T/install.log")"
	systemctl restart "$UNIT" || fail "restart after the upgrade"
	wait_for 60 active || fail "not active after the upgrade"
	exe=$(readlink "/proc/$mon/exe")
	assert_contains "$exe" "(deleted)" "the old monitor runs its replaced file"
	assert_eq "$(sctl exec old cat /www/index.html)" "hello from old" "exec through the old monitor"
	assert_eq "$(get http://127.0.0.1:18081/)" "hello from old" "the old container serves"
	sctl run -d --name new bb:1 sleep 1000 >/dev/null
	mon=$(awk '{print $4}' "/proc/$(sctl --json inspect new | jq -r '.[0].state.pid')/stat")
	exe=$(readlink "/proc/$mon/exe")
	case $exe in */corral-monitor-lean) ;; *) fail "the new container's monitor is not the new file: $exe" ;; esac
	sctl stop -t 1 old >/dev/null
	assert_eq "$(sctl --json inspect old | jq -r '.[0].state.status')" exited "stopped through the old monitor"
	sctl rm -f old new >/dev/null
}

# Under the unit: a container's open files limit is corrald's own, the
# unit's LimitNOFILE (as dockerd's and containerd's containers have
# theirs, where the OCI default is 1024); --ulimit lowers it, and
# --shm-size sizes /dev/shm (64 MiB by default, as Docker's).
test_service_containers_have_the_unit_s_open_files_limit() {
	local soft hard
	soft=$(systemctl show -P LimitNOFILESoft "$UNIT")
	hard=$(systemctl show -P LimitNOFILE "$UNIT")
	assert_eq "$(awk '/^Max open files/ {print $4, $5}' "/proc/$(main_pid)/limits")" "$soft $hard" "corrald's own"
	assert_eq "$(sctl run --rm bb:1 sh -c 'ulimit -n; ulimit -Hn' | tr '\n' ' ')" "$soft $hard " "a container's"
	assert_eq "$(sctl run --rm --ulimit nofile=1024:2048 bb:1 sh -c 'ulimit -n; ulimit -Hn' | tr '\n' ' ')" \
		"1024 2048 " "--ulimit nofile=1024:2048"
	assert_eq "$(sctl run --rm bb:1 df -k /dev/shm | awk 'NR == 2 {print $2}')" 65536 "/dev/shm by default"
	assert_eq "$(sctl run --rm --shm-size 8m bb:1 df -k /dev/shm | awk 'NR == 2 {print $2}')" 8192 "--shm-size 8m"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
