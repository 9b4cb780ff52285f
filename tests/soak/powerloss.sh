#!/bin/bash
# The soak's power loss: a qemu guest (tests/vm/corral-vm) runs corrald
# with its state on a disk image and random operations on it (run, rm,
# stop, imports, image rm and prune), and the host kills qemu outright
# (SIGKILL: no sync, no shutdown) at a moment the seed chooses; the next
# boot on the same image checks the invariants first (corrald serves
# again with no manual step, every record and refs.json parses, no
# container directory without its record, every blob's digest is its
# name and every image's blobs are there, each running container's process
# lives, the events read back), then works on until its own loss. In
# about half the boots the disk fails first: its device-mapper table turns
# to flakey's error_writes for two seconds (every write EIO, and ext4 then
# read-only), and corrald must answer meanwhile and after. A last boot
# checks alone. Every line of the checks is printed; a VIOLATION line
# fails the run.
#   tests/soak/powerloss.sh [--seed N] [--losses N] [BUILD_DIR]
set -u
B=build seed=$((RANDOM * 32768 + RANDOM)) losses=1
while [ $# -gt 0 ]; do
	case $1 in
	--seed) seed=$2 && shift 2 ;;
	--losses) losses=$2 && shift 2 ;;
	*) B=$1 && shift ;;
	esac
done
command -v qemu-system-x86_64 >/dev/null && ls /boot/vmlinuz-*-amd64 >/dev/null 2>&1 ||
	{ echo "powerloss: no qemu or no Debian kernel to boot"; exit 2; }
command -v dmsetup >/dev/null || { echo "powerloss: no dmsetup (tests/deps.sh installs it)"; exit 2; }
. "$(dirname "$0")/env.sh" powerloss
trap 'pkill -KILL -f "qemu-system-x86_64.*$T/disk.img" 2>/dev/null; rm -rf "$T"; drop_short_dir "$S"' EXIT
echo "powerloss: seed $seed, $losses power losses"
truncate -s 512M "$T/disk.img" && mke2fs -q -t ext4 "$T/disk.img" || exit 2

cat >"$T/guest.sh" <<'GUEST'
#!/bin/bash
# guest.sh BOOT SEED run|last EIO (EIO: seconds into the operations when
# writes begin to fail, 0 for never)
set -u
boot=$1 seed=$2 what=$3 eio=$4
D=/var/lib/corral
mkdir -p $D
for _ in $(seq 100); do [ -e /sys/block/vda/dev ] && break; sleep 0.1; done
[ -b /dev/vda ] || mknod /dev/vda b $(tr ':' ' ' </sys/block/vda/dev) # no devtmpfs in the guest
# the disk through device-mapper, whose table the nemesis swaps (no udev
# here: dmsetup makes the nodes itself)
export DM_DISABLE_UDEV=1
sectors=$(cat /sys/block/vda/size)
dm() { dmsetup --noudevsync "$@"; }
dm create soak --table "0 $sectors linear /dev/vda 0" &&
	mount /dev/mapper/soak $D || { echo "VIOLATION serves: the disk did not mount after boot $boot: $(dmesg | tail -5 | tr "\n" " ")" >"$VM_OUT/check.$boot"; exit 1; }
ctl() { /corral/bin/corralctl --socket /run/corral.sock --timeout 60 "$@"; }
t0=$(cut -d' ' -f1 /proc/uptime)
/corral/bin/corrald --config /dev/null --socket /run/corral.sock --state-dir $D/state \
	--cgroup-parent /corral --default-network none >>$D/corrald.log 2>&1 &
corrald=$!
for _ in $(seq 600); do ctl ping >/dev/null 2>&1 && break; sleep 0.1; done
{
	echo "boot $boot"
	if ctl ping >/dev/null 2>&1; then
		echo "served after $(awk -v t="$t0" '{printf "%.2f", $1 - t}' /proc/uptime) s"
	else
		echo "VIOLATION serves: corrald did not answer in 60 s: $(tail -3 $D/corrald.log)"
	fi
	for f in $D/state/containers/*/record.json $D/state/containers/*/exit.json $D/state/images/refs.json; do
		[ -e "$f" ] && ! jq -e . "$f" >/dev/null 2>&1 && echo "VIOLATION parses: ${f#$D/}"
	done
	for d in $D/state/containers/*/; do
		[ -d "$d" ] && [ ! -f "$d/record.json" ] && echo "VIOLATION accounted: ${d#$D/} has no record"
	done
	n=0
	for b in $D/state/images/blobs/sha256/*; do
		[ -f "$b" ] || continue
		n=$((n + 1))
		[ "$(sha256sum <"$b" | cut -c1-64)" = "${b##*/}" ] || echo "VIOLATION store: blob ${b##*/} is not its digest"
	done
	for b in $(jq -r '.images // {} | to_entries[] | .key, .value.config // empty' $D/state/images/refs.json 2>/dev/null); do
		[ -f "$D/state/images/blobs/sha256/${b#sha256:}" ] || echo "VIOLATION store: image blob $b is not there"
	done
	echo "blobs verified: $n"
	ctl --json ps -a | jq -r '.[] | select(.state.status == "running") | "\(.id) \(.state.pid)"' | while read -r id pid; do
		kill -0 "$pid" 2>/dev/null || echo "VIOLATION accounted: ${id:0:12} is running with no process $pid"
	done
	echo "containers: $(ctl --json ps -a | jq length)"
	ctl events --since 24h --until 0s >/dev/null || echo "VIOLATION serves: events could not be read back"
} >$D/check.$boot 2>&1
sync
if [ "$what" = last ]; then
	cp $D/check.* "$VM_OUT/"
	exit 0
fi
ctl image ls 2>/dev/null | grep -q 'bb *1' || ctl image import "oci:/corral/images/oci:test" bb:1 >/dev/null
echo "powerloss: running"
# table TABLE: the disk's device-mapper table swapped under the mounted
# filesystem (nothing flushed: the writes may be failing)
table() { dm load soak --table "0 $sectors $1" && dm suspend --nolockfs --noflush soak && dm resume soak; }
serves() { # WHEN
	if ! kill -0 $corrald 2>/dev/null; then
		echo "VIOLATION serves: corrald died $1: $(tail -3 $D/corrald.log 2>/dev/null)"
	elif ! ctl --timeout 10 ping >/dev/null 2>&1; then
		echo "VIOLATION serves: corrald did not answer $1"
	fi
}
if [ "$eio" -gt 0 ]; then
	(
		sleep "$eio"
		table "flakey /dev/vda 0 0 1 1 error_writes" || { echo "powerloss: no flakey table"; exit; }
		echo "powerloss: every write fails (EIO)"
		sleep 2
		serves "while every write failed"
		table "linear /dev/vda 0"
		serves "after its writes failed"
		echo "powerloss: writes work again; the state's filesystem is $(awk -v d=$D '$2 == d {print substr($4, 1, 2)}' /proc/mounts) now"
		dmesg | grep -E "EXT4-fs|I/O error|JBD2" | tail -4 | sed 's/^/powerloss: kernel: /' 
	) &
fi
RANDOM=$((seed + boot))
i=0
while :; do
	i=$((i + 1))
	ids=($(ctl --json ps -a 2>/dev/null | jq -r '.[].id'))
	id=${ids[$((RANDOM % (${#ids[@]} + 1)))]:-none}
	case $((RANDOM % 9)) in
	0 | 1) ctl run -d --name "p$boot-$i" bb:1 sleep 100000 ;;
	2) ctl run --rm bb:1 true ;;
	3) ctl rm -f "$id" ;;
	4) ctl stop -t 1 "$id" ;;
	5) ctl image import "oci:/corral/images/oci:test" "bb:$boot-$i" ;;
	6) ctl image rm "bb:$boot-$((i - 1))" ;;
	7) ctl image prune ;;
	8) ctl container prune ;;
	esac >/dev/null 2>&1
done
GUEST
chmod +x "$T/guest.sh"

boot() { # N run|last
	local bins=() b
	for b in corrald corralctl corral-monitor corral-monitor-lean corral-images corral; do bins+=(-b "$B/bin/$b"); done
	"$ROOTDIR/tests/vm/corral-vm" -q -t 600 -m 1024 -c 1 -d "$T/disk.img" "${bins[@]}" -b "$(command -v jq)" \
		-b "$(command -v bash)" -b "$(command -v dmsetup)" -M overlay -M dm-flakey -f "$B/bin:/corral/bin" \
		-f "$FIXTURES/images:/corral/images" -o "$T/out$1" "$T/guest.sh" "$1" "$seed" "$2" "${3:-0}" >"$T/boot$1.log" 2>&1
}
# the moment of each loss, after the guest runs its operations: 2 to 9 s,
# or 0 to 7 s after its writes begin to fail
RANDOM=$seed
eios=0
for n in $(seq "$losses"); do
	eio=$((RANDOM % 2 ? RANDOM % 4 + 1 : 0))
	boot "$n" run "$eio" &
	vm=$!
	for _ in $(seq 3000); do
		grep -q "^powerloss: running" "$T/out$n/console.log" 2>/dev/null && break
		kill -0 "$vm" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "^powerloss: running" "$T/out$n/console.log" 2>/dev/null ||
		{ echo "VIOLATION serves: boot $n never ran its operations: $(cat "$T/out$n"/check.* 2>/dev/null) $(tail -5 "$T/out$n/console.log" 2>/dev/null) $(tail -5 "$T/boot$n.log")"; wait "$vm"; exit 1; }
	at=$((RANDOM % 8 + 2))
	[ "$eio" = 0 ] || at=$((eio + at - 2)) # while its writes fail (at 0 to 2 s), or after
	sleep "$at" # the nemesis's moment, not a wait for anything
	pkill -KILL -f "qemu-system-x86_64.*$T/disk.img"
	wait "$vm"
	echo "powerloss: boot $n lost its power after ${at} s of operations$([ "$eio" = 0 ] || echo ", its writes failing from ${eio} s")"
	grep -E "^(VIOLATION|powerloss: (every|writes|no flakey|kernel))" "$T/out$n/console.log" | sed "s/^powerloss: /powerloss: boot $n: /"
	grep -q "^powerloss: every write fails" "$T/out$n/console.log" && eios=$((eios + 1))
	grep -q "^VIOLATION" "$T/out$n/console.log" && violated=1
done
boot $((losses + 1)) last || { echo "VIOLATION serves: the last boot failed: $(tail -5 "$T/boot$((losses + 1)).log")"; exit 1; }
cat "$T/out$((losses + 1))"/check.* 2>/dev/null | sed 's/^/powerloss: /'
if grep -q VIOLATION "$T/out$((losses + 1))"/check.* || [ -n "${violated:-}" ]; then
	echo "powerloss: failed; replay with tests/soak/powerloss.sh --seed $seed --losses $losses"
	exit 1
fi
echo "powerloss: seed $seed: $losses power losses ($eios after their disk's writes failed), 0 violations"
