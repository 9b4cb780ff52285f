# A corrald of a benchmark's own (sourced after B is set to the build):
#   bench_corrald NAME [FLAG]...  starts it in $d (mktemp /tmp/corral-bench-NAME.*),
#                                 its control socket $sock, its pid $pid, and
#                                 waits until it answers; the EXIT trap cleans up
#   ctl ARGS...                   corralctl at it, as root
#   rss                           its VmRSS in kB
#   bench_group PID               a process group (setsid) the cleanup kills
#   bench_on_exit COMMAND         run by the cleanup before corrald is stopped
# The cleanup leaves nothing: groups, corrald, mounts under $d, $d, the
# benchmark's cgroups.
. "$(dirname "${BASH_SOURCE[0]}")/cgroups_lib.sh"
bench_groups=()
bench_exit_cmd=""
bench_cleanup() {
	local - g
	set +e # whatever is already gone, the rest still goes
	for g in "${bench_groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done
	[ -z "$bench_exit_cmd" ] || eval "$bench_exit_cmd" >/dev/null 2>&1
	# its containers outlive corrald by design: removed while it answers
	for c in $(ctl --json ps -a 2>/dev/null | jq -r '.[].id'); do ctl rm -f "$c" >/dev/null 2>&1; done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	bench_rm_cgroups bench /sys/fs/cgroup/unified/corral-bench-$$ /sys/fs/cgroup/corral-bench-$$
	awk -v p="$d/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$d"
	return 0
}
bench_corrald() {
	local name=$1
	shift
	d=$(mktemp -d "/tmp/corral-bench-$name.XXXXXX")
	chmod 755 "$d"
	sock="$d/c.sock"
	: >"$d/corrald.conf"
	"$B/bin/corrald" --config "$d/corrald.conf" --socket "$sock" --state-dir "$d/state" \
		--cgroup-delegate no --cgroup-parent "/corral-bench-$$" --default-network none "$@" &
	pid=$!
	trap bench_cleanup EXIT
	local _
	for _ in $(seq 100); do ctl ping >/dev/null 2>&1 && return 0; sleep 0.05; done
	echo "bench: corrald did not answer" >&2
	return 1
}
ctl() { "$B/bin/corralctl" --socket "$sock" --timeout 30 "$@"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
bench_group() { bench_groups+=("$1"); }
bench_on_exit() { bench_exit_cmd=$1; }
