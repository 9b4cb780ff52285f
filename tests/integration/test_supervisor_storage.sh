#!/bin/bash
# Storage wherever the state lives: a state directory that overlayfs
# cannot use is refused when corrald starts, by name (never a bare EINVAL at
# the first container); and a full disk under the state directory loses
# nothing: every call says so, records, logs, the store and the events stay
# whole across a restart, and everything works again once there is room.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
IMG="$FIXTURES/busybox/rootfs"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"

# corrald on a state directory that is an overlay mount (a CI runner's
# root, an image built in a container): made in a mount namespace of its
# own, so nothing of it is the host's
test_storage_overlay_state_dir_refused_by_name() {
	mkdir -p "$T/l" "$T/u" "$T/w" "$T/m"
	local out rc=0
	out=$(unshare -m --propagation private sh -c '
		mount -t overlay overlay -o lowerdir="$1/l,upperdir=$1/u,workdir=$1/w" "$1/m" || exit 99
		exec timeout 30 "$2" --config /dev/null --socket "$1/c.sock" --state-dir "$1/m/state" \
			--cgroup-parent "/corral-$3" --default-network none' sh "$T" "$CORRALD" "$TID" 2>&1) || rc=$?
	[ "$rc" != 99 ] || skip "no overlayfs here"
	[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "corrald started on an overlayfs state directory ($rc): $out"
	assert_eq "$(tail -1 <<<"$out")" "corrald: state directory $T/m/state: overlayfs cannot mount a rootfs there: $T/m/state/containers is on overlayfs, which overlayfs cannot take as an upper layer: set state-dir to a directory on ext4, xfs or btrfs" "the refusal"
	assert_eq "$(ls -A "$T/u/state/containers")" "" "the probe left nothing"
	[ ! -S "$S/c.sock" ] || fail "a socket was left"
}

# The state directory on this machine's own root filesystem: the host's
# (ext4 here), the VM tier's default boot (a tmpfs) or its systemd boot (an
# overlay of the host's root): corrald runs a container there, or refuses
# at its start naming overlayfs
test_storage_root_filesystem() {
	local dir="/var/tmp/corral-$TID" fs out
	mkdir -p /var/tmp # the VM tier's guests have none
	fs=$(stat -f -c %T /var/tmp)
	trap 'cleanup_sv; rm -rf "$dir"' EXIT
	mkdir -p "$dir"
	if [ "$fs" = overlayfs ]; then
		out=$(timeout 30 "$CORRALD" --config /dev/null --socket "$S/c.sock" --state-dir "$dir/state" \
			--cgroup-parent "/corral-$TID" --default-network none 2>&1) && fail "corrald started on an overlay root"
		assert_contains "$out" "$dir/state/containers is on overlayfs, which overlayfs cannot take as an upper layer" "the refusal"
		return
	fi
	start_sv_group --state-dir "$dir/state"
	assert_eq "$(ctl run --rm "$IMG" echo "on $fs")" "on $fs" "a container with its state on $fs"
	# members' containers see their layers idmapped: tmpfs gives that from
	# Linux 6.3 (the VM tier's default boot runs 6.1), ext4 and xfs before
	local warned=0 v
	grep -q "members' containers cannot be made here" "$T/corrald.log" && warned=1
	v=$(uname -r | cut -d. -f1-2)
	if [ "$fs" = tmpfs ] && [ "$(printf '%s\n6.3\n' "$v" | sort -V | head -1)" != 6.3 ]; then
		assert_eq "$warned" 1 "the start says members' containers cannot be made on tmpfs of $v"
	elif [ "$fs" = ext2/ext3 ] || [ "$fs" = xfs ] || [ "$fs" = btrfs ]; then
		assert_eq "$warned" 0 "no warning on $fs"
	fi
}

# A loop-mounted ext4 of 48 MiB as the state directory's disk
small_disk() {
	truncate -s 48M "$T/disk.img"
	mke2fs -q -t ext4 -m 0 "$T/disk.img" || skip "no mke2fs"
	mkdir -p "$T/disk"
	mount -o loop "$T/disk.img" "$T/disk" || skip "no loop device to mount an ext4 image with"
}
fill_disk() {
	# most at once (the talker's log grows meanwhile), then what is left
	# block by block; each ends on ENOSPC
	FILLERS=0
	fallocate -l "$(($(stat -f -c '%a*%S' "$T/disk") * 9 / 10))" "$T/disk/filler" 2>/dev/null || true
	# the talker's log takes back each write the disk refuses, and with it
	# a block for a moment: what it gives back goes to the next filler
	wait_for 10 fill_rest || fail "the disk is not full: $(df "$T/disk")"
}
fill_rest() {
	dd if=/dev/zero of="$T/disk/filler.$((++FILLERS))" bs=1k 2>/dev/null
	# counted once written back: blocks freed meanwhile (a failed call's
	# spare directory) reach the allocator only at the journal's commit
	[ "$(stat -f -c %a "$T/disk")" = 0 ] && sync -f "$T/disk" &&
		[ "$(stat -f -c %a "$T/disk")" = 0 ]
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# every line of a CRI log whole: TIME STREAM P|F TEXT
log_whole() { ! grep -vqaE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z (stdout|stderr) [PF] ' "$1"; }
# the lines that are not whole, numbered (what a failed log_whole says)
log_cut() { grep -vnaE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z (stdout|stderr) [PF] ' "$1" | head -3 | cut -c1-160; }

test_storage_full_disk_loses_nothing() {
	trap cleanup_sv EXIT
	small_disk
	# no rotation: a rotated log's oldest file gives its room back, and
	# the disk would not stay full
	echo "log-max-size = 1G" >"$T/corrald.conf"
	start_sv --state-dir "$T/disk/state"
	ctl image import "oci:$IMGS/oci:test" bb:1 >/dev/null
	ctl run -d --name talker bb:1 sh -c 'i=0; while :; do i=$((i+1)); echo "line $i of output"; done' >/dev/null
	ctl run --name done bb:1 sh -c 'echo before; exit 3' >/dev/null || true
	local talker_id n_ctrs out
	talker_id=$(ctl --json inspect talker | jq -r '.[0].id')
	wait_for 10 sh -c "[ \$(wc -l <'$T/disk/state/containers/$talker_id/ctr.log') -gt 1000 ]"
	n_ctrs=$(ls "$T/disk/state/containers" | wc -l)
	fill_disk
	local store
	store=$(find "$T/disk/state/images" | sort)
	# every call says so, and makes nothing
	out=$(ctl run --rm bb:1 echo hi 2>&1) && fail "run worked on a full disk"
	assert_contains "$out" "No space left on device (the disk is full: free space there, then call again)" "run's error"
	# a failed call gives back the spare container directory it took
	# (corrald keeps a few made ahead): filled again before the next
	wait_for 10 fill_rest || fail "the disk is not full again: $(df "$T/disk")"
	out=$(ctl create --name x bb:1 true 2>&1) && fail "create worked on a full disk"
	assert_contains "$out" "No space left on device" "create's error"
	wait_for 10 fill_rest || fail "the disk is not full again: $(df "$T/disk")"
	out=$(ctl image import "oci:$IMGS/oci:test" bb:2 2>&1) && fail "import worked on a full disk"
	assert_contains "$out" "No space left on device" "import's error"
	assert_eq "$(ls "$T/disk/state/containers" | wc -l)" "$n_ctrs" "no half-made container"
	assert_eq "$(find "$T/disk/state/images" | sort)" "$store" "no half-made image in the store"
	# the talker goes on, its output dropped, not left to block it: its
	# loop keeps using CPU (one blocked on a full pipe would not)
	local tpid cpu0
	tpid=$(ctl --json inspect talker | jq -r '.[0].state.pid')
	cpu0=$(cpu_ticks "$tpid")
	wait_for 20 sh -c "[ \$(awk '{print \$14 + \$15}' /proc/$tpid/stat) -gt $((cpu0 + 20)) ]" ||
		fail "the talker stopped on the full disk (its CPU time stays at $(cpu_ticks "$tpid") ticks)"
	assert_eq "$(ctl --json inspect talker | jq -r '.[0].state.status')" running "the talker runs on"
	# its end is recorded in the room kept for it
	ctl stop -t 1 talker >/dev/null
	assert_eq "$(ctl wait talker)" 137 "the exit status on a full disk (its pid 1 ignores TERM)"
	# read once its monitor has stopped writing: a read beside a write
	# that the full disk takes back (append, then truncate) may see the
	# taken-back tail as zeros for that moment (1 run in 12 did)
	log_whole "$T/disk/state/containers/$talker_id/ctr.log" || fail "a log line cut in half: $(log_cut "$T/disk/state/containers/$talker_id/ctr.log")"
	# corrald again, on the disk full to its last block (what its stop
	# gave back taken too; the soak found a start refused so): every
	# record, log and image readable
	kill -TERM "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	wait_for 10 fill_rest || fail "the disk is not full again: $(df "$T/disk")"
	start_sv --state-dir "$T/disk/state"
	assert_eq "$(ctl wait talker)" 137 "talker's status after a restart"
	assert_eq "$(ctl wait done)" 3 "done's status after a restart"
	assert_eq "$(ctl logs done)" before "done's log after a restart"
	assert_contains "$(ctl logs --tail 1 talker)" "of output" "talker's log after a restart"
	assert_contains "$(ctl --json image ls | jq -r '[.[].names[]] | join(" ")')" "bb:1" "the image after a restart"
	for f in "$T"/disk/state/containers/*/record.json "$T"/disk/state/containers/*/exit.json "$T/disk/state/images/refs.json"; do
		jq -e . "$f" >/dev/null || fail "$f is not whole"
	done
	log_whole "$T/disk/state/containers/$talker_id/ctr.log" || fail "a log line cut in half after the restart: $(log_cut "$T/disk/state/containers/$talker_id/ctr.log")"
	# room again: everything works, nothing repaired by hand
	rm -f "$T"/disk/filler*
	assert_eq "$(ctl run --rm bb:1 echo hi)" hi "run once there is room"
	ctl image import "oci:$IMGS/oci:test" bb:2 >/dev/null || fail "import once there is room"
	ctl start talker >/dev/null
	wait_for 10 sh -c "'$CORRALCTL' --socket '$SOCK' logs --tail 1 talker | grep -q 'line [0-9]* of output'"
	ctl stop -t 1 talker >/dev/null
	log_whole "$T/disk/state/containers/$talker_id/ctr.log" || fail "a log line cut in half after the disk had room again: $(log_cut "$T/disk/state/containers/$talker_id/ctr.log")"
	assert_contains "$(ctl events --since 1m --until 0s --filter type=container)" "talker" "events are written again"
}

# Events made while the disk is full are held, listed meanwhile, and
# written once there is room, in order (the soak found a container running
# whose start the file had lost). Signals its pid 1 has no handler for
# (ignored): events whose change frees no block on the disk.
test_storage_full_disk_holds_events() {
	trap cleanup_sv EXIT
	small_disk
	start_sv --state-dir "$T/disk/state"
	ctl image import "oci:$IMGS/oci:test" bb:1 >/dev/null
	ctl run -d --name a bb:1 sleep 1000 >/dev/null
	local log="$T/disk/state/events.log" bs sig pad
	bs=$(stat -f -c %S "$log")
	fill_disk
	for sig in USR1 USR2; do
		# the file's last block made whole (empty lines, which a reader
		# skips; they need no block more): the kill's line needs a block
		# the full disk has not. Made whole just before each kill, not
		# before the fill: an event of the run's may come after its answer
		pad=$(((bs - $(stat -c %s "$log") % bs) % bs))
		[ "$pad" = 0 ] || head -c "$pad" /dev/zero | tr '\0' '\n' >>"$log"
		ctl kill -s $sig a >/dev/null
	done
	assert_eq "$(grep -c '"action":"kill"' "$log")" 0 "the file has room for no kill"
	assert_eq "$(ctl --json events --since 1m --until 0s --filter event=kill | jq -r .attributes.signal | tr '\n' ' ')" "10 12 " \
		"the kills are listed while held"
	rm -f "$T"/disk/filler*
	ctl run --rm bb:1 true >/dev/null
	# the lines after the padding: the kills in order, then the next ones
	assert_eq "$(awk '/^$/ {n = NR} {l[NR] = $0} END {for (i = n + 1; i <= n + 3; i++) print l[i]}' "$log" |
		grep -o '"action":"[a-z]*"\|"signal":"[0-9]*"' | tr '\n' ' ')" \
		'"action":"kill" "signal":"10" "action":"kill" "signal":"12" "action":"create" ' "the file has them, in order, first"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
