# Shared helpers for integration tests; sourced by tests/integration/test_*.sh.
# Each test is a shell function run in its own subshell with `set -e`.
# It passes by returning 0, fails otherwise, and skips by calling
# `skip REASON` (exit 77). After every test a leak check asserts that no
# mount, process or cgroup the test created is left.
set -u
: "${B:=build}"
# the physical path: the leak checks match mountinfo's paths, which have
# no symlink in them, against the case's directory
ROOTDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
case "$B" in /*) ;; *) B="$ROOTDIR/$B" ;; esac
CORRAL="$B/bin/corral"
FIXTURES="${FIXTURES:-$ROOTDIR/build/fixtures}"
RESULTS="${RESULTS:-$B/results/integration.txt}"
mkdir -p "$(dirname "$RESULTS")"
TESTROOT="$B/tmp/it"
mkdir -p "$TESTROOT"

fail() { echo "    FAIL: $*" >&2; return 1; }
skip() { echo "$*" >"$T/.skip"; exit 77; }
assert_eq() { # actual expected what
	[ "$1" = "$2" ] || fail "$3: expected [$2], got [$1]"
}
assert_contains() { # haystack needle what
	case "$1" in *"$2"*) ;; *) fail "$3: [$1] does not contain [$2]" ;; esac
}
assert_not_contains() {
	case "$1" in *"$2"*) fail "$3: [$1] contains [$2]" ;; *) ;; esac
}

# Processes of the test: in a cgroup named for its id, or whose command line
# names its directory or its socket directory (a corral still running
# against its state root, a server on its socket).
leaked_processes() {
	# builtins only: it runs twice a case over every process of the host,
	# and a fork costs up to 60 ms on a loaded 2-core machine
	local d=$1 s=${2:-$1} p stat cg args
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = "$$" ] && continue
		[ "${p#/proc/}" = "$BASHPID" ] && continue
		# a zombie is not running; the reaper collects it (the state is
		# the field after the command, which may hold spaces and ')')
		read -r stat 2>/dev/null <"$p/stat" || continue
		stat=${stat##*) }
		[ "${stat%% *}" = Z ] && continue
		cg=() args=()
		mapfile -t cg 2>/dev/null <"$p/cgroup"
		mapfile -d '' -t args 2>/dev/null <"$p/cmdline"
		if [[ "${cg[*]}" == *"$TID"* || "${args[*]}" == *"$d"* || "${args[*]}" == *"$s"* ]]; then
			echo "${p#/proc/}"
		fi
	done
}

# Every cgroup named NAME (a client's cgroup parent, in each hierarchy)
# removed, deepest first; true when none is left. A client's last process
# (conmon, a shim) may still be leaving it: wait_for 10 cgroups_gone NAME
cgroups_gone() {
	local cg
	for cg in $(find /sys/fs/cgroup -maxdepth 3 -type d -name "$1"); do
		find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -type d -name "$1")" ]
}

leak_check() { # dir socket-dir
	local d=$1 s=$2 leaks=""
	local m
	m=$(awk -v d="$d" -v s="$s/" 'index($5, d) == 1 || index($5, s) == 1 {print $5}' /proc/self/mountinfo)
	[ -n "$m" ] && leaks="$leaks mounts:[$m]"
	local p
	p=$(leaked_processes "$d" "$s")
	[ -n "$p" ] && leaks="$leaks processes:[$(for x in $p; do echo "$x $(tr '\0' ' ' <"/proc/$x/cmdline" 2>/dev/null | cut -c1-120)"; done | paste -sd ';')]"
	local c
	c=$(find /sys/fs/cgroup/unified /sys/fs/cgroup -maxdepth 4 -type d -name "*${TID}*" 2>/dev/null)
	[ -n "$c" ] && leaks="$leaks cgroups:[$(echo "$c" | head -3)]"
	# the host's own network: a test builds networks only in a namespace of its own
	local n
	n=$(host_net_state)
	[ "$n" != "$HOST_NET_BEFORE" ] && leaks="$leaks host-network:[$(diff <(echo "$HOST_NET_BEFORE") <(echo "$n") | grep '^>' | head -3 | tr '\n' ' ')]"
	if [ -n "$leaks" ]; then
		echo "    LEAK:$leaks" >&2
		# clean up so that one failure does not cascade
		for x in $m; do umount -l "$x" 2>/dev/null; done
		for x in $p; do kill -9 "$x" 2>/dev/null; done
		for x in $c; do find "$x" -depth -type d -exec rmdir {} \; 2>/dev/null; done
		return 1
	fi
	return 0
}

# What a test must not change in the host's network namespace: its links
# and its CNI chains and rules.
host_net_state() {
	ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
	{ iptables-save 2>/dev/null; ip6tables-save 2>/dev/null; } | grep -E 'CNI|corral' | sort
}

# Defaults each test can use: a private state root and a fresh id.
new_test_env() {
	HOST_NET_BEFORE=$(host_net_state)
	# the runtime's default parent (/corral, for a config without
	# cgroupsPath) is made on first use and outlives each container
	DEFAULT_CG=$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)/corral
	DEFAULT_CG_BEFORE=$([ -d "$DEFAULT_CG" ] && echo 1)
	T="$TESTROOT/$1"
	rm -rf "$T"
	mkdir -p "$T"
	# the case's sockets: a unix socket's path holds 107 bytes, so they
	# live in a short directory of their own, never under the checkout
	# (whose path may be long); others' uids reach them too
	S=$(short_dir)
	TID="it$$-$1"
	TID=$(echo "$TID" | tr -c 'a-zA-Z0-9_\n-' '-' | cut -c1-60)
	STATE="$T/state"
	export T S TID STATE
}

# short_dir: a new directory for sockets, short whatever the checkout's
# path, named for the file's shell (run.sh removes those of a run killed
# outright); removed by drop_short_dir (one file system: a mount a case
# left there is the leak check's, never rm's)
short_dir() {
	local d
	d=$(mktemp -d "/tmp/corral-s.$$.XXXXXX") && chmod 755 "$d" && echo "$d"
}
drop_short_dir() { [ -n "${1:-}" ] && rm -rf --one-file-system "$1"; }

cr() { "$CORRAL" --root "$STATE" "$@"; }

# on_a_pty COMMAND: COMMAND (a shell text) on a terminal of script(1),
# whose stdin stays open until COMMAND has ended: script reads its stdin to
# the end before it exits, and a terminal that sees EOF first may lose the
# program's output. Once held by a `sleep 5`, 5 s a call.
on_a_pty() {
	local hold
	hold=$(mktemp -u "$T/.pty.XXXXXX")
	mkfifo "$hold"
	script -qec "$1; echo >$hold" /dev/null < <(read -r _ <"$hold"; sleep 0.1)
	rm -f "$hold"
}

# wait_for SECONDS COMMAND...: poll until the command succeeds
wait_for() {
	local t=$1 i
	shift
	for i in $(seq $((t * 20))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	fail "timed out after ${t}s waiting for: $*"
}

# catches PID SIGNUM: the process has a handler for the signal (a shell has
# run its trap line). Wait for it before signalling a container's shell: an
# init with no handler never sees a signal sent from outside its namespace
# (the kernel drops it), and start and run -d return at the exec, before
# the shell has read its first line.
catches() {
	local m
	m=$(awk '$1 == "SigCgt:" {print $2}' "/proc/$1/status" 2>/dev/null) && [ -n "$m" ] &&
		(( (0x$m >> ($2 - 1)) & 1 ))
}
# child_catches PID SIGNUM: a child of the process catches the signal (the
# command below a container's init)
child_catches() {
	local c
	for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do catches "$c" "$2" && return 0; done
	return 1
}

# settled WANT COMMAND...: COMMAND's output once it is WANT, else its last
# within 10 s. A container's init commits its new credentials (its LSM
# label, its capabilities) just after `start` returns: start ends at the
# exec fifo's close-on-exec, which execve does first (runc's too).
settled() {
	local want=$1 got="" _
	shift
	for _ in $(seq 100); do
		got=$("$@" 2>&1) && [ "$got" = "$want" ] && break
		sleep 0.1
	done
	printf '%s' "$got"
}

# Wait up to 5 s for a container of cr to reach a status.
wait_status() { # id status
	for _ in $(seq 50); do
		[ "$(cr state "$1" | jq -r .status)" = "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 did not become $2"
}

# Clean up whatever a test left in its state root.
teardown_state() {
	[ -d "$STATE" ] || return 0
	for id in $(ls "$STATE" 2>/dev/null); do
		"$CORRAL" --root "$STATE" delete --force "$id" >/dev/null 2>&1 || true
	done
}

# case_watchdog DIR SECONDS: a case still running after SECONDS fails: its
# shell and that shell's children get SIGTERM, so its EXIT trap cleans up
# (a case that waits for ever would hold the whole run until CI's limit)
case_watchdog() {
	local dir=$1 p nap kids=()
	# it sleeps in a read of a pipe that never has data: no process to
	# leave behind when it is killed
	exec {nap}<> <(:)
	read -rt "$2" -u "$nap" _
	p=$(<"$dir/.case-pid") || return
	read -r -a kids 2>/dev/null <"/proc/$p/task/$p/children"
	# where it waited: the case's processes, each with what it waits in
	{
		echo "TIMEOUT: still running after $2 s (CASE_TIMEOUT): ended with SIGTERM; it waited in:"
		local all=$p more=$p
		while more=$(ps -o pid= --ppid "${more// /,}" 2>/dev/null | xargs) && [ -n "$more" ]; do all+=" $more"; done
		ps -o pid=,ppid=,stat=,wchan:24=,etimes=,args= -p "${all// /,}" 2>/dev/null | cut -c1-200
		# and who else holds their pipes (a writer gone from the tree
		# keeps a $(...) waiting for ever)
		local fd pipe q
		for q in $all; do
			for fd in /proc/$q/fd/*; do
				pipe=$(readlink "$fd" 2>/dev/null) && [[ $pipe == pipe:* ]] || continue
				for fd in /proc/[0-9]*/fd/*; do
					[ "$(readlink "$fd" 2>/dev/null)" = "$pipe" ] && [[ " $all " != *" $(cut -d/ -f3 <<<"$fd") "* ]] &&
						echo "$pipe also held by $(cut -d/ -f3 <<<"$fd"): $(tr '\0' ' ' <"/proc/$(cut -d/ -f3 <<<"$fd")/cmdline" | cut -c1-120)"
				done
			done
		done | sort -u
	} >"$dir/.timeout"
	kill -TERM "${kids[@]}" "$p" 2>/dev/null
}

run_test() { # function
	local name=$1 rc
	# a tier may run only some tests of a file (see run.sh's TIER_TESTS)
	if [ -n "${TEST_FILTER:-}" ] && ! [[ $name =~ $TEST_FILTER ]]; then
		return 0
	fi
	new_test_env "$name"
	local t0=${EPOCHREALTIME/./} watchdog
	case_watchdog "$T" "${CASE_TIMEOUT:-600}" &
	watchdog=$!
	( echo "$BASHPID" >"$T/.case-pid"; set -e; [ -n "${TEST_TRACE:-}" ] && set -x; cd "$T"; "$name" ) >"$T/.out" 2>&1
	rc=$?
	# SIGKILL: a TERM that reaches the watchdog while bash is still making
	# its pipe is held by bash's own handler until the read times out (a
	# skipped case, done at once, then took 600 s in a TCG guest)
	kill -KILL "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	[ -f "$T/.timeout" ] && { cat "$T/.timeout" >>"$T/.out"; rc=124; }
	teardown_state
	# what the test made there goes with it (rmdir: only when empty); in
	# lanes, the runner removes it at the end, since another lane's create
	# may be between its mkdir and its own cgroup's
	[ -n "$DEFAULT_CG_BEFORE" ] || [ "${TEST_LANES:-1}" -gt 1 ] || rmdir "$DEFAULT_CG" 2>/dev/null
	local leaked=0
	leak_check "$T" "$S" 2>>"$T/.out" || leaked=1
	drop_short_dir "$S"
	# each case's wall time, its teardown included (make check-times)
	local ds=$(((${EPOCHREALTIME/./} - t0) / 100000))
	local took="$((ds / 10)).$((ds % 10))"
	echo "$took $(basename "$0" .sh) $name" >>"${CASE_TIMES:-$(dirname "$RESULTS")/integration-cases.txt}"
	if [ $rc -eq 77 ]; then
		echo "SKIP $name: $(cat "$T/.skip" 2>/dev/null)"
		echo "skip $name" >>"$RESULTS"
	elif [ $rc -eq 0 ] && [ $leaked -eq 0 ]; then
		echo "PASS $name (${took}s)"
		echo "pass $name" >>"$RESULTS"
	else
		echo "FAIL $name (${took}s)"
		sed 's/^/    /' "$T/.out" | tail -30
		echo "fail $name" >>"$RESULTS"
	fi
	# a failed case's files stay to be read; a passed or skipped one's go
	# (a skip's reason is printed above)
	if [ $leaked -eq 0 ] && { [ $rc -eq 0 ] || [ $rc -eq 77 ]; }; then rm -rf "$T"; fi
	return 0
}

# A bundle at $T/bundle running ARGS on the shared busybox rootfs (read-only),
# from `corral spec` with terminal off.
BUSYBOX_ROOTFS="$FIXTURES/busybox/rootfs"
mkbundle() {
	BUNDLE="$T/bundle"
	mkdir -p "$BUNDLE"
	rm -f "$BUNDLE/config.json"
	(cd "$BUNDLE" && "$CORRAL" spec) || return 1
	# one jq (three cost a second a bundle under the VM tier's TCG); the
	# arguments made JSON here, since jq 1.6 takes "-c" after --args as
	# its own option
	local a s args=""
	for a in "$@"; do
		s=${a//\\/\\\\} s=${s//\"/\\\"} s=${s//$'\n'/\\n} s=${s//$'\t'/\\t} s=${s//$'\r'/\\r}
		args+="${args:+,}\"$s\""
	done
	jq --arg r "$BUSYBOX_ROOTFS" --argjson a "[$args]" \
		'.root.path=$r | .process.terminal=false | .process.args=$a' \
		"$BUNDLE/config.json" >"$BUNDLE/c.tmp" && mv "$BUNDLE/c.tmp" "$BUNDLE/config.json"
	export BUNDLE
}
# Edit the bundle's config.json with a jq filter.
cfg() {
	jq "$@" "$BUNDLE/config.json" >"$BUNDLE/c.tmp" && mv "$BUNDLE/c.tmp" "$BUNDLE/config.json"
}
# A private writable copy of the rootfs for tests that write to it.
own_rootfs() {
	cp -a "$BUSYBOX_ROOTFS" "$BUNDLE/rootfs"
	cfg '.root.path="rootfs" | .root.readonly=false'
}
# run_ctr ID: corral run in the bundle, stdin closed.
run_ctr() { (cd "$BUNDLE" && cr run "$@" </dev/null); }
