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
# time: about 7 s (4 cases)
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

# A source deleted while the container lives (an editor's save renames a
# new file over it; rm -rf and mkdir) stays bound as it was until the next
# start, which binds the path as it is then (Docker's), checked as at
# Create; one deleted and not made again fails the start, saying so
test_repin_a_source_made_anew_is_bound_at_the_next_start() {
	trap cleanup_sv EXIT
	mkdir -p "$T/allowed/dir" "$T/outside"
	echo one >"$T/allowed/conf"
	echo one >"$T/allowed/dir/marker"
	echo secret >"$T/outside/marker"
	chmod 755 "$T/allowed"
	echo "{\"bind_mounts\": {\"allowed\": [\"$T/allowed\"]}, \"unprivileged\": {\"bind_mounts\": {\"allowed\": [\"$T/allowed\"]}}}" >"$T/p.json"
	start_sv_group --policy "$T/p.json"
	ctl run -d --name c -v "$T/allowed/conf:/conf:ro" -v "$T/allowed/dir:/d" "$IMG" sleep 1000 >/dev/null
	echo two >"$T/allowed/conf.new" && mv "$T/allowed/conf.new" "$T/allowed/conf"
	rm -rf "$T/allowed/dir" && mkdir "$T/allowed/dir" && echo two >"$T/allowed/dir/marker"
	assert_eq "$(ctl exec c sh -c 'cat /conf; ls -A /d' | tr '\n' ' ')" "one " \
		"a running container keeps what it bound: the old file, the emptied directory"
	ctl stop -t 1 c >/dev/null
	ctl start c >/dev/null || fail "the start after its sources were made anew: $(ctl inspect --format '{{.State.Error}}' c)"
	assert_eq "$(ctl exec c cat /conf /d/marker | tr '\n' ' ')" "two two " "the paths as they are at the start"
	ctl exec c sh -c 'echo from-ctr >/d/new' || fail "a write to the bound directory"
	assert_eq "$(cat "$T/allowed/dir/new")" from-ctr "its writes reach the directory the path names"
	# deleted, not made again: the start fails, naming the source
	ctl stop -t 1 c >/dev/null
	rm "$T/allowed/conf"
	local out
	out=$(ctl start c 2>&1) && fail "a start with its source deleted: $out"
	assert_contains "$out" "$T/allowed/conf" "names the source"
	assert_contains "$(ctl inspect --format '{{.State.Error}}' c)" "No such file or directory" "kept as its start error"
	echo three >"$T/allowed/conf"
	ctl start c >/dev/null || fail "the start once the source is back"
	assert_eq "$(ctl exec c cat /conf)" three "the source made again"
	# a member's, made anew as a link to what the member cannot read: opened
	# as the member, refused; made anew as a file of its own: bound
	chown 4242 "$T/allowed/dir"
	ctl image import "oci:$IMGS/oci:test" app:1 >/dev/null
	mctl 4242 create --name m -v "$T/allowed/dir:/d" app:1 cat /d/marker >/dev/null || fail "the member's create"
	mctl 4242 start -a m >"$T/m.out" || fail "the member's first start"
	assert_eq "$(cat "$T/m.out")" two "the member's first start"
	rm -rf "$T/allowed/dir" && ln -s "$T/outside" "$T/allowed/dir"
	out=$(mctl 4242 start m 2>&1) && fail "a member's source made anew as a link outside: $out"
	assert_contains "$out" "outside the allowed prefixes" "checked again as at Create"
	rm "$T/allowed/dir" && mkdir "$T/allowed/dir" && echo three >"$T/allowed/dir/marker" && chown -R 4242 "$T/allowed/dir"
	mctl 4242 start -a m >"$T/m.out" || fail "the member's start once the source is a directory again"
	assert_eq "$(cat "$T/m.out")" three "the member's source made anew"
	return 0
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
