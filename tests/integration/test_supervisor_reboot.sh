#!/bin/bash
# time: two boots of a qemu guest (TCG), each starting corrald on the same disk image
# lane: alone (48 s on an idle host; 567 s in a lane beside the other lane
# and the VM tier's guest, whose forks and TCG contend on 2 cores)
# What a reboot of the host brings back, as Docker decides it: a guest
# boots with corrald's state on a disk image, runs containers of each
# restart policy and a workload, and goes down hard (its containers and
# monitors with it, nothing recorded); a second boot on the same image
# starts corrald: always, unless-stopped (not stopped by a user) and
# on-failure come back (one with a bind mount, its source pinned again,
# and one with a volume; one whose bind's source is gone stays exited,
# saying why), the others are exited with the reboot as the reason, and
# the workload runs its replica again.
. "$(dirname "$0")/lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

file_skip() {
	echo "SKIP test_supervisor_reboot.sh: $*"
	echo "skip test_supervisor_reboot" >>"$RESULTS"
	exit 0
}
command -v qemu-system-x86_64 >/dev/null || file_skip "qemu-system-x86_64 is not installed (tests/deps.sh)"
ls /boot/vmlinuz-*-amd64 >/dev/null 2>&1 || file_skip "no Debian kernel to boot (linux-image-amd64)"
command -v mke2fs >/dev/null || file_skip "no mke2fs"

# the guest's script: phase 1 sets up and returns (the guest then goes
# down with reboot -f: nothing stops, nothing is recorded); phase 2 starts
# corrald again and writes what it finds to $VM_OUT/found
guest_script() {
	cat <<-'EOF'
	#!/bin/bash
	set -u
	phase=$1
	mark() { echo "$(cut -d' ' -f1 /proc/uptime) $*" >>"$VM_OUT/marks"; } # where a slow boot's time went
	mark start
	mkdir -p /var/lib/corral
	for _ in $(seq 100); do [ -e /sys/block/vda/dev ] && break; sleep 0.1; done # the disk's probe
	[ -b /dev/vda ] || mknod /dev/vda b $(tr ':' ' ' </sys/block/vda/dev) # no devtmpfs in the guest
	mount /dev/vda /var/lib/corral || { echo "no disk" >"$VM_OUT/found"; exit 1; }
	ctl() { /corral/bin/corralctl --socket /run/corral.sock --timeout 60 "$@"; }
	[ "$phase" = 1 ] || rm -r /var/lib/corral/gone # a bind's source the reboot did not keep
	/corral/bin/corrald --config /dev/null --socket /run/corral.sock --state-dir /var/lib/corral/state \
		--cgroup-parent /corral --default-network none >>/var/lib/corral/corrald.log 2>&1 &
	for _ in $(seq 600); do ctl ping >/dev/null 2>&1 && break; sleep 0.1; done
	mark corrald answers
	converged() { [ "$(ctl --json get workloads | jq -r '.[0].status')" = converged ]; }
	if [ "$phase" = 1 ]; then
		ctl image import "oci:/corral/images/oci:test" bb:1 >/dev/null
		mark imported
		for p in always unless-stopped on-failure no; do
			ctl run -d --name "$p" --restart "$p" bb:1 sleep 100000 >/dev/null
		done
		ctl run -d --name stopped --restart unless-stopped bb:1 sleep 100000 >/dev/null
		mkdir -p /var/lib/corral/src && echo kept >/var/lib/corral/src/f
		ctl run -d --name bind --restart always -v /var/lib/corral/src:/src bb:1 sleep 100000 >/dev/null
		ctl run -d --name vol --restart always -v data:/data bb:1 sh -c 'echo v >/data/f; exec sleep 100000' >/dev/null
		mkdir -p /var/lib/corral/gone
		ctl run -d --name gone --restart always -v /var/lib/corral/gone:/g bb:1 sleep 100000 >/dev/null
		ctl stop -t 1 stopped >/dev/null
		printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n  - {name: main, image: bb:1, command: ["sleep", "100000"]}\n' >/tmp/app.yaml
		mark containers run
		ctl apply -f /tmp/app.yaml >/dev/null
		for _ in $(seq 600); do converged && break; sleep 0.1; done
		mark converged
		ctl --json ps -a | jq -r 'sort_by(.name) | .[] | "\(.name) \(.state.status)"' >"$VM_OUT/before"
		sync
		exit 0 # the guest goes down hard: reboot -f
	fi
	for _ in $(seq 600); do converged && break; sleep 0.1; done
	mark converged
	for n in always unless-stopped on-failure no stopped bind vol gone; do
		ctl --json inspect "$n" | jq -r '.[0] | "\(.name) \(.state.status) \(.state.exitCode) \(.state.endReason // "-")"'
	done >"$VM_OUT/found"
	echo "bind sees $(ctl exec bind cat /src/f), vol sees $(ctl exec vol cat /data/f)" >>"$VM_OUT/found"
	echo "gone: $(ctl --json inspect gone | jq -r '.[0].state.startError')" >>"$VM_OUT/found"
	echo "workload $(ctl --json get workloads | jq -r '.[0].status')" >>"$VM_OUT/found"
	echo "replicas running $(ctl --json ps | jq '[.[] | select(.labels["io.corral.workload"] == "app")] | length')" >>"$VM_OUT/found"
	ctl events --since 1h --until 0s --filter type=container | grep ' die ' >"$VM_OUT/events"
	grep 'started by policy' /var/lib/corral/corrald.log | tail -1 >"$VM_OUT/startlog"
	mark found
	exit 0
	EOF
}

boot() { # PHASE
	local bins=() b
	for b in corrald corralctl corral-monitor corral-monitor-lean corral-images corral; do bins+=(-b "$B/bin/$b"); done
	# the guest mounts a /tmp of its own: what it runs goes to /corral
	"$ROOTDIR/tests/vm/corral-vm" -q -t 900 -m 1024 -c 1 -d "$T/disk.img" "${bins[@]}" -b "$(command -v jq)" \
		-b "$(command -v bash)" -M overlay -f "$B/bin:/corral/bin" -f "$FIXTURES/images:/corral/images" \
		-o "$T/out$1" "$T/guest.sh" "$1" >"$T/boot$1.log" 2>&1
}

test_reboot_brings_back_what_its_policy_says() {
	truncate -s 256M "$T/disk.img"
	mke2fs -q -t ext4 "$T/disk.img"
	guest_script >"$T/guest.sh"
	chmod +x "$T/guest.sh"
	boot 1 || fail "the first boot: $(tail -5 "$T/boot1.log"; cat "$T/out1/marks" 2>/dev/null)"
	assert_eq "$(grep -v '^app-' "$T/out1/before" 2>/dev/null | tr '\n' ',')" \
		"always running,bind running,gone running,no running,on-failure running,stopped exited,unless-stopped running,vol running," \
		"what ran before the reboot ($(tail -20 "$T/out1/console.log"))"
	assert_eq "$(grep -c '^app-.* running$' "$T/out1/before")" 1 "the workload's replica before the reboot"
	boot 2 || fail "the second boot: $(tail -5 "$T/boot2.log"; cat "$T/out2/marks" 2>/dev/null)"
	local found
	found=$(cat "$T/out2/found" 2>/dev/null)
	assert_contains "$found" "always running" "always comes back"
	assert_contains "$found" "unless-stopped running" "unless-stopped comes back"
	assert_contains "$found" "on-failure running" "on-failure comes back (the reboot killed it: 255)"
	assert_contains "$found" "no exited 255 host rebooted" "no policy: exited, the reboot its reason"
	assert_contains "$found" "stopped exited" "unless-stopped, stopped by its user: stays stopped"
	assert_not_contains "$found" "stopped exited 255" "the stopped one keeps its own exit"
	assert_contains "$found" "bind running" "always, with a bind: its source pinned again"
	assert_contains "$found" "bind sees kept, vol sees v" "the bind's source and the volume, as before"
	assert_contains "$found" "gone exited 255 host rebooted" "always, whose bind's source is gone: exited"
	assert_contains "$found" "spec.mounts[0].source: /var/lib/corral/gone: No such file or directory" "why, in its start error"
	assert_contains "$found" "workload converged" "the workload converges again"
	assert_contains "$found" "replicas running 1" "its replica runs"
	assert_contains "$(cat "$T/out2/startlog")" "8 ended while corrald was down" "the start log counts what the reboot ended"
	assert_contains "$(cat "$T/out2/events")" " container die " "die events of what the reboot ended"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
