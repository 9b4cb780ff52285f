# containerd with its CRI plugin for the CRI test and benchmark, under $CD
# (set by the caller, with lib.sh's ROOTDIR, FIXTURES and CORRAL): two
# runtime handlers, "runc" and "corral" (the runc v2 shim with BinaryName),
# a CNI bridge network, the catatonit pause image and the busybox image
# (start_containerd); or its image service alone, for the image tests
# (start_containerd_images). CD_IN, a command that runs another in the
# test's namespaces (nsenter ...), puts containerd and its bridge there;
# CD_HOSTS, a directory of HOST/hosts.toml, is its registries' config_path.
PY=/usr/bin/python3
CRIDIR="$ROOTDIR/tests/integration/cri"
IMAGE=corral.test/fixture:legacy
PAUSE=corral.test/pause:catatonit
RUNTIMES="runc corral"
BRIDGE=corralcri0

ctr() { command ctr --address "$CDS/c.sock" --namespace k8s.io "$@"; }
# $CD made afresh, with the CRI's messages for cri_call.py in $CD/pb, and
# $CDS, containerd's socket directory (lib.sh's short_dir)
cd_dirs() {
	rm -rf "$CD"
	mkdir -p "$CD/cni" "$CD/pb"
	CDS=$(short_dir) || return 1
	protoc --python_out="$CD/pb" -I "$ROOTDIR/supervisor/cri" "$ROOTDIR/supervisor/cri/runtime_v1.proto"
}
# the config's head: containerd's own directories and sockets
cd_config_head() {
	cat <<-EOC
	version = 2
	root = "$CD/root"
	state = "$CD/state"
	[grpc]
	  address = "$CDS/c.sock"
	[ttrpc]
	  address = "$CDS/t.sock"
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$CD/opt"
	EOC
}
start_containerd() {
	cd_dirs || return 1
	local h
	{
		cd_config_head
		cat <<-EOC
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$PAUSE"
		  disable_apparmor = false
		  enable_selinux = false
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		[plugins."io.containerd.grpc.v1.cri".cni]
		  bin_dir = "/usr/lib/cni"
		  conf_dir = "$CD/cni"
		  max_conf_num = 1
		[plugins."io.containerd.grpc.v1.cri".containerd]
		  snapshotter = "overlayfs"
		  default_runtime_name = "runc"
		EOC
		[ -z "${CD_HOSTS:-}" ] || printf '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "%s"\n' "$CD_HOSTS"
		for h in $RUNTIMES; do
			cat <<-EOC
			[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$h]
			  runtime_type = "io.containerd.runc.v2"
			[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$h.options]
			  BinaryName = "$(rtbin "$h")"
			  Root = "$CD/runtime-$h"
			  SystemdCgroup = ${CRI_SYSTEMD_CGROUP:-false}
			EOC
		done
	} >"$CD/config.toml"
	cat >"$CD/cni/10-corral-cri.conflist" <<-EOC
	{
	  "cniVersion": "0.4.0",
	  "name": "corral-cri",
	  "plugins": [
	    {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false,
	     "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.237.0.0/24"}]], "dataDir": "$CD/ipam"}},
	    {"type": "loopback"}
	  ]
	}
	EOC
	# the bridge is there before any test, so that a test's leak check
	# sees the host's links as it found them
	${CD_IN:-} ip link add "$BRIDGE" type bridge && ${CD_IN:-} ip link set "$BRIDGE" up || return 1
	${CD_IN:-} containerd -c "$CD/config.toml" --log-level warn >"$CD/log" 2>&1 &
	CD_PID=$!
	local i
	for i in $(seq 600); do
		cri version >"$CD/version" 2>/dev/null && grep -q 'NetworkReady=True' "$CD/version" && break
		kill -0 $CD_PID 2>/dev/null || break
		sleep 0.05
	done
	grep -q 'RuntimeReady=True NetworkReady=True' "$CD/version" 2>/dev/null || {
		echo "containerd's CRI is not ready: $(cat "$CD/version" 2>/dev/null)"
		tail -5 "$CD/log"
		return 1
	}
	ctr images import "$FIXTURES/pause/pause.tar" >/dev/null &&
		ctr images import "$FIXTURES/images/docker-legacy.tar" >/dev/null || return 1
	for i in $PAUSE $IMAGE; do
		cri image --image "$i" | grep -qx "image: .*$i" || { echo "the CRI does not see $i"; return 1; }
	done
}
stop_containerd() {
	[ -d "$CD" ] || return 0
	cd_running && cri cleanup >/dev/null 2>&1
	cd_kill
	local p
	# whatever a failed test left: shims and their containers
	local args
	for p in /proc/[0-9]*; do
		args=()
		mapfile -d '' -t args 2>/dev/null <"$p/cmdline"
		[[ "${args[*]}" == *"containerd-shim-runc-v2 "*"-address $CDS/c.sock"* ]] && kill -9 "${p#/proc/}"
	done
	${CD_IN:-} ip link del "$BRIDGE" 2>/dev/null
	cd_remove
}
cd_running() { [ -n "${CD_PID:-}" ] && kill -0 "$CD_PID" 2>/dev/null; }
cd_kill() {
	cd_running || return 0
	kill "$CD_PID"
	wait "$CD_PID" 2>/dev/null
	true
}
# what containerd leaves under $CD unmounted, and $CD and $CDS gone
cd_remove() {
	local m
	for m in $(awk -v d="$CD/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do umount -l "$m"; done
	rm -rf "$CD"
	drop_short_dir "${CDS:-}"
	true
}

# start_containerd_images NETNS HOSTS: containerd with its CRI plugin for
# its image service alone, which needs no pause image, CNI network or
# cgroup controller; in the network namespace mounted on NETNS (its
# registries'), with containerd's registry settings in the directory HOSTS
# (config_path: HOST:PORT/hosts.toml); cri_call.py's messages in $CD/pb,
# its socket $CDS/c.sock. Its CNI directory, $CD/cni, starts empty (not
# the host's /etc/cni/net.d): containerd reloads it when a file comes.
start_containerd_images() {
	cd_dirs || return 1
	{
		cd_config_head
		cat <<-EOC
		[plugins."io.containerd.grpc.v1.cri".registry]
		  config_path = "$2"
		[plugins."io.containerd.grpc.v1.cri".cni]
		  bin_dir = "/usr/lib/cni"
		  conf_dir = "$CD/cni"
		EOC
	} >"$CD/config.toml"
	nsenter --net="$1" containerd -c "$CD/config.toml" --log-level warn >"$CD/log" 2>&1 &
	CD_PID=$!
	local i
	for i in $(seq 200); do
		CRI_PB="$CD/pb" "$PY" "$CRIDIR/cri_call.py" --sock "$CDS/c.sock" --timeout 2 ImageFsInfo >/dev/null 2>&1 && return 0
		kill -0 $CD_PID 2>/dev/null || break
		sleep 0.05
	done
	echo "containerd's image service did not answer: $(tail -5 "$CD/log")"
	return 1
}
stop_containerd_images() {
	[ -d "${CD:-}" ] || return 0
	cd_kill
	cd_remove
}
rtbin() { [ "$1" = corral ] && echo "$CORRAL" || command -v runc; }
cri() { # what [options]
	CRI_PB="$CD/pb" "$PY" "$CRIDIR/cri_client.py" "$1" --sock "$CDS/c.sock" --image "$IMAGE" "${@:2}"
}

