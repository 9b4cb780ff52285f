#!/bin/bash
# A container's own files are hostile: what it plants in its root (symlinks
# into /proc, over /run/corral, /run/secrets, a bind's target) must steer
# nothing that corrald or the runtime does for it later, across a restart
# of corrald or of the container. Each test plants, triggers, and checks
# that /proc/sys is still read-only in the container and that no host file
# was reached.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"
IMG=t:1 # from the store: an overlay the container may write
VLCALL="$B/tests/helpers/vlcall"

cleanup_planted() {
	set +e
	for s in $(ctl --json session ls 2>/dev/null | jq -r '.[].name' 2>/dev/null); do
		ctl session rm -f "$s" >/dev/null 2>&1
	done
	cleanup_sv
}

# /proc/sys is still read-only in NAME: writing a namespaced sysctl (the
# container's own domainname, never the host's) is refused.
proc_sys_readonly() {
	local out
	out=$(ctl exec "$1" sh -c 'echo planted >/proc/sys/kernel/domainname' 2>&1) &&
		fail "$1 wrote /proc/sys: its read-only mount is gone"
	assert_contains "$out" "Read-only file system" "$1: /proc/sys"
	ctl exec "$1" sh -c 'grep -q " /proc/sys ro[, ]" /proc/self/mountinfo' ||
		fail "$1: /proc/sys is no longer a read-only mount: $(ctl exec "$1" grep /proc/sys /proc/self/mountinfo)"
}

restart_corrald() {
	kill -KILL "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	start_sv
	ctl image import "oci:$IMGS/oci:test" "$IMG" >/dev/null
	sleep 0.5 # anything corrald would do for its members at load has been done
}

# The escape that the broker's rebind allowed: /run/corral replaced by a
# symlink to a directory whose broker.sock is a symlink to /proc/sys. After
# a restart, corrald put the new socket in place by working inside the
# member's mount namespace, through those symlinks, and detached /proc/sys.
test_planted_broker_symlinks_followed_by_nothing_after_restart() {
	trap cleanup_planted EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" "$IMG" >/dev/null
	ctl session create --share ipc,uts s1 >/dev/null
	local id
	id=$(ctl run -d --session s1 --name evil "$IMG" sleep 1000)
	ctl run -d --session s1 --name good "$IMG" sleep 1000 >/dev/null
	# every way in: /run/corral itself, or /run above it (today both are
	# refused: /run/corral is a read-only mount point and /run is the
	# image's, which overlayfs does not rename); whatever lands is planted
	ctl exec evil sh -c 'mkdir /evil && ln -s /proc/sys /evil/broker.sock
		mv /run/corral /run/corral.old || { mv /run /run.old && mkdir /run; }
		ln -s /evil /run/corral; rm -f /run/corral/broker.sock; ln -s /proc/sys /run/corral/broker.sock
		touch /run/corral/planted; true' >/dev/null 2>&1
	[ ! -e "$STATE_D/sessions/s1/broker/$id/planted" ] || fail "evil wrote into its broker directory on the host"
	[ -z "$(find "$STATE_D/sessions/s1/broker/$id" -type l)" ] || fail "a symlink was planted on the host side"
	restart_corrald
	proc_sys_readonly evil
	[ "$(cat /proc/sys/kernel/domainname)" != planted ] || fail "the host's domainname was written"
	# the broker still serves both members: the one that did not plant
	# sees the new socket at once, through its read-only directory
	local sock="$STATE_D/sessions/s1/broker/$id/broker.sock"
	[ -S "$sock" ] || fail "no new socket for evil on the host"
	assert_contains "$(ctl exec good stat -c %i /run/corral/broker.sock)" \
		"$(stat -c %i "$STATE_D/sessions/s1/broker/$(ctl inspect --format '{{.Id}}' good)/broker.sock")" \
		"good sees the new socket"
	assert_contains "$(call_whoami "$sock")" '"member":"evil"' "evil's socket is served"
	ctl rm -f evil >/dev/null
	[ ! -e "$STATE_D/sessions/s1/broker/$id" ] || fail "evil's broker directory outlived it"
}

call_whoami() { "$VLCALL" "$1" '{"method":"io.corral.Broker.Whoami"}'; }

# A restart of the container itself (its restart policy), after it replaced
# a bind's target and /run/secrets with symlinks into /proc: the runtime
# resolves them in the new root, and a mount that would land on procfs or
# sysfs through a symlink is refused by name; the container does not start
# with a hole in its /proc.
test_planted_mount_targets_into_proc_are_refused_at_restart() {
	trap cleanup_planted EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" "$IMG" >/dev/null
	mkdir -p "$T/data"
	echo v1 | ctl secret create tok - >/dev/null
	# directories that the image lacks (so overlayfs may rename them)
	ctl run -d --name evil --secret tok,target=/sec/hostname -v "$T/data:/srv/data" "$IMG" sleep 1000 >/dev/null
	proc_sys_readonly evil
	# mount points cannot be renamed; the directories above them can
	ctl exec evil sh -c 'mv /sec /sec.old && ln -s /proc/sys/kernel /sec &&
		mv /srv /srv.old && mkdir /srv && ln -s /proc/sys/vm /srv/data' || fail "planting"
	ctl stop -t 1 evil >/dev/null 2>&1
	local out
	out=$(ctl start evil 2>&1) && fail "started with mounts redirected into /proc: $out"
	assert_contains "$out" "resolves into /proc" "the refusal names it"
	[ "$(cat /proc/sys/kernel/domainname)" != planted ] || fail "the host's domainname was written"
}

# What corrald reads in a container's root after a restart of corrald (cp,
# top's user names) goes through magic links nowhere: /proc/PID/root and
# /proc/self/fd lead out of any root, so they are refused, not followed.
test_planted_magic_links_lead_nowhere_after_restart() {
	trap cleanup_planted EXIT
	start_sv
	ctl image import "oci:$IMGS/oci:test" "$IMG" >/dev/null
	echo host-only >"$T/marker"
	ctl run -d --name evil "$IMG" sleep 1000 >/dev/null
	ctl exec evil sh -c "ln -s /proc/self/root /m1 && ln -s /proc/1/root/../../../../.. /m2 &&
		ln -s /proc/1/fd/0 /m3 && rm /etc/passwd && ln -s /proc/1/root$T/marker /etc/passwd" ||
		fail "planting"
	restart_corrald
	local p
	for p in "/m1$T/marker" "/m2$T/marker" /m3 /etc/passwd; do
		if ctl cp "evil:$p" "$T/got" >/dev/null 2>&1; then
			assert_not_contains "$(cat "$T/got" 2>/dev/null; tar xOf "$T/got" 2>/dev/null)" host-only "cp evil:$p"
		fi
		rm -rf "$T/got"
	done
	assert_not_contains "$(ctl top evil 2>&1)" host-only "top read /etc/passwd through a magic link"
	assert_contains "$(ctl top evil)" sleep "top still answers"
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
