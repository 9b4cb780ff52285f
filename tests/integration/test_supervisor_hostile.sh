#!/bin/bash
# corrald against containers that work against it: what they leave on disk
# and what they write to their logs must not cost corrald its availability,
# its descriptors or its memory. Each test cleans up its daemon, monitors,
# containers, mounts and cgroups, also on failure.
# time: about 40 s: one case makes a tree 20,000 directories deep in a container and removes it across a corrald restart
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null
IMGS="$FIXTURES/images"
IMG="$FIXTURES/busybox/rootfs"

# 20,000 directories, each in the last (twenty times the descriptors the
# old remover could hold; 100,000 took 117 s of a loaded run): busybox's
# cd needs the whole path to fit in PATH_MAX, so they are made in chunks
# of 2,000 (4 kB of "d/"), and the tree so far is moved into the bottom of
# each new chunk
DEEP_TREE='p=d; i=1; while [ $i -lt 2000 ]; do p="$p/d"; i=$((i+1)); done
mkdir -p /deep/$p; n=1
while [ $n -lt 10 ]; do mkdir -p /c/$p && mv /deep /c/$p/ && mv /c /deep || exit 1; n=$((n+1)); done
echo made'

trash_empty() { [ -z "$(ls -A "$STATE_D/trash")" ]; }
remover_of() { pgrep -P "$1" -x corrald-trash; }
no_remover() { ! remover_of "$CORRALD_PID" >/dev/null; }
# emptied, or no remover works on it any more (a failed one: said at once)
trash_done() { trash_empty || no_remover; }
n_fds() { ls "/proc/$1/fd" | wc -l; }

# The removal of a container's directory runs in a child of corrald, with a
# few descriptors, while corrald goes on serving. The old rm_rf, in the
# loop, held one descriptor per level: under 1024 it failed with EMFILE,
# after it had already removed config.json and record.json.
test_svh_deep_tree_removed_in_background() {
	trap cleanup_sv EXIT
	ulimit -n 1024
	start_sv
	ctl image import "oci:$IMGS/oci:test" deep:1 >/dev/null
	local id
	id=$(ctl run -d --name deep deep:1 sh -c "$DEEP_TREE")
	wait_for 180 is_status deep exited
	assert_eq "$(ctl logs deep)" made "the tree was made"
	[ -d "$STATE_D/containers/$id/upper/deep/d" ] || fail "no tree in the container's upper dir"
	local fds0 rem
	fds0=$(n_fds "$CORRALD_PID")
	ctl rm -f deep || fail "rm -f of the container with the deep tree failed"
	# the id and the name are free as soon as Remove returns
	[ ! -e "$STATE_D/containers/$id" ] || fail "containers/$id is still there"
	assert_eq "$(ctl --json ps -a | jq length)" 0 "ps -a after rm"
	# caught while it works (it takes seconds): stopped, it holds nobody up
	rem=$(remover_of "$CORRALD_PID") || fail "no corrald-trash child removing the tree"
	# it yields the CPU to what someone waits for (nice, /proc's 19th
	# field, set as it starts: waited for, then stays)
	wait_for 5 sh -c "[ \"\$(awk '{ print \$19 }' /proc/$rem/stat)\" = 10 ]" ||
		fail "the remover's nice value is $(awk '{ print $19 }' "/proc/$rem/stat"), not 10"
	kill -STOP "$rem"
	trash_empty && fail "the trash is empty while its remover is stopped"
	ctl ping >/dev/null || fail "corrald does not answer while the removal runs"
	assert_eq "$(ctl run --name second deep:1 echo meanwhile)" meanwhile "a run while the removal runs"
	ctl rm second >/dev/null || fail "a second rm while the first removal runs"
	local fds1
	fds1=$(n_fds "$CORRALD_PID")
	[ "$fds1" -le $((fds0 + 2)) ] || fail "corrald holds $fds1 descriptors (had $fds0)"
	# a corrald that stops ends its remover; the next one finishes the work
	kill -TERM "$CORRALD_PID"
	wait "$CORRALD_PID" 2>/dev/null || true
	wait_for 5 sh -c "! kill -0 $rem 2>/dev/null"
	trash_empty && fail "the trash was emptied by a stopped remover"
	start_sv
	# a bound, not a time: 100,000 levels took 20 s alone and past 120 s
	# with two TCG guests beside it (CI, stop 50)
	wait_for 600 trash_done
	trash_empty || fail "the remover ended with the trash not empty: $(ls "$STATE_D/trash");" \
		"corrald said: $(grep trash: "$T/corrald.log" | tr '\n' ' ')"
	wait_for 10 no_remover
	grep -q "trash: removing what an earlier corrald left" "$T/corrald.log" ||
		fail "the restarted corrald did not say it removes the leftovers"
	grep -q "trash: remove" "$T/corrald.log" && fail "a removal failed: $(grep 'trash: remove' "$T/corrald.log")"
	return 0
}

mounts_under() { grep -c " $1[/ ]" /proc/self/mountinfo; }

# Whatever is mounted in a container's directory goes with it: stacked on
# its rootfs, or deep in its upper/ (CI, stop 52: a mount that stayed under
# a removed container left it in the trash for good, as "Invalid
# cross-device link"; the remover never enters another mount).
test_svh_mounts_in_a_container_dir_go_with_it() {
	trap cleanup_sv EXIT
	# through a symlink: mountinfo names the real paths
	mkdir -p "$T/state" && ln -s state "$T/state-link"
	start_sv --state-dir "$T/state-link"
	ctl image import "oci:$IMGS/oci:test" m:1 >/dev/null
	local id dir
	id=$(ctl create --name m m:1 true) || fail "create failed"
	dir="$STATE_D/containers/$id"
	mkdir "$dir/upper/deep" || fail "mkdir in upper/"
	mount -t tmpfs stacked1 "$dir/rootfs" && mount -t tmpfs stacked2 "$dir/rootfs" &&
		mount -t tmpfs inupper "$dir/upper/deep" || fail "the test's mounts"
	assert_eq "$(mounts_under "$dir")" 4 "the overlay and three mounts in $dir"
	ctl rm m || fail "rm of a container with mounts in its directory"
	wait_for 30 trash_done
	trash_empty || fail "the trash kept $(ls "$STATE_D/trash"); corrald said: $(grep trash: "$T/corrald.log" | tr '\n' ' ')"
	assert_eq "$(mounts_under "$STATE_D")" 0 "mounts left under the state directory"
}

# The peak RSS of a process since reset_peak: what one call cost it.
reset_peak() { echo 5 >"/proc/$1/clear_refs"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
peak_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
# RSS is not asserted under ASan: its quarantine keeps freed memory
peak_grew_at_most() { # before kB what
	local peak
	peak=$(peak_kb "$CORRALD_PID")
	echo "$3: corrald RSS $1 kB, peak $peak kB"
	case "$B" in *sanitize*) return 0 ;; esac
	[ $((peak - $1)) -le "$2" ] || fail "$3: corrald RSS went from $1 to $peak kB"
}

# A 50 MB line without a newline is logged as P records of 16 KiB; its tail
# of 2 is two of them, read backwards from the end of the log. The old
# reader joined the whole line (corrald's peak RSS went from 3 to 150 MB
# here) and then refused it as larger than one reply; the whole log,
# streamed, was queued for the client at once.
test_svh_logs_tail_of_a_50mb_line() {
	trap cleanup_sv EXIT
	start_sv --log-level warning
	ctl run -d --name long "$IMG" sh -c 'head -c 50000000 /dev/zero | tr "\0" x' >/dev/null
	wait_for 120 is_status long exited
	local rss0 size
	rss0=$(rss_kb "$CORRALD_PID")
	reset_peak "$CORRALD_PID"
	ctl logs --tail 2 long >"$T/tail" || fail "logs --tail 2 failed"
	peak_grew_at_most "$rss0" $((16 * 1024)) "logs --tail 2"
	size=$(wc -c <"$T/tail")
	[ "$size" -gt 0 ] && [ "$size" -le $((2 * 16384)) ] || fail "logs --tail 2 printed $size bytes"
	assert_eq "$(tr -d x <"$T/tail" | wc -c)" 0 "the tail is the line's end"
	# all of it does not fit one reply (8 MiB): refused, having read no more
	local out
	rss0=$(rss_kb "$CORRALD_PID")
	reset_peak "$CORRALD_PID"
	out=$(ctl logs long 2>&1) && fail "logs of 50 MB in one reply worked"
	assert_contains "$out" "larger than one reply" "logs without tail"
	peak_grew_at_most "$rss0" $((24 * 1024)) "logs"
	# streamed (more), all of it comes, as fast as the client takes it
	rss0=$(rss_kb "$CORRALD_PID")
	reset_peak "$CORRALD_PID"
	ctl logs -f long >"$T/all" || fail "logs -f failed"
	peak_grew_at_most "$rss0" $((24 * 1024)) "logs -f"
	assert_eq "$(wc -c <"$T/all")" 50000000 "logs -f prints the whole line"
	assert_eq "$(tr -d x <"$T/all" | wc -c)" 0 "logs -f prints only the line"
}

# A monitor that takes no connection (stopped, its backlog full) holds
# corrald's loop 5 s at the most: a kill of its container fails saying so,
# and corrald answers the next call (the connect waited for ever, and
# corrald answered no one). A forced removal kills the monitor itself, as
# a hung shim is, and the container goes with it, its processes, cgroup
# and runtime state too (it waited for an exit the undelivered SIGKILL
# would never bring, and its client with it).
test_svh_a_monitor_with_a_full_backlog() {
	trap 'kill -CONT "${mon:-}" 2>/dev/null || true; kill "${filler:-}" 2>/dev/null || true; cleanup_sv' EXIT
	start_sv
	ctl run -d --name held "$IMG" sleep 1000 >/dev/null
	local id out pid cg
	id=$(ctl --json inspect held | jq -r '.[0].id')
	pid=$(ctl --json inspect held | jq -r '.[0].state.pid')
	cg="$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)$(jq -r .linux.cgroupsPath "$STATE_D/containers/$id/config.json")"
	mon=$(monitor_of held)
	kill -STOP "$mon"
	python3 - "$STATE_D/containers/$id" "$T/queued" <<-'PY' &
	import os, resource, signal, socket, sys
	resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
	d = os.open(sys.argv[1], os.O_PATH)  # its path is past sun_path's 108 bytes
	held = []
	while True:  # until the monitor's backlog is full
	    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	    s.setblocking(False)
	    try:
	        s.connect(f"/proc/self/fd/{d}/monitor.sock")
	    except BlockingIOError:
	        break
	    held.append(s)
	open(sys.argv[2], "w").write(str(len(held)))
	signal.pause()
	PY
	filler=$!
	wait_for 30 test -s "$T/queued" || fail "the monitor's backlog was not filled"
	out=$(timeout 60 "$CORRALCTL" --socket "$SOCK" kill held 2>&1) && fail "a kill through a stopped monitor succeeded"
	assert_contains "$out" "not taken within 5000 ms" "what the kill says"
	ctl ping >/dev/null || fail "corrald does not answer after it"
	timeout 60 "$CORRALCTL" --socket "$SOCK" rm -f held >/dev/null || fail "rm -f through a stopped monitor"
	assert_eq "$(ctl --json ps -a | jq length)" 0 "ps -a after the rm"
	wait_for 10 sh -c "! kill -0 $mon 2>/dev/null" || fail "its monitor $mon runs on"
	wait_for 10 sh -c "! kill -0 $pid 2>/dev/null" || fail "its process $pid runs on"
	[ ! -d "$cg" ] || fail "its cgroup is left: $(cat "$cg/cgroup.procs" | tr '\n' ' ')"
	[ ! -e "$STATE_D/runtime/$id" ] || fail "its runtime state is left"
	assert_contains "$(cat "$T/corrald.log")" "took no call: killed it" "what corrald says"
}

# a forced rm of a running container whose directory cannot go (made
# immutable here, as a failing disk would refuse it): the kill works, the
# removal that follows the exit fails, and the rm is told so and why; the
# container stays, exited, and goes once its directory can. It used to
# wait for ever, its client with it.
test_svh_a_forced_rm_whose_directory_cannot_go() {
	trap 'chattr -i "${dir:-/nonexistent}" 2>/dev/null || true; cleanup_sv' EXIT
	start_sv
	ctl run -d --name stuck "$IMG" sleep 1000 >/dev/null
	dir="$STATE_D/containers/$(ctl --json inspect stuck | jq -r '.[0].id')"
	chattr +i "$dir" || fail "chattr +i on the container's directory ($(stat -f -c %T "$dir"))"
	local out
	out=$(timeout 60 "$CORRALCTL" --socket "$SOCK" rm -f stuck 2>&1) && fail "rm -f succeeded with its directory immutable"
	assert_contains "$out" "Operation not permitted" "what the rm says"
	assert_eq "$(status_of stuck)" exited "the container after the failed rm"
	chattr -i "$dir"
	ctl rm -f stuck >/dev/null
	assert_eq "$(ctl --json ps -a | jq length)" 0 "ps -a once its directory can go"
	[ ! -e "$dir" ] || fail "its directory is left"
}

for t in $(declare -F | awk '{print $3}' | grep "^test_svh_${SV_ONLY:-}"); do
	run_test "$t"
done
