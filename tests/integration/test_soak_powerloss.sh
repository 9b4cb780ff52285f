#!/bin/bash
# time: three boots of a qemu guest (TCG) on one disk image
# lane: alone (about 100 s on an idle host: TCG beside a lane's forks would
# take many times that)
# The soak's power loss (tests/soak/powerloss.sh): a guest works on
# corrald's state on a disk image until qemu is killed outright, at a
# moment a seed chooses (a random one, printed), twice, the disk's writes
# failing first in about half the boots; each next boot finds every
# invariant holding. `make soak` runs 20 of them.
. "$(dirname "$0")/lib.sh"

file_skip() {
	echo "SKIP test_soak_powerloss.sh: $*"
	echo "skip test_soak_powerloss" >>"$RESULTS"
	exit 0
}
command -v qemu-system-x86_64 >/dev/null || file_skip "qemu-system-x86_64 is not installed (tests/deps.sh)"
ls /boot/vmlinuz-*-amd64 >/dev/null 2>&1 || file_skip "no Debian kernel to boot (linux-image-amd64)"

test_soak_power_losses() {
	local out rc=0
	out=$("$ROOTDIR/tests/soak/powerloss.sh" --losses 2 "$B" 2>&1) || rc=$?
	echo "$out" >&2
	[ "$rc" = 0 ] || fail "$(grep -m5 VIOLATION <<<"$out"; grep -m1 'replay with' <<<"$out")"
	assert_contains "$out" "2 power losses (" "the power losses' summary"
	assert_contains "$out" "failed), 0 violations" "the power losses' summary"
	assert_eq "$(grep -c '^powerloss: served after' <<<"$out")" 3 "corrald served after each boot"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
