#!/bin/bash
# A hostile container against the runtime: a static helper (/escape) tries
# the known ways out, and must reach nothing. Each attack writes $T/pwned on
# the host when it gets through, and reads $T/marker.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/supervisor_lib.sh"
"$ROOTDIR/tests/fixtures/mkimages.sh" "$(dirname "$FIXTURES")" >/dev/null

ESCAPE="$B/tests/helpers/escape"

# The helper at /escape and a writable /out for its report.
with_escape() {
	mkdir -p "$T/out"
	cfg --arg p "$ESCAPE" --arg o "$T/out" '.mounts += [
		{"destination":"/escape","type":"bind","source":$p,"options":["bind","ro"]},
		{"destination":"/out","type":"bind","source":$o,"options":["bind","rw"]}]'
	echo "host secret" >"$T/marker"
}

# The runtime's processes in a container are not dumpable: only a process
# with CAP_SYS_PTRACE reaches their /proc/PID/exe, so the watcher has it,
# to attack the binary itself.
with_ptrace() {
	cfg '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
}

# Wait (bounded) for the watcher's last line.
await_report() {
	for _ in $(seq 200); do grep -qs '^watched' "$T/out/log" && return 0; sleep 0.1; done
	fail "the watcher never finished: $(cat "$T/out/log" 2>/dev/null)"
}

assert_contained() { # report
	assert_not_contains "$1" ESCAPED "the attack's report"
	[ ! -e "$T/pwned" ] || fail "a file was written on the host: $(cat "$T/pwned")"
}

# runc's CVE-2024-21626: a working directory through an fd the runtime holds
# (once fd 3 was the host's /proc/PID/fd and fd 4 the cgroup directory).
test_cwd_through_a_leaked_fd() {
	mkbundle /escape cwd "$T/marker" "$T/pwned"
	with_escape
	for fd in 3 4 5 6 7 8; do
		cfg --arg c "/proc/self/fd/$fd" '.process.cwd=$c'
		out=$(run_ctr "$TID-$fd" 2>&1) || true
		assert_contained "$out"
		# refused: /proc/self/fd/N is a magic link, never followed in the root
		assert_contains "$out" "process.cwd: /proc/self/fd/$fd" "cwd /proc/self/fd/$fd refused"
		assert_eq "$(echo "$out" | wc -l)" 1 "one-line error"
	done
	# the same through exec --cwd, into a running container
	cfg '.process.cwd="/" | .process.args=["sleep","30"]'
	(cd "$BUNDLE" && cr run -d "$TID" </dev/null)
	for fd in 3 4 5 6; do
		out=$(cr exec --cwd "/proc/self/fd/$fd" "$TID" /escape cwd "$T/marker" "$T/pwned" 2>&1) || true
		assert_contained "$out"
		assert_contains "$out" "process.cwd: /proc/self/fd/$fd" "exec --cwd /proc/self/fd/$fd refused"
	done
	cr kill "$TID" KILL
}

# A process in the container watches for each new process and goes through
# its fds and its /proc/PID/exe, while `corral exec` runs: the exec helper
# once held the cgroup directory and stayed dumpable until execve, and the
# binary it ran from was the host's corral (runc's CVE-2019-5736). Then the
# CVE's own way: a program in the container that is `#!/proc/self/exe`, so
# that exec runs the runtime's binary itself as a process of the container.
# The watcher stops each new process while it looks. The corral that runs
# here is a copy ($T/corral-copy, through the command RUNNER), so that a
# successful attack spoils only the copy; the watcher must have tried to
# write a runtime's binary and been refused.
exec_race_attack() { # RUNNER
	local rt=$1 sum
	sum=$(sha256sum <"$T/corral-copy")
	# it watches until the execs are done (/out/stop), 60 s at the most
	mkbundle sh -c "/escape watch 60 $T/marker $T/pwned PWNED-EXE /out/stop >/out/log 2>&1"
	with_escape
	with_ptrace
	printf '#!/proc/self/exe\n' >"$T/out/evil" && chmod +x "$T/out/evil"
	(cd "$BUNDLE" && $rt --root "$STATE" run -d "$TID" </dev/null)
	# the watcher runs before the execs start (a grep of "escape" in every
	# cmdline had matched this script's own name, and waited for nothing)
	wait_for 10 pgrep -f "^/escape watch 60 $T/marker"
	# 20: a watcher on a loaded host misses some that come and go
	# between its spins (it saw 9 of 15 once, in CI)
	n=0
	for _ in $(seq 20); do
		$rt --root "$STATE" exec "$TID" true && n=$((n + 1))
	done
	assert_eq "$n" 20 "the execs ran"
	for _ in $(seq 5); do
		out=$($rt --root "$STATE" exec "$TID" /out/evil 2>&1) && fail "#!/proc/self/exe exited 0"
		assert_contains "$out" 'unknown command "/out/evil"' "the runtime's binary ran in the container"
	done
	touch "$T/out/stop"
	await_report
	out=$(cat "$T/out/log")
	assert_contained "$out"
	assert_eq "$(sha256sum <"$T/corral-copy")" "$sum" "the runtime's binary is unchanged"
	watched=$(sed -n 's/^watched \([0-9]*\) processes/\1/p' "$T/out/log")
	[ "$watched" -ge 11 ] || fail "the watcher saw only $watched processes"
	# refused by the seal (overlayfs: read-only; memfd: sealed), not for being busy
	grep -Eq '^tried the binary of pid [0-9]+: (open: Read-only file system|write: Operation not permitted)' "$T/out/log" ||
		fail "the watcher never tried a runtime's binary: $out"
}

copy_rt() { "$T/corral-copy" "$@"; }
test_exec_race_reaches_nothing() {
	cp "$CORRAL" "$T/corral-copy"
	exec_race_attack copy_rt
}

# The same against a binary sealed once with `corral seal` (as
# corral-seal.service does at boot), which then runs without a view of its
# own or a second exec. The view is bound in a mount namespace of the
# test's own, held by a sleeping process.
sealed_rt() { nsenter -t "$HOLDER" -m --wd="$PWD" -- "$T/corral-copy" "$@"; }
test_exec_race_against_a_binary_sealed_once() {
	cp "$CORRAL" "$T/corral-copy"
	unshare -m --propagation private sleep 1000 &
	HOLDER=$!
	trap 'kill $HOLDER 2>/dev/null || true' EXIT
	wait_for 10 sh -c "[ \"\$(readlink /proc/$HOLDER/ns/mnt)\" != \"\$(readlink /proc/self/ns/mnt)\" ]" ||
		fail "no mount namespace of the test's own"
	# all or nothing: a path that fails takes off the views bound before it
	out=$(sealed_rt seal "$T/corral-copy" "$T/nosuch" 2>&1) && fail "seal of a missing path exited 0"
	assert_eq "$out" "corral: seal: $T/nosuch: No such file or directory" "seal of a missing path"
	nsenter -t "$HOLDER" -m awk -v p="$T/corral-copy" '$5 == p {exit 1}' /proc/self/mountinfo ||
		fail "a failed seal left a view over the binary"
	out=$(sealed_rt seal "$T/corral-copy" 2>&1) || fail "corral seal: $out"
	assert_eq "$out" "" "corral seal says nothing when it seals"
	line=$(nsenter -t "$HOLDER" -m awk -v p="$T/corral-copy" '$5 == p' /proc/self/mountinfo)
	assert_contains "$line" "$T/corral-copy ro," "a read-only mount over the binary"
	assert_contains "$line" " - overlay " "an overlayfs view over the binary"
	out=$(sealed_rt --debug --root "$STATE" exec nosuch true 2>&1) && fail "exec of no container exited 0"
	assert_not_contains "$out" "sealed runtime:" "a binary sealed once re-executing"
	assert_contains "$(sealed_rt seal "$T/corral-copy" 2>&1)" "runs sealed already" "sealing twice"
	nsenter -t "$HOLDER" -m sh -c "echo x >>'$T/corral-copy'" 2>/dev/null && fail "the sealed view took a write"
	exec_race_attack sealed_rt
	cr delete --force "$TID"
	sealed_rt seal --remove "$T/corral-copy" || fail "seal --remove"
	out=$(sealed_rt --debug --root "$STATE" exec nosuch true 2>&1) && fail "exec of no container exited 0"
	assert_contains "$out" "sealed runtime: a read-only overlayfs view" "once the view is removed, each call seals itself"
	assert_contains "$(sealed_rt seal --remove "$T/corral-copy" 2>&1)" "nothing to remove" "removing twice"
	out=$(sealed_rt seal "$T" 2>&1) && fail "sealed a directory"
	assert_eq "$out" "corral: seal: $T: not a regular file" "seal of a directory"
}

# A created container's init waits for start holding what it needs: another
# container in its pid namespace goes through its fds and its binary.
test_created_init_holds_nothing() {
	cp "$CORRAL" "$T/corral-copy"
	sum=$(sha256sum <"$T/corral-copy")
	mkbundle true
	(cd "$BUNDLE" && "$T/corral-copy" --root "$STATE" create "$TID-a" </dev/null)
	pid=$(cr state "$TID-a" | jq -r .pid)
	mkbundle sh -c "/escape watch 2 $T/marker $T/pwned PWNED-EXE >/out/log 2>&1"
	with_escape
	with_ptrace
	cfg --arg p "/proc/$pid/ns/pid" '.linux.namespaces |= map(if .type == "pid" then .path=$p else . end)'
	run_ctr "$TID-b"
	await_report
	out=$(cat "$T/out/log")
	assert_contained "$out"
	watched=$(sed -n 's/^watched \([0-9]*\) processes/\1/p' "$T/out/log")
	[ "$watched" -ge 1 ] || fail "the watcher did not see the created init"
	grep -q '^tried the binary of pid 1: ' "$T/out/log" || fail "the watcher never tried the created init's binary: $out"
	cr delete --force "$TID-a"
	assert_eq "$(sha256sum <"$T/corral-copy")" "$sum" "the runtime's binary is unchanged"
}

# The same through an image's WorkingDir: refused where the bundle is made
# when it is not a clean absolute path, and by the runtime when it leads
# through /proc; by `corral bundle create` and by corrald alike.
test_image_workdir() {
	trap 'cleanup_bundle; cleanup_sv' EXIT
	cp -a "$FIXTURES/images/oci" "$T/layout"
	"$ROOTDIR/tests/fixtures/hostile/mkoci.py" set-workdir "$T/layout" test /proc/self/fd/4
	cp -a "$FIXTURES/images/oci" "$T/layout2"
	"$ROOTDIR/tests/fixtures/hostile/mkoci.py" set-workdir "$T/layout2" test /data/../../..
	ci() { "$CORRAL" image --store "$T/store" "$@"; }
	ci import --name viafd "oci:$T/layout:test" >/dev/null
	ci import --name dotdot "oci:$T/layout2:test" >/dev/null
	out=$("$CORRAL" bundle create --store "$T/store" --image dotdot "$T/bundle" -- true 2>&1) &&
		fail "a bundle from WorkingDir /data/../../.. was made"
	assert_contains "$out" 'WorkingDir "/data/../../..": must be a clean absolute path' "bundle create"
	[ ! -e "$T/bundle" ] || fail "a refused bundle left its directory"
	"$CORRAL" bundle create --store "$T/store" --image viafd "$T/bundle" -- true
	out=$(cd "$T/bundle" && cr run "$TID" 2>&1) && fail "WorkingDir /proc/self/fd/4 ran"
	assert_contains "$out" "process.cwd: /proc/self/fd/4" "the runtime refuses it"
	start_sv
	ctl image import "oci:$T/layout:test" viafd:1 >/dev/null
	ctl image import "oci:$T/layout2:test" dotdot:1 >/dev/null
	out=$(ctl run dotdot:1 true 2>&1) && fail "corrald ran WorkingDir /data/../../.."
	assert_contains "$out" 'WorkingDir "/data/../../.." is not a clean absolute path' "corrald's create"
	out=$(ctl run viafd:1 true 2>&1) && fail "corrald ran WorkingDir /proc/self/fd/4"
	assert_contains "$out" "process.cwd: /proc/self/fd/4" "corrald's start"
}
# --preserve-fds 6 with the caller's fds 3, 5 and 8 open: the holes at 4, 6
# and 7 stay holes under every verb. Once the runtime's own fd of the
# container's cgroup landed in one, and through it the container froze its
# siblings and moved itself to the hierarchy's root. /escape fds lists what
# it was started with and tries that through each directory fd.
test_preserve_fds_holes_stay_holes() {
	mkbundle /escape fds
	with_escape
	holes() { "$@" 3</dev/null 5</dev/null 8</dev/null </dev/null; }
	want="fds 0 1 2 3 5 8"
	got=$(holes run_ctr --preserve-fds 6 "$TID-run")
	assert_eq "$got" "$want" "a run's process"
	# LISTEN_FDS widens a run's range as --preserve-fds does
	got=$(LISTEN_FDS=6 holes run_ctr "$TID-listen")
	assert_eq "$got" "$want" "a run's process under LISTEN_FDS=6"
	# create, then start: the init writes into the file create was given
	(cd "$BUNDLE" && holes cr create --preserve-fds 6 "$TID-c" >"$T/created")
	cr start "$TID-c"
	wait_status "$TID-c" stopped
	assert_eq "$(cat "$T/created")" "$want" "a created and started init"
	# exec, into a running container
	cfg '.process.args=["sleep","30"]'
	(cd "$BUNDLE" && cr run -d "$TID" </dev/null)
	got=$(holes cr exec --preserve-fds 6 "$TID" /escape fds)
	assert_eq "$got" "$want" "an exec'd process"
	cr kill "$TID" KILL
}
cleanup_bundle() { [ -d "$T/bundle" ] && "$CORRAL" bundle remove "$T/bundle" >/dev/null 2>&1; true; }

for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
	run_test "$t"
done
