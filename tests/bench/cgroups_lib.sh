# bench_rm_cgroups WHO DIR...: a benchmark's cgroup trees gone. What still
# runs in them (a bench that failed with a container running, a conmon
# that outlives podman's rm by a moment, a container whose corrald was
# killed) is ours: it is killed, each tree is removed once it is empty, and
# one that is left is said on stderr, with what it still holds.
bench_rm_cgroups() {
	local who=$1 c left dirs=()
	shift
	for c in "$@"; do [ -d "$c" ] && dirs+=("$c"); done
	[ ${#dirs[@]} -gt 0 ] || return 0
	for _ in $(seq 100); do
		# shellcheck disable=SC2046 # the files found, each a word
		left=$(cat $(find "${dirs[@]}" -name cgroup.procs 2>/dev/null) 2>/dev/null | sort -u)
		[ -z "$left" ] && break
		# shellcheck disable=SC2086 # the pids, each a word
		kill -9 $left 2>/dev/null
		sleep 0.05
	done
	find "${dirs[@]}" -depth -type d -exec rmdir {} \; 2>/dev/null
	for c in "${dirs[@]}"; do
		[ -d "$c" ] && echo "$who: could not remove $c: $(find "$c" -name cgroup.procs -exec cat {} + | tr '\n' ' ')" >&2
	done
	return 0
}
