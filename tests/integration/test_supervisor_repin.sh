#!/bin/bash
# A host restart takes the pinned mounts of every container's bind
# sources (corrald(8) SECURITY: each source is resolved once and the very
# directory checked is cloned under the container's own). A container is
# not lost with them: its next start, a user's or its restart policy's,
# pins them again as Create did, from the spec as its owner gave it:
# resolved again, as root for root's, as the member (its gid and groups
# as it created it) for a member's, and admitted under the policy's
# prefixes as they are now. Here the pins are detached with corrald down,
# as a reboot leaves them; the VM tier's reboot case
# (test_supervisor_reboot.sh) brings one back by its restart policy.
# time: about 5 s (3 cases)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMG="$FIXTURES/busybox/rootfs"
IMGS="$FIXTURES/images"

ctr_dir_of() { echo "$STATE_D/containers/$(ctl --json inspect "$1" | jq -r '.[0].id')"; }
# corrald down, and what a reboot leaves of the pins: nothing mounted
reboot_pins() { # CONTAINER...
	local dirs=() c
	for c in "$@"; do dirs+=("$(ctr_dir_of "$c")"); done
	stop_sv
	for c in "${dirs[@]}"; do umount -l "$c"/binds/* 2>/dev/null || true; done
	for c in "${dirs[@]}"; do
		awk -v d="$c/binds/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | grep -q . && fail "pins left in $c"
	done
	return 0
}

test_repin_roots_bind_comes_back() {
	trap cleanup_sv EXIT
	mkdir -p "$T/allowed/data" "$T/outside"
	echo inside >"$T/allowed/data/marker"
	echo "{\"bind_mounts\": {\"allowed\": [\"$T/allowed\"]}}" >"$T/p.json"
	start_sv --policy "$T/p.json"
	ctl create --name b -v "$T/allowed/data:/h" "$IMG" cat /h/marker >/dev/null
	ctl create --name moved -v "$T/allowed/data:/h" "$IMG" cat /h/marker >/dev/null
	local rec
	rec="$(ctr_dir_of b)/record.json"
	reboot_pins b moved
	# a record of before has no pinSources: its spec's sources serve
	jq -c 'del(.pinSources, .ownerGid, .ownerGroups)' "$rec" >"$rec.new" && mv "$rec.new" "$rec"
	start_sv --policy "$T/p.json"
	ctl start b >/dev/null || fail "the start after the pins went: $(ctl inspect --format '{{.State.Error}}' b)"
	ctl wait b >/dev/null
	assert_eq "$(ctl logs b)" inside "its bind, pinned again"
	# the source is resolved again, and admitted as at Create: a link that
	# now leads outside the prefix is refused, naming it, and nothing is bound
	mv "$T/allowed/data" "$T/allowed/data.old"
	ln -s "$T/outside" "$T/allowed/data"
	reboot_pins b
	start_sv --policy "$T/p.json"
	local out
	out=$(ctl start moved 2>&1) && fail "a source that now leads outside the prefix: $out"
	assert_contains "$out" "spec.mounts[0].source: $T/allowed/data resolves to $T/outside, outside the allowed prefixes" \
		"what was refused"
	assert_contains "$(ctl inspect --format '{{.State.Error}}' moved)" "outside the allowed prefixes" "kept as its start error"
	assert_eq "$(ctl inspect --format '{{.State.Status}}' moved)" created "not started"
	awk -v d="$(ctr_dir_of moved)/binds/" 'index($5, d) == 1' /proc/self/mountinfo | grep -q . && fail "a refused source was bound"
	rm "$T/allowed/data"
	mv "$T/allowed/data.old" "$T/allowed/data"
	ctl start -a moved >"$T/moved.out" || fail "the start once the source is back"
	assert_eq "$(cat "$T/moved.out")" inside "the start once the source is back"
	return 0
}

# A member's sources are opened as the member, with the gid and groups it
# created the container with, never as root
test_repin_a_members_bind_as_the_member() {
	trap cleanup_sv EXIT
	mkdir -p "$T/allowed/grp" "$T/allowed/secret"
	echo group-readable >"$T/allowed/grp/marker"
	echo hidden >"$T/allowed/secret/marker"
	chgrp 12345 "$T/allowed/grp"
	chmod 750 "$T/allowed/grp"
	chmod 700 "$T/allowed/secret"
	chmod 755 "$T/allowed"
	echo "{\"unprivileged\": {\"bind_mounts\": {\"allowed\": [\"$T/allowed\"]}}}" >"$T/p.json"
	start_sv_group --policy "$T/p.json"
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	mctl 4242 create --name g -v "$T/allowed/grp:/h" app:1 cat /h/marker >/dev/null || fail "the member's create"
	mctl 4242 create --name s -v "$T/allowed/grp:/h" app:1 cat /h/marker >/dev/null
	# a member's bind volume is one more pinned bind
	mctl 4242 volume create -o type=none -o o=bind -o device="$T/allowed/grp" vb >/dev/null || fail "the bind volume"
	mctl 4242 create --name v -v vb:/h app:1 cat /h/marker >/dev/null || fail "the volume's container"
	assert_eq "$(jq -c '[.ownerGid, .ownerGroups, .pinSources]' "$(ctr_dir_of g@4242)/record.json")" \
		"[12345,[65534],[\"$T/allowed/grp\"]]" "its creator's ids and its source, recorded"
	reboot_pins g@4242 s@4242 v@4242
	start_sv_group --policy "$T/p.json"
	mctl 4242 start g >/dev/null || fail "the member's start after the pins went: $(ctl inspect --format '{{.State.Error}}' g@4242)"
	mctl 4242 wait g >/dev/null
	assert_eq "$(mctl 4242 logs g)" group-readable "opened by its gid"
	mctl 4242 start -a v >"$T/v.out" || fail "the bind volume's container: $(ctl inspect --format '{{.State.Error}}' v@4242)"
	assert_eq "$(cat "$T/v.out")" group-readable "the bind volume, pinned again"
	# swapped for a link to what root alone reads: opened as the member, refused
	mv "$T/allowed/grp" "$T/allowed/grp.old"
	ln -s "$T/allowed/secret" "$T/allowed/grp"
	local out
	out=$(mctl 4242 start s 2>&1) && fail "a link to what the member cannot read: $out"
	assert_contains "$out" "cannot open $T/allowed/grp as uid 4242" "opened as the member"
	assert_not_contains "$(mctl 4242 inspect --format '{{.State.Error}}' s)" hidden "nothing of it read"
	assert_eq "$(mctl 4242 inspect --format '{{.State.Status}}' s)" created "not started"
	return 0
}

# A container in another's PID namespace cannot have it back: said so
test_repin_a_joined_pid_namespace_is_said_gone() {
	trap cleanup_sv EXIT
	start_sv
	ctl run -d --name host "$IMG" sleep 1000 >/dev/null
	ctl create --name joiner --pid container:host "$IMG" true >/dev/null || fail "the joiner"
	ctl rm -f host >/dev/null
	reboot_pins joiner
	start_sv
	local out
	out=$(ctl start joiner 2>&1) && fail "a start in a namespace that is gone: $out"
	assert_contains "$out" "spec.pidNamespace: the namespace it joined is gone (the host restarted?): create the container again" "why"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
