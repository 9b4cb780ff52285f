# containerd with its CRI plugin for the CRI test and benchmark, under $CD
# (set by the caller, with lib.sh's ROOTDIR, FIXTURES and CORRAL): two
# runtime handlers, "runc" and "corral" (the runc v2 shim with BinaryName),
# a CNI bridge network, the catatonit pause image and the busybox image.
PY=/usr/bin/python3
CRIDIR="$ROOTDIR/tests/integration/cri"
IMAGE=corral.test/fixture:legacy
PAUSE=corral.test/pause:catatonit
RUNTIMES="runc corral"
BRIDGE=corralcri0

ctr() { command ctr --address "$CDS/c.sock" --namespace k8s.io "$@"; }
start_containerd() {
	rm -rf "$CD"
	mkdir -p "$CD/cni" "$CD/pb"
	CDS=$(short_dir) || return 1 # its sockets (lib.sh)
	protoc --python_out="$CD/pb" -I "$ROOTDIR/supervisor/cri" "$ROOTDIR/supervisor/cri/runtime_v1.proto" || return 1
	local h
	{
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
	ip link add "$BRIDGE" type bridge && ip link set "$BRIDGE" up || return 1
	containerd -c "$CD/config.toml" --log-level warn >"$CD/log" 2>&1 &
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
	if [ -n "${CD_PID:-}" ] && kill -0 "$CD_PID" 2>/dev/null; then
		cri cleanup >/dev/null 2>&1
		kill "$CD_PID"
		wait "$CD_PID" 2>/dev/null
	fi
	local m p
	# whatever a failed test left: shims and their containers
	local args
	for p in /proc/[0-9]*; do
		args=()
		mapfile -d '' -t args 2>/dev/null <"$p/cmdline"
		[[ "${args[*]}" == *"containerd-shim-runc-v2 "*"-address $CDS/c.sock"* ]] && kill -9 "${p#/proc/}"
	done
	for m in $(awk -v d="$CD/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do umount -l "$m"; done
	ip link del "$BRIDGE" 2>/dev/null
	rm -rf "$CD"
	drop_short_dir "${CDS:-}"
	true
}
rtbin() { [ "$1" = corral ] && echo "$CORRAL" || command -v runc; }
cri() { # what [options]
	CRI_PB="$CD/pb" "$PY" "$CRIDIR/cri_client.py" "$1" --sock "$CDS/c.sock" --image "$IMAGE" "${@:2}"
}

