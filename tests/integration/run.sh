#!/bin/bash
# Run every tests/integration/test_*.sh (as root); print one summary line.
# TEST_LANES=N (default 2) runs the files in N lanes at once, the slowest
# first (by the last run's times): each file already keeps to its own
# network namespace, state directory and names, so two files never meet.
# A file that needs the host to itself says `# lane: alone` in its first
# lines, and runs once the others are done.
set -u
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$B/results"
export B RESULTS="$B/results/integration.txt"
times="$B/results/integration-times.txt"
# the last run's times, or on a fresh clone those of a run recorded here
last=$(grep -hv '^#' "$times" 2>/dev/null || grep -v '^#' "$here/file-times.txt" 2>/dev/null)
: >"$RESULTS"
: >"$times" # seconds per file, to find the slow ones
cpu="$B/results/integration-cpu.txt"
: >"$cpu" # CPU seconds per file: what the tiers beside each other share
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
: >"$B/results/integration-cases.txt" # seconds per case (lib.sh's run_test)
lanes=${TEST_LANES:-2}
export TEST_LANES=$lanes

# The files of this run: "skip" lines for those a tier leaves out.
selected() {
	local f hit o item found
	for f in "$here"/test_*.sh; do
		# ONLY: substrings of the file names to run, split by '|'
		if [ -n "${ONLY:-}" ]; then
			hit=""
			IFS='|' read -ra only <<<"$ONLY"
			for o in "${only[@]}"; do case "$f" in *"$o"*) hit=1 ;; esac; done
			[ -n "$hit" ] || continue
		fi
		# TIER_TESTS: what a tier runs, as FILE or FILE:REGEX (test names);
		# the files it leaves out are counted as skips, with TIER_REASON
		if [ -n "${TIER_TESTS:-}" ]; then
			found=""
			for item in $TIER_TESTS; do
				[ "${item%%:*}" = "$(basename "$f")" ] && found=1
			done
			if [ -z "$found" ]; then
				echo "skip $f"
				continue
			fi
		fi
		echo "run $f"
	done
}

# FILE: its TIER_TESTS regex, if any
filter_of() {
	local item
	for item in ${TIER_TESTS:-}; do
		if [ "${item%%:*}" = "$(basename "$1")" ] && [ "$item" != "${item#*:}" ]; then
			echo "${item#*:}"
			return
		fi
	done
}

# CPU_TICKS: the CPU (user and system, in clock ticks) of this shell's
# reaped children: a file's processes are all reaped below it (by the
# reaper). Read without a subshell, whose BASHPID is its own.
children_cpu() {
	local st
	read -r -a st <"/proc/$BASHPID/stat"
	CPU_TICKS=$((st[15] + st[16]))
}

# FILE LOG: run one file, its output to LOG, its time to $times and the CPU
# its processes used to $cpu
run_file() {
	local f=$1 log=$2 t0=$SECONDS c0
	children_cpu
	c0=$CPU_TICKS
	{
		echo "== $(basename "$f")"
		# a subreaper reaps the inits that `corral create` leaves behind;
		# the file has a network namespace of its own, so that no case
		# touches the host's network, nor sees another lane's devices
		TEST_FILTER="$(filter_of "$f")" unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
			"$B/tests/helpers/reaper" bash "$f"
		# 125: the reaper killed what the file left running (it names them)
		[ $? -ne 125 ] || {
			echo "FAIL $(basename "$f"): processes left running once it ended"
			echo "fail $(basename "$f" .sh)-left-processes" >>"$RESULTS"
		}
	} >"$log" 2>&1
	echo "$((SECONDS - t0)) $(basename "$f")" >>"$times"
	children_cpu
	echo "$(((CPU_TICKS - c0) / hz)) $(basename "$f")" >>"$cpu"
}

# Order: the slowest first, by the last run (unknown ones first of all,
# since nothing says they are quick); `lane: alone` files last, alone.
order() {
	local f secs
	while read -r f; do
		secs=$(awk -v n="$(basename "$f")" '$2 == n { print $1 }' <<<"$last")
		echo "${secs:-9999} $f"
	done | sort -rn | cut -d' ' -f2-
}

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP integration: needs root"
	echo "skip integration-needs-root" >>"$RESULTS"
else
	# the shared fixtures (where lib.sh finds them), made once before the
	# lanes start (the files that need the others make them too, and say
	# what fails)
	fx="$here/../../build"
	"$here/../fixtures/mkbusybox.sh" "$fx" >/dev/null || { echo "FAIL: fixtures"; exit 1; }
	"$here/../fixtures/mkall.sh" "$fx" >/dev/null 2>&1
	# what a run killed outright (SIGKILL runs no EXIT trap) left: each
	# case's cgroup parent is corral-it<PID>-<case>, and PID is gone
	# (and the cases' own under the runtime's default parent, corral/it<PID>-<case>)
	for cg in /sys/fs/cgroup/unified/corral-it[0-9]*-* /sys/fs/cgroup/corral-it[0-9]*-* \
		/sys/fs/cgroup/unified/corral/it[0-9]*-* /sys/fs/cgroup/corral/it[0-9]*-*; do
		[ -d "$cg" ] || continue
		pid=${cg##*/corral-it}
		pid=${pid##*/it}
		pid=${pid%%-*}
		[ -d "/proc/$pid" ] && continue
		find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
		[ -d "$cg" ] && echo "integration: $cg, left by a killed run, still holds processes"
	done
	# the socket directories of files killed outright (lib.sh's short_dir)
	for sd in /tmp/corral-s.[0-9]*.*; do
		[ -d "$sd" ] || continue
		pid=${sd#/tmp/corral-s.}
		[ -d "/proc/${pid%%.*}" ] || rm -rf --one-file-system "$sd"
	done
	list=$(selected)
	reason=${TIER_REASON:-left out by this tier}
	while read -r what f; do
		[ "$what" = skip ] || continue
		echo "SKIP $(basename "$f"): $reason"
		echo "skip $(basename "$f" .sh)" >>"$RESULTS"
	done <<<"$list"
	files=$(sed -n 's/^run //p' <<<"$list")
	alone="" shared=""
	for f in $files; do
		if head -12 "$f" | grep -q '^# lane: alone'; then alone="$alone $f"; else shared="$shared $f"; fi
	done
	logs="$B/results/integration-logs"
	rm -rf "$logs" && mkdir -p "$logs"
	queue="$logs/.queue"
	tr ' ' '\n' <<<"$shared" | grep . | order >"$queue"
	# each lane takes the next file from the queue (under a lock), and its
	# output is printed whole once the file is done
	lane() {
		local f
		while :; do
			f=$(flock "$queue.lock" sh -c 'f=$(head -1 "$0"); sed -i 1d "$0"; echo "$f"' "$queue")
			[ -n "$f" ] || return 0
			run_file "$f" "$logs/$(basename "$f").log" </dev/null
			flock "$logs/.print" cat "$logs/$(basename "$f").log"
		done
	}
	if [ "$lanes" -le 1 ]; then
		# the queue on fd 3: a test file reads its stdin
		while read -r f <&3; do
			run_file "$f" "$logs/$(basename "$f").log" </dev/null
			cat "$logs/$(basename "$f").log"
		done 3<"$queue"
	else
		pids=""
		for _ in $(seq "$lanes"); do
			lane &
			pids="$pids $!"
		done
		# shellcheck disable=SC2086
		wait $pids
	fi
	for f in $alone; do
		run_file "$f" "$logs/$(basename "$f").log" </dev/null
		cat "$logs/$(basename "$f").log"
	done
	# every file ran (a lane that lost its queue must not pass for an empty run)
	want=$(grep -c . <<<"$files")
	ran=$(grep -c . "$times")
	if [ "$ran" -ne "$want" ]; then
		echo "FAIL integration: $ran of $want files ran"
		echo "fail integration-runner" >>"$RESULTS"
	fi
	# the runtime's default parent (/corral), which tests leave in place
	# while the other lane may use it
	rmdir "$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)/corral" 2>/dev/null
fi
p=$(grep -c '^pass' "$RESULTS"); f=$(grep -c '^fail' "$RESULTS"); s=$(grep -c '^skip' "$RESULTS")
echo "integration: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
