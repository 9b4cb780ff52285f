#!/bin/bash
# Rootless with limits, side by side with runc: a user that has a cgroup v2
# subtree of its own, delegated as systemd's Delegate=yes does it (the
# directory and its cgroup.procs, cgroup.subtree_control and
# cgroup.threads chowned to the user, its shell in a scope below), and,
# where systemd is PID 1, the user's own systemd instance
# (user@UID.service) with --systemd-cgroup. Needs the controllers: the VM
# tier runs it.
. "$(dirname "$0")/lib.sh"

CG=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)

need_controllers() {
	grep -qw memory "$CG/cgroup.controllers" 2>/dev/null && grep -qw pids "$CG/cgroup.controllers" ||
		skip "needs cgroup v2 with the memory and pids controllers (the VM tier runs it)"
	command -v runc >/dev/null || skip "runc is not installed (tests/deps.sh installs it)"
}

# A uid of the test's own, with no passwd entry (runc and corral need none)
# and its XDG_RUNTIME_DIR; the bundle from `runc spec --rootless` as that uid.
RUID=$((42000 + $$ % 1000))
setup_user_bundle() {
	XDG=$T/xdg
	mkdir -p "$XDG" "$T/ub"
	chown "$RUID:$RUID" "$XDG" "$T/ub"
	chmod 700 "$XDG"
	(cd "$T/ub" && as_user runc spec --rootless)
	ucfg --arg r "$FIXTURES/busybox/rootfs" --argjson a "$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -sc .)" \
		'.root.path=$r | .process.terminal=false | .process.args=$a'
}
ucfg() { jq "$@" "$T/ub/config.json" >"$T/c.tmp" && cat "$T/c.tmp" >"$T/ub/config.json"; }
as_user() {
	setpriv --reuid="$RUID" --regid="$RUID" --clear-groups env -i HOME="$T" XDG_RUNTIME_DIR="$XDG" \
		PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin ${USER_ENV:-} "$@"
}

# The delegated subtree: D, with the user's shell in D/shell.scope, where
# root puts it (moving a process needs the common parent's cgroup.procs).
delegate() {
	D=$CG/crl-$TID
	echo "+memory +pids" >"$CG/cgroup.subtree_control"
	mkdir "$D" "$D/shell.scope"
	chown "$RUID:$RUID" "$D" "$D"/cgroup.{procs,subtree_control,threads} "$D/shell.scope" \
		"$D"/shell.scope/cgroup.{procs,subtree_control,threads}
	OWNER=$BASHPID
	trap undelegate EXIT
}
undelegate() {
	[ "$BASHPID" = "$OWNER" ] || return 0
	for r in runc corral; do rt "$r" delete -f "$TID" >/dev/null 2>&1; done
	[ -d "$D" ] && find "$D" -depth -type d -exec rmdir {} \;
	[ ! -d "$D" ] || echo "    left: $(find "$D" -type d) holding $(cat "$D"/cgroup.procs "$D"/*/cgroup.procs)" >&2
	true
}
# rt RUNTIME ARGS...: as the user, from its shell's scope in the subtree
rt() {
	local r=$1
	shift
	[ "$r" = corral ] && r=$CORRAL
	(cd "$T/ub" && sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$D/shell.scope" \
		"$(command -v setpriv)" --reuid="$RUID" --regid="$RUID" --clear-groups env -i HOME="$T" XDG_RUNTIME_DIR="$XDG" \
		PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin ${USER_ENV:-} "$r" ${RT_OPTS:-} "$@")
}

test_rootless_delegated_subtree_limits() {
	need_controllers
	setup_user_bundle sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived ${#x}'
	delegate
	ucfg '.linux.resources={"memory":{"limit":16777216,"swap":16777216}}'
	local r rc out
	for r in runc corral; do
		rc=0
		out=$(rt "$r" run "$TID" </dev/null 2>"$T/err.$r") || rc=$?
		assert_eq "$rc" 137 "$r: exit code of an OOM-killed rootless container ($(head -c 300 "$T/err.$r"))"
		assert_not_contains "$out" survived "$r: output"
		[ ! -e "$D/$TID" ] || fail "$r: its cgroup $D/$TID is left"
	done
	# update, in the cgroup beside the user's shell (runc's place for a
	# rootless container with no cgroupsPath)
	ucfg '.process.args=["sleep","300"] | .linux.resources={"memory":{"limit":67108864},"pids":{"limit":64}}'
	for r in runc corral; do
		rt "$r" run -d "$TID" </dev/null >/dev/null 2>"$T/err.$r" || fail "$r run -d: $(cat "$T/err.$r")"
		assert_eq "$(cat "$D/$TID/memory.max") $(cat "$D/$TID/pids.max")" "67108864 64" "$r: limits"
		assert_eq "$(cat "$D/$TID/cgroup.procs")" "$(rt "$r" state "$TID" | jq .pid)" "$r: the init is in it"
		rt "$r" update --memory 33554432 --pids-limit 32 "$TID" || fail "$r update"
		assert_eq "$(cat "$D/$TID/memory.max") $(cat "$D/$TID/pids.max")" "33554432 32" "$r: limits after update"
		rt "$r" delete -f "$TID"
		[ ! -e "$D/$TID" ] || fail "$r: its cgroup is left after delete"
	done
	assert_eq "$(ls "$XDG/corral")" "" "no corral state left"
}

# Where systemd is PID 1: the user's own instance, user@UID.service (for
# a user in passwd), makes the scope; the limits hold in it.
test_rootless_systemd_user_instance() {
	need_controllers
	[ -d /run/systemd/system ] || skip "needs systemd as PID 1 (the VM tier's systemd boot runs it)"
	RL=crl$RUID
	useradd -M -d "$T" -u "$RUID" -s /bin/sh "$RL" || fail "useradd"
	OWNER=$BASHPID
	trap 'if [ "$BASHPID" = "$OWNER" ]; then systemctl stop "user@$RUID.service"; userdel "$RL"; fi >/dev/null 2>&1 || true' EXIT
	systemctl start "user@$RUID.service" || fail "user@$RUID.service did not start"
	XDG=/run/user/$RUID
	mkdir -p "$T/ub"
	chown "$RUID:$RUID" "$T/ub"
	(cd "$T/ub" && as_user runc spec --rootless)
	ucfg --arg r "$FIXTURES/busybox/rootfs" '.root.path=$r | .process.terminal=false
		| .process.args=["sh","-c","x=$(head -c 67108864 /dev/zero | tr \"\\0\" a); echo survived ${#x}"]
		| .linux.resources={"memory":{"limit":16777216,"swap":16777216}}'
	local rs=(corral)
	# runc's driver talks to the user's D-Bus (dbus-user-session)
	[ -S "$XDG/bus" ] && rs=(runc corral)
	local r rc out u scope
	USER_ENV="DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG/bus"
	for r in "${rs[@]}"; do
		[ "$r" = corral ] && r=$CORRAL
		rc=0
		out=$(cd "$T/ub" && as_user "$r" --systemd-cgroup run "$TID" </dev/null 2>"$T/err") || rc=$?
		assert_eq "$rc" 137 "$r: exit code of an OOM-killed container in a user scope ($(head -c 300 "$T/err"))"
		assert_not_contains "$out" survived "$r: output"
	done
	ucfg '.process.args=["sleep","300"] | .linux.resources={"memory":{"limit":67108864}}'
	for r in "${rs[@]}"; do
		u=$( [ "$r" = runc ] && echo runc || echo corral)-$TID.scope
		[ "$r" = corral ] && r=$CORRAL
		(cd "$T/ub" && as_user "$r" --systemd-cgroup run -d "$TID" </dev/null >/dev/null 2>"$T/err") || fail "$r run -d: $(cat "$T/err")"
		scope=$CG/user.slice/user-$RUID.slice/user@$RUID.service/user.slice/$u
		assert_eq "$(cat "$scope/memory.max" 2>&1)" 67108864 "$r: memory.max of $u"
		assert_eq "$(as_user systemctl --user show -P Delegate "$u")" yes "$r: $u is delegated"
		as_user "$r" --systemd-cgroup update --memory 33554432 "$TID" || fail "$r update"
		assert_eq "$(cat "$scope/memory.max")" 33554432 "$r: memory.max after update"
		assert_eq "$(as_user systemctl --user show -P MemoryMax "$u")" 33554432 "$r: MemoryMax after update"
		as_user "$r" --systemd-cgroup delete -f "$TID"
		assert_eq "$(as_user systemctl --user show -P LoadState "$u")" not-found "$r: $u is gone"
	done
}

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
