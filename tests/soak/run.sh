#!/bin/bash
# corral's seeded soak (soak.py): random operations from root and two
# members while a nemesis kills corrald, monitors, helpers and CNI plugins
# and fills the disk; the invariants after every fault. corrald runs in a
# network namespace and a state directory of the soak's own; everything it
# made goes at the end, on failure too.
#   tests/soak/run.sh [--seed N] [--ops N] [--faults N] [--fault-kinds K,K] [--op-kinds K,K] [--verbose] [--plant KIND,KIND] [BUILD_DIR]
# (--plant: bugs planted one at a time after the last check, each checked for;
# the soak's own test)
# Every run prints its seed; the same seed replays the same sequence.
set -u
B=build
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--seed | --ops | --faults | --plant | --fault-kinds | --op-kinds) args+=("$1" "$2") && shift 2 ;;
	--verbose) args+=("$1") && shift ;;
	*) B=$1 && shift ;;
	esac
done
. "$(dirname "$0")/env.sh" soak
. tests/integration/supervisor_lib.sh
group=$(getent group 65534 | cut -d: -f1)
[ -n "$group" ] || { echo "soak: no group with gid 65534 for its members"; exit 2; }
chmod 755 "$T"
: >"$T/corrald.conf"
: >"$T/netns"
unshare --net="$T/netns" true && nsenter --net="$T/netns" ip link set lo up || { echo "soak: no network namespace"; exit 2; }
finish() {
	local st=$?
	if [ "${rc:-1}" != 0 ]; then
		mkdir -p "$B/results" && cp "$T/corrald.log" "$B/results/soak-corrald.log"
		echo "== corrald's log, its end (all of it in $B/results/soak-corrald.log)"
		tail -20 "$T/corrald.log"
		echo "== corrald's log on the networks, its end"
		grep -E 'CNI|network|session .*: (DEL|ADD)' "$T/corrald.log" | tail -20
	fi
	# the runtime CLI's containers an operation left when it failed
	for id in $(ls "$T/rt" 2>/dev/null); do "$CORRAL" --root "$T/rt" delete --force "$id" >/dev/null 2>&1; done
	# (in a subshell: a sanitizer report in corrald's log exits it, and
	# what follows must still run)
	(cleanup_sv) || { st=1; echo "soak: a sanitizer report in corrald's log (above)"; }
	! declare -F reg_cleanup >/dev/null || reg_cleanup
	if [ -n "${UNIT:-}" ]; then
		systemctl stop "$UNIT" "$CGP" 2>/dev/null
		rm -f "/run/systemd/system/$UNIT"
		systemctl daemon-reload
	fi
	umount "$T/netns" 2>/dev/null
	# the state's filesystem, and whatever a failed run left mounted in it
	grep -q " $STATE_D " /proc/self/mountinfo && umount -R "$STATE_D"
	rm -rf --one-file-system "$T"
	drop_short_dir "$S" 2>/dev/null
	exit "$st"
}
trap finish EXIT
SOCK="$S/c.sock"
# Where systemd is PID 1, the soak's corrald is a unit of its own, as
# corrald.service is (containers in scopes of a slice, each monitor in a
# scope beside them, KillMode=process), and the nemesis also restarts it
# through systemctl; systemd does not restart it itself (Restart=no): the
# soak starts each corrald, and times it
UNIT= CGP="/corral-$TID"
if [ -d /run/systemd/system ]; then
	UNIT="corral-soak-$$.service" CGP="corralsoak$$.slice"
	args+=(--unit "$UNIT")
fi
# the containers' cgroups: a slice's scopes, or cgroup-parent's folder on
# the cgroup2 hierarchy (the host's has no controllers: at unified/)
cg2=/sys/fs/cgroup
[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && cg2=/sys/fs/cgroup/unified
CGDIR="$cg2/${CGP#/}"
# checkpoint and restore where criu works (the VM tier's kernel)
criu check >/dev/null 2>&1 && args+=(--criu)
# the state on a small filesystem of its own, which the nemesis fills
STATE_D="$T/state"
mkdir -p "$STATE_D"
truncate -s 1G "$T/state.img" && mke2fs -q -t ext4 -F -m 0 "$T/state.img" && mount -o loop "$T/state.img" "$STATE_D" ||
	{ echo "soak: no loop filesystem for the state"; exit 2; }
# a registry in the netns to pull from and push to, where there is one (the
# VM tier's guest has none: pulls and pushes are left out there)
REG=
if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
	. tests/integration/registry_lib.sh
	reg_setup >/dev/null && reg_start soak plain >/dev/null &&
		reg_push "$REG_soak" "oci:$FIXTURES/images/oci:test" library/busybox:1 && REG=$REG_soak
fi
[ -n "$REG" ] || echo "soak: no registry here (docker-registry, skopeo): pulls and pushes left out"
# finish alone, calling reg_cleanup: reg_setup's trap ran it first, and
# finish then saw its status, not the soak's
trap finish EXIT
# the CRI's messages for its client, where protoc and grpc are
CRI=
if command -v protoc >/dev/null && /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
	mkdir -p "$T/pb" && protoc --python_out="$T/pb" -I supervisor/cri supervisor/cri/runtime_v1.proto && CRI="$S/cri.sock"
	export CRI_PB="$T/pb"
fi
[ -n "$CRI" ] || echo "soak: no CRI client here (protoc, python3-grpcio): CRI calls left out"
# what the EXIT trap's cleanup_sv reads: the containers through ctl, then
# every corrald the soak started ($T/.daemons)
CORRALD_PID=
cat >"$T/corrald-run" <<-RUN
#!/bin/sh
exec nsenter --net="$T/netns" "$B/bin/corrald" --config "$T/corrald.conf" --socket "$SOCK" --state-dir "$STATE_D" \
	--group "$group" --cgroup-delegate no --cgroup-parent "$CGP" --default-network none \
	--cni-config-dir "$T/net.d" --docker-socket "$S/d.sock" --cri-socket "$CRI" --stream-address "" ${REG:+--registry-insecure "$REG"}
RUN
chmod +x "$T/corrald-run"
if [ -n "$UNIT" ]; then
	cat >"/run/systemd/system/$UNIT" <<-UNIT
	[Unit]
	Description=corrald of the soak in $T
	[Service]
	Type=notify
	NotifyAccess=main
	ExecStart=$T/corrald-run
	KillMode=process
	Restart=no
	TimeoutStopSec=30s
	StandardOutput=append:$T/corrald.log
	StandardError=append:$T/corrald.log
	UNIT
	systemctl daemon-reload
fi
# the image, imported by a first corrald, which the soak's then replaces
"$T/corrald-run" >>"$T/corrald.log" 2>&1 &
CORRALD_PID=$!
echo "$CORRALD_PID" >>"$T/.daemons"
for _ in $(seq 200); do ctl ping >/dev/null 2>&1 && break; sleep 0.05; done
ctl image import "oci:$FIXTURES/images/oci:test" busybox:latest >/dev/null || { echo "soak: no image"; exit 2; }
kill -TERM "$CORRALD_PID" && wait "$CORRALD_PID" 2>/dev/null
rc=0
/usr/bin/python3 tests/soak/soak.py "${args[@]}" --dir "$T" --state "$STATE_D" --sock "$SOCK" \
	--corralctl "$CORRALCTL" --corral "$CORRAL" --runtime-root "$STATE_D/runtime" \
	--rootfs "$FIXTURES/busybox/rootfs" --rt-cgroup "/corral-$TID" --cgroup-dir "$CGDIR" --docker-sock "$S/d.sock" --registry "$REG" --cri-sock "$CRI" \
	--netns "$T/netns" --image busybox:latest --gid 65534 -- "$T/corrald-run" || rc=$?
# the last corrald, for the cleanup's ctl
CORRALD_PID=$(tail -1 "$T/.daemons")
exit $rc
