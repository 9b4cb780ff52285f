# Helpers of the corrald tests (sourced after lib.sh): a daemon on a temp
# socket and state dir, a client, and a cleanup that leaves nothing behind.
CORRALD="$B/bin/corrald"
CORRALCTL="$B/bin/corralctl"

# start_sv [FLAG VALUE]...: a daemon on $S/c.sock with state in $T/state
start_sv() {
	SOCK="$S/c.sock"
	STATE_D="$T/state"
	[ -f "$T/corrald.conf" ] || : >"$T/corrald.conf"
	"$CORRALD" --config "$T/corrald.conf" --socket "$SOCK" --state-dir "$STATE_D" \
		--cgroup-delegate no --cgroup-parent "/corral-$TID" \
		--default-network none --cni-config-dir "$T/net.d" "$@" >>"$T/corrald.log" 2>&1 &
	CORRALD_PID=$!
	echo "$CORRALD_PID" >>"$T/.daemons"
	local i
	for i in $(seq 200); do
		"$CORRALCTL" --socket "$SOCK" --timeout 2 ping >/dev/null 2>&1 && return 0
		kill -0 "$CORRALD_PID" 2>/dev/null || { cat "$T/corrald.log" >&2; fail "corrald exited"; return 1; }
		sleep 0.05
	done
	fail "corrald did not answer on $SOCK"
}

ctl() { "$CORRALCTL" --socket "$SOCK" --timeout 30 "$@"; }
# stop_sv: corrald stopped (TERM; its containers run on)
stop_sv() {
	kill -TERM "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
}
# restart_sv [FLAG VALUE]...: stopped, and started again with the flags
restart_sv() { stop_sv && start_sv "$@"; }

# start_sv_group [FLAG VALUE]...: start_sv with the group of gid 65534 as
# its access group, and $T open to the members below
start_sv_group() {
	local g
	g=$(getent group 65534 | cut -d: -f1)
	[ -n "$g" ] || skip "no group with gid 65534"
	chmod 755 "$T"
	start_sv --group "$g" "$@"
}
# as_uid UID COMMAND...: as a member of that group (gid 12345)
as_uid() { local u=$1; shift; setpriv --reuid "$u" --regid 12345 --groups 65534 "$@"; }
# mctl UID ARGS...: corralctl as that member
mctl() { local u=$1; shift; as_uid "$u" "$CORRALCTL" --socket "$SOCK" --timeout 30 "$@"; }

# From the EXIT trap: containers, daemons, monitors, cgroups, runtime state.
cleanup_sv() {
	set +e
	if [ -n "${CORRALD_PID:-}" ] && kill -0 "$CORRALD_PID" 2>/dev/null; then
		for id in $(ctl --json ps -a 2>/dev/null | jq -r '.[].id' 2>/dev/null); do
			ctl rm -f "$id" >/dev/null 2>&1
		done
	fi
	local p
	for p in $(cat "$T/.daemons" 2>/dev/null); do
		kill -TERM "$p" 2>/dev/null || continue
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$p" 2>/dev/null
	done
	rm -f "$T/.daemons"
	# a session's shared PID namespace's init (catatonit -P) outlives
	# corrald by design: the case's goes with it, if it is still the one
	# in the namespace pinned (its nsfs inode), never a pid reused since
	local init ino
	for init in "$T"/state/sessions/*/ns/pid.init; do
		[ -f "$init" ] || continue
		p=$(<"$init")
		ino=$(stat -L -c %i "${init%.init}" 2>/dev/null)
		[ -n "$ino" ] && [ "$(stat -L -c %i "/proc/$p/ns/pid" 2>/dev/null)" = "$ino" ] && kill -KILL "$p" 2>/dev/null
	done
	# monitors whose daemon was killed, and what they still run; gone
	# before their cgroups are removed (a dying monitor still holds its
	# <parent>/monitors, and rmdir of a busy cgroup fails)
	local left
	for p in $(leaked_processes "$T" "${S:-$T}"); do kill -KILL "$p" 2>/dev/null; done
	for _ in $(seq 100); do
		left=$(leaked_processes "$T" "${S:-$T}")
		[ -z "$left" ] && break
		sleep 0.05
	done
	if [ -d "$T/state/runtime" ]; then
		for id in $(ls "$T/state/runtime"); do
			"$CORRAL" --root "$T/state/runtime" delete --force "$id" >/dev/null 2>&1
		done
	fi
	# overlay rootfs of containers whose daemon was killed
	local m
	for m in $(awk -v d="$T/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	local cg
	for cg in /sys/fs/cgroup/unified/corral-"$TID" /sys/fs/cgroup/corral-"$TID"; do
		[ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	# a sanitizer report fails the test even when every assertion held
	if grep -qE "AddressSanitizer|LeakSanitizer|runtime error:" "$T/corrald.log" 2>/dev/null; then
		grep -E -A5 "AddressSanitizer|LeakSanitizer|runtime error:" "$T/corrald.log" | head -20 >&2
		exit 1
	fi
	return 0
}

# sessions first (their members, namespaces and attachment), then the rest
cleanup_sessions() {
	set +e
	local s
	if [ -n "${CORRALD_PID:-}" ] && kill -0 "$CORRALD_PID" 2>/dev/null; then
		for s in $(ctl --json session ls 2>/dev/null | jq -r '.[].name' 2>/dev/null); do
			ctl session rm -f "$s" >/dev/null 2>&1
		done
	fi
	cleanup_sv
}

# whether the cgroup2 hierarchy here has the memory controller; skip unless
has_memory_controller() {
	local root=/sys/fs/cgroup/unified
	[ -d "$root" ] || root=/sys/fs/cgroup
	grep -qw memory "$root/cgroup.controllers" 2>/dev/null
}
need_memory_controller() {
	has_memory_controller || skip "cgroup v2 here has no memory controller (it is bound to v1); the VM tier runs this"
}

status_of() { ctl inspect --format '{{.State.Status}}' "$1"; }
# NAME: the pid of its monitor, its init's parent
# cgroup_of CONTAINER: its cgroup's directory
cgroup_of() {
	local id cg
	id=$(ctl --json inspect "$1" | jq -r '.[0].id')
	cg=/sys/fs/cgroup/unified/corral-$TID/$id
	[ -d /sys/fs/cgroup/unified ] || cg=/sys/fs/cgroup/corral-$TID/$id
	echo "$cg"
}
monitor_of() { awk '{print $4}' "/proc/$(ctl --json inspect "$1" | jq '.[0].state.pid')/stat"; }
is_status() { [ "$(status_of "$1")" = "$2" ]; }

